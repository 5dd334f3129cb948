"""Classes: running ``class`` statements and instantiating Python classes.

:func:`build_class` replaces ``builtins.__build_class__`` (which would run the class body
natively): it resolves ``__mro_entries__``, picks the most derived metaclass, calls
``__prepare__``, *interprets* the body with the namespace as its locals, then calls the
metaclass. The body stores its ``__class__`` cell as ``__classcell__``, which ``type.__new__``
fills, so zero-argument ``super()`` works in the methods. ``__init_subclass__`` and
``__set_name__`` are run by ``type.__new__`` itself, natively.

:func:`call_class` instantiates a class whose metaclass call is ``type.__call__``: Python
``__new__`` and ``__init__`` run interpreted; classes without Python ones are called natively.
"""

import types
from types import FunctionType, MethodType

from thunder.interpreter.code_info import code_info
from thunder.interpreter.frame import NULL, Frame
from thunder.interpreter.lookup import HEAPTYPE, lookup_type
from thunder.interpreter.opcodes import DISPATCH

__all__ = ["build_class", "call_class"]

_TYPE_CALL = type.__dict__["__call__"]
_OBJECT_NEW = object.__new__
_OBJECT_INIT = object.__dict__["__init__"]


def call_class(rt, cls, args, kwargs):
    """``cls(*args, **kwargs)`` with Python ``__new__``/``__init__`` interpreted."""
    metaclass = type(cls)
    if metaclass is not type:
        metaclass_call = lookup_type(metaclass, "__call__")
        if type(metaclass_call) is FunctionType:
            return rt.call(MethodType(metaclass_call, cls), args, kwargs)
        if metaclass_call is not _TYPE_CALL:
            return rt.call_opaque(cls, args, kwargs)
    if not cls.__flags__ & HEAPTYPE:
        return rt.call_opaque(cls, args, kwargs)
    new = lookup_type(cls, "__new__")
    if type(new) is staticmethod:
        new = new.__func__
    init = lookup_type(cls, "__init__")
    python_new = type(new) is FunctionType
    if not python_new and type(init) is not FunctionType:
        return rt.call_opaque(cls, args, kwargs)
    if new is _OBJECT_NEW:
        obj = _OBJECT_NEW(cls)
    else:
        obj = rt.call(new, (cls, *args), kwargs)
    obj_type = type(obj)
    if not isinstance(obj, cls):
        return obj
    if obj_type is not cls:
        init = lookup_type(obj_type, "__init__")
    if type(init) is FunctionType:
        result = rt.call(MethodType(init, obj), args, kwargs)
    elif init is _OBJECT_INIT:
        result = None
    else:
        result = rt.call(init, (obj, *args), kwargs)
    if result is not None:
        raise TypeError(f"__init__() should return None, not '{type(result).__name__}'")
    return obj


def build_class(rt, args, kwargs):
    """The interpreter's ``__build_class__(body, name, *bases, metaclass=..., **kwds)``."""
    if len(args) < 2:
        raise TypeError("__build_class__: not enough arguments")
    body, name, *bases = args
    if type(body) is not FunctionType:
        raise TypeError("__build_class__: func must be a function")
    keywords = dict(kwargs)
    metaclass = keywords.pop("metaclass", None)
    original_bases = tuple(bases)
    bases = types.resolve_bases(original_bases)
    if metaclass is None:
        metaclass = type(bases[0]) if bases else type
    if isinstance(metaclass, type):
        metaclass = _most_derived_metaclass(metaclass, bases)
    prepare = getattr(metaclass, "__prepare__", None)
    if prepare is None:
        namespace = {}
    elif type(prepare) is MethodType and type(prepare.__func__) is FunctionType:
        namespace = rt.call(prepare, (name, bases), keywords)
    else:
        namespace = prepare(name, bases, **keywords)
    run_class_body(rt, body, namespace)
    if bases is not original_bases and bases != original_bases:
        namespace["__orig_bases__"] = original_bases
    return rt.call(metaclass, (name, bases, namespace), keywords)


def run_class_body(rt, body, namespace):
    """Interprets a class body function with ``namespace`` as its locals."""
    info = code_info(body.__code__, DISPATCH)
    localsplus = [NULL] * info.nlocalsplus
    frame = Frame(rt, info, localsplus, body.__globals__, body.__builtins__, namespace, body)
    return rt.run_frame(frame, None)


def _most_derived_metaclass(metaclass, bases):
    winner = metaclass
    for base in bases:
        base_meta = type(base)
        if issubclass(winner, base_meta):
            continue
        if issubclass(base_meta, winner):
            winner = base_meta
            continue
        raise TypeError(
            "metaclass conflict: the metaclass of a derived class must be a (non-strict) "
            "subclass of the metaclasses of all its bases"
        )
    return winner
