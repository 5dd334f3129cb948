"""Thunder's own forward/backward split, driven by torch's autograd (issue 4)."""

import copy

import pytest
import torch
import torch.nn.functional as F

import thunder
from thunder.models.gpt import GPT, GPTConfig, MLPModel
from thunder.tests.framework import assert_close


def _leaf(*shape):
    return torch.randn(*shape, dtype=torch.float64).requires_grad_()


def _assert_same_grads(model, jmodel, rtol=1e-5):
    for (name, p), (_, q) in zip(model.named_parameters(), jmodel.named_parameters()):
        assert q.grad is not None, name
        assert_close(q.grad, p.grad, atol=1e-5, rtol=rtol)


def test_gpt_training_step_matches_eager_gradients_on_every_parameter():
    torch.manual_seed(0)
    model = GPT(GPTConfig(n_layer=2))
    jmodel = thunder.jit(copy.deepcopy(model))
    idx = torch.randint(0, 128, (2, 8))
    targets = torch.randint(0, 128, (2, 8))
    _, loss = model(idx, targets)
    loss.backward()
    _, jloss = jmodel(idx, targets)
    jloss.backward()
    assert_close(jloss, loss)
    _assert_same_grads(model, jmodel)
    assert "backward" in str(thunder.last_backward_traces(jmodel)[-1])


def test_mlp_gradients_match_eager():
    model = MLPModel(3, 16)
    jmodel = thunder.jit(copy.deepcopy(model))
    x = torch.randn(4, 16)
    model(x).sum().backward()
    jmodel(x).sum().backward()
    _assert_same_grads(model, jmodel)


def test_backward_twice_with_retain_graph_accumulates():
    x = _leaf(3)
    out = thunder.jit(lambda a: (a.sin() * a).sum())(x)
    out.backward(retain_graph=True)
    out.backward()
    expected = 2 * (x.cos() * x + x.sin())
    assert_close(x.grad, expected.detach())


def test_backward_twice_without_retain_graph_raises():
    x = _leaf(3)
    out = thunder.jit(lambda a: a.exp().sum())(x)
    out.backward()
    with pytest.raises(RuntimeError):
        out.backward()


def test_gradients_accumulate_over_two_calls():
    jfn = thunder.jit(lambda a: (a * a).sum())
    x = _leaf(4)
    jfn(x).backward()
    jfn(x).backward()
    assert_close(x.grad, 4 * x.detach())


def test_torch_autograd_grad():
    x, y = _leaf(2, 3), _leaf(3)
    jfn = thunder.jit(lambda a, b: (a @ b).tanh())
    gx, gy = torch.autograd.grad(jfn(x, y).sum(), (x, y))
    ex, ey = torch.autograd.grad((x @ y).tanh().sum(), (x, y))
    assert_close(gx, ex)
    assert_close(gy, ey)


def test_only_some_inputs_require_grad():
    x, w = torch.randn(2, 3, dtype=torch.float64), _leaf(3)
    jfn = thunder.jit(lambda a, b: (a * b).sum())
    jfn(x, w).backward()
    assert x.grad is None
    assert_close(w.grad, x.sum(0))


def test_outputs_used_by_later_eager_code():
    x = _leaf(3)
    y, z = thunder.jit(lambda a: (a.exp(), a.sin()))(x)
    (y * z).sum().backward()
    expected = x.exp() * x.sin() + x.exp() * x.cos()
    assert_close(x.grad, expected.detach())


def test_integer_outputs_are_non_differentiable():
    x = _leaf(4)
    values, indices = thunder.jit(lambda a: (a * 2, a.argmax()))(x)
    assert values.requires_grad and not indices.requires_grad


def test_no_grad_enable_grad_and_detach_inside_the_function():
    def fn(a):
        with torch.no_grad():
            frozen = a * 3
        b = a.detach() * a
        with torch.enable_grad():
            c = a.sin()
        return (frozen * a + b + c).sum()

    x = _leaf(3)
    thunder.jit(fn)(x).backward()
    x2 = x.detach().clone().requires_grad_()
    fn(x2).backward()
    assert_close(x.grad, x2.grad)


def test_double_backward_raises_a_clear_error():
    x = _leaf(3)
    out = thunder.jit(lambda a: (a ** 3).sum())(x)
    with pytest.raises(RuntimeError, match="double backward"):
        torch.autograd.grad(out, x, create_graph=True)


def test_dropout_gradient_matches_eager_under_the_same_seed():
    x = _leaf(64)
    torch.manual_seed(7)
    thunder.jit(lambda a: F.dropout(a, 0.5).sum())(x)[()].backward()
    x2 = x.detach().clone().requires_grad_()
    torch.manual_seed(7)
    F.dropout(x2, 0.5).sum().backward()
    assert_close(x.grad, x2.grad)


def test_rematerialization_saves_fewer_tensors_for_an_elementwise_chain():
    jfn = thunder.jit(lambda a: a.sin().cos().exp().sum())
    jfn(_leaf(8, 8)).backward()
    forward = thunder.last_traces(jfn)[-1]
    _, saved = forward.output
    # naively the backward needs sin(a), cos(sin(a)) (or exp of it) and a: only a is kept
    assert [p.name for p in saved] == [forward.args[0].name]


def test_backward_trace_deletes_saved_tensors_after_last_use():
    jfn = thunder.jit(lambda a, b: (a * b).exp().sum())
    jfn(_leaf(3), _leaf(3)).backward()
    source = str(thunder.last_backward_traces(jfn)[-1])
    assert "args0.clear()" in source and "del " in source


def test_missing_vjp_rule_names_the_prim():
    from thunder.transforms.autograd import NoVJPRuleError, vjp_rules
    import thunder.core.prims as prims

    rule = vjp_rules.pop(prims.sin)
    try:
        with pytest.raises(NoVJPRuleError, match="prims.sin has no VJP rule"):
            thunder.jit(lambda a: prims.sin(a).sum())(_leaf(2))
    finally:
        vjp_rules[prims.sin] = rule


def test_batch_norm_training_differentiates_with_torch_backward_kernel():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4),
                                torch.nn.ReLU())
    reference = copy.deepcopy(model)
    jmodel = thunder.jit(model)
    x = torch.randn(2, 3, 8, 8)
    for _ in range(2):
        jmodel(x).square().sum().backward()
        reference(x).square().sum().backward()
    _assert_same_grads(reference, model, rtol=1e-4)
    assert_close(model[1].running_mean, reference[1].running_mean)
    assert_close(model[1].running_var, reference[1].running_var)
    backward = thunder.last_backward_traces(jmodel)[-1]
    text = "\n".join([str(backward)] + [str(r) for r in backward.regions])
    assert "native_batch_norm_backward" in text


def test_gradients_no_input_needs_are_not_computed():
    # The images need no gradient: the convolution's backward kernel is asked for the weight
    # and bias gradients only.
    conv = torch.nn.Conv2d(3, 4, 3)
    jconv = thunder.jit(conv, executors=["torch"])
    x = torch.randn(2, 3, 8, 8)
    jconv(x).sum().backward()
    weight_grad = conv.weight.grad.clone()
    conv.zero_grad()
    conv(x).sum().backward()
    assert_close(weight_grad, conv.weight.grad)
    backward = str(thunder.last_backward_traces(jconv)[-1])
    assert "(False, True, True)" in backward and "(True, True, True)" not in backward
