"""The built-in small GPT and MLP run through thunder.jit and match eager."""

import pytest
import torch

import thunder
from thunder.models.gpt import GPT, GPTConfig, MLPModel
from thunder.tests.framework import assert_close


@pytest.fixture
def gpt():
    torch.manual_seed(0)
    return GPT(GPTConfig(n_layer=2, n_head=4, n_embd=32, block_size=16, vocab_size=64)).eval()


def test_gpt_forward_matches_eager(gpt):
    idx = torch.randint(0, 64, (2, 16))
    jgpt = thunder.jit(gpt)
    with torch.no_grad():
        assert_close(jgpt(idx), gpt(idx))
        assert_close(jgpt(idx), gpt(idx))
    assert thunder.cache_hits(jgpt) == 1


def test_gpt_forward_with_loss_matches_eager(gpt):
    idx = torch.randint(0, 64, (2, 16))
    targets = torch.randint(0, 64, (2, 16))
    logits, loss = thunder.jit(gpt)(idx, targets)
    expected_logits, expected_loss = gpt(idx, targets)
    assert_close(logits, expected_logits)
    assert_close(loss, expected_loss)


def test_gpt_gradients_match_eager(gpt):
    idx = torch.randint(0, 64, (2, 16))
    targets = torch.randint(0, 64, (2, 16))
    _, loss = thunder.jit(gpt)(idx, targets)
    loss.backward()
    jit_grads = {n: p.grad.clone() for n, p in gpt.named_parameters()}
    gpt.zero_grad()
    gpt(idx, targets)[1].backward()
    for name, p in gpt.named_parameters():
        assert_close(jit_grads[name], p.grad, atol=1e-5, rtol=1e-4)


def test_gpt_final_trace_prints_user_source_lines(gpt):
    jgpt = thunder.jit(gpt)
    with torch.no_grad():
        jgpt(torch.randint(0, 64, (1, 8)))
    text = str(thunder.last_traces(jgpt)[0])
    assert "gpt.py:" in text
    assert "scaled_dot_product_attention" in text


def test_jitted_module_shares_parameters():
    model = MLPModel(2, 4)
    jmodel = thunder.jit(model)
    assert [id(p) for p in jmodel.parameters()] == [id(p) for p in model.parameters()]
    assert jmodel.state_dict().keys() == model.state_dict().keys()
    x = torch.randn(3, 4)
    assert_close(jmodel(x), model(x))
    with torch.no_grad():
        model.layers[0].weight.mul_(2)
    assert_close(jmodel(x), model(x))


def test_replaced_parameter_is_used():
    model = torch.nn.Linear(3, 3)
    jmodel = thunder.jit(model)
    x = torch.randn(2, 3)
    assert_close(jmodel(x), model(x))
    model.weight = torch.nn.Parameter(torch.randn(3, 3))
    assert_close(jmodel(x), model(x))


def test_train_eval_switch_is_respected():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Dropout(0.5))
    jmodel = thunder.jit(model)
    x = torch.randn(8, 4)
    model.eval()
    assert_close(jmodel(x), model(x))
    model.train()
    torch.manual_seed(1)
    out = jmodel(x)
    torch.manual_seed(1)
    assert_close(out, model(x))
