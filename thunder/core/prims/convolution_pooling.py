"""Convolution and pooling primitives whose natural implementation is one torch kernel.

``convolution`` is torch's general N-d (transposed) convolution over a batched input of shape
``(N, C, *spatial)``; every argument list (``stride``, ``padding``, ``dilation``,
``output_padding``) has one int per spatial dim, already canonicalized by the torch-level
operators (no ``"same"`` strings, no unbatched inputs). ``max_pool_with_indices`` and
``adaptive_max_pool_with_indices`` return (values, int64 indices into the flattened spatial
dims), which have no cheap decomposition into the other prims.
"""

import torch
import torch.nn.functional as F

from thunder.core.prims.definition import check, make_prim
from thunder.core.prims.ids import PrimIDs
from thunder.core.proxies import TensorProxy


def conv_output_size(size, kernel, stride, padding, dilation, transposed, output_padding):
    """The output length of one spatial dim of a (transposed) convolution."""
    if transposed:
        return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _convolution_meta(a, weight, bias, stride, padding, dilation, transposed, output_padding,
                      groups):
    spatial = a.ndim - 2
    check(spatial >= 1 and weight.ndim == a.ndim,
          lambda: f"prims.convolution: input {a.shape} and weight {weight.shape} ranks differ",
          RuntimeError)
    check(a.dtype == weight.dtype and (bias is None or bias.dtype == a.dtype),
          lambda: f"prims.convolution: dtypes differ: {a.dtype} and {weight.dtype}",
          RuntimeError)
    for arg in (stride, padding, dilation, output_padding):
        check(len(arg) == spatial, lambda: f"prims.convolution: {arg} needs {spatial} values")
    if transposed:
        check(a.shape[1] == weight.shape[0],
              lambda: f"prims.convolution: input has {a.shape[1]} channels but the transposed "
                      f"weight {weight.shape} expects {weight.shape[0]}", RuntimeError)
        out_channels = weight.shape[1] * groups
    else:
        check(a.shape[1] == weight.shape[1] * groups,
              lambda: f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
                      f"input{list(a.shape)} to have {weight.shape[1] * groups} channels, but "
                      f"got {a.shape[1]} channels instead", RuntimeError)
        check(weight.shape[0] % groups == 0,
              lambda: f"prims.convolution: {weight.shape[0]} output channels are not divisible "
                      f"by groups={groups}", RuntimeError)
        out_channels = weight.shape[0]
    shape = [a.shape[0], out_channels]
    for i in range(spatial):
        size = conv_output_size(a.shape[i + 2], weight.shape[i + 2], stride[i], padding[i],
                                dilation[i], transposed, output_padding[i])
        check(size > 0, lambda: f"Calculated output size is too small: input {a.shape}, "
                                f"weight {weight.shape}", RuntimeError)
        shape.append(size)
    requires_grad = a.requires_grad or weight.requires_grad or (
        bias is not None and bias.requires_grad)
    return TensorProxy(shape=shape, dtype=a.dtype, device=a.device, requires_grad=requires_grad)


def _convolution_impl(a, weight, bias, stride, padding, dilation, transposed, output_padding,
                      groups):
    return torch.convolution(a, weight, bias, list(stride), list(padding), list(dilation),
                             transposed, list(output_padding), groups)


convolution = make_prim(PrimIDs.CONVOLUTION, _convolution_meta, torch_impl=_convolution_impl)


def pool_output_size(size, kernel, stride, padding, dilation, ceil_mode):
    """The output length of one spatial dim of max/avg pooling, as torch computes it."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1  # the last window must start inside the input or the left padding
    return out


def _max_pool_with_indices_meta(a, kernel_size, stride, padding, dilation, ceil_mode):
    spatial = len(kernel_size)
    shape = list(a.shape[:a.ndim - spatial])
    for i in range(spatial):
        shape.append(pool_output_size(a.shape[a.ndim - spatial + i], kernel_size[i], stride[i],
                                      padding[i], dilation[i], ceil_mode))
    return (TensorProxy.like(a, shape=shape),
            TensorProxy(shape=shape, dtype=torch.int64, device=a.device))


_MAX_POOLS = {1: F.max_pool1d_with_indices, 2: F.max_pool2d_with_indices,
              3: F.max_pool3d_with_indices}


def _max_pool_with_indices_impl(a, kernel_size, stride, padding, dilation, ceil_mode):
    fn = _MAX_POOLS[len(kernel_size)]
    return tuple(fn(a, kernel_size, stride, padding, dilation, ceil_mode, True))


max_pool_with_indices = make_prim(PrimIDs.MAX_POOL_WITH_INDICES, _max_pool_with_indices_meta,
                                  torch_impl=_max_pool_with_indices_impl)


def _adaptive_max_pool_meta(a, output_size):
    shape = a.shape[:a.ndim - len(output_size)] + tuple(output_size)
    return (TensorProxy.like(a, shape=shape),
            TensorProxy(shape=shape, dtype=torch.int64, device=a.device))


_ADAPTIVE_MAX_POOLS = {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d,
                       3: F.adaptive_max_pool3d}


def _adaptive_max_pool_impl(a, output_size):
    return tuple(_ADAPTIVE_MAX_POOLS[len(output_size)](a, output_size, True))


adaptive_max_pool_with_indices = make_prim(PrimIDs.ADAPTIVE_MAX_POOL_WITH_INDICES,
                                           _adaptive_max_pool_meta,
                                           torch_impl=_adaptive_max_pool_impl)
