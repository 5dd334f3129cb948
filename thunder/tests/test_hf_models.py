"""Hugging Face models, built from small configs with random weights, run unmodified.

Every model is tiny (2 layers, hidden size 32) and is built from a ``transformers`` config class
(no downloads). Each test compares ``thunder.jit(model)`` against the same model run eagerly:
outputs (with and without ``return_dict``, with attention masks where the model takes them),
the gradient of every parameter after one training step, and, for decoders, forward passes with
a KV cache (``use_cache=True``) and a greedy decoding loop. Dropout is configured to zero so that
training-mode runs are deterministic.
"""

import warnings

import pytest
import torch

import thunder
from thunder.tests.framework import assert_close

transformers = pytest.importorskip("transformers")


def _gpt2():
    config = transformers.GPT2Config(n_layer=2, n_embd=32, n_head=2, vocab_size=100,
                                     n_positions=64, bos_token_id=0, eos_token_id=0,
                                     resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    return transformers.GPT2LMHeadModel(config)


def _llama():
    config = transformers.LlamaConfig(num_hidden_layers=2, hidden_size=32,
                                      num_attention_heads=2, num_key_value_heads=1,
                                      intermediate_size=64, vocab_size=100,
                                      max_position_embeddings=64)
    return transformers.LlamaForCausalLM(config)


def _mistral():
    # Grouped-query attention: 2 query heads share 1 key/value head.
    config = transformers.MistralConfig(num_hidden_layers=2, hidden_size=32,
                                        num_attention_heads=2, num_key_value_heads=1,
                                        head_dim=16, intermediate_size=64, vocab_size=100,
                                        max_position_embeddings=64)
    return transformers.MistralForCausalLM(config)


def _qwen2():
    config = transformers.Qwen2Config(num_hidden_layers=2, hidden_size=32,
                                      num_attention_heads=2, num_key_value_heads=1,
                                      intermediate_size=64, vocab_size=100,
                                      max_position_embeddings=64)
    return transformers.Qwen2ForCausalLM(config)


def _opt():
    config = transformers.OPTConfig(num_hidden_layers=2, hidden_size=32, num_attention_heads=2,
                                    ffn_dim=64, vocab_size=100, max_position_embeddings=64,
                                    word_embed_proj_dim=32, dropout=0.0, attention_dropout=0.0,
                                    activation_dropout=0.0, layerdrop=0.0)
    return transformers.OPTForCausalLM(config)


DECODERS = {"gpt2": _gpt2, "llama": _llama, "mistral": _mistral, "qwen2": _qwen2, "opt": _opt}


@pytest.fixture(params=sorted(DECODERS))
def model(request):
    torch.manual_seed(0)
    return DECODERS[request.param]().eval()


def _padded_mask(batch, length, n_padded):
    """An attention mask whose last row has ``n_padded`` masked (left-padding) positions."""
    mask = torch.ones(batch, length, dtype=torch.long)
    mask[-1, :n_padded] = 0
    return mask


def _flat_tensors(output):
    """The tensors of a model output (``ModelOutput``, tuple, cache), in a fixed order."""
    if isinstance(output, torch.Tensor):
        return [output]
    if isinstance(output, transformers.utils.ModelOutput):
        output = output.to_tuple()
    if isinstance(output, transformers.DynamicCache):
        return [t for layer in output.layers for t in (layer.keys, layer.values)]
    if isinstance(output, transformers.EncoderDecoderCache):
        return _flat_tensors(output.self_attention_cache) + _flat_tensors(
            output.cross_attention_cache)
    if isinstance(output, (tuple, list)):
        return [t for item in output for t in _flat_tensors(item)]
    return []


def assert_outputs_close(actual, expected):
    """Same output structure as eager, and every tensor in it close to eager's."""
    assert type(actual) is type(expected)
    if isinstance(expected, transformers.utils.ModelOutput):
        assert list(actual.keys()) == list(expected.keys())
    actual_tensors, expected_tensors = _flat_tensors(actual), _flat_tensors(expected)
    assert len(actual_tensors) == len(expected_tensors) > 0
    for a, e in zip(actual_tensors, expected_tensors):
        assert_close(a, e)


def assert_compiled_without_fallback(jmodel):
    """The model was traced (not run eagerly) and no operation fell back to eager torch."""
    assert thunder.cache_misses(jmodel) >= 1
    assert not thunder.compile_stats(jmodel).fallback_operations


def assert_training_step_matches_eager(model, loss_of, executors=None, **inputs):
    """One training step (train mode, ``loss.backward()``) through ``thunder.jit(model)``.

    The loss and the gradient of every parameter must match eager's, and the same parameters
    must receive gradients. Returns the jitted model.
    """
    model.train()
    jmodel = thunder.jit(model, executors=executors)
    loss = loss_of(jmodel(**inputs))
    loss.backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    model.zero_grad()
    expected = loss_of(model(**inputs))
    expected.backward()
    assert_close(loss, expected)
    expected_grads = {n: p.grad for n, p in model.named_parameters() if p.grad is not None}
    assert sorted(grads) == sorted(expected_grads)
    assert len(expected_grads) == len(list(model.parameters()))
    for name, grad in expected_grads.items():
        assert_close(grads[name], grad, atol=1e-5, rtol=1e-4)
    return jmodel


# Decoders: GPT-2, Llama, Mistral (GQA), Qwen2 (GQA), OPT.


def test_forward_matches_eager(model):
    ids = torch.randint(0, 100, (2, 8))
    jmodel = thunder.jit(model)
    with torch.no_grad():
        out = jmodel(ids, use_cache=False)
        expected = model(ids, use_cache=False)
    assert_outputs_close(out, expected)
    assert_compiled_without_fallback(jmodel)


def test_forward_with_attention_mask_and_tuple_output_matches_eager(model):
    ids = torch.randint(0, 100, (2, 8))
    mask = _padded_mask(2, 8, 3)
    jmodel = thunder.jit(model)
    with torch.no_grad():
        out = jmodel(ids, attention_mask=mask, use_cache=False, return_dict=False)
        expected = model(ids, attention_mask=mask, use_cache=False, return_dict=False)
    assert isinstance(out, tuple)
    assert_outputs_close(out, expected)


def test_training_step_gradients_match_eager(model):
    ids = torch.randint(0, 100, (2, 8))
    assert_training_step_matches_eager(model, lambda out: out.loss, input_ids=ids,
                                       attention_mask=_padded_mask(2, 8, 2), labels=ids,
                                       use_cache=False)


def test_use_cache_forward_with_attention_mask_matches_eager(model):
    ids = torch.randint(0, 100, (2, 6))
    mask = _padded_mask(2, 6, 2)
    jmodel = thunder.jit(model)

    def prefill_then_step(step):
        out = step(ids, attention_mask=mask, use_cache=True)
        nxt = out.logits[:, -1:].argmax(-1)
        longer_mask = torch.cat([mask, torch.ones(2, 1, dtype=mask.dtype)], dim=1)
        return out, step(nxt, attention_mask=longer_mask, past_key_values=out.past_key_values,
                         use_cache=True)

    with torch.no_grad():
        prefill, out = prefill_then_step(jmodel)
        expected_prefill, expected = prefill_then_step(model)
    assert_outputs_close(prefill, expected_prefill)
    assert_outputs_close(out, expected)


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


# BERT (encoder): BertModel and BertForSequenceClassification.


def _bert_config():
    return transformers.BertConfig(num_hidden_layers=2, hidden_size=32, num_attention_heads=2,
                                   intermediate_size=64, vocab_size=100,
                                   max_position_embeddings=64, hidden_dropout_prob=0.0,
                                   attention_probs_dropout_prob=0.0, num_labels=3)


def _bert_inputs():
    ids = torch.randint(0, 100, (2, 8))
    mask = torch.ones(2, 8, dtype=torch.long)
    mask[1, 5:] = 0
    token_type_ids = torch.zeros(2, 8, dtype=torch.long)
    token_type_ids[:, 4:] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": token_type_ids}


@pytest.mark.parametrize("model_class", ["BertModel", "BertForSequenceClassification"])
def test_bert_forward_with_mask_and_token_types_matches_eager(model_class):
    torch.manual_seed(0)
    bert = getattr(transformers, model_class)(_bert_config()).eval()
    inputs = _bert_inputs()
    jbert = thunder.jit(bert)
    with torch.no_grad():
        assert_outputs_close(jbert(**inputs), bert(**inputs))
        out = jbert(**inputs, return_dict=False)
        assert isinstance(out, tuple)
        assert_outputs_close(out, bert(**inputs, return_dict=False))
    assert_compiled_without_fallback(jbert)


def test_bert_model_training_step_gradients_match_eager():
    torch.manual_seed(0)
    bert = transformers.BertModel(_bert_config())

    def loss_of(out):
        return out.last_hidden_state.pow(2).mean() + out.pooler_output.sum()

    assert_training_step_matches_eager(bert, loss_of, **_bert_inputs())


def test_bert_sequence_classification_training_step_gradients_match_eager():
    torch.manual_seed(0)
    bert = transformers.BertForSequenceClassification(_bert_config())
    assert_training_step_matches_eager(bert, lambda out: out.loss, **_bert_inputs(),
                                       labels=torch.tensor([0, 2]))


# T5 (encoder-decoder): T5ForConditionalGeneration.


def _t5():
    config = transformers.T5Config(num_layers=2, num_decoder_layers=2, d_model=32, d_kv=16,
                                   num_heads=2, d_ff=64, vocab_size=100, dropout_rate=0.0,
                                   decoder_start_token_id=0, pad_token_id=0)
    return transformers.T5ForConditionalGeneration(config)


def _t5_inputs():
    ids = torch.randint(1, 100, (2, 8))
    mask = torch.ones(2, 8, dtype=torch.long)
    mask[1, 5:] = 0
    return {"input_ids": ids, "attention_mask": mask,
            "decoder_input_ids": torch.randint(1, 100, (2, 5))}


def test_t5_forward_with_decoder_inputs_matches_eager():
    torch.manual_seed(0)
    t5 = _t5().eval()
    inputs = _t5_inputs()
    jt5 = thunder.jit(t5)
    with torch.no_grad():
        assert_outputs_close(jt5(**inputs, use_cache=False), t5(**inputs, use_cache=False))
        out = jt5(**inputs, use_cache=False, return_dict=False)
        assert isinstance(out, tuple)
        assert_outputs_close(out, t5(**inputs, use_cache=False, return_dict=False))
    assert_compiled_without_fallback(jt5)


def test_t5_use_cache_decoding_step_matches_eager():
    torch.manual_seed(0)
    t5 = _t5().eval()
    inputs = _t5_inputs()
    jt5 = thunder.jit(t5)

    def encode_then_step(step):
        out = step(**inputs, use_cache=True)
        nxt = out.logits[:, -1:].argmax(-1)
        return out, step(encoder_outputs=(out.encoder_last_hidden_state,),
                         attention_mask=inputs["attention_mask"], decoder_input_ids=nxt,
                         past_key_values=out.past_key_values, use_cache=True)

    with torch.no_grad():
        first, second = encode_then_step(jt5)
        expected_first, expected_second = encode_then_step(t5)
    assert_outputs_close(first, expected_first)
    assert_outputs_close(second, expected_second)


def test_t5_training_step_with_labels_gradients_match_eager():
    torch.manual_seed(0)
    t5 = _t5()
    assert_training_step_matches_eager(t5, lambda out: out.loss, **_t5_inputs(),
                                       labels=torch.randint(1, 100, (2, 5)))


def test_t5_training_step_compiled_by_inductor_matches_eager():
    # Every region compiled at its first call: the regions Inductor gets from T5 (attention
    # with a position bias, views of transposed keys) compile and match eager.
    from thunder.executors.torchcompileex import TorchCompileExecutor

    torch.manual_seed(0)
    executor = TorchCompileExecutor("tc_t5", compile_after=0, min_symbols=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        jt5 = assert_training_step_matches_eager(
            _t5(), lambda out: out.loss, executors=[executor, "sdpa"], **_t5_inputs(),
            labels=torch.randint(1, 100, (2, 5)))
    # a region Inductor rejects would run its torch body, with a warning
    assert not [w for w in caught if "could not compile" in str(w.message)]
    regions = thunder.last_fusions(jt5)
    assert len(regions) >= 2 and all(r.callable.state == "compiled" for r in regions)


# ViT (vision encoder): ViTForImageClassification on random pixel values.


def _vit():
    config = transformers.ViTConfig(num_hidden_layers=2, hidden_size=32, num_attention_heads=2,
                                    intermediate_size=64, image_size=16, patch_size=4,
                                    num_channels=3, num_labels=5, hidden_dropout_prob=0.0,
                                    attention_probs_dropout_prob=0.0)
    return transformers.ViTForImageClassification(config)


def test_vit_forward_matches_eager():
    torch.manual_seed(0)
    vit = _vit().eval()
    pixels = torch.randn(2, 3, 16, 16)
    jvit = thunder.jit(vit)
    with torch.no_grad():
        assert_outputs_close(jvit(pixels), vit(pixels))
        out = jvit(pixel_values=pixels, return_dict=False)
        assert isinstance(out, tuple)
        assert_outputs_close(out, vit(pixel_values=pixels, return_dict=False))
    assert_compiled_without_fallback(jvit)


def test_vit_training_step_gradients_match_eager():
    torch.manual_seed(0)
    vit = _vit()
    assert_training_step_matches_eager(vit, lambda out: out.loss,
                                       pixel_values=torch.randn(2, 3, 16, 16),
                                       labels=torch.tensor([1, 4]))
