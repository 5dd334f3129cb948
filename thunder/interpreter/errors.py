"""Errors raised by the bytecode interpreter and helpers that name the user's source location.

Every error the interpreter raises on its own behalf is an :class:`InterpreterError` whose message
says what went wrong, where in the *user's* code (file:line in function) and, for unsupported
constructs, what to do. ``InterpreterError`` is never caught by ``except`` clauses of interpreted
code (see NOTE [Uncatchable exceptions] in ``runtime.py``).
"""

__all__ = ["InterpreterError", "format_location", "error_at"]


class InterpreterError(RuntimeError):
    """The interpreter cannot run (or refuses to run) a construct of the user's program.

    >>> str(InterpreterError("async functions are not supported"))
    'async functions are not supported'
    """

    #: True once the message names a user source location (set by :func:`error_at`).
    located = False


def format_location(location):
    """Formats a ``(filename, lineno, function)`` triple as ``file:line in function``.

    >>> format_location(("model.py", 3, "forward"))
    'model.py:3 in forward'
    """
    if location is None:
        return "<unknown location>"
    filename, lineno, name = location
    return f"{filename}:{lineno} in {name}"


def error_at(what, location, hint=None):
    """Builds an :class:`InterpreterError` reading ``<what> at <file>:<line> in <function>``.

    >>> str(error_at("unsupported opcode FOO", ("m.py", 2, "f"), "please report"))
    'unsupported opcode FOO at m.py:2 in f; please report'
    """
    message = f"{what} at {format_location(location)}"
    if hint:
        message = f"{message}; {hint}"
    error = InterpreterError(message)
    error.located = location is not None
    return error
