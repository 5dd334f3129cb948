"""Builtins the interpreter implements itself.

Two kinds of builtin cannot simply be called natively from interpreted code:

* those that inspect the *caller's frame*, which would be the interpreter's own frame:
  zero-argument ``super()``, ``globals()``, ``locals()``, ``vars()``, ``dir()``, ``exec``/``eval``
  without explicit namespaces, ``sys.exc_info()``/``sys.exception()``, ``__build_class__``;
* those that call back into user code, which should then run interpreted: ``map``, ``filter``,
  ``sorted``/``min``/``max``/``list.sort`` with ``key=``, ``sum``, ``print``, ``getattr``/
  ``setattr``/``hasattr``/``delattr``, ``iter``/``next``, ``len``, ``repr``, ``str``,
  ``format``, ``bool``, ``abs``.

:data:`SPECIAL_CALLABLES` maps ``id(builtin)`` to ``handler(rt, args, kwargs)``. Lookasides are
consulted before this table, so a compiler can still override any of these builtins. Forms not
handled here (unusual arguments) fall back to an opaque native call.
"""

import builtins
import operator
import sys
from types import CellType, CodeType, FunctionType

from thunder.interpreter import protocols
from thunder.interpreter.attributes import delete_attr, has_attr, load_attr, store_attr
from thunder.interpreter.classes import build_class
from thunder.interpreter.code_info import code_info
from thunder.interpreter.errors import error_at
from thunder.interpreter.frame import NULL, Frame
from thunder.interpreter.lookup import HEAPTYPE, MISSING, call_dunder, lookup_type
from thunder.interpreter.opcodes import DISPATCH
from thunder.interpreter.special_iteration import iterate

__all__ = ["SPECIAL_CALLABLES", "sort_list", "frame_locals"]

SPECIAL_CALLABLES = {}


def _implements(*builtin_objects):
    def register(handler):
        for obj in builtin_objects:
            SPECIAL_CALLABLES[id(obj)] = handler
        return handler

    return register


def _caller(rt):
    return rt.frames[-1]


# Frame introspection ------------------------------------------------------------------------


def frame_locals(frame):
    """The ``locals()`` dict of an interpreted frame (a snapshot for function frames)."""
    if frame.locals is not None:
        return frame.locals
    info = frame.info
    code = info.code
    cell_names = set(code.co_cellvars) | set(code.co_freevars)
    result = {}
    for index, name in enumerate(info.localsplus_names):
        value = frame.localsplus[index]
        if name in cell_names and type(value) is CellType:
            try:
                value = value.cell_contents
            except ValueError:
                continue
        if value is not NULL:
            result[name] = value
    return result


def zero_arg_super_arguments(frame):
    """``(__class__, first argument)`` of the frame, as zero-argument ``super()`` uses them."""
    info = frame.info
    code = info.code
    if code.co_argcount == 0 and not code.co_flags & 0x04:
        raise RuntimeError("super(): no arguments")
    first = frame.localsplus[0]
    if code.co_varnames[0] in code.co_cellvars and type(first) is CellType:
        try:
            first = first.cell_contents
        except ValueError:
            first = NULL
    if first is NULL:
        raise RuntimeError("super(): arg[0] deleted")
    if "__class__" not in code.co_freevars:
        raise RuntimeError("super(): __class__ cell not found")
    cell = frame.localsplus[info.localsplus_names.index("__class__")]
    try:
        cls = cell.cell_contents
    except ValueError:
        raise RuntimeError("super(): empty __class__ cell") from None
    return cls, first


@_implements(super)
def _super(rt, args, kwargs):
    if args or kwargs:
        return rt.call_opaque(super, args, kwargs)
    return super(*zero_arg_super_arguments(_caller(rt)))


@_implements(builtins.globals)
def _globals(rt, args, kwargs):
    if args or kwargs:
        return rt.call_opaque(builtins.globals, args, kwargs)
    return _caller(rt).globals


@_implements(builtins.locals)
def _locals(rt, args, kwargs):
    if args or kwargs:
        return rt.call_opaque(builtins.locals, args, kwargs)
    return frame_locals(_caller(rt))


@_implements(builtins.vars)
def _vars(rt, args, kwargs):
    if args or kwargs:
        return rt.call_opaque(builtins.vars, args, kwargs)
    return frame_locals(_caller(rt))


@_implements(builtins.dir)
def _dir(rt, args, kwargs):
    if args or kwargs:
        return rt.call_opaque(builtins.dir, args, kwargs)
    return sorted(frame_locals(_caller(rt)))


@_implements(sys.exc_info)
def _exc_info(rt, args, kwargs):
    exc = rt.handled_exc
    if exc is None:
        return (None, None, None)
    return (type(exc), exc, exc.__traceback__)


if hasattr(sys, "exception"):

    @_implements(sys.exception)
    def _exception(rt, args, kwargs):
        return rt.handled_exc


@_implements(builtins.__build_class__)
def _build_class(rt, args, kwargs):
    return build_class(rt, args, kwargs)


def _run_code(rt, source, mode, args, kwargs, builtin):
    if kwargs.keys() - {"globals", "locals"} or len(args) > 3:
        return rt.call_opaque(builtin, args, kwargs)
    names = ("source", "globals", "locals")
    bound = dict(zip(names, args))
    bound.update(kwargs)
    globals_dict, locals_dict = bound.get("globals"), bound.get("locals")
    if globals_dict is None:
        frame = _caller(rt)
        globals_dict = frame.globals
        if locals_dict is None:
            locals_dict = frame_locals(frame)
    elif locals_dict is None:
        locals_dict = globals_dict
    if type(source) is CodeType:
        code = source
    elif isinstance(source, (str, bytes)):
        text = source.lstrip(" \t") if mode == "eval" and isinstance(source, str) else source
        code = compile(text, "<string>", mode)
    else:
        return rt.call_opaque(builtin, args, kwargs)
    if code.co_freevars:
        location = _caller(rt).location() if rt.frames else None
        raise error_at(f"{builtin.__name__}() of code with free variables", location)
    if "__builtins__" not in globals_dict:
        globals_dict["__builtins__"] = builtins
    builtins_dict = globals_dict["__builtins__"]
    if not isinstance(builtins_dict, dict):
        builtins_dict = vars(builtins_dict)
    info = code_info(code, DISPATCH)
    frame = Frame(rt, info, [NULL] * info.nlocalsplus, globals_dict, builtins_dict, locals_dict,
                  None)
    return rt.run_frame(frame, None)


@_implements(builtins.exec)
def _exec(rt, args, kwargs):
    source = args[0] if args else kwargs.get("source")
    _run_code(rt, source, "exec", args, kwargs, builtins.exec)


@_implements(builtins.eval)
def _eval(rt, args, kwargs):
    source = args[0] if args else kwargs.get("source")
    return _run_code(rt, source, "eval", args, kwargs, builtins.eval)


# Builtins that call back into user code ---------------------------------------------------


def _mapped(rt, fn, zipped):
    for items in zipped:
        yield rt.call(fn, items, {})


@_implements(map)
def _map(rt, args, kwargs):
    if kwargs or len(args) < 2:
        return rt.call_opaque(map, args, kwargs)
    return _mapped(rt, args[0], zip(*(iterate(rt, iterable) for iterable in args[1:])))


def _filtered(rt, fn, iterable):
    for item in iterable:
        if protocols.truth(rt, rt.call(fn, (item,), {})):
            yield item


@_implements(filter)
def _filter(rt, args, kwargs):
    if kwargs or len(args) != 2 or args[0] is None:
        return rt.call_opaque(filter, args, kwargs)
    return _filtered(rt, args[0], iterate(rt, args[1]))


def _sorted_by_key(rt, items, key, reverse):
    keys = [rt.call(key, (item,), {}) for item in items]
    order = sorted(range(len(items)), key=keys.__getitem__, reverse=reverse)
    return [items[index] for index in order]


@_implements(sorted)
def _sorted(rt, args, kwargs):
    key = kwargs.get("key")
    if key is None or len(args) != 1 or kwargs.keys() - {"key", "reverse"}:
        return rt.call_opaque(sorted, args, kwargs)
    items = list(iterate(rt, args[0]))
    return _sorted_by_key(rt, items, key, bool(kwargs.get("reverse", False)))


def sort_list(rt, target, args, kwargs):
    """``target.sort(key=..., reverse=...)`` with the key function interpreted."""
    if args or kwargs.keys() - {"key", "reverse"} or kwargs["key"] is None:
        return rt.call_opaque(target.sort, args, kwargs)
    target[:] = _sorted_by_key(rt, list(target), kwargs["key"], bool(kwargs.get("reverse")))


def _extremum(rt, builtin, op, args, kwargs):
    key = kwargs.get("key")
    if key is None or not args or kwargs.keys() - {"key", "default"}:
        return rt.call_opaque(builtin, args, kwargs)
    items = iterate(rt, args[0]) if len(args) == 1 else iter(args)
    best = best_key = MISSING
    for item in items:
        item_key = rt.call(key, (item,), {})
        if best is MISSING or protocols.truth(rt, protocols.compare_op(rt, item_key, best_key, op)):
            best, best_key = item, item_key
    if best is MISSING:
        if "default" in kwargs:
            return kwargs["default"]
        raise ValueError(f"{builtin.__name__}() arg is an empty sequence")
    return best


@_implements(min)
def _min(rt, args, kwargs):
    return _extremum(rt, min, "<", args, kwargs)


@_implements(max)
def _max(rt, args, kwargs):
    return _extremum(rt, max, ">", args, kwargs)


def _check_attribute_name(builtin, name):
    if type(name) is not str:
        kind = type(name).__name__
        raise TypeError(f"attribute name must be string, not '{kind}'")


@_implements(getattr)
def _getattr(rt, args, kwargs):
    if kwargs or len(args) not in (2, 3):
        return rt.call_opaque(getattr, args, kwargs)
    _check_attribute_name(getattr, args[1])
    if len(args) == 2:
        return load_attr(rt, args[0], args[1])
    try:
        return load_attr(rt, args[0], args[1])
    except AttributeError:
        return args[2]


@_implements(setattr)
def _setattr(rt, args, kwargs):
    if kwargs or len(args) != 3:
        return rt.call_opaque(setattr, args, kwargs)
    _check_attribute_name(setattr, args[1])
    store_attr(rt, *args)


@_implements(hasattr)
def _hasattr(rt, args, kwargs):
    if kwargs or len(args) != 2:
        return rt.call_opaque(hasattr, args, kwargs)
    _check_attribute_name(hasattr, args[1])
    return has_attr(rt, *args)


@_implements(delattr)
def _delattr(rt, args, kwargs):
    if kwargs or len(args) != 2:
        return rt.call_opaque(delattr, args, kwargs)
    _check_attribute_name(delattr, args[1])
    delete_attr(rt, *args)


@_implements(iter)
def _iter(rt, args, kwargs):
    if kwargs or len(args) != 1:
        return rt.call_opaque(iter, args, kwargs)
    return protocols.get_iter(rt, args[0])


@_implements(next)
def _next(rt, args, kwargs):
    if kwargs or len(args) not in (1, 2):
        return rt.call_opaque(next, args, kwargs)
    iterator = args[0]
    if lookup_type(type(iterator), "__next__") is MISSING:
        raise TypeError(f"'{type(iterator).__name__}' object is not an iterator")
    if len(args) == 1 and not type(iterator).__flags__ & HEAPTYPE:
        return next(iterator)
    value = protocols.next_or_exhausted(rt, iterator)
    if value is protocols.EXHAUSTED:
        if len(args) == 2:
            return args[1]
        raise StopIteration
    return value


def _single_dunder(builtin, name, check=None):
    """Routes ``builtin(obj)`` to a Python ``obj.<name>()`` (interpreted) when there is one."""

    def handler(rt, args, kwargs):
        if kwargs or len(args) != 1:
            return rt.call_opaque(builtin, args, kwargs)
        obj = args[0]
        cls = type(obj)
        if cls.__flags__ & HEAPTYPE:
            method = lookup_type(cls, name)
            if type(method) is FunctionType:
                result = call_dunder(rt, method, obj, ())
                return check(result) if check is not None else result
        return rt.call_opaque(builtin, args, kwargs)

    SPECIAL_CALLABLES[id(builtin)] = handler
    return handler


def _checked_length(value):
    length = operator.index(value)
    if length < 0:
        raise ValueError("__len__() should return >= 0")
    return length


def _checked_str(kind):
    def check(value):
        if not isinstance(value, str):
            raise TypeError(f"{kind} returned non-string (type {type(value).__name__})")
        return value

    return check


_single_dunder(len, "__len__", _checked_length)
_single_dunder(repr, "__repr__", _checked_str("__repr__"))
_single_dunder(abs, "__abs__")


@_implements(str)
def _str(rt, args, kwargs):
    if kwargs or len(args) != 1 or not type(args[0]).__flags__ & HEAPTYPE:
        return rt.call_opaque(str, args, kwargs)
    return protocols.to_str(rt, args[0])


@_implements(format)
def _format(rt, args, kwargs):
    if kwargs or len(args) not in (1, 2):
        return rt.call_opaque(format, args, kwargs)
    return protocols.to_format(rt, args[0], args[1] if len(args) == 2 else "")


@_implements(bool)
def _bool(rt, args, kwargs):
    if kwargs or len(args) != 1:
        return rt.call_opaque(bool, args, kwargs)
    return protocols.truth(rt, args[0])


@_implements(print)
def _print(rt, args, kwargs):
    # print() calls str() on each argument; doing that here runs Python __str__ interpreted.
    texts = tuple(protocols.to_str(rt, value) if type(value).__flags__ & HEAPTYPE else value
                  for value in args)
    return rt.call_opaque(print, texts, kwargs)


@_implements(sum)
def _sum(rt, args, kwargs):
    if len(args) not in (1, 2) or kwargs.keys() - {"start"}:
        return rt.call_opaque(sum, args, kwargs)
    start = args[1] if len(args) == 2 else kwargs.get("start", 0)
    items = list(iterate(rt, args[0]))
    user_typed = type(start).__flags__ & HEAPTYPE or any(
        type(item).__flags__ & HEAPTYPE for item in items
    )
    if not user_typed or isinstance(start, (str, bytes, bytearray)):
        return rt.call_opaque(sum, (items, start), {})
    total = start
    for item in items:
        total = protocols.binary_op(rt, total, item, 0)
    return total
