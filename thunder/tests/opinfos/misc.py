"""Operator records for ``thunder/torch/misc.py``: sorting and scans, matrix helpers,
distances, complex construction, tolerant comparisons and elementwise compositions."""

import torch
import torch.nn.functional as F

from thunder.tests.opinfos import OpInfo, SampleInput, make, op_db

_F = (torch.float32, torch.float64)
_FB = _F + (torch.bfloat16,)
_FI = _F + (torch.int64,)
_TOL = {torch.float32: (1e-4, 1e-4), torch.bfloat16: (3e-2, 3e-2)}
NAN, INF = float("nan"), float("inf")


def _t(d, *shape, **kwargs):
    return make(shape, d, **kwargs)


def _record(name, op, samples, dtypes=_F, grad=True, covers=(), methods=()):
    def sample_inputs(dtype, requires_grad):
        for args, kwargs in samples(dtype):
            yield SampleInput(args, kwargs)

    sample_inputs.__module__ = __name__
    covers = (covers or (op,)) + tuple(getattr(torch.Tensor, m) for m in methods)
    op_db.append(OpInfo(name, op, sample_inputs, dtypes=dtypes, supports_grad=grad,
                        tolerances=_TOL, covers=covers))


def _distinct(d, *shape):
    n = 1
    for s in shape:
        n *= s
    return torch.randperm(n).reshape(shape).to(d)


# sorting and scans (distinct values so that indices are unique)
_record("torch.sort", torch.sort, lambda d: [
    ((_distinct(d, 3, 5),), {}), ((_distinct(d, 3, 5),), dict(dim=0, descending=True)),
    ((_distinct(d, 4),), dict(stable=True))], _FB + (torch.int64,), methods=("sort",))
_record("torch.argsort", torch.argsort, lambda d: [
    ((_distinct(d, 3, 5),), {}), ((_distinct(d, 3, 5),), dict(dim=0, descending=True))],
    _FI, grad=False, methods=("argsort",))
_record("torch.msort", torch.msort, lambda d: [((_t(d, 4, 3),), {})], _FI, methods=("msort",))
_record("torch.topk", torch.topk, lambda d: [
    ((_distinct(d, 3, 6), 2), {}), ((_distinct(d, 3, 6), 3, 0, False), {}),
    ((_distinct(d, 6), 6), dict(sorted=True))], _FB + (torch.int64,), methods=("topk",))
_record("torch.kthvalue", torch.kthvalue, lambda d: [
    ((_distinct(d, 3, 6), 2), {}), ((_distinct(d, 3, 6), 1, 0, True), {})], _FI,
    methods=("kthvalue",))
_record("torch.cummax", torch.cummax, lambda d: [
    ((_distinct(d, 3, 6), 1), {}), ((_distinct(d, 3, 6), 0), {})], _FI, methods=("cummax",))
_record("torch.cummin", torch.cummin, lambda d: [((_distinct(d, 3, 6), -1), {})], _FI,
        methods=("cummin",))
_record("torch.logcumsumexp", torch.logcumsumexp, lambda d: [
    ((_t(d, 3, 6), 1), {}), ((_t(d, 3, 6) * 1e3, 0), {})], _F, methods=("logcumsumexp",))
_record("torch.searchsorted", torch.searchsorted, lambda d: [
    ((torch.sort(_t(d, 3, 6)).values, _t(d, 3, 4)), {}),
    ((torch.arange(6).to(d), torch.tensor([1, 3, 5]).to(d)), dict(right=True)),
    ((torch.arange(6).to(d), torch.tensor([2]).to(d)), dict(side="right", out_int32=True))],
    _FI, grad=False)
_record("torch.bucketize", torch.bucketize, lambda d: [
    ((_t(d, 3, 4), torch.arange(-3, 4).to(d)), {}),
    ((_t(d, 5), torch.arange(-3, 4).to(d)), dict(right=True))], _FI, grad=False)

# matrix helpers
_ANY = _FB + (torch.int64, torch.complex64)
_record("torch.diag", torch.diag, lambda d: [
    ((_t(d, 3, 4),), {}), ((_t(d, 3, 4), 1), {}), ((_t(d, 4),), {}), ((_t(d, 3), -2), {})],
    _ANY, methods=("diag",))
_record("torch.diag_embed", torch.diag_embed, lambda d: [
    ((_t(d, 2, 3),), {}), ((_t(d, 2, 3), 1, 0, 2), {}), ((_t(d, 3), -1), {})], _ANY,
    methods=("diag_embed",))
_record("torch.trace", torch.trace, lambda d: [((_t(d, 3, 4),), {})], _FI,
        methods=("trace",))
_record("torch.cross", torch.cross, lambda d: [
    ((_t(d, 4, 3), _t(d, 4, 3)), dict(dim=1)), ((_t(d, 3, 2), _t(d, 3, 1)), dict(dim=0))],
    _FI, methods=("cross",))
_record("torch.linalg.cross", torch.linalg.cross, lambda d: [
    ((_t(d, 4, 3), _t(d, 1, 3)), {}), ((_t(d, 3, 2), _t(d, 3, 2)), dict(dim=0))], _FI)
_record("torch.kron", torch.kron, lambda d: [
    ((_t(d, 2, 3), _t(d, 3, 2)), {}), ((_t(d, 2), _t(d, 3, 2)), {})], _FI,
    methods=("kron",))

# distances
_record("torch.cdist", torch.cdist, lambda d: [
    ((_t(d, 2, 4, 3), _t(d, 2, 5, 3)), {}), ((_t(d, 4, 3), _t(d, 5, 3)), dict(p=1.0)),
    ((_t(d, 4, 3), _t(d, 5, 3)), dict(p=float("inf")))])
_record("F.pairwise_distance", F.pairwise_distance, lambda d: [
    ((_t(d, 4, 3), _t(d, 4, 3)), {}), ((_t(d, 4, 3), _t(d, 3)), dict(p=1.0, keepdim=True))],
    covers=(F.pairwise_distance, torch.pairwise_distance))
_record("F.cosine_similarity", F.cosine_similarity, lambda d: [
    ((_t(d, 4, 3), _t(d, 4, 3)), {}), ((_t(d, 4, 3), _t(d, 1, 3)), dict(dim=0))], _FB,
    covers=(F.cosine_similarity, torch.cosine_similarity))
_record("torch.dist", torch.dist, lambda d: [
    ((_t(d, 4, 3), _t(d, 4, 3)), {}), ((_t(d, 4, 3), _t(d, 3), 1), {})], methods=("dist",))

# complex numbers
_record("torch.complex", torch.complex, lambda d: [((_t(d, 3, 4), _t(d, 3, 4)), {})])
_record("torch.polar", torch.polar, lambda d: [((_t(d, 3, 4, low=0), _t(d, 3, 4)), {})])
_record("torch.view_as_real", torch.view_as_real, lambda d: [((_t(d, 3, 4),), {})],
        (torch.complex64,), grad=False)
_record("torch.view_as_complex", torch.view_as_complex, lambda d: [((_t(d, 3, 2),), {})],
        grad=False)
_record("torch.sgn", torch.sgn, lambda d: [
    ((_t(d, 3, 4),), {}), ((torch.tensor([0, 1 + 1j, -2j], dtype=d),), {})],
    (torch.complex64,), methods=("sgn",), grad=False)

# tolerant comparisons


def _isclose_samples(d):
    a = torch.tensor([1.0, NAN, INF, -INF, 1.0, 0.0], dtype=d)
    b = torch.tensor([1.0 + 1e-6, NAN, INF, INF, 1.1, 1e-9], dtype=d)
    return [((a, b), {}), ((a, b), dict(equal_nan=True)), ((a, b), dict(rtol=0.2, atol=0)),
            ((_t(d, 3, 4), _t(d, 3, 4)), dict(atol=1.0))]


_record("torch.isclose", torch.isclose, _isclose_samples, _F, grad=False,
        methods=("isclose",))


def _bool_comparison_samples(d):
    a = _t(d, 3, 4)
    return [((a, a.clone()), {}), ((a, a + 1), {}), ((a, a + 1e-6), {}),
            ((a, a + 0.5), dict(atol=1.0)), ((a, a[:1]), {})]


# the real/imag properties
_record("Tensor.real", lambda x: x.real, lambda d: [((_t(d, 3, 4),), {})],
        (torch.complex64, torch.float32), grad=False, covers=(torch.real,), methods=("real",))
_record("Tensor.imag", lambda x: x.imag, lambda d: [((_t(d, 3, 4),), {})],
        (torch.complex64,), grad=False, covers=(torch.imag,), methods=("imag",))

# data-dependent Python bools: NOTE [data-dependent values]
_record("torch.allclose", torch.allclose, lambda d: _bool_comparison_samples(d)[:4], _F,
        grad=False, methods=("allclose",))
_record("torch.equal", torch.equal, lambda d: [
    (args, {}) for args, kwargs in _bool_comparison_samples(d) if not kwargs], _FI,
    grad=False, methods=("equal",))

# elementwise compositions
_SPECIALS = lambda d: torch.tensor([1.0, NAN, INF, -INF, -2.5, 0.0], dtype=d)  # noqa: E731
_record("torch.nan_to_num", torch.nan_to_num, lambda d: [
    ((_SPECIALS(d),), {}), ((_SPECIALS(d), 1.0, 2.0, -3.0), {}), ((_t(d, 3, 4),), {})],
    _FB, methods=("nan_to_num",))
_record("torch.logaddexp", torch.logaddexp, lambda d: [
    ((_t(d, 3, 4), _t(d, 4)), {}), ((_SPECIALS(d), _SPECIALS(d)), {}),
    ((_t(d, 3) * 1e4, _t(d, 3) * 1e4), {})], _FB, methods=("logaddexp",))
_record("torch.logaddexp2", torch.logaddexp2, lambda d: [
    ((_t(d, 3, 4), _t(d, 4)), {}), ((_SPECIALS(d), _SPECIALS(d)), {})], _FB,
    methods=("logaddexp2",))
_record("torch.xlogy", torch.xlogy, lambda d: [
    ((_t(d, 3, 4), _t(d, 3, 4, low=0)), {}),
    ((torch.tensor([0.0, 0.0, 2.0], dtype=d), torch.tensor([0.0, NAN, 3.0], dtype=d)), {})],
    _F, methods=("xlogy",))
_record("torch.sinc", torch.sinc, lambda d: [((torch.tensor([0.0, 0.5, -1.2, 3.0], dtype=d),),
                                              {}), ((_t(d, 3, 4),), {})], _FB + (torch.int64,),
        methods=("sinc",))
_record("torch.deg2rad", torch.deg2rad, lambda d: [((_t(d, 3, 4),), {})], _FB + (torch.int64,),
        methods=("deg2rad",))
_record("torch.rad2deg", torch.rad2deg, lambda d: [((_t(d, 3, 4),), {})], _FB + (torch.int64,),
        methods=("rad2deg",))
_record("torch.frac", torch.frac, lambda d: [((_t(d, 3, 4) * 3,), {})], _FB,
        methods=("frac",))
_record("torch.heaviside", torch.heaviside, lambda d: [
    ((torch.tensor([-1, 0, 2]).to(d), torch.tensor([5]).to(d)), {}),
    ((_t(d, 3, 4), _t(d, 3, 4)), {})], _FI, grad=False, methods=("heaviside",))
_record("torch.square", torch.square, lambda d: [((_t(d, 3, 4),), {})],
        _FB + (torch.int64, torch.complex64), methods=("square",))
_record("torch.float_power", torch.float_power, lambda d: [
    ((_t(d, 3, 4, low=0.1), 2), {}), ((_t(d, 3, 4, low=0.1), _t(d, 4)), {})], _FI,
    methods=("float_power",))
_record("torch.addcmul", torch.addcmul, lambda d: [
    ((_t(d, 3, 4), _t(d, 3, 4), _t(d, 4)), {}), ((_t(d, 3, 4), _t(d, 3, 4), _t(d, 3, 4)),
                                                 dict(value=2))], _FB + (torch.int64,),
    methods=("addcmul",))
_record("torch.addcdiv", torch.addcdiv, lambda d: [
    ((_t(d, 3, 4), _t(d, 3, 4), _t(d, 4, low=1)), dict(value=0.5))], _FB,
    methods=("addcdiv",))
_record("torch.fmax", torch.fmax, lambda d: [
    ((_SPECIALS(d), torch.flip(_SPECIALS(d), (0,))), {}), ((_t(d, 3, 4), _t(d, 4)), {})], _FB,
    methods=("fmax",))
_record("torch.fmin", torch.fmin, lambda d: [
    ((_SPECIALS(d), torch.flip(_SPECIALS(d), (0,))), {}), ((_t(d, 3, 4), _t(d, 4)), {})], _FB,
    methods=("fmin",))
_record("torch.gcd", torch.gcd, lambda d: [((torch.tensor([12, 8, 0, -6]).to(d),
                                             torch.tensor([18, 5, 3, 4]).to(d)), {})],
        (torch.int64, torch.int32), grad=False, methods=("gcd",))
_record("torch.lcm", torch.lcm, lambda d: [((torch.tensor([4, 6, 0]).to(d),
                                             torch.tensor([6, 5, 3]).to(d)), {})],
        (torch.int64, torch.int32), grad=False, methods=("lcm",))
_record("torch.positive", torch.positive, lambda d: [((_t(d, 3),), {})], _FI,
        methods=("positive",))
_record("torch.logit", torch.logit, lambda d: [((_t(d, 3, 4, low=0.05, high=0.95),), {}),
                                               ((_t(d, 3, 4, low=0, high=1), 0.1), {})], _FB,
        methods=("logit",))
_record("torch.ldexp", torch.ldexp, lambda d: [((_t(d, 3, 4), torch.tensor([1, -2, 3, 0])),
                                                {})], _F, methods=("ldexp",))
_record("torch.diff", torch.diff, lambda d: [
    ((_t(d, 3, 5),), {}), ((_t(d, 3, 5), 2, 0), dict(prepend=_t(d, 1, 5))),
    ((_t(d, 3, 5),), dict(append=_t(d, 3, 2)))], _FI, methods=("diff",))
_record("torch.trapezoid", torch.trapezoid, lambda d: [
    ((_t(d, 3, 5),), {}), ((_t(d, 3, 5), torch.arange(5).to(d)), {}),
    ((_t(d, 3, 5),), dict(dx=0.5, dim=0))], _F, covers=(torch.trapezoid, torch.trapz))
_record("torch.tril_indices", torch.tril_indices, lambda d: [((3, 4), {}), ((4, 3, 1), {})],
        (torch.int64,), grad=False)
_record("torch.triu_indices", torch.triu_indices, lambda d: [((3, 4), {}), ((4, 3, -1), {})],
        (torch.int64,), grad=False)
_record("torch.vander", torch.vander, lambda d: [((_t(d, 4),), {}), ((_t(d, 3), 5, True), {})],
        _FI)
_record("torch.block_diag", torch.block_diag, lambda d: [
    ((_t(d, 2, 2), _t(d, 1, 3), _t(d, 2)), {})], _FI)
_record("torch.cartesian_prod", torch.cartesian_prod, lambda d: [
    ((_t(d, 3), _t(d, 2)), {}), ((_t(d, 2), _t(d, 2), _t(d, 3)), {})], _FI)
_NAN_INPUT = lambda d: torch.tensor([[1.0, NAN, 3.0], [NAN, NAN, 2.0]], dtype=d)  # noqa: E731
_record("torch.nansum", torch.nansum, lambda d: [((_NAN_INPUT(d),), {}),
                                                 ((_NAN_INPUT(d), 1), {})], _F,
        methods=("nansum",))
_record("torch.nanmean", torch.nanmean, lambda d: [((_NAN_INPUT(d),), {}),
                                                   ((_NAN_INPUT(d), 0, True), {})], _F,
        methods=("nanmean",))
