"""Generator opcodes: creating, suspending and delegating (``yield``, ``yield from``).

RETURN_GENERATOR leaves the frame handing out an :class:`InterpretedGenerator` that owns it;
YIELD_VALUE leaves it suspended (the generator object resumes it). SEND drives the sub-iterator
of ``yield from``: its StopIteration ends the loop (3.11 replaces the sub-iterator by the value
and jumps; 3.12 pushes the value and jumps to END_SEND, which drops the sub-iterator).
"""

from types import GeneratorType

from thunder.interpreter.generators import InterpretedGenerator
from thunder.interpreter.lookup import HEAPTYPE, MISSING, call_dunder, lookup_type
from thunder.interpreter.opcodes.common import EXIT, async_unsupported
from thunder.interpreter.protocols import get_iter

__all__ = ["return_generator", "yield_value", "send_311", "send_312", "end_send",
           "get_yield_from_iter", "cleanup_throw"]


def return_generator(frame, inst):
    frame.retval = InterpretedGenerator(frame)
    return EXIT


def yield_value(frame, inst):
    frame.retval = frame.stack.pop()
    frame.suspended = True
    return EXIT


def _send(rt, receiver, value):
    cls = type(receiver)
    if cls.__flags__ & HEAPTYPE and cls is not InterpretedGenerator:
        name = "__next__" if value is None else "send"
        method = lookup_type(cls, name)
        if method is MISSING:
            raise AttributeError(f"'{cls.__name__}' object has no attribute '{name}'")
        return call_dunder(rt, method, receiver, () if value is None else (value,))
    if value is None and cls is not InterpretedGenerator:
        return next(receiver)
    return receiver.send(value)


def send_311(frame, inst):
    stack = frame.stack
    value = stack.pop()
    try:
        result = _send(frame.rt, stack[-1], value)
    except StopIteration as stop:
        stack[-1] = stop.value
        return inst.target
    stack.append(result)
    return None


def send_312(frame, inst):
    stack = frame.stack
    value = stack.pop()
    try:
        result = _send(frame.rt, stack[-1], value)
    except StopIteration as stop:
        stack.append(stop.value)
        return inst.target
    stack.append(result)
    return None


def end_send(frame, inst):
    del frame.stack[-2]


def get_yield_from_iter(frame, inst):
    stack = frame.stack
    iterable = stack[-1]
    if type(iterable) is GeneratorType or type(iterable) is InterpretedGenerator:
        return
    if hasattr(iterable, "__await__"):
        async_unsupported(frame, inst)
    stack[-1] = get_iter(frame.rt, iterable)


def cleanup_throw(frame, inst):
    """CLEANUP_THROW (3.12): a StopIteration thrown through ``yield from`` ends the loop."""
    stack = frame.stack
    exc = stack.pop()
    if not isinstance(exc, StopIteration):
        raise exc
    del stack[-2:]
    stack.append(None)
    stack.append(exc.value)
