"""Iteration helpers for unpacking sites (``*args``, ``f(*x)``, ``[*a, *b]``, ``a, b = x``).

They iterate with :mod:`protocols` (so Python ``__iter__``/``__next__`` run interpreted) and
raise CPython's error messages for the non-iterable cases.
"""

from thunder.interpreter import protocols
from thunder.interpreter.lookup import HEAPTYPE, MISSING, lookup_type

__all__ = ["iterate", "iterate_for_star", "iterate_for_unpack"]


def iterate(rt, iterable):
    """A native generator over ``iterable`` using the interpreter's iteration protocol."""
    iterator = protocols.get_iter(rt, iterable)
    if type(iterator).__flags__ & HEAPTYPE:
        while True:
            value = protocols.next_or_exhausted(rt, iterator)
            if value is protocols.EXHAUSTED:
                return
            yield value
    else:
        yield from iterator


def _is_iterable_type(cls):
    return lookup_type(cls, "__iter__") is not MISSING or (
        lookup_type(cls, "__getitem__") is not MISSING
    )


def iterate_for_star(rt, iterable, fn=None):
    """Iterates the operand of a ``*`` in a call or display."""
    if not _is_iterable_type(type(iterable)):
        kind = type(iterable).__name__
        if fn is not None:
            name = getattr(fn, "__qualname__", None) or type(fn).__name__
            raise TypeError(f"{name}() argument after * must be an iterable, not {kind}")
        raise TypeError(f"Value after * must be an iterable, not {kind}")
    return iterate(rt, iterable)


def iterate_for_unpack(rt, iterable):
    """Iterates the right-hand side of an unpacking assignment."""
    if not _is_iterable_type(type(iterable)):
        raise TypeError(f"cannot unpack non-iterable {type(iterable).__name__} object")
    return iterate(rt, iterable)
