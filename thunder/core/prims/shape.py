"""Shape primitives: broadcast_in_dim, reshape, transpose (permute), slice, squeeze, cat, pad, flip.

All views and reshapes of torch decompose into these. Dimensions are always non-negative and
already canonicalized by the torch-level operators.
"""

import torch

from thunder.core.prims.definition import check, make_prim
from thunder.core.prims.ids import PrimIDs
from thunder.core.proxies import TensorProxy


def _broadcast_in_dim_meta(a, shape, broadcast_dimensions):
    check(len(broadcast_dimensions) == a.ndim,
          lambda: f"prims.broadcast_in_dim: {a.ndim} dims but {broadcast_dimensions}")
    for src, dst in enumerate(broadcast_dimensions):
        check(a.shape[src] in (1, shape[dst]),
              lambda: f"prims.broadcast_in_dim: cannot broadcast {a.shape} to {shape}")
    return TensorProxy.like(a, shape=shape)


def _broadcast_in_dim_impl(a, shape, broadcast_dimensions):
    view_shape = [1] * len(shape)
    for src, dst in enumerate(broadcast_dimensions):
        view_shape[dst] = a.shape[src]
    return a.reshape(view_shape).expand(shape)


broadcast_in_dim = make_prim(PrimIDs.BROADCAST_IN_DIM, _broadcast_in_dim_meta,
                             torch_impl=_broadcast_in_dim_impl)


def _reshape_meta(a, shape):
    numel = 1
    for s in shape:
        check(s >= 0, lambda: f"prims.reshape: negative size in {shape}")
        numel *= s
    check(numel == a.numel(), lambda: f"prims.reshape: cannot reshape {a.shape} to {shape}")
    return TensorProxy.like(a, shape=shape)


reshape = make_prim(PrimIDs.RESHAPE, _reshape_meta, torch_impl=torch.reshape)


def _transpose_meta(a, permutation):
    check(sorted(permutation) == list(range(a.ndim)),
          lambda: f"prims.transpose: {permutation} is not a permutation of {a.ndim} dims")
    return TensorProxy.like(a, shape=tuple(a.shape[p] for p in permutation))


transpose = make_prim(PrimIDs.TRANSPOSE, _transpose_meta, torch_impl=torch.permute)


def _slice_meta(a, start_indices, end_indices, strides=None):
    strides = strides or (1,) * a.ndim
    shape = []
    for size, start, end, step in zip(a.shape, start_indices, end_indices, strides):
        check(0 <= start <= end <= size and step >= 1,
              lambda: f"prims.slice: bad bounds {start}:{end}:{step} for size {size}")
        shape.append((end - start + step - 1) // step)
    return TensorProxy.like(a, shape=tuple(shape))


def _slice_impl(a, start_indices, end_indices, strides=None):
    strides = strides or (1,) * a.ndim
    index = tuple(slice(s, e, st) for s, e, st in zip(start_indices, end_indices, strides))
    return a[index]


slice_prim = make_prim(PrimIDs.SLICE, _slice_meta, torch_impl=_slice_impl, name="slice")


def _squeeze_meta(a, dims):
    for d in dims:
        check(a.shape[d] == 1, lambda: f"prims.squeeze: dim {d} of {a.shape} is not 1")
    return TensorProxy.like(a, shape=tuple(s for i, s in enumerate(a.shape) if i not in dims))


squeeze = make_prim(PrimIDs.SQUEEZE, _squeeze_meta, torch_impl=torch.squeeze)


def _cat_meta(tensors, dim):
    check(len(tensors) > 0, "prims.cat needs at least one tensor")
    first = tensors[0]
    total = 0
    for t in tensors:
        check(t.ndim == first.ndim and t.dtype == first.dtype and t.device == first.device,
              lambda: "prims.cat: tensors differ in rank, dtype or device")
        for i, (x, y) in enumerate(zip(t.shape, first.shape)):
            check(i == dim or x == y, lambda: f"prims.cat: shapes {t.shape} and {first.shape}")
        total += t.shape[dim]
    shape = list(first.shape)
    shape[dim] = total
    return TensorProxy(shape=shape, dtype=first.dtype, device=first.device,
                       requires_grad=any(t.requires_grad for t in tensors))


cat = make_prim(PrimIDs.CAT, _cat_meta, torch_impl=torch.cat)


def _pad_meta(a, padding_value, padding_config):
    """padding_config: per dim (low, high, interior), like XLA's pad."""
    shape = []
    for size, (lo, hi, interior) in zip(a.shape, padding_config):
        inner = size + max(size - 1, 0) * interior
        shape.append(max(lo + hi + inner, 0))
    return TensorProxy.like(a, shape=tuple(shape))


def _pad_impl(a, padding_value, padding_config):
    out_shape = _pad_shape(a.shape, padding_config)
    out = torch.full(out_shape, padding_value, dtype=a.dtype, device=a.device)
    dst, src = [], []
    for size, (lo, hi, interior) in zip(a.shape, padding_config):
        step = interior + 1
        start = lo
        stop = lo + (size - 1) * step + 1 if size else lo
        # negative low/high padding crops the input
        first = 0
        if start < 0:
            first = (-start + step - 1) // step
            start += first * step
        dst.append(slice(start, max(stop, start), step))
        src.append(slice(first, size))
    region = out[tuple(dst)]
    source = a[tuple(src)]
    n = tuple(min(r, s) for r, s in zip(region.shape, source.shape))
    region[tuple(slice(0, k) for k in n)] = source[tuple(slice(0, k) for k in n)]
    return out


def _pad_shape(shape, padding_config):
    return tuple(max(lo + hi + size + max(size - 1, 0) * interior, 0)
                 for size, (lo, hi, interior) in zip(shape, padding_config))


pad = make_prim(PrimIDs.PAD, _pad_meta, torch_impl=_pad_impl)


def _flip_meta(a, dims):
    return TensorProxy.like(a)


flip = make_prim(PrimIDs.FLIP, _flip_meta, torch_impl=torch.flip)
