"""Records for elementwise operators: unary math, binary arithmetic, comparisons, ``where``.

Unary and binary ops are declared in tables, one row per operator; a row expands into one
record per torch callable that reaches it (function, aliases, ``Tensor`` method, operator).
"""

import operator

import torch

from thunder.tests.opinfos import (
    ALL_DTYPES, INEXACT_DTYPES, INT_DTYPES, INTEGRAL_DTYPES, NONBOOL_DTYPES, NUMERIC_DTYPES,
    REAL_DTYPES, FLOAT_DTYPES, OpInfo, SampleInput, extremal, make, method, op_db, resolve,
    scalar_for, transposed, xfail_all,
)

# -- sample generators ----------------------------------------------------------------------


def unary_samples(low=None, high=None, **kwargs):
    """Samples for a one-tensor elementwise op; ``kwargs`` are passed to every call."""

    def samples(dtype, requires_grad):
        def mk(shape, **more):
            return make(shape, dtype, low=low, high=high, requires_grad=requires_grad, **more)

        yield SampleInput((mk((4, 5)),), kwargs, "2-d")
        yield SampleInput((transposed((4, 5), dtype, low=low, high=high),), kwargs, "transposed")
        yield SampleInput((extremal(dtype),), kwargs, "inf, nan and large values")
        yield SampleInput((mk(()),), kwargs, "0-d")
        yield SampleInput((mk((0, 3)),), kwargs, "empty")
        yield SampleInput((mk((3, 4), noncontiguous=True),), kwargs, "non-contiguous")
        yield SampleInput((mk((2, 3, 4)),), kwargs, "3-d")

    return samples


def binary_samples(rhs_low=None, rhs_high=None, low=None, high=None, scalar=True):
    """Samples for a two-operand elementwise op (the second may be a Python scalar)."""

    def samples(dtype, requires_grad):
        def lhs(shape, **more):
            return make(shape, dtype, low=low, high=high, requires_grad=requires_grad, **more)

        def rhs(shape, **more):
            return make(shape, dtype, low=rhs_low, high=rhs_high, requires_grad=requires_grad,
                        **more)

        yield SampleInput((lhs((4, 5)), rhs((4, 5))), {}, "same shape")
        yield SampleInput((lhs((4, 1)), rhs((1, 5))), {}, "broadcasting")
        if scalar:
            value = scalar_for(dtype)
            if rhs_low is not None and not isinstance(value, bool):
                value = type(value)(max(abs(value), rhs_low))
            yield SampleInput((lhs((4, 5)), value), {}, "Python scalar")
        yield SampleInput((extremal(dtype), extremal(dtype).flip(0)), {}, "inf, nan, large")
        yield SampleInput((lhs(()), rhs((3, 2))), {}, "0-d with 2-d")
        yield SampleInput((lhs((0, 5)), rhs((5,))), {}, "empty")
        yield SampleInput((transposed((3, 4), dtype, low=low, high=high),
                           rhs((3, 4), noncontiguous=True)), {}, "non-contiguous")
        yield SampleInput((lhs(()), rhs(())), {}, "0-d with 0-d")

    return samples


def reflected_samples(rhs_low=None):
    """Samples ``(tensor, python scalar)`` for reflected operators such as ``2 + x``."""

    def samples(dtype, requires_grad):
        value = scalar_for(dtype)
        if rhs_low is not None and not isinstance(value, bool):
            value = type(value)(max(abs(value), rhs_low))
        yield SampleInput((make((4, 5), dtype, low=rhs_low, requires_grad=requires_grad),
                           value), {}, "scalar op tensor")
        yield SampleInput((make((), dtype, low=rhs_low), value), {}, "scalar op 0-d")
        yield SampleInput((transposed((3, 4), dtype, low=rhs_low), value), {}, "transposed")

    return samples


def _error_mixed_shapes():
    yield SampleInput((torch.ones(3, 4), torch.ones(2, 4)), {}, "shapes do not broadcast")


# -- unary ops ------------------------------------------------------------------------------

# (torch callables, Tensor methods, dtypes, sample kwargs)
UNARY = [
    (("torch.abs",), ("abs", "__abs__"), NONBOOL_DTYPES, {}),
    (("torch.neg", "torch.negative"), ("neg", "__neg__"), NONBOOL_DTYPES, {}),
    (("torch.exp",), ("exp",), ALL_DTYPES, {}),
    (("torch.exp2",), ("exp2",), ALL_DTYPES, {}),
    (("torch.expm1",), ("expm1",), ALL_DTYPES, {}),
    (("torch.log",), ("log",), ALL_DTYPES, {"low": 0.1}),
    (("torch.log1p",), ("log1p",), ALL_DTYPES, {"low": 0}),
    (("torch.log2",), ("log2",), ALL_DTYPES, {"low": 0.1}),
    (("torch.log10",), ("log10",), ALL_DTYPES, {"low": 0.1}),
    (("torch.sqrt",), ("sqrt",), ALL_DTYPES, {"low": 0}),
    (("torch.rsqrt",), ("rsqrt",), ALL_DTYPES, {"low": 0.1}),
    (("torch.reciprocal",), ("reciprocal",), ALL_DTYPES, {"low": 0.5}),
    (("torch.sin",), ("sin",), ALL_DTYPES, {}),
    (("torch.cos",), ("cos",), ALL_DTYPES, {}),
    (("torch.tan",), ("tan",), ALL_DTYPES, {"low": -1, "high": 1}),
    (("torch.asin", "torch.arcsin"), ("asin",), ALL_DTYPES, {"low": -1, "high": 1}),
    (("torch.acos", "torch.arccos"), ("acos",), ALL_DTYPES, {"low": -1, "high": 1}),
    (("torch.atan", "torch.arctan"), ("atan",), ALL_DTYPES, {}),
    (("torch.sinh",), ("sinh",), ALL_DTYPES, {}),
    (("torch.cosh",), ("cosh",), ALL_DTYPES, {}),
    (("torch.tanh", "F.tanh"), ("tanh",), ALL_DTYPES, {}),
    (("torch.asinh", "torch.arcsinh"), ("asinh",), ALL_DTYPES, {}),
    (("torch.acosh", "torch.arccosh"), ("acosh",), ALL_DTYPES, {"low": 1}),
    (("torch.atanh", "torch.arctanh"), ("atanh",), ALL_DTYPES, {"low": -0.9, "high": 0.9}),
    (("torch.erf", "torch.special.erf"), ("erf",), REAL_DTYPES, {}),
    (("torch.erfc", "torch.special.erfc"), ("erfc",), REAL_DTYPES, {}),
    (("torch.erfinv", "torch.special.erfinv"), ("erfinv",), REAL_DTYPES,
     {"low": -0.9, "high": 0.9}),
    (("torch.lgamma",), ("lgamma",), REAL_DTYPES, {"low": 0.1}),
    (("torch.digamma", "torch.special.digamma"), ("digamma",), REAL_DTYPES, {"low": 0.1}),
    (("torch.sigmoid", "torch.special.expit", "F.sigmoid"), ("sigmoid",), ALL_DTYPES, {}),
    (("torch.floor",), ("floor",), REAL_DTYPES, {}),
    (("torch.ceil",), ("ceil",), REAL_DTYPES, {}),
    (("torch.trunc", "torch.fix"), ("trunc", "fix"), REAL_DTYPES, {}),
    (("torch.sign",), ("sign",), REAL_DTYPES, {}),
    (("torch.signbit",), ("signbit",), REAL_DTYPES, {}),
    (("torch.isfinite",), ("isfinite",), ALL_DTYPES, {}),
    (("torch.isnan",), ("isnan",), ALL_DTYPES, {}),
    (("torch.isinf",), ("isinf",), ALL_DTYPES, {}),
    (("torch.logical_not",), ("logical_not",), ALL_DTYPES, {}),
    (("torch.bitwise_not",), ("bitwise_not", "__invert__"), INTEGRAL_DTYPES, {}),
    (("torch.round",), ("round",), REAL_DTYPES, {}),
    (("torch.real",), (), ALL_DTYPES, {}),
    (("torch.imag",), (), (torch.complex64,), {}),
]

# unary operators spelled as Python syntax
UNARY_OPERATORS = {"__abs__": abs, "__neg__": operator.neg, "__invert__": operator.invert}


def _unary_records():
    for functions, methods, dtypes, kwargs in UNARY:
        samples = unary_samples(**kwargs)
        for dotted in functions:
            op_db.append(OpInfo(dotted, resolve(dotted), samples, dtypes))
        for name in methods:
            op = UNARY_OPERATORS.get(name) or method(name)
            op_db.append(OpInfo(f"Tensor.{name}", op, samples, dtypes,
                                covers=(getattr(torch.Tensor, name),)))


def _round_decimals_samples(dtype, requires_grad):
    x = make((4, 5), dtype, low=-100, high=100, requires_grad=requires_grad)
    yield SampleInput((x,), {"decimals": 2}, "decimals=2")
    yield SampleInput((x,), {"decimals": -1}, "decimals=-1")
    yield SampleInput((extremal(dtype),), {"decimals": 1}, "inf and nan")


def _round_records():
    # round(x, decimals=n) is a separate overload: only floating dtypes
    op_db.append(OpInfo("torch.round(decimals)", torch.round, _round_decimals_samples,
                        FLOAT_DTYPES, covers=(torch.round,)))


# -- binary ops -----------------------------------------------------------------------------

_POSITIVE = {"rhs_low": 1}
_SHIFT = {"rhs_low": 0, "rhs_high": 8, "low": 0, "high": 1000}

# (torch callables, Tensor methods, dtypes, sample kwargs)
BINARY = [
    (("torch.add",), ("add", "__add__"), ALL_DTYPES, {}),
    (("torch.sub", "torch.subtract"), ("sub", "subtract", "__sub__"), NONBOOL_DTYPES, {}),
    (("torch.mul", "torch.multiply"), ("mul", "multiply", "__mul__"), ALL_DTYPES, {}),
    (("torch.div", "torch.divide", "torch.true_divide"),
     ("div", "divide", "true_divide", "__truediv__"), ALL_DTYPES, {}),
    (("torch.floor_divide",), ("floor_divide", "__floordiv__"), NUMERIC_DTYPES, _POSITIVE),
    (("torch.remainder",), ("remainder", "__mod__"), NUMERIC_DTYPES, _POSITIVE),
    (("torch.fmod",), ("fmod",), NUMERIC_DTYPES, _POSITIVE),
    (("torch.pow",), ("pow", "__pow__"), NONBOOL_DTYPES, {"rhs_low": 0, "rhs_high": 4}),
    (("torch.maximum",), ("maximum",), REAL_DTYPES, {"scalar": False}),
    (("torch.minimum",), ("minimum",), REAL_DTYPES, {"scalar": False}),
    (("torch.atan2", "torch.arctan2"), ("atan2",), REAL_DTYPES, {"scalar": False}),
    (("torch.hypot",), ("hypot",), FLOAT_DTYPES, {"scalar": False}),
    (("torch.copysign",), ("copysign",), REAL_DTYPES, {}),
    (("torch.nextafter",), ("nextafter",), (torch.float32, torch.float64, torch.bfloat16),
     {"scalar": False}),
    (("torch.eq",), ("eq", "__eq__"), ALL_DTYPES, {}),
    (("torch.ne", "torch.not_equal"), ("ne", "__ne__"), ALL_DTYPES, {}),
    (("torch.lt", "torch.less"), ("lt", "__lt__"), REAL_DTYPES, {}),
    (("torch.le", "torch.less_equal"), ("le", "__le__"), REAL_DTYPES, {}),
    (("torch.gt", "torch.greater"), ("gt", "__gt__"), REAL_DTYPES, {}),
    (("torch.ge", "torch.greater_equal"), ("ge", "__ge__"), REAL_DTYPES, {}),
    (("torch.bitwise_and",), ("bitwise_and", "__and__"), INTEGRAL_DTYPES, {}),
    (("torch.bitwise_or",), ("bitwise_or", "__or__"), INTEGRAL_DTYPES, {}),
    (("torch.bitwise_xor",), ("bitwise_xor", "__xor__"), INTEGRAL_DTYPES, {}),
    (("torch.bitwise_left_shift",), ("bitwise_left_shift", "__lshift__"), INT_DTYPES, _SHIFT),
    (("torch.bitwise_right_shift",), ("bitwise_right_shift", "__rshift__"), INT_DTYPES,
     _SHIFT),
    (("torch.logical_and",), ("logical_and",), ALL_DTYPES, {}),
    (("torch.logical_or",), ("logical_or",), ALL_DTYPES, {}),
    (("torch.logical_xor",), ("logical_xor",), ALL_DTYPES, {}),
]

BINARY_OPERATORS = {
    "__add__": operator.add, "__sub__": operator.sub, "__mul__": operator.mul,
    "__truediv__": operator.truediv, "__floordiv__": operator.floordiv, "__mod__": operator.mod,
    "__pow__": operator.pow, "__eq__": operator.eq, "__ne__": operator.ne,
    "__lt__": operator.lt, "__le__": operator.le, "__gt__": operator.gt, "__ge__": operator.ge,
    "__and__": operator.and_, "__or__": operator.or_, "__xor__": operator.xor,
    "__lshift__": operator.lshift, "__rshift__": operator.rshift,
}

# reflected operators: `scalar <op> tensor` reaches Tensor.__r<op>__
# (name, Python operator, dtypes, smallest tensor value)
REFLECTED = [
    ("__radd__", operator.add, ALL_DTYPES, None),
    ("__rsub__", operator.sub, NONBOOL_DTYPES, None),
    ("__rmul__", operator.mul, ALL_DTYPES, None),
    ("__rtruediv__", operator.truediv, ALL_DTYPES, None),
    ("__rfloordiv__", operator.floordiv, NUMERIC_DTYPES, 1),
    ("__rmod__", operator.mod, NUMERIC_DTYPES, 1),
    ("__rpow__", operator.pow, NONBOOL_DTYPES, 0),
    ("__rand__", operator.and_, INTEGRAL_DTYPES, None),
    ("__ror__", operator.or_, INTEGRAL_DTYPES, None),
    ("__rxor__", operator.xor, INTEGRAL_DTYPES, None),
]


def _reflected(python_op):
    def call(tensor, scalar):
        return python_op(scalar, tensor)

    return call


def _binary_records():
    for functions, methods, dtypes, kwargs in BINARY:
        samples = binary_samples(**kwargs)
        for dotted in functions:
            op_db.append(OpInfo(dotted, resolve(dotted), samples, dtypes,
                                error_inputs=_error_mixed_shapes))
        for name in methods:
            op = BINARY_OPERATORS.get(name) or method(name)
            op_db.append(OpInfo(f"Tensor.{name}", op, samples, dtypes,
                                covers=(getattr(torch.Tensor, name),)))
    for name, python_op, dtypes, low in REFLECTED:
        op_db.append(OpInfo(f"Tensor.{name}", _reflected(python_op), reflected_samples(low),
                            dtypes, covers=(getattr(torch.Tensor, name),)))


def _alpha_samples(dtype, requires_grad):
    a = make((4, 5), dtype, requires_grad=requires_grad)
    b = make((5,), dtype, requires_grad=requires_grad)
    alpha = 2 if not dtype.is_floating_point else 0.5
    yield SampleInput((a, b), {"alpha": alpha}, "alpha keyword")
    yield SampleInput((a, scalar_for(dtype)), {"alpha": alpha}, "alpha with scalar")


def _rounding_mode_samples(dtype, requires_grad):
    a = make((4, 5), dtype, requires_grad=requires_grad)
    b = make((4, 5), dtype, low=1, requires_grad=requires_grad)
    for mode in ("trunc", "floor", None):
        yield SampleInput((a, b), {"rounding_mode": mode}, f"rounding_mode={mode}")


def _keyword_records():
    for dotted in ("torch.add", "torch.sub", "torch.rsub"):
        xfails = {}
        if dotted != "torch.rsub":
            xfails = xfail_all(NUMERIC_DTYPES, f"{dotted}(tensor, scalar, alpha=a) raises "
                               "TypeError: it multiplies the two Python scalars with ltorch.mul")
        op_db.append(OpInfo(f"{dotted}(alpha)", resolve(dotted), _alpha_samples, NUMERIC_DTYPES,
                            covers=(resolve(dotted),), xfails=xfails))
    op_db.append(OpInfo("torch.div(rounding_mode)", torch.div, _rounding_mode_samples,
                        NUMERIC_DTYPES, covers=(torch.div,)))
    op_db.append(OpInfo("torch.rsub", torch.rsub, binary_samples(), NONBOOL_DTYPES))


# -- where ----------------------------------------------------------------------------------


def _where_samples(dtype, requires_grad):
    cond = make((4, 5), torch.bool)
    a = make((4, 5), dtype, requires_grad=requires_grad)
    b = make((4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((cond, a, b), {}, "same shape")
    yield SampleInput((make((4, 1), torch.bool), make((1, 5), dtype), make((5,), dtype)), {},
                      "broadcasting")
    yield SampleInput((cond, a, scalar_for(dtype)), {}, "scalar other")
    yield SampleInput((cond, scalar_for(dtype), b), {}, "scalar input")
    yield SampleInput((make((0, 3), torch.bool), make((0, 3), dtype), make((), dtype)), {},
                      "empty")
    yield SampleInput((cond.t(), transposed((5, 4), dtype), b.t()), {}, "transposed")
    yield SampleInput((cond, extremal(dtype)[:1], b), {}, "inf and nan")


def _where_records():
    op_db.append(OpInfo("torch.where", torch.where, _where_samples, ALL_DTYPES))

    def where_method(cond, a, b):
        return a.where(cond, b)

    def method_samples(dtype, requires_grad):
        for s in _where_samples(dtype, requires_grad):
            if isinstance(s.args[1], torch.Tensor):
                yield s

    reason = ("x.where(cond, y) is registered as torch.where(condition, input, other), so self "
              "is taken as the condition")
    op_db.append(OpInfo("Tensor.where", where_method, method_samples, ALL_DTYPES,
                        covers=(torch.Tensor.where,), xfails=xfail_all(ALL_DTYPES, reason)))


_unary_records()
_round_records()
_binary_records()
_keyword_records()
_where_records()
