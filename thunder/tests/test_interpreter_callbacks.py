"""Interpreter tests of what a compiler sees through ``InterpreterCallbacks`` (global,
attribute, subscript and cell loads, lookasides, opaque calls), of uncatchable exceptions, and
of the interpreter's error paths (``InterpreterError`` naming the user's line).

Where torch is missing, run these tests through ``python thunder/tests/test_interpreter.py``.
"""

import contextlib
import math
import types

import pytest

from thunder.interpreter import (
    InterpreterCallbacks,
    InterpreterError,
    current_location,
    interpret,
    interpret_call,
)
from thunder.interpreter.code_info import code_info
from thunder.interpreter.errors import error_at
from thunder.interpreter.opcodes import DISPATCH, operators
from thunder.interpreter.opcodes.common import unknown_opcode
from thunder.tests.interpreter_helpers import Derived, Point, Truthy, Vec, fib, outcome


# Callbacks ------------------------------------------------------------------------------------


SCALE = 10


def uses_global(x):
    return x * SCALE + len("ab")


def test_on_load_global_value_is_what_the_code_sees():
    seen = []

    class Callbacks(InterpreterCallbacks):
        def on_load_global(self, globals_dict, name, value):
            seen.append((name, globals_dict))
            return 100 if name == "SCALE" else value

    assert interpret(uses_global, (2,), {}, Callbacks()) == 202
    assert [name for name, _ in seen] == ["SCALE", "len"]
    assert seen[0][1] is globals()
    assert seen[1][1] is uses_global.__builtins__


def test_lookaside_replaces_calls_and_is_called_natively():
    calls = []

    def double(x):
        return x * 2

    class Callbacks(InterpreterCallbacks):
        def lookaside(self, fn):
            calls.append(fn)
            if fn is double:
                return lambda x: "replaced"
            return None

    def caller(x):
        return double(x), abs(-x)

    assert interpret(caller, (3,), {}, Callbacks()) == ("replaced", 3)
    assert double in calls and abs in calls


def test_lookaside_sees_bound_methods_and_special_methods():
    seen = []

    class Callbacks(InterpreterCallbacks):
        def lookaside(self, fn):
            if isinstance(fn, types.MethodType):
                seen.append((fn.__func__.__name__, type(fn.__self__).__name__))
            return None

    def use():
        v = Vec(1) + Vec(2)
        return v.__repr__(), Derived(1, 2).describe()

    assert interpret(use, (), {}, Callbacks()) == outcome(use, callbacks="native")[1]
    assert ("__add__", "Vec") in seen
    assert ("__init__", "Derived") in seen
    assert ("describe", "Derived") in seen


def test_lookaside_for_bool_of_user_class_is_used_by_if():
    class Callbacks(InterpreterCallbacks):
        def lookaside(self, fn):
            if getattr(fn, "__func__", None) is Truthy.__bool__:
                return lambda: True
            return None

    def branch():
        return "taken" if Truthy(False) else "not taken"

    assert interpret(branch, (), {}, Callbacks()) == "taken"


def test_on_load_attr_sees_object_name_and_value_and_can_replace_it():
    seen = []

    class Callbacks(InterpreterCallbacks):
        def on_load_attr(self, obj, name, value):
            seen.append((type(obj).__name__, name, value))
            return "patched" if name == "x" else value

    def read(p):
        return p.x, getattr(p, "y"), p.norm2

    result = interpret(read, (Point(1, 2),), {}, Callbacks())
    assert result[0] == "patched" and result[1] == 2
    assert ("Point", "x", 1) in seen and ("Point", "y", 2) in seen
    assert any(name == "norm2" for _, name, _ in seen)


def test_on_store_attr_can_take_over_the_store():
    class Callbacks(InterpreterCallbacks):
        def on_store_attr(self, obj, name, value):
            return name == "hidden"

    def write(ns):
        ns.hidden = 1
        ns.visible = 2
        return vars(ns)

    assert interpret(write, (types.SimpleNamespace(),), {}, Callbacks()) == {"visible": 2}


def test_on_subscr_sees_container_key_and_value():
    seen = []

    class Callbacks(InterpreterCallbacks):
        def on_subscr(self, obj, key, value):
            seen.append((key, value))
            return value * 10

    def read(values):
        return values[1] + values[0:1][0]

    # values[1] -> 20; values[0:1] -> ten 1s, whose [0] -> 10
    assert interpret(read, ([1, 2],), {}, Callbacks()) == 20 + 10
    assert seen == [(1, 2), (slice(0, 1), [1]), (0, 1)]


def make_closure():
    captured = 5

    def reader():
        inner = 7

        def nested():
            return inner

        return captured + nested()

    return reader


def test_on_load_deref_fires_only_for_cells_created_outside_the_interpretation():
    seen = []

    class Callbacks(InterpreterCallbacks):
        def on_load_deref(self, cell, name, value):
            seen.append(name)
            return value * 2

    assert interpret(make_closure(), (), {}, Callbacks()) == 5 * 2 + 7
    assert seen == ["captured"]


def test_on_opaque_call_and_result_see_native_calls():
    seen = []

    class Callbacks(InterpreterCallbacks):
        def on_opaque_call(self, fn, args, kwargs):
            seen.append((fn, args))

        def on_opaque_result(self, fn, args, kwargs, result):
            return result + 1 if fn is math.floor else result

    def use(x):
        return math.floor(x), fib(3)

    assert interpret(use, (2.5,), {}, Callbacks()) == (3, 2)
    assert seen == [(math.floor, (2.5,))]


def test_generators_keep_their_callbacks_when_resumed_later():
    seen = []

    class Callbacks(InterpreterCallbacks):
        def on_load_global(self, globals_dict, name, value):
            seen.append(name)
            return value

    def make():
        def gen():
            yield SCALE

        return gen()

    gen = interpret(make, (), {}, Callbacks())
    assert seen == []
    assert list(gen) == [SCALE]
    assert seen == ["SCALE"]


# Uncatchable exceptions and errors ------------------------------------------------------------


class Abort(Exception):
    pass


def swallowing(log):
    try:
        try:
            log.append("body")
            raise Abort("stop")
        except Exception:
            log.append("except Exception")
        except:  # noqa: E722
            log.append("bare except")
    finally:
        log.append("finally")
    return "swallowed"


def bare_except(log):
    try:
        raise Abort("stop")
    except:  # noqa: E722
        log.append("bare except")


def with_suppress(log):
    with contextlib.suppress(Exception):
        raise Abort("stop")
    log.append("after with")


def test_uncatchable_exceptions_pass_except_clauses_but_run_finally():
    class Callbacks(InterpreterCallbacks):
        uncatchable = (Abort,)

    assert interpret(swallowing, ([],), {}) == "swallowed"
    for fn, expected in ((swallowing, ["body", "finally"]), (bare_except, []),
                         (with_suppress, [])):
        log = []
        with pytest.raises(Abort):
            interpret(fn, (log,), {}, Callbacks())
        assert log == expected


def test_interpreter_error_from_on_opaque_call_names_the_user_line():
    class Callbacks(InterpreterCallbacks):
        def on_opaque_call(self, fn, args, kwargs):
            raise InterpreterError(f"cannot call {fn.__name__}")

    def user(x):
        try:
            return math.sqrt(x)
        except Exception:
            return "caught"

    line = user.__code__.co_firstlineno + 2
    with pytest.raises(InterpreterError) as info:
        interpret(user, (4,), {}, Callbacks())
    message = str(info.value)
    assert "cannot call sqrt" in message
    assert f"{__file__}:{line} in user" in message


def test_unknown_opcode_raises_interpreter_error_naming_opcode_and_line():
    namespace = {}
    exec(compile("def f(x):\n    y = x + 1\n    return y\n", "user_file.py", "exec"), namespace)
    fn = namespace["f"]
    info = code_info(fn.__code__, DISPATCH)
    for inst in info.instructions:
        if inst.opname == "BINARY_OP":
            inst.handler = unknown_opcode
    with pytest.raises(InterpreterError) as error:
        interpret(fn, (1,), {})
    message = str(error.value)
    assert "unsupported opcode BINARY_OP" in message
    assert "user_file.py:2 in f" in message
    assert "please report" in message


def test_error_helper_formats_what_where_and_hint():
    error = error_at("unsupported thing", ("model.py", 12, "forward"), "try again")
    assert str(error) == "unsupported thing at model.py:12 in forward; try again"


def test_internal_handler_failure_becomes_interpreter_error_naming_the_user_line():
    namespace = {}
    exec(compile("def f(x):\n    try:\n        return -x\n    except Exception:\n"
                 "        return 'swallowed'\n", "buggy_user.py", "exec"), namespace)
    fn = namespace["f"]

    # A wrong table entry: IS_OP pops two operands where UNARY_NEGATIVE has one.
    for inst in code_info(fn.__code__, DISPATCH).instructions:
        if inst.opname == "UNARY_NEGATIVE":
            inst.handler = operators.is_op
    with pytest.raises(InterpreterError) as error:
        interpret(fn, (1,), {})
    message = str(error.value)
    assert "internal interpreter error (IndexError" in message
    assert "buggy_user.py:3 in f" in message


def test_current_location_inside_lookaside_is_the_calling_user_line():
    locations = []

    def probe():
        return None

    class Callbacks(InterpreterCallbacks):
        def lookaside(self, fn):
            if fn is probe:
                return lambda: locations.append(current_location())
            return None

    def user():
        x = 1
        probe()
        return x

    interpret(user, (), {}, Callbacks())
    assert locations == [(__file__, user.__code__.co_firstlineno + 2, "user")]
    assert current_location() is None


def test_interpret_call_reenters_the_running_interpretation():
    seen = []

    def forward(x):
        return x + SCALE

    class Module:
        def __call__(self, x):
            raise AssertionError("replaced by the lookaside")

    class Callbacks(InterpreterCallbacks):
        def lookaside(self, fn):
            if isinstance(fn, Module):
                return lambda *args: interpret_call(forward, *args)
            return None

        def on_load_global(self, globals_dict, name, value):
            seen.append(name)
            return value

    def user(x):
        return Module()(x)

    assert interpret(user, (1,), {}, Callbacks()) == 1 + SCALE
    assert "SCALE" in seen


def test_interpret_call_without_running_interpretation_raises():
    with pytest.raises(InterpreterError):
        interpret_call(len, [])


async def coroutine_function():
    return 1


def test_async_functions_raise_a_clear_interpreter_error():
    def user():
        return coroutine_function()

    with pytest.raises(InterpreterError, match="async functions are not supported"):
        interpret(user, (), {})


def test_decoded_code_objects_are_cached():
    assert code_info(fib.__code__, DISPATCH) is code_info(fib.__code__, DISPATCH)
