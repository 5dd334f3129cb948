"""Caching: the prologue guards the computation; entries are found by a cheap key."""

import warnings

import torch

import thunder
from thunder.tests.framework import assert_close


def test_same_kind_of_call_is_a_hit_without_tracing():
    jfn = thunder.jit(lambda x: x * 2)
    jfn(torch.randn(3))
    jfn(torch.randn(3))
    jfn(torch.randn(3))
    assert thunder.cache_misses(jfn) == 1
    assert thunder.cache_hits(jfn) == 2


def test_new_shape_dtype_or_requires_grad_is_a_miss_with_correct_result():
    def fn(x):
        return x.sum(0) + 1

    jfn = thunder.jit(fn)
    for x in (torch.randn(3, 2), torch.randn(4, 2), torch.randn(4, 2, dtype=torch.float64),
              torch.randn(4, 2, requires_grad=True)):
        assert_close(jfn(x), fn(x))
    assert thunder.cache_misses(jfn) == 4
    assert thunder.cache_hits(jfn) == 0


def test_new_python_value_is_a_miss_and_old_value_still_hits():
    def fn(x, n):
        return x * n

    jfn = thunder.jit(fn)
    x = torch.randn(2)
    assert_close(jfn(x, 2), fn(x, 2))
    assert_close(jfn(x, 3), fn(x, 3))
    assert_close(jfn(x, 2), fn(x, 2))
    assert thunder.cache_misses(jfn) == 2
    assert thunder.cache_hits(jfn) == 1


def test_changed_global_is_seen_on_next_call():
    jfn = thunder.jit(_uses_global)
    x = torch.ones(2)
    assert_close(jfn(x), x * 2)
    global SCALE
    SCALE = 5.0
    try:
        assert_close(jfn(x), x * 5)
    finally:
        SCALE = 2.0
    assert thunder.cache_misses(jfn) == 2


SCALE = 2.0


def _uses_global(x):
    return x * SCALE


def test_changed_closure_value_is_seen_on_next_call():
    factor = 2

    def fn(x):
        return x * factor

    jfn = thunder.jit(fn)
    x = torch.ones(2)
    assert_close(jfn(x), x * 2)
    factor = 7  # noqa: F841  (read through the closure cell)
    assert_close(jfn(x), x * 7)


def test_changed_grad_mode_is_a_miss():
    w = torch.randn(2, requires_grad=True)
    jfn = thunder.jit(lambda x: x * w)
    x = torch.randn(2)
    assert jfn(x).requires_grad
    with torch.no_grad():
        assert not jfn(x).requires_grad
    assert thunder.cache_misses(jfn) == 2


def test_lookup_does_not_scan_every_entry():
    jfn = thunder.jit(lambda x: x + 1)
    for n in range(1, 51):
        jfn(torch.randn(n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        jfn(torch.randn(7))
    # each key has exactly one entry: a call runs one prologue, not fifty
    assert len(jfn.cache) == 50
    assert all(len(entries) == 1 for entries in jfn.cache.values())
    assert thunder.cache_hits(jfn) == 1


def test_many_recompiles_warn_once_naming_what_changed():
    jfn = thunder.jit(lambda x: x + 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for n in range(1, 20):
            jfn(torch.randn(n))
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(messages) == 1
    assert "'x' (shape)" in messages[0]


def test_compile_stats_counts_calls():
    jfn = thunder.jit(lambda x: x - 1)
    jfn(torch.randn(2))
    jfn(torch.randn(2))
    stats = thunder.compile_stats(jfn)
    assert (stats.calls, stats.cache_hits, stats.cache_misses) == (2, 1, 1)
    assert stats.last_trace_seconds > 0


def test_prologue_checks_every_assumption():
    def fn(x, flag):
        return x + 1 if flag else x - 1

    jfn = thunder.jit(fn)
    jfn(torch.randn(2, 3), True)
    text = str(thunder.last_prologue_traces(jfn)[0])
    assert "(2, 3)" in text and "torch.float32" in text and "requires_grad" in text
    assert "is not True" in text


def test_same_tensor_passed_twice_and_distinct_tensors_both_correct():
    def fn(a, b):
        return a * 2 + b

    jfn = thunder.jit(fn)
    x, y = torch.randn(3), torch.randn(3)
    assert_close(jfn(x, x), fn(x, x))
    assert_close(jfn(x, y), fn(x, y))
    assert_close(jfn(y, y), fn(y, y))
