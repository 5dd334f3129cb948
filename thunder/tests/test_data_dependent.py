"""Data-dependent control flow: eager's result for every branch, one trace per branch."""

import torch

import thunder
from thunder.tests.framework import assert_close


def _branchy(x):
    if x.sum() > 0:
        return x * 2
    return x - 1


def test_every_branch_gives_eagers_result_and_traces_once_per_branch():
    jfn = thunder.jit(_branchy)
    for sign in (1, -1, 1, -1, 1, -1):
        x = torch.full((3,), float(sign))
        assert_close(jfn(x), _branchy(x))
    assert thunder.cache_misses(jfn) == 2
    assert thunder.cache_hits(jfn) == 4


def test_any_and_while_loop_on_tensor_condition():
    def fn(x):
        steps = 0
        while (x.abs() > 1).any():
            x = x / 2
            steps += 1
        return x, steps

    jfn = thunder.jit(fn)
    for scale in (10.0, 10.0, 0.5, 100.0):
        x = torch.tensor([scale, -scale / 3])
        assert_close(jfn(x), fn(x))
    assert thunder.cache_misses(jfn) == 3


def test_item_and_int_used_in_python_arithmetic_and_as_a_size():
    def fn(x):
        n = int(x.max())
        scale = x.mean().item() * 2
        return torch.zeros(n) + scale

    x = torch.tensor([1.0, 3.0, 2.0])
    jfn = thunder.jit(fn)
    assert_close(jfn(x), fn(x))
    y = torch.tensor([1.0, 4.0, 2.0])
    assert_close(jfn(y), fn(y))


def test_random_op_before_a_check_keeps_eagers_random_stream():
    def fn(x):
        noise = torch.rand(3)
        if x.sum() > 0:
            return x + noise
        return x - noise

    jfn = thunder.jit(fn)
    for sign in (1, -1, 1, -1):
        x = torch.full((3,), float(sign))
        torch.manual_seed(sign + 5)
        out = jfn(x)
        torch.manual_seed(sign + 5)
        assert_close(out, fn(x))


def test_check_is_visible_in_the_trace():
    jfn = thunder.jit(_branchy)
    jfn(torch.ones(2))
    assert "check_data" in str(thunder.last_traces(jfn)[-1])


def _data_dependent_shapes(x):
    positive = x[x > 0]
    where = torch.nonzero(x)
    distinct = torch.unique(x)
    negative = torch.masked_select(x, x < 0)
    return positive.sum() + negative.sum(), where.shape[0], distinct


def test_data_dependent_shapes_match_eager_and_trace_once_per_shape():
    jfn = thunder.jit(_data_dependent_shapes)
    values = ([1.0, -2.0, 3.0], [4.0, -5.0, 6.0], [1.0, 2.0, 3.0], [7.0, -1.0, 8.0],
              [0.0, 2.0, 3.0])
    for v in values:
        x = torch.tensor(v)
        assert_close(jfn(x), _data_dependent_shapes(x))
    # shapes (2 positive, 1 negative, 3 nonzero, 3 distinct) seen twice: one trace reused
    assert thunder.cache_misses(jfn) == 3
    assert "check_shapes" in str(thunder.last_traces(jfn)[-1])


def test_one_hot_with_inferred_number_of_classes():
    def fn(labels):
        return torch.nn.functional.one_hot(labels).float().sum(0)

    jfn = thunder.jit(fn)
    for labels in ([0, 2, 1], [3, 0, 0], [1, 1, 0]):
        x = torch.tensor(labels)
        assert_close(jfn(x), fn(x))
