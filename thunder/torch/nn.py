"""Torch-level neural-network operators: activations, softmax family, normalization, dropout,
embedding and scaled dot-product attention.

Each operator is a composition of prims and the elementwise torch-level operators, with
torch's signature (``torch.nn.functional`` first, also ``torch.*`` and Tensor methods where
they exist). The reductions they need are written here on the reduction prims (keepdim is a
``broadcast_in_dim`` back to the input's rank).

NOTE [low-precision compute]
Like torch's CPU and CUDA kernels, operators that accumulate or evaluate transcendental
functions (softmax, normalizations, gelu, attention...) compute float16 and bfloat16 inputs in
float32 and convert the result back to the input dtype. Cheap piecewise-linear activations
(relu, hardtanh...) run in the input dtype.

NOTE [in-place nn arguments]
``inplace=True`` and running-statistics updates mutate their inputs. Until in-place
functionalization exists for them, these operators raise ``NotImplementedError`` naming the op
instead of silently returning an out-of-place result.
"""

import math
import warnings

import torch

from thunder.core import dtypes, prims
from thunder.core.proxies import TensorProxy
from thunder.torch.elementwise import (abs, add, div, eq, erf, exp, expm1, gt, log, log1p, mul,
                                       neg, rsqrt, sigmoid, sub, tanh, where)
from thunder.torch.linalg import matmul
from thunder.torch.registry import torchsymbol
from thunder.torch.utils import (canonical_dim, canonical_dims, elementwise_inputs, expand_to,
                                 maybe_convert, scalar_for)

F = torch.nn.functional

# -- private helpers ------------------------------------------------------------------------


def _check_tensor(name, a, arg="input"):
    if not isinstance(a, TensorProxy):
        raise TypeError(f"{name}(): argument '{arg}' must be Tensor, not {type(a).__name__}")
    return a


def _require_float(name, a):
    """torch's kernels for these ops exist only for floating dtypes."""
    _check_tensor(name, a)
    if not a.dtype.is_floating_point:
        raise NotImplementedError(f'"{name}" not implemented for {a.dtype}')
    return a


def _no_inplace(name, inplace):
    if inplace:
        raise NotImplementedError(f"{name}(inplace=True) is not supported yet; "
                                  f"see NOTE [in-place nn arguments] in thunder/torch/nn.py")


def compute_dtype(dtype):
    """The dtype an accumulating op computes ``dtype`` in (NOTE [low-precision compute])."""
    return torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype


def upcast(a):
    return maybe_convert(a, compute_dtype(a.dtype))


def keepdim(reduced, shape, dims):
    """Put back the reduced ``dims`` of ``shape`` as size-1 dims."""
    kept_shape = tuple(1 if i in dims else s for i, s in enumerate(shape))
    kept = tuple(i for i in range(len(shape)) if i not in dims)
    return prims.broadcast_in_dim(reduced, kept_shape, kept)


def reduce_sum(a, dims, keep=False):
    out = prims.sum(a, dims)
    return keepdim(out, a.shape, dims) if keep else out


def reduce_amax(a, dims, keep=False):
    out = prims.amax(a, dims)
    return keepdim(out, a.shape, dims) if keep else out


def reduce_mean(a, dims, keep=False):
    n = 1
    for d in dims:
        n *= a.shape[d]
    return div(reduce_sum(a, dims, keep), n)


def var_mean(a, dims, keep=False):
    """Biased variance and mean over ``dims`` (what normalization layers use)."""
    var = prims.var(a, dims, correction=0)
    mean = reduce_mean(a, dims)
    if keep:
        return keepdim(var, a.shape, dims), keepdim(mean, a.shape, dims)
    return var, mean


def bound_below(a, low):
    """``max(a, low)`` propagating NaN of ``a``; ``low`` a number or a same-shape tensor."""
    if isinstance(low, TensorProxy):
        return prims.maximum(a, low)
    return prims.where(prims.lt(a, low), low, a)


def bound_above(a, high):
    """``min(a, high)`` propagating NaN of ``a``; ``high`` a number or a same-shape tensor."""
    if isinstance(high, TensorProxy):
        return prims.minimum(a, high)
    return prims.where(prims.gt(a, high), high, a)


def _channel_view(t, ndim, dim=1):
    """A 1-d per-channel tensor shaped to broadcast against an ``ndim`` input along ``dim``."""
    shape = [1] * ndim
    shape[dim] = t.shape[0]
    return prims.broadcast_in_dim(t, tuple(shape), (dim,))


# -- clamp and lerp -------------------------------------------------------------------------


@torchsymbol(torch.clamp, torch.clip, methods=("clamp", "clip"))
def clamp(input, min=None, max=None):
    """``torch.clamp``: bounds may be numbers, tensors (broadcast) or ``None``; NaN propagates.

    >>> import thunder, torch
    >>> thunder.jit(lambda x: x.clamp(max=1.0))(torch.tensor([0.5, 2.0]))
    tensor([0.5000, 1.0000])
    """
    _check_tensor("clamp", input)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if min is not None and max is not None and (
            isinstance(min, TensorProxy) != isinstance(max, TensorProxy)):
        raise TypeError("clamp(): min and max must both be tensors or both be numbers")
    operands = [x for x in (input, min, max) if x is not None]
    converted, _ = elementwise_inputs(*operands)
    out = converted[0]
    rest = iter(converted[1:])
    if min is not None:
        out = bound_below(out, next(rest))
    if max is not None:
        out = bound_above(out, next(rest))
    return out


@torchsymbol(torch.clamp_min, methods=("clamp_min",))
def clamp_min(input, min):
    return clamp(input, min=min)


@torchsymbol(torch.clamp_max, methods=("clamp_max",))
def clamp_max(input, max):
    return clamp(input, max=max)


@torchsymbol(torch.lerp, methods=("lerp",))
def lerp(input, end, weight):
    """``input + weight * (end - input)``, evaluated from the nearer end as torch does."""
    _check_tensor("lerp", input)
    (input, end, weight), _ = elementwise_inputs(input, end, weight)
    diff = sub(end, input)
    if isinstance(weight, TensorProxy):
        near_start = prims.lt(prims.abs(weight), 0.5)
    else:
        near_start = -0.5 < weight < 0.5
    from_start = add(input, mul(weight, diff))
    one_minus = sub(1, weight) if isinstance(weight, TensorProxy) else 1 - weight
    from_end = sub(end, mul(diff, one_minus))
    if isinstance(near_start, bool):
        return from_start if near_start else from_end
    return where(near_start, from_start, from_end)


# -- activations ----------------------------------------------------------------------------


@torchsymbol(torch.relu, F.relu, methods=("relu",), torch_fn=F.relu)
def relu(input, inplace=False):
    _no_inplace("relu", inplace)
    _check_tensor("relu", input)
    return bound_below(input, scalar_for(0, input.dtype))


@torchsymbol(F.relu6)
def relu6(input, inplace=False):
    _no_inplace("relu6", inplace)
    return hardtanh(input, 0.0, 6.0)


@torchsymbol(F.hardtanh)
def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    _no_inplace("hardtanh", inplace)
    _check_tensor("hardtanh", input)
    if input.dtype is torch.bool:
        raise RuntimeError("hardtanh: bool inputs are not supported")
    low, high = scalar_for(min_val, input.dtype), scalar_for(max_val, input.dtype)
    if dtypes.is_integer(input.dtype):
        low, high = int(min_val), int(max_val)
    return bound_above(bound_below(input, low), high)


@torchsymbol(F.leaky_relu)
def leaky_relu(input, negative_slope=0.01, inplace=False):
    _no_inplace("leaky_relu", inplace)
    _require_float("leaky_relu", input)
    return where(gt(input, 0), input, mul(input, negative_slope))


def _elu_core(a, alpha, scale, input_scale):
    x = upcast(a)
    negative = mul(expm1(mul(x, input_scale)), alpha * scale)
    out = where(gt(x, 0), mul(x, scale), negative)
    return maybe_convert(out, a.dtype)


@torchsymbol(F.elu)
def elu(input, alpha=1.0, inplace=False):
    _no_inplace("elu", inplace)
    return _elu_core(_require_float("elu", input), alpha, 1.0, 1.0)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@torchsymbol(torch.selu, F.selu, torch_fn=F.selu)
def selu(input, inplace=False):
    _no_inplace("selu", inplace)
    return _elu_core(_require_float("selu", input), _SELU_ALPHA, _SELU_SCALE, 1.0)


@torchsymbol(torch.celu, F.celu, torch_fn=F.celu)
def celu(input, alpha=1.0, inplace=False):
    _no_inplace("celu", inplace)
    return _elu_core(_require_float("celu", input), alpha, 1.0, 1.0 / alpha)


@torchsymbol(F.gelu)
def gelu(input, *, approximate="none"):
    """GELU, exact (``erf``) or with the ``tanh`` approximation."""
    _require_float("gelu", input)
    x = upcast(input)
    if approximate == "none":
        inner = add(1, erf(mul(x, 1 / math.sqrt(2))))
    elif approximate == "tanh":
        cube = mul(mul(x, x), x)
        inner = add(1, tanh(mul(add(x, mul(cube, 0.044715)), math.sqrt(2 / math.pi))))
    else:
        raise RuntimeError("gelu: approximate argument must be either none or tanh.")
    return maybe_convert(mul(mul(x, 0.5), inner), input.dtype)


@torchsymbol(F.silu)
def silu(input, inplace=False):
    _no_inplace("silu", inplace)
    x = upcast(_require_float("silu", input))
    return maybe_convert(mul(x, sigmoid(x)), input.dtype)


def _softplus_core(x, beta, threshold):
    scaled = mul(x, beta) if beta != 1 else x
    soft = log1p(exp(scaled))
    if beta != 1:
        soft = div(soft, beta)
    return where(gt(scaled, threshold), x, soft)


@torchsymbol(F.softplus)
def softplus(input, beta=1.0, threshold=20.0):
    x = upcast(_require_float("softplus", input))
    return maybe_convert(_softplus_core(x, beta, threshold), input.dtype)


@torchsymbol(F.mish)
def mish(input, inplace=False):
    _no_inplace("mish", inplace)
    x = upcast(_require_float("mish", input))
    return maybe_convert(mul(x, tanh(_softplus_core(x, 1, 20))), input.dtype)


@torchsymbol(F.softsign)
def softsign(input):
    _check_tensor("softsign", input)
    return div(input, add(abs(input), 1))


@torchsymbol(F.hardsigmoid)
def hardsigmoid(input, inplace=False):
    _no_inplace("hardsigmoid", inplace)
    _require_float("hardsigmoid", input)
    return div(relu6(add(input, 3)), 6)


@torchsymbol(F.hardswish)
def hardswish(input, inplace=False):
    _no_inplace("hardswish", inplace)
    _require_float("hardswish", input)
    return mul(input, div(relu6(add(input, 3)), 6))


@torchsymbol(F.logsigmoid)
def logsigmoid(input):
    """``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))``, stable for large ``|x|``."""
    x = upcast(_require_float("log_sigmoid", input))
    out = sub(bound_above(x, 0.0), log1p(exp(neg(abs(x)))))
    return maybe_convert(out, input.dtype)


@torchsymbol(F.tanhshrink)
def tanhshrink(input):
    _check_tensor("tanhshrink", input)
    return sub(input, tanh(input))


@torchsymbol(F.hardshrink, methods=("hardshrink",))
def hardshrink(input, lambd=0.5):
    _require_float("hardshrink", input)
    return where(gt(abs(input), lambd), input, 0)


@torchsymbol(F.softshrink)
def softshrink(input, lambd=0.5):
    _require_float("softshrink", input)
    shrunk = sub(input, mul(prims.sign(input), lambd))
    return where(gt(abs(input), lambd), shrunk, 0)


@torchsymbol(F.threshold, torch.threshold)
def threshold(input, threshold, value, inplace=False):
    _no_inplace("threshold", inplace)
    _check_tensor("threshold", input)
    return where(gt(input, threshold), input, value)


@torchsymbol(F.prelu, torch.prelu, methods=("prelu",), torch_fn=F.prelu)
def prelu(input, weight):
    """``x`` where positive, else ``weight * x``; ``weight`` has 1 or ``C`` (dim 1) elements."""
    _require_float("prelu", input)
    _check_tensor("prelu", weight, "weight")
    if weight.numel() != 1 and (input.ndim < 2 or weight.numel() != input.shape[1]):
        raise RuntimeError(f"prelu: mismatch between the number of weights ({weight.numel()}) "
                           f"and channels ({input.shape[1] if input.ndim > 1 else 1})")
    if weight.numel() == 1:
        slope = prims.reshape(weight, ()) if weight.ndim else weight
    else:
        slope = _channel_view(prims.reshape(weight, (weight.numel(),)), input.ndim)
    return where(gt(input, 0), input, mul(input, slope))


@torchsymbol(F.glu)
def glu(input, dim=-1):
    """Gated linear unit: the first half of ``dim`` times the sigmoid of the second half."""
    _require_float("glu", input)
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    dim = canonical_dim(dim, input.ndim)
    size = input.shape[dim]
    if size % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {dim} is size "
                           f"{size}")
    starts = [0] * input.ndim
    middle = list(input.shape)
    middle[dim] = size // 2
    first = prims.slice(input, tuple(starts), tuple(middle))
    starts[dim] = size // 2
    second = prims.slice(input, tuple(starts), input.shape)
    return mul(first, sigmoid(second))


# -- softmax family -------------------------------------------------------------------------
# NOTE [stable softmax]
# softmax, log_softmax and logsumexp subtract the maximum along the reduced dim before exp, so
# inputs of any magnitude stay finite. A row of all -inf gives NaN for softmax and log_softmax
# (as in torch) and -inf for logsumexp, whose maximum is replaced by 0 where it is infinite.


def _softmax_args(name, input, dim, _stacklevel, dtype):
    """Canonical (input, dims, dtype); ``torch.softmax(x, dim, dtype)`` passes the dtype in
    ``F.softmax``'s ``_stacklevel`` position, which is accepted here too."""
    _check_tensor(name, input)
    if isinstance(_stacklevel, torch.dtype) and dtype is None:
        dtype = _stacklevel
    if dim is None:
        dim = 0 if input.ndim in (0, 1, 3) else 1
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                      f"call to include dim=X as an argument.", stacklevel=3)
    dims = canonical_dims((dim,), input.ndim)
    if dtype is not None:
        input = maybe_convert(input, dtype)
    if not dtypes.is_inexact(input.dtype):
        raise NotImplementedError(f'"{name}" not implemented for {input.dtype}; pass a floating '
                                  f"dtype= or convert the input")
    return input, dims


def _softmax_torch_impl(torch_fn):
    def impl(input, dim=None, _stacklevel=3, dtype=None):
        if isinstance(_stacklevel, torch.dtype) and dtype is None:
            dtype, _stacklevel = _stacklevel, 3
        return torch_fn(input, dim, _stacklevel, dtype)

    impl.__name__ = torch_fn.__name__
    return impl


@torchsymbol(F.softmax, torch.softmax, torch.special.softmax, methods=("softmax",),
             torch_fn=_softmax_torch_impl(F.softmax))
def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Numerically stable softmax (NOTE [stable softmax]).

    >>> import thunder, torch
    >>> thunder.jit(lambda x: x.softmax(0))(torch.tensor([1e4, 1e4]))
    tensor([0.5000, 0.5000])
    """
    input, dims = _softmax_args("softmax", input, dim, _stacklevel, dtype)
    x = upcast(input)
    unnormalized = exp(sub(x, reduce_amax(x, dims, keep=True)))
    out = div(unnormalized, reduce_sum(unnormalized, dims, keep=True))
    return maybe_convert(out, input.dtype)


@torchsymbol(F.log_softmax, torch.log_softmax, torch.special.log_softmax,
             methods=("log_softmax",), torch_fn=_softmax_torch_impl(F.log_softmax))
def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Numerically stable log-softmax (NOTE [stable softmax])."""
    input, dims = _softmax_args("log_softmax", input, dim, _stacklevel, dtype)
    x = upcast(input)
    shifted = sub(x, reduce_amax(x, dims, keep=True))
    out = sub(shifted, log(reduce_sum(exp(shifted), dims, keep=True)))
    return maybe_convert(out, input.dtype)


@torchsymbol(F.softmin, torch_fn=_softmax_torch_impl(F.softmin))
def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-input)``."""
    input, dims = _softmax_args("softmin", input, dim, _stacklevel, dtype)
    return softmax(neg(input), dims[0] if dims else 0)


@torchsymbol(torch.logsumexp, torch.special.logsumexp, methods=("logsumexp",))
def logsumexp(input, dim, keepdim=False):
    """``log(sum(exp(x)))`` over ``dim`` (NOTE [stable softmax]); integers give float."""
    _check_tensor("logsumexp", input)
    dims = canonical_dims(dim, input.ndim)
    out_dtype = input.dtype if dtypes.is_inexact(input.dtype) else torch.get_default_dtype()
    x = maybe_convert(input, compute_dtype(out_dtype))
    if x.numel() == 0 and not dims:
        return maybe_convert(log(x), out_dtype)
    maxes = reduce_amax(x, dims, keep=True)
    maxes = where(prims.isinf(maxes), 0.0, maxes)
    out = add(log(reduce_sum(exp(sub(x, maxes)), dims, keep=True)), maxes)
    if not keepdim:
        out = prims.squeeze(out, dims)
    return maybe_convert(out, out_dtype)


# -- normalization --------------------------------------------------------------------------


def _normalized_dims(name, input, normalized_shape):
    normalized_shape = ((normalized_shape,) if isinstance(normalized_shape, int)
                        else tuple(normalized_shape))
    n = len(normalized_shape)
    if n == 0 or input.ndim < n or input.shape[input.ndim - n:] != normalized_shape:
        raise RuntimeError(f"{name}: Given normalized_shape={list(normalized_shape)}, expected "
                           f"input with shape [*, {', '.join(map(str, normalized_shape))}], "
                           f"but got input of size{list(input.shape)}")
    return normalized_shape, tuple(range(input.ndim - n, input.ndim))


def _check_param_shape(name, param, what, shape):
    if param is not None and param.shape != tuple(shape):
        raise RuntimeError(f"{name}: Expected {what} to be of shape {list(shape)}, but got "
                           f"{what} of shape {list(param.shape)}")


def _affine(out, weight, bias):
    if weight is not None:
        out = mul(out, upcast(weight))
    if bias is not None:
        out = add(out, upcast(bias))
    return out


@torchsymbol(F.layer_norm, torch.layer_norm)
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """``(x - mean) / sqrt(var + eps) * weight + bias`` over the trailing ``normalized_shape``.

    >>> import thunder, torch
    >>> thunder.jit(torch.nn.functional.layer_norm)(torch.tensor([[1.0, 3.0]]), [2])
    tensor([[-1.0000,  1.0000]])
    """
    _require_float("layer_norm", input)
    normalized_shape, dims = _normalized_dims("layer_norm", input, normalized_shape)
    _check_param_shape("layer_norm", weight, "weight", normalized_shape)
    _check_param_shape("layer_norm", bias, "bias", normalized_shape)
    x = upcast(input)
    var, mean = var_mean(x, dims, keep=True)
    out = mul(sub(x, mean), rsqrt(add(var, eps)))
    return maybe_convert(_affine(out, weight, bias), input.dtype)


@torchsymbol(F.rms_norm, torch.rms_norm)
def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``x / sqrt(mean(x**2) + eps) * weight``; ``eps=None`` means the dtype's epsilon."""
    _require_float("rms_norm", input)
    normalized_shape, dims = _normalized_dims("rms_norm", input, normalized_shape)
    _check_param_shape("rms_norm", weight, "weight", normalized_shape)
    if eps is None:
        eps = torch.finfo(input.dtype).eps
    x = upcast(input)
    out = mul(x, rsqrt(add(reduce_mean(mul(x, x), dims, keep=True), eps)))
    return maybe_convert(_affine(out, weight, None), input.dtype)


@torchsymbol(F.group_norm, torch.group_norm)
def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Normalize each of ``num_groups`` channel groups of each sample of an (N, C, *) input."""
    _require_float("group_norm", input)
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: Expected at least 2 dimensions for input tensor but "
                           f"received {input.ndim}")
    n, c = input.shape[0], input.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    _check_param_shape("group_norm", weight, "weight", (c,))
    _check_param_shape("group_norm", bias, "bias", (c,))
    x = upcast(input)
    grouped = prims.reshape(x, (n, num_groups, x.numel() // max(n * num_groups, 1)))
    var, mean = var_mean(grouped, (2,), keep=True)
    out = prims.reshape(mul(sub(grouped, mean), rsqrt(add(var, eps))), input.shape)
    weight = None if weight is None else _channel_view(weight, input.ndim)
    bias = None if bias is None else _channel_view(bias, input.ndim)
    return maybe_convert(_affine(out, weight, bias), input.dtype)


def _stats_normalize(x, mean, var, eps, weight, bias):
    """``(x - mean) / sqrt(var + eps)`` with per-channel (dim 1) statistics and affine."""
    ndim = x.ndim
    mean = _channel_view(upcast(mean), ndim) if mean.ndim == 1 else upcast(mean)
    var = _channel_view(upcast(var), ndim) if var.ndim == 1 else upcast(var)
    out = mul(sub(x, mean), rsqrt(add(var, eps)))
    weight = None if weight is None else _channel_view(weight, ndim)
    bias = None if bias is None else _channel_view(bias, ndim)
    return _affine(out, weight, bias)


@torchsymbol(F.batch_norm)
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-05):
    """Batch normalization over an (N, C, *) input.

    ``training=False`` uses the running statistics. ``training=True`` uses the batch
    statistics; when running statistics are given torch also updates them in place, which is
    not supported yet and raises ``NotImplementedError`` (NOTE [in-place nn arguments]).
    """
    _require_float("batch_norm", input)
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected 2D or more input (got {input.ndim}D input)")
    c = input.shape[1]
    for param, what in ((weight, "weight"), (bias, "bias"), (running_mean, "running_mean"),
                        (running_var, "running_var")):
        if param is not None and param.numel() != c:
            raise RuntimeError(f"batch_norm: {what} should contain {c} elements not "
                               f"{param.numel()}")
    x = upcast(input)
    if not training:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm: running_mean and running_var must be defined in "
                               "evaluation mode")
        out = _stats_normalize(x, running_mean, running_var, eps, weight, bias)
        return maybe_convert(out, input.dtype)
    if running_mean is not None or running_var is not None:
        raise NotImplementedError("batch_norm(training=True) with running statistics updates "
                                  "them in place, which is not supported yet; see NOTE "
                                  "[in-place nn arguments] in thunder/torch/nn.py")
    if input.numel() // c <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {list(input.shape)}")
    dims = (0,) + tuple(range(2, input.ndim))
    var, mean = var_mean(x, dims, keep=True)
    out = _stats_normalize(x, mean, var, eps, weight, bias)
    return maybe_convert(out, input.dtype)


@torchsymbol(F.instance_norm)
def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-05):
    """Normalize each channel of each sample of an (N, C, *) input over its spatial dims."""
    _require_float("instance_norm", input)
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected 3D or more input (got {input.ndim}D input)")
    x = upcast(input)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("instance_norm: Expected running_mean and running_var to be "
                               "defined when use_input_stats is false")
        out = _stats_normalize(x, running_mean, running_var, eps, weight, bias)
        return maybe_convert(out, input.dtype)
    if running_mean is not None or running_var is not None:
        raise NotImplementedError("instance_norm(use_input_stats=True) with running statistics "
                                  "updates them in place, which is not supported yet; see NOTE "
                                  "[in-place nn arguments] in thunder/torch/nn.py")
    dims = tuple(range(2, input.ndim))
    if input.numel() // (input.shape[0] * input.shape[1] or 1) <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{list(input.shape)}")
    var, mean = var_mean(x, dims, keep=True)
    out = _stats_normalize(x, mean, var, eps, weight, bias)
    return maybe_convert(out, input.dtype)


def vector_norm(x, p, dims, keep):
    """The p-norm over ``dims`` for p in (0, inf, -inf, positive numbers)."""
    magnitude = abs(x)
    if p == 2:
        return prims.sqrt(reduce_sum(mul(magnitude, magnitude), dims, keep))
    if p == 1:
        return reduce_sum(magnitude, dims, keep)
    if p == float("inf"):
        return reduce_amax(magnitude, dims, keep)
    if p == -float("inf"):
        out = prims.amin(magnitude, dims)
        return keepdim(out, x.shape, dims) if keep else out
    if p == 0:
        return reduce_sum(maybe_convert(prims.ne(magnitude, 0), x.dtype), dims, keep)
    powered = reduce_sum(prims.pow(magnitude, float(p)), dims, keep)
    return prims.pow(powered, 1.0 / p)


@torchsymbol(F.normalize)
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(norm_p(input, dim), eps)``."""
    _require_float("normalize", input)
    if out is not None:
        raise NotImplementedError("normalize(out=...) is not supported; use the return value")
    dims = canonical_dims((dim,), input.ndim)
    x = upcast(input)
    denom = bound_below(vector_norm(x, p, dims, True), float(eps))
    return maybe_convert(div(x, expand_to(denom, x.shape)), input.dtype)


# -- dropout, embedding, attention ----------------------------------------------------------


@torchsymbol(F.dropout)
def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    The decomposition draws with ``prims.uniform``; the torch executor runs ``F.dropout``
    itself, so under ``torch.manual_seed`` it draws the same mask as eager.
    """
    _check_tensor("dropout", input)
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    _no_inplace("dropout", inplace)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return mul(input, 0.0)
    random = prims.uniform(input.shape, 0.0, 1.0, device=input.device,
                           dtype=compute_dtype(input.dtype))
    keep = prims.lt(random, 1.0 - p)
    return mul(mul(input, keep), 1.0 / (1.0 - p))


@torchsymbol(F.embedding)
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` picked by the integer tensor ``input`` (``padding_idx`` only matters
    for the gradient)."""
    _check_tensor("embedding", input)
    _check_tensor("embedding", weight, "weight")
    if input.dtype not in (torch.int64, torch.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {input.dtype} instead "
                           f"(while checking arguments for embedding)")
    if weight.ndim != 2:
        raise RuntimeError("embedding: 'weight' must be 2-D")
    if max_norm is not None:
        raise NotImplementedError("embedding(max_norm=...) renormalizes weight in place, which "
                                  "is not supported yet; see NOTE [in-place nn arguments]")
    if padding_idx is not None:
        size = weight.shape[0]
        if not -size <= padding_idx < size:
            raise AssertionError("Padding_idx must be within num_embeddings")
    return prims.take(weight, input, 0)


def _causal_mask(length, source_length, device):
    """Bool (L, S) tensor, True where key position <= query position (top-left aligned)."""
    rows = prims.iota(length, start=0, step=1, device=device, dtype=torch.int64)
    cols = prims.iota(source_length, start=0, step=1, device=device, dtype=torch.int64)
    shape = (length, source_length)
    return prims.ge(prims.broadcast_in_dim(rows, shape, (0,)),
                    prims.broadcast_in_dim(cols, shape, (1,)))


def _repeat_heads(t, groups):
    """(..., H, S, E) -> (..., H * groups, S, E), each head repeated ``groups`` times."""
    *batch, heads, s, e = t.shape
    nb = len(batch)
    expanded = prims.broadcast_in_dim(t, (*batch, heads, groups, s, e),
                                      tuple(range(nb)) + (nb, nb + 2, nb + 3))
    return prims.reshape(expanded, (*batch, heads * groups, s, e))


@torchsymbol(F.scaled_dot_product_attention)
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """``softmax(q @ k^T * scale + mask) @ v``, as the math reference of torch.

    A bool mask keeps the positions where it is True, a float mask is added; ``is_causal``
    masks future keys (top-left aligned; with a mask too, both apply, as in torch's math
    path). Rows with every key masked give zeros, as in torch. ``dropout_p > 0`` drops
    attention weights with ``dropout`` (the torch executor runs the whole op with torch's RNG).
    """
    for name, t in (("query", query), ("key", key), ("value", value)):
        _check_tensor("scaled_dot_product_attention", t, name)
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError("scaled_dot_product_attention: query, key and value must have at "
                           "least 2 dimensions")
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(f"scaled_dot_product_attention: Expected query, key, and value to "
                           f"have the same dtype, but got query.dtype: {query.dtype}, "
                           f"key.dtype: {key.dtype}, and value.dtype: {value.dtype} instead.")
    _require_float("scaled_dot_product_attention", query)
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        heads, kv_heads = query.shape[-3], key.shape[-3]
        if kv_heads == 0 or heads % kv_heads or value.shape[-3] != kv_heads:
            raise RuntimeError(f"scaled_dot_product_attention: number of query heads "
                               f"({heads}) must be a multiple of key/value heads ({kv_heads})")
        key = _repeat_heads(key, heads // kv_heads)
        value = _repeat_heads(value, heads // kv_heads)
    length, source_length = query.shape[-2], key.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    q, k, v = upcast(query), upcast(key), upcast(value)
    key_t = prims.transpose(k, tuple(range(k.ndim - 2)) + (k.ndim - 1, k.ndim - 2))
    scores = mul(matmul(q, key_t), scale)
    if attn_mask is not None:
        _check_tensor("scaled_dot_product_attention", attn_mask, "attn_mask")
        if attn_mask.dtype is torch.bool:
            scores = where(attn_mask, scores, -float("inf"))
        elif attn_mask.dtype == query.dtype:
            scores = add(scores, upcast(attn_mask))
        else:
            raise RuntimeError(f"scaled_dot_product_attention: Expected attn_mask dtype to be "
                               f"bool or float or to match query dtype, but got attn_mask.dtype:"
                               f" {attn_mask.dtype} and query.dtype: {query.dtype} instead.")
    if is_causal:
        scores = where(_causal_mask(length, source_length, query.device), scores,
                       -float("inf"))
    row_max = reduce_amax(scores, (scores.ndim - 1,), keep=True)
    probs = softmax(scores, -1)
    probs = where(eq(expand_to(row_max, scores.shape), -float("inf")), 0.0, probs)
    if dropout_p > 0.0:
        probs = dropout(probs, dropout_p)
    return maybe_convert(matmul(probs, v), query.dtype)


__all__ = [
    "clamp", "clamp_min", "clamp_max", "lerp",
    "relu", "relu6", "hardtanh", "leaky_relu", "elu", "selu", "celu", "gelu", "silu",
    "softplus", "mish", "softsign", "hardsigmoid", "hardswish", "logsigmoid", "tanhshrink",
    "hardshrink", "softshrink", "threshold", "prelu", "glu",
    "softmax", "log_softmax", "softmin", "logsumexp",
    "layer_norm", "rms_norm", "group_norm", "batch_norm", "instance_norm", "normalize",
    "dropout", "embedding", "scaled_dot_product_attention",
]
