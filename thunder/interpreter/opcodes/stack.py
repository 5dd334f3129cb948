"""Handlers that only shuffle the value stack or do nothing at all.

NOP, RESUME, CACHE, EXTENDED_ARG (its argument is already folded into the next instruction by
decoding) and 3.11's PRECALL are no-ops here; the rest move values around.
"""

from thunder.interpreter.frame import NULL

__all__ = ["nop", "pop_top", "push_null", "copy", "swap", "end_for"]


def nop(frame, inst):
    """NOP, RESUME, CACHE, EXTENDED_ARG, PRECALL."""


def pop_top(frame, inst):
    frame.stack.pop()


def push_null(frame, inst):
    frame.stack.append(NULL)


def copy(frame, inst):
    """COPY(i): push the i-th item from the top (1 is the top)."""
    stack = frame.stack
    stack.append(stack[-inst.arg])


def swap(frame, inst):
    """SWAP(i): exchange the top with the i-th item from the top."""
    stack = frame.stack
    index = -inst.arg
    stack[-1], stack[index] = stack[index], stack[-1]


def end_for(frame, inst):
    """END_FOR (3.12): drop the exhausted iterator and the value slot."""
    del frame.stack[-2:]
