"""The run loop: executes the decoded instructions of one frame, and the public entry points.

A :class:`Runtime` is one interpretation: the callbacks (with un-overridden hooks replaced by
None so handlers can skip them), the stack of active frames, the exception being handled
(``sys.exc_info()``), and the closure cells it created. The loop per instruction is: fetch the
decoded instruction, record ``frame.lasti``, call its handler; the handler's return value says
"next", "jump to index" or "leave the frame" (see ``opcodes/common.py``).

NOTE [Exception unwinding]
    When a handler raises, the run loop looks up the instruction in the frame's exception
    table (decoded per instruction index). With an entry, the value stack is cut to the entry's
    depth, the raising instruction's offset is pushed if the entry says ``lasti``, then the
    exception, and execution continues at the handler. Without one, the exception leaves the
    frame. A newly raised exception gets the handled exception as ``__context__`` (RERAISE and
    friends re-raise unchanged). An :class:`InterpreterError` without a location gets the
    user's file:line here.

NOTE [Uncatchable exceptions]
    ``InterpreterError`` and ``callbacks.uncatchable`` types pass through user code: ``except``
    clauses never match them, a bare ``except:`` re-raises them at once, ``__exit__`` cannot
    suppress them; ``finally`` blocks and ``__exit__`` still run. The opcodes doing this live in
    ``opcodes/exceptions.py``.
"""

import os
import sys

from thunder.interpreter import opcodes
from thunder.interpreter.callables import call, call_opaque
from thunder.interpreter.callbacks import InterpreterCallbacks, overridden_hooks
from thunder.interpreter.code_info import CodeInfo, Instruction
from thunder.interpreter.errors import InterpreterError, error_at, format_location
from thunder.interpreter.frame import Frame
from thunder.interpreter.opcodes.exceptions import set_context
from thunder.interpreter.state import current_runtime, set_current_runtime

__all__ = ["Runtime", "interpret", "interpret_call", "current_location"]

_RERAISING = frozenset({"RERAISE", "CLEANUP_THROW", "END_ASYNC_FOR"})

_OPCODES_DIR = os.path.dirname(opcodes.__file__) + os.sep
# Handlers that raise exceptions of the user's program on purpose.
_RAISERS = frozenset({"raise_varargs", "reraise", "cleanup_throw", "push_exc_info",
                      "check_exc_match"})

# One interpreted call level takes about six Python frames of the interpreter; this limit lets
# user code recurse about as deep as it could natively (1000 levels).
_RECURSION_LIMIT = 8000


class Runtime:
    """One interpretation: callbacks, active frames, handled exception, own cells."""

    __slots__ = ("callbacks", "uncatchable", "frames", "handled_exc", "own_cells", "lookaside",
                 "on_load_global", "on_load_deref", "on_load_attr", "on_store_attr",
                 "on_store_global", "on_store_deref", "on_subscr", "on_opaque_call",
                 "on_opaque_result")

    def __init__(self, callbacks):
        self.callbacks = callbacks
        for name, hook in overridden_hooks(callbacks).items():
            setattr(self, name, hook)
        self.uncatchable = (InterpreterError, *tuple(callbacks.uncatchable))
        self.frames = []
        self.handled_exc = None
        self.own_cells = {}

    def call(self, fn, args, kwargs):
        """``fn(*args, **kwargs)`` through the interpreter's call dispatch."""
        return call(self, fn, args, kwargs)

    def call_opaque(self, fn, args, kwargs):
        """A native call with the ``on_opaque_call``/``on_opaque_result`` hooks."""
        return call_opaque(self, fn, args, kwargs)

    def run_frame(self, frame, exc):
        """Runs ``frame`` from ``frame.lasti + 1`` (raising ``exc`` there first if given)
        until it returns, yields or raises; returns ``frame.retval``."""
        frames = self.frames
        frames.append(frame)
        previous = current_runtime()
        if previous is not self:
            set_current_runtime(self)
        try:
            instructions = frame.info.instructions
            if exc is None:
                index = frame.lasti + 1
            else:
                index = self._unwind(frame, exc, frame.lasti)
            while True:
                inst = instructions[index]
                frame.lasti = index
                try:
                    jump = inst.handler(frame, inst)
                except BaseException as error:
                    index = self._unwind(frame, error, index)
                    continue
                if jump is None:
                    index += 1
                elif jump >= 0:
                    index = jump
                else:
                    return frame.retval
        finally:
            frames.pop()
            if previous is not self:
                set_current_runtime(previous)

    def _unwind(self, frame, error, index):
        """Finds the handler of ``error`` raised at ``index`` (NOTE [Exception unwinding])."""
        if isinstance(error, InterpreterError):
            if not error.located:
                _locate(error, frame)
        elif _is_internal_failure(error):
            what = f"internal interpreter error ({type(error).__name__}: {error})"
            wrapped = error_at(what, frame.location(), "please report")
            wrapped.__cause__ = error
            error = wrapped
        info = frame.info
        inst = info.instructions[index]
        if error.__context__ is None and inst.opname not in _RERAISING:
            set_context(self, error)
        entry = info.exc_handlers[index]
        if entry is None:
            raise error
        target, depth, push_lasti = entry
        stack = frame.stack
        del stack[depth:]
        if push_lasti:
            stack.append(inst.offset)
        stack.append(error)
        return target


_INTERNAL_TYPES = (Runtime, Frame, Instruction, CodeInfo)


def _is_internal_failure(error):
    """Whether ``error`` comes from a bug of the interpreter rather than from the user's code.

    Two symptoms are recognised: an attribute missing on the interpreter's own objects, and an
    IndexError raised inside an opcode handler (handlers index only the value stack; user
    containers are indexed in ``protocols.py`` or by native calls).
    """
    if isinstance(error, AttributeError):
        return isinstance(getattr(error, "obj", None), _INTERNAL_TYPES)
    if isinstance(error, IndexError):
        traceback = error.__traceback__
        if traceback is None:
            return False
        while traceback.tb_next is not None:
            traceback = traceback.tb_next
        code = traceback.tb_frame.f_code
        return code.co_filename.startswith(_OPCODES_DIR) and code.co_name not in _RAISERS
    return False


def _locate(error, frame):
    where = format_location(frame.location())
    if error.args and isinstance(error.args[0], str):
        error.args = (f"{error.args[0]} at {where}", *error.args[1:])
    else:
        error.args = (f"interpreter error at {where}", *error.args)
    error.located = True


def interpret(fn, args=(), kwargs=None, callbacks=None):
    """Runs ``fn(*args, **kwargs)`` by interpreting its bytecode (and that of every Python
    function it reaches); returns its result or raises what it raises.

    >>> def f(x, *, y=1):
    ...     return [i * y for i in range(x)]
    >>> interpret(f, (3,), {"y": 2}, InterpreterCallbacks())
    [0, 2, 4]
    """
    runtime = Runtime(callbacks if callbacks is not None else InterpreterCallbacks())
    previous = set_current_runtime(runtime)
    limit = sys.getrecursionlimit()
    if limit < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    try:
        return runtime.call(fn, tuple(args), dict(kwargs) if kwargs else {})
    finally:
        set_current_runtime(previous)
        if limit < _RECURSION_LIMIT and sys.getrecursionlimit() == _RECURSION_LIMIT:
            sys.setrecursionlimit(limit)


def interpret_call(fn, *args, **kwargs):
    """Interprets ``fn(*args, **kwargs)`` in the interpretation running on this thread
    (with its callbacks); for lookasides that want to continue interpreting.

    >>> interpret_call(len, [])
    Traceback (most recent call last):
    ...
    thunder.interpreter.errors.InterpreterError: interpret_call() needs a running interpretation
    """
    runtime = current_runtime()
    if runtime is None:
        raise InterpreterError("interpret_call() needs a running interpretation")
    return runtime.call(fn, args, kwargs)


def current_location():
    """``(filename, lineno, function name)`` of the innermost interpreted frame's current
    instruction, or None when nothing is being interpreted.

    >>> current_location() is None
    True
    """
    runtime = current_runtime()
    if runtime is None or not runtime.frames:
        return None
    return runtime.frames[-1].location()
