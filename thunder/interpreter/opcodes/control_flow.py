"""Jumps, truth-tested branches and ``for`` loops.

Jump targets were turned into instruction indices by decoding, so a jump handler just returns
``inst.target``. Truth tests use ``protocols.truth`` (``__bool__``/``__len__`` of Python classes
run interpreted); ``True``, ``False`` and ``None`` are decided without a call.
"""

from thunder.interpreter.protocols import EXHAUSTED, get_iter, next_or_exhausted, truth

__all__ = [
    "jump", "pop_jump_if_true", "pop_jump_if_false", "pop_jump_if_none",
    "pop_jump_if_not_none", "jump_if_true_or_pop", "jump_if_false_or_pop", "get_iter_handler",
    "for_iter_311", "for_iter_312",
]


def jump(frame, inst):
    """JUMP_FORWARD, JUMP_BACKWARD, JUMP_BACKWARD_NO_INTERRUPT."""
    return inst.target


def _is_true(frame, value):
    if value is True:
        return True
    if value is False or value is None:
        return False
    return truth(frame.rt, value)


def pop_jump_if_true(frame, inst):
    if _is_true(frame, frame.stack.pop()):
        return inst.target
    return None


def pop_jump_if_false(frame, inst):
    if not _is_true(frame, frame.stack.pop()):
        return inst.target
    return None


def pop_jump_if_none(frame, inst):
    if frame.stack.pop() is None:
        return inst.target
    return None


def pop_jump_if_not_none(frame, inst):
    if frame.stack.pop() is not None:
        return inst.target
    return None


def jump_if_true_or_pop(frame, inst):
    """JUMP_IF_TRUE_OR_POP (3.11): keep the value and jump if true, else drop it."""
    stack = frame.stack
    if _is_true(frame, stack[-1]):
        return inst.target
    stack.pop()
    return None


def jump_if_false_or_pop(frame, inst):
    stack = frame.stack
    if not _is_true(frame, stack[-1]):
        return inst.target
    stack.pop()
    return None


def get_iter_handler(frame, inst):
    stack = frame.stack
    stack[-1] = get_iter(frame.rt, stack[-1])


def for_iter_311(frame, inst):
    """FOR_ITER (3.11): push the next value, or pop the iterator and jump past the loop."""
    stack = frame.stack
    value = next_or_exhausted(frame.rt, stack[-1])
    if value is EXHAUSTED:
        stack.pop()
        return inst.target
    stack.append(value)
    return None


def for_iter_312(frame, inst):
    """FOR_ITER (3.12): when exhausted, pop the iterator and skip the END_FOR at the target."""
    stack = frame.stack
    value = next_or_exhausted(frame.rt, stack[-1])
    if value is EXHAUSTED:
        stack.pop()
        return inst.target + 1
    stack.append(value)
    return None
