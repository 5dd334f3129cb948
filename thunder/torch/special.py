"""Torch-level ``torch.special.*`` (and the ``torch.*`` spellings of the same functions).

Functions with a numerically sound composition are written with existing operators
(``ndtr``, ``entr``, ``multigammaln``, the ``torch.special`` aliases of ``exp2``, ``log1p``,
``round``...). Bessel functions, ``erfcx``, ``log_ndtr``, ``ndtri``, ``zeta`` and ``polygamma``
record their prims from ``thunder/core/prims/special.py``. Integer inputs compute in the
default float dtype, as torch does.
"""

import math

import torch

from thunder.core import dtypes, prims
from thunder.core.proxies import TensorProxy
from thunder.torch.elementwise import (
    add, erfc, exp2, expm1, gt, isnan, lgamma, log, log1p, lt, mul, neg, round, where,
)
from thunder.torch.reductions import sum
from thunder.torch.registry import torchsymbol
from thunder.torch.utils import elementwise_inputs, maybe_convert


def _float_input(name, a):
    if not isinstance(a, TensorProxy):
        raise TypeError(f"special_{name}(): argument 'input' must be Tensor, not "
                        f"{type(a).__name__}")
    return a if dtypes.is_inexact(a.dtype) else maybe_convert(a, torch.get_default_dtype())


def _declare(name, prim, torch_fns, methods=()):
    def op(input):
        return prim(_float_input(name, input))

    op.__name__ = f"special_{name}"
    return torchsymbol(*torch_fns, methods=methods)(op)


special_i0 = _declare("i0", prims.i0, (torch.special.i0, torch.i0), methods=("i0",))
special_i0e = _declare("i0e", prims.i0e, (torch.special.i0e,))
special_i1 = _declare("i1", prims.i1, (torch.special.i1,))
special_i1e = _declare("i1e", prims.i1e, (torch.special.i1e,))
special_ndtri = _declare("ndtri", prims.ndtri, (torch.special.ndtri,))
special_erfcx = _declare("erfcx", prims.erfcx, (torch.special.erfcx,))
special_log_ndtr = _declare("log_ndtr", prims.log_ndtr, (torch.special.log_ndtr,))
special_bessel_j0 = _declare("bessel_j0", prims.bessel_j0, (torch.special.bessel_j0,))
special_bessel_j1 = _declare("bessel_j1", prims.bessel_j1, (torch.special.bessel_j1,))
special_spherical_bessel_j0 = _declare("spherical_bessel_j0", prims.spherical_bessel_j0,
                                       (torch.special.spherical_bessel_j0,))


@torchsymbol(torch.special.ndtr)
def special_ndtr(input):
    """The standard normal CDF, ``erfc(-x / sqrt(2)) / 2``."""
    a = _float_input("ndtr", input)
    return mul(erfc(mul(a, -1 / math.sqrt(2))), 0.5)


@torchsymbol(torch.special.entr)
def special_entr(input):
    """``-x log x`` for x > 0, 0 at 0, -inf for x < 0 (NaN stays NaN)."""
    a = _float_input("entr", input)
    value = neg(mul(a, log(where(gt(a, 0), a, 1.0))))
    out = where(gt(a, 0), value, where(lt(a, 0), -math.inf, 0.0))
    return where(isnan(a), a, out)


@torchsymbol(torch.special.zeta)
def special_zeta(input, other):
    (a, b), dtype = elementwise_inputs(input, other)
    if not dtypes.is_inexact(dtype):
        (a, b), _ = elementwise_inputs(input, other, compute_dtype=torch.get_default_dtype())
    return prims.zeta(a, b)


@torchsymbol(torch.special.polygamma, torch.polygamma)
def special_polygamma(n, input):
    return prims.polygamma(n, _float_input("polygamma", input))


@torchsymbol(methods=("polygamma",))
def polygamma_method(input, n):
    return special_polygamma(n, input)


@torchsymbol(torch.special.multigammaln, torch.mvlgamma, methods=("mvlgamma",))
def special_multigammaln(input, p):
    """``log Gamma_p(x) = p(p-1)/4 log(pi) + sum_j lgamma(x - j/2)``."""
    a = _float_input("multigammaln", input)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    offsets = prims.tensor_from_sequence([-j / 2 for j in range(p)], dtype=a.dtype,
                                         device=a.device)
    expanded = prims.broadcast_in_dim(a, a.shape + (p,), tuple(range(a.ndim)))
    spread = prims.broadcast_in_dim(offsets, a.shape + (p,), (a.ndim,))
    terms = lgamma(add(expanded, spread))
    return add(sum(terms, -1), p * (p - 1) / 4 * math.log(math.pi))


@torchsymbol(torch.special.gammaln)
def special_gammaln(input):
    return lgamma(input)


@torchsymbol(torch.special.exp2)
def special_exp2(input):
    return exp2(input)


@torchsymbol(torch.special.expm1)
def special_expm1(input):
    return expm1(input)


@torchsymbol(torch.special.log1p)
def special_log1p(input):
    return log1p(input)


@torchsymbol(torch.special.round)
def special_round(input, *, decimals=0):
    return round(input, decimals=decimals)


@torchsymbol(torch.special.psi)
def special_psi(input):
    return prims.digamma(_float_input("psi", input))


__all__ = ["special_i0", "special_i0e", "special_i1", "special_i1e", "special_ndtri",
           "special_erfcx", "special_log_ndtr", "special_bessel_j0", "special_bessel_j1",
           "special_spherical_bessel_j0", "special_ndtr", "special_entr", "special_zeta",
           "special_polygamma", "polygamma_method", "special_multigammaln", "special_gammaln",
           "special_exp2", "special_expm1", "special_log1p", "special_round", "special_psi"]
