"""Type-level lookups shared by the attribute, operator and call protocols.

Python resolves special methods (``__add__``, ``__getattr__``, ``__call__`` ...) on the *type*,
walking its MRO and ignoring the instance dict. :func:`lookup_type` does exactly that.
:func:`is_python_type` tells whether a type may carry Python-level behaviour: only heap types
(classes made by a ``class`` statement or ``type(...)``) can; for static C types (int, list,
dict, ...) the interpreter always uses the native operation.
"""

from types import FunctionType, MethodType

__all__ = ["MISSING", "HEAPTYPE", "is_python_type", "lookup_type", "call_dunder"]

#: Bit of ``type.__flags__`` that marks heap types (``Py_TPFLAGS_HEAPTYPE``).
HEAPTYPE = 1 << 9


class _Missing:
    __slots__ = ()

    def __repr__(self):
        return "<MISSING>"


#: Returned by :func:`lookup_type` when no class of the MRO defines the name.
MISSING = _Missing()


def is_python_type(cls):
    """True for heap types, whose special methods may be Python functions.

    >>> is_python_type(int), is_python_type(type("A", (), {}))
    (False, True)
    """
    return bool(cls.__flags__ & HEAPTYPE)


def lookup_type(cls, name):
    """The raw attribute ``name`` of the first class of ``cls.__mro__`` defining it, or MISSING.

    >>> lookup_type(int, "__add__") is int.__dict__["__add__"]
    True
    """
    for klass in cls.__mro__:
        namespace = klass.__dict__
        if name in namespace:
            return namespace[name]
    return MISSING


def call_dunder(rt, method, obj, args):
    """Calls the special method ``method`` (raw, from the type) on ``obj`` via the call protocol.

    A Python function is bound into a bound method (so lookasides see ``__self__``/``__func__``);
    anything else is bound with its ``__get__`` when it has one.
    """
    if type(method) is FunctionType:
        return rt.call(MethodType(method, obj), args, {})
    getter = getattr(type(method), "__get__", None)
    if getter is not None:
        return rt.call(getter(method, obj, type(obj)), args, {})
    return rt.call(method, (obj, *args), {})
