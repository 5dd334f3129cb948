"""thunder.jit end to end: results match eager, traces print as runnable Python."""

import math

import pytest
import torch
import torch.nn.functional as F

import thunder
from thunder.tests.framework import assert_close


def test_elementwise_function_matches_eager():
    def fn(x, y):
        return (x * 2 + y).sigmoid() - 1

    x, y = torch.randn(4, 3), torch.randn(3)
    assert_close(thunder.jit(fn)(x, y), fn(x, y))


def test_python_scalars_and_type_promotion_match_eager():
    def fn(a, b):
        return a + 1.5, b * 2, a / b, b // 2, a ** 2

    a = torch.arange(6, dtype=torch.int64).reshape(2, 3)
    b = torch.full((3,), 3, dtype=torch.int32)
    assert_close(thunder.jit(fn)(a, b), fn(a, b))


def test_nested_outputs_keep_their_structure():
    def fn(x):
        return {"a": x + 1, "b": [x * 2, (x - 1, 3)], "c": None}

    x = torch.randn(2)
    assert_close(thunder.jit(fn)(x), fn(x))


def test_last_traces_start_with_interpretation_and_end_with_execution():
    jfn = thunder.jit(lambda x: x.exp().sum(0))
    jfn(torch.randn(3, 2))
    traces = thunder.last_traces(jfn)
    assert traces[0].pass_name == "interpretation"
    assert "execution" in traces[-1].pass_name
    assert len(traces) >= 3
    assert "ltorch.exp" in str(traces[0])
    assert "torch.exp" in str(traces[-1])


def test_every_trace_prints_as_python_that_compiles():
    def fn(x, w):
        return F.softmax(x @ w, dim=-1).sum()

    jfn = thunder.jit(fn)
    jfn(torch.randn(2, 3), torch.randn(3, 4))
    for trace in thunder.last_traces(jfn) + thunder.last_prologue_traces(jfn):
        compile(str(trace), "<trace>", "exec")


def test_printed_trace_has_type_comments_and_user_source_line():
    def fn(x):
        y = x * 2  # the user's line
        return y

    jfn = thunder.jit(fn)
    jfn(torch.randn(4, 16))
    text = str(thunder.last_traces(jfn)[0])
    assert '# t0: "cpu f32[4, 16]"' in text
    assert "y = x * 2  # the user's line" in text
    assert "test_jit_basics.py:" in text


def test_executing_printed_trace_gives_same_result_as_trace_object():
    def fn(x):
        return torch.tanh(x) * 3

    jfn = thunder.jit(fn)
    x = torch.randn(5)
    jfn(x)
    trace = thunder.last_traces(jfn)[-1]
    namespace = dict(trace.python_ctx())
    exec(compile(str(trace), "<printed>", "exec"), namespace)
    assert_close(namespace["computation"](x), trace.python_callable()(x))
    assert_close(namespace["computation"](x), fn(x))


def test_interpretation_trace_runs_as_printed():
    def fn(x):
        return (x + 1).cos()

    jfn = thunder.jit(fn)
    x = torch.randn(3)
    jfn(x)
    assert_close(thunder.last_traces(jfn)[0].python_callable()(x), fn(x))


def test_prims_only_executor_checks_decompositions():
    def fn(x, y):
        return (x * y + 1).exp() - y

    jfn = thunder.jit(fn, executors=["torch_prims"])
    x, y = torch.randn(3, 1), torch.randn(4)
    assert_close(jfn(x, y), fn(x, y))
    assert "broadcast_in_dim" in str(thunder.last_traces(jfn)[-1])


def test_common_subexpressions_are_computed_once():
    def fn(x):
        return x.exp() + x.exp()

    jfn = thunder.jit(fn)
    x = torch.randn(3)
    assert_close(jfn(x), fn(x))
    assert str(thunder.last_traces(jfn)[-1]).count("torch.exp(") == 1


def test_dead_code_is_removed():
    def fn(x):
        unused = x.sin()  # noqa: F841
        return x.cos()

    jfn = thunder.jit(fn)
    jfn(torch.randn(3))
    assert "sin" not in str(thunder.last_traces(jfn)[-1])


def test_math_module_and_python_control_flow_on_shapes():
    def fn(x):
        scale = 1 / math.sqrt(x.shape[-1])
        if x.ndim == 2:
            x = x * scale
        for _ in range(3):
            x = x + 1
        return x

    x = torch.randn(2, 4)
    assert_close(thunder.jit(fn)(x), fn(x))


def test_gradients_flow_through_jitted_function():
    w = torch.randn(3, 3, requires_grad=True)

    def fn(x):
        return (x @ w).tanh().sum()

    x = torch.randn(2, 3)
    jfn = thunder.jit(fn)
    jfn(x).backward()
    expected = w.grad.clone()
    w.grad = None
    fn(x).backward()
    assert_close(expected, w.grad)


def test_no_grad_block_inside_function_matches_eager():
    w = torch.randn(3, requires_grad=True)

    def fn(x):
        with torch.no_grad():
            y = x * w
        return y + w

    x = torch.randn(3)
    out, expected = thunder.jit(fn)(x), fn(x)
    assert_close(out, expected)
    assert out.requires_grad == expected.requires_grad


@pytest.mark.parametrize("device", ["cpu", torch.device("cpu")])
def test_devices_given_as_strings_or_torch_device(device):
    def fn(x):
        return x + torch.ones(3, device=device)

    x = torch.randn(3)
    assert_close(thunder.jit(fn)(x), fn(x))


def test_autocast_block_inside_function_matches_eager():
    def fn(x, w):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            y = x @ w
            z = torch.nn.functional.linear(y, w.T)
        return y, z, (z.float() + 1)

    x, w = torch.randn(4, 8), torch.randn(8, 8)
    out, expected = thunder.jit(fn)(x, w), fn(x, w)
    assert [t.dtype for t in out] == [t.dtype for t in expected]
    assert_close(out, expected)
    assert not torch.is_autocast_enabled("cpu")


def test_jitted_function_called_under_autocast_matches_eager():
    def fn(x, w):
        return (x @ w).softmax(-1)

    x, w = torch.randn(4, 8), torch.randn(8, 8)
    jfn = thunder.jit(fn)
    plain = jfn(x, w)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out, expected = jfn(x, w), fn(x, w)
    assert out.dtype == expected.dtype
    assert_close(out, expected)
    assert plain.dtype == torch.float32
    assert thunder.cache_misses(jfn) == 2
