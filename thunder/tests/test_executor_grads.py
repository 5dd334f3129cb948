"""Executor-provided gradients (NOTE [executor gradients] in thunder/executors/extend.py).

A tiny executor differentiates ``relu`` with its own kernels (the forward also returns the
mask its backward needs) and ``mul`` with kernels that count their calls; the tests check the
gradients against eager and that the kernels are what the forward and backward traces run.
"""

import pytest
import torch

import thunder
import thunder.torch as ltorch
from thunder.core.proxies import TensorProxy
from thunder.core.trace import TraceCtx
from thunder.core.tracectx import tracectx
from thunder.executors.extend import OperatorExecutor
from thunder.tests.framework import assert_close

calls = {"relu_forward": 0, "relu_backward": 0, "mul_backward": 0}


def _count(name, t):
    if not t.is_meta:  # the operators' metas run the kernels on "meta" tensors
        calls[name] += 1


def relu_forward_impl(a):
    _count("relu_forward", a)
    return a.clamp_min(0), a > 0


def relu_backward_impl(g, mask):
    _count("relu_backward", g)
    return g * mask


def mul_forward_impl(a, b):
    return a * b


def mul_backward_impl(g, a, b):
    _count("mul_backward", g)
    return g * b, g * a


def _mul_backward_meta(g, a, b):
    return TensorProxy.like(a), TensorProxy.like(b)


gradex = OperatorExecutor("gradex")
relu_forward = gradex.register_operator("relu_forward", relu_forward_impl)
relu_backward = gradex.register_operator("relu_backward", relu_backward_impl)
mul_forward = gradex.register_operator("mul_forward", mul_forward_impl)
mul_backward = gradex.register_operator("mul_backward", mul_backward_impl,
                                        meta=_mul_backward_meta)


def _relu_grad_forward(a, inplace=False):
    out, mask = relu_forward(a)
    return out, mask


def _relu_grad_backward(g, mask, a, inplace=False):
    return relu_backward(g, mask), None


def _plain_float32(a, inplace=False):
    return not inplace and a.dtype == torch.float32


gradex.register_grad(ltorch.relu, forward=_relu_grad_forward, backward=_relu_grad_backward,
                     checker=_plain_float32)


def _same_shape_tensors(a, b):
    return isinstance(a, TensorProxy) and \
        isinstance(b, TensorProxy) and a.shape == b.shape


def _mul_grad_forward(a, b):
    return mul_forward(a, b), None


def _mul_grad_backward(g, residuals, a, b):
    return mul_backward(g, a, b)  # a gradient for an input that needs none is dropped


gradex.register_grad(ltorch.mul, forward=_mul_grad_forward, backward=_mul_grad_backward,
                     checker=_same_shape_tensors)


def _eager_grads(fn, *inputs):
    leaves = [x.detach().clone().requires_grad_(x.requires_grad) for x in inputs]
    out = fn(*leaves)
    out.sum().backward()
    return out, [x.grad for x in leaves]


def _jit_grads(jfn, *inputs):
    leaves = [x.detach().clone().requires_grad_(x.requires_grad) for x in inputs]
    out = jfn(*leaves)
    out.sum().backward()
    return out, [x.grad for x in leaves]


def _relu_then_sin(x):
    return torch.relu(x * 2).sin()


def test_executor_gradient_matches_eager_and_its_kernels_run_forward_and_backward():
    x = torch.randn(4, 5, requires_grad=True)
    jfn = thunder.jit(_relu_then_sin, executors=[gradex])
    before = dict(calls)
    out, grads = _jit_grads(jfn, x)
    expected, expected_grads = _eager_grads(_relu_then_sin, x)
    assert_close(out, expected)
    assert_close(grads[0], expected_grads[0])
    assert calls["relu_forward"] == before["relu_forward"] + 1
    assert calls["relu_backward"] == before["relu_backward"] + 1
    forward_text = str(thunder.last_traces(jfn)[-1])
    backward_text = str(thunder.last_backward_traces(jfn)[-1])
    assert "relu_forward_impl" in forward_text and "relu_backward_impl" not in forward_text
    assert "relu_backward_impl" in backward_text


def test_executor_gradient_saves_its_residuals():
    x = torch.randn(4, 5, requires_grad=True)
    jfn = thunder.jit(lambda x: torch.relu(x), executors=[gradex])
    jfn(x)
    _, saved = thunder.last_traces(jfn)[-1].output
    # only the boolean mask the backward kernel reads: neither the input nor the output
    assert [s.dtype for s in saved] == [torch.bool]


def test_executor_kernels_are_claimed_by_the_executor():
    x = torch.randn(3, requires_grad=True)
    jfn = thunder.jit(lambda x: torch.relu(x), executors=[gradex])
    jfn(x)
    claimed = [b.sym.impl for b in thunder.last_backward_traces(jfn)[-1].bound_symbols]
    assert relu_backward_impl in claimed
    assert "gradex" in thunder.last_backward_traces(jfn)[-1].pass_name


def test_declined_call_uses_the_usual_gradient():
    x = torch.randn(4, dtype=torch.float64, requires_grad=True)
    jfn = thunder.jit(lambda x: torch.relu(x), executors=[gradex])
    out, grads = _jit_grads(jfn, x)
    expected, expected_grads = _eager_grads(torch.relu, x)
    assert_close(grads[0], expected_grads[0])
    assert "relu_forward_impl" not in str(thunder.last_traces(jfn)[-1])


def test_executor_listed_after_one_that_runs_the_symbol_does_not_differentiate_it():
    x = torch.randn(4, requires_grad=True)
    jfn = thunder.jit(lambda x: torch.relu(x), executors=["torch", gradex])
    _, grads = _jit_grads(jfn, x)
    assert_close(grads[0], (x > 0).to(x.dtype))
    assert "relu_forward_impl" not in str(thunder.last_traces(jfn)[-1])


def test_executor_gradient_of_two_inputs_reaches_the_input_that_needs_it():
    a = torch.randn(3, 4, requires_grad=True)
    b = torch.randn(3, 4)
    fn = lambda a, b: a * b + a  # noqa: E731
    jfn = thunder.jit(fn, executors=[gradex])
    before = calls["mul_backward"]
    out, grads = _jit_grads(jfn, a, b)
    expected, expected_grads = _eager_grads(fn, a, b)
    assert_close(out, expected)
    assert_close(grads[0], expected_grads[0])
    assert grads[1] is None
    assert calls["mul_backward"] == before + 1
    assert "mul_backward_impl" in str(thunder.last_backward_traces(jfn)[-1])


def test_executor_gradient_accumulates_with_other_uses_of_the_input():
    a = torch.randn(2, 3, requires_grad=True)
    b = torch.randn(2, 3, requires_grad=True)
    fn = lambda a, b: torch.relu(a * b) * a  # noqa: E731
    jfn = thunder.jit(fn, executors=[gradex])
    out, grads = _jit_grads(jfn, a, b)
    expected, expected_grads = _eager_grads(fn, a, b)
    assert_close(out, expected)
    for got, want in zip(grads, expected_grads):
        assert_close(got, want)


def test_printed_traces_with_executor_kernels_run_as_python():
    x = torch.randn(4, requires_grad=True)
    jfn = thunder.jit(lambda x: torch.relu(x), executors=[gradex])
    jfn(x)
    forward = thunder.last_traces(jfn)[-1]
    namespace = {}
    exec(compile(forward.python_source(), "<forward>", "exec"), forward.python_ctx(), namespace)
    out, saved = namespace["computation"](x.detach())
    assert_close(out, torch.relu(x.detach()))
    assert torch.equal(saved[0], x.detach() > 0)


def test_registering_a_grad_does_not_claim_the_symbol_without_grad():
    x = torch.randn(4)
    jfn = thunder.jit(lambda x: torch.relu(x), executors=[gradex])
    assert_close(jfn(x), torch.relu(x))
    assert "relu_forward_impl" not in str(thunder.last_traces(jfn)[-1])


@pytest.mark.parametrize("meta_given", [False, True])
def test_operator_meta_gives_the_output_proxies(meta_given):
    ex = OperatorExecutor("metaex")
    meta = (lambda a: (TensorProxy.like(a), TensorProxy.like(a, dtype=torch.bool))) \
        if meta_given else None
    sym = ex.register_operator("relu_forward", relu_forward_impl, meta=meta)
    with tracectx(TraceCtx()):
        a = TensorProxy(shape=(2, 3), dtype=torch.float32, device="cpu")
        out, mask = sym(a)
    assert (out.shape, out.dtype, mask.shape, mask.dtype) == ((2, 3), torch.float32, (2, 3),
                                                              torch.bool)
    assert mask.device == a.device
