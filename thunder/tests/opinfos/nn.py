"""Records for neural-network operators: clamp/lerp, activations, softmax family, normalizations,
dropout, embedding and scaled dot-product attention.

Activations share one generator (a 2-d input, a transposed one, inf/nan/1e4 values, 0-d, empty)
and are listed in ``ACTIVATIONS`` with the keyword variants to try. The softmax family is also
fed 1e4-magnitude inputs, where a naive ``exp`` would overflow: results must stay finite and
match eager.
"""

import torch
import torch.nn.functional as F

from thunder.tests.opinfos import (
    FLOAT_DTYPES, NUMERIC_DTYPES, REAL_DTYPES, OpInfo, SampleInput, extremal, make, method,
    op_db, resolve, transposed, xfail_all,
)

LOW_PRECISION_TOLERANCES = {torch.float16: (1e-2, 1e-2), torch.bfloat16: (5e-2, 5e-2)}


def activation_samples(*variants):
    """Samples for a one-tensor op; ``variants`` are extra (args, kwargs) forms to try."""

    def samples(dtype, requires_grad):
        x = make((4, 5), dtype, requires_grad=requires_grad)
        yield SampleInput((x,), {}, "defaults")
        yield SampleInput((extremal(dtype),), {}, "inf, nan and large values")
        for args, kwargs in variants:
            yield SampleInput((x,) + tuple(args), dict(kwargs), f"{args} {kwargs}")
        yield SampleInput((transposed((4, 5), dtype),), {}, "transposed")
        yield SampleInput((make((), dtype),), {}, "0-d")
        yield SampleInput((make((0, 3), dtype),), {}, "empty")

    return samples


# record name -> why its prim decomposition disagrees with eager (strict xfails)
DECOMPOSITION_BUGS = {
    "F.gelu": "in float32, gelu(inf) is inf in the decomposition but nan in eager",
    "F.hardshrink": "the decomposition maps nan to 0; eager keeps nan",
    "torch.hardshrink": "the decomposition maps nan to 0; eager keeps nan",
    "Tensor.hardshrink": "the decomposition maps nan to 0; eager keeps nan",
    "F.softshrink": "the decomposition maps nan to 0; eager keeps nan",
    "F.threshold": "the decomposition replaces nan by value; eager keeps nan",
    "torch.threshold": "the decomposition replaces nan by value; eager keeps nan",
}

# (record names, variants, dtypes)
ACTIVATIONS = [
    (("torch.relu", "F.relu"), [], NUMERIC_DTYPES),
    (("F.relu6",), [], NUMERIC_DTYPES),
    (("F.hardtanh",), [((), {"min_val": -0.5, "max_val": 2.0}), ((-2.0, 2.0), {})],
     NUMERIC_DTYPES),
    (("F.leaky_relu",), [((0.2,), {}), ((), {"negative_slope": 0.3})], FLOAT_DTYPES),
    (("F.elu",), [((), {"alpha": 0.5})], FLOAT_DTYPES),
    (("torch.selu", "F.selu"), [], FLOAT_DTYPES),
    (("torch.celu", "F.celu"), [((), {"alpha": 0.5})], FLOAT_DTYPES),
    (("F.gelu",), [((), {"approximate": "tanh"})], FLOAT_DTYPES),
    (("F.silu",), [], FLOAT_DTYPES),
    (("F.softplus",), [((), {"beta": 2.0, "threshold": 3.0}), ((0.5,), {})], FLOAT_DTYPES),
    (("F.mish",), [], FLOAT_DTYPES),
    (("F.softsign",), [], FLOAT_DTYPES),
    (("F.hardsigmoid",), [], FLOAT_DTYPES),
    (("F.hardswish",), [], FLOAT_DTYPES),
    (("F.logsigmoid",), [], FLOAT_DTYPES),
    (("F.tanhshrink",), [], FLOAT_DTYPES),
    (("torch.hardshrink", "F.hardshrink"), [((0.7,), {}), ((), {"lambd": 0.1})],
     FLOAT_DTYPES),
    (("F.softshrink",), [((), {"lambd": 0.7})], FLOAT_DTYPES),
]


def _decomposition_bug(name, dtypes):
    reason = DECOMPOSITION_BUGS.get(name)
    if name == "F.gelu":
        dtypes = (torch.float32,)
    return xfail_all(dtypes, reason) if reason else {}


def _inplace_samples(args):
    def samples(dtype, requires_grad):
        yield SampleInput((make((4, 5), dtype),) + args, {"inplace": True}, "inplace=True")
        yield SampleInput((transposed((4, 5), dtype),) + args, {"inplace": True},
                          "inplace=True on a transposed tensor")

    return samples


def _threshold_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x, 0.1, 20.0), {}, "threshold and value")
    yield SampleInput((extremal(dtype), 1, -1), {}, "inf and nan")
    yield SampleInput((x,), {"threshold": 0.5, "value": 0.0}, "keywords")


def _prelu_samples(dtype, requires_grad):
    yield SampleInput((make((4, 5), dtype), make((1,), dtype)), {}, "one shared weight")
    yield SampleInput((make((2, 5, 3), dtype), make((5,), dtype)), {}, "per-channel weight")
    yield SampleInput((make((5,), dtype), make((1,), dtype)), {}, "1-d input")


def _glu_samples(dtype, requires_grad):
    yield SampleInput((make((4, 6), dtype),), {}, "default dim=-1")
    yield SampleInput((make((4, 6), dtype), 0), {}, "dim 0")
    yield SampleInput((make((2, 4, 3), dtype),), {"dim": 1}, "dim keyword")


def _clamp_samples(dtype, requires_grad):
    x = make((4, 5), dtype, low=-10, high=10)
    yield SampleInput((x, -2, 3), {}, "scalar bounds")
    yield SampleInput((x,), {"min": 0}, "min only")
    yield SampleInput((x, None, 1), {}, "max only")
    yield SampleInput((x, make((5,), dtype), make((4, 1), dtype)), {}, "tensor bounds")
    yield SampleInput((extremal(dtype), -1, 1), {}, "inf and nan")
    yield SampleInput((x, 0.5), {}, "float bound")


def _clamp_one_bound_samples(dtype, requires_grad):
    x = make((4, 5), dtype, low=-10, high=10)
    yield SampleInput((x, 1), {}, "scalar bound")
    yield SampleInput((x, make((5,), dtype)), {}, "tensor bound")
    yield SampleInput((extremal(dtype), 0), {}, "inf and nan")


def _lerp_samples(dtype, requires_grad):
    yield SampleInput((make((4, 5), dtype), make((4, 5), dtype), 0.3), {}, "scalar weight")
    yield SampleInput((make((4, 5), dtype), make((5,), dtype), make((4, 1), dtype)), {},
                      "tensor weight, broadcast")
    yield SampleInput((extremal(dtype), make((8,), dtype), 0.75), {}, "inf and nan")


def _softmax_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x, 1), {}, "dim 1")
    yield SampleInput((x * 1e4, -1), {}, "1e4 magnitude")
    yield SampleInput((extremal(dtype), 0), {}, "inf and nan")
    yield SampleInput((x,), {"dim": 0, "dtype": torch.float64}, "dtype keyword")
    yield SampleInput((make((), dtype), 0), {}, "0-d")
    yield SampleInput((make((0, 3), dtype), 1), {}, "empty")
    yield SampleInput((transposed((4, 5), dtype), 1), {}, "transposed")
    yield SampleInput((torch.full((3,), float("-inf"), dtype=dtype), 0), {}, "all -inf")


def _logsumexp_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x, 1), {}, "dim 1")
    yield SampleInput((x * 1e4, (0, 1)), {}, "1e4 magnitude, two dims")
    yield SampleInput((extremal(dtype), 0), {}, "inf and nan")
    yield SampleInput((x, -1), {"keepdim": True}, "keepdim")
    yield SampleInput((torch.full((2, 3), float("-inf"), dtype=dtype), 1), {}, "all -inf")
    yield SampleInput((make((), dtype), 0), {}, "0-d")


SOFTMAX = [
    (("F.softmax", "torch.softmax", "torch.special.softmax"), "softmax"),
    (("F.log_softmax", "torch.log_softmax", "torch.special.log_softmax"), "log_softmax"),
    (("F.softmin",), None),
]


def _layer_norm_samples(dtype, requires_grad):
    x = make((2, 3, 4), dtype, requires_grad=requires_grad)
    yield SampleInput((x, (4,), make((4,), dtype), make((4,), dtype)), {}, "weight and bias")
    yield SampleInput((x, [3, 4]), {}, "two normalized dims, no affine")
    yield SampleInput((x * 1e4, (4,)), {"eps": 1e-3}, "1e4 magnitude, eps")
    yield SampleInput((transposed((3, 4), dtype), (4,), None, make((4,), dtype)), {},
                      "transposed, bias only")


def _rms_norm_samples(dtype, requires_grad):
    x = make((2, 3, 4), dtype, requires_grad=requires_grad)
    yield SampleInput((x, (4,), make((4,), dtype)), {}, "weight")
    yield SampleInput((x, [3, 4]), {}, "no weight, default eps")
    yield SampleInput((x, (4,)), {"eps": 1e-2}, "eps")


def _group_norm_samples(dtype, requires_grad):
    x = make((2, 6, 3), dtype, requires_grad=requires_grad)
    yield SampleInput((x, 3, make((6,), dtype), make((6,), dtype)), {}, "affine")
    yield SampleInput((x, 2), {}, "no affine")
    yield SampleInput((make((2, 4, 2, 2), dtype), 4), {"eps": 1e-3}, "4-d input")


def _batch_norm_samples(dtype, requires_grad):
    def stats():
        return make((3,), dtype), make((3,), dtype, low=0.5, high=2)

    x = make((4, 3, 5), dtype, requires_grad=requires_grad)
    mean, var = stats()
    yield SampleInput((x, mean, var), {}, "eval with running stats")
    yield SampleInput((make((4, 3), dtype), None, None), {"training": True}, "no running stats")
    mean, var = stats()
    yield SampleInput((make((2, 3, 2, 2), dtype), mean, var), {"eps": 1e-3}, "4-d input")


def _instance_norm_samples(dtype, requires_grad):
    x = make((2, 3, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x,), {}, "defaults")
    yield SampleInput((x, None, None, make((3,), dtype), make((3,), dtype)), {}, "affine")


def _running_stats_samples(name):
    def samples(dtype, requires_grad):
        mean, var = make((3,), dtype), make((3,), dtype, low=0.5, high=2)
        kwargs = {"training": True, "momentum": 0.2} if name == "batch_norm" else {}
        yield SampleInput((make((2, 3, 4), dtype), mean, var), kwargs,
                          "running statistics updated in place")

    return samples


def _normalize_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x,), {}, "defaults p=2 dim=1")
    yield SampleInput((x, 1.0, 0), {}, "p=1 dim=0")
    yield SampleInput((torch.zeros(2, 3, dtype=dtype),), {"eps": 1e-6}, "zero rows")


def _dropout_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x,), {"training": False}, "eval: identity")
    yield SampleInput((x, 0.3), {}, "training, seeded")
    yield SampleInput((x, 0.0), {}, "p=0")
    yield SampleInput((x,), {"p": 1.0}, "p=1")


def _embedding_samples(dtype, requires_grad):
    weight = make((10, 4), dtype, requires_grad=requires_grad)
    yield SampleInput((torch.randint(0, 10, (2, 3)), weight), {}, "2-d indices")
    yield SampleInput((torch.tensor([0, 2, 0]), weight), {"padding_idx": 0}, "padding_idx")
    yield SampleInput((torch.tensor(3), weight), {}, "0-d index")


def _sdpa_samples(dtype, requires_grad):
    q, k, v = (make((2, 2, 3, 4), dtype) for _ in range(3))
    yield SampleInput((q, k, v), {}, "no mask")
    yield SampleInput((q, k, v), {"is_causal": True}, "is_causal")
    yield SampleInput((q, k, v, make((3, 3), torch.bool)), {}, "bool mask")
    yield SampleInput((q, k, v), {"attn_mask": make((2, 1, 3, 3), dtype), "scale": 0.5},
                      "float mask, scale")
    yield SampleInput((make((2, 3, 4), dtype), make((2, 5, 4), dtype), make((2, 5, 6), dtype)),
                      {}, "3-d, different key length and value width")


def _records():
    tol = LOW_PRECISION_TOLERANCES
    for names, variants, dtypes in ACTIVATIONS:
        samples = activation_samples(*variants)
        for name in names:
            op_db.append(OpInfo(name, resolve(name), samples, dtypes, tolerances=tol,
                                decomposition_xfails=_decomposition_bug(name, dtypes)))
    for name in ("F.relu", "F.relu6", "F.leaky_relu", "F.hardtanh", "F.elu", "F.selu",
                 "F.celu", "F.silu", "F.mish", "F.hardsigmoid", "F.hardswish", "F.threshold"):
        args = (0.5, 0.0) if name == "F.threshold" else ()
        # functionalized, the caller's tensor updated: NOTE [in-place operations]
        op_db.append(OpInfo(f"{name}(inplace)", resolve(name), _inplace_samples(args),
                            FLOAT_DTYPES, covers=(resolve(name),)))
    op_db.append(OpInfo("Tensor.relu", method("relu"), activation_samples(), NUMERIC_DTYPES,
                        covers=(torch.Tensor.relu,)))
    op_db.append(OpInfo("Tensor.hardshrink", method("hardshrink"), activation_samples(),
                        FLOAT_DTYPES, covers=(torch.Tensor.hardshrink,),
                        decomposition_xfails=_decomposition_bug("Tensor.hardshrink",
                                                                FLOAT_DTYPES)))
    for name in ("F.threshold", "torch.threshold"):
        op_db.append(OpInfo(name, resolve(name), _threshold_samples, NUMERIC_DTYPES,
                            decomposition_xfails=_decomposition_bug(name, NUMERIC_DTYPES)))
    op_db.append(OpInfo("torch.prelu", torch.prelu, _prelu_samples, FLOAT_DTYPES,
                        covers=(torch.prelu,)))
    op_db.append(OpInfo("Tensor.prelu", method("prelu"), _prelu_samples, FLOAT_DTYPES,
                        covers=(torch.Tensor.prelu,)))
    op_db.append(OpInfo("F.glu", F.glu, _glu_samples, FLOAT_DTYPES))
    _clamp_records()
    _softmax_records()
    _normalization_records()
    op_db.append(OpInfo("F.dropout", F.dropout, _dropout_samples, FLOAT_DTYPES,
                        decomposition_metadata_only=True))
    op_db.append(OpInfo("F.embedding", F.embedding, _embedding_samples, FLOAT_DTYPES))
    op_db.append(OpInfo("F.scaled_dot_product_attention", F.scaled_dot_product_attention,
                        _sdpa_samples, FLOAT_DTYPES, tolerances=tol))


def _clamp_records():
    for name in ("clamp", "clip"):
        op_db.append(OpInfo(f"torch.{name}", resolve(f"torch.{name}"), _clamp_samples,
                            REAL_DTYPES[:-1]))
        op_db.append(OpInfo(f"Tensor.{name}", method(name), _clamp_samples, REAL_DTYPES[:-1],
                            covers=(getattr(torch.Tensor, name),)))
    for name in ("clamp_min", "clamp_max"):
        op_db.append(OpInfo(f"torch.{name}", resolve(f"torch.{name}"), _clamp_one_bound_samples,
                            NUMERIC_DTYPES))
        op_db.append(OpInfo(f"Tensor.{name}", method(name), _clamp_one_bound_samples,
                            NUMERIC_DTYPES, covers=(getattr(torch.Tensor, name),)))
    op_db.append(OpInfo("torch.lerp", torch.lerp, _lerp_samples, FLOAT_DTYPES))
    op_db.append(OpInfo("Tensor.lerp", method("lerp"), _lerp_samples, FLOAT_DTYPES,
                        covers=(torch.Tensor.lerp,)))


def _softmax_records():
    tol = LOW_PRECISION_TOLERANCES
    for names, method_name in SOFTMAX:
        for name in names:
            op_db.append(OpInfo(name, resolve(name), _softmax_samples, FLOAT_DTYPES,
                                tolerances=tol))
        if method_name:
            op_db.append(OpInfo(f"Tensor.{method_name}", method(method_name), _softmax_samples,
                                FLOAT_DTYPES, tolerances=tol,
                                covers=(getattr(torch.Tensor, method_name),)))
    for name in ("torch.logsumexp", "torch.special.logsumexp"):
        op_db.append(OpInfo(name, resolve(name), _logsumexp_samples, FLOAT_DTYPES,
                            tolerances=tol))
    op_db.append(OpInfo("Tensor.logsumexp", method("logsumexp"), _logsumexp_samples,
                        FLOAT_DTYPES, tolerances=tol, covers=(torch.Tensor.logsumexp,)))


def _normalization_records():
    tol = LOW_PRECISION_TOLERANCES
    for suffix, samples in (("layer_norm", _layer_norm_samples),
                            ("rms_norm", _rms_norm_samples),
                            ("group_norm", _group_norm_samples)):
        for name in (f"F.{suffix}", f"torch.{suffix}"):
            op_db.append(OpInfo(name, resolve(name), samples, FLOAT_DTYPES, tolerances=tol))
    op_db.append(OpInfo("F.batch_norm", F.batch_norm, _batch_norm_samples, FLOAT_DTYPES,
                        tolerances=tol))
    op_db.append(OpInfo("F.instance_norm", F.instance_norm, _instance_norm_samples,
                        FLOAT_DTYPES, tolerances=tol))
    for name in ("batch_norm", "instance_norm"):
        op_db.append(OpInfo(f"F.{name}(running stats)", resolve(f"F.{name}"),
                            _running_stats_samples(name), FLOAT_DTYPES, tolerances=tol,
                            covers=(resolve(f"F.{name}"),)))
    op_db.append(OpInfo("F.normalize", F.normalize, _normalize_samples, FLOAT_DTYPES,
                        tolerances=tol))


_records()
