"""The thread-local 'current runtime': which interpretation is running on this thread.

Lookasides and native helpers (``interpret_call``, resumed generators) find the interpretation to
re-enter here. A runtime makes itself current while it runs a frame and restores the previous one
afterwards, so nested and re-entrant interpretations see the innermost one.
"""

import threading

__all__ = ["current_runtime", "set_current_runtime"]

_state = threading.local()


def current_runtime():
    """The runtime running on this thread, or None.

    >>> current_runtime() is None
    True
    """
    return getattr(_state, "runtime", None)


def set_current_runtime(runtime):
    """Makes ``runtime`` current and returns the previously current one (to restore later)."""
    previous = getattr(_state, "runtime", None)
    _state.runtime = runtime
    return previous
