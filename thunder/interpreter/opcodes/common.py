"""Conventions shared by all opcode handlers.

A handler is ``handler(frame, instruction)``. It returns None to continue with the next
instruction, an instruction index to jump there, or :data:`EXIT` after storing ``frame.retval``
to leave the run loop (return, yield, generator creation). Handlers raise exceptions exactly
where CPython would; the run loop routes them through the exception table.
"""

from thunder.interpreter.errors import error_at

__all__ = ["EXIT", "unknown_opcode", "async_unsupported", "unbound_local", "unbound_free"]

#: Returned by handlers that leave the frame; ``frame.retval`` holds the value handed out.
EXIT = -1


def unknown_opcode(frame, inst):
    """The handler of every opcode the running Python's table does not implement."""
    raise error_at(f"unsupported opcode {inst.opname}", frame.location(), "please report")


def async_unsupported(frame, inst):
    """Handler of the coroutine opcodes (``await``, ``async for``, ``async with``)."""
    raise error_at(f"async code ({inst.opname}) is not supported", frame.location(),
                   "call async functions outside the compiled function")


def unbound_local(name):
    return UnboundLocalError(
        f"cannot access local variable '{name}' where it is not associated with a value"
    )


def unbound_free(name):
    return NameError(
        f"cannot access free variable '{name}' where it is not associated with a value in "
        "enclosing scope"
    )
