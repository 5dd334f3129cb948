"""Hugging Face decoder models, built from small configs with random weights, run unmodified."""

import pytest
import torch

import thunder
from thunder.tests.framework import assert_close

transformers = pytest.importorskip("transformers")


def _gpt2():
    config = transformers.GPT2Config(n_layer=2, n_embd=32, n_head=2, vocab_size=100,
                                     n_positions=64, bos_token_id=0, eos_token_id=0)
    return transformers.GPT2LMHeadModel(config)


def _llama():
    config = transformers.LlamaConfig(num_hidden_layers=2, hidden_size=32,
                                      num_attention_heads=2, num_key_value_heads=1,
                                      intermediate_size=64, vocab_size=100,
                                      max_position_embeddings=64)
    return transformers.LlamaForCausalLM(config)


MODELS = {"gpt2": _gpt2, "llama": _llama}


@pytest.fixture(params=sorted(MODELS))
def model(request):
    torch.manual_seed(0)
    return MODELS[request.param]().eval()


def test_forward_matches_eager(model):
    ids = torch.randint(0, 100, (2, 8))
    with torch.no_grad():
        out = thunder.jit(model)(ids, use_cache=False)
        expected = model(ids, use_cache=False)
    assert type(out) is type(expected)
    assert_close(out.logits, expected.logits)


def test_forward_with_attention_mask_and_tuple_output_matches_eager(model):
    ids = torch.randint(0, 100, (2, 8))
    mask = torch.ones(2, 8, dtype=torch.long)
    mask[1, :3] = 0
    jmodel = thunder.jit(model)
    with torch.no_grad():
        out = jmodel(ids, attention_mask=mask, use_cache=False, return_dict=False)
        expected = model(ids, attention_mask=mask, use_cache=False, return_dict=False)
    assert isinstance(out, tuple)
    assert_close(out[0], expected[0])


def test_training_step_gradients_match_eager(model):
    ids = torch.randint(0, 100, (2, 8))
    loss = thunder.jit(model)(ids, labels=ids, use_cache=False).loss
    loss.backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    model.zero_grad()
    expected = model(ids, labels=ids, use_cache=False).loss
    expected.backward()
    assert_close(loss, expected)
    for name, p in model.named_parameters():
        if p.grad is not None:
            assert_close(grads[name], p.grad, atol=1e-5, rtol=1e-4)


def test_kv_cache_forward_and_greedy_decoding_match_eager(model):
    ids = torch.randint(0, 100, (1, 6))
    jmodel = thunder.jit(model)

    def greedy(step, ids, n_tokens):
        out = step(ids, use_cache=True)
        tokens = []
        for _ in range(n_tokens):
            nxt = out.logits[:, -1:].argmax(-1)
            tokens.append(nxt)
            out = step(nxt, past_key_values=out.past_key_values, use_cache=True)
        return torch.cat(tokens, dim=1), out

    with torch.no_grad():
        tokens, out = greedy(jmodel, ids, 4)
        expected_tokens, expected = greedy(model, ids, 4)
    assert torch.equal(tokens, expected_tokens)
    assert_close(out.logits, expected.logits)
    assert type(out.past_key_values) is type(expected.past_key_values)
