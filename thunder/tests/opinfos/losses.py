"""Records for loss functions: regression losses, binary and multi-class cross entropy, KL.

Every loss is tried with each ``reduction`` and its optional arguments (class weights,
``ignore_index``, ``label_smoothing``, probability targets). ``cross_entropy`` is also fed
1e4-magnitude logits, which must give finite results that match eager.
"""

import torch
import torch.nn.functional as F

from thunder.tests.opinfos import (
    FLOAT_DTYPES, OpInfo, SampleInput, make, op_db, resolve, transposed,
)

LOW_PRECISION_TOLERANCES = {torch.float16: (1e-2, 1e-2), torch.bfloat16: (5e-2, 5e-2)}
REDUCTIONS = ("mean", "sum", "none")


def regression_samples(**extra):
    """(input, target) samples for mse/l1/smooth_l1/huber; ``extra`` kwargs are tried too."""

    def samples(dtype, requires_grad):
        x = make((4, 5), dtype, requires_grad=requires_grad)
        for reduction in REDUCTIONS:
            yield SampleInput((x, make((4, 5), dtype)), {"reduction": reduction}, reduction)
        yield SampleInput((transposed((4, 5), dtype), make((4, 5), dtype)), {}, "transposed")
        for key, value in extra.items():
            yield SampleInput((x, make((4, 5), dtype)), {key: value}, f"{key}={value}")
        yield SampleInput((make((), dtype), make((), dtype)), {}, "0-d")

    return samples


def _bce_samples(dtype, requires_grad):
    x = make((4, 5), dtype, low=0.01, high=0.99, requires_grad=requires_grad)
    target = make((4, 5), dtype, low=0, high=1)
    for reduction in REDUCTIONS:
        yield SampleInput((x, target), {"reduction": reduction}, reduction)
    yield SampleInput((x, target, make((5,), dtype, low=0, high=2)), {}, "weight")
    yield SampleInput((torch.tensor([0.0, 1.0, 1.0], dtype=dtype),
                       torch.tensor([0.0, 1.0, 0.0], dtype=dtype)), {}, "log(0) is clamped")


def _bce_logits_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    target = make((4, 5), dtype, low=0, high=1)
    for reduction in REDUCTIONS:
        yield SampleInput((x, target), {"reduction": reduction}, reduction)
    yield SampleInput((x, target), {"weight": make((5,), dtype, low=0, high=2),
                                    "pos_weight": make((5,), dtype, low=0, high=2)},
                      "weight and pos_weight")
    yield SampleInput((x * 1e4, target), {}, "1e4-magnitude logits")


def _kl_div_samples(dtype, requires_grad):
    log_p = torch.log_softmax(make((4, 5), torch.float32), -1).to(dtype)
    q = torch.softmax(make((4, 5), torch.float32), -1).to(dtype)
    for reduction in ("mean", "sum", "none", "batchmean"):
        yield SampleInput((log_p, q), {"reduction": reduction}, reduction)
    yield SampleInput((log_p, q.log()), {"log_target": True}, "log_target")


def _class_samples(dtype, requires_grad, *, log_probs):
    """(input, target) samples for nll_loss (log-probabilities) and cross_entropy (logits)."""
    x = make((4, 5), dtype, requires_grad=requires_grad)
    if log_probs:
        x = torch.log_softmax(x.detach().float(), -1).to(dtype)
    target = torch.tensor([0, 4, 2, 1])
    for reduction in REDUCTIONS:
        yield SampleInput((x, target), {"reduction": reduction}, reduction)
    yield SampleInput((x, target, make((5,), dtype, low=0.1, high=2)), {}, "class weights")
    yield SampleInput((x, torch.tensor([0, -100, 2, -100])), {}, "default ignore_index")
    yield SampleInput((x, target), {"ignore_index": 2, "weight": make((5,), dtype, low=0.1,
                                                                      high=2)},
                      "ignore_index with weights")
    yield SampleInput((make((2, 5, 3), dtype), torch.randint(0, 5, (2, 3))), {},
                      "spatial input (N, C, d)")
    yield SampleInput((make((5,), dtype), torch.tensor(3)), {}, "unbatched")
    yield SampleInput((x, torch.full((4,), -100)), {}, "every target ignored: nan mean")


def _nll_samples(dtype, requires_grad):
    yield from _class_samples(dtype, requires_grad, log_probs=True)


def _cross_entropy_samples(dtype, requires_grad):
    yield from _class_samples(dtype, requires_grad, log_probs=False)
    x = make((4, 5), dtype)
    target = torch.tensor([0, 4, 2, 1])
    yield SampleInput((x * 1e4, target), {}, "1e4-magnitude logits")
    yield SampleInput((x, target), {"label_smoothing": 0.1}, "label_smoothing")
    yield SampleInput((x, target), {"label_smoothing": 0.2, "weight": make((5,), dtype, low=0.1,
                                                                           high=2),
                                    "reduction": "sum"}, "label_smoothing with weights")
    yield SampleInput((x, torch.softmax(make((4, 5), torch.float32), -1).to(dtype)), {},
                      "probability targets")


def _error_nll():
    yield SampleInput((torch.randn(4, 5), torch.tensor([0, 5, 1, 2])), {}, "target out of range")


# (name, samples, error inputs)
LOSSES = [
    ("F.mse_loss", regression_samples(), None),
    ("F.l1_loss", regression_samples(), None),
    ("F.smooth_l1_loss", regression_samples(beta=0.5), None),
    ("F.huber_loss", regression_samples(delta=0.5), None),
    ("F.binary_cross_entropy", _bce_samples, None),
    ("F.binary_cross_entropy_with_logits", _bce_logits_samples, None),
    ("F.kl_div", _kl_div_samples, None),
    ("F.nll_loss", _nll_samples, _error_nll),
    ("F.cross_entropy", _cross_entropy_samples, None),
]


def _records():
    for name, samples, errors in LOSSES:
        op_db.append(OpInfo(name, resolve(name), samples, FLOAT_DTYPES,
                            tolerances=LOW_PRECISION_TOLERANCES, error_inputs=errors))


_records()
