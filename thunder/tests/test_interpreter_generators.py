"""Interpreter tests of comprehensions and generators: the generator protocol (``send``,
``throw``, ``close``), ``yield from`` delegation, and generators driven by native code.

Each test runs a small function natively and through ``interpret`` and compares the outcomes
(see ``thunder/tests/interpreter_helpers.py``). Where torch is missing, run these tests through
``python thunder/tests/test_interpreter.py``.
"""

import collections.abc

from thunder.interpreter import interpret
from thunder.tests.interpreter_helpers import assert_same


# Comprehensions and generators ----------------------------------------------------------------


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
