"""Torch-level padding and resampling: ``F.pad`` (every mode), ``F.interpolate`` and the
``upsample`` family, ``F.one_hot``, ``pixel_shuffle``/``pixel_unshuffle``, ``F.unfold``/``F.fold``.

NOTE [static resampling indices]
Shapes are static in a trace, so the source indices and weights of ``interpolate`` are computed
in Python at trace time (with torch's float32 index arithmetic, so rounding matches eager) and
enter the trace as constants (``prims.tensor_from_sequence``). Every mode is separable: one
spatial dim at a time, a gather (``prims.take``) of the neighbours and a weighted sum.
Non-constant ``pad`` modes are built from slices, flips and ``cat``; ``fold`` places each
kernel offset with an interior-padded ``prims.pad`` and sums.
"""

import math

import torch
import torch.nn.functional as F

from thunder.core import dtypes, prims
from thunder.core.proxies import TensorProxy
from thunder.core.symbol import DataDependentShape
from thunder.torch.creation import arange
from thunder.torch.elementwise import add, eq, mul
from thunder.torch.pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d
from thunder.torch.registry import torchsymbol
from thunder.torch.utils import maybe_convert


def _slice_dim(a, dim, start, stop):
    starts = [0] * a.ndim
    stops = list(a.shape)
    starts[dim], stops[dim] = start, stop
    return prims.slice(a, tuple(starts), tuple(stops), (1,) * a.ndim)


def _check_tensor(name, a):
    if not isinstance(a, TensorProxy):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(a).__name__}")


def _pad_dim(a, dim, left, right, mode):
    size = a.shape[dim]
    if mode == "reflect":
        if left >= size or right >= size:
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({left}, {right}) at "
                               f"dimension {dim} of input {list(a.shape)}")
        parts = [prims.flip(_slice_dim(a, dim, 1, left + 1), (dim,)) if left else None, a,
                 prims.flip(_slice_dim(a, dim, size - 1 - right, size - 1), (dim,))
                 if right else None]
    elif mode == "replicate":
        if size == 0:
            raise RuntimeError(f"padding size is expected to be non-empty, got {list(a.shape)}")

        def edge(start, count):
            edge_slice = _slice_dim(a, dim, start, start + 1)
            shape = a.shape[:dim] + (count,) + a.shape[dim + 1:]
            return prims.broadcast_in_dim(edge_slice, shape, tuple(range(a.ndim)))

        parts = [edge(0, left) if left else None, a, edge(size - 1, right) if right else None]
    else:  # circular
        if left > size or right > size:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if left < 0 or right < 0:
            a = _slice_dim(a, dim, max(-left, 0), size - max(-right, 0))
            left, right = max(left, 0), max(right, 0)
            size = a.shape[dim]
        parts = [_slice_dim(a, dim, size - left, size) if left else None, a,
                 _slice_dim(a, dim, 0, right) if right else None]
    parts = [p for p in parts if p is not None]
    return parts[0] if len(parts) == 1 else prims.cat(parts, dim)


@torchsymbol(F.pad)
def pad(input, pad, mode="constant", value=None):
    """``F.pad``: ``pad`` lists (left, right) amounts from the last dim backwards.

    >>> import thunder, torch
    >>> thunder.jit(torch.nn.functional.pad)(torch.ones(2, 3), (1, 1), value=0.5).shape
    torch.Size([2, 5])
    """
    _check_tensor("pad", input)
    pad = tuple(pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Padding length must be divisible by 2 and at most twice the input "
                           f"rank, but got {len(pad)} for a {input.ndim}D input")
    n = len(pad) // 2
    if mode == "constant":
        config = [(0, 0, 0)] * input.ndim
        for i in range(n):
            config[input.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1], 0)
        fill = 0 if value is None else value
        if input.dtype is torch.bool:
            fill = bool(fill)
        elif dtypes.is_integer(input.dtype):
            fill = int(fill)
        return prims.pad(input, fill, tuple(config))
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if input.ndim - n not in (1, 2):
        raise NotImplementedError(f"Only 2D, 3D, 4D, 5D padding with non-constant padding are "
                                  f"supported for now")
    out = input
    for i in range(n):
        out = _pad_dim(out, input.ndim - 1 - i, pad[2 * i], pad[2 * i + 1], mode)
    return out


# -- interpolate ----------------------------------------------------------------------------

_MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _output_sizes(input, size, scale_factor, recompute_scale_factor, spatial):
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        sizes = (size,) * spatial if isinstance(size, int) else tuple(size)
        if len(sizes) != spatial:
            raise ValueError(f"Input and output must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(input.shape[2:])} and output size of {list(sizes)}.")
        return sizes, (None,) * spatial
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    scales = ((scale_factor,) * spatial if isinstance(scale_factor, (int, float))
              else tuple(scale_factor))
    if len(scales) != spatial:
        raise ValueError(f"Input and scale_factor must have the same number of spatial "
                         f"dimensions, but got input with spatial dimensions of "
                         f"{list(input.shape[2:])} and scale_factor of shape {list(scales)}.")
    sizes = tuple(math.floor(float(input.shape[2 + i]) * scales[i]) for i in range(spatial))
    if recompute_scale_factor:
        scales = (None,) * spatial
    return sizes, tuple(None if s is None else float(s) for s in scales)


def _scale(in_size, out_size, scale, align_corners, dtype):
    """torch's source-to-destination ratio for one dim, in the dtype torch computes it."""
    if align_corners:
        ratio = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
        return torch.tensor(ratio, dtype=dtype)
    if scale is not None and scale > 0:
        return torch.tensor(1.0, dtype=dtype) / torch.tensor(scale, dtype=dtype)
    return torch.tensor(in_size, dtype=dtype) / torch.tensor(out_size, dtype=dtype)


def _nearest_indices(in_size, out_size, scale, exact, dtype):
    ratio = _scale(in_size, out_size, scale, False, torch.float32)
    dst = torch.arange(out_size, dtype=torch.float32)
    src = torch.floor((dst + 0.5) * ratio) if exact else torch.floor(dst * ratio)
    return [[min(int(i), in_size - 1)] for i in src.tolist()], [[1.0]] * out_size


def _linear_taps(in_size, out_size, scale, align_corners, dtype):
    ratio = _scale(in_size, out_size, scale, align_corners, dtype)
    dst = torch.arange(out_size, dtype=dtype)
    src = dst * ratio if align_corners else torch.clamp((dst + 0.5) * ratio - 0.5, min=0)
    low = torch.floor(src).to(torch.int64).clamp(max=in_size - 1)
    lam = (src - low.to(dtype)).clamp(0, 1)
    high = torch.clamp(low + 1, max=in_size - 1)
    indices = torch.stack([low, high], -1).tolist()
    weights = torch.stack([1 - lam, lam], -1).tolist()
    return indices, weights


def _cubic_taps(in_size, out_size, scale, align_corners, dtype):
    ratio = _scale(in_size, out_size, scale, align_corners, dtype)
    dst = torch.arange(out_size, dtype=dtype)
    src = dst * ratio if align_corners else (dst + 0.5) * ratio - 0.5
    base = torch.floor(src)
    t = (src - base).to(torch.float64)
    a = -0.75

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    weights = torch.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], -1)
    base = base.to(torch.int64)
    indices = torch.stack([torch.clamp(base + k, 0, in_size - 1) for k in (-1, 0, 1, 2)], -1)
    return indices.tolist(), weights.tolist()


def _resample_dim(a, dim, indices, weights):
    """``out[i] = sum_k weights[i][k] * a[indices[i][k]]`` along ``dim``."""
    taps = len(indices[0])
    out = None
    for k in range(taps):
        index = prims.tensor_from_sequence([row[k] for row in indices], dtype=torch.int64,
                                           device=a.device)
        gathered = prims.take(a, index, dim)
        column = [row[k] for row in weights]
        if taps == 1:
            return gathered
        weight = prims.tensor_from_sequence(column, dtype=a.dtype, device=a.device)
        term = mul(gathered, prims.broadcast_in_dim(weight, gathered.shape, (dim,)))
        out = term if out is None else add(out, term)
    return out


@torchsymbol(F.interpolate)
def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """``F.interpolate`` for the nearest, nearest-exact, (bi/tri)linear, bicubic and area modes.

    >>> import thunder, torch
    >>> thunder.jit(torch.nn.functional.interpolate)(torch.ones(1, 1, 2), scale_factor=2).shape
    torch.Size([1, 1, 4])
    """
    _check_tensor("interpolate", input)
    spatial = input.ndim - 2
    if spatial < 1 or spatial > 3:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.ndim}D) for the modes: nearest | linear | "
                                  f"bilinear | bicubic | trilinear | area | nearest-exact "
                                  f"(got {mode})")
    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if mode in _MODE_DIMS and _MODE_DIMS[mode] != spatial:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_MODE_DIMS[mode] + 2}D input")
    if antialias:
        raise NotImplementedError("interpolate with antialias=True is not supported")
    sizes, scales = _output_sizes(input, size, scale_factor, recompute_scale_factor, spatial)
    if mode == "area":
        pool = (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[spatial - 1]
        return pool(input, sizes)
    align_corners = bool(align_corners)
    a = input
    if mode not in ("nearest", "nearest-exact"):
        a = maybe_convert(a, torch.float32 if a.dtype in (torch.float16, torch.bfloat16)
                          else a.dtype)
    # torch computes indices in float32 for nearest modes and in the accumulation dtype
    # (float64 for float64 input) for the interpolating ones
    dtype = torch.float64 if input.dtype is torch.float64 else torch.float32
    for i in range(spatial):
        in_size = input.shape[2 + i]
        if mode in ("nearest", "nearest-exact"):
            taps = _nearest_indices(in_size, sizes[i], scales[i], mode == "nearest-exact",
                                    dtype)
        elif mode == "bicubic":
            taps = _cubic_taps(in_size, sizes[i], scales[i], align_corners, dtype)
        elif mode in _MODE_DIMS:
            taps = _linear_taps(in_size, sizes[i], scales[i], align_corners, dtype)
        else:
            raise NotImplementedError(f"interpolate: unknown mode {mode!r}")
        a = _resample_dim(a, 2 + i, *taps)
    return maybe_convert(a, input.dtype)


@torchsymbol(F.upsample)
def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    return interpolate(input, size, scale_factor, mode, align_corners)


@torchsymbol(F.upsample_nearest)
def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


@torchsymbol(F.upsample_bilinear)
def upsample_bilinear(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# -- one_hot, pixel shuffle, unfold/fold ----------------------------------------------------


@torchsymbol(F.one_hot)
def one_hot(tensor, num_classes=-1):
    """``F.one_hot``; ``num_classes=-1`` (read from the data) is not supported."""
    _check_tensor("one_hot", tensor)
    if tensor.dtype is not torch.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        raise DataDependentShape("F.one_hot with num_classes=-1 infers the number of classes "
                                  "from the data (a data-dependent shape); pass num_classes")
    classes = arange(num_classes, device=tensor.device)
    expanded = prims.broadcast_in_dim(tensor, tensor.shape + (1,), tuple(range(tensor.ndim)))
    return prims.convert_element_type(eq(expanded, classes), torch.int64)


@torchsymbol(F.pixel_shuffle, torch.pixel_shuffle)
def pixel_shuffle(input, upscale_factor):
    _check_tensor("pixel_shuffle", input)
    r = upscale_factor
    if input.ndim < 3 or input.shape[-3] % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)="
                           f"{input.shape[-3] if input.ndim >= 3 else None} is not divisible "
                           f"by {r * r}")
    batch = input.shape[:-3]
    c, h, w = input.shape[-3:]
    nb = len(batch)
    a = prims.reshape(input, batch + (c // (r * r), r, r, h, w))
    perm = tuple(range(nb)) + tuple(nb + p for p in (0, 3, 1, 4, 2))
    a = prims.transpose(a, perm)
    return prims.reshape(a, batch + (c // (r * r), h * r, w * r))


@torchsymbol(F.pixel_unshuffle, torch.pixel_unshuffle)
def pixel_unshuffle(input, downscale_factor):
    _check_tensor("pixel_unshuffle", input)
    r = downscale_factor
    if input.ndim < 3 or input.shape[-1] % r or input.shape[-2] % r:
        raise RuntimeError(f"pixel_unshuffle expects height and width to be divisible by "
                           f"downscale_factor, but got {list(input.shape)} and {r}")
    batch = input.shape[:-3]
    c, h, w = input.shape[-3:]
    nb = len(batch)
    a = prims.reshape(input, batch + (c, h // r, r, w // r, r))
    perm = tuple(range(nb)) + tuple(nb + p for p in (0, 2, 4, 1, 3))
    a = prims.transpose(a, perm)
    return prims.reshape(a, batch + (c * r * r, h // r, w // r))


def _pair(value, name):
    if isinstance(value, int):
        return (value, value)
    value = tuple(value)
    if len(value) != 2:
        raise RuntimeError(f"{name} must be an int or a tuple of two ints")
    return value


@torchsymbol(F.unfold)
def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """``F.unfold`` (im2col) of a 3D or 4D input into (N, C * kh * kw, L)."""
    _check_tensor("unfold", input)
    if input.ndim not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported "
                                  f"(got {input.ndim}D)")
    batched = input.ndim == 4
    a = input if batched else prims.reshape(input, (1,) + input.shape)
    k, d, p, s = (_pair(kernel_size, "kernel_size"), _pair(dilation, "dilation"),
                  _pair(padding, "padding"), _pair(stride, "stride"))
    n, c, h, w = a.shape
    outs = [(a.shape[2 + i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2)]
    if outs[0] <= 0 or outs[1] <= 0:
        raise RuntimeError(f"Given input with spatial size ({h}, {w}), kernel_size={k}, "
                           f"dilation={d}, padding={p}, calculated shape of the array of "
                           f"sliding blocks as ({outs[0]}, {outs[1]}), but its components "
                           f"must be at least one.")
    a = prims.pad(a, 0, ((0, 0, 0), (0, 0, 0), (p[0], p[0], 0), (p[1], p[1], 0)))
    blocks = []
    for i in range(k[0]):
        for j in range(k[1]):
            start = (0, 0, i * d[0], j * d[1])
            stop = (n, c, start[2] + (outs[0] - 1) * s[0] + 1, start[3] + (outs[1] - 1) * s[1] + 1)
            block = prims.slice(a, start, stop, (1, 1, s[0], s[1]))
            blocks.append(prims.reshape(block, (n, c, 1, outs[0] * outs[1])))
    out = prims.reshape(prims.cat(blocks, 2), (n, c * k[0] * k[1], outs[0] * outs[1]))
    return out if batched else prims.reshape(out, out.shape[1:])


@torchsymbol(F.fold)
def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """``F.fold`` (col2im): the sum of the sliding blocks placed back into the image."""
    _check_tensor("fold", input)
    if input.ndim not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input "
                                  f"Tensors are supported (got {input.ndim}D)")
    batched = input.ndim == 3
    a = input if batched else prims.reshape(input, (1,) + input.shape)
    size, k, d, p, s = (_pair(output_size, "output_size"), _pair(kernel_size, "kernel_size"),
                        _pair(dilation, "dilation"), _pair(padding, "padding"),
                        _pair(stride, "stride"))
    n, ckk, length = a.shape
    if ckk % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={ckk} and "
                           f"kernel_size={k}")
    c = ckk // (k[0] * k[1])
    outs = [(size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2)]
    if outs[0] * outs[1] != length:
        raise RuntimeError(f"Given output_size={size}, kernel_size={k}, dilation={d}, "
                           f"padding={p}, stride={s}, expected size of input's dimension 2 to "
                           f"match the calculated number of sliding blocks {outs[0]} * "
                           f"{outs[1]} = {outs[0] * outs[1]}, but got input.size(2)={length}.")
    a = prims.reshape(a, (n, c, k[0] * k[1], outs[0], outs[1]))
    padded = (size[0] + 2 * p[0], size[1] + 2 * p[1])
    total = None
    for i in range(k[0]):
        for j in range(k[1]):
            block = prims.squeeze(_slice_dim(a, 2, i * k[1] + j, i * k[1] + j + 1), (2,))
            config = [(0, 0, 0), (0, 0, 0)]
            for axis, offset in ((0, i * d[0]), (1, j * d[1])):
                extent = (outs[axis] - 1) * s[axis] + 1
                config.append((offset, padded[axis] - offset - extent, s[axis] - 1))
            placed = prims.pad(block, 0, tuple(config))
            total = placed if total is None else prims.add(total, placed)
    out = prims.slice(total, (0, 0, p[0], p[1]), (n, c, p[0] + size[0], p[1] + size[1]),
                      (1, 1, 1, 1))
    return out if batched else prims.reshape(out, out.shape[1:])


__all__ = ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear",
           "one_hot", "pixel_shuffle", "pixel_unshuffle", "unfold", "fold"]
