"""Torch-level loss functions (``torch.nn.functional.*_loss``, ``cross_entropy``, ``kl_div``).

Each loss computes the per-element loss with elementwise torch-level operators and then
applies the reduction (``"none"``, ``"mean"``, ``"sum"``; ``kl_div`` also ``"batchmean"``).
The legacy ``size_average``/``reduce`` arguments are translated to a reduction as torch does.
Low-precision inputs are computed in float32 (NOTE [low-precision compute] in ``nn.py``).
"""

import torch

from thunder.core import dtypes, prims
from thunder.core.proxies import TensorProxy
from thunder.torch.elementwise import (abs, add, div, eq, exp, log, log1p, logical_not, mul,
                                       neg, sub, where)
from thunder.torch.nn import bound_below, compute_dtype, log_softmax, reduce_sum, upcast
from thunder.torch.registry import torchsymbol
from thunder.torch.utils import broadcast_shapes, expand_to, maybe_convert

F = torch.nn.functional


def _reduction(reduction, size_average, reduce):
    """The reduction string, honouring the legacy ``size_average``/``reduce`` flags."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _check_reduction(name, reduction, allowed=("none", "mean", "sum")):
    if reduction not in allowed:
        raise ValueError(f"{name}: {reduction} is not a valid value for reduction")


def _reduce(name, loss, reduction):
    _check_reduction(name, reduction)
    if reduction == "none":
        return loss
    total = reduce_sum(loss, tuple(range(loss.ndim)))
    if reduction == "sum":
        return total
    return div(total, loss.numel())


def _check_tensors(name, *tensors):
    for t in tensors:
        if not isinstance(t, TensorProxy):
            raise TypeError(f"{name}(): expected Tensor arguments but got {type(t).__name__}")


def _pointwise_inputs(name, input, target):
    """Broadcast input and target (torch warns on different sizes) and upcast both."""
    _check_tensors(name, input, target)
    shape = broadcast_shapes(input.shape, target.shape)
    dtype = dtypes.result_type(input, target)
    compute = compute_dtype(dtype)
    return (expand_to(maybe_convert(input, compute), shape),
            expand_to(maybe_convert(target, compute), shape), dtype)


def _weighted_mean_or_reduce(name, loss, weight, reduction, out_dtype):
    """torch's rule for the optional elementwise ``weight`` of regression losses: the mean is
    ``sum(weight * loss) / sum(weight)``."""
    _check_reduction(name, reduction)
    if weight is not None:
        if weight.shape != loss.shape:
            raise ValueError("Weights and input must have the same size.")
        loss = mul(loss, upcast(weight))
        if reduction == "mean":
            all_dims = tuple(range(loss.ndim))
            out = div(reduce_sum(loss, all_dims), reduce_sum(upcast(weight), all_dims))
            return maybe_convert(out, out_dtype)
    return maybe_convert(_reduce(name, loss, reduction), out_dtype)


@torchsymbol(F.mse_loss)
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _reduction(reduction, size_average, reduce)
    x, y, dtype = _pointwise_inputs("mse_loss", input, target)
    diff = sub(x, y)
    return _weighted_mean_or_reduce("mse_loss", mul(diff, diff), weight, reduction, dtype)


@torchsymbol(F.l1_loss)
def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _reduction(reduction, size_average, reduce)
    x, y, dtype = _pointwise_inputs("l1_loss", input, target)
    return _weighted_mean_or_reduce("l1_loss", abs(sub(x, y)), weight, reduction, dtype)


@torchsymbol(F.smooth_l1_loss)
def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """``0.5 * d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 * beta``."""
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    x, y, dtype = _pointwise_inputs("smooth_l1_loss", input, target)
    diff = abs(sub(x, y))
    if beta == 0:
        loss = diff
    else:
        loss = where(prims.lt(diff, beta), div(mul(mul(diff, diff), 0.5), beta),
                     sub(diff, 0.5 * beta))
    return maybe_convert(_reduce("smooth_l1_loss", loss, reduction), dtype)


@torchsymbol(F.huber_loss)
def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """``0.5 * d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``."""
    x, y, dtype = _pointwise_inputs("huber_loss", input, target)
    diff = abs(sub(x, y))
    loss = where(prims.lt(diff, delta), mul(mul(diff, diff), 0.5),
                 mul(sub(diff, 0.5 * delta), delta))
    return _weighted_mean_or_reduce("huber_loss", loss, weight, reduction, dtype)


@torchsymbol(F.binary_cross_entropy)
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """``-w * (t * log(x) + (1 - t) * log(1 - x))`` with each log clamped at -100."""
    reduction = _reduction(reduction, size_average, reduce)
    _check_tensors("binary_cross_entropy", input, target)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({torch.Size(target.shape)}) that is different "
                         f"to the input size ({torch.Size(input.shape)}) is deprecated. Please "
                         f"ensure they have the same size.")
    x, t = upcast(input), maybe_convert(target, compute_dtype(input.dtype))
    log_x = bound_below(log(x), -100.0)
    log_1mx = bound_below(log(sub(1, x)), -100.0)
    loss = neg(add(mul(t, log_x), mul(sub(1, t), log_1mx)))
    if weight is not None:
        loss = mul(loss, upcast(weight))
    return maybe_convert(_reduce("binary_cross_entropy", loss, reduction), input.dtype)


@torchsymbol(F.binary_cross_entropy_with_logits)
def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """BCE of ``sigmoid(input)`` computed stably from the logits:
    ``(1 - t) * x + (1 + (pw - 1) * t) * (log1p(exp(-|x|)) + max(-x, 0))``."""
    reduction = _reduction(reduction, size_average, reduce)
    _check_tensors("binary_cross_entropy_with_logits", input, target)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({torch.Size(target.shape)}) must be the same as input "
                         f"size ({torch.Size(input.shape)})")
    x, t = upcast(input), maybe_convert(target, compute_dtype(input.dtype))
    log_sigmoid_neg = add(log1p(exp(neg(abs(x)))), bound_below(neg(x), 0.0))
    if pos_weight is None:
        loss = add(mul(sub(1, t), x), log_sigmoid_neg)
    else:
        scale = add(mul(sub(upcast(pos_weight), 1), t), 1)
        loss = add(mul(sub(1, t), x), mul(scale, log_sigmoid_neg))
    if weight is not None:
        loss = mul(loss, upcast(weight))
    return maybe_convert(_reduce("binary_cross_entropy_with_logits", loss, reduction),
                         input.dtype)


@torchsymbol(F.kl_div)
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """``target * (log(target) - input)`` (0 where target is 0), or with ``log_target``
    ``exp(target) * (target - input)``; ``"batchmean"`` divides the sum by the batch size."""
    reduction = _reduction(reduction, size_average, reduce)
    _check_reduction("kl_div", reduction, ("none", "mean", "sum", "batchmean"))
    x, t, dtype = _pointwise_inputs("kl_div", input, target)
    if log_target:
        loss = mul(exp(t), sub(t, x))
    else:
        t_log_t = where(eq(t, 0), 0.0, mul(t, log(t)))
        loss = sub(t_log_t, mul(t, x))
    if reduction == "batchmean":
        total = reduce_sum(loss, tuple(range(loss.ndim)))
        out = div(total, input.shape[0]) if input.ndim > 0 else total
        return maybe_convert(out, dtype)
    return maybe_convert(_reduce("kl_div", loss, reduction), dtype)


# -- classification losses ------------------------------------------------------------------


def _class_dim(input):
    return 0 if input.ndim == 1 else 1


def _check_class_target(name, input, target):
    if dtypes.is_inexact(target.dtype) or target.dtype is torch.bool:
        raise RuntimeError(f"{name}: expected target of an integer dtype (class indices) but "
                           f"got {target.dtype}")
    if input.ndim < 1:
        raise ValueError(f"{name}: expected input with at least 1 dimension (got 0)")
    expected = input.shape[:1] + input.shape[2:] if input.ndim > 1 else ()
    if target.shape != expected:
        raise (ValueError if input.ndim <= 2 else RuntimeError)(
            f"{name}: expected target of shape {list(expected)} for input of shape "
            f"{list(input.shape)} but got {list(target.shape)}")


def _select_classes(log_probs, target, class_dim):
    """``log_probs`` at the class ``target`` names, per sample, as a masked sum over classes.

    (Equivalent to a gather along ``class_dim``; the comparison with ``iota`` keeps it to
    elementwise prims and a sum.)
    """
    classes = log_probs.shape[class_dim]
    sample_dims = tuple(i for i in range(log_probs.ndim) if i != class_dim)
    labels = prims.iota(classes, start=0, step=1, device=log_probs.device, dtype=target.dtype)
    labels = prims.broadcast_in_dim(labels, log_probs.shape, (class_dim,))
    chosen = prims.eq(labels, prims.broadcast_in_dim(target, log_probs.shape, sample_dims))
    return prims.sum(prims.where(chosen, log_probs, 0.0), (class_dim,))


def _picked_log_probs(log_probs, target, ignore_index, weight):
    """(``-weight[t] * log_probs[t]`` per sample with ignored samples 0, the weights summed
    over the samples that count)."""
    class_dim = _class_dim(log_probs)
    ignored = eq(target, ignore_index)
    safe_target = where(ignored, 0, target)
    picked = _select_classes(log_probs, safe_target, class_dim)
    if weight is None:
        sample_weight = maybe_convert(logical_not(ignored), log_probs.dtype)
    else:
        sample_weight = where(ignored, 0.0, prims.take(upcast(weight), safe_target, 0))
    loss = neg(mul(picked, sample_weight))
    return loss, sample_weight, ignored


def _nll_reduce(loss, sample_weight, reduction):
    if reduction == "none":
        return loss
    all_dims = tuple(range(loss.ndim))
    total = reduce_sum(loss, all_dims)
    if reduction == "sum":
        return total
    return div(total, reduce_sum(sample_weight, all_dims))


def _check_weight(name, input, weight):
    classes = input.shape[_class_dim(input)]
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != classes):
        raise RuntimeError(f"{name}: weight tensor should be defined either for all {classes} "
                           f"classes or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")


@torchsymbol(F.nll_loss)
def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of class-index targets; the mean divides by the summed weights
    of the samples not ignored."""
    reduction = _reduction(reduction, size_average, reduce)
    _check_reduction("nll_loss", reduction)
    _check_tensors("nll_loss", input, target)
    _check_class_target("nll_loss", input, target)
    _check_weight("nll_loss", input, weight)
    loss, sample_weight, _ = _picked_log_probs(upcast(input), target, ignore_index, weight)
    return maybe_convert(_nll_reduce(loss, sample_weight, reduction), input.dtype)


@torchsymbol(F.cross_entropy)
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """``nll_loss(log_softmax(input, class_dim), target)`` for class-index targets, or
    ``-sum(target * log_softmax(input))`` for class-probability targets; ``label_smoothing``
    mixes in the uniform distribution over classes.

    >>> import thunder, torch
    >>> thunder.jit(torch.nn.functional.cross_entropy)(torch.zeros(2, 4),
    ...                                                  torch.tensor([0, 3]))
    tensor(1.3863)
    """
    reduction = _reduction(reduction, size_average, reduce)
    _check_reduction("cross_entropy", reduction)
    _check_tensors("cross_entropy", input, target)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    _check_weight("cross_entropy", input, weight)
    class_dim = _class_dim(input)
    classes = input.shape[class_dim]
    log_probs = log_softmax(upcast(input), class_dim)
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = classes
        class_weight = prims.broadcast_in_dim(upcast(weight), tuple(shape), (class_dim,))
    if dtypes.is_inexact(target.dtype):
        out = _cross_entropy_probabilities(log_probs, target, class_weight if weight is not None
                                           else None, reduction, label_smoothing)
        return maybe_convert(out, input.dtype)
    _check_class_target("cross_entropy", input, target)
    loss, sample_weight, ignored = _picked_log_probs(log_probs, target, ignore_index, weight)
    out = _nll_reduce(loss, sample_weight, reduction)
    if label_smoothing > 0.0:
        weighted = log_probs if weight is None else mul(log_probs, class_weight)
        smooth = where(ignored, 0.0, neg(reduce_sum(weighted, (class_dim,))))
        smooth = _nll_reduce(smooth, sample_weight, reduction)
        out = add(mul(out, 1.0 - label_smoothing), mul(smooth, label_smoothing / classes))
    return maybe_convert(out, input.dtype)


def _cross_entropy_probabilities(log_probs, target, class_weight, reduction, label_smoothing):
    if target.shape != log_probs.shape:
        raise RuntimeError(f"cross_entropy: expected target of shape {list(log_probs.shape)} "
                           f"(class probabilities) but got {list(target.shape)}")
    class_dim = _class_dim(log_probs)
    classes = log_probs.shape[class_dim]
    target = maybe_convert(target, log_probs.dtype)
    if label_smoothing > 0.0:
        target = add(mul(target, 1.0 - label_smoothing), label_smoothing / classes)
    products = mul(log_probs, target)
    if class_weight is not None:
        products = mul(products, class_weight)
    loss = neg(reduce_sum(products, (class_dim,)))
    if reduction == "none":
        return loss
    total = reduce_sum(loss, tuple(range(loss.ndim)))
    if reduction == "sum":
        return total
    return div(total, log_probs.numel() // classes if classes else 0)


__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "kl_div", "nll_loss", "cross_entropy"]
