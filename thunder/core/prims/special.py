"""Special-function, scan and search primitives that have no stable decomposition.

Elementwise ones follow the rules of ``elementwise.py``: same-shape, same-dtype tensor operands
(Python numbers allowed), no broadcasting or promotion; ``complex`` turns two real tensors into
one complex tensor. ``cummax``/``cummin`` scan one canonical dim and return (values, int64
indices); ``searchsorted`` finds insertion points of ``values`` in the last dim of
``sorted_sequence``; ``logcumsumexp`` is the stable log of a cumulative sum of exponentials.
"""

import torch

from thunder.core import dtypes
from thunder.core.prims.definition import check, make_prim
from thunder.core.prims.ids import PrimIDs
from thunder.core.proxies import TensorProxy


def _elementwise_meta(name, operands, dtype=None):
    tensors = [a for a in operands if isinstance(a, TensorProxy)]
    check(tensors, lambda: f"prims.{name} needs at least one tensor operand")
    first = tensors[0]
    for t in tensors[1:]:
        check(t.shape == first.shape and t.dtype == first.dtype and t.device == first.device,
              lambda: f"prims.{name}: operands differ: {first.type_string()} and "
                      f"{t.type_string()}")
    dtype = first.dtype if dtype is None else dtype
    requires_grad = any(t.requires_grad for t in tensors) and dtypes.is_inexact(dtype)
    return TensorProxy(shape=first.shape, dtype=dtype, device=first.device,
                       requires_grad=requires_grad)


def _make_elementwise(prim_id, torch_impl):
    name = prim_id.name.lower()

    def meta(*operands):
        return _elementwise_meta(name, operands)

    meta.__name__ = f"{name}_meta"
    return make_prim(prim_id, meta, torch_impl=torch_impl)


i0 = _make_elementwise(PrimIDs.I0, torch.special.i0)
i0e = _make_elementwise(PrimIDs.I0E, torch.special.i0e)
i1 = _make_elementwise(PrimIDs.I1, torch.special.i1)
i1e = _make_elementwise(PrimIDs.I1E, torch.special.i1e)
ndtri = _make_elementwise(PrimIDs.NDTRI, torch.special.ndtri)
erfcx = _make_elementwise(PrimIDs.ERFCX, torch.special.erfcx)
log_ndtr = _make_elementwise(PrimIDs.LOG_NDTR, torch.special.log_ndtr)
bessel_j0 = _make_elementwise(PrimIDs.BESSEL_J0, torch.special.bessel_j0)
bessel_j1 = _make_elementwise(PrimIDs.BESSEL_J1, torch.special.bessel_j1)
spherical_bessel_j0 = _make_elementwise(PrimIDs.SPHERICAL_BESSEL_J0,
                                        torch.special.spherical_bessel_j0)
zeta = _make_elementwise(PrimIDs.ZETA, torch.special.zeta)
gcd = _make_elementwise(PrimIDs.GCD, torch.gcd)
lcm = _make_elementwise(PrimIDs.LCM, torch.lcm)


def _polygamma_meta(n, a):
    check(isinstance(n, int) and n >= 0, lambda: f"prims.polygamma: bad order {n!r}")
    return TensorProxy.like(a)


polygamma = make_prim(PrimIDs.POLYGAMMA, _polygamma_meta, torch_impl=torch.special.polygamma)


def _complex_meta(real, imag):
    out = _elementwise_meta("complex", (real, imag))
    return TensorProxy.like(out, dtype=dtypes.real_to_complex(real.dtype))


complex = make_prim(PrimIDs.COMPLEX, _complex_meta, torch_impl=torch.complex)


def _cumulative_extremum_meta(a, dim):
    return TensorProxy.like(a), TensorProxy(shape=a.shape, dtype=torch.int64, device=a.device)


def _cummax_impl(a, dim):
    return tuple(torch.cummax(a, dim))


def _cummin_impl(a, dim):
    return tuple(torch.cummin(a, dim))


cummax = make_prim(PrimIDs.CUMMAX, _cumulative_extremum_meta, torch_impl=_cummax_impl)
cummin = make_prim(PrimIDs.CUMMIN, _cumulative_extremum_meta, torch_impl=_cummin_impl)


def _logcumsumexp_meta(a, dim):
    return TensorProxy.like(a)


logcumsumexp = make_prim(PrimIDs.LOGCUMSUMEXP, _logcumsumexp_meta,
                         torch_impl=torch.logcumsumexp)


def _searchsorted_meta(sorted_sequence, values, right, out_int32):
    dtype = torch.int32 if out_int32 else torch.int64
    return TensorProxy(shape=values.shape, dtype=dtype, device=values.device)


def _searchsorted_impl(sorted_sequence, values, right, out_int32):
    return torch.searchsorted(sorted_sequence, values, right=right, out_int32=out_int32)


searchsorted = make_prim(PrimIDs.SEARCHSORTED, _searchsorted_meta,
                         torch_impl=_searchsorted_impl)
