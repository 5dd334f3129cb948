"""Torch-level convolutions: ``F.conv1d/2d/3d``, ``F.conv_transpose1d/2d/3d`` and
``torch.convolution``.

All of them record one ``prims.convolution`` on a batched input. This module canonicalizes the
arguments first: an int becomes one value per spatial dim, an unbatched input gets a batch dim
of 1 (removed again afterwards), and ``padding="same"`` / ``"valid"`` become explicit amounts.
``"same"`` with an odd total padding puts the extra element on the right, as torch does, by
padding the input with zeros first.
"""

import torch
import torch.nn.functional as F

from thunder.core import prims
from thunder.core.proxies import TensorProxy
from thunder.torch.registry import torchsymbol


def expand_param(value, n: int, name: str) -> tuple:
    """An int or a 1-element sequence repeated ``n`` times; a sequence of ``n`` ints as is."""
    if isinstance(value, int):
        return (value,) * n
    value = tuple(value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                           f"values to match the convolution dimensions, but got "
                           f"{name}={list(value)}")
    return value


def _check_tensors(name, *tensors):
    for t in tensors:
        if t is not None and not isinstance(t, TensorProxy):
            raise TypeError(f"{name}(): argument 'input' must be Tensor, not "
                            f"{type(t).__name__}")


def _batched(input, spatial, name):
    if input.ndim == spatial + 1:
        return prims.reshape(input, (1,) + input.shape), True
    if input.ndim != spatial + 2:
        raise RuntimeError(f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) "
                           f"input to {name}, but got input of size: {list(input.shape)}")
    return input, False


def _unbatched(out, was_unbatched):
    return prims.reshape(out, out.shape[1:]) if was_unbatched else out


def _same_padding(input, weight, dilation, spatial):
    """Explicit symmetric padding for ``padding="same"``; pads ``input`` on the right when the
    total is odd."""
    padding, extra = [], []
    for i in range(spatial):
        total = dilation[i] * (weight.shape[i + 2] - 1)
        padding.append(total // 2)
        extra.append(total - 2 * (total // 2))
    if any(extra):
        config = [(0, 0, 0), (0, 0, 0)] + [(0, e, 0) for e in extra]
        input = prims.pad(input, 0, config)
    return input, tuple(padding)


def _conv(name, spatial, input, weight, bias, stride, padding, dilation, groups):
    _check_tensors(name, input, weight, bias)
    input, was_unbatched = _batched(input, spatial, name)
    stride = expand_param(stride, spatial, "stride")
    dilation = expand_param(dilation, spatial, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * spatial
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            input, padding = _same_padding(input, weight, dilation, spatial)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    padding = expand_param(padding, spatial, "padding")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    out = prims.convolution(input, weight, bias, stride, padding, dilation, False,
                            (0,) * spatial, groups)
    return _unbatched(out, was_unbatched)


@torchsymbol(F.conv1d, torch.conv1d)
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """``F.conv1d``.

    >>> import thunder, torch
    >>> thunder.jit(torch.nn.functional.conv1d)(torch.ones(1, 2, 5), torch.ones(3, 2, 3)).shape
    torch.Size([1, 3, 3])
    """
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


@torchsymbol(F.conv2d, torch.conv2d)
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


@torchsymbol(F.conv3d, torch.conv3d)
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose(name, spatial, input, weight, bias, stride, padding, output_padding,
                    groups, dilation):
    _check_tensors(name, input, weight, bias)
    input, was_unbatched = _batched(input, spatial, name)
    stride = expand_param(stride, spatial, "stride")
    padding = expand_param(padding, spatial, "padding")
    output_padding = expand_param(output_padding, spatial, "output_padding")
    dilation = expand_param(dilation, spatial, "dilation")
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError(f"output padding must be smaller than either stride or dilation, "
                               f"but got output_padding={list(output_padding)}, "
                               f"stride={list(stride)}, dilation={list(dilation)}")
    out = prims.convolution(input, weight, bias, stride, padding, dilation, True,
                            output_padding, groups)
    return _unbatched(out, was_unbatched)


@torchsymbol(F.conv_transpose1d, torch.conv_transpose1d)
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


@torchsymbol(F.conv_transpose2d, torch.conv_transpose2d)
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


@torchsymbol(F.conv_transpose3d, torch.conv_transpose3d)
def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


@torchsymbol(torch.convolution)
def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                groups):
    """``torch.convolution``: the general form every convolution above lowers to."""
    _check_tensors("convolution", input, weight, bias)
    spatial = weight.ndim - 2
    if transposed:
        return _conv_transpose("convolution", spatial, input, weight, bias, stride, padding,
                               output_padding, groups, dilation)
    return _conv("convolution", spatial, input, weight, bias, stride, padding, dilation, groups)


__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "convolution"]
