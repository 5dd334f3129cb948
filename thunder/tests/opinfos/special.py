"""Operator records for ``torch.special`` (``thunder/torch/special.py`` and aliases)."""

import torch

from thunder.tests.opinfos import OpInfo, SampleInput, make, op_db

S = torch.special
_FLOATS = (torch.float32, torch.float64)
_TOL = {torch.float32: (1e-4, 1e-4), torch.bfloat16: (2e-2, 2e-2), torch.float16: (2e-3, 2e-3)}


def _unary_samples(low=None, high=None):
    def samples(dtype, requires_grad):
        yield SampleInput((make((3, 4), dtype, low=low, high=high,
                                requires_grad=requires_grad),), name="2d")
        yield SampleInput((make((), dtype, low=low, high=high, requires_grad=requires_grad),),
                          name="0d")
        yield SampleInput((make((4, 3), dtype, low=low, high=high, noncontiguous=True,
                                requires_grad=requires_grad),), name="noncontiguous")

    return samples


_UNARY = [
    (S.i0, (torch.i0,), None, None), (S.i0e, (), None, None), (S.i1, (), None, None),
    (S.i1e, (), None, None), (S.ndtri, (), 0.01, 0.99), (S.erfcx, (), None, None),
    (S.log_ndtr, (), None, None), (S.bessel_j0, (), None, None), (S.bessel_j1, (), None, None),
    (S.spherical_bessel_j0, (), None, None), (S.ndtr, (), None, None),
    (S.entr, (), -1, 4), (S.gammaln, (), 0.1, 5), (S.exp2, (), None, None),
    (S.expm1, (), None, None), (S.log1p, (), 0, 5), (S.round, (), None, None),
    (S.psi, (), 0.1, 5), (S.sinc, (torch.sinc,), None, None),
    (S.logit, (torch.logit,), 0.05, 0.95),
]
for _fn, _aliases, _low, _high in _UNARY:
    _dtypes = _FLOATS
    if _fn in (S.exp2, S.expm1, S.log1p, S.gammaln, S.sinc, S.ndtr, S.entr, S.i0):
        _dtypes = _FLOATS + (torch.bfloat16, torch.int64)
    if _fn is S.round:
        _dtypes = _FLOATS + (torch.bfloat16,)
    op_db.append(OpInfo(f"torch.special.{_fn.__name__.removeprefix('special_')}", _fn,
                        _unary_samples(_low, _high), dtypes=_dtypes, tolerances=_TOL,
                        covers=(_fn,) + _aliases,
                        # torch defines no derivative of the Bessel functions j0, j1
                        supports_grad=_fn not in (S.bessel_j0, S.bessel_j1,
                                                  S.spherical_bessel_j0, S.round)))


def _binary_samples(low=None):
    def samples(dtype, requires_grad):
        a = make((3, 4), dtype, requires_grad=requires_grad)
        b = make((3, 4), dtype, low=low, requires_grad=requires_grad)
        yield SampleInput((a, b), name="same-shape")
        yield SampleInput((a, make((4,), dtype, low=low)), name="broadcast")
        yield SampleInput((torch.tensor([0.0, 0.0, 1.0], dtype=dtype),
                           torch.tensor([0.0, float("nan"), 2.0], dtype=dtype)),
                          name="zero-and-nan")

    return samples


op_db.append(OpInfo("torch.special.xlogy", S.xlogy, _binary_samples(0), dtypes=_FLOATS,
                    tolerances=_TOL, covers=(S.xlogy, torch.xlogy)))
op_db.append(OpInfo("torch.special.xlog1py", S.xlog1py, _binary_samples(0), dtypes=_FLOATS,
                    tolerances=_TOL))


def _zeta_samples(dtype, requires_grad):
    yield SampleInput((make((5,), dtype, low=1.5, high=4), make((5,), dtype, low=0.5, high=3)),
                      name="tensors")
    yield SampleInput((make((5,), dtype, low=1.5, high=4), 2.0), name="scalar-q")


op_db.append(OpInfo("torch.special.zeta", S.zeta, _zeta_samples, dtypes=_FLOATS,
                    tolerances=_TOL, supports_grad=False))


def _polygamma_samples(dtype, requires_grad):
    x = make((3, 4), dtype, low=0.5, high=4, requires_grad=requires_grad)
    for n in (0, 1, 3):
        yield SampleInput((n, x), name=f"n={n}")


op_db.append(OpInfo("torch.special.polygamma", S.polygamma, _polygamma_samples,
                    dtypes=_FLOATS, tolerances={torch.float32: (1e-3, 1e-3)},
                    covers=(S.polygamma, torch.polygamma)))
op_db.append(OpInfo("Tensor.polygamma", lambda x, n: x.polygamma(n),
                    lambda dtype, rg: (SampleInput((make((4,), dtype, low=0.5), 2)),),
                    dtypes=_FLOATS, tolerances={torch.float32: (1e-3, 1e-3)},
                    covers=(torch.Tensor.polygamma,)))


def _multigammaln_samples(dtype, requires_grad):
    for p in (1, 3):
        yield SampleInput((make((3, 4), dtype, low=2, high=6, requires_grad=requires_grad), p),
                          name=f"p={p}")


op_db.append(OpInfo("torch.special.multigammaln", S.multigammaln, _multigammaln_samples,
                    dtypes=_FLOATS, tolerances=_TOL,
                    covers=(S.multigammaln, torch.mvlgamma, torch.Tensor.mvlgamma)))
op_db.append(OpInfo("Tensor.i0", lambda x: x.i0(), _unary_samples(), dtypes=_FLOATS,
                    tolerances=_TOL, covers=(torch.Tensor.i0,)))
