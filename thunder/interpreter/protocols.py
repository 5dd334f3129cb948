"""Python's operator protocols, run so that user-defined special methods are interpreted.

When every operand has a static C type (int, float, str, list, ...) the native ``operator``
function is used directly: nothing user-defined can be involved. Otherwise the protocol is
spelled out: ``a.__op__(b)``, then the reflected ``b.__rop__(a)`` (first, when ``type(b)`` is a
proper subclass of ``type(a)`` that overrides it), ``NotImplemented`` handling, in-place methods
falling back to binary ones, ``__bool__``/``__len__`` truth tests. Special methods are called
through the call protocol, so lookasides see them and Python ones are interpreted.
"""

import operator
from types import FunctionType, MethodType

from thunder.interpreter.lookup import HEAPTYPE, MISSING, call_dunder, lookup_type

__all__ = [
    "BINARY_OPERATORS",
    "binary_op",
    "compare_op",
    "unary_op",
    "truth",
    "get_item",
    "set_item",
    "delete_item",
    "contains",
    "get_iter",
    "next_or_exhausted",
    "EXHAUSTED",
    "to_repr",
    "to_str",
    "to_format",
]

#: Per ``BINARY_OP`` argument (CPython's NB_* order): symbol, native function, method, reflected.
_BINARY = [
    ("+", operator.add, "__add__", "__radd__"),
    ("&", operator.and_, "__and__", "__rand__"),
    ("//", operator.floordiv, "__floordiv__", "__rfloordiv__"),
    ("<<", operator.lshift, "__lshift__", "__rlshift__"),
    ("@", operator.matmul, "__matmul__", "__rmatmul__"),
    ("*", operator.mul, "__mul__", "__rmul__"),
    ("%", operator.mod, "__mod__", "__rmod__"),
    ("|", operator.or_, "__or__", "__ror__"),
    ("**", operator.pow, "__pow__", "__rpow__"),
    (">>", operator.rshift, "__rshift__", "__rrshift__"),
    ("-", operator.sub, "__sub__", "__rsub__"),
    ("/", operator.truediv, "__truediv__", "__rtruediv__"),
    ("^", operator.xor, "__xor__", "__rxor__"),
]
_INPLACE = [
    operator.iadd, operator.iand, operator.ifloordiv, operator.ilshift, operator.imatmul,
    operator.imul, operator.imod, operator.ior, operator.ipow, operator.irshift, operator.isub,
    operator.itruediv, operator.ixor,
]

#: Builtin containers whose mutations by syntax (``c[k] = v``, ``del c[k]``, ``c += x``) are
#: made as opaque calls of their methods, so ``on_opaque_call`` sees every mutation.
MUTABLE_CONTAINERS = frozenset({list, dict, set, bytearray})

#: Native implementation per ``BINARY_OP`` argument, in-place forms included (indices 13..25).
BINARY_OPERATORS = [spec[1] for spec in _BINARY] + _INPLACE
FIRST_INPLACE = len(_BINARY)


def binary_op(rt, lhs, rhs, op_index):
    """``lhs <op> rhs`` for a ``BINARY_OP`` argument (in-place forms included)."""
    if not (type(lhs).__flags__ & HEAPTYPE or type(rhs).__flags__ & HEAPTYPE):
        if op_index >= len(_BINARY) and type(lhs) in MUTABLE_CONTAINERS:
            # ``lst += [x]`` mutates lst: an opaque call, so the callbacks see the mutation
            name = "__i" + _BINARY[op_index - len(_BINARY)][2][2:]
            method = getattr(lhs, name, None)
            if method is not None:
                return rt.call_opaque(method, (rhs,), {})
        return BINARY_OPERATORS[op_index](lhs, rhs)
    if op_index >= len(_BINARY):
        base = op_index - len(_BINARY)
        symbol, _, name, _ = _BINARY[base]
        inplace = lookup_type(type(lhs), "__i" + name[2:])
        if inplace is not MISSING:
            result = call_dunder(rt, inplace, lhs, (rhs,))
            if result is not NotImplemented:
                return result
        return _binary_protocol(rt, lhs, rhs, base, symbol + "=")
    return _binary_protocol(rt, lhs, rhs, op_index, _BINARY[op_index][0])


def _binary_protocol(rt, lhs, rhs, op_index, symbol):
    _, _, name, reflected_name = _BINARY[op_index]
    lhs_type, rhs_type = type(lhs), type(rhs)
    reflected = MISSING
    if rhs_type is not lhs_type:
        reflected = lookup_type(rhs_type, reflected_name)
    if reflected is not MISSING and issubclass(rhs_type, lhs_type):
        if reflected is not lookup_type(lhs_type, reflected_name):
            result = call_dunder(rt, reflected, rhs, (lhs,))
            if result is not NotImplemented:
                return result
            reflected = MISSING
    method = lookup_type(lhs_type, name)
    if method is not MISSING:
        result = call_dunder(rt, method, lhs, (rhs,))
        if result is not NotImplemented:
            return result
    if reflected is not MISSING:
        result = call_dunder(rt, reflected, rhs, (lhs,))
        if result is not NotImplemented:
            return result
    if symbol == "**":
        symbol = "** or pow()"
    raise TypeError(
        f"unsupported operand type(s) for {symbol}: "
        f"'{lhs_type.__name__}' and '{rhs_type.__name__}'"
    )


_COMPARE = {
    "<": (operator.lt, "__lt__", "__gt__"),
    "<=": (operator.le, "__le__", "__ge__"),
    "==": (operator.eq, "__eq__", "__eq__"),
    "!=": (operator.ne, "__ne__", "__ne__"),
    ">": (operator.gt, "__gt__", "__lt__"),
    ">=": (operator.ge, "__ge__", "__le__"),
}
_OBJECT_NE = object.__dict__["__ne__"]


def compare_op(rt, lhs, rhs, op):
    """Rich comparison ``lhs <op> rhs`` where ``op`` is one of ``< <= == != > >=``."""
    native, name, reflected_name = _COMPARE[op]
    lhs_type, rhs_type = type(lhs), type(rhs)
    if not (lhs_type.__flags__ & HEAPTYPE or rhs_type.__flags__ & HEAPTYPE):
        return native(lhs, rhs)
    reflected_first = rhs_type is not lhs_type and issubclass(rhs_type, lhs_type)
    if reflected_first:
        result = _rich_call(rt, rhs, reflected_name, lhs)
        if result is not NotImplemented:
            return result
    result = _rich_call(rt, lhs, name, rhs)
    if result is not NotImplemented:
        return result
    if not reflected_first:
        result = _rich_call(rt, rhs, reflected_name, lhs)
        if result is not NotImplemented:
            return result
    if op == "==":
        return lhs is rhs
    if op == "!=":
        return lhs is not rhs
    raise TypeError(
        f"'{op}' not supported between instances of "
        f"'{lhs_type.__name__}' and '{rhs_type.__name__}'"
    )


def _rich_call(rt, obj, name, other):
    method = lookup_type(type(obj), name)
    if method is MISSING:
        return NotImplemented
    if method is _OBJECT_NE:
        # object.__ne__ inverts __eq__; do that here so a Python __eq__ runs interpreted.
        result = _rich_call(rt, obj, "__eq__", other)
        if result is NotImplemented:
            return result
        return not truth(rt, result)
    return call_dunder(rt, method, obj, (other,))


_UNARY_SYMBOLS = {"__neg__": "-", "__pos__": "+", "__invert__": "~"}


def unary_op(rt, value, name, native):
    """``-value``, ``+value`` or ``~value`` (``name`` is the special method)."""
    cls = type(value)
    if not cls.__flags__ & HEAPTYPE:
        return native(value)
    method = lookup_type(cls, name)
    if method is MISSING:
        symbol = _UNARY_SYMBOLS[name]
        raise TypeError(f"bad operand type for unary {symbol}: '{cls.__name__}'")
    return call_dunder(rt, method, value, ())


def truth(rt, value):
    """``bool(value)`` via ``__bool__`` then ``__len__``, the way ``if`` tests it."""
    cls = type(value)
    if not cls.__flags__ & HEAPTYPE:
        return bool(value)
    method = lookup_type(cls, "__bool__")
    if method is not MISSING:
        result = call_dunder(rt, method, value, ())
        if type(result) is not bool:
            raise TypeError(f"__bool__ should return bool, returned {type(result).__name__}")
        return result
    method = lookup_type(cls, "__len__")
    if method is not MISSING:
        length = operator.index(call_dunder(rt, method, value, ()))
        if length < 0:
            raise ValueError("__len__() should return >= 0")
        return length != 0
    return True


def get_item(rt, container, key):
    """``container[key]``, then the ``on_subscr`` hook."""
    cls = type(container)
    method = MISSING
    if cls.__flags__ & HEAPTYPE:
        method = lookup_type(cls, "__getitem__")
    if method is MISSING:
        value = container[key]
    else:
        value = call_dunder(rt, method, container, (key,))
    hook = rt.on_subscr
    if hook is not None:
        value = hook(container, key, value)
    return value


def set_item(rt, container, key, value):
    """``container[key] = value``."""
    cls = type(container)
    if cls.__flags__ & HEAPTYPE:
        method = lookup_type(cls, "__setitem__")
        if type(method) is FunctionType:
            call_dunder(rt, method, container, (key, value))
            return
    if cls in MUTABLE_CONTAINERS:  # an opaque call, so the callbacks see the mutation
        rt.call_opaque(container.__setitem__, (key, value), {})
        return
    container[key] = value


def delete_item(rt, container, key):
    """``del container[key]``."""
    cls = type(container)
    if cls.__flags__ & HEAPTYPE:
        method = lookup_type(cls, "__delitem__")
        if type(method) is FunctionType:
            call_dunder(rt, method, container, (key,))
            return
    if cls in MUTABLE_CONTAINERS:
        rt.call_opaque(container.__delitem__, (key,), {})
        return
    del container[key]


def contains(rt, item, container):
    """``item in container``."""
    cls = type(container)
    if cls.__flags__ & HEAPTYPE:
        method = lookup_type(cls, "__contains__")
        if type(method) is FunctionType:
            return truth(rt, call_dunder(rt, method, container, (item,)))
        if method is MISSING and type(lookup_type(cls, "__iter__")) is FunctionType:
            iterator = get_iter(rt, container)
            while True:
                value = next_or_exhausted(rt, iterator)
                if value is EXHAUSTED:
                    return False
                if value is item or compare_op(rt, value, item, "=="):
                    return True
    return item in container


def get_iter(rt, iterable):
    """``iter(iterable)``; a Python ``__iter__`` runs interpreted."""
    cls = type(iterable)
    if cls.__flags__ & HEAPTYPE:
        method = lookup_type(cls, "__iter__")
        if type(method) is FunctionType:
            iterator = call_dunder(rt, method, iterable, ())
            if lookup_type(type(iterator), "__next__") is MISSING:
                kind = type(iterator).__name__
                raise TypeError(f"iter() returned non-iterator of type '{kind}'")
            return iterator
    return iter(iterable)


class _Exhausted:
    __slots__ = ()

    def __repr__(self):
        return "<EXHAUSTED>"


#: Returned by :func:`next_or_exhausted` instead of raising StopIteration.
EXHAUSTED = _Exhausted()


def next_or_exhausted(rt, iterator):
    """``next(iterator)``, or :data:`EXHAUSTED` when it raises StopIteration."""
    cls = type(iterator)
    if cls.__flags__ & HEAPTYPE:
        method = lookup_type(cls, "__next__")
        if type(method) is FunctionType and not getattr(cls, "_thunder_native", False):
            try:
                return rt.call(MethodType(method, iterator), (), {})
            except StopIteration:
                return EXHAUSTED
    return next(iterator, EXHAUSTED)


_OBJECT_STR = object.__dict__["__str__"]
_OBJECT_FORMAT = object.__dict__["__format__"]


def _checked_string(result, name):
    if not isinstance(result, str):
        raise TypeError(f"{name} returned non-string (type {type(result).__name__})")
    return result


def to_repr(rt, value):
    """``repr(value)``; a Python ``__repr__`` runs interpreted."""
    cls = type(value)
    if cls.__flags__ & HEAPTYPE:
        method = lookup_type(cls, "__repr__")
        if type(method) is FunctionType:
            return _checked_string(call_dunder(rt, method, value, ()), "__repr__")
    return repr(value)


def to_str(rt, value):
    """``str(value)``; a Python ``__str__`` (or ``__repr__`` behind ``object.__str__``) runs
    interpreted."""
    cls = type(value)
    if cls is str:
        return value
    if cls.__flags__ & HEAPTYPE:
        method = lookup_type(cls, "__str__")
        if type(method) is FunctionType:
            return _checked_string(call_dunder(rt, method, value, ()), "__str__")
        if method is _OBJECT_STR:
            return to_repr(rt, value)
    return str(value)


def to_format(rt, value, spec):
    """``format(value, spec)``; a Python ``__format__`` runs interpreted."""
    cls = type(value)
    if cls.__flags__ & HEAPTYPE:
        method = lookup_type(cls, "__format__")
        if type(method) is FunctionType:
            return _checked_string(call_dunder(rt, method, value, (spec,)), "__format__")
        if method is _OBJECT_FORMAT:
            if spec:
                raise TypeError(f"unsupported format string passed to {cls.__name__}.__format__")
            return to_str(rt, value)
    return format(value, spec)
