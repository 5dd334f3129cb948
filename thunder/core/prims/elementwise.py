"""Elementwise primitives: unary, binary and ternary ops over same-shape tensors.

Prims do no broadcasting and no type promotion: every tensor operand must have the same shape,
device and dtype (torch-level operators insert ``broadcast_in_dim`` and
``convert_element_type`` first). Python numbers are allowed as operands. The output dtype is
the operands' dtype, except for the ops listed as returning bool or a real dtype.
"""

import math

import torch

from thunder.core import dtypes
from thunder.core.prims.definition import check, make_prim
from thunder.core.prims.ids import PrimIDs
from thunder.core.proxies import TensorProxy


def _elementwise_meta(*operands, output="same", name=""):
    tensors = [a for a in operands if isinstance(a, TensorProxy)]
    check(tensors, lambda: f"prims.{name} needs at least one tensor operand")
    first = tensors[0]
    for t in tensors[1:]:
        check(t.shape == first.shape,
              lambda: f"prims.{name}: shapes differ: {first.shape} and {t.shape}")
        check(t.device == first.device,
              lambda: f"prims.{name}: devices differ: {first.device} and {t.device}")
        check(t.dtype == first.dtype or output == "where",
              lambda: f"prims.{name}: dtypes differ: {first.dtype} and {t.dtype}")
    for a in operands:
        check(isinstance(a, (TensorProxy, bool, int, float, complex)),
              lambda: f"prims.{name}: unsupported operand {a!r}")
    dtype = first.dtype
    if output == "bool":
        dtype = torch.bool
    elif output == "real":
        dtype = dtypes.complex_to_real(dtype)
    elif output == "where":
        dtype = tensors[1].dtype if len(tensors) > 1 else first.dtype
    requires_grad = any(t.requires_grad for t in tensors) and dtypes.is_inexact(dtype)
    return TensorProxy(shape=first.shape, dtype=dtype, device=first.device,
                       requires_grad=requires_grad)


def _make(prim_id, torch_impl, output="same"):
    name = prim_id.name.lower()

    def meta(*operands):
        return _elementwise_meta(*operands, output=output, name=name)

    meta.__name__ = f"{name}_meta"
    return make_prim(prim_id, meta, torch_impl=torch_impl)


def _python_or_torch(torch_fn, python_fn):
    """Scalar-safe implementation: these torch functions take only tensors."""

    def impl(a, b):
        a_tensor, b_tensor = isinstance(a, torch.Tensor), isinstance(b, torch.Tensor)
        if a_tensor and b_tensor:
            return torch_fn(a, b)
        if a_tensor:
            return torch_fn(a, torch.tensor(b, dtype=a.dtype, device=a.device))
        if b_tensor:
            return torch_fn(torch.tensor(a, dtype=b.dtype, device=b.device), b)
        return python_fn(a, b)

    return impl


# unary
abs = _make(PrimIDs.ABS, torch.abs, output="real")
neg = _make(PrimIDs.NEG, torch.neg)
exp = _make(PrimIDs.EXP, torch.exp)
exp2 = _make(PrimIDs.EXP2, torch.exp2)
expm1 = _make(PrimIDs.EXPM1, torch.expm1)
log = _make(PrimIDs.LOG, torch.log)
log1p = _make(PrimIDs.LOG1P, torch.log1p)
log2 = _make(PrimIDs.LOG2, torch.log2)
log10 = _make(PrimIDs.LOG10, torch.log10)
sqrt = _make(PrimIDs.SQRT, torch.sqrt)
rsqrt = _make(PrimIDs.RSQRT, torch.rsqrt)
reciprocal = _make(PrimIDs.RECIPROCAL, torch.reciprocal)
sin = _make(PrimIDs.SIN, torch.sin)
cos = _make(PrimIDs.COS, torch.cos)
tan = _make(PrimIDs.TAN, torch.tan)
asin = _make(PrimIDs.ASIN, torch.asin)
acos = _make(PrimIDs.ACOS, torch.acos)
atan = _make(PrimIDs.ATAN, torch.atan)
sinh = _make(PrimIDs.SINH, torch.sinh)
cosh = _make(PrimIDs.COSH, torch.cosh)
tanh = _make(PrimIDs.TANH, torch.tanh)
asinh = _make(PrimIDs.ASINH, torch.asinh)
acosh = _make(PrimIDs.ACOSH, torch.acosh)
atanh = _make(PrimIDs.ATANH, torch.atanh)
erf = _make(PrimIDs.ERF, torch.erf)
erfc = _make(PrimIDs.ERFC, torch.erfc)
erfinv = _make(PrimIDs.ERFINV, torch.erfinv)
lgamma = _make(PrimIDs.LGAMMA, torch.lgamma)
digamma = _make(PrimIDs.DIGAMMA, torch.digamma)
sigmoid = _make(PrimIDs.SIGMOID, torch.sigmoid)
floor = _make(PrimIDs.FLOOR, torch.floor)
ceil = _make(PrimIDs.CEIL, torch.ceil)
round = _make(PrimIDs.ROUND, torch.round)
trunc = _make(PrimIDs.TRUNC, torch.trunc)
sign = _make(PrimIDs.SIGN, torch.sign)
signbit = _make(PrimIDs.SIGNBIT, torch.signbit, output="bool")
isfinite = _make(PrimIDs.ISFINITE, torch.isfinite, output="bool")
isnan = _make(PrimIDs.ISNAN, torch.isnan, output="bool")
isinf = _make(PrimIDs.ISINF, torch.isinf, output="bool")
logical_not = _make(PrimIDs.LOGICAL_NOT, torch.logical_not, output="bool")
bitwise_not = _make(PrimIDs.BITWISE_NOT, torch.bitwise_not)
real = _make(PrimIDs.REAL, torch.real, output="real")
imag = _make(PrimIDs.IMAG, torch.imag, output="real")
conj = _make(PrimIDs.CONJ, torch.conj_physical)
angle = _make(PrimIDs.ANGLE, torch.angle, output="real")

# binary
add = _make(PrimIDs.ADD, torch.add)
sub = _make(PrimIDs.SUB, torch.sub)
mul = _make(PrimIDs.MUL, torch.mul)
def _div_impl(a, b):
    """True division for inexact dtypes; truncating division for integers (like C)."""
    if any(isinstance(x, torch.Tensor) and (x.dtype.is_floating_point or x.dtype.is_complex)
           for x in (a, b)) or isinstance(a, float) or isinstance(b, float):
        return torch.true_divide(a, b)
    if not isinstance(a, torch.Tensor) and not isinstance(b, torch.Tensor):
        return int(a / b)
    return torch.div(a, b, rounding_mode="trunc")


div = _make(PrimIDs.DIV, _div_impl)
floor_divide = _make(PrimIDs.FLOOR_DIVIDE, torch.floor_divide)
remainder = _make(PrimIDs.REMAINDER, torch.remainder)
fmod = _make(PrimIDs.FMOD, torch.fmod)
pow = _make(PrimIDs.POW, torch.pow)
maximum = _make(PrimIDs.MAXIMUM, _python_or_torch(torch.maximum, max))
minimum = _make(PrimIDs.MINIMUM, _python_or_torch(torch.minimum, min))
atan2 = _make(PrimIDs.ATAN2, _python_or_torch(torch.atan2, math.atan2))
hypot = _make(PrimIDs.HYPOT, torch.hypot)
copysign = _make(PrimIDs.COPYSIGN, torch.copysign)
nextafter = _make(PrimIDs.NEXTAFTER, torch.nextafter)
eq = _make(PrimIDs.EQ, torch.eq, output="bool")
ne = _make(PrimIDs.NE, torch.ne, output="bool")
lt = _make(PrimIDs.LT, torch.lt, output="bool")
le = _make(PrimIDs.LE, torch.le, output="bool")
gt = _make(PrimIDs.GT, torch.gt, output="bool")
ge = _make(PrimIDs.GE, torch.ge, output="bool")
bitwise_and = _make(PrimIDs.BITWISE_AND, torch.bitwise_and)
bitwise_or = _make(PrimIDs.BITWISE_OR, torch.bitwise_or)
bitwise_xor = _make(PrimIDs.BITWISE_XOR, torch.bitwise_xor)
bitwise_left_shift = _make(PrimIDs.BITWISE_LEFT_SHIFT, torch.bitwise_left_shift)
bitwise_right_shift = _make(PrimIDs.BITWISE_RIGHT_SHIFT, torch.bitwise_right_shift)
logical_and = _make(PrimIDs.LOGICAL_AND, torch.logical_and, output="bool")
logical_or = _make(PrimIDs.LOGICAL_OR, torch.logical_or, output="bool")
logical_xor = _make(PrimIDs.LOGICAL_XOR, torch.logical_xor, output="bool")

# ternary
where = _make(PrimIDs.WHERE, torch.where, output="where")
clamp = _make(PrimIDs.CLAMP, torch.clamp)
