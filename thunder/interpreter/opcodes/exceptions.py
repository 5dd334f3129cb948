"""Raising and handling exceptions, and ``with`` statements.

Handlers are found through the zero-cost exception table by the run loop (``runtime.py``);
the instructions here implement what happens inside a handler: PUSH_EXC_INFO/POP_EXCEPT keep
``rt.handled_exc`` (what ``sys.exc_info()`` reports) in step with the value stack, CHECK_EXC_MATCH
and CHECK_EG_MATCH test ``except`` clauses, RERAISE and RAISE_VARARGS raise.

Exceptions of ``rt.uncatchable`` never match an ``except`` clause, are re-raised at once by a
bare ``except:``, and are never suppressed by a context manager; ``finally`` blocks and
``__exit__`` still run (see NOTE [Uncatchable exceptions] in ``runtime.py``).
"""

from types import FunctionType, MethodType

from thunder.interpreter.lookup import MISSING, call_dunder, lookup_type

__all__ = [
    "push_exc_info", "pop_except", "check_exc_match", "check_eg_match", "prep_reraise_star",
    "prep_reraise_star_handler", "reraise", "raise_varargs", "before_with", "with_except_start",
    "set_context",
]


def push_exc_info(frame, inst):
    stack = frame.stack
    rt = frame.rt
    exc = stack[-1]
    stack[-1] = rt.handled_exc
    stack.append(exc)
    rt.handled_exc = exc
    if isinstance(exc, rt.uncatchable):
        following = frame.info.instructions[inst.index + 1]
        if following.opname == "POP_TOP":  # a bare ``except:`` clause
            raise exc


def pop_except(frame, inst):
    frame.rt.handled_exc = frame.stack.pop()


def _check_catchable(match_type):
    types = match_type if type(match_type) is tuple else (match_type,)
    for candidate in types:
        if not (isinstance(candidate, type) and issubclass(candidate, BaseException)):
            raise TypeError(
                "catching classes that do not inherit from BaseException is not allowed"
            )


def check_exc_match(frame, inst):
    stack = frame.stack
    match_type = stack.pop()
    _check_catchable(match_type)
    exc = stack[-1]
    if isinstance(exc, frame.rt.uncatchable):
        # When the clause's "no match" jump lands on a bare ``except:``, leave the handler now.
        instructions = frame.info.instructions
        branch = instructions[inst.index + 1]
        if branch.target is not None and instructions[branch.target].opname == "POP_TOP":
            raise exc
        stack.append(False)
        return
    stack.append(isinstance(exc, match_type))


def check_eg_match(frame, inst):
    """CHECK_EG_MATCH: split the exception for an ``except*`` clause."""
    stack = frame.stack
    match_type = stack.pop()
    _check_catchable(match_type)
    types = match_type if type(match_type) is tuple else (match_type,)
    if any(issubclass(candidate, BaseExceptionGroup) for candidate in types):
        raise TypeError(
            "catching ExceptionGroup with except* is not allowed. Use except instead."
        )
    exc = stack[-1]
    rt = frame.rt
    match = rest = None
    if isinstance(exc, rt.uncatchable):
        rest = exc
    elif isinstance(exc, BaseExceptionGroup):
        match, rest = exc.split(match_type)
    elif isinstance(exc, match_type):
        match = BaseExceptionGroup("", [exc])
        match.__traceback__ = exc.__traceback__
    else:
        rest = exc
    if match is None:
        stack.append(None)
        return
    stack[-1] = rest
    stack.append(match)
    rt.handled_exc = match


def _leaves(exc, into):
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            _leaves(inner, into)
    else:
        into.add(id(exc))


def _same_metadata(first, second):
    return (
        getattr(first, "__notes__", None) is getattr(second, "__notes__", None)
        and first.__traceback__ is second.__traceback__
        and first.__cause__ is second.__cause__
        and first.__context__ is second.__context__
    )


def prep_reraise_star(original, raised_and_reraised):
    """What a ``try``/``except*`` re-raises: new exceptions plus the re-raised part of the
    original group, keeping the original group's structure for the latter."""
    excs = [exc for exc in raised_and_reraised if exc is not None]
    if not excs:
        return None
    if not isinstance(original, BaseExceptionGroup):
        return excs[0]
    raised = [exc for exc in excs if not _same_metadata(exc, original)]
    reraised = [exc for exc in excs if _same_metadata(exc, original)]
    reraised_group = None
    if reraised:
        leaf_ids = set()
        for exc in reraised:
            _leaves(exc, leaf_ids)
        reraised_group = original.split(lambda leaf: id(leaf) in leaf_ids)[0]
    if not raised:
        return reraised_group
    if reraised_group is not None:
        raised.append(reraised_group)
    return raised[0] if len(raised) == 1 else BaseExceptionGroup("", raised)


def prep_reraise_star_handler(frame, inst):
    """PREP_RERAISE_STAR (3.11)."""
    stack = frame.stack
    excs = stack.pop()
    stack[-1] = prep_reraise_star(stack[-1], excs)


def reraise(frame, inst):
    """RERAISE: raise the exception on top of the stack again, unchanged."""
    raise frame.stack.pop()


def set_context(rt, exc):
    """Implicit chaining of a newly raised ``exc`` to the exception being handled (if any)."""
    handled = rt.handled_exc
    if handled is None or handled is exc:
        return
    link = handled
    while True:
        context = link.__context__
        if context is None:
            break
        if context is exc:
            link.__context__ = None
            break
        link = context
    exc.__context__ = handled


def _instantiate(rt, value):
    if isinstance(value, type) and issubclass(value, BaseException):
        exc = rt.call(value, (), {})
        if not isinstance(exc, BaseException):
            raise TypeError(
                f"calling {value!r} should have returned an instance of BaseException, "
                f"not {type(exc).__name__}"
            )
        return exc
    if isinstance(value, BaseException):
        return value
    raise TypeError("exceptions must derive from BaseException")


def raise_varargs(frame, inst):
    """RAISE_VARARGS: ``raise`` (0), ``raise exc`` (1), ``raise exc from cause`` (2)."""
    stack = frame.stack
    rt = frame.rt
    if inst.arg == 0:
        if rt.handled_exc is None:
            raise RuntimeError("No active exception to reraise")
        raise rt.handled_exc
    cause = stack.pop() if inst.arg == 2 else None
    exc = _instantiate(rt, stack.pop())
    if inst.arg == 2:
        if cause is None:
            exc.__cause__ = None
        else:
            try:
                exc.__cause__ = _instantiate(rt, cause)
            except TypeError:
                raise TypeError("exception causes must derive from BaseException") from None
    set_context(rt, exc)
    raise exc


def _bind(method, obj):
    if type(method) is FunctionType:
        return MethodType(method, obj)
    getter = getattr(type(method), "__get__", None)
    return getter(method, obj, type(obj)) if getter is not None else method


def before_with(frame, inst):
    """BEFORE_WITH: push the bound ``__exit__`` and the result of ``__enter__()``."""
    stack = frame.stack
    manager = stack.pop()
    cls = type(manager)
    enter = lookup_type(cls, "__enter__")
    if enter is MISSING:
        raise TypeError(
            f"'{cls.__name__}' object does not support the context manager protocol"
        )
    exit_method = lookup_type(cls, "__exit__")
    if exit_method is MISSING:
        raise TypeError(
            f"'{cls.__name__}' object does not support the context manager protocol "
            "(missed __exit__ method)"
        )
    stack.append(_bind(exit_method, manager))
    stack.append(call_dunder(frame.rt, enter, manager, ()))


def with_except_start(frame, inst):
    """WITH_EXCEPT_START: call ``__exit__(type, value, traceback)`` of the exception on top."""
    stack = frame.stack
    exc = stack[-1]
    exit_bound = stack[-4]
    rt = frame.rt
    result = rt.call(exit_bound, (type(exc), exc, exc.__traceback__), {})
    if isinstance(exc, rt.uncatchable):
        result = False
    stack.append(result)
