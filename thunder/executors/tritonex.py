"""The Triton executor (``"triton"``): custom Triton kernels, for CUDA tensors.

Its one kernel pair is a fused cross-entropy for class-index targets, registered for
``ltorch.cross_entropy`` together with its gradient (NOTE [executor gradients] in
``extend.py``):

* forward: one program per row reads the row of logits once, block by block, keeping a running
  maximum and a running sum of exponentials rescaled to it (the "online" logsumexp), and writes
  the row's loss and logsumexp. Nothing of the size of the logits is allocated or saved: the
  backward needs only the logits, the targets and the per-row logsumexp;
* backward: one program per row writes ``(softmax(x) - onehot(target)) * g`` into a fresh
  buffer (the logits may still be in use, by the caller or the rest of the trace), with
  ``softmax(x) = exp(x - logsumexp)`` recomputed from the saved logsumexp.

Supported: 2-D float32/bfloat16/float16 logits with 1-D integer targets, ``reduction`` "mean",
"sum" or "none", any ``ignore_index`` (ignored rows get zero loss and gradient; "mean" divides by
the number of rows not ignored, as torch does) and ``label_smoothing``. Declined (so the torch
executor or the decomposition runs the call): class weights, the legacy ``size_average`` /
``reduce`` arguments, probability targets, float64 and other layouts.

The module imports without Triton: the executor then exists but claims nothing. It claims CUDA
tensors only, except under Triton's interpreter (``TRITON_INTERPRET=1`` set before this module is
imported), where the kernels run on CPU tensors through numpy; the tests use that to run the
kernels on machines without a GPU. ``thunder.get_default_executors()`` lists it where Triton
imports and CUDA is available (``default_executors()``).

>>> import thunder
>>> thunder.get_executor("triton").name
'triton'
"""

from __future__ import annotations  # kernel annotations (tl.constexpr) stay strings without Triton

import os

import torch

import thunder.torch as ltorch
from thunder.core.proxies import TensorProxy
from thunder.executors.extend import OperatorExecutor, register_executor

try:
    import triton
    import triton.language as tl
except ImportError:  # the executor exists but claims nothing
    triton = tl = None

INTERPRET = triton is not None and os.environ.get("TRITON_INTERPRET", "0") == "1"
LOGITS_DTYPES = (torch.float32, torch.bfloat16, torch.float16)
TARGET_DTYPES = (torch.int64, torch.int32)
REDUCTIONS = ("mean", "sum", "none")
MAX_BLOCK = 4096  # columns a program reads at a time
# The number of classes is a compile-time constant of the kernels: a model has one vocabulary,
# the loops over it get static bounds, and Triton's interpreter (numpy 2) can run them.

ex = register_executor(OperatorExecutor("triton"))


def available() -> bool:
    """Triton imports and there is a device its kernels can run on."""
    return triton is not None and (INTERPRET or torch.cuda.is_available())


def default_executors() -> list:
    """``[ex]`` where Triton imports and CUDA is available, otherwise ``[]``."""
    return [ex] if triton is not None and torch.cuda.is_available() else []


def _jit(fn):
    """``triton.jit`` where Triton is installed (elsewhere the kernel is never launched)."""
    return fn if triton is None else triton.jit(fn)


# -- kernels ----------------------------------------------------------------------------------
@_jit
def _cross_entropy_forward_kernel(logits_ptr, row_stride, target_ptr, loss_ptr, lse_ptr,
                                  ignore_index, label_smoothing, n_classes: tl.constexpr,
                                  BLOCK: tl.constexpr, SMOOTHING: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    row_ptr = logits_ptr + row * row_stride
    offsets = tl.arange(0, BLOCK)
    running_max = tl.max(tl.full([BLOCK], float("-inf"), tl.float32), 0)
    running_sum = tl.sum(tl.zeros([BLOCK], tl.float32), 0)
    logits_sum = tl.sum(tl.zeros([BLOCK], tl.float32), 0)
    for start in range(0, n_classes, BLOCK):
        cols = start + offsets
        inside = cols < n_classes
        x = tl.load(row_ptr + cols, mask=inside, other=float("-inf")).to(tl.float32)
        new_max = tl.maximum(running_max, tl.max(x, 0))
        running_sum = running_sum * tl.exp(running_max - new_max) + tl.sum(tl.exp(x - new_max), 0)
        running_max = new_max
        if SMOOTHING:
            logits_sum += tl.sum(tl.where(inside, x, 0.0), 0)
    lse = running_max + tl.log(running_sum)
    target = tl.load(target_ptr + row).to(tl.int64)
    in_range = (target >= 0) & (target < n_classes)
    target_logit = tl.load(row_ptr + target, mask=in_range, other=0.0).to(tl.float32)
    loss = lse - target_logit
    if SMOOTHING:
        loss = (1.0 - label_smoothing) * loss + label_smoothing * (lse - logits_sum / n_classes)
    loss = tl.where(target == ignore_index, 0.0, loss)
    tl.store(loss_ptr + row, loss)
    tl.store(lse_ptr + row, lse)


@_jit
def _cross_entropy_backward_kernel(grad_ptr, grad_row_stride, logits_ptr, row_stride,
                                   target_ptr, lse_ptr, scale_ptr, scale_stride, ignore_index,
                                   label_smoothing, n_classes: tl.constexpr,
                                   BLOCK: tl.constexpr, SMOOTHING: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    row_ptr = logits_ptr + row * row_stride
    grad_row_ptr = grad_ptr + row * grad_row_stride
    target = tl.load(target_ptr + row).to(tl.int64)
    lse = tl.load(lse_ptr + row)
    scale = tl.load(scale_ptr + row * scale_stride).to(tl.float32)
    scale = tl.where(target == ignore_index, 0.0, scale)
    offsets = tl.arange(0, BLOCK)
    for start in range(0, n_classes, BLOCK):
        cols = start + offsets
        inside = cols < n_classes
        x = tl.load(row_ptr + cols, mask=inside, other=0.0).to(tl.float32)
        grad = tl.exp(x - lse)
        if SMOOTHING:
            grad = grad - tl.where(cols == target, 1.0 - label_smoothing, 0.0)
            grad = grad - label_smoothing / n_classes
        else:
            grad = grad - tl.where(cols == target, 1.0, 0.0)
        tl.store(grad_row_ptr + cols, (grad * scale).to(grad_ptr.dtype.element_ty), mask=inside)


def _launch_config(n_classes: int) -> tuple[int, int]:
    block = min(triton.next_power_of_2(n_classes), MAX_BLOCK)
    return block, 8 if block >= 2048 else 4


def _rows(logits):
    return logits if logits.stride(-1) == 1 else logits.contiguous()


# -- the kernels as operator symbols ------------------------------------------------------------
def _cross_entropy_forward(logits, target, ignore_index, label_smoothing, reduction):
    """(loss reduced as asked, per-row logsumexp in float32, number of rows not ignored)."""
    logits, target = _rows(logits), target.contiguous()
    rows, classes = logits.shape
    losses = torch.empty(rows, dtype=torch.float32, device=logits.device)
    lse = torch.empty(rows, dtype=torch.float32, device=logits.device)
    block, warps = _launch_config(classes)
    _cross_entropy_forward_kernel[(rows,)](
        logits, logits.stride(0), target, losses, lse, ignore_index, float(label_smoothing),
        n_classes=classes, BLOCK=block, SMOOTHING=label_smoothing > 0, num_warps=warps)
    counted = (target != ignore_index).sum().to(torch.float32)
    if reduction == "none":
        loss = losses
    elif reduction == "sum":
        loss = losses.sum()
    else:
        loss = losses.sum() / counted
    return loss.to(logits.dtype), lse, counted


def _cross_entropy_forward_meta(logits, target, ignore_index, label_smoothing, reduction):
    rows = logits.shape[0]
    loss_shape = (rows,) if reduction == "none" else ()
    return (TensorProxy.like(logits, shape=loss_shape, requires_grad=False),
            TensorProxy.like(logits, shape=(rows,), dtype=torch.float32, requires_grad=False),
            TensorProxy.like(logits, shape=(), dtype=torch.float32, requires_grad=False))


def _cross_entropy_backward(g, logits, target, lse, counted, ignore_index, label_smoothing):
    """The gradient of the loss for the logits; ``g`` is the loss's cotangent, ``counted`` the
    number of rows not ignored for "mean" (None otherwise)."""
    logits, target = _rows(logits), target.contiguous()
    rows, classes = logits.shape
    scale = g.to(torch.float32)
    if counted is not None:
        scale = scale / counted
    grad = torch.empty(logits.shape, dtype=logits.dtype, device=logits.device)
    block, warps = _launch_config(classes)
    _cross_entropy_backward_kernel[(rows,)](
        grad, grad.stride(0), logits, logits.stride(0), target, lse, scale,
        scale.stride(0) if scale.ndim else 0, ignore_index, float(label_smoothing),
        n_classes=classes, BLOCK=block, SMOOTHING=label_smoothing > 0, num_warps=warps)
    return grad


def _cross_entropy_backward_meta(g, logits, *rest):
    return TensorProxy.like(logits, requires_grad=False)


cross_entropy_forward = ex.register_operator(
    "cross_entropy_forward", _cross_entropy_forward, meta=_cross_entropy_forward_meta)
cross_entropy_backward = ex.register_operator(
    "cross_entropy_backward", _cross_entropy_backward, meta=_cross_entropy_backward_meta)


# -- registration ---------------------------------------------------------------------------
def _supported(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
               reduction="mean", label_smoothing=0.0):
    if not available() or weight is not None or size_average is not None or reduce is not None:
        return False
    if reduction not in REDUCTIONS or not isinstance(ignore_index, int):
        return False
    if not isinstance(label_smoothing, (int, float)) or not 0.0 <= label_smoothing < 1.0:
        return False
    if input.device.type != "cuda" and not (INTERPRET and input.device.type == "cpu"):
        return False
    return (input.ndim == 2 and target.ndim == 1 and target.shape[0] == input.shape[0]
            and input.shape[0] > 0 and input.shape[1] > 0 and input.dtype in LOGITS_DTYPES
            and target.dtype in TARGET_DTYPES and target.device == input.device)


def _grad_forward(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    loss, lse, counted = cross_entropy_forward(input, target, ignore_index, label_smoothing,
                                               reduction)
    return loss, (lse, counted if reduction == "mean" else None)


def _grad_backward(g, residuals, input, target, weight=None, size_average=None,
                   ignore_index=-100, reduce=None, reduction="mean", label_smoothing=0.0):
    lse, counted = residuals
    grad = cross_entropy_backward(g, input, target, lse, counted, ignore_index, label_smoothing)
    return (grad,) + (None,) * 7


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """``F.cross_entropy`` through the fused forward kernel (calls the checker accepted)."""
    return _cross_entropy_forward(input, target, ignore_index, label_smoothing, reduction)[0]


ex.register_grad(ltorch.cross_entropy, forward=_grad_forward, backward=_grad_backward,
                 checker=_supported)
ex.register_implementation(ltorch.cross_entropy, cross_entropy, checker=_supported)
