"""A CPython 3.11/3.12 bytecode interpreter written in Python.

It runs the bytecode of a function, and of every Python function that function reaches,
instruction by instruction, so that a compiler can observe and redirect every call and every
read of outside state through :class:`InterpreterCallbacks`. It does not import torch: the jit
plugs tensors in through the callbacks.

Example::

    >>> from thunder.interpreter import interpret, InterpreterCallbacks
    >>> class Trace(InterpreterCallbacks):
    ...     def __init__(self):
    ...         self.calls = []
    ...     def on_opaque_call(self, fn, args, kwargs):
    ...         self.calls.append(getattr(fn, "__name__", fn))
    >>> def f(xs):
    ...     return sum(x * x for x in xs)
    >>> trace = Trace()
    >>> interpret(f, ([1, 2, 3],), {}, trace)
    14
    >>> trace.calls
    ['sum']

Layout: ``runtime.py`` (run loop, entry points), ``code_info.py`` (decoding, cached per code
object), ``frame.py``, ``callables.py`` (call dispatch), ``arguments.py``, ``attributes.py``,
``protocols.py`` (operators, truth, iteration), ``classes.py``, ``generators.py``,
``special_callables.py`` (builtins implemented by the interpreter), ``opcodes/`` (one handler
per opcode, by family, and the per-version tables).
"""

import sys

from thunder.interpreter.callables import INTERNAL_GLOBALS
from thunder.interpreter.callbacks import InterpreterCallbacks
from thunder.interpreter.errors import InterpreterError
from thunder.interpreter.generators import InterpretedGenerator
from thunder.interpreter.runtime import current_location, interpret, interpret_call

__all__ = [
    "interpret",
    "interpret_call",
    "InterpreterCallbacks",
    "InterpreterError",
    "current_location",
    "InterpretedGenerator",
]

INTERNAL_GLOBALS.update(
    id(vars(module))
    for name, module in list(sys.modules.items())
    if name == __name__ or name.startswith(__name__ + ".")
)
