"""Torch-level elementwise operators: unary math, binary arithmetic, comparisons, ``where``.

Each operator broadcasts, promotes types as torch does (``elementwise_inputs``) and calls one
prim. Unary "float" ops (``exp``, ``sin``...) compute integer and bool inputs in the default
float dtype, as torch does.
"""

import torch

from thunder.core import dtypes, prims
from thunder.core.proxies import TensorProxy
from thunder.core.symbol import DataDependentShape
from thunder.torch.registry import torchsymbol
from thunder.torch.utils import broadcast_shapes, elementwise_inputs, expand_to, maybe_convert


def _float_dtype(a):
    return a.dtype if dtypes.is_inexact(a.dtype) else torch.get_default_dtype()


def _unary(prim, *, to_float=False):
    def op(a):
        if not isinstance(a, TensorProxy):
            raise TypeError(f"{prim.name}(): argument 'input' must be Tensor, not "
                            f"{type(a).__name__}")
        if to_float:
            a = maybe_convert(a, _float_dtype(a))
        return prim(a)

    return op


def _declare_unary(name, prim, torch_fns, *, to_float=False, methods=None):
    methods = (name,) if methods is None else methods
    fn = _unary(prim, to_float=to_float)
    fn.__name__ = name
    return torchsymbol(*torch_fns, methods=methods)(fn)


abs = _declare_unary("abs", prims.abs, (torch.abs,), methods=("abs", "__abs__"))
neg = _declare_unary("neg", prims.neg, (torch.neg, torch.negative), methods=("neg", "__neg__"))
exp = _declare_unary("exp", prims.exp, (torch.exp,), to_float=True)
exp2 = _declare_unary("exp2", prims.exp2, (torch.exp2,), to_float=True)
expm1 = _declare_unary("expm1", prims.expm1, (torch.expm1,), to_float=True)
log = _declare_unary("log", prims.log, (torch.log,), to_float=True)
log1p = _declare_unary("log1p", prims.log1p, (torch.log1p,), to_float=True)
log2 = _declare_unary("log2", prims.log2, (torch.log2,), to_float=True)
log10 = _declare_unary("log10", prims.log10, (torch.log10,), to_float=True)
sqrt = _declare_unary("sqrt", prims.sqrt, (torch.sqrt,), to_float=True)
rsqrt = _declare_unary("rsqrt", prims.rsqrt, (torch.rsqrt,), to_float=True)
reciprocal = _declare_unary("reciprocal", prims.reciprocal, (torch.reciprocal,), to_float=True)
sin = _declare_unary("sin", prims.sin, (torch.sin,), to_float=True)
cos = _declare_unary("cos", prims.cos, (torch.cos,), to_float=True)
tan = _declare_unary("tan", prims.tan, (torch.tan,), to_float=True)
asin = _declare_unary("asin", prims.asin, (torch.asin, torch.arcsin), to_float=True)
acos = _declare_unary("acos", prims.acos, (torch.acos, torch.arccos), to_float=True)
atan = _declare_unary("atan", prims.atan, (torch.atan, torch.arctan), to_float=True)
sinh = _declare_unary("sinh", prims.sinh, (torch.sinh,), to_float=True)
cosh = _declare_unary("cosh", prims.cosh, (torch.cosh,), to_float=True)
tanh = _declare_unary("tanh", prims.tanh, (torch.tanh, torch.nn.functional.tanh),
                      to_float=True)
asinh = _declare_unary("asinh", prims.asinh, (torch.asinh, torch.arcsinh), to_float=True)
acosh = _declare_unary("acosh", prims.acosh, (torch.acosh, torch.arccosh), to_float=True)
atanh = _declare_unary("atanh", prims.atanh, (torch.atanh, torch.arctanh), to_float=True)
erf = _declare_unary("erf", prims.erf, (torch.erf, torch.special.erf), to_float=True)
erfc = _declare_unary("erfc", prims.erfc, (torch.erfc, torch.special.erfc), to_float=True)
erfinv = _declare_unary("erfinv", prims.erfinv, (torch.erfinv, torch.special.erfinv),
                        to_float=True)
lgamma = _declare_unary("lgamma", prims.lgamma, (torch.lgamma,), to_float=True)
digamma = _declare_unary("digamma", prims.digamma, (torch.digamma, torch.special.digamma),
                         to_float=True)
sigmoid = _declare_unary("sigmoid", prims.sigmoid,
                         (torch.sigmoid, torch.special.expit, torch.nn.functional.sigmoid),
                         to_float=True)
floor = _declare_unary("floor", prims.floor, (torch.floor,))
ceil = _declare_unary("ceil", prims.ceil, (torch.ceil,))
trunc = _declare_unary("trunc", prims.trunc, (torch.trunc, torch.fix), methods=("trunc", "fix"))
sign = _declare_unary("sign", prims.sign, (torch.sign,))
signbit = _declare_unary("signbit", prims.signbit, (torch.signbit,))
isfinite = _declare_unary("isfinite", prims.isfinite, (torch.isfinite,))
isnan = _declare_unary("isnan", prims.isnan, (torch.isnan,))
isinf = _declare_unary("isinf", prims.isinf, (torch.isinf,))
logical_not = _declare_unary("logical_not", prims.logical_not, (torch.logical_not,))
bitwise_not = _declare_unary("bitwise_not", prims.bitwise_not, (torch.bitwise_not,),
                             methods=("bitwise_not", "__invert__"))


@torchsymbol(torch.round, methods=("round",))
def round(a, *, decimals=0):
    if decimals == 0:
        return prims.round(a)
    scale = 10.0 ** decimals
    return div(prims.round(mul(a, scale)), scale)


@torchsymbol(torch.real, methods=("real",))
def real(a):
    return prims.real(a) if a.dtype.is_complex else a


@torchsymbol(torch.imag, methods=("imag",))
def imag(a):
    if not a.dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return prims.imag(a)


def _binary(prim, name, *, compute=None):
    """A binary op; ``compute`` maps the promoted dtype to the dtype the prim runs in."""

    def op(a, b):
        if not isinstance(a, TensorProxy) and not isinstance(b, TensorProxy):
            raise TypeError(f"{name}(): expected at least one tensor operand")
        compute_dtype = None
        if compute is not None:
            compute_dtype = compute(dtypes.result_type(a, b))
        (a, b), _ = elementwise_inputs(a, b, compute_dtype=compute_dtype)
        return prim(a, b)

    op.__name__ = name
    return op


def _to_float(dtype):
    return dtype if dtypes.is_inexact(dtype) else torch.get_default_dtype()


def _declare_binary(name, prim, torch_fns, methods=None, compute=None):
    methods = (name,) if methods is None else methods
    return torchsymbol(*torch_fns, methods=methods)(_binary(prim, name, compute=compute))


@torchsymbol(torch.add, methods=("add", "__add__", "__radd__"))
def add(a, b, *, alpha=1):
    if alpha != 1:
        b = mul(b, alpha)
    (a, b), _ = elementwise_inputs(a, b)
    return prims.add(a, b)


@torchsymbol(torch.sub, torch.subtract, methods=("sub", "subtract", "__sub__"))
def sub(a, b, *, alpha=1):
    if alpha != 1:
        b = mul(b, alpha)
    (a, b), _ = elementwise_inputs(a, b)
    return prims.sub(a, b)


@torchsymbol(torch.rsub, methods=("__rsub__",))
def rsub(a, b, *, alpha=1):
    return sub(b, a, alpha=alpha)


mul = _declare_binary("mul", prims.mul, (torch.mul, torch.multiply),
                      methods=("mul", "multiply", "__mul__", "__rmul__"))


@torchsymbol(torch.div, torch.divide, torch.true_divide,
             methods=("div", "divide", "true_divide", "__truediv__"))
def div(a, b, *, rounding_mode=None):
    if rounding_mode is None:
        (a, b), _ = elementwise_inputs(a, b, compute_dtype=_to_float(dtypes.result_type(a, b)))
        return prims.div(a, b)
    if rounding_mode == "floor":
        return floor_divide(a, b)
    if rounding_mode == "trunc":
        dtype = dtypes.result_type(a, b)
        if dtypes.is_inexact(dtype):
            return trunc(div(a, b))
        (a, b), _ = elementwise_inputs(a, b)
        return prims.div(a, b)  # integer division in torch truncates
    raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                     f"found '{rounding_mode}'")


@torchsymbol(methods=("__rtruediv__",))
def rtruediv(a, b):
    return div(b, a)


floor_divide = _declare_binary("floor_divide", prims.floor_divide, (torch.floor_divide,),
                               methods=("floor_divide", "__floordiv__"))


@torchsymbol(methods=("__rfloordiv__",))
def rfloordiv(a, b):
    return floor_divide(b, a)


remainder = _declare_binary("remainder", prims.remainder, (torch.remainder,),
                            methods=("remainder", "__mod__"))


@torchsymbol(methods=("__rmod__",))
def rmod(a, b):
    return remainder(b, a)


fmod = _declare_binary("fmod", prims.fmod, (torch.fmod,))


@torchsymbol(torch.pow, methods=("pow", "__pow__"))
def pow(a, b):
    (a, b), _ = elementwise_inputs(a, b)
    return prims.pow(a, b)


@torchsymbol(methods=("__rpow__",))
def rpow(a, b):
    return pow(b, a)


maximum = _declare_binary("maximum", prims.maximum, (torch.maximum,))
minimum = _declare_binary("minimum", prims.minimum, (torch.minimum,))
atan2 = _declare_binary("atan2", prims.atan2, (torch.atan2, torch.arctan2), compute=_to_float)
hypot = _declare_binary("hypot", prims.hypot, (torch.hypot,))
copysign = _declare_binary("copysign", prims.copysign, (torch.copysign,), compute=_to_float)
nextafter = _declare_binary("nextafter", prims.nextafter, (torch.nextafter,))
eq = _declare_binary("eq", prims.eq, (torch.eq,), methods=("eq", "__eq__"))
ne = _declare_binary("ne", prims.ne, (torch.ne, torch.not_equal), methods=("ne", "__ne__"))
lt = _declare_binary("lt", prims.lt, (torch.lt, torch.less), methods=("lt", "__lt__"))
le = _declare_binary("le", prims.le, (torch.le, torch.less_equal), methods=("le", "__le__"))
gt = _declare_binary("gt", prims.gt, (torch.gt, torch.greater), methods=("gt", "__gt__"))
ge = _declare_binary("ge", prims.ge, (torch.ge, torch.greater_equal), methods=("ge", "__ge__"))
bitwise_and = _declare_binary("bitwise_and", prims.bitwise_and, (torch.bitwise_and,),
                              methods=("bitwise_and", "__and__", "__rand__"))
bitwise_or = _declare_binary("bitwise_or", prims.bitwise_or, (torch.bitwise_or,),
                             methods=("bitwise_or", "__or__", "__ror__"))
bitwise_xor = _declare_binary("bitwise_xor", prims.bitwise_xor, (torch.bitwise_xor,),
                              methods=("bitwise_xor", "__xor__", "__rxor__"))
bitwise_left_shift = _declare_binary("bitwise_left_shift", prims.bitwise_left_shift,
                                     (torch.bitwise_left_shift,),
                                     methods=("bitwise_left_shift", "__lshift__"))
bitwise_right_shift = _declare_binary("bitwise_right_shift", prims.bitwise_right_shift,
                                      (torch.bitwise_right_shift,),
                                      methods=("bitwise_right_shift", "__rshift__"))
logical_and = _declare_binary("logical_and", prims.logical_and, (torch.logical_and,))
logical_or = _declare_binary("logical_or", prims.logical_or, (torch.logical_or,))
logical_xor = _declare_binary("logical_xor", prims.logical_xor, (torch.logical_xor,))


@torchsymbol(torch.where, methods=("where",))
def where(condition, input=None, other=None):
    if input is None and other is None:
        raise DataDependentShape("torch.where(condition) (like nonzero) has a data-dependent "
                                  "shape and is not supported")
    (a, b), dtype = elementwise_inputs(input, other) if (
        isinstance(input, TensorProxy) or isinstance(other, TensorProxy)
    ) else ((input, other), dtypes.result_type(input, other))
    tensors = [t for t in (condition, a, b) if isinstance(t, TensorProxy)]
    from_shapes = [t.shape for t in tensors]
    shape = broadcast_shapes(*from_shapes)
    device = condition.device
    condition = expand_to(maybe_convert(condition, torch.bool), shape)
    a = _as_tensor(a, shape, dtype, device)
    b = _as_tensor(b, shape, dtype, device)
    return prims.where(condition, a, b)


def _as_tensor(x, shape, dtype, device):
    if isinstance(x, TensorProxy):
        return expand_to(maybe_convert(x, dtype), shape)
    return prims.full(shape, x, device=device, dtype=dtype)
