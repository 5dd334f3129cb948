"""Gradients through the eager fallback (NOTE [gradients of eager fallbacks]).

Torch operations Thunder does not define run as opaque calls; their backward re-runs them under
torch's autograd. Each test compares outputs and gradients with eager PyTorch, and random
operations are compared after the same ``torch.manual_seed`` (the backward must replay the
forward's random numbers and leave the caller's generator where eager leaves it).
"""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import thunder
from thunder.tests.framework import assert_close


def _weighted_sum(outputs):
    """A loss that gives every output element a different cotangent."""
    total = 0
    for out in outputs:
        if isinstance(out, torch.Tensor) and out.requires_grad:
            total = total + (out * torch.linspace(0.5, 1.5, out.numel()).view(out.shape)).sum()
    return total


def _grads_of(fn, inputs, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    out = fn(*inputs)
    outputs = out if isinstance(out, (tuple, list)) else (out,)
    grads = torch.autograd.grad(_weighted_sum(outputs), [x for x in inputs if x.requires_grad])
    return outputs, grads


def _assert_matches_eager(fn, inputs, seed=None):
    jfn = thunder.jit(fn)
    outputs, grads = _grads_of(jfn, inputs, seed)
    expected_outputs, expected_grads = _grads_of(fn, inputs, seed)
    for out, expected in zip(outputs, expected_outputs):
        assert_close(out, expected)
    for grad, expected in zip(grads, expected_grads):
        assert_close(grad, expected, atol=1e-5, rtol=1e-4)
    return jfn


# Operations from `python -m thunder.coverage --unsupported`, differentiable in every input.
def _grid_sample(x, grid):
    return F.grid_sample(x, grid, align_corners=False)


def _grid_sample_inputs():
    return (torch.randn(2, 3, 5, 5, requires_grad=True),
            (torch.rand(2, 4, 4, 2) * 2 - 1).requires_grad_())


def _bilinear_inputs():
    return (torch.randn(3, 4, requires_grad=True), torch.randn(3, 5, requires_grad=True),
            torch.randn(6, 4, 5, requires_grad=True), torch.randn(6, requires_grad=True))


UNSUPPORTED_OPS = {
    "torch.nn.functional.grid_sample": (_grid_sample, _grid_sample_inputs),
    "torch.pdist": (F.pdist, lambda: (torch.randn(6, 4, requires_grad=True),)),
    "torch.bilinear": (F.bilinear, _bilinear_inputs),
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED_OPS))
def test_unsupported_operation_gradients_match_eager(name):
    torch.manual_seed(0)
    fn, make_inputs = UNSUPPORTED_OPS[name]
    jfn = _assert_matches_eager(fn, make_inputs())
    assert thunder.compile_stats(jfn).fallback_operations == {name}


def test_fallback_between_supported_operations_gets_gradients_on_both_sides():
    def fn(x, w):
        a = torch.tanh(x @ w)  # supported, feeds the fallback
        distances = F.pdist(a * 2)  # fallback
        return distances.exp().sum() + (a * w.sum()).mean()  # supported, uses its output

    torch.manual_seed(0)
    x, w = torch.randn(5, 3, requires_grad=True), torch.randn(3, 4, requires_grad=True)
    jfn = _assert_matches_eager(fn, (x, w))
    assert thunder.compile_stats(jfn).fallback_operations == {"torch.pdist"}
    backward = str(thunder.last_backward_traces(jfn)[0])
    assert "fallback_rules.fallback_vjp('torch.pdist'" in backward


def test_tensor_keyword_argument_of_a_fallback_gets_its_gradient():
    def fn(signal, window):
        return torch.stft(signal, 4, window=window, return_complex=True).abs()

    torch.manual_seed(0)
    _assert_matches_eager(fn, (torch.randn(32, requires_grad=True),
                               torch.rand(4, requires_grad=True)))


def test_random_fallback_replays_its_noise_in_the_backward():
    def fn(x):
        return F.rrelu(x * 2, training=True) + x

    torch.manual_seed(0)
    x = torch.randn(4, 10, requires_grad=True)
    jfn = _assert_matches_eager(fn, (x,), seed=3)
    assert thunder.compile_stats(jfn).fallback_operations == {"torch.nn.functional.rrelu"}


def test_fallback_with_an_integer_output_and_random_samples():
    def fn(x):
        out, indices = F.fractional_max_pool2d(x * 2, 2, output_size=(4, 4),
                                               return_indices=True)
        return out, indices

    torch.manual_seed(0)
    x = torch.randn(2, 3, 9, 9, requires_grad=True)
    jfn = thunder.jit(fn)
    (out, indices), grads = _grads_of(jfn, (x,), seed=1)
    (expected, expected_indices), expected_grads = _grads_of(fn, (x,), seed=1)
    assert_close(out, expected)
    assert torch.equal(indices, expected_indices) and not indices.requires_grad
    assert_close(grads[0], expected_grads[0])


# Recurrent layers: torch.lstm / torch.gru take a list of flat weights and return several
# outputs ((out, (h, c)) for the LSTM).


def _rnn_step(module, x, states, seed):
    """One training step's outputs and gradients; ``states`` is ``(h0, c0)`` or ``(h0,)``."""
    torch.manual_seed(seed)
    out, hidden = module(x, states if len(states) == 2 else states[0])
    hidden = hidden if isinstance(hidden, tuple) else (hidden,)
    loss = out.pow(2).sum() + sum((h * (i + 1)).sum() for i, h in enumerate(hidden))
    grads = torch.autograd.grad(loss, [x, *[s for s in states if s.requires_grad],
                                       *module.parameters()])
    return out, grads, torch.rand(3)  # the generator's state afterwards, as numbers drawn


def _assert_rnn_matches_eager(module, x, states, seeds):
    jmodule = thunder.jit(module)
    for seed in seeds:
        out, grads, after = _rnn_step(jmodule, x, states, seed)
        expected, expected_grads, expected_after = _rnn_step(module, x, states, seed)
        assert_close(out, expected)
        for grad, expected_grad in zip(grads, expected_grads):
            assert_close(grad, expected_grad, atol=1e-5, rtol=1e-4)
        assert torch.equal(after, expected_after)
    assert thunder.cache_misses(jmodule) == 1
    return jmodule


@pytest.mark.parametrize("bidirectional", [False, True])
def test_lstm_with_dropout_in_train_mode_matches_eager_after_the_same_seed(bidirectional):
    torch.manual_seed(0)
    lstm = nn.LSTM(4, 8, num_layers=3, dropout=0.5, bidirectional=bidirectional).train()
    layers = 3 * (2 if bidirectional else 1)
    x = torch.randn(5, 3, 4, requires_grad=True)
    states = (torch.randn(layers, 3, 8, requires_grad=True), torch.randn(layers, 3, 8))
    jlstm = _assert_rnn_matches_eager(lstm, x, states, seeds=(7, 8))
    assert thunder.compile_stats(jlstm).fallback_operations == {"torch.lstm"}


def test_gru_with_dropout_in_train_mode_matches_eager():
    torch.manual_seed(0)
    gru = nn.GRU(4, 6, num_layers=2, batch_first=True, dropout=0.25).train()
    x = torch.randn(3, 5, 4, requires_grad=True)
    states = (torch.randn(2, 3, 6, requires_grad=True),)
    jgru = _assert_rnn_matches_eager(gru, x, states, seeds=(11, 12))
    assert thunder.compile_stats(jgru).fallback_operations == {"torch.gru"}
