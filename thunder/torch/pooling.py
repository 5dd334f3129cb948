"""Torch-level pooling: max, average, adaptive and power-average pooling over 1 to 3 dims.

NOTE [separable pooling]
A pooling window is a box, and max, sum and mean over a box are the same as reducing one
spatial dim at a time. So each dim is handled by ``_window_reduce``: pad that dim (with
``-inf`` for max, zeros for sums), take one strided slice per kernel offset and combine the
slices elementwise (``maximum`` or ``add``). This needs ``sum(kernel)`` slices, not
``prod(kernel)``. ``stride=None`` (or an empty list, as ``torch.max_pool2d`` takes it) means
stride = kernel size. With ``ceil_mode`` the last window may hang over the right edge; the
output size follows torch (the last window must start inside the input or the left padding).
Average pooling divides each dim by its own per-position window count (a constant vector),
except with ``divisor_override``. Max pooling that returns indices records
``prims.max_pool_with_indices``; adaptive max pooling with indices likewise.
"""

import math

import torch
import torch.nn.functional as F

from thunder.core import dtypes, prims
from thunder.core.prims.convolution_pooling import pool_output_size
from thunder.core.proxies import TensorProxy
from thunder.torch.elementwise import div, mul, pow
from thunder.torch.registry import torchsymbol
from thunder.torch.utils import maybe_convert


def _params(value, n, name):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise RuntimeError(f"{name} must either be a single int, or a tuple of {n} ints")
    return value


def _check_input(name, input, spatial):
    if not isinstance(input, TensorProxy):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if input.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(f"{name}: Expected {spatial + 1}D or {spatial + 2}D input tensor, "
                           f"but got {list(input.shape)}")


def _lowest(dtype):
    if dtypes.is_inexact(dtype):
        return -math.inf
    if dtype is torch.bool:
        return False
    return torch.iinfo(dtype).min


def _slice_dim(a, dim, start, stop, step):
    starts = [0] * a.ndim
    stops = list(a.shape)
    steps = [1] * a.ndim
    starts[dim], stops[dim], steps[dim] = start, stop, step
    return prims.slice(a, tuple(starts), tuple(stops), tuple(steps))


def _window_reduce(a, dim, kernel, stride, padding, dilation, out, pad_value, combine):
    """Combine, for each of the ``out`` windows along ``dim``, the ``kernel`` elements."""
    needed = (out - 1) * stride + dilation * (kernel - 1) + 1
    high = max(needed - a.shape[dim] - padding, padding)
    if padding or high:
        config = [(0, 0, 0)] * a.ndim
        config[dim] = (padding, high, 0)
        a = prims.pad(a, pad_value, config)
    result = None
    for j in range(kernel):
        start = j * dilation
        part = _slice_dim(a, dim, start, start + (out - 1) * stride + 1, stride)
        result = part if result is None else combine(result, part)
    return result


def _pool_params(name, input, kernel_size, stride, padding, dilation, spatial):
    _check_input(name, input, spatial)
    kernel = _params(kernel_size, spatial, "kernel_size")
    stride = kernel if stride is None or (not isinstance(stride, int) and not stride) else (
        _params(stride, spatial, "stride"))
    padding = _params(padding, spatial, "padding")
    dilation = _params(dilation, spatial, "dilation")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"{name}: kernel_size must be greater than zero, but got "
                           f"{list(kernel)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{name}: stride must be greater than zero, but got {list(stride)}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"{name}: dilation must be greater than zero")
    for k, p, d in zip(kernel, padding, dilation):
        if p < 0 or p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"{name}: pad should be at most half of effective kernel size, "
                               f"but got pad={p}, kernel_size={k} and dilation={d}")
    return kernel, stride, padding, dilation


def _output_sizes(name, input, kernel, stride, padding, dilation, ceil_mode):
    spatial = len(kernel)
    sizes = []
    for i in range(spatial):
        size = input.shape[input.ndim - spatial + i]
        out = pool_output_size(size, kernel[i], stride[i], padding[i], dilation[i], ceil_mode)
        if out <= 0:
            raise RuntimeError(f"{name}: Given input size: {list(input.shape)}. Calculated "
                               f"output size is too small")
        sizes.append(out)
    return sizes


def _max_pool(name, spatial, input, kernel_size, stride, padding, dilation, ceil_mode,
              return_indices):
    kernel, stride, padding, dilation = _pool_params(name, input, kernel_size, stride, padding,
                                                     dilation, spatial)
    outs = _output_sizes(name, input, kernel, stride, padding, dilation, ceil_mode)
    if return_indices:
        return prims.max_pool_with_indices(input, kernel, stride, padding, dilation, ceil_mode)
    a = input
    for i in range(spatial):
        dim = input.ndim - spatial + i
        a = _window_reduce(a, dim, kernel[i], stride[i], padding[i], dilation[i], outs[i],
                           _lowest(a.dtype), prims.maximum)
    return a


@torchsymbol(F.max_pool1d, F.max_pool1d_with_indices, torch.max_pool1d)
def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """``F.max_pool1d``; ``stride=None`` means the kernel size.

    >>> import thunder, torch
    >>> thunder.jit(torch.nn.functional.max_pool1d)(torch.arange(6.).view(1, 1, 6), 2)
    tensor([[[1., 3., 5.]]])
    """
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


@torchsymbol(F.max_pool2d, F.max_pool2d_with_indices, torch.max_pool2d)
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


@torchsymbol(F.max_pool3d, F.max_pool3d_with_indices, torch.max_pool3d)
def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    return _max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def _window_counts(size, kernel, stride, padding, out, count_include_pad):
    """Per output position, how many window elements torch divides by along one dim."""
    counts = []
    for i in range(out):
        start = i * stride - padding
        end = min(start + kernel, size + padding)
        if not count_include_pad:
            start, end = max(start, 0), min(end, size)
        counts.append(end - start)
    return counts


def _avg_pool(name, spatial, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    kernel, stride, padding, _ = _pool_params(name, input, kernel_size, stride, padding, 1,
                                              spatial)
    dilation = (1,) * spatial
    outs = _output_sizes(name, input, kernel, stride, padding, dilation, ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    out_dtype = input.dtype
    a = input if dtypes.is_integer(out_dtype) else maybe_convert(
        input, torch.float32 if out_dtype in (torch.float16, torch.bfloat16) else out_dtype)
    divisor = 1
    for i in range(spatial):
        dim = input.ndim - spatial + i
        a = _window_reduce(a, dim, kernel[i], stride[i], padding[i], 1, outs[i], 0, prims.add)
        if divisor_override is None:
            counts = _window_counts(input.shape[dim], kernel[i], stride[i], padding[i], outs[i],
                                    count_include_pad)
            if len(set(counts)) == 1:
                divisor *= counts[0]
            else:
                count_tensor = prims.tensor_from_sequence(counts, dtype=a.dtype,
                                                          device=a.device)
                a = div(a, prims.broadcast_in_dim(count_tensor, a.shape, (dim,)))
    divisor = divisor_override if divisor_override is not None else divisor
    if dtypes.is_integer(out_dtype):
        quotient = prims.trunc(prims.div(maybe_convert(a, torch.float64), float(divisor)))
        return maybe_convert(quotient, out_dtype)
    if divisor != 1:
        a = div(a, divisor)
    return maybe_convert(a, out_dtype)


@torchsymbol(F.avg_pool1d, torch.avg_pool1d)
def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """``F.avg_pool1d``; ``stride=None`` means the kernel size."""
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)


@torchsymbol(F.avg_pool2d)
def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


@torchsymbol(F.avg_pool3d)
def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    return _avg_pool("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def _adaptive_output_size(name, input, output_size, spatial):
    _check_input(name, input, spatial)
    sizes = _params(output_size, spatial, "output_size")
    in_sizes = input.shape[input.ndim - spatial:]
    return tuple(in_sizes[i] if s is None else s for i, s in enumerate(sizes))


def _adaptive_reduce(a, dim, out, reduce):
    """Adaptive windows along ``dim``: window i is [floor(i*L/out), ceil((i+1)*L/out))."""
    size = a.shape[dim]
    if size % out == 0:
        k = size // out
        shape = a.shape[:dim] + (out, k) + a.shape[dim + 1:]
        return reduce(prims.reshape(a, shape), dim + 1)
    parts = []
    for i in range(out):
        start = (i * size) // out
        end = -((-(i + 1) * size) // out)
        part = reduce(_slice_dim(a, dim, start, end, 1), dim)
        parts.append(prims.broadcast_in_dim(
            part, part.shape[:dim] + (1,) + part.shape[dim:],
            tuple(d for d in range(part.ndim + 1) if d != dim)))
    return prims.cat(parts, dim)


def _mean_dim(a, dim):
    return div(prims.sum(a, (dim,)), a.shape[dim])


def _adaptive_avg_pool(name, spatial, input, output_size):
    sizes = _adaptive_output_size(name, input, output_size, spatial)
    out_dtype = input.dtype
    a = maybe_convert(input, torch.float32 if out_dtype in (torch.float16, torch.bfloat16)
                      else out_dtype)
    for i in range(spatial):
        a = _adaptive_reduce(a, input.ndim - spatial + i, sizes[i], _mean_dim)
    return maybe_convert(a, out_dtype)


@torchsymbol(F.adaptive_avg_pool1d, torch.adaptive_avg_pool1d)
def adaptive_avg_pool1d(input, output_size):
    return _adaptive_avg_pool("adaptive_avg_pool1d", 1, input, output_size)


@torchsymbol(F.adaptive_avg_pool2d)
def adaptive_avg_pool2d(input, output_size):
    return _adaptive_avg_pool("adaptive_avg_pool2d", 2, input, output_size)


@torchsymbol(F.adaptive_avg_pool3d)
def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg_pool("adaptive_avg_pool3d", 3, input, output_size)


def _adaptive_max_pool(name, spatial, input, output_size, return_indices):
    sizes = _adaptive_output_size(name, input, output_size, spatial)
    if return_indices:
        return prims.adaptive_max_pool_with_indices(input, sizes)
    a = input
    for i in range(spatial):
        a = _adaptive_reduce(a, input.ndim - spatial + i, sizes[i],
                             lambda t, d: prims.amax(t, (d,)))
    return a


@torchsymbol(F.adaptive_max_pool1d, F.adaptive_max_pool1d_with_indices)
def adaptive_max_pool1d(input, output_size, return_indices=False):
    return _adaptive_max_pool("adaptive_max_pool1d", 1, input, output_size, return_indices)


@torchsymbol(F.adaptive_max_pool2d, F.adaptive_max_pool2d_with_indices)
def adaptive_max_pool2d(input, output_size, return_indices=False):
    return _adaptive_max_pool("adaptive_max_pool2d", 2, input, output_size, return_indices)


@torchsymbol(F.adaptive_max_pool3d, F.adaptive_max_pool3d_with_indices)
def adaptive_max_pool3d(input, output_size, return_indices=False):
    return _adaptive_max_pool("adaptive_max_pool3d", 3, input, output_size, return_indices)


def _lp_pool(name, spatial, input, norm_type, kernel_size, stride, ceil_mode):
    kernel = _params(kernel_size, spatial, "kernel_size")
    avg = _avg_pool(name, spatial, pow(input, norm_type), kernel, stride, 0, ceil_mode, True,
                    None)
    return pow(mul(avg, math.prod(kernel)), 1.0 / norm_type)


@torchsymbol(F.lp_pool1d)
def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool("lp_pool1d", 1, input, norm_type, kernel_size, stride, ceil_mode)


@torchsymbol(F.lp_pool2d)
def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool("lp_pool2d", 2, input, norm_type, kernel_size, stride, ceil_mode)


@torchsymbol(F.lp_pool3d)
def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool("lp_pool3d", 3, input, norm_type, kernel_size, stride, ceil_mode)


__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d", "lp_pool1d",
           "lp_pool2d", "lp_pool3d"]
