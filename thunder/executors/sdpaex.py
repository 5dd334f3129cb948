"""The SDPA executor (``"sdpa"``): ``scaled_dot_product_attention`` on torch's fused kernels.

It claims ``ltorch.scaled_dot_product_attention`` and, with grad, differentiates it with the
matching fused backward kernel (NOTE [executor gradients] in ``extend.py``). It is in the
default executors, before the torch executor.

NOTE [attention memory]
Differentiated through its decomposition, attention saves the (L x S) matrix of attention
probabilities per head for the backward. The fused kernels compute the output without ever
materialising that matrix, and return the per-row ``logsumexp`` of the scores; the fused backward
recomputes the probabilities block by block from it. So the forward trace saves only the query,
key, value, output and logsumexp (plus the user's mask, when there is one, and a few bytes of
random generator state on CUDA): memory linear in the sequence length.

The kernel (backend) is chosen per call, at trace time, from the device, dtype and options:

* ``flash_cpu``: ``aten._scaled_dot_product_flash_attention_for_cpu`` (and ``_backward``), for
  float32/64, bfloat16 and float16 on the CPU, with or without a mask and ``is_causal``;
* ``flash_cuda``: ``aten._scaled_dot_product_flash_attention``, for float16/bfloat16 on CUDA
  devices of compute capability 8 or more, without a mask, head size a multiple of 8 up to 128,
  and ``is_causal`` only for square attention (flash aligns the causal mask bottom-right);
* ``efficient_cuda``: ``aten._scaled_dot_product_efficient_attention``, for float32/16 and
  bfloat16 on CUDA, head size a multiple of 8; a mask becomes an additive bias (with
  ``is_causal`` folded into it when both are given).

Grouped-query attention (``enable_gqa``) repeats the key and value heads inside the kernels'
calls (the repeated copies are not saved) and sums the key and value gradients back over the
groups. Declined, so that the op is differentiated through its decomposition or run whole by
the torch executor: ``dropout_p > 0`` (eager draws the dropout mask in its math path, which a
fused kernel could not reproduce for the same seed), inputs that are not 3- or 4-dimensional,
empty dimensions, key/value head sizes that differ from the query's, a mask that requires grad
or does not broadcast to ``(batch, heads, L, S)``, and devices and dtypes without a kernel.

>>> import torch, thunder
>>> q = torch.randn(1, 2, 8, 4, requires_grad=True)
>>> jfn = thunder.jit(torch.nn.functional.scaled_dot_product_attention)
>>> jfn(q, q, q, is_causal=True).sum().backward()
>>> "flash_cpu_backward" in str(thunder.last_backward_traces(jfn)[-1])
True
"""

import torch

import thunder.torch as ltorch
from thunder.core.proxies import TensorProxy
from thunder.executors.extend import OperatorExecutor, register_executor

aten = torch.ops.aten

ex = register_executor(OperatorExecutor("sdpa"))

_CPU_DTYPES = (torch.float32, torch.float64, torch.bfloat16, torch.float16)
_FLASH_CUDA_DTYPES = (torch.float16, torch.bfloat16)
_EFFICIENT_CUDA_DTYPES = (torch.float32, torch.float16, torch.bfloat16)
_BIAS_ALIGNMENT = 16  # the efficient kernel wants the bias rows 16-element aligned


# -- choosing a kernel ----------------------------------------------------------------------
def _backend(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
             enable_gqa=False):
    """The kernel family that runs this call, or None where none fits (the checker, run on
    proxies at trace time)."""
    if not _supported_layout(query, key, value, attn_mask, dropout_p, is_causal, scale,
                             enable_gqa):
        return None
    return _kernel_for(query, key, attn_mask, is_causal)


def _kernel_for(query, key, attn_mask, is_causal):
    """The kernel family for a call whose layout is supported, by device, dtype and options."""
    device, dtype, head_size = query.device, query.dtype, query.shape[-1]
    if device.type == "cpu":
        return "flash_cpu" if dtype in _CPU_DTYPES else None
    if device.type != "cuda" or not torch.cuda.is_available() or head_size % 8:
        return None
    major, _ = torch.cuda.get_device_capability(device)
    square = query.shape[-2] == key.shape[-2]
    if (dtype in _FLASH_CUDA_DTYPES and major >= 8 and attn_mask is None and head_size <= 128
            and (square or not is_causal)):
        return "flash_cuda"
    if dtype in _EFFICIENT_CUDA_DTYPES and major >= 5:
        return "efficient_cuda"
    return None


def _supported_layout(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa):
    if not isinstance(dropout_p, (int, float)) or dropout_p != 0.0:
        return False
    if not isinstance(is_causal, bool) or not (scale is None or isinstance(scale, (int, float))):
        return False
    tensors = (query, key, value)
    if query.ndim not in (3, 4) or any(t.ndim != query.ndim for t in tensors):
        return False
    if any(t.dtype != query.dtype or t.device != query.device for t in tensors):
        return False
    if any(0 in t.shape for t in tensors):
        return False
    if not key.shape[-1] == value.shape[-1] == query.shape[-1]:
        return False
    if key.shape[:-1] != value.shape[:-1] or query.shape[:-3] != key.shape[:-3]:
        return False
    heads, kv_heads = query.shape[-3], key.shape[-3]
    if heads != kv_heads and not (enable_gqa and heads % kv_heads == 0):
        return False
    return attn_mask is None or _supported_mask(attn_mask, query, key)


def _supported_mask(mask, query, key):
    if mask.dtype != torch.bool and mask.dtype != query.dtype:
        return False
    if mask.requires_grad or mask.device != query.device or mask.ndim > 4:
        return False
    full = (1,) * (4 - query.ndim) + tuple(query.shape[:-1]) + (key.shape[-2],)
    return all(m in (1, f) for m, f in zip(reversed(mask.shape), reversed(full)))


def _supported(*args, **kwargs):
    return _backend(*args, **kwargs) is not None


# -- helpers shared by the kernels (they run on tensors, or on "meta" tensors for the metas) --
def _as_4d(t):
    t = t.unsqueeze(0) if t.ndim == 3 else t
    return t if t.stride(-1) == 1 else t.contiguous()


def _repeat_heads(t, groups):
    return t if groups == 1 else t.repeat_interleave(groups, dim=1)


def _sum_heads(grad, groups):
    return grad if groups == 1 else grad.unflatten(1, (-1, groups)).sum(2)


def _qkv(query, key, value, groups):
    return _as_4d(query), _repeat_heads(_as_4d(key), groups), _repeat_heads(_as_4d(value), groups)


def _input_grads(dq, dk, dv, query, key, value, groups):
    return (dq.reshape(query.shape), _sum_heads(dk, groups).reshape(key.shape),
            _sum_heads(dv, groups).reshape(value.shape))


def _additive_mask(mask, dtype):
    """A bool mask as 0 / -inf in ``dtype`` (a float mask is already additive)."""
    if mask is None or mask.dtype != torch.bool:
        return mask
    return torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill_(
        mask.logical_not(), float("-inf"))


def _mask_4d(mask):
    return None if mask is None else mask.reshape((1,) * (4 - mask.ndim) + tuple(mask.shape))


# -- flash attention on the CPU -------------------------------------------------------------
def _flash_cpu_forward(query, key, value, attn_mask, is_causal, scale, groups):
    q, k, v = _qkv(query, key, value, groups)
    mask = _mask_4d(_additive_mask(attn_mask, q.dtype))
    out, logsumexp = aten._scaled_dot_product_flash_attention_for_cpu(
        q, k, v, 0.0, is_causal, attn_mask=mask, scale=scale)
    return out.reshape(query.shape), logsumexp


def _flash_cpu_backward(g, query, key, value, attn_mask, out, logsumexp, is_causal, scale,
                        groups):
    q, k, v = _qkv(query, key, value, groups)
    mask = _mask_4d(_additive_mask(attn_mask, q.dtype))
    dq, dk, dv = aten._scaled_dot_product_flash_attention_for_cpu_backward(
        _as_4d(g).contiguous(), q, k, v, _as_4d(out), logsumexp, 0.0, is_causal,
        attn_mask=mask, scale=scale)
    return _input_grads(dq, dk, dv, query, key, value, groups)


def _flash_cpu_forward_meta(query, key, value, attn_mask, is_causal, scale, groups):
    # Written out rather than derived from torch's meta kernels: those import sympy (half a
    # second on the first call).
    batch_heads = tuple(query.shape[:-2]) if query.ndim == 4 else (1, query.shape[0])
    lse_dtype = torch.float64 if query.dtype == torch.float64 else torch.float32
    return (TensorProxy(shape=tuple(query.shape), dtype=query.dtype, device=query.device),
            TensorProxy(shape=batch_heads + (query.shape[-2],), dtype=lse_dtype,
                        device=query.device))


def _flash_cpu_backward_meta(g, query, key, value, *args):
    return tuple(TensorProxy(shape=tuple(t.shape), dtype=t.dtype, device=t.device)
                 for t in (query, key, value))


flash_cpu_forward = ex.register_operator("flash_cpu_forward", _flash_cpu_forward,
                                         meta=_flash_cpu_forward_meta)
flash_cpu_backward = ex.register_operator("flash_cpu_backward", _flash_cpu_backward,
                                          meta=_flash_cpu_backward_meta)


# -- flash attention on CUDA ----------------------------------------------------------------
def _flash_cuda_forward(query, key, value, is_causal, scale, groups):
    q, k, v = _qkv(query, key, value, groups)
    out, logsumexp, *_, rng_state, unused, _ = aten._scaled_dot_product_flash_attention(
        q, k, v, 0.0, is_causal, False, scale=scale)
    return out.reshape(query.shape), logsumexp, rng_state, unused


def _flash_cuda_backward(g, query, key, value, out, logsumexp, rng_state, unused, is_causal,
                         scale, groups):
    q, k, v = _qkv(query, key, value, groups)
    dq, dk, dv = aten._scaled_dot_product_flash_attention_backward(
        _as_4d(g).contiguous(), q, k, v, _as_4d(out), logsumexp, None, None, q.shape[-2],
        k.shape[-2], 0.0, is_causal, rng_state, unused, scale=scale)
    return _input_grads(dq, dk, dv, query, key, value, groups)


flash_cuda_forward = ex.register_operator("flash_cuda_forward", _flash_cuda_forward)
flash_cuda_backward = ex.register_operator("flash_cuda_backward", _flash_cuda_backward)


# -- memory-efficient attention on CUDA -----------------------------------------------------
def _efficient_bias(attn_mask, is_causal, q, k):
    """The additive bias the efficient kernel takes (None without a mask), broadcast to
    ``(batch, heads, L, S)`` over storage whose rows are aligned as the kernel requires;
    ``is_causal`` is folded into it when there is a mask."""
    if attn_mask is None:
        return None
    bias = _mask_4d(_additive_mask(attn_mask, q.dtype))
    length, source = q.shape[-2], k.shape[-2]
    if is_causal:
        causal = torch.ones(length, source, dtype=torch.bool, device=q.device).tril()
        bias = torch.where(causal, bias, float("-inf"))
    padded_source = -(-source // _BIAS_ALIGNMENT) * _BIAS_ALIGNMENT
    storage = bias.new_zeros(tuple(bias.shape[:-1]) + (padded_source,))
    storage[..., :source] = bias
    return storage[..., :source].expand(q.shape[0], q.shape[1], length, source)


def _efficient_cuda_forward(query, key, value, attn_mask, is_causal, scale, groups):
    q, k, v = _qkv(query, key, value, groups)
    bias = _efficient_bias(attn_mask, is_causal, q, k)
    causal = is_causal and bias is None
    out, logsumexp, seed, offset = aten._scaled_dot_product_efficient_attention(
        q, k, v, bias, True, 0.0, causal, scale=scale)
    return out.reshape(query.shape), logsumexp, seed, offset


def _efficient_cuda_backward(g, query, key, value, attn_mask, out, logsumexp, seed, offset,
                             is_causal, scale, groups):
    q, k, v = _qkv(query, key, value, groups)
    bias = _efficient_bias(attn_mask, is_causal, q, k)
    causal = is_causal and bias is None
    dq, dk, dv, _ = aten._scaled_dot_product_efficient_attention_backward(
        _as_4d(g).contiguous(), q, k, v, bias, _as_4d(out), logsumexp, seed, offset, 0.0,
        [True, True, True, False], causal, scale=scale)
    return _input_grads(dq, dk, dv, query, key, value, groups)


efficient_cuda_forward = ex.register_operator("efficient_cuda_forward", _efficient_cuda_forward)
efficient_cuda_backward = ex.register_operator("efficient_cuda_backward",
                                               _efficient_cuda_backward)


# -- the forward and backward of each backend, as recorded by the autograd split -------------
def _groups(query, key):
    return query.shape[-3] // key.shape[-3]


def _forward(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
             enable_gqa=False):
    backend = _backend(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa)
    groups = _groups(query, key)
    if backend == "flash_cpu":
        out, logsumexp = flash_cpu_forward(query, key, value, attn_mask, is_causal, scale,
                                           groups)
        return out, (backend, out, logsumexp)
    if backend == "flash_cuda":
        out, logsumexp, rng_state, unused = flash_cuda_forward(query, key, value, is_causal,
                                                               scale, groups)
        return out, (backend, out, logsumexp, rng_state, unused)
    out, logsumexp, seed, offset = efficient_cuda_forward(query, key, value, attn_mask,
                                                          is_causal, scale, groups)
    return out, (backend, out, logsumexp, seed, offset)


def _backward(g, residuals, query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
              scale=None, enable_gqa=False):
    backend, out, logsumexp, *state = residuals
    groups = _groups(query, key)
    if backend == "flash_cpu":
        grads = flash_cpu_backward(g, query, key, value, attn_mask, out, logsumexp, is_causal,
                                   scale, groups)
    elif backend == "flash_cuda":
        grads = flash_cuda_backward(g, query, key, value, out, logsumexp, *state, is_causal,
                                    scale, groups)
    else:
        grads = efficient_cuda_backward(g, query, key, value, attn_mask, out, logsumexp, *state,
                                        is_causal, scale, groups)
    return tuple(grads) + (None,) * 5


ex.register_grad(ltorch.scaled_dot_product_attention, forward=_forward, backward=_backward,
                 checker=_supported)


# -- without grad: the forward kernel alone --------------------------------------------------
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """``F.scaled_dot_product_attention`` through the fused forward kernel ``_kernel_for``
    picks (the checker accepted the call when it was traced)."""
    backend = _kernel_for(query, key, attn_mask, is_causal)
    groups = _groups(query, key)
    if backend == "flash_cpu":
        return _flash_cpu_forward(query, key, value, attn_mask, is_causal, scale, groups)[0]
    if backend == "flash_cuda":
        return _flash_cuda_forward(query, key, value, is_causal, scale, groups)[0]
    return _efficient_cuda_forward(query, key, value, attn_mask, is_causal, scale, groups)[0]


ex.register_implementation(ltorch.scaled_dot_product_attention, scaled_dot_product_attention,
                           checker=_supported)
