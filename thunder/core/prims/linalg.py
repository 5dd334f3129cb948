"""Matrix multiplication, sorting and the indexing primitives (take, gather, scatter, index_put).

``matmul`` follows ``torch.matmul``'s rules for 1-d and batched operands; the others take a
canonical (non-negative) ``dim``.
"""

import torch

from thunder.core import dtypes
from thunder.core.prims.definition import check, make_prim
from thunder.core.prims.ids import PrimIDs
from thunder.core.proxies import TensorProxy


def _broadcast_shapes(a, b):
    out = []
    for x, y in zip((1,) * (len(b) - len(a)) + tuple(a), (1,) * (len(a) - len(b)) + tuple(b)):
        check(x == y or x == 1 or y == 1, lambda: f"cannot broadcast batch dims {a} and {b}")
        out.append(max(x, y) if min(x, y) != 0 else 0)
    return tuple(out)


def _matmul_meta(a, b):
    check(a.dtype == b.dtype, lambda: f"prims.matmul: dtypes differ: {a.dtype} and {b.dtype}")
    check(a.ndim >= 1 and b.ndim >= 1, "prims.matmul: operands must have at least 1 dim")
    check(a.device == b.device, lambda: f"prims.matmul: devices {a.device} and {b.device}")
    if a.ndim == 1 and b.ndim == 1:
        check(a.shape == b.shape, lambda: f"prims.matmul: shapes {a.shape} and {b.shape}")
        shape = ()
    else:
        a_shape = (1,) + a.shape if a.ndim == 1 else a.shape
        b_shape = b.shape + (1,) if b.ndim == 1 else b.shape
        check(a_shape[-1] == b_shape[-2],
              lambda: f"prims.matmul: shapes {a.shape} and {b.shape} cannot be multiplied")
        batch = _broadcast_shapes(a_shape[:-2], b_shape[:-2])
        shape = batch + (a_shape[-2], b_shape[-1])
        if a.ndim == 1:
            shape = shape[:-2] + shape[-1:]
        if b.ndim == 1:
            shape = shape[:-1]
    return TensorProxy(shape=shape, dtype=a.dtype, device=a.device,
                       requires_grad=a.requires_grad or b.requires_grad)


matmul = make_prim(PrimIDs.MATMUL, _matmul_meta, torch_impl=torch.matmul)


def _take_meta(a, index, dim):
    check(dtypes.is_integer(index.dtype), "prims.take: index must be an integer tensor")
    shape = a.shape[:dim] + index.shape + a.shape[dim + 1:]
    return TensorProxy.like(a, shape=shape)


def _take_impl(a, index, dim):
    flat = torch.index_select(a, dim, index.reshape(-1))
    return flat.reshape(a.shape[:dim] + index.shape + a.shape[dim + 1:])


take = make_prim(PrimIDs.TAKE, _take_meta, torch_impl=_take_impl)


def _take_along_axis_meta(a, index, dim):
    return TensorProxy.like(a, shape=index.shape)


def _take_along_axis_impl(a, index, dim):
    return torch.gather(a, dim, index)


take_along_axis = make_prim(PrimIDs.TAKE_ALONG_AXIS, _take_along_axis_meta,
                            torch_impl=_take_along_axis_impl)


def _scatter_like_meta(a, index, src, dim):
    return TensorProxy.like(a, requires_grad=a.requires_grad or getattr(src, "requires_grad", False))


scatter_add = make_prim(PrimIDs.SCATTER_ADD, _scatter_like_meta,
                        torch_impl=lambda a, index, src, dim: torch.scatter_add(a, dim, index, src))
scatter = make_prim(PrimIDs.SCATTER, _scatter_like_meta,
                    torch_impl=lambda a, index, src, dim: torch.scatter(a, dim, index, src))
index_add = make_prim(PrimIDs.INDEX_ADD, _scatter_like_meta,
                      torch_impl=lambda a, index, src, dim: torch.index_add(a, dim, index, src))


def _index_put_meta(a, indices, values, accumulate):
    return TensorProxy.like(a, requires_grad=a.requires_grad or values.requires_grad)


def _index_put_impl(a, indices, values, accumulate):
    return torch.index_put(a, tuple(indices), values, accumulate)


index_put = make_prim(PrimIDs.INDEX_PUT, _index_put_meta, torch_impl=_index_put_impl)


def _sort_meta(a, dim, descending, stable):
    return (TensorProxy.like(a), TensorProxy(shape=a.shape, dtype=torch.int64, device=a.device))


def _sort_impl(a, dim, descending, stable):
    return tuple(torch.sort(a, dim=dim, descending=descending, stable=stable))


sort = make_prim(PrimIDs.SORT, _sort_meta, torch_impl=_sort_impl)


def _topk_meta(a, k, dim, largest, sorted):
    shape = a.shape[:dim] + (k,) + a.shape[dim + 1:]
    return (TensorProxy.like(a, shape=shape),
            TensorProxy(shape=shape, dtype=torch.int64, device=a.device))


def _topk_impl(a, k, dim, largest, sorted):
    return tuple(torch.topk(a, k, dim=dim, largest=largest, sorted=sorted))


topk = make_prim(PrimIDs.TOPK, _topk_meta, torch_impl=_topk_impl)
