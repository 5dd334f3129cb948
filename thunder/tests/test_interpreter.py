"""Tests of the bytecode interpreter (``thunder.interpreter``), without torch.

Most tests run a small function natively and through ``interpret`` and compare the outcomes
(value, or exception type and message) and side effects. The callback tests check what a
compiler sees through ``InterpreterCallbacks``. They pass on CPython 3.11 and 3.12.

``thunder/__init__.py`` imports torch; where torch is missing (the 3.12 environment) the
torch-free interpreter package is loaded on its own under a bare ``thunder`` package.
"""

import collections
import contextlib
import dataclasses
import functools
import math
import sys
import types
from pathlib import Path

import pytest

try:
    import thunder.interpreter  # noqa: F401
except ImportError:  # pragma: no cover - depends on whether torch is installed
    for _name in [name for name in sys.modules if name.split(".")[0] == "thunder"]:
        del sys.modules[_name]
    _package = types.ModuleType("thunder")
    _package.__path__ = [str(Path(__file__).resolve().parents[1])]
    sys.modules["thunder"] = _package

from thunder.interpreter import (  # noqa: E402
    InterpreterCallbacks,
    InterpreterError,
    current_location,
    interpret,
    interpret_call,
)
from thunder.interpreter.code_info import code_info  # noqa: E402
from thunder.interpreter.errors import error_at  # noqa: E402
from thunder.interpreter.opcodes import DISPATCH, operators  # noqa: E402
from thunder.interpreter.opcodes.common import unknown_opcode  # noqa: E402


def outcome(fn, *args, callbacks=None, **kwargs):
    """('value', result) or ('raises', type, message) of running ``fn`` (natively if
    ``callbacks`` is the string 'native', else interpreted)."""
    try:
        if callbacks == "native":
            return ("value", fn(*args, **kwargs))
        return ("value", interpret(fn, args, kwargs, callbacks or InterpreterCallbacks()))
    except Exception as error:  # noqa: BLE001 - the outcome is what is compared
        return ("raises", type(error), str(error))


def assert_same(fn, *args, **kwargs):
    """Runs ``fn`` natively and interpreted; asserts equal outcomes; returns the outcome."""
    native = outcome(fn, *args, callbacks="native", **kwargs)
    interpreted = outcome(fn, *args, **kwargs)
    assert interpreted == native
    return interpreted


# Operators ----------------------------------------------------------------------------------


def arithmetic(a, b):
    results = [a + b, a - b, a * b, a / b, a // b, a % b, a ** 2, -a, +a, abs(a)]
    x = a
    x += b
    x -= 1
    x *= 3
    x //= 2
    x **= 2
    x %= 1000
    results.append(x)
    return results


def test_arithmetic_and_inplace_operators_match_python():
    assert_same(arithmetic, 7, 3)
    assert_same(arithmetic, 7.5, -2.25)
    assert_same(arithmetic, 1, 0)


def bitwise_and_comparisons(a, b):
    return [a & b, a | b, a ^ b, a << 2, a >> 1, ~a, a < b, a <= b, a == b, a != b, a > b,
            a >= b, 1 < a < 10, a is b, a is not None, not a, a in [1, 2, 5], a not in (5,)]


def test_bitwise_comparison_identity_and_membership_match_python():
    assert_same(bitwise_and_comparisons, 5, 3)
    assert_same(bitwise_and_comparisons, 0, 0)


class Vec:
    def __init__(self, x):
        self.x = x

    def __add__(self, other):
        if isinstance(other, Vec):
            return Vec(self.x + other.x)
        if isinstance(other, int):
            return Vec(self.x + other)
        return NotImplemented

    def __radd__(self, other):
        return Vec(other * 100 + self.x)

    def __mul__(self, other):
        return Vec(self.x * other)

    def __neg__(self):
        return Vec(-self.x)

    def __eq__(self, other):
        return isinstance(other, Vec) and self.x == other.x

    def __lt__(self, other):
        return self.x < other.x

    def __matmul__(self, other):
        return self.x * other.x

    def __repr__(self):
        return f"Vec({self.x})"


class SubVec(Vec):
    def __radd__(self, other):
        return SubVec(-1)


def user_operators():
    a, b = Vec(1), Vec(2)
    c = a
    c += b
    c *= 3
    return [a + b, a + 5, 5 + a, -a, a == Vec(1), a != b, a < b, b > a, a @ b, Vec(1) + SubVec(2),
            c, sorted([b, a]), a == 1, a != 1]


def test_user_defined_operators_use_reflection_subclass_rule_and_inplace_fallback():
    assert_same(user_operators)


def unsupported_operands():
    return Vec(1) - Vec(2)


def test_unsupported_operand_error_matches_python():
    result = assert_same(unsupported_operands)
    assert result[0] == "raises" and result[1] is TypeError


class Bag:
    def __init__(self, items):
        self.items = list(items)

    def __contains__(self, item):
        return item in self.items

    def __len__(self):
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def __getitem__(self, index):
        return self.items[index]

    def __setitem__(self, index, value):
        self.items[index] = value

    def __delitem__(self, index):
        del self.items[index]


class Truthy:
    def __init__(self, value):
        self.value = value

    def __bool__(self):
        return self.value


def protocols_of_user_classes():
    bag = Bag([1, 2, 3])
    log = [2 in bag, 5 in bag, len(bag), list(bag), bag[1], bool(Bag([])), bool(bag)]
    bag[0] = 10
    del bag[1]
    log.append(bag.items)
    log.append("yes" if Truthy(True) else "no")
    log.append("yes" if Truthy(False) else "no")
    log.append(not Truthy(False))
    return log


def test_contains_len_iter_subscript_and_truth_protocols_match_python():
    assert_same(protocols_of_user_classes)


def slicing(values):
    values = list(values)
    result = [values[1:3], values[::-1], values[:-1], values[::2]]
    values[1:3] = ["a", "b", "c"]
    del values[0]
    result.append(values)
    result.append("hello"[1:4])
    return result


def test_slicing_and_slice_assignment_match_python():
    assert_same(slicing, range(6))


# Scopes and calls ---------------------------------------------------------------------------

COUNTER = 0


def bump_global(n):
    global COUNTER
    COUNTER += n
    return COUNTER


def test_global_read_and_write_match_python():
    global COUNTER
    COUNTER = 0
    native = bump_global(3)
    COUNTER = 0
    assert interpret(bump_global, (3,), {}) == native
    assert COUNTER == 3


def nested_closures(n):
    total = 0

    def outer(step):
        def inner():
            nonlocal total
            total += step * n
            return total

        return inner

    adders = [outer(k) for k in range(3)]
    return [adder() for adder in adders], total, (lambda: n * 2)()


def test_nested_closures_with_nonlocal_match_python():
    assert_same(nested_closures, 5)


def unbound_local():
    if False:
        value = 1
    return value  # noqa: F821


def test_unbound_local_raises_unbound_local_error():
    result = assert_same(unbound_local)
    assert result[1] is UnboundLocalError


def deletions():
    a = 1
    data = {"k": 1, "j": 2}
    obj = types.SimpleNamespace(x=1, y=2)
    del a, data["k"], obj.x
    try:
        a
    except NameError as error:
        caught = type(error).__name__
    return data, vars(obj), caught


def test_del_of_local_item_and_attribute_matches_python():
    assert_same(deletions)


def signature_variety(a, b=2, *args, c, d=4, **kwargs):
    return a, b, args, c, d, kwargs


def call_variety():
    extra = {"e": 5}
    return [
        signature_variety(1, c=3),
        signature_variety(1, 2, 3, 4, c=5, z=6),
        signature_variety(*[1, 2, 3], **{"c": 0}, **extra),
        signature_variety(a=1, c=2),
        (lambda *a, **k: (a, k))(*range(3), x=1),
    ]


def test_defaults_keyword_only_star_args_and_star_star_kwargs_match_python():
    assert_same(call_variety)


def positional_only(a, b, /, c):
    return a + b + c


@pytest.mark.parametrize(
    "args, kwargs",
    [((1,), {}), ((1, 2, 3, 4), {}), ((1, 2), {"c": 3, "z": 1}), ((1, 2, 3), {"c": 3}),
     ((1,), {"b": 2, "c": 3})],
)
def test_argument_binding_errors_match_python_messages(args, kwargs):
    result = assert_same(positional_only, *args, **kwargs)
    assert result[1] is TypeError


def test_missing_keyword_only_argument_message_matches_python():
    assert assert_same(signature_variety, 1)[1] is TypeError


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def test_recursion_matches_python():
    assert_same(fib, 15)


def uses_partial():
    add3 = functools.partial(lambda x, y, z=0: (x, y, z), 1, z=3)
    return add3(2), add3(y=5), functools.reduce(lambda acc, v: acc * v, [1, 2, 3, 4])


def test_functools_partial_matches_python():
    assert_same(uses_partial)


class Multiplier:
    def __init__(self, factor):
        self.factor = factor

    def __call__(self, value):
        return value * self.factor


def callable_objects():
    return Multiplier(3)(4), list(map(Multiplier(2), [1, 2]))


def test_callable_object_with_python_call_matches_python():
    assert_same(callable_objects)


# Comprehensions and generators -------------------------------------------------------------


def comprehensions(n):
    return (
        [i * i for i in range(n) if i % 2],
        {i: str(i) for i in range(n)},
        {i % 3 for i in range(n)},
        sum(i for i in range(n)),
        [[i * j for j in range(i)] for i in range(n)],
        [x for row in [[1, 2], [3]] for x in row],
        [(lambda: i)() for i in range(3)],
    )


def test_list_dict_set_generator_and_nested_comprehensions_match_python():
    assert_same(comprehensions, 6)


def comprehension_keeps_outer_variable():
    i = "outer"
    values = [i for i in range(3)]
    return i, values


def test_comprehension_variable_does_not_leak_into_function():
    assert_same(comprehension_keeps_outer_variable)


def generator_protocol():
    log = []

    def numbers(n):
        try:
            for i in range(n):
                received = yield i
                if received is not None:
                    log.append(("received", received))
        except KeyError as error:
            log.append(("caught", str(error)))
            yield "recovered"
        finally:
            log.append("finally")
        return "done"

    gen = numbers(5)
    log.append(next(gen))
    log.append(gen.send("hello"))
    log.append(gen.throw(KeyError("k")))
    gen.close()
    finished = numbers(1)
    log.append(list(finished))
    try:
        next(finished)
    except StopIteration as stop:
        log.append(("stop", stop.value))
    return log


def test_generator_send_throw_close_and_return_value_match_python():
    assert_same(generator_protocol)


def yield_from_delegation():
    log = []

    def inner():
        try:
            value = yield "first"
            log.append(value)
            yield "second"
        except ValueError:
            log.append("inner caught")
            yield "after throw"
        return "inner result"

    def outer():
        result = yield from inner()
        log.append(result)
        yield "outer end"

    gen = outer()
    log.append(next(gen))
    log.append(gen.send("sent"))
    log.append(gen.throw(ValueError))
    log.append(next(gen))
    log.append(list(gen))
    return log


def test_yield_from_delegates_send_throw_and_return_value():
    assert_same(yield_from_delegation)


def generator_consumed_natively():
    def squares(n):
        for i in range(n):
            yield i * i

    return list(squares(4)), tuple(zip(squares(3), "abc")), dict(enumerate(squares(2))), max(
        squares(5)
    )


def test_generators_are_driven_by_native_consumers():
    assert_same(generator_consumed_natively)


def generator_raising_stop_iteration():
    def bad():
        yield 1
        raise StopIteration

    return list(bad())


def test_stop_iteration_inside_generator_becomes_runtime_error():
    result = assert_same(generator_raising_stop_iteration)
    assert result[1] is RuntimeError


def close_into_yield_from():
    log = []

    def inner():
        try:
            yield 1
        finally:
            log.append("inner closed")

    def outer():
        try:
            yield from inner()
        finally:
            log.append("outer closed")

    gen = outer()
    next(gen)
    gen.close()
    return log


def test_close_propagates_through_yield_from_and_runs_finally_blocks():
    assert_same(close_into_yield_from)


def test_interpreted_generator_is_a_collections_abc_generator():
    def make():
        def gen():
            yield 1

        return gen()

    gen = interpret(make, (), {})
    assert isinstance(gen, collections.abc.Generator)
    assert list(gen) == [1]


# Exceptions and with ------------------------------------------------------------------------


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


# Classes and attributes ---------------------------------------------------------------------


class Base:
    registry = []

    def __init__(self, x):
        self.x = x

    def describe(self):
        return f"Base({self.x})"

    @classmethod
    def make(cls, x):
        return cls(x)

    @staticmethod
    def helper(value):
        return value * 10


class Derived(Base):
    def __init__(self, x, y):
        super().__init__(x)
        self.y = y

    def describe(self):
        return "Derived+" + super().describe()

    @classmethod
    def make(cls, x):
        return super().make(x) if cls is not Derived else cls(x, 0)


def zero_arg_super_in_init():
    d = Derived(1, 2)
    return d.x, d.y, d.describe(), Derived.make(5).describe(), d.helper(2), Base.helper(3)


def test_zero_arg_super_in_init_and_methods_matches_python():
    assert_same(zero_arg_super_in_init)


def diamond_inheritance():
    log = []

    class A:
        def hello(self):
            log.append("A")

    class B(A):
        def hello(self):
            log.append("B")
            super().hello()

    class C(A):
        def hello(self):
            log.append("C")
            super().hello()

    class D(B, C):
        def hello(self):
            log.append("D")
            super().hello()

    D().hello()
    return log, [k.__name__ for k in D.__mro__]


def test_zero_arg_super_follows_the_mro_in_classes_defined_inside_the_function():
    assert_same(diamond_inheritance)


def properties_and_descriptors():
    log = []

    class Positive:
        def __set_name__(self, owner, name):
            self.name = "_" + name

        def __get__(self, obj, owner=None):
            if obj is None:
                return self
            return getattr(obj, self.name)

        def __set__(self, obj, value):
            if value < 0:
                raise ValueError("negative")
            setattr(obj, self.name, value)

    class Thing:
        size = Positive()

        def __init__(self):
            self._area = 0
            self.size = 3

        @property
        def area(self):
            log.append("get area")
            return self._area

        @area.setter
        def area(self, value):
            log.append("set area")
            self._area = value

        @functools.cached_property
        def expensive(self):
            log.append("computed")
            return 42

    thing = Thing()
    thing.area = 7
    log.append(thing.area)
    log.append(thing.size)
    try:
        thing.size = -1
    except ValueError as error:
        log.append(str(error))
    log.append((thing.expensive, thing.expensive))
    log.append(type(Thing.size).__name__)
    return log


def test_properties_cached_property_and_data_descriptors_match_python():
    assert_same(properties_and_descriptors)


def read_only_property():
    class Frozen:
        @property
        def value(self):
            return 1

    Frozen().value = 2


def test_assigning_property_without_setter_raises_attribute_error():
    assert assert_same(read_only_property)[1] is AttributeError


def attribute_hooks():
    log = []

    class Dynamic:
        def __init__(self):
            self.real = 1

        def __getattr__(self, name):
            log.append(("getattr", name))
            if name.startswith("x"):
                return name.upper()
            raise AttributeError(name)

    class Recording:
        def __setattr__(self, name, value):
            log.append(("setattr", name, value))
            object.__setattr__(self, name, value * 2)

        def __getattribute__(self, name):
            log.append(("getattribute", name))
            return object.__getattribute__(self, name)

    dynamic = Dynamic()
    log.append((dynamic.real, dynamic.xyz, hasattr(dynamic, "nope"), getattr(dynamic, "q", "d")))
    recording = Recording()
    recording.value = 4
    setattr(recording, "other", 1)
    log.append(recording.value)
    return log


def test_getattr_fallback_getattribute_and_setattr_overrides_match_python():
    assert_same(attribute_hooks)


@dataclasses.dataclass
class Point:
    x: int
    y: int = 0
    tags: list = dataclasses.field(default_factory=list)

    def norm2(self):
        return self.x * self.x + self.y * self.y


def dataclasses_use():
    @dataclasses.dataclass(frozen=True, order=True)
    class Version:
        major: int
        minor: int = 0

    p = Point(3, 4)
    versions = sorted([Version(1, 2), Version(1, 0), Version(0, 9)])
    try:
        versions[0].major = 5
    except dataclasses.FrozenInstanceError:
        frozen = True
    return (p, p.norm2(), Point(1) == Point(1), dataclasses.asdict(p),
            [(v.major, v.minor) for v in versions], frozen, repr(Version(2)).split(".")[-1])


def test_dataclasses_at_module_level_and_inside_function_match_python():
    assert_same(dataclasses_use)


Pair = collections.namedtuple("Pair", ["left", "right"])


def namedtuples_use():
    Triple = collections.namedtuple("Triple", "a b c", defaults=[0])
    pair = Pair(1, right=2)
    left, right = pair
    return pair, left + right, pair._replace(left=9), pair._asdict(), tuple(Triple(1, 2)), str(
        Triple(1, 2, 3)
    )


def test_namedtuples_match_python():
    assert_same(namedtuples_use)


def metaclasses_and_init_subclass():
    log = []

    class Meta(type):
        def __new__(mcs, name, bases, namespace, **kwargs):
            namespace["created_by"] = "Meta"
            return super().__new__(mcs, name, bases, namespace)

        def __call__(cls, *args, **kwargs):
            log.append(("meta call", cls.__name__))
            return super().__call__(*args, **kwargs)

    class Plugin:
        plugins = []

        def __init_subclass__(cls, key=None, **kwargs):
            super().__init_subclass__(**kwargs)
            cls.key = key
            Plugin.plugins.append(key)

    class WithMeta(metaclass=Meta):
        def __init__(self, v):
            self.v = v

    class One(Plugin, key="one"):
        pass

    class Singleton:
        _instance = None

        def __new__(cls):
            if cls._instance is None:
                cls._instance = super().__new__(cls)
            return cls._instance

    obj = WithMeta(3)
    return (log, obj.v, WithMeta.created_by, One.key, Plugin.plugins,
            Singleton() is Singleton())


def test_metaclasses_init_subclass_and_custom_new_match_python():
    assert_same(metaclasses_and_init_subclass)


def class_body_features():
    factor = 3

    class Config:
        scale = factor * 2
        names = [n for n in ("a", "b")]
        annotated: int = 5

        def get(self):
            return self.scale

    return Config().get(), Config.names, Config.__annotations__, Config.__qualname__


def test_class_body_reads_enclosing_scope_and_annotations():
    assert_same(class_body_features)


class Shape:
    pass


class Circle(Shape):
    __slots__ = ("r",)

    def __init__(self, r):
        self.r = r

    def __repr__(self):
        return f"Circle({self.r!r})"

    def __str__(self):
        return f"circle of radius {self.r}"

    def __format__(self, spec):
        return f"<{self.r:{spec}}>"


def fstrings(value):
    c = Circle(1.5)
    return [
        f"{value}",
        f"{value!r}",
        f"{value!s:>8}",
        f"{value!a}",
        f"{3.14159:.2f}|{42:08b}|{'x':^5}",
        f"{c}|{c!r}|{c!s}|{c:.3f}",
        f"{'nested ' + f'{value}'}",
        str(c),
        repr(c),
        format(c, ".1f"),
    ]


def test_fstrings_with_conversions_and_format_specs_match_python():
    assert_same(fstrings, "héllo")
    assert_same(fstrings, 12.5)


def unpacking():
    a, b = 1, 2
    a, b = b, a
    first, *middle, last = range(6)
    (x, y), z = (1, 2), 3
    *init, tail = "abc"
    head, *rest = [1]
    merged = [*range(2), *"ab", *{"k": 1}]
    combined = {**{"a": 1}, "b": 2, **{"a": 3}}
    s = {*range(3), 5}
    t = (*range(2),)
    return a, b, first, middle, last, x, y, z, init, tail, head, rest, merged, combined, s, t


def test_unpacking_including_starred_matches_python():
    assert_same(unpacking)


@pytest.mark.parametrize("source", ["a, b = [1, 2, 3]", "a, b = [1]", "a, *b, c = [1]",
                                    "a, b = 1", "print(*1)"])
def test_unpacking_errors_match_python(source):
    namespace = {}
    exec(f"def f():\n    {source}\n", namespace)
    result = assert_same(namespace["f"])
    assert result[0] == "raises"


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


def builtins_with_python_callbacks():
    words = ["banana", "fig", "apple", "kiwi"]
    return (
        list(map(lambda w: w.upper(), words)),
        list(map(lambda a, b: a + b, [1, 2], [10, 20])),
        list(filter(lambda w: len(w) > 3, words)),
        sorted(words, key=len),
        sorted(words, key=lambda w: w[-1], reverse=True),
        min(words, key=len),
        max(words, key=lambda w: (len(w), w)),
        max([], key=len, default="none"),
        sorted(words),
        sum(map(len, words)),
        any(w.startswith("k") for w in words),
        next(iter(words)),
        next(iter([]), "default"),
    )


def test_map_filter_sorted_min_max_with_python_keys_match_python():
    assert_same(builtins_with_python_callbacks)


def list_sort_with_key():
    values = [3, -1, 2, -5]
    values.sort(key=abs)
    other = ["b", "A", "c"]
    other.sort(key=str.lower, reverse=True)
    return values, other


def test_list_sort_with_key_matches_python():
    assert_same(list_sort_with_key)


def printing():
    print("hello", 1, Circle(2), sep="-")
    print(f"{math.pi:.3f}", Vec(3), end="!\n")
    return sum([Vec(1), Vec(2)], Vec(0)), sum([0.1] * 10), sum(range(4), 10)


def test_print_output_and_sum_of_user_objects_match_python(capsys):
    native_result = printing()
    native = capsys.readouterr().out
    assert interpret(printing, (), {}) == native_result
    assert capsys.readouterr().out == native


def frame_introspection(a):
    b = a * 2
    names = sorted(locals())
    return names, "frame_introspection" in globals(), sorted(vars()), dir()


def test_globals_locals_vars_and_dir_see_the_interpreted_frame():
    assert_same(frame_introspection, 1)


def exec_and_eval(value):
    namespace = {}
    exec("def triple(v):\n    return v * 3\nresult = triple(2)", namespace)
    return namespace["result"], eval("value + 1"), eval("x * 2", {"x": 4})


def test_exec_and_eval_run_in_the_right_namespaces():
    assert_same(exec_and_eval, 10)


def imports_inside():
    import json
    from os import path as os_path
    from collections import OrderedDict

    return json.dumps([1]), os_path.join("a", "b"), OrderedDict(a=1)


def test_imports_inside_function_match_python():
    assert_same(imports_inside)


# Callbacks ---------------------------------------------------------------------------------

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


def test_decoded_code_objects_are_cached():
    assert code_info(fib.__code__, DISPATCH) is code_info(fib.__code__, DISPATCH)


def deep(n):
    return 0 if n == 0 else 1 + deep(n - 1)


def test_recursion_as_deep_as_native_python_allows():
    assert interpret(deep, (900,), {}) == 900


class Tree:
    def __init__(self, value, children=()):
        self.value = value
        self.children = list(children)

    def __iter__(self):
        yield self.value
        for child in self.children:
            yield from child


def tree_walk():
    tree = Tree(1, [Tree(2, [Tree(3)]), Tree(4)])
    return list(tree), sum(tree), [v for v in tree if v % 2]


def test_generator_based_iter_methods_with_yield_from_match_python():
    assert_same(tree_walk)


@pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 695 syntax is new in 3.12")
def test_type_parameter_syntax_matches_python():
    namespace = {}
    exec(
        "def generics():\n"
        "    def first[T](items: list[T]) -> T:\n"
        "        return items[0]\n"
        "    class Box[T]:\n"
        "        def __init__(self, value: T):\n"
        "            self.value = value\n"
        "    return first([3]), Box(4).value, [p.__name__ for p in Box.__type_params__]\n",
        namespace,
    )
    assert_same(namespace["generics"])


if __name__ == "__main__":
    # ``python thunder/tests/test_interpreter.py`` also works where torch (needed by
    # ``thunder/__init__.py``) is missing: the fallback at the top has already loaded the
    # interpreter under a bare ``thunder`` package before pytest imports this module again.
    sys.exit(pytest.main([__file__, *sys.argv[1:]]))
