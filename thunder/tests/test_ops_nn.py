"""Neural-network operators (``thunder/torch/nn.py``) and losses (``losses.py``) against eager.

Each case runs eager torch, ``thunder.jit`` and ``run_decomposed`` (only the prims), see
NOTE [calling torch functions in op tests] in ``test_ops_linalg.py``.
"""

import types

import pytest
import torch
import torch.nn.functional as F

import thunder
from thunder.tests.framework import assert_close, run_decomposed, trace_directly
from thunder.tests.test_ops_linalg import _JIT_INTERPRETS, TOLERANCES, check
from thunder.torch import torch_to_thunder

FLOATS = [torch.float32, torch.float64, torch.bfloat16]


def make(*shape, dtype=torch.float32, scale=1.0, noncontiguous=False):
    if noncontiguous and len(shape) >= 2:
        t = torch.randn(*shape[:-2], shape[-1], shape[-2]).transpose(-2, -1)
    else:
        t = torch.randn(*shape)
    return (t * scale).to(dtype)


def symbol_call(torch_fn):
    symbol = torch_to_thunder[torch_fn]
    return lambda *a, **k: symbol(*a, **k)


# -- activations ----------------------------------------------------------------------------

ACTIVATIONS = [
    ("relu", F.relu, {}),
    ("relu6", F.relu6, {}),
    ("hardtanh", F.hardtanh, {"min_val": -0.5, "max_val": 2.0}),
    ("leaky_relu", F.leaky_relu, {"negative_slope": 0.2}),
    ("elu", F.elu, {"alpha": 0.7}),
    ("selu", F.selu, {}),
    ("celu", F.celu, {"alpha": 0.5}),
    ("gelu", F.gelu, {}),
    ("gelu_tanh", F.gelu, {"approximate": "tanh"}),
    ("silu", F.silu, {}),
    ("mish", F.mish, {}),
    ("softplus", F.softplus, {}),
    ("softplus_beta_threshold", F.softplus, {"beta": 2.0, "threshold": 3.0}),
    ("softsign", F.softsign, {}),
    ("hardsigmoid", F.hardsigmoid, {}),
    ("hardswish", F.hardswish, {}),
    ("logsigmoid", F.logsigmoid, {}),
    ("tanhshrink", F.tanhshrink, {}),
    ("hardshrink", F.hardshrink, {"lambd": 0.7}),
    ("softshrink", F.softshrink, {}),
    ("threshold", F.threshold, {"threshold": 0.1, "value": 20.0}),
    ("prelu_shared", F.prelu, {"weight": torch.tensor([0.25])}),
    ("prelu_per_channel", F.prelu, {"weight": torch.linspace(-1, 1, 6)}),
    ("glu", F.glu, {}),
    ("glu_dim0", F.glu, {"dim": 0}),
    ("sigmoid", F.sigmoid, {}),
    ("tanh", F.tanh, {}),
    ("clamp", torch.clamp, {"min": -1.0, "max": 0.5}),
    ("clip_max_only", torch.clip, {"max": 0.3}),
]


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("name,torch_fn,kwargs", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_matches_eager(name, torch_fn, kwargs, dtype):
    torch.manual_seed(0)
    x = make(4, 6, dtype=dtype, scale=3.0, noncontiguous=True)
    kwargs = {k: v.to(dtype) if isinstance(v, torch.Tensor) else v for k, v in kwargs.items()}
    check(torch_fn, x, precision=dtype, **kwargs)


def test_logsigmoid_and_softplus_are_stable_for_large_inputs():
    x = torch.tensor([-1e4, -50.0, 0.0, 50.0, 1e4])
    check(F.logsigmoid, x)
    check(F.softplus, x)


def test_relu_keeps_integer_dtype_and_propagates_nan():
    check(F.relu, torch.arange(-3, 3))
    check(F.relu, torch.tensor([float("nan"), -1.0, 2.0]))


@pytest.mark.parametrize("min,max", [
    (torch.tensor(-0.5), None),
    (None, torch.tensor([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])),
    (torch.zeros(4, 1), torch.ones(6)),
    (None, torch.tensor(0.5, dtype=torch.float64)),
], ids=["tensor_min", "broadcast_max", "column_min_row_max", "zero_dim_double_max"])
def test_clamp_with_tensor_bounds_broadcasts_and_promotes(min, max):
    check(torch.clamp, make(4, 6), min=min, max=max)


def test_clamp_promotes_integer_input_with_float_bound():
    check(torch.clamp, torch.arange(6), min=1.5)


def test_clamp_mixing_tensor_and_number_bounds_raises_type_error_like_torch():
    with pytest.raises(TypeError):
        torch.clamp(make(3), min=torch.zeros(3), max=1.0)
    with pytest.raises(TypeError, match="clamp"):
        run_decomposed(symbol_call(torch.clamp), make(3), min=torch.zeros(3), max=1.0)


def test_clamp_without_bounds_raises_runtime_error():
    with pytest.raises(RuntimeError, match="clamp"):
        run_decomposed(symbol_call(torch.clamp), make(3))


@pytest.mark.parametrize("weight", [0.3, 0.8, "tensor"])
def test_lerp_matches_eager(weight):
    torch.manual_seed(0)
    if weight == "tensor":
        weight = torch.rand(6) * 1.4 - 0.2
    check(torch.lerp, make(4, 6), make(6), weight)


@pytest.mark.parametrize("torch_fn", [F.relu, F.silu, F.leaky_relu, F.dropout])
def test_inplace_true_raises_not_implemented(torch_fn):
    with pytest.raises(NotImplementedError, match="inplace"):
        run_decomposed(symbol_call(torch_fn), make(3), inplace=True)


@pytest.mark.parametrize("torch_fn,args,kwargs,error", [
    (F.gelu, (torch.arange(3),), {}, NotImplementedError),
    (F.gelu, (torch.randn(3),), {"approximate": "sigmoid"}, RuntimeError),
    (F.glu, (torch.randn(3),), {}, RuntimeError),
    (F.silu, (torch.arange(3),), {}, NotImplementedError),
], ids=["gelu_int", "gelu_bad_approximate", "glu_odd", "silu_int"])
def test_bad_arguments_raise_torch_exception_types(torch_fn, args, kwargs, error):
    with pytest.raises(error):
        torch_fn(*args, **kwargs)
    with pytest.raises(error, match=torch_fn.__name__.removeprefix("_")):
        run_decomposed(symbol_call(torch_fn), *args, **kwargs)


# -- softmax family -------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS + [torch.float16], ids=str)
@pytest.mark.parametrize("torch_fn,kwargs", [
    (F.softmax, {"dim": -1}),
    (F.log_softmax, {"dim": 0}),
    (F.softmin, {"dim": 1}),
    (torch.logsumexp, {"dim": 1}),
    (torch.logsumexp, {"dim": (0, 1), "keepdim": True}),
], ids=["softmax", "log_softmax", "softmin", "logsumexp", "logsumexp_all_keepdim"])
def test_softmax_is_stable_for_large_inputs(torch_fn, kwargs, dtype):
    torch.manual_seed(0)
    x = make(5, 7, dtype=dtype, scale=1e4, noncontiguous=True)
    expected = torch_fn(x, **kwargs)
    assert torch.isfinite(expected).all()
    check(torch_fn, x, precision=dtype, **kwargs)


@pytest.mark.parametrize("torch_fn", [F.softmax, F.log_softmax, torch.logsumexp])
def test_softmax_of_all_negative_infinity_row_matches_torch(torch_fn):
    x = torch.tensor([[-float("inf")] * 3, [0.0, 1.0, -float("inf")]])
    check(torch_fn, x, 1)


def test_softmax_dtype_argument_positional_keyword_and_method():
    x = make(3, 4)
    check(torch.softmax, x, 1, torch.float64, precision=torch.float32)
    check(F.softmax, x, dim=1, dtype=torch.float64, precision=torch.float32)
    check(F.log_softmax, x, 0, dtype=torch.float64, precision=torch.float32)
    expected = x.softmax(1, torch.float64)
    assert_close(run_decomposed(lambda t: t.softmax(1, torch.float64), x), expected)
    assert_close(thunder.jit(lambda t: t.log_softmax(dim=-1))(x), x.log_softmax(dim=-1))


def test_softmax_without_dim_uses_torch_legacy_choice():
    x3 = make(2, 3, 4)
    with pytest.warns(UserWarning):
        expected = F.softmax(x3)
    with pytest.warns(UserWarning):
        actual = run_decomposed(symbol_call(F.softmax), x3)
    assert_close(actual, expected)


def test_softmax_of_integers_needs_a_dtype():
    x = torch.arange(4)
    with pytest.raises(NotImplementedError):
        torch.softmax(x, 0)
    with pytest.raises(NotImplementedError, match="softmax"):
        run_decomposed(symbol_call(F.softmax), x, 0)
    check(F.softmax, x, 0, dtype=torch.float32)
    check(torch.logsumexp, x, 0)


# -- normalization --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS + [torch.float16], ids=str)
@pytest.mark.parametrize("case", [
    "layer_norm", "layer_norm_no_affine", "layer_norm_two_dims", "rms_norm", "rms_norm_eps",
    "group_norm", "group_norm_no_affine", "batch_norm_eval", "batch_norm_train",
    "instance_norm", "normalize", "normalize_p1_dim0", "normalize_inf",
])
def test_normalization_matches_eager(case, dtype):
    torch.manual_seed(0)
    x = make(4, 6, 5, dtype=dtype, scale=2.0, noncontiguous=True) + 1
    w, b = make(5, dtype=dtype), make(5, dtype=dtype)
    cw, cb = make(6, dtype=dtype), make(6, dtype=dtype)
    mean, var = make(6, dtype=dtype), (torch.rand(6) + 0.5).to(dtype)
    calls = {
        "layer_norm": (F.layer_norm, (x, [5], w, b), {}),
        "layer_norm_no_affine": (F.layer_norm, (x, (5,)), {"eps": 1e-3}),
        "layer_norm_two_dims": (F.layer_norm, (x, [6, 5]), {"weight": make(6, 5, dtype=dtype)}),
        "rms_norm": (F.rms_norm, (x, [5], w), {}),
        "rms_norm_eps": (F.rms_norm, (x, [6, 5]), {"eps": 1e-2}),
        "group_norm": (F.group_norm, (x, 3, cw, cb), {}),
        "group_norm_no_affine": (F.group_norm, (x, 2), {}),
        "batch_norm_eval": (F.batch_norm, (x, mean, var, cw, cb), {}),
        "batch_norm_train": (F.batch_norm, (x, None, None), {"weight": cw, "training": True}),
        "instance_norm": (F.instance_norm, (x,), {"weight": cw, "bias": cb}),
        "normalize": (F.normalize, (x,), {}),
        "normalize_p1_dim0": (F.normalize, (x,), {"p": 1, "dim": 0}),
        "normalize_inf": (F.normalize, (x,), {"p": float("inf"), "dim": -1}),
    }
    torch_fn, args, kwargs = calls[case]
    check(torch_fn, *args, precision=dtype, **kwargs)


def test_batch_norm_training_with_running_stats_raises_not_implemented():
    x = make(4, 3)
    with pytest.raises(NotImplementedError, match="running statistics"):
        run_decomposed(symbol_call(F.batch_norm), x, torch.zeros(3), torch.ones(3),
                       training=True)


@pytest.mark.parametrize("torch_fn,args", [
    (F.layer_norm, (torch.randn(2, 3), [4])),
    (F.group_norm, (torch.randn(2, 3, 4), 2)),
    (F.batch_norm, (torch.randn(2, 3), None, None)),
], ids=["layer_norm", "group_norm", "batch_norm"])
def test_normalization_shape_errors_are_runtime_errors(torch_fn, args):
    with pytest.raises(RuntimeError):
        torch_fn(*args)
    with pytest.raises(RuntimeError):
        run_decomposed(symbol_call(torch_fn), *args)


# -- dropout, embedding ---------------------------------------------------------------------


def test_dropout_in_jit_draws_the_same_mask_as_eager_under_manual_seed():
    x = make(64, 32)
    torch.manual_seed(1234)
    expected = F.dropout(x, 0.3)
    torch.manual_seed(1234)
    dropout = F.dropout if _JIT_INTERPRETS else torch_to_thunder[F.dropout]
    actual = thunder.jit(lambda t: dropout(t, 0.3))(x)
    assert_close(actual, expected)


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_dropout_decomposition_zeroes_about_p_and_scales_the_rest(dtype):
    torch.manual_seed(0)
    x = torch.rand(200, 100, dtype=dtype) + 1
    out = run_decomposed(symbol_call(F.dropout), x, p=0.25)
    assert out.dtype == dtype and out.shape == x.shape
    kept = out != 0
    assert 0.72 < kept.float().mean().item() < 0.78
    assert_close(out[kept], (x / 0.75)[kept], **TOLERANCES[dtype])


@pytest.mark.parametrize("kwargs", [{"training": False}, {"p": 0.0}, {"p": 1.0}])
def test_dropout_edge_cases_match_eager(kwargs):
    check(F.dropout, make(4, 5), **kwargs)


def test_dropout_rejects_bad_probability_with_value_error():
    with pytest.raises(ValueError, match="dropout probability"):
        run_decomposed(symbol_call(F.dropout), make(3), 1.5)


@pytest.mark.parametrize("index_dtype", [torch.int64, torch.int32], ids=str)
def test_embedding_matches_eager(index_dtype):
    torch.manual_seed(0)
    weight = make(10, 4, noncontiguous=True)
    ids = torch.tensor([[1, 2, 9], [0, 3, 3]], dtype=index_dtype)
    check(F.embedding, ids, weight)
    check(F.embedding, ids, weight, padding_idx=0)


def test_embedding_rejects_float_indices_with_runtime_error():
    with pytest.raises(RuntimeError, match="indices"):
        run_decomposed(symbol_call(F.embedding), torch.tensor([1.0]), make(3, 2))


# -- attention ------------------------------------------------------------------------------


SDPA_CASES = ["plain", "causal", "causal_rectangular", "bool_mask", "float_mask", "scale",
              "broadcast_mask", "three_dims", "gqa"]


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("case", SDPA_CASES)
def test_scaled_dot_product_attention_matches_eager(case, dtype):
    torch.manual_seed(0)
    q, k, v = make(2, 3, 5, 4, dtype=dtype), make(2, 3, 5, 4, dtype=dtype), make(2, 3, 5, 8,
                                                                                dtype=dtype)
    kwargs = {}
    if case == "causal":
        kwargs = {"is_causal": True}
    elif case == "causal_rectangular":
        k, v, kwargs = make(2, 3, 7, 4, dtype=dtype), make(2, 3, 7, 8, dtype=dtype), {
            "is_causal": True}
    elif case == "bool_mask":
        kwargs = {"attn_mask": torch.rand(5, 5) > 0.3}
    elif case == "float_mask":
        kwargs = {"attn_mask": make(5, 5, dtype=dtype)}
    elif case == "scale":
        kwargs = {"scale": 0.3}
    elif case == "broadcast_mask":
        kwargs = {"attn_mask": torch.rand(2, 1, 1, 5) > 0.2}
    elif case == "three_dims":
        q, k, v = q[0], k[0], v[0]
    elif case == "gqa":
        k, v, kwargs = k[:, :1], v[:, :1], {"enable_gqa": True}
    check(F.scaled_dot_product_attention, q, k, v, precision=dtype, **kwargs)


def test_attention_rows_with_every_key_masked_are_zero_like_torch():
    q = make(1, 2, 3, 4)
    mask = torch.ones(3, 3, dtype=torch.bool)
    mask[1] = False
    check(F.scaled_dot_product_attention, q, q, q, attn_mask=mask)


# -- losses ---------------------------------------------------------------------------------


def _loss_case(name, dtype):
    torch.manual_seed(0)
    x, y = make(5, 4, dtype=dtype), make(5, 4, dtype=dtype)
    probs = torch.rand(5, 4).to(dtype)
    targets = torch.tensor([0, 3, 1, -100, 2])
    w = torch.rand(4).to(dtype)
    x3 = make(2, 4, 3, dtype=dtype)
    t3 = torch.randint(0, 4, (2, 3))
    soft = F.softmax(make(5, 4), 1).to(dtype)
    log_p = F.log_softmax(x.float(), 1).to(dtype)
    cases = {
        "mse": (F.mse_loss, (x, y), {}),
        "mse_broadcast_sum": (F.mse_loss, (x, y[0]), {"reduction": "sum"}),
        "mse_weight": (F.mse_loss, (x, y), {"weight": probs}),
        "mse_legacy_reduce": (F.mse_loss, (x, y), {"reduce": False}),
        "l1_none": (F.l1_loss, (x, y), {"reduction": "none"}),
        "smooth_l1": (F.smooth_l1_loss, (x, y), {"beta": 0.5}),
        "huber": (F.huber_loss, (x, y), {"delta": 0.3}),
        "bce": (F.binary_cross_entropy, (probs, torch.rand(5, 4).to(dtype)), {}),
        "bce_weight_sum": (F.binary_cross_entropy, (probs, torch.rand(5, 4).to(dtype), w),
                           {"reduction": "sum"}),
        "bce_logits": (F.binary_cross_entropy_with_logits, (x * 10, probs), {}),
        "bce_logits_pos_weight": (F.binary_cross_entropy_with_logits, (x, probs),
                                  {"pos_weight": w, "weight": w}),
        "kl_batchmean": (F.kl_div, (log_p, soft), {"reduction": "batchmean"}),
        "kl_log_target": (F.kl_div, (log_p, log_p.flip(0)), {"log_target": True,
                                                             "reduction": "none"}),
        "nll": (F.nll_loss, (log_p, targets), {}),
        "nll_weight_sum": (F.nll_loss, (log_p, targets), {"weight": w, "reduction": "sum"}),
        "nll_spatial": (F.nll_loss, (x3, t3), {}),
        "ce": (F.cross_entropy, (x, targets), {}),
        "ce_weight": (F.cross_entropy, (x, targets), {"weight": w}),
        "ce_weight_smoothing": (F.cross_entropy, (x, targets), {"weight": w,
                                                                "label_smoothing": 0.1}),
        "ce_smoothing_none": (F.cross_entropy, (x, targets), {"label_smoothing": 0.2,
                                                              "reduction": "none"}),
        "ce_smoothing_sum": (F.cross_entropy, (x, targets), {"label_smoothing": 0.2,
                                                             "reduction": "sum"}),
        "ce_spatial_smoothing": (F.cross_entropy, (x3, t3), {"label_smoothing": 0.2}),
        "ce_ignore_index": (F.cross_entropy, (x, targets.clamp(min=0)), {"ignore_index": 3}),
        "ce_unbatched": (F.cross_entropy, (x[0], targets[0]), {}),
        "ce_probabilities": (F.cross_entropy, (x, soft), {}),
        "ce_probabilities_weight_smoothing": (F.cross_entropy, (x, soft),
                                              {"weight": w, "label_smoothing": 0.3}),
        "ce_probabilities_spatial_none": (F.cross_entropy, (x3, F.softmax(x3.float(), 1)
                                                           .to(dtype)), {"reduction": "none"}),
    }
    return cases[name]


LOSS_CASES = [
    "mse", "mse_broadcast_sum", "mse_weight", "mse_legacy_reduce", "l1_none", "smooth_l1",
    "huber", "bce", "bce_weight_sum", "bce_logits", "bce_logits_pos_weight", "kl_batchmean",
    "kl_log_target", "nll", "nll_weight_sum", "nll_spatial", "ce", "ce_weight",
    "ce_weight_smoothing", "ce_smoothing_none", "ce_smoothing_sum", "ce_spatial_smoothing",
    "ce_ignore_index", "ce_unbatched", "ce_probabilities", "ce_probabilities_weight_smoothing",
    "ce_probabilities_spatial_none",
]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("case", LOSS_CASES)
def test_loss_matches_eager(case, dtype):
    torch_fn, args, kwargs = _loss_case(case, dtype)
    check(torch_fn, *args, precision=dtype, **kwargs)


def test_cross_entropy_with_every_target_ignored_is_nan_like_torch():
    x = make(3, 4)
    targets = torch.full((3,), -100)
    assert torch.isnan(F.cross_entropy(x, targets))
    check(F.cross_entropy, x, targets)


def test_loss_rejects_unknown_reduction_with_value_error():
    with pytest.raises(ValueError, match="reduction"):
        run_decomposed(symbol_call(F.mse_loss), make(3), make(3), reduction="average")


# -- integration: a small GPT block ---------------------------------------------------------


def gpt_loss(ops, ids, targets, params, n_heads):
    """Embedding, pre-norm causal attention and MLP with residuals, tied LM head and loss,
    written against a namespace ``ops`` of ``torch.nn.functional``-like functions (eager torch
    or the thunder symbols, see NOTE [calling torch functions in op tests])."""
    x = ops.embedding(ids, params["wte"])
    h = ops.layer_norm(x, (x.shape[-1],), params["ln1_w"], params["ln1_b"])
    q = ops.einsum("btc,hcd->bhtd", h, params["wq"])
    k = ops.einsum("btc,hcd->bhtd", h, params["wk"])
    v = ops.einsum("btc,hcd->bhtd", h, params["wv"])
    attn = ops.scaled_dot_product_attention(q, k, v, is_causal=True)
    x = x + ops.einsum("bhtd,hdc->btc", attn, params["wo"])
    h = ops.layer_norm(x, (x.shape[-1],), params["ln2_w"], params["ln2_b"])
    h = ops.gelu(ops.linear(h, params["fc_w"], params["fc_b"]), approximate="tanh")
    x = x + ops.dropout(ops.linear(h, params["proj_w"]), 0.1, training=False)
    logits = ops.linear(x, params["wte"])
    return ops.cross_entropy(ops.einsum("btv->bvt", logits), targets)


def _gpt_ops(thunder_side):
    names = ["embedding", "layer_norm", "scaled_dot_product_attention", "gelu", "linear",
             "dropout", "cross_entropy"]
    if thunder_side:
        ops = {n: torch_to_thunder[getattr(F, n)] for n in names}
        ops["einsum"] = torch_to_thunder[torch.einsum]
    else:
        ops = {n: getattr(F, n) for n in names}
        ops["einsum"] = torch.einsum
    return types.SimpleNamespace(**ops)


def test_small_gpt_block_decomposition_matches_eager():
    torch.manual_seed(0)
    vocab, dim, heads, seq, batch = 17, 16, 2, 6, 2
    params = {
        "wte": make(vocab, dim) * 0.5,
        "ln1_w": make(dim) + 1, "ln1_b": make(dim) * 0.1,
        "wq": make(heads, dim, dim // heads) * 0.3, "wk": make(heads, dim, dim // heads) * 0.3,
        "wv": make(heads, dim, dim // heads) * 0.3, "wo": make(heads, dim // heads, dim) * 0.3,
        "ln2_w": make(dim) + 1, "ln2_b": make(dim) * 0.1,
        "fc_w": make(4 * dim, dim) * 0.2, "fc_b": make(4 * dim) * 0.1,
        "proj_w": make(dim, 4 * dim) * 0.2,
    }
    ids = torch.randint(0, vocab, (batch, seq))
    targets = torch.randint(0, vocab, (batch, seq))
    expected = gpt_loss(_gpt_ops(False), ids, targets, params, heads)
    thunder_ops, jit_ops = _gpt_ops(True), _gpt_ops(not _JIT_INTERPRETS)

    def fn(ids, targets, params):
        return gpt_loss(thunder_ops, ids, targets, params, heads)

    def jit_fn(ids, targets, params):
        return gpt_loss(jit_ops, ids, targets, params, heads)

    assert_close(run_decomposed(fn, ids, targets, params), expected, atol=1e-5, rtol=1e-5)
    assert_close(thunder.jit(jit_fn)(ids, targets, params), expected, atol=1e-5, rtol=1e-5)
    trace, _ = trace_directly(fn, (ids, targets, params), {})
    printed = str(trace)
    for name in ("ltorch.scaled_dot_product_attention", "ltorch.cross_entropy",
                 "ltorch.layer_norm", "ltorch.gelu"):
        assert name in printed
