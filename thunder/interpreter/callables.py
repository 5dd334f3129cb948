"""How the interpreter performs a call: the single entry point :func:`call`.

Dispatch order for ``fn(*args, **kwargs)`` (NOTE [Call dispatch]):

1. ``callbacks.lookaside(fn)``: if it returns a callable, that is called natively instead.
2. Python functions, bound methods of Python functions, ``functools.partial`` objects (unwrapped),
   Python classes (``__new__``/``__init__`` interpreted, see ``classes.py``), objects with a Python
   ``__call__`` and the builtins that need the caller's frame or call back into user code
   (``special_callables.py``) are interpreted.
3. Anything else is *opaque*: ``on_opaque_call``, the native call, ``on_opaque_result``.

Functions defined by the interpreter itself (for instance the methods of interpreted
generators) are always called natively: the interpreter never interprets its own helpers.
"""

import functools
from types import BuiltinMethodType, FunctionType, MethodType

from thunder.interpreter.arguments import bind_arguments
from thunder.interpreter.code_info import code_info
from thunder.interpreter.errors import error_at
from thunder.interpreter.frame import Frame
from thunder.interpreter.lookup import HEAPTYPE, lookup_type
from thunder.interpreter.opcodes import DISPATCH
from thunder.interpreter.classes import call_class
from thunder.interpreter.special_callables import SPECIAL_CALLABLES, sort_list

__all__ = ["call", "call_function", "call_opaque", "INTERNAL_GLOBALS"]

#: ids of the module dicts of the interpreter's own modules (filled in by the package).
INTERNAL_GLOBALS = set()


def call(rt, fn, args, kwargs):
    """Calls ``fn(*args, **kwargs)`` following NOTE [Call dispatch]; ``args`` is a tuple."""
    lookaside = rt.lookaside
    if lookaside is not None:
        replacement = lookaside(fn)
        if replacement is not None:
            return replacement(*args, **kwargs)
    fn_type = type(fn)
    if fn_type is FunctionType:
        return call_function(rt, fn, args, kwargs)
    if fn_type is MethodType:
        func = fn.__func__
        if type(func) is FunctionType:
            return call_function(rt, func, (fn.__self__, *args), kwargs)
        return call(rt, func, (fn.__self__, *args), kwargs)
    special = SPECIAL_CALLABLES.get(id(fn))
    if special is not None:
        return special(rt, args, kwargs)
    if fn_type is BuiltinMethodType:
        if fn.__name__ == "sort" and type(fn.__self__) is list and "key" in kwargs:
            return sort_list(rt, fn.__self__, args, kwargs)
        return call_opaque(rt, fn, args, kwargs)
    if fn_type is functools.partial:
        return call(rt, fn.func, fn.args + args, {**fn.keywords, **kwargs})
    if fn_type is staticmethod:
        return call(rt, fn.__func__, args, kwargs)
    if isinstance(fn, type):
        return call_class(rt, fn, args, kwargs)
    if fn_type.__flags__ & HEAPTYPE:
        method = lookup_type(fn_type, "__call__")
        if type(method) is FunctionType:
            return call(rt, MethodType(method, fn), args, kwargs)
    return call_opaque(rt, fn, args, kwargs)


def call_opaque(rt, fn, args, kwargs):
    """A native call of something neither looked aside nor interpreted, with its hooks."""
    hook = rt.on_opaque_call
    if hook is not None:
        hook(fn, args, kwargs)
    result = fn(*args, **kwargs)
    hook = rt.on_opaque_result
    if hook is not None:
        result = hook(fn, args, kwargs, result)
    return result


def call_function(rt, func, args, kwargs):
    """Interprets the Python function ``func`` on the given arguments."""
    if id(func.__globals__) in INTERNAL_GLOBALS:
        return func(*args, **kwargs)
    info = code_info(func.__code__, DISPATCH)
    if info.is_async:
        location = rt.frames[-1].location() if rt.frames else None
        raise error_at(
            f"calling async function {func.__qualname__}(): async functions are not supported",
            location,
            "call it outside the compiled function",
        )
    localsplus = bind_arguments(func, info, args, kwargs)
    frame = Frame(rt, info, localsplus, func.__globals__, func.__builtins__, None, func)
    return rt.run_frame(frame, None)
