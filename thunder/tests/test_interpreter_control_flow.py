"""Interpreter tests of control flow: loops, ``match``, exceptions (``try``, ``raise``,
chaining, ``except*``, ``assert``) and ``with`` statements.

Each test runs a small function natively and through ``interpret`` and compares the outcomes
(see ``thunder/tests/interpreter_helpers.py``). Where torch is missing, run these tests through
``python thunder/tests/test_interpreter.py``.
"""

import contextlib
import sys

import pytest

from thunder.tests.interpreter_helpers import Point, assert_same, outcome


# Loops and match ------------------------------------------------------------------------------


def matcher(subject):
    match subject:
        case []:
            return "empty"
        case [1, *rest]:
            return ("starts with one", rest)
        case [x, y] if x == y:
            return ("pair of equals", x)
        case {"kind": "circle", "r": r, **others}:
            return ("circle", r, others)
        case Point(x=0, y=y):
            return ("on y axis", y)
        case Point(x, y):
            return ("point", x, y)
        case int(n) | float(n) if n > 100:
            return ("big", n)
        case str() as text:
            return ("text", text)
        case (1 | 2) as small:
            return ("small", small)
        case _:
            return "other"


@pytest.mark.parametrize("subject", [[], [1, 2, 3], [4, 4], {"kind": "circle", "r": 2, "z": 0},
                                     Point(0, 5), Point(1, 2), 500, 1000.5, "s", 2, 3.5, (4, 5)])
def test_match_statement_matches_python(subject):
    assert_same(matcher, subject)


def loops(n):
    log = []
    i = 0
    while True:
        i += 1
        if i % 2:
            continue
        if i > n:
            break
        log.append(i)
    else:
        log.append("never")
    j = 0
    while j < 3:
        j += 1
    else:
        log.append("while else")
    for k in range(3):
        if k == 5:
            break
    else:
        log.append("for else")
    for outer in range(3):
        for inner in range(3):
            if inner == outer:
                break
        log.append((outer, inner))
    return log


def test_while_and_for_loops_with_break_continue_and_else_match_python():
    assert_same(loops, 7)


# Exceptions and with --------------------------------------------------------------------------


def try_except_else_finally(fail):
    log = []
    try:
        log.append("body")
        if fail:
            raise ValueError("bad")
    except ValueError as error:
        log.append(("except", str(error)))
    else:
        log.append("else")
    finally:
        log.append("finally")
    return log


def test_try_except_else_finally_order_matches_python():
    assert_same(try_except_else_finally, True)
    assert_same(try_except_else_finally, False)


def nested_finally_with_return():
    log = []

    def inner():
        try:
            try:
                return "try"
            finally:
                log.append("inner finally")
        finally:
            log.append("outer finally")
            return "finally wins"  # noqa: B012

    log.append(inner())
    return log


def test_nested_finally_with_return_matches_python():
    assert_same(nested_finally_with_return)


def reraise_and_chaining():
    log = []
    try:
        try:
            {}["missing"]
        except KeyError:
            raise
    except KeyError as error:
        log.append(("reraised", error.args))
    try:
        try:
            1 / 0
        except ZeroDivisionError:
            raise ValueError("during handling")
    except ValueError as error:
        log.append((type(error.__context__).__name__, error.__cause__, error.__suppress_context__))
    try:
        try:
            1 / 0
        except ZeroDivisionError as error:
            raise TypeError("explicit") from error
    except TypeError as error:
        log.append((type(error.__cause__).__name__, error.__suppress_context__))
    try:
        raise RuntimeError("no cause") from None
    except RuntimeError as error:
        log.append((error.__cause__, error.__suppress_context__))
    return log


def test_reraise_and_exception_chaining_match_python():
    assert_same(reraise_and_chaining)


def native_exceptions_are_catchable():
    log = []
    for thunk in (lambda: int("x"), lambda: [][1], lambda: {}["k"], lambda: None.attr):
        try:
            thunk()
        except (ValueError, LookupError, AttributeError) as error:
            log.append(type(error).__name__)
    return log


def test_exceptions_from_native_calls_are_caught_by_interpreted_handlers():
    assert_same(native_exceptions_are_catchable)


def uncaught_custom_exception():
    class Custom(Exception):
        def __init__(self, code):
            super().__init__(f"code {code}")
            self.code = code

    raise Custom(3)


def test_uncaught_exception_propagates_with_type_and_message():
    native = outcome(uncaught_custom_exception, callbacks="native")
    interpreted = outcome(uncaught_custom_exception)
    assert interpreted[2] == native[2] == "code 3"
    assert interpreted[1].__name__ == "Custom"


def exception_groups():
    log = []
    try:
        raise ExceptionGroup("group", [ValueError(1), TypeError(2), ValueError(3)])
    except* ValueError as group:
        log.append(("values", [e.args for e in group.exceptions]))
    except* TypeError as group:
        log.append(("types", [e.args for e in group.exceptions]))
    try:
        try:
            raise ExceptionGroup("group", [ValueError(1), KeyError(2)])
        except* ValueError:
            log.append("handled values")
    except ExceptionGroup as rest:
        log.append(("rest", [type(e).__name__ for e in rest.exceptions]))
    try:
        try:
            raise KeyError("naked")
        except* KeyError as group:
            log.append(("wrapped", type(group).__name__))
            raise RuntimeError("new") from None
    except RuntimeError as error:
        log.append(str(error))
    return log


def test_exception_groups_split_across_except_star_clauses():
    assert_same(exception_groups)


def exc_info_in_handler():
    try:
        raise KeyError("k")
    except KeyError:
        kind, value, _ = sys.exc_info()
        inside = (kind.__name__, value.args)
    return inside, sys.exc_info()


def test_sys_exc_info_inside_except_block_reports_handled_exception():
    assert_same(exc_info_in_handler)


def failing_assert(value):
    assert value > 0, f"{value} is not positive"
    return value


def test_assert_statement_matches_python():
    assert_same(failing_assert, 1)
    assert assert_same(failing_assert, -1)[1] is AssertionError


def with_statements():
    log = []

    class Manager:
        def __init__(self, name, suppress=False):
            self.name = name
            self.suppress = suppress

        def __enter__(self):
            log.append(("enter", self.name))
            return self.name.upper()

        def __exit__(self, kind, value, traceback):
            log.append(("exit", self.name, kind.__name__ if kind else None))
            return self.suppress

    with Manager("a") as value, Manager("b"):
        log.append(value)
    with Manager("s", suppress=True):
        raise ValueError("suppressed")
    try:
        with Manager("r"):
            raise KeyError("escapes")
    except KeyError:
        log.append("escaped")
    with contextlib.suppress(ZeroDivisionError):
        1 / 0
    return log


def test_with_calls_enter_and_exit_and_honours_suppression():
    assert_same(with_statements)


@contextlib.contextmanager
def tagged(log, tag):
    log.append(("open", tag))
    try:
        yield tag * 2
    except ValueError:
        log.append(("handled", tag))
    finally:
        log.append(("close", tag))


def contextmanager_use():
    log = []
    with tagged(log, "x") as doubled:
        log.append(doubled)
    with tagged(log, "y"):
        raise ValueError("swallowed by the generator")
    return log


def test_contextmanager_decorated_generators_run_interpreted():
    assert_same(contextmanager_use)


def with_stack():
    log = []
    with contextlib.ExitStack() as stack:
        for tag in "ab":
            stack.enter_context(tagged(log, tag))
    return log


def test_exit_stack_matches_python():
    assert_same(with_stack)
