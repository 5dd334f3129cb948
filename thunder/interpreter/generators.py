"""Generator objects whose bodies run in the interpreter.

Calling a Python generator function runs its frame up to ``RETURN_GENERATOR``, which wraps the
frame in an :class:`InterpretedGenerator`. Each ``__next__``/``send``/``throw``/``close`` resumes
the frame in the runtime that created it, so native consumers (``list(gen)``, ``zip``) drive
interpretation too. ``throw`` and ``close`` follow CPython's ``gen_throw``: while suspended inside
``yield from``, the exception is first delegated to the sub-iterator.

The frame protocol: a suspended frame has ``suspended`` True and ``lasti`` at its
``YIELD_VALUE``; resuming pushes the sent value and continues at ``lasti + 1``.
"""

import collections.abc
import sys

from thunder.interpreter.frame import NULL

__all__ = ["InterpretedGenerator"]

# 3.12 hands a StopIteration of the sub-iterator to CLEANUP_THROW; 3.11 finishes the loop here.
_CLEANUP_THROW_IN_BYTECODE = sys.version_info >= (3, 12)


class InterpretedGenerator:
    """A generator running in the interpreter; behaves like a native generator.

    >>> from thunder.interpreter import interpret, InterpreterCallbacks
    >>> def count(n):
    ...     yield from range(n)
    >>> def f():
    ...     return count(3)
    >>> gen = interpret(f, (), {}, InterpreterCallbacks())
    >>> list(gen)
    [0, 1, 2]
    """

    #: Tells the interpreter to drive this object natively rather than interpret its methods.
    _thunder_native = True

    __slots__ = ("_frame", "_started", "_running", "_finished", "_exc_state", "__weakref__")

    def __init__(self, frame):
        self._frame = frame
        self._started = False
        self._running = False
        self._finished = False
        self._exc_state = None

    @property
    def __name__(self):
        return self._frame.info.code.co_name

    def __getattr__(self, name):
        # ``__qualname__`` cannot be a property in a class body: it names the class itself.
        if name == "__qualname__":
            return self._frame.info.code.co_qualname
        raise AttributeError(f"'InterpretedGenerator' object has no attribute '{name}'")

    @property
    def gi_code(self):
        return self._frame.info.code

    @property
    def gi_running(self):
        return self._running

    @property
    def gi_frame(self):
        return None if self._finished else self._frame

    def __repr__(self):
        return f"<interpreted generator object {self.gi_code.co_qualname} at {id(self):#x}>"

    def __iter__(self):
        return self

    def __next__(self):
        return self.send(None)

    def send(self, value):
        """Resumes the generator, making the paused ``yield`` evaluate to ``value``."""
        if self._finished:
            raise StopIteration
        if not self._started and value is not None:
            raise TypeError("can't send non-None value to a just-started generator")
        self._frame.stack.append(value)
        return self._resume(None)

    def throw(self, typ, value=None, traceback=None):
        """Raises an exception at the paused ``yield`` (delegating into ``yield from``)."""
        exc = _make_exception(typ, value, traceback)
        if self._finished:
            raise exc
        if not self._started:
            self._finished = True
            raise exc
        delegate = self._delegate()
        if delegate is not None:
            return self._throw_into_delegate(delegate, exc)
        return self._resume(exc)

    def close(self):
        """Raises GeneratorExit at the paused ``yield``; the generator must not yield again."""
        if self._finished:
            return
        if not self._started:
            self._finished = True
            return
        try:
            self.throw(GeneratorExit)
        except (GeneratorExit, StopIteration):
            return
        raise RuntimeError("generator ignored GeneratorExit")

    def _delegate(self):
        """The sub-iterator of the ``yield from``/``await`` this generator is paused in, or None."""
        frame = self._frame
        instructions = frame.info.instructions
        following = frame.lasti + 1
        if following >= len(instructions):
            return None
        resume = instructions[following]
        if resume.opname != "RESUME" or resume.arg < 2 or not frame.stack:
            return None
        return frame.stack[-1]

    def _throw_into_delegate(self, delegate, exc):
        if isinstance(exc, GeneratorExit):
            close = getattr(delegate, "close", None)
            if close is not None:
                self._running = True
                try:
                    close()
                except BaseException as error:
                    exc = error
                finally:
                    self._running = False
            return self._resume(exc)
        throw = getattr(delegate, "throw", None)
        if throw is None:
            return self._resume(exc)
        self._running = True
        try:
            return throw(exc)
        except StopIteration as stop:
            if not _CLEANUP_THROW_IN_BYTECODE:
                return self._finish_yield_from(stop.value)
            exc = stop
        except BaseException as error:
            exc = error
        finally:
            self._running = False
        return self._resume(exc)

    def _finish_yield_from(self, value):
        # CPython 3.11 gen_throw: pop the sub-iterator and continue after the SEND loop.
        frame = self._frame
        frame.stack.pop()
        send = frame.info.instructions[frame.lasti - 1]
        frame.lasti = send.target - 1
        frame.stack.append(value)
        return self._resume(None)

    def _resume(self, exc):
        if self._running:
            raise ValueError("generator already executing")
        frame = self._frame
        rt = frame.rt
        outer_exc_state = rt.handled_exc
        if self._exc_state is not None:
            rt.handled_exc = self._exc_state
        self._started = True
        self._running = True
        frame.suspended = False
        try:
            result = rt.run_frame(frame, exc)
        except StopIteration as stop:
            self._finished = True
            raise RuntimeError("generator raised StopIteration") from stop
        except BaseException:
            self._finished = True
            raise
        finally:
            self._running = False
            inner_exc_state = rt.handled_exc
            self._exc_state = inner_exc_state if inner_exc_state is not outer_exc_state else None
            rt.handled_exc = outer_exc_state
        if frame.suspended:
            return result
        self._finished = True
        frame.localsplus = [NULL] * len(frame.localsplus)
        raise StopIteration(result) if result is not None else StopIteration


def _make_exception(typ, value, traceback):
    if isinstance(typ, BaseException):
        exc = typ
    elif isinstance(typ, type) and issubclass(typ, BaseException):
        if isinstance(value, typ):
            exc = value
        elif value is None:
            exc = typ()
        elif isinstance(value, tuple):
            exc = typ(*value)
        else:
            exc = typ(value)
    else:
        raise TypeError("exceptions must be classes or instances deriving from BaseException")
    if traceback is not None:
        exc = exc.with_traceback(traceback)
    return exc


collections.abc.Generator.register(InterpretedGenerator)
