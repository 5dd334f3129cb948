"""VJP rules of torch-level operators, where torch's own backward kernel beats (in speed or
accuracy) differentiating the decomposition.

These ops stay whole in the forward trace (the torch executor runs them as one kernel) and
their backward is one ``torch.ops.aten`` backward kernel (see ``kernels.py``). Where a rule
``applies`` only to some arguments (dtypes the kernels support, options they lack), the op is
differentiated through its decomposition instead.
"""

import torch

import thunder.torch as ltorch
from thunder.transforms.autograd import kernels
from thunder.transforms.autograd.rules import def_vjp, is_differentiable, needs_grad
from thunder.transforms.autograd.shape_rules import sum_to_shape

_KERNEL_DTYPES = (torch.float32, torch.float64)


# -- softmax --------------------------------------------------------------------------------
def _plain_softmax_call(input, dim=None, _stacklevel=3, dtype=None):
    return dim is not None and dtype is None and not isinstance(_stacklevel, torch.dtype) \
        and input.dtype in _KERNEL_DTYPES


@def_vjp(ltorch.softmax, applies=_plain_softmax_call)
def _softmax_vjp(g, out, input, dim, _stacklevel=3, dtype=None):
    return (kernels.softmax_backward(g, out, dim, input.dtype),)


@def_vjp(ltorch.log_softmax, applies=_plain_softmax_call)
def _log_softmax_vjp(g, out, input, dim, _stacklevel=3, dtype=None):
    return (kernels.log_softmax_backward(g, out, dim, input.dtype),)


# -- layer norm -----------------------------------------------------------------------------
def _layer_norm_supported(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    return input.dtype in _KERNEL_DTYPES and all(
        p is None or p.dtype == input.dtype for p in (weight, bias))


def _layer_norm_forward(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    out, mean, rstd = kernels.native_layer_norm(input, shape, weight, bias, eps)
    return out, (mean, rstd)


@def_vjp(ltorch.layer_norm, forward=_layer_norm_forward, applies=_layer_norm_supported)
def _layer_norm_vjp(g, saved, input, normalized_shape, weight=None, bias=None, eps=1e-05):
    mean, rstd = saved
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    mask = (True, needs_grad(weight), needs_grad(bias))
    grad_input, grad_weight, grad_bias = kernels.native_layer_norm_backward(
        g, input, shape, mean, rstd, weight, bias, mask)
    return grad_input, None, grad_weight, grad_bias, None


# -- batch norm -----------------------------------------------------------------------------
def _batch_norm_from_batch_stats(input, running_mean, running_var, weight=None, bias=None,
                                 training=False, momentum=0.1, eps=1e-05):
    """Training-mode batch norm whose running statistics (if any) are updated separately (the
    frontend passes None for them, see ``batch_norm_updating_stats``), with an affine weight
    and bias (if any) of the input's dtype."""
    return (training is True and running_mean is None and running_var is None
            and input.dtype in _KERNEL_DTYPES and input.ndim >= 2
            and all(p is None or p.dtype == input.dtype for p in (weight, bias)))


def _batch_norm_forward(input, running_mean, running_var, weight=None, bias=None,
                        training=False, momentum=0.1, eps=1e-05):
    # The statistics by a reduction, the output by elementwise operations: a fusion executor
    # fuses them into one kernel, and rematerialization can recompute the output (and a ReLU
    # after it) in the backward from the input and the statistics, which the backward kernel
    # keeps anyway, instead of saving it.
    dims = [0] + list(range(2, input.ndim))
    var, mean = ltorch.var_mean(input, dims, correction=0)
    invstd = ltorch.rsqrt(ltorch.add(var, eps))
    shape = (1, input.shape[1]) + (1,) * (input.ndim - 2)
    out = ltorch.mul(ltorch.sub(input, ltorch.reshape(mean, shape)),
                     ltorch.reshape(invstd, shape))
    if weight is not None:
        out = ltorch.mul(out, ltorch.reshape(weight, shape))
    if bias is not None:
        out = ltorch.add(out, ltorch.reshape(bias, shape))
    return out, (mean, invstd)


@def_vjp(ltorch.batch_norm, forward=_batch_norm_forward, applies=_batch_norm_from_batch_stats)
def _batch_norm_vjp(g, saved, input, running_mean, running_var, weight=None, bias=None,
                    training=False, momentum=0.1, eps=1e-05):
    mean, invstd = saved
    mask = (True, needs_grad(weight), needs_grad(bias))
    grad_input, grad_weight, grad_bias = kernels.native_batch_norm_backward(
        g, input, weight, mean, invstd, eps, mask)
    return grad_input, None, None, grad_weight, grad_bias, None, None, None


# -- activations ----------------------------------------------------------------------------
@def_vjp(ltorch.gelu, applies=lambda input, approximate="none": input.dtype in _KERNEL_DTYPES)
def _gelu_vjp(g, out, input, approximate="none"):
    return (kernels.gelu_backward(g, input, approximate),)


@def_vjp(ltorch.silu, applies=lambda input, inplace=False: input.dtype in _KERNEL_DTYPES)
def _silu_vjp(g, out, input, inplace=False):
    return kernels.silu_backward(g, input), None


@def_vjp(ltorch.relu, applies=lambda input, inplace=False: input.dtype in _KERNEL_DTYPES)
def _relu_vjp(g, out, input, inplace=False):
    return kernels.threshold_backward(g, out, 0), None


@def_vjp(ltorch.tanh, applies=lambda input: input.dtype in _KERNEL_DTYPES)
def _tanh_vjp(g, out, input):
    return (kernels.tanh_backward(g, out),)


@def_vjp(ltorch.sigmoid, applies=lambda input: input.dtype in _KERNEL_DTYPES)
def _sigmoid_vjp(g, out, input):
    return (kernels.sigmoid_backward(g, out),)


# -- linear ---------------------------------------------------------------------------------
@def_vjp(ltorch.linear, applies=lambda input, weight, bias=None: weight.ndim == 2
         and input.ndim >= 2)
def _linear_vjp(g, out, input, weight, bias=None):
    grad_input = ltorch.matmul(g, weight) if is_differentiable(input) else None
    grad_weight = grad_bias = None
    if is_differentiable(weight):
        flat_g = ltorch.reshape(g, (-1, g.shape[-1]))
        flat_input = ltorch.reshape(input, (-1, input.shape[-1]))
        grad_weight = ltorch.matmul(ltorch.transpose(flat_g, 0, 1), flat_input)
    if is_differentiable(bias):
        grad_bias = sum_to_shape(g, bias.shape)
    return grad_input, grad_weight, grad_bias


# -- embedding and losses -------------------------------------------------------------------
def _plain_embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
                     scale_grad_by_freq=False, sparse=False):
    return max_norm is None and not sparse


@def_vjp(ltorch.embedding, applies=_plain_embedding)
def _embedding_vjp(g, out, input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
                   scale_grad_by_freq=False, sparse=False):
    if padding_idx is None:
        padding_idx = -1
    elif padding_idx < 0:
        padding_idx += weight.shape[0]
    grad = kernels.embedding_backward(g, input, weight.shape[0], padding_idx, scale_grad_by_freq)
    return None, grad


_REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def _plain_class_loss(input, target, weight=None, size_average=None, ignore_index=-100,
                      reduce=None, reduction="mean", label_smoothing=0.0):
    return (input.ndim in (1, 2) and input.dtype in _KERNEL_DTYPES
            and not target.dtype.is_floating_point and target.dtype != torch.bool
            and size_average is None and reduce is None and reduction in _REDUCTIONS
            and label_smoothing == 0.0 and (weight is None or weight.dtype == input.dtype))


def _cross_entropy_forward(input, target, weight=None, size_average=None, ignore_index=-100,
                           reduce=None, reduction="mean", label_smoothing=0.0):
    log_probs = ltorch.log_softmax(input, input.ndim - 1)
    out, total_weight = kernels.nll_loss_forward(log_probs, target, weight,
                                                 _REDUCTIONS[reduction], ignore_index)
    return out, (log_probs, total_weight)


@def_vjp(ltorch.cross_entropy, forward=_cross_entropy_forward, applies=_plain_class_loss)
def _cross_entropy_vjp(g, saved, input, target, weight=None, size_average=None,
                       ignore_index=-100, reduce=None, reduction="mean", label_smoothing=0.0):
    log_probs, total_weight = saved
    grad_log_probs = kernels.nll_loss_backward(g, log_probs, target, weight,
                                               _REDUCTIONS[reduction], ignore_index,
                                               total_weight)
    grad = kernels.log_softmax_backward(grad_log_probs, log_probs, input.ndim - 1, input.dtype)
    return (grad,) + (None,) * 7


def _nll_loss_forward(input, target, weight=None, size_average=None, ignore_index=-100,
                      reduce=None, reduction="mean"):
    out, total_weight = kernels.nll_loss_forward(input, target, weight, _REDUCTIONS[reduction],
                                                 ignore_index)
    return out, total_weight


@def_vjp(ltorch.nll_loss, forward=_nll_loss_forward, applies=_plain_class_loss)
def _nll_loss_vjp(g, total_weight, input, target, weight=None, size_average=None,
                  ignore_index=-100, reduce=None, reduction="mean"):
    grad = kernels.nll_loss_backward(g, input, target, weight, _REDUCTIONS[reduction],
                                     ignore_index, total_weight)
    return (grad,) + (None,) * 6


# -- dropout --------------------------------------------------------------------------------
def _random_dropout(input, p=0.5, training=True, inplace=False):
    return training and 0.0 < p < 1.0 and not inplace


def _dropout_forward(input, p=0.5, training=True, inplace=False):
    mask = kernels.dropout_mask(input, p)
    return ltorch.mul(input, mask), mask


@def_vjp(ltorch.dropout, forward=_dropout_forward, applies=_random_dropout)
def _dropout_vjp(g, mask, input, p=0.5, training=True, inplace=False):
    return g * mask, None, None, None


# -- attention ------------------------------------------------------------------------------
def _flash_cpu_supported(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                         scale=None, enable_gqa=False):
    return (query.device.type == "cpu" and attn_mask is None and dropout_p == 0.0
            and not enable_gqa and query.ndim == 4 and key.ndim == 4 and value.ndim == 4
            and query.dtype in _KERNEL_DTYPES
            and query.dtype == key.dtype == value.dtype
            and query.shape[:2] == key.shape[:2] == value.shape[:2])


def _flash_cpu_forward(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                       scale=None, enable_gqa=False):
    out, logsumexp = kernels.sdpa_flash_cpu(query, key, value, 0.0, is_causal, scale)
    return out, (out, logsumexp)


@def_vjp(ltorch.scaled_dot_product_attention, forward=_flash_cpu_forward,
         applies=_flash_cpu_supported)
def _sdpa_vjp(g, saved, query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
              scale=None, enable_gqa=False):
    out, logsumexp = saved
    grads = kernels.sdpa_flash_cpu_backward(g, query, key, value, out, logsumexp, 0.0,
                                            is_causal, scale)
    return grads + (None,) * 5
