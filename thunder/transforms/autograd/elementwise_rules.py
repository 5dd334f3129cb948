"""VJP rules of the elementwise primitives (NOTE [prim registries]).

Operands of an elementwise prim share shape and dtype (Python numbers are allowed and get no
gradient), so every rule here is a product of the cotangent with a local derivative, written
with torch-level operators that the torch executor runs as single kernels.
"""

import math

import thunder.core.prims as prims
import thunder.torch as ltorch
from thunder.core.proxies import TensorProxy
from thunder.transforms.autograd import kernels
from thunder.transforms.autograd.rules import (
    def_elementwise_vjp, def_vjp, def_zero_vjp, is_differentiable, zeros_like)

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0

# unary: d(out)/d(a) as a function of (out, a)
def_elementwise_vjp(prims.neg, lambda out, a: -1.0)
# |z| is not holomorphic: its gradient is g * sgn(z), i.e. conj of the "derivative" conj(sgn z)
def_elementwise_vjp(prims.abs, lambda out, a: prims.conj(ltorch.sgn(a)) if a.dtype.is_complex
                    else ltorch.sign(a))
def_elementwise_vjp(prims.exp, lambda out, a: out)
def_elementwise_vjp(prims.exp2, lambda out, a: out * _LN2)
def_elementwise_vjp(prims.expm1, lambda out, a: out + 1.0)
def_elementwise_vjp(prims.log, lambda out, a: ltorch.reciprocal(a))
def_elementwise_vjp(prims.log1p, lambda out, a: ltorch.reciprocal(a + 1.0))
def_elementwise_vjp(prims.log2, lambda out, a: ltorch.reciprocal(a * _LN2))
def_elementwise_vjp(prims.log10, lambda out, a: ltorch.reciprocal(a * _LN10))
def_elementwise_vjp(prims.sqrt, lambda out, a: ltorch.reciprocal(out * 2.0))
def_elementwise_vjp(prims.rsqrt, lambda out, a: out * out * out * -0.5)
def_elementwise_vjp(prims.reciprocal, lambda out, a: -(out * out))
def_elementwise_vjp(prims.sin, lambda out, a: ltorch.cos(a))
def_elementwise_vjp(prims.cos, lambda out, a: -ltorch.sin(a))
def_elementwise_vjp(prims.tan, lambda out, a: out * out + 1.0)
def_elementwise_vjp(prims.asin, lambda out, a: ltorch.rsqrt(1.0 - a * a))
def_elementwise_vjp(prims.acos, lambda out, a: -ltorch.rsqrt(1.0 - a * a))
def_elementwise_vjp(prims.atan, lambda out, a: ltorch.reciprocal(a * a + 1.0))
def_elementwise_vjp(prims.sinh, lambda out, a: ltorch.cosh(a))
def_elementwise_vjp(prims.cosh, lambda out, a: ltorch.sinh(a))
def_elementwise_vjp(prims.tanh, lambda out, a: 1.0 - out * out)
def_elementwise_vjp(prims.asinh, lambda out, a: ltorch.rsqrt(a * a + 1.0))
def_elementwise_vjp(prims.acosh, lambda out, a: ltorch.rsqrt((a - 1.0) * (a + 1.0)))
def_elementwise_vjp(prims.atanh, lambda out, a: ltorch.reciprocal(1.0 - a * a))
def_elementwise_vjp(prims.erf, lambda out, a: ltorch.exp(-(a * a)) * _TWO_OVER_SQRT_PI)
def_elementwise_vjp(prims.erfc, lambda out, a: ltorch.exp(-(a * a)) * -_TWO_OVER_SQRT_PI)
def_elementwise_vjp(prims.erfinv, lambda out, a: ltorch.exp(out * out) * _SQRT_PI_OVER_TWO)
def_elementwise_vjp(prims.lgamma, lambda out, a: ltorch.digamma(a))
def_elementwise_vjp(prims.sigmoid, lambda out, a: out * (1.0 - out))

def_elementwise_vjp(prims.digamma, lambda out, a: kernels.trigamma(a))

def_zero_vjp(prims.floor, prims.ceil, prims.round, prims.trunc, prims.sign,
             prims.floor_divide)

# binary: d(out)/d(a), d(out)/d(b)
def_elementwise_vjp(prims.add, lambda out, a, b: 1.0, lambda out, a, b: 1.0)
def_elementwise_vjp(prims.sub, lambda out, a, b: 1.0, lambda out, a, b: -1.0)
def_elementwise_vjp(prims.mul, lambda out, a, b: b, lambda out, a, b: a)
def _reciprocal(b):
    if is_differentiable(b):
        return ltorch.reciprocal(b)
    if b == 0:  # x / 0 has gradient inf (its sign from the zero), as in torch
        return math.copysign(math.inf, b)
    return 1.0 / b


def_elementwise_vjp(prims.div, lambda out, a, b: _reciprocal(b), lambda out, a, b: -out / b)
def_elementwise_vjp(prims.atan2, lambda out, a, b: b / (a * a + b * b),
                    lambda out, a, b: -a / (a * a + b * b))
def_elementwise_vjp(prims.hypot, lambda out, a, b: a / out, lambda out, a, b: b / out)
def_elementwise_vjp(prims.remainder, lambda out, a, b: 1.0,
                    lambda out, a, b: -ltorch.floor(a / b))
def_elementwise_vjp(prims.fmod, lambda out, a, b: 1.0, lambda out, a, b: -ltorch.trunc(a / b))
def_elementwise_vjp(prims.copysign,
                    lambda out, a, b: ltorch.where(a == 0, 0.0, ltorch.sign(a) * ltorch.sign(out)),
                    lambda out, a, b: 0.0)
# torch treats nextafter as the identity in its first operand
def_elementwise_vjp(prims.nextafter, lambda out, a, b: 1.0, lambda out, a, b: 0.0)


@def_vjp(prims.pow)
def _pow_vjp(g, out, a, b):
    grad_a = grad_b = None
    if is_differentiable(a):
        if isinstance(b, TensorProxy):
            grad_a = ltorch.where(b == 0, 0.0, g * b * ltorch.pow(a, b - 1.0))
        else:
            grad_a = zeros_like(a) if b == 0 else g * (ltorch.pow(a, b - 1.0) * b)
    if is_differentiable(b):
        # d(a**b)/db = a**b * log(a), taken as 0 where a == 0 and b >= 0 (as torch does)
        if isinstance(a, TensorProxy):
            grad_b = ltorch.where((a == 0) & (b >= 0), 0.0, g * out * ltorch.log(a))
        else:
            grad_b = g * out * (math.log(a) if a > 0 else float("nan")) if a != 0 \
                else ltorch.where(b >= 0, 0.0, g * out * -float("inf"))
    return grad_a, grad_b


def _extremum_vjp(g, out, a, b):
    """maximum/minimum: the gradient goes to the operand that was picked, split on ties."""
    grad_a = grad_b = None
    if is_differentiable(a):
        grad_a = ltorch.where(a == b, g * 0.5, ltorch.where(a == out, g, 0.0))
    if is_differentiable(b):
        grad_b = ltorch.where(a == b, g * 0.5, ltorch.where(b == out, g, 0.0))
    return grad_a, grad_b


def_vjp(prims.maximum, prims.minimum)(_extremum_vjp)


@def_vjp(prims.where)
def _where_vjp(g, out, condition, a, b):
    grad_a = ltorch.where(condition, g, 0.0) if is_differentiable(a) else None
    grad_b = ltorch.where(condition, 0.0, g) if is_differentiable(b) else None
    return None, grad_a, grad_b


@def_vjp(prims.clamp)
def _clamp_vjp(g, out, a, low=None, high=None):
    inside = None
    if low is not None:
        inside = a >= low
    if high is not None:
        below_high = a <= high
        inside = below_high if inside is None else inside & below_high
    grad_a = (g if inside is None else ltorch.where(inside, g, 0.0)) \
        if is_differentiable(a) else None
    grad_low = ltorch.where(a < low, g, 0.0) if is_differentiable(low) else None
    grad_high = ltorch.where(a > high, g, 0.0) if is_differentiable(high) else None
    return grad_a, grad_low, grad_high
