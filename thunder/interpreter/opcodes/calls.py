"""Calls, function creation and returns.

Stack layout of a call (3.11 and 3.12): ``[method_or_NULL, callable_or_self, *args]``. When the
bottom slot is NULL the callable is the next slot; otherwise the bottom slot is the callable and
the next slot its first argument. KW_NAMES stores the keyword names of the next CALL in
``frame.kw_names``; they name the last arguments. Every call goes through ``rt.call``.
"""

from types import FunctionType

from thunder.interpreter.frame import NULL
from thunder.interpreter.opcodes.common import EXIT
from thunder.interpreter.special_iteration import iterate_for_star

__all__ = ["kw_names", "call", "call_function_ex", "make_function", "return_value",
           "return_const"]


def kw_names(frame, inst):
    frame.kw_names = frame.info.code.co_consts[inst.arg]


def call(frame, inst):
    stack = frame.stack
    start = len(stack) - inst.arg - 2
    first = stack[start]
    if first is NULL:
        fn = stack[start + 1]
        args = tuple(stack[start + 2:])
    else:
        fn = first
        args = tuple(stack[start + 1:])
    del stack[start:]
    names = frame.kw_names
    if names:
        frame.kw_names = ()
        count = len(names)
        kwargs = dict(zip(names, args[-count:]))
        args = args[:-count]
    else:
        kwargs = {}
    stack.append(frame.rt.call(fn, args, kwargs))


def call_function_ex(frame, inst):
    """CALL_FUNCTION_EX: ``fn(*args)`` or, with the low argument bit, ``fn(*args, **kwargs)``."""
    stack = frame.stack
    kwargs = stack.pop() if inst.arg & 1 else {}
    args = stack.pop()
    fn = stack.pop()
    if stack and stack[-1] is NULL:
        stack.pop()
    if type(args) is not tuple:
        args = tuple(iterate_for_star(frame.rt, args, fn))
    if type(kwargs) is not dict:
        kwargs = dict(kwargs)
    stack.append(frame.rt.call(fn, args, kwargs))


def make_function(frame, inst):
    stack = frame.stack
    code = stack.pop()
    flags = inst.arg
    closure = stack.pop() if flags & 0x08 else None
    annotations = stack.pop() if flags & 0x04 else None
    kwdefaults = stack.pop() if flags & 0x02 else None
    defaults = stack.pop() if flags & 0x01 else None
    func = FunctionType(code, frame.globals, code.co_name, defaults, closure)
    if kwdefaults is not None:
        func.__kwdefaults__ = kwdefaults
    if annotations is not None:
        if type(annotations) is tuple:
            annotations = dict(zip(annotations[::2], annotations[1::2]))
        func.__annotations__ = annotations
    stack.append(func)


def return_value(frame, inst):
    frame.retval = frame.stack.pop()
    return EXIT


def return_const(frame, inst):
    frame.retval = inst.argval
    return EXIT
