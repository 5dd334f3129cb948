"""Reduction primitives over a tuple of (canonical, non-negative) dims, without keepdim.

``sum``/``prod``/``amax``/``amin``/``var`` keep the input dtype (torch-level operators choose the
accumulation dtype and convert), ``argmax``/``argmin`` give int64, ``any``/``all`` give bool.
``cumsum``/``cumprod`` scan one dim and keep the shape.
"""

import torch

from thunder.core.prims.definition import check, make_prim
from thunder.core.prims.ids import PrimIDs
from thunder.core.proxies import TensorProxy


def _reduced_shape(a, dims):
    for d in dims:
        check(0 <= d < max(a.ndim, 1), lambda: f"reduction dim {d} out of range for {a.shape}")
    return tuple(s for i, s in enumerate(a.shape) if i not in dims)


def _reduction_meta(a, dims, *, correction=None):
    return TensorProxy.like(a, shape=_reduced_shape(a, dims))


def _index_reduction_meta(a, dim):
    shape = _reduced_shape(a, () if dim is None else (dim,)) if dim is not None else ()
    return TensorProxy(shape=shape, dtype=torch.int64, device=a.device)


def _bool_reduction_meta(a, dims):
    return TensorProxy(shape=_reduced_shape(a, dims), dtype=torch.bool, device=a.device)


def _scan_meta(a, dim):
    return TensorProxy.like(a)


def _dims_impl(torch_fn):
    def impl(a, dims, **kwargs):
        if not dims:
            return a.clone()
        return torch_fn(a, dims, **kwargs)

    return impl


def _var_impl(a, dims, *, correction):
    return torch.var(a, dims, correction=correction) if dims else torch.zeros_like(a)


def _prod_impl(a, dims):
    for d in sorted(dims, reverse=True):
        a = torch.prod(a, d)
    return a


def _bool_impl(torch_fn):
    def impl(a, dims):
        return torch_fn(a, dim=dims) if dims else a.to(torch.bool)

    return impl


sum = make_prim(PrimIDs.SUM, _reduction_meta, torch_impl=_dims_impl(torch.sum))
prod = make_prim(PrimIDs.PROD, _reduction_meta, torch_impl=_prod_impl)
amax = make_prim(PrimIDs.AMAX, _reduction_meta, torch_impl=_dims_impl(torch.amax))
amin = make_prim(PrimIDs.AMIN, _reduction_meta, torch_impl=_dims_impl(torch.amin))
var = make_prim(PrimIDs.VAR, _reduction_meta, torch_impl=_var_impl)
argmax = make_prim(PrimIDs.ARGMAX, _index_reduction_meta, torch_impl=torch.argmax)
argmin = make_prim(PrimIDs.ARGMIN, _index_reduction_meta, torch_impl=torch.argmin)
any = make_prim(PrimIDs.ANY, _bool_reduction_meta, torch_impl=_bool_impl(torch.any))
all = make_prim(PrimIDs.ALL, _bool_reduction_meta, torch_impl=_bool_impl(torch.all))
cumsum = make_prim(PrimIDs.CUMSUM, _scan_meta, torch_impl=torch.cumsum)
cumprod = make_prim(PrimIDs.CUMPROD, _scan_meta, torch_impl=torch.cumprod)
