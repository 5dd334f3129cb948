"""The trace being recorded right now.

A ``ContextVar`` holds the current ``TraceCtx`` (defined in ``thunder.core.trace``). Proxies take
their names from it and symbols append their bound symbols to its innermost scope. This module
has no imports from the rest of Thunder so every other core module may depend on it.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_current_trace = ContextVar("thunder_current_trace", default=None)


def get_tracectx():
    """Return the trace being recorded, or None outside of tracing."""
    return _current_trace.get()


@contextmanager
def tracectx(trace):
    """Make ``trace`` the current trace for the duration of the ``with`` block."""
    token = _current_trace.set(trace)
    try:
        yield trace
    finally:
        _current_trace.reset(token)
