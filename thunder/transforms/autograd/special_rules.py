"""VJP rules of the special-function, scan and complex-number primitives (``special.py``,
plus ``real``/``imag``/``conj`` of ``elementwise.py``).

The special functions have closed-form derivatives in terms of each other (``i0' = i1``,
``ndtri' = sqrt(2 pi) exp(ndtri^2 / 2)``...). Where torch itself defines no derivative
(``bessel_j0``, ``bessel_j1``, ``spherical_bessel_j0``, ``zeta`` in its first operand) there
is no rule either, so differentiating them raises ``NoVJPRuleError`` naming the prim.

Complex cotangents follow torch's convention: for a real loss L of ``z = x + iy`` the
gradient is ``dL/dx + i dL/dy``. So ``real``'s gradient is ``g + 0i``, ``imag``'s is
``0 + ig``, ``conj``'s is ``conj(g)`` and ``complex(re, im)`` gives ``(real(g), imag(g))``.
"""

import math

import thunder.core.prims as prims
import thunder.torch as ltorch
from thunder.transforms.autograd.rules import (def_elementwise_vjp, def_vjp, is_differentiable,
                                               zeros_like)

_SQRT_2PI = math.sqrt(2.0 * math.pi)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

# -- special functions: d(out)/d(a) as a function of (out, a) --------------------------------
def_elementwise_vjp(prims.i0, lambda out, a: prims.i1(a))
def_elementwise_vjp(prims.i0e, lambda out, a: prims.i1e(a) - ltorch.sign(a) * out)
# i1' = i0 - i1 / a and i1e' = i0e - i1e (sign(a) + 1 / a), both 1/2 at a = 0
def_elementwise_vjp(prims.i1, lambda out, a: ltorch.where(
    a == 0, 0.5, prims.i0(a) - out / a))
def_elementwise_vjp(prims.i1e, lambda out, a: ltorch.where(
    a == 0, 0.5, prims.i0e(a) - out * (ltorch.sign(a) + ltorch.reciprocal(a))))
def_elementwise_vjp(prims.ndtri, lambda out, a: ltorch.exp(out * out * 0.5) * _SQRT_2PI)
def_elementwise_vjp(prims.erfcx, lambda out, a: a * out * 2.0 - _TWO_OVER_SQRT_PI)
# log_ndtr' = pdf(a) / ndtr(a), taken in log space so that it stays finite for a << 0
def_elementwise_vjp(prims.log_ndtr,
                    lambda out, a: ltorch.exp(a * a * -0.5 - out) * (1.0 / _SQRT_2PI))


@def_vjp(prims.polygamma)
def _polygamma_vjp(g, out, n, a):
    return None, g * prims.polygamma(n + 1, a)


@def_vjp(prims.zeta, applies=lambda a, q: not is_differentiable(a))
def _zeta_vjp(g, out, a, q):
    """Only the gradient in ``q`` (torch defines none in ``a``): ``-a * zeta(a + 1, q)``."""
    if not is_differentiable(q):
        return None, None
    return None, g * -a * prims.zeta(a + 1.0, q)


# -- scans ----------------------------------------------------------------------------------
def _cumulative_extremum_vjp(g, out, a, dim):
    """cummax/cummin: each output's cotangent goes to the element it copied."""
    values_grad = g[0]
    if values_grad is None:
        return None, None
    return prims.scatter_add(zeros_like(a), out[1], values_grad, dim), None


def_vjp(prims.cummax, prims.cummin)(_cumulative_extremum_vjp)


def _reverse_logcumsumexp(x, dim):
    return ltorch.flip(prims.logcumsumexp(ltorch.flip(x, (dim,)), dim), (dim,))


@def_vjp(prims.logcumsumexp)
def _logcumsumexp_vjp(g, out, a, dim):
    """grad_j = sum_{i >= j} g_i exp(a_j - out_i), summed in log space for the positive and
    the negative parts of ``g`` separately (every exponent stays <= log(sum |g|))."""
    positive = ltorch.log(ltorch.where(g > 0, g, 0.0)) - out
    negative = ltorch.log(ltorch.where(g < 0, -g, 0.0)) - out
    return (ltorch.exp(_reverse_logcumsumexp(positive, dim) + a)
            - ltorch.exp(_reverse_logcumsumexp(negative, dim) + a)), None


# -- complex numbers ------------------------------------------------------------------------
@def_vjp(prims.complex)
def _complex_vjp(g, out, real, imag):
    grad_real = prims.real(g) if is_differentiable(real) else None
    grad_imag = prims.imag(g) if is_differentiable(imag) else None
    return grad_real, grad_imag


@def_vjp(prims.real)
def _real_vjp(g, out, a):
    if not a.dtype.is_complex:
        return (g,)
    return (prims.complex(g, zeros_like(g)),)


@def_vjp(prims.imag)
def _imag_vjp(g, out, a):
    return (prims.complex(zeros_like(g), g),)


@def_vjp(prims.conj)
def _conj_vjp(g, out, a):
    return (prims.conj(g) if a.dtype.is_complex else g,)
