"""Operators: BINARY_OP, COMPARE_OP, unary operators, ``in``, ``is`` and subscripts.

The handlers only move operands; the protocols (native fast path for C types, special methods
of Python classes interpreted) live in ``protocols.py``.
"""

import operator

from thunder.interpreter.lookup import HEAPTYPE
from thunder.interpreter.protocols import (
    BINARY_OPERATORS,
    FIRST_INPLACE,
    MUTABLE_CONTAINERS,
    binary_op,
    compare_op,
    contains,
    delete_item,
    get_item,
    set_item,
    truth,
    unary_op,
)

__all__ = [
    "binary_op_handler", "compare_op_handler", "unary_negative", "unary_positive",
    "unary_invert", "unary_not", "contains_op", "is_op", "binary_subscr", "store_subscr",
    "delete_subscr", "binary_slice", "store_slice",
]


def binary_op_handler(frame, inst):
    stack = frame.stack
    rhs = stack.pop()
    lhs = stack[-1]
    if type(lhs).__flags__ & HEAPTYPE or type(rhs).__flags__ & HEAPTYPE or (
            inst.arg >= FIRST_INPLACE and type(lhs) in MUTABLE_CONTAINERS):
        stack[-1] = binary_op(frame.rt, lhs, rhs, inst.arg)
    else:
        stack[-1] = BINARY_OPERATORS[inst.arg](lhs, rhs)


def compare_op_handler(frame, inst):
    stack = frame.stack
    rhs = stack.pop()
    stack[-1] = compare_op(frame.rt, stack[-1], rhs, inst.argval)


def unary_negative(frame, inst):
    stack = frame.stack
    stack[-1] = unary_op(frame.rt, stack[-1], "__neg__", operator.neg)


def unary_positive(frame, inst):
    stack = frame.stack
    stack[-1] = unary_op(frame.rt, stack[-1], "__pos__", operator.pos)


def unary_invert(frame, inst):
    stack = frame.stack
    stack[-1] = unary_op(frame.rt, stack[-1], "__invert__", operator.invert)


def unary_not(frame, inst):
    stack = frame.stack
    value = stack[-1]
    if value is True or value is False:
        stack[-1] = not value
    else:
        stack[-1] = not truth(frame.rt, value)


def contains_op(frame, inst):
    """CONTAINS_OP: ``in`` (argument 0) or ``not in`` (argument 1)."""
    stack = frame.stack
    container = stack.pop()
    result = contains(frame.rt, stack[-1], container)
    stack[-1] = not result if inst.arg else result


def is_op(frame, inst):
    stack = frame.stack
    rhs = stack.pop()
    result = stack[-1] is rhs
    stack[-1] = not result if inst.arg else result


def binary_subscr(frame, inst):
    stack = frame.stack
    key = stack.pop()
    stack[-1] = get_item(frame.rt, stack[-1], key)


def store_subscr(frame, inst):
    """STORE_SUBSCR: ``container[key] = value`` with key on top, then container, then value."""
    stack = frame.stack
    key = stack.pop()
    container = stack.pop()
    set_item(frame.rt, container, key, stack.pop())


def delete_subscr(frame, inst):
    stack = frame.stack
    key = stack.pop()
    delete_item(frame.rt, stack.pop(), key)


def binary_slice(frame, inst):
    """BINARY_SLICE (3.12): ``container[start:end]``."""
    stack = frame.stack
    end = stack.pop()
    start = stack.pop()
    stack[-1] = get_item(frame.rt, stack[-1], slice(start, end))


def store_slice(frame, inst):
    """STORE_SLICE (3.12): ``container[start:end] = value``."""
    stack = frame.stack
    end = stack.pop()
    start = stack.pop()
    container = stack.pop()
    set_item(frame.rt, container, slice(start, end), stack.pop())
