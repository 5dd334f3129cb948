"""Interpreter tests of the basics: operators, loads and stores, scopes, calls and closures,
f-strings and unpacking, builtins that call back into Python, and frame introspection.

Each test runs a small function natively and through ``interpret`` and compares the outcomes
(see ``thunder/tests/interpreter_helpers.py``). Where torch is missing, run these tests through
``python thunder/tests/test_interpreter.py``.
"""

import functools
import math
import types

import pytest

from thunder.interpreter import interpret
from thunder.tests.interpreter_helpers import Truthy, Vec, assert_same, fib


# Operators ------------------------------------------------------------------------------------


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


# Scopes and calls -----------------------------------------------------------------------------


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


def deep(n):
    return 0 if n == 0 else 1 + deep(n - 1)


def test_recursion_as_deep_as_native_python_allows():
    assert interpret(deep, (900,), {}) == 900


# Strings and unpacking ------------------------------------------------------------------------


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


# Builtins, printing and frames ----------------------------------------------------------------


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
