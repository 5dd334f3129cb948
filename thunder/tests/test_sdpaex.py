"""The SDPA executor: fused attention forward and backward, against eager PyTorch.

Outputs and gradients are compared with eager for causal, masked, scaled and grouped-query
attention; the forward trace of a causal attention must save nothing of size L x L (NOTE
[attention memory] in thunder/executors/sdpaex.py). CUDA kernels run where CUDA is available;
elsewhere their calls are checked on "meta" tensors.
"""

import pytest
import torch
import torch.nn.functional as F

import thunder
from thunder.executors import sdpaex
from thunder.models.gpt import GPT, GPTConfig
from thunder.tests.framework import assert_close

TOLERANCES = {torch.float32: {"atol": 1e-5, "rtol": 1e-4},
              torch.float64: {"atol": 1e-10, "rtol": 1e-8},
              torch.bfloat16: {"atol": 2e-2, "rtol": 2e-2},
              torch.float16: {"atol": 2e-3, "rtol": 2e-3}}


def attention(q, k, v, **kwargs):
    return F.scaled_dot_product_attention(q, k, v, **kwargs)


def _case(name, dtype, device="cpu"):
    """(q, k, v, kwargs) of a named attention case."""
    torch.manual_seed(0)

    def make(*shape):
        return torch.randn(*shape, dtype=dtype, device=device)

    q, k, v = make(2, 4, 6, 8), make(2, 4, 6, 8), make(2, 4, 6, 8)
    kwargs = {}
    if name == "causal":
        kwargs = {"is_causal": True}
    elif name == "causal_rectangular":
        k, v, kwargs = make(2, 4, 9, 8), make(2, 4, 9, 8), {"is_causal": True}
    elif name == "bool_mask":
        kwargs = {"attn_mask": torch.rand(6, 6, device=device) > 0.3}
    elif name == "float_mask":
        kwargs = {"attn_mask": make(6, 6)}
    elif name == "broadcast_mask":
        kwargs = {"attn_mask": torch.rand(2, 1, 1, 6, device=device) > 0.2}
    elif name == "mask_and_causal":
        kwargs = {"attn_mask": make(2, 1, 6, 6), "is_causal": True}
    elif name == "masked_row":
        mask = torch.ones(6, 6, dtype=torch.bool, device=device)
        mask[2] = False
        kwargs = {"attn_mask": mask}
    elif name == "scale":
        kwargs = {"scale": 0.3, "is_causal": True}
    elif name == "three_dims":
        q, k, v = q[0], k[0], v[0]
    elif name == "gqa":
        k, v, kwargs = k[:, :2], v[:, :2], {"enable_gqa": True, "is_causal": True}
    elif name == "noncontiguous":
        q, k, v = (make(2, 6, 4, 8).transpose(1, 2) for _ in range(3))
    return q, k, v, kwargs


CASES = ["plain", "causal", "causal_rectangular", "bool_mask", "float_mask", "broadcast_mask",
         "mask_and_causal", "masked_row", "scale", "three_dims", "gqa", "noncontiguous"]


def _grads(fn, q, k, v, kwargs):
    q, k, v = (t.detach().clone().requires_grad_() for t in (q, k, v))
    out = fn(q, k, v, **kwargs)
    torch.manual_seed(1)
    g = torch.randn_like(out)
    return (out, *torch.autograd.grad(out, (q, k, v), g))


def _uses_sdpa_kernels(jfn) -> bool:
    """The execution traces call the fused kernels, directly or inside a fusion region (the
    default torch.compile fusion executor fuses them with their neighbours)."""
    def text(trace):
        return "\n".join([str(trace)] + [str(region) for region in trace.regions])

    return ("sdpaex._flash_cpu_forward" in text(thunder.last_traces(jfn)[-1])
            and "sdpaex._flash_cpu_backward" in text(thunder.last_backward_traces(jfn)[-1]))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("case", CASES)
def test_outputs_and_gradients_match_eager(case, dtype):
    _assert_sdpa_matches_eager(case, dtype)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16], ids=str)
@pytest.mark.parametrize("case", ["causal", "float_mask", "gqa"])
def test_low_precision_matches_eager(case, dtype):
    _assert_sdpa_matches_eager(case, dtype)


def _assert_sdpa_matches_eager(case, dtype):
    """Output and input gradients through the sdpa executor match eager's, and the fused
    kernels ran."""
    q, k, v, kwargs = _case(case, dtype)
    jfn = thunder.jit(attention, executors=["sdpa"])
    got = _grads(jfn, q, k, v, kwargs)
    expected = _grads(attention, q, k, v, kwargs)
    for a, e in zip(got, expected):
        assert_close(a, e, **TOLERANCES[dtype])
    assert _uses_sdpa_kernels(jfn)


@pytest.mark.parametrize("case", ["causal", "bool_mask", "three_dims", "gqa"])
def test_inference_runs_the_fused_forward(case):
    q, k, v, kwargs = _case(case, torch.float32)
    jfn = thunder.jit(attention, executors=["sdpa"])
    with torch.no_grad():
        assert_close(jfn(q, k, v, **kwargs), attention(q, k, v, **kwargs))
    assert "sdpaex.scaled_dot_product_attention" in str(thunder.last_traces(jfn)[-1])


def test_inference_with_a_mask_that_requires_grad():
    q, k, v, _ = _case("plain", torch.float32)
    mask = torch.randn(6, 6, requires_grad=True)
    jfn = thunder.jit(attention, executors=["sdpa"])
    with torch.no_grad():
        assert_close(jfn(q, k, v, attn_mask=mask), attention(q, k, v, attn_mask=mask))


def test_sdpa_is_a_default_executor_before_torch():
    names = [e.name for e in thunder.get_default_executors()]
    assert "sdpa" in names
    assert names.index("sdpa") < names.index("torch")


def _saved_shapes(jfn):
    outputs, saved = thunder.last_traces(jfn)[-1].output
    return [tuple(s.shape) for s in saved]


def test_causal_attention_saves_memory_linear_in_sequence_length():
    length = 256
    q, k, v = (torch.randn(1, 2, length, 16, requires_grad=True) for _ in range(3))
    fn = lambda q, k, v: attention(q, k, v, is_causal=True)  # noqa: E731
    jfn = thunder.jit(fn, executors=["sdpa"])
    jfn(q, k, v).sum().backward()
    shapes = _saved_shapes(jfn)
    # q, k, v, out and logsumexp: nothing with two sequence-length dimensions
    assert sorted(shapes) == sorted([(1, 2, length, 16)] * 4 + [(1, 2, length)])
    # the decomposition (taken with a mask when the sdpa executor is not used) saves the
    # L x L attention probabilities
    mask = torch.ones(length, length, dtype=torch.bool).tril()
    decomposed = thunder.jit(lambda q, k, v: attention(q, k, v, attn_mask=mask),
                             executors=["torch"])
    decomposed(q, k, v)
    assert (1, 2, length, length) in _saved_shapes(decomposed)


@pytest.mark.parametrize("kwargs", [
    {"dropout_p": 0.5},  # eager draws the dropout mask in its math path
    {"attn_mask": torch.randn(6, 6, requires_grad=True)},  # the kernels give no mask gradient
], ids=["dropout", "mask_requiring_grad"])
def test_declined_calls_are_differentiated_by_the_decomposition(kwargs):
    q, k, v, _ = _case("plain", torch.float32)
    assert not sdpaex._supported(q, k, v, **kwargs)
    torch.manual_seed(0)
    jfn = thunder.jit(attention, executors=["sdpa"])
    got = _grads(jfn, q, k, v, kwargs)
    assert "sdpaex" not in str(thunder.last_traces(jfn)[-1])
    if "dropout_p" not in kwargs:
        expected = _grads(attention, q, k, v, kwargs)
        for a, e in zip(got, expected):
            assert_close(a, e)


@pytest.mark.parametrize("shapes", [
    ((2, 4, 6, 8), (2, 4, 6, 8), (2, 4, 6, 16)),  # value head size differs
    ((2, 4, 6, 8), (2, 2, 6, 8), (2, 2, 6, 8)),  # fewer key heads without enable_gqa
    ((2, 4, 0, 8), (2, 4, 6, 8), (2, 4, 6, 8)),  # empty query
    ((3, 2, 4, 6, 8), (3, 2, 4, 6, 8), (3, 2, 4, 6, 8)),  # five dimensions
], ids=["value_head_size", "heads_without_gqa", "empty", "five_dims"])
def test_checker_declines_what_the_kernels_cannot_run(shapes):
    q, k, v = (torch.randn(*s) for s in shapes)
    assert not sdpaex._supported(q, k, v)


def test_gpt_training_step_routes_attention_through_sdpa():
    torch.manual_seed(0)
    gpt = GPT(GPTConfig(n_layer=1, n_head=2, n_embd=16, block_size=8, vocab_size=32))
    idx, targets = torch.randint(0, 32, (2, 8)), torch.randint(0, 32, (2, 8))
    jgpt = thunder.jit(gpt)
    _, loss = jgpt(idx, targets)
    loss.backward()
    grads = {n: p.grad.clone() for n, p in gpt.named_parameters()}
    gpt.zero_grad()
    gpt(idx, targets)[1].backward()
    for name, p in gpt.named_parameters():
        assert_close(grads[name], p.grad, atol=1e-5, rtol=1e-4)
    assert _uses_sdpa_kernels(jgpt)


def test_hf_llama_attention_routes_through_sdpa():
    transformers = pytest.importorskip("transformers")
    torch.manual_seed(0)
    config = transformers.LlamaConfig(num_hidden_layers=1, hidden_size=32,
                                      num_attention_heads=4, num_key_value_heads=2,
                                      intermediate_size=64, vocab_size=100,
                                      max_position_embeddings=64)
    model = transformers.LlamaForCausalLM(config).train()
    idx = torch.randint(0, 100, (2, 12))
    jmodel = thunder.jit(model)
    loss = jmodel(input_ids=idx, labels=idx).loss
    loss.backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters()}
    model.zero_grad()
    expected = model(input_ids=idx, labels=idx).loss
    expected.backward()
    assert_close(loss, expected)
    for name, p in model.named_parameters():
        assert_close(grads[name], p.grad, atol=1e-5, rtol=1e-4)
    assert _uses_sdpa_kernels(jmodel)


# -- CUDA --------------------------------------------------------------------------------------
def test_cuda_kernel_calls_are_well_formed_on_meta_tensors():
    """The CUDA kernels' argument plumbing, checked on tensors of the "meta" device."""

    def meta(*shape, dtype=torch.float16):
        return torch.empty(*shape, dtype=dtype, device="meta")

    q, k, v = meta(2, 4, 128, 64), meta(2, 2, 128, 64), meta(2, 2, 128, 64)
    out, lse, rng_state, unused = sdpaex._flash_cuda_forward(q, k, v, True, None, 2)
    grads = sdpaex._flash_cuda_backward(out, q, k, v, out, lse, rng_state, unused, True, None, 2)
    assert [g.shape for g in grads] == [q.shape, k.shape, v.shape]
    q32, k32, v32 = (t.float() for t in (q, k, v))
    for mask in (None, torch.empty(2, 1, 128, 100, dtype=torch.bool, device="meta")[..., :100]):
        kv_len = 128 if mask is None else 100
        k_, v_ = k32[..., :kv_len, :], v32[..., :kv_len, :]
        out, lse, seed, offset = sdpaex._efficient_cuda_forward(q32, k_, v_, mask, True, 0.5, 2)
        grads = sdpaex._efficient_cuda_backward(out, q32, k_, v_, mask, out, lse, seed, offset,
                                                True, 0.5, 2)
        assert [g.shape for g in grads] == [q32.shape, k_.shape, v_.shape]


cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@cuda
@pytest.mark.cuda
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32], ids=str)
@pytest.mark.parametrize("case", ["causal", "causal_rectangular", "bool_mask", "float_mask",
                                  "mask_and_causal", "gqa", "scale"])
def test_cuda_outputs_and_gradients_match_eager(case, dtype):
    q, k, v, kwargs = _case(case, dtype, device="cuda")
    q, k, v = (torch.cat([t] * 8, dim=-1) for t in (q, k, v))  # head size 64
    jfn = thunder.jit(attention, executors=["sdpa"])
    got = _grads(jfn, q, k, v, kwargs)
    expected = _grads(attention, q, k, v, kwargs)
    for a, e in zip(got, expected):
        assert_close(a, e, **TOLERANCES[dtype])
    assert "sdpaex._" in str(thunder.last_backward_traces(jfn)[-1])
