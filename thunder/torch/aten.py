"""Torch-level ``torch.ops.aten.*`` operators: the overloads common in exported and model code.

Each symbol is registered for the overload packet (``torch.ops.aten.add``) and its overloads
(``torch.ops.aten.add.Tensor``); all are hashable callables the interpreter's lookaside maps to
the symbol. The packet comes first, so the torch executor runs the packet, which picks the
overload from the arguments as eager does. Each function has aten's signature and reuses the
torch-level operators; symbol names are ``aten_<op>`` so they never shadow a ``torch.*`` name.
"""

import torch

from thunder.torch.conversion import convert
from thunder.torch.creation import arange, empty, full, ones, scalar_tensor, zeros
from thunder.torch.elementwise import (
    add, div, exp, mul, neg, pow, rsqrt, sigmoid, sqrt, sub, tanh, where,
)
from thunder.torch.linalg import addmm, bmm, mm
from thunder.torch.nn import embedding, gelu, log_softmax, relu, silu, softmax, upcast, var_mean
from thunder.torch.reductions import amax, mean, sum
from thunder.torch.registry import torchsymbol
from thunder.torch.shape import (
    cat, clone, expand, permute, reshape, select, slice_in_dim, squeeze, t, transpose, unsqueeze,
    view,
)
from thunder.torch.utils import canonical_dim, maybe_convert

aten = torch.ops.aten


def _aten(packet_name, *overloads):
    """Register the decorated function for ``aten.<packet_name>`` and the named overloads."""
    packet = getattr(aten, packet_name)
    callables = [packet] + [getattr(packet, o) for o in overloads]

    def run(*args, **kwargs):  # what the torch executor calls; aten objects print no path
        return packet(*args, **kwargs)

    run.__name__ = run.__qualname__ = f"aten_{packet_name}"
    return torchsymbol(*callables, name=f"aten_{packet_name.lstrip('_')}", torch_fn=run)


@_aten("lift", "default")
def aten_lift(self):
    """``aten.lift``: the tensor itself (it only marks a constant for functionalization)."""
    return self


@_aten("lift_fresh", "default")
def aten_lift_fresh(self):
    return self


@_aten("lift_fresh_copy", "default")
def aten_lift_fresh_copy(self):
    """``aten.lift_fresh_copy``: a fresh copy of a tensor constant."""
    return clone(self)


@_aten("add", "Tensor", "Scalar")
def aten_add(self, other, *, alpha=1):
    return add(self, other, alpha=alpha)


@_aten("sub", "Tensor", "Scalar")
def aten_sub(self, other, *, alpha=1):
    return sub(self, other, alpha=alpha)


@_aten("mul", "Tensor", "Scalar")
def aten_mul(self, other):
    return mul(self, other)


@_aten("div", "Tensor", "Scalar", "Tensor_mode")
def aten_div(self, other, *, rounding_mode=None):
    return div(self, other, rounding_mode=rounding_mode)


@_aten("pow", "Tensor_Scalar", "Tensor_Tensor")
def aten_pow(self, exponent):
    return pow(self, exponent)


@_aten("neg", "default")
def aten_neg(self):
    return neg(self)


@_aten("exp", "default")
def aten_exp(self):
    return exp(self)


@_aten("sqrt", "default")
def aten_sqrt(self):
    return sqrt(self)


@_aten("rsqrt", "default")
def aten_rsqrt(self):
    return rsqrt(self)


@_aten("tanh", "default")
def aten_tanh(self):
    return tanh(self)


@_aten("sigmoid", "default")
def aten_sigmoid(self):
    return sigmoid(self)


@_aten("mm", "default")
def aten_mm(self, mat2):
    return mm(self, mat2)


@_aten("bmm", "default")
def aten_bmm(self, mat2):
    return bmm(self, mat2)


@_aten("addmm", "default")
def aten_addmm(self, mat1, mat2, *, beta=1, alpha=1):
    return addmm(self, mat1, mat2, beta=beta, alpha=alpha)


@_aten("view", "default")
def aten_view(self, size):
    return view(self, tuple(size))


@_aten("_unsafe_view", "default")
def aten_unsafe_view(self, size):
    return reshape(self, tuple(size))


@_aten("reshape", "default")
def aten_reshape(self, shape):
    return reshape(self, tuple(shape))


@_aten("permute", "default")
def aten_permute(self, dims):
    return permute(self, tuple(dims))


@_aten("t", "default")
def aten_t(self):
    return t(self)


@_aten("transpose", "int")
def aten_transpose(self, dim0, dim1):
    return transpose(self, dim0, dim1)


@_aten("expand", "default")
def aten_expand(self, size, *, implicit=False):
    return expand(self, tuple(size))


@_aten("clone", "default")
def aten_clone(self, *, memory_format=None):
    return clone(self)


@_aten("_to_copy", "default")
def aten_to_copy(self, *, dtype=None, layout=None, device=None, pin_memory=None,
                 non_blocking=False, memory_format=None):
    """``aten._to_copy``: always a new tensor, converted to ``dtype``/``device`` if given."""
    return convert(self, dtype=dtype, device=device, copy=True)


@_aten("relu", "default")
def aten_relu(self):
    return relu(self)


@_aten("gelu", "default")
def aten_gelu(self, *, approximate="none"):
    return gelu(self, approximate=approximate)


@_aten("silu", "default")
def aten_silu(self):
    return silu(self)


def _half_to_float(self, half_to_float):
    if half_to_float and self.dtype in (torch.float16, torch.bfloat16):
        return torch.float32
    return None


@_aten("_softmax", "default")
def aten_softmax(self, dim, half_to_float):
    return softmax(self, dim, dtype=_half_to_float(self, half_to_float))


@_aten("_log_softmax", "default")
def aten_log_softmax(self, dim, half_to_float):
    return log_softmax(self, dim, dtype=_half_to_float(self, half_to_float))


@_aten("native_layer_norm", "default")
def aten_native_layer_norm(input, normalized_shape, weight, bias, eps):
    """``aten.native_layer_norm``: (output, mean, rstd); the statistics keep size-1 dims."""
    normalized_shape = tuple(normalized_shape)
    axis = input.ndim - len(normalized_shape)
    if axis < 0 or input.shape[axis:] != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input "
                           f"with shape [*, {', '.join(str(s) for s in normalized_shape)}], but "
                           f"got input of size{list(input.shape)}")
    dims = tuple(range(axis, input.ndim))
    x = upcast(input)
    var, mean_ = var_mean(x, dims, keep=True)
    rstd = rsqrt(add(var, eps))
    out = mul(sub(x, expand(mean_, x.shape)), expand(rstd, x.shape))
    if weight is not None:
        out = mul(out, weight)
    if bias is not None:
        out = add(out, bias)
    return (maybe_convert(out, input.dtype), maybe_convert(mean_, input.dtype),
            maybe_convert(rstd, input.dtype))


@_aten("embedding", "default")
def aten_embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    return embedding(indices, weight)


@_aten("cat", "default")
def aten_cat(tensors, dim=0):
    return cat(tensors, dim)


@_aten("slice", "Tensor")
def aten_slice(self, dim=0, start=None, end=None, step=1):
    """``aten.slice``: ``self[start:end:step]`` along ``dim`` with Python's clamping."""
    d = canonical_dim(dim, self.ndim)
    size = self.shape[d]
    start, stop, step = slice(start, end, step).indices(size)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    return slice_in_dim(self, d, start, max(stop, start), step)


@_aten("select", "int")
def aten_select(self, dim, index):
    return select(self, dim, index)


@_aten("unsqueeze", "default")
def aten_unsqueeze(self, dim):
    return unsqueeze(self, dim)


@_aten("squeeze", "dim", "dims", "default")
def aten_squeeze(self, dim=None):
    return squeeze(self, dim) if dim is not None else squeeze(self)


@_aten("sum", "dim_IntList", "default")
def aten_sum(self, dim=None, keepdim=False, *, dtype=None):
    return sum(self, dim, keepdim, dtype=dtype)


@_aten("mean", "dim", "default")
def aten_mean(self, dim=None, keepdim=False, *, dtype=None):
    return mean(self, dim, keepdim, dtype=dtype)


@_aten("amax", "default")
def aten_amax(self, dim=(), keepdim=False):
    return amax(self, dim, keepdim)


@_aten("where", "self")
def aten_where(condition, self, other):
    return where(condition, self, other)


@_aten("scalar_tensor", "default")
def aten_scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=None):
    return scalar_tensor(s, dtype=dtype, device=device)


@_aten("full", "default")
def aten_full(size, fill_value, *, dtype=None, layout=None, device=None, pin_memory=None):
    return full(tuple(size), fill_value, dtype=dtype, device=device)


@_aten("arange", "default", "start", "start_step")
def aten_arange(start, end=None, step=1, *, dtype=None, layout=None, device=None,
                pin_memory=None):
    return arange(start, end, step, dtype=dtype, device=device)


@_aten("zeros", "default")
def aten_zeros(size, *, dtype=None, layout=None, device=None, pin_memory=None):
    return zeros(tuple(size), dtype=dtype, device=device)


@_aten("ones", "default")
def aten_ones(size, *, dtype=None, layout=None, device=None, pin_memory=None):
    return ones(tuple(size), dtype=dtype, device=device)


@_aten("empty", "memory_format")
def aten_empty(size, *, dtype=None, layout=None, device=None, pin_memory=None,
               memory_format=None):
    return empty(tuple(size), dtype=dtype, device=device)


__all__ = [name for name in dir() if name.startswith("aten_")]
