"""Symbols that run torch's own backward kernels (``torch.ops.aten.*_backward``).

Gradient rules emit these into backward traces (and a few augmented forwards emit their
forward halves, which return what the backward kernel needs). Each is a primitive-like symbol
with a meta function and a torch implementation; the torch executor runs it through that
implementation. The module keeps each symbol under its name so that a printed trace calling
``kernels.softmax_backward(...)`` runs as Python.
"""

import torch

from thunder.core.proxies import TensorProxy
from thunder.transforms.autograd.rules import kernel_symbol

aten = torch.ops.aten


def _like(a, **changes):
    return TensorProxy.like(a, requires_grad=False, **changes)


def _kernel(name, meta, tags=()):
    def decorator(impl):
        return kernel_symbol(__name__, name, meta, impl, tags)

    return decorator


# -- softmax --------------------------------------------------------------------------------
@_kernel("softmax_backward", lambda g, out, dim, input_dtype: _like(g, dtype=input_dtype))
def softmax_backward(g, out, dim, input_dtype):
    return aten._softmax_backward_data(g, out, dim, input_dtype)


@_kernel("log_softmax_backward", lambda g, out, dim, input_dtype: _like(g, dtype=input_dtype))
def log_softmax_backward(g, out, dim, input_dtype):
    return aten._log_softmax_backward_data(g, out, dim, input_dtype)


@_kernel("trigamma", lambda a: _like(a))
def trigamma(a):
    """The derivative of digamma."""
    return torch.polygamma(1, a)


# -- layer norm -----------------------------------------------------------------------------
def _native_layer_norm_meta(input, normalized_shape, weight, bias, eps):
    axis = input.ndim - len(normalized_shape)
    stats_shape = input.shape[:axis] + (1,) * len(normalized_shape)
    return _like(input), _like(input, shape=stats_shape), _like(input, shape=stats_shape)


@_kernel("native_layer_norm", _native_layer_norm_meta)
def native_layer_norm(input, normalized_shape, weight, bias, eps):
    return tuple(aten.native_layer_norm(input, normalized_shape, weight, bias, eps))


def _native_layer_norm_backward_meta(g, input, normalized_shape, mean, rstd, weight, bias,
                                     output_mask):
    return (_like(input) if output_mask[0] else None,
            _like(weight) if output_mask[1] else None,
            _like(bias) if output_mask[2] else None)


@_kernel("native_layer_norm_backward", _native_layer_norm_backward_meta)
def native_layer_norm_backward(g, input, normalized_shape, mean, rstd, weight, bias,
                               output_mask):
    return tuple(aten.native_layer_norm_backward(g, input, normalized_shape, mean, rstd, weight,
                                                 bias, output_mask))


# -- batch norm -----------------------------------------------------------------------------
def _native_batch_norm_backward_meta(g, input, weight, mean, invstd, eps, output_mask):
    channels = (input.shape[1],)
    return (_like(input) if output_mask[0] else None,
            _like(input, shape=channels) if output_mask[1] else None,
            _like(input, shape=channels) if output_mask[2] else None)


@_kernel("native_batch_norm_backward", _native_batch_norm_backward_meta)
def native_batch_norm_backward(g, input, weight, mean, invstd, eps, output_mask):
    return tuple(aten.native_batch_norm_backward(g, input, weight, None, None, mean, invstd,
                                                 True, eps, output_mask))


# -- activations ----------------------------------------------------------------------------
@_kernel("gelu_backward", lambda g, a, approximate: _like(g))
def gelu_backward(g, a, approximate):
    return aten.gelu_backward(g, a, approximate=approximate)


@_kernel("silu_backward", lambda g, a: _like(g))
def silu_backward(g, a):
    return aten.silu_backward(g, a)


@_kernel("tanh_backward", lambda g, out: _like(g))
def tanh_backward(g, out):
    return aten.tanh_backward(g, out)


@_kernel("sigmoid_backward", lambda g, out: _like(g))
def sigmoid_backward(g, out):
    return aten.sigmoid_backward(g, out)


@_kernel("threshold_backward", lambda g, out, threshold: _like(g))
def threshold_backward(g, out, threshold):
    return aten.threshold_backward(g, out, threshold)


# -- embedding, losses ----------------------------------------------------------------------
def _embedding_backward_meta(g, indices, num_weights, padding_idx, scale_grad_by_freq):
    return _like(g, shape=(num_weights, g.shape[-1]))


@_kernel("embedding_backward", _embedding_backward_meta)
def embedding_backward(g, indices, num_weights, padding_idx, scale_grad_by_freq):
    return aten.embedding_dense_backward(g, indices, num_weights, padding_idx,
                                         scale_grad_by_freq)


def _nll_loss_forward_meta(log_probs, target, weight, reduction, ignore_index):
    shape = target.shape if reduction == 0 else ()
    return _like(log_probs, shape=shape), _like(log_probs, shape=())


@_kernel("nll_loss_forward", _nll_loss_forward_meta)
def nll_loss_forward(log_probs, target, weight, reduction, ignore_index):
    return tuple(aten.nll_loss_forward(log_probs, target, weight, reduction, ignore_index))


@_kernel("nll_loss_backward", lambda g, log_probs, *rest: _like(log_probs))
def nll_loss_backward(g, log_probs, target, weight, reduction, ignore_index, total_weight):
    return aten.nll_loss_backward(g, log_probs, target, weight, reduction, ignore_index,
                                  total_weight)


# -- dropout --------------------------------------------------------------------------------
@_kernel("dropout_mask", lambda a, p: _like(a), tags={"effectful"})  # draws random numbers
def dropout_mask(a, p):
    """The scaled keep-mask eager ``F.dropout`` draws on the CPU (same generator calls, so
    ``torch.manual_seed`` gives eager's mask)."""
    return torch.empty_like(a).bernoulli_(1.0 - p).div_(1.0 - p)


# -- attention ------------------------------------------------------------------------------
def _flash_cpu_meta(q, k, v, dropout_p, is_causal, scale):
    out = _like(q, shape=q.shape[:-1] + (v.shape[-1],))
    return out, _like(q, shape=q.shape[:-1])


@_kernel("sdpa_flash_cpu", _flash_cpu_meta)
def sdpa_flash_cpu(q, k, v, dropout_p, is_causal, scale):
    return tuple(aten._scaled_dot_product_flash_attention_for_cpu(
        q, k, v, dropout_p, is_causal, scale=scale))


def _flash_cpu_backward_meta(g, q, k, v, out, lse, dropout_p, is_causal, scale):
    return _like(q), _like(k), _like(v)


@_kernel("sdpa_flash_cpu_backward", _flash_cpu_backward_meta)
def sdpa_flash_cpu_backward(g, q, k, v, out, lse, dropout_p, is_causal, scale):
    return tuple(aten._scaled_dot_product_flash_attention_for_cpu_backward(
        g, q, k, v, out, lse, dropout_p, is_causal, scale=scale))


# -- convolution ----------------------------------------------------------------------------
def _convolution_backward_meta(g, input, weight, bias_sizes, stride, padding, dilation,
                               transposed, output_padding, groups, output_mask):
    grad_bias = _like(g, shape=tuple(bias_sizes)) if output_mask[2] else None
    return (_like(input) if output_mask[0] else None,
            _like(weight) if output_mask[1] else None, grad_bias)


@_kernel("convolution_backward", _convolution_backward_meta)
def convolution_backward(g, input, weight, bias_sizes, stride, padding, dilation, transposed,
                         output_padding, groups, output_mask):
    """Gradients of ``torch.convolution`` for (input, weight, bias), ``None`` where masked."""
    return tuple(aten.convolution_backward(
        g, input, weight, None if bias_sizes is None else list(bias_sizes), list(stride),
        list(padding), list(dilation), transposed, list(output_padding), groups,
        list(output_mask)))
