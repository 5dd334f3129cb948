"""Torch-level operators of no larger family: sorting and scans, small matrix helpers
(``diag``, ``trace``, ``cross``, ``kron``), distances, complex construction, comparisons with
tolerance and a set of elementwise compositions (``logaddexp``, ``xlogy``, ``sinc``, ...).

Sorting records ``prims.sort``/``prims.topk``; ``cummax``/``cummin``/``logcumsumexp`` and
``searchsorted`` record their prims from ``thunder/core/prims/special.py``; everything else is a
composition of existing torch-level operators. ``allclose`` and ``equal`` return a Python bool
that depends on the data, so they raise ``NotImplementedError`` naming the operator.
"""

import collections
import math

import torch
import torch.nn.functional as F

from thunder.core import dtypes, prims
from thunder.core.proxies import TensorProxy
from thunder.torch.creation import arange, full, zeros
from thunder.torch.elementwise import (
    abs, add, cos, div, eq, exp, gt, isinf, isnan, le, log, log1p, logical_and, logical_not,
    logical_or, lt, maximum, minimum, mul, ne, neg, pow, sign, sin, sqrt, sub, trunc, where,
)
from thunder.torch.nn import clamp, vector_norm
from thunder.torch.reductions import sum
from thunder.torch.registry import torchsymbol
from thunder.torch.shape import cat, diagonal, reshape, stack, unsqueeze
from thunder.torch.utils import (
    broadcast_shapes, canonical_dim, elementwise_inputs, expand_to, maybe_convert,
)

SortResult = collections.namedtuple("sort", ["values", "indices"])
TopkResult = collections.namedtuple("topk", ["values", "indices"])
KthvalueResult = collections.namedtuple("kthvalue", ["values", "indices"])
CummaxResult = collections.namedtuple("cummax", ["values", "indices"])
CumminResult = collections.namedtuple("cummin", ["values", "indices"])


def _check_tensor(name, a, arg="input"):
    if not isinstance(a, TensorProxy):
        raise TypeError(f"{name}(): argument '{arg}' must be Tensor, not {type(a).__name__}")


def _as_float(a):
    return a if dtypes.is_inexact(a.dtype) else maybe_convert(a, torch.get_default_dtype())


# -- sorting and scans ----------------------------------------------------------------------


@torchsymbol(torch.sort, methods=("sort",))
def sort(input, dim=-1, descending=False, *, stable=False):
    """``torch.sort`` along ``dim``: (values, indices).

    >>> import thunder, torch
    >>> thunder.jit(torch.sort)(torch.tensor([3., 1., 2.])).values
    tensor([1., 2., 3.])
    """
    _check_tensor("sort", input)
    if input.ndim == 0:
        return SortResult(prims.convert_element_type(input, input.dtype),
                          zeros((), dtype=torch.int64, device=input.device))
    d = canonical_dim(dim, input.ndim)
    return SortResult(*prims.sort(input, d, descending, bool(stable)))


@torchsymbol(torch.argsort, methods=("argsort",))
def argsort(input, dim=-1, descending=False, *, stable=False):
    return sort(input, dim, descending, stable=stable)[1]


@torchsymbol(torch.msort, methods=("msort",))
def msort(input):
    return sort(input, 0)[0]


@torchsymbol(torch.topk, methods=("topk",))
def topk(input, k, dim=-1, largest=True, sorted=True):
    _check_tensor("topk", input)
    d = canonical_dim(dim, input.ndim)
    size = input.shape[d] if input.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError(f"selected index k out of range")
    if input.ndim == 0:
        return TopkResult(prims.convert_element_type(input, input.dtype),
                          zeros((), dtype=torch.int64, device=input.device))
    return TopkResult(*prims.topk(input, k, d, largest, sorted))


@torchsymbol(torch.kthvalue, methods=("kthvalue",))
def kthvalue(input, k, dim=-1, keepdim=False):
    _check_tensor("kthvalue", input)
    d = canonical_dim(dim, input.ndim)
    size = input.shape[d] if input.ndim else 1
    if not 1 <= k <= size:
        raise IndexError(f"kthvalue(): selected number k out of range for dimension {dim}")
    if input.ndim == 0:
        return KthvalueResult(prims.convert_element_type(input, input.dtype),
                              zeros((), dtype=torch.int64, device=input.device))
    values, indices = prims.sort(input, d, False, True)
    starts = [0] * input.ndim
    stops = list(input.shape)
    starts[d], stops[d] = k - 1, k
    values = prims.slice(values, tuple(starts), tuple(stops), (1,) * input.ndim)
    indices = prims.slice(indices, tuple(starts), tuple(stops), (1,) * input.ndim)
    if not keepdim:
        values, indices = prims.squeeze(values, (d,)), prims.squeeze(indices, (d,))
    return KthvalueResult(values, indices)


def _scan(name, prim, input, dim, result):
    _check_tensor(name, input)
    d = canonical_dim(dim, input.ndim)
    if input.ndim == 0:
        return result(prims.convert_element_type(input, input.dtype),
                      zeros((), dtype=torch.int64, device=input.device))
    return result(*prim(input, d))


@torchsymbol(torch.cummax, methods=("cummax",))
def cummax(input, dim):
    return _scan("cummax", prims.cummax, input, dim, CummaxResult)


@torchsymbol(torch.cummin, methods=("cummin",))
def cummin(input, dim):
    return _scan("cummin", prims.cummin, input, dim, CumminResult)


@torchsymbol(torch.logcumsumexp, methods=("logcumsumexp",))
def logcumsumexp(input, dim):
    _check_tensor("logcumsumexp", input)
    d = canonical_dim(dim, input.ndim)
    a = _as_float(input)
    if a.ndim == 0:
        return prims.convert_element_type(a, a.dtype)
    return prims.logcumsumexp(a, d)


@torchsymbol(torch.searchsorted)
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None, out=None):
    _check_tensor("searchsorted", sorted_sequence, "sorted_sequence")
    if sorter is not None or out is not None:
        raise NotImplementedError("searchsorted(sorter=..., out=...) is not supported")
    if side is not None:
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites,"
                               " got side of left while right was True")
        right = side == "right"
    if not isinstance(input, TensorProxy):
        input = full((), input, dtype=sorted_sequence.dtype, device=sorted_sequence.device)
    return prims.searchsorted(sorted_sequence, input, bool(right), bool(out_int32))


@torchsymbol(torch.bucketize)
def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    _check_tensor("bucketize", boundaries, "boundaries")
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


# -- matrix helpers -------------------------------------------------------------------------


@torchsymbol(torch.diag, methods=("diag",))
def diag(input, diagonal=0):
    """``torch.diag``: the diagonal of a matrix, or a matrix with a vector on its diagonal."""
    _check_tensor("diag", input)
    if input.ndim == 2:
        return prims.convert_element_type(_diagonal(input, diagonal), input.dtype)
    if input.ndim != 1:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
    return diag_embed(input, diagonal)


def _diagonal(a, offset):
    return diagonal(a, offset, 0, 1)


@torchsymbol(torch.diag_embed, methods=("diag_embed",))
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Place the last dim of ``input`` on the ``offset`` diagonal of new dims ``dim1, dim2``."""
    _check_tensor("diag_embed", input)
    n = input.shape[-1] + abs_int(offset)
    ndim = input.ndim + 1
    d1, d2 = canonical_dim(dim1, ndim), canonical_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    rows = arange(n, device=input.device)
    cols = arange(n, device=input.device)
    mask = eq(sub(unsqueeze(cols, 0), unsqueeze(rows, 1)), offset)  # (n, n)
    batch = input.shape[:-1]
    config = [(0, 0, 0)] * (input.ndim - 1) + [(max(offset, 0), max(-offset, 0), 0)]
    vec = prims.pad(input, 0, tuple(config)) if offset else input  # (*batch, n)
    # on the diagonal, entry (i, j) holds vec[j]: vec is input shifted right by the offset
    spread = prims.broadcast_in_dim(vec, batch + (n, n),
                                    tuple(range(len(batch))) + (len(batch) + 1,))
    filled = where(expand_to(mask, batch + (n, n)), spread, 0)
    perm = [None] * ndim
    rest = iter(range(len(batch)))
    for i in range(ndim):
        if i == d1:
            perm[i] = len(batch)
        elif i == d2:
            perm[i] = len(batch) + 1
        else:
            perm[i] = next(rest)
    out = prims.transpose(filled, tuple(perm))
    return prims.convert_element_type(out, input.dtype)


def abs_int(x):
    return x if x >= 0 else -x


@torchsymbol(torch.trace, methods=("trace",))
def trace(input):
    _check_tensor("trace", input)
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return sum(_diagonal(input, 0))


@torchsymbol(torch.linalg.cross)
def linalg_cross(input, other, *, dim=-1):
    _check_tensor("linalg.cross", input)
    _check_tensor("linalg.cross", other, "other")
    (a, b), _ = elementwise_inputs(input, other)
    d = canonical_dim(dim, a.ndim)
    if a.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d] if d < input.ndim else None} and "
                           f"{other.shape[d] if d < other.ndim else None}")

    def part(t, i):
        starts = [0] * t.ndim
        stops = list(t.shape)
        starts[d], stops[d] = i, i + 1
        return prims.slice(t, tuple(starts), tuple(stops), (1,) * t.ndim)

    ax, ay, az = (part(a, i) for i in range(3))
    bx, by, bz = (part(b, i) for i in range(3))
    return cat([sub(mul(ay, bz), mul(az, by)), sub(mul(az, bx), mul(ax, bz)),
                sub(mul(ax, by), mul(ay, bx))], d)


@torchsymbol(torch.cross, methods=("cross",))
def cross(input, other, dim=None):
    if dim is None:
        shape = broadcast_shapes(input.shape, other.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim)


@torchsymbol(torch.kron, methods=("kron",))
def kron(input, other):
    _check_tensor("kron", input)
    _check_tensor("kron", other, "other")
    ndim = max(input.ndim, other.ndim)
    a = reshape(input, (1,) * (ndim - input.ndim) + input.shape)
    b = reshape(other, (1,) * (ndim - other.ndim) + other.shape)
    a_shape = tuple(x for s in a.shape for x in (s, 1))
    b_shape = tuple(x for s in b.shape for x in (1, s))
    product = mul(reshape(a, a_shape), reshape(b, b_shape))
    return reshape(product, tuple(x * y for x, y in zip(a.shape, b.shape)))


# -- distances ------------------------------------------------------------------------------


@torchsymbol(torch.cdist)
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Pairwise p-norm distances between the rows of ``x1`` and ``x2`` (batched)."""
    _check_tensor("cdist", x1, "x1")
    _check_tensor("cdist", x2, "x2")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    diff = sub(unsqueeze(x1, -2), unsqueeze(x2, -3))
    return vector_norm(diff, p, (diff.ndim - 1,), False)


@torchsymbol(F.pairwise_distance, torch.pairwise_distance)
def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    diff = add(sub(x1, x2), eps)
    ndim = max(x1.ndim, x2.ndim)
    if ndim == 0:
        return vector_norm(diff, p, (), False)
    return vector_norm(diff, p, (diff.ndim - 1,), keepdim)


@torchsymbol(F.cosine_similarity, torch.cosine_similarity)
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``sum(x1 * x2) / sqrt(clamp_min(|x1|^2 * |x2|^2, eps^2))`` over ``dim``."""
    (a, b), _ = elementwise_inputs(x1, x2)
    d = canonical_dim(dim, a.ndim)
    dot = sum(mul(a, b), d)
    norms = mul(sum(mul(a, a), d), sum(mul(b, b), d))
    return div(dot, sqrt(clamp(norms, min=eps * eps)))


@torchsymbol(torch.dist, methods=("dist",))
def dist(input, other, p=2):
    diff = sub(input, other)
    return vector_norm(diff, p, tuple(range(diff.ndim)), False)


# -- complex numbers ------------------------------------------------------------------------


@torchsymbol(torch.complex)
def complex(real, imag):
    _check_tensor("complex", real, "real")
    _check_tensor("complex", imag, "imag")
    if real.dtype != imag.dtype or real.dtype not in (torch.float16, torch.float32,
                                                       torch.float64):
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{real.dtype} and {imag.dtype}")
    (real, imag), _ = elementwise_inputs(real, imag)
    return prims.complex(real, imag)


@torchsymbol(torch.polar)
def polar(abs, angle):
    return complex(mul(abs, cos(angle)), mul(abs, sin(angle)))


@torchsymbol(torch.view_as_real)
def view_as_real(input):
    _check_tensor("view_as_real", input)
    if not input.dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return stack([prims.real(input), prims.imag(input)], -1)


@torchsymbol(torch.view_as_complex)
def view_as_complex(input):
    _check_tensor("view_as_complex", input)
    if input.ndim == 0 or input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if input.dtype not in (torch.float16, torch.float32, torch.float64):
        raise RuntimeError(f"view_as_complex is only supported for float tensors, but got a "
                           f"tensor of scalar type: {input.dtype}")
    last = input.ndim - 1
    real = prims.squeeze(prims.slice(input, (0,) * input.ndim, input.shape[:-1] + (1,),
                                     (1,) * input.ndim), (last,))
    imag = prims.squeeze(prims.slice(input, (0,) * last + (1,), input.shape,
                                     (1,) * input.ndim), (last,))
    return prims.complex(real, imag)


@torchsymbol(torch.sgn, methods=("sgn",))
def sgn(input):
    """``x / |x|`` for complex inputs (0 at 0); ``sign`` otherwise."""
    _check_tensor("sgn", input)
    if not input.dtype.is_complex:
        return sign(input)
    magnitude = prims.abs(input)
    safe = where(eq(magnitude, 0), 1.0, magnitude)
    return where(eq(magnitude, 0), 0, div(input, safe))


# -- comparisons with tolerance -------------------------------------------------------------


@torchsymbol(torch.isclose, methods=("isclose",))
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|input - other| <= atol + rtol * |other|``; equal values (infinities) are close."""
    _check_tensor("isclose", input)
    _check_tensor("isclose", other, "other")
    if input.dtype != other.dtype:
        raise RuntimeError(f"{input.dtype} did not match {other.dtype}")
    if rtol < 0 or atol < 0:
        raise RuntimeError(f"{'rtol' if rtol < 0 else 'atol'} must be greater than or equal to "
                           f"zero, but got {rtol if rtol < 0 else atol}")
    same = eq(input, other)
    if equal_nan and dtypes.is_inexact(input.dtype):
        same = logical_or(same, logical_and(isnan(input), isnan(other)))
    if input.dtype is torch.bool or (not dtypes.is_inexact(input.dtype) and atol == 0
                                     and rtol == 0):
        return same
    a = _as_float(input) if not dtypes.is_inexact(input.dtype) else input
    b = _as_float(other) if not dtypes.is_inexact(other.dtype) else other
    tolerance = add(atol, mul(rtol, abs(b)))
    close = le(abs(sub(a, b)), tolerance)
    finite = logical_and(logical_not(isinf(a)), logical_not(isinf(b)))
    return logical_or(same, logical_and(finite, close))


def _data_dependent(name):
    raise NotImplementedError(f"{name} returns a Python bool that depends on the tensor data; "
                              f"use torch.isclose(...).all() or torch.eq(...).all() instead")


@torchsymbol(torch.allclose, methods=("allclose",))
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    _data_dependent("torch.allclose")


@torchsymbol(torch.equal, methods=("equal",))
def equal(input, other):
    _data_dependent("torch.equal")


# -- elementwise compositions ---------------------------------------------------------------


@torchsymbol(torch.nan_to_num, methods=("nan_to_num",))
def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    _check_tensor("nan_to_num", input)
    if not dtypes.is_inexact(input.dtype):
        return prims.convert_element_type(input, input.dtype)
    if input.dtype.is_complex:
        return complex(nan_to_num(prims.real(input), nan, posinf, neginf),
                       nan_to_num(prims.imag(input), nan, posinf, neginf))
    info = torch.finfo(input.dtype)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    out = where(isnan(input), nan, input)
    out = where(logical_and(isinf(out), gt(out, 0)), posinf, out)
    return where(logical_and(isinf(out), lt(out, 0)), neginf, out)


@torchsymbol(torch.logaddexp, methods=("logaddexp",))
def logaddexp(input, other):
    """``log(exp(a) + exp(b))`` computed as ``max + log1p(exp(-|a - b|))``."""
    (a, b), _ = elementwise_inputs(input, other)
    a, b = _as_float(a), _as_float(b)
    big = maximum(a, b)
    both_inf = logical_and(isinf(a), eq(a, b))
    out = add(big, log1p(exp(neg(abs(sub(a, b))))))
    return where(both_inf, a, out)


@torchsymbol(torch.logaddexp2, methods=("logaddexp2",))
def logaddexp2(input, other):
    (a, b), _ = elementwise_inputs(input, other)
    a, b = _as_float(a), _as_float(b)
    big = maximum(a, b)
    both_inf = logical_and(isinf(a), eq(a, b))
    out = add(big, div(log1p(pow(2.0, neg(abs(sub(a, b))))), math.log(2)))
    return where(both_inf, a, out)


@torchsymbol(torch.xlogy, torch.special.xlogy, methods=("xlogy",))
def xlogy(input, other):
    """``input * log(other)``, 0 where ``input == 0`` (unless ``other`` is NaN)."""
    if not isinstance(input, TensorProxy) and not isinstance(other, TensorProxy):
        raise TypeError("xlogy(): expected at least one tensor operand")
    dtype = dtypes.result_type(input, other)
    (a, b), _ = elementwise_inputs(input, other,
                                   compute_dtype=dtype if dtypes.is_inexact(dtype)
                                   else torch.get_default_dtype())
    product = mul(a, log(b))
    return where(logical_and(eq(a, 0), logical_not(isnan(b))), 0, product)


@torchsymbol(torch.special.xlog1py)
def xlog1py(input, other):
    dtype = dtypes.result_type(input, other)
    (a, b), _ = elementwise_inputs(input, other,
                                   compute_dtype=dtype if dtypes.is_inexact(dtype)
                                   else torch.get_default_dtype())
    product = mul(a, log1p(b))
    return where(logical_and(eq(a, 0), logical_not(isnan(b))), 0, product)


@torchsymbol(torch.sinc, torch.special.sinc, methods=("sinc",))
def sinc(input):
    a = _as_float(input)
    scaled = mul(a, math.pi)
    safe = where(eq(a, 0), 1.0, scaled)
    return where(eq(a, 0), 1.0, div(sin(safe), safe))


@torchsymbol(torch.deg2rad, methods=("deg2rad",))
def deg2rad(input):
    return mul(_as_float(input), math.pi / 180)


@torchsymbol(torch.rad2deg, methods=("rad2deg",))
def rad2deg(input):
    return mul(_as_float(input), 180 / math.pi)


@torchsymbol(torch.frac, methods=("frac",))
def frac(input):
    _check_tensor("frac", input)
    if not dtypes.is_float(input.dtype):
        raise RuntimeError(f"\"frac_cpu\" not implemented for '{input.dtype}'")
    return sub(input, trunc(input))


@torchsymbol(torch.heaviside, methods=("heaviside",))
def heaviside(input, values):
    _check_tensor("heaviside", input)
    _check_tensor("heaviside", values, "values")
    if input.dtype != values.dtype:
        raise RuntimeError(f"heaviside is not yet implemented for tensors with different "
                           f"dtypes")
    (a, v), dtype = elementwise_inputs(input, values)
    step = where(gt(a, 0), 1, 0)
    return maybe_convert(where(eq(a, 0), v, step), dtype)


@torchsymbol(torch.square, methods=("square",))
def square(input):
    if isinstance(input, TensorProxy) and input.dtype is torch.bool:
        return maybe_convert(mul(input, input), torch.int64)
    return mul(input, input)


@torchsymbol(torch.float_power, methods=("float_power",))
def float_power(input, exponent):
    dtype = torch.complex128 if any(
        (isinstance(x, TensorProxy) and x.dtype.is_complex) or isinstance(x, builtin_complex)
        for x in (input, exponent)) else torch.float64
    (a, b), _ = elementwise_inputs(input, exponent, compute_dtype=dtype)
    return prims.pow(a, b)


builtin_complex = type(1j)


@torchsymbol(torch.addcmul, methods=("addcmul",))
def addcmul(input, tensor1, tensor2, *, value=1):
    product = mul(tensor1, tensor2)
    return add(input, product if value == 1 else mul(product, value))


@torchsymbol(torch.addcdiv, methods=("addcdiv",))
def addcdiv(input, tensor1, tensor2, *, value=1):
    if not dtypes.is_inexact(tensor1.dtype) and not dtypes.is_inexact(tensor2.dtype):
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a "
                           "future release addcdiv will perform a true division of tensor1 and "
                           "tensor2.")
    quotient = div(tensor1, tensor2)
    return add(input, quotient if value == 1 else mul(quotient, value))


def _nan_ignoring(name, pick):
    def op(input, other):
        (a, b), _ = elementwise_inputs(input, other)
        chosen = pick(a, b)
        if not dtypes.is_inexact(a.dtype):
            return chosen
        return where(isnan(a), b, where(isnan(b), a, chosen))

    op.__name__ = name
    return op


fmax = torchsymbol(torch.fmax, methods=("fmax",))(_nan_ignoring("fmax", maximum))
fmin = torchsymbol(torch.fmin, methods=("fmin",))(_nan_ignoring("fmin", minimum))


def _integer_binary(name, prim):
    def op(input, other):
        (a, b), dtype = elementwise_inputs(input, other)
        if not dtypes.is_integer(dtype):
            raise RuntimeError(f"\"{name}_cpu\" not implemented for '{dtype}'")
        return prim(a, b)

    op.__name__ = name
    return op


gcd = torchsymbol(torch.gcd, methods=("gcd",))(_integer_binary("gcd", prims.gcd))
lcm = torchsymbol(torch.lcm, methods=("lcm",))(_integer_binary("lcm", prims.lcm))


@torchsymbol(torch.positive, methods=("positive",))
def positive(input):
    if input.dtype is torch.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


@torchsymbol(torch.logit, torch.special.logit, methods=("logit",))
def logit(input, eps=None):
    a = _as_float(input)
    if eps is not None:
        a = clamp(a, eps, 1 - eps)
    return log(div(a, sub(1, a)))


@torchsymbol(torch.ldexp, methods=("ldexp",))
def ldexp(input, other):
    return mul(input, pow(2.0, _as_float(other)) if isinstance(other, TensorProxy)
               else 2.0 ** other)


@torchsymbol(torch.diff, methods=("diff",))
def diff(input, n=1, dim=-1, prepend=None, append=None):
    _check_tensor("diff", input)
    d = canonical_dim(dim, input.ndim)
    parts = [p for p in (prepend, input, append) if p is not None]
    a = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        size = a.shape[d]
        if size == 0:
            break
        starts, stops = [0] * a.ndim, list(a.shape)
        steps = (1,) * a.ndim
        stops[d] = size - 1
        low = prims.slice(a, tuple(starts), tuple(stops), steps)
        starts[d], stops[d] = 1, size
        high = prims.slice(a, tuple(starts), tuple(stops), steps)
        a = logical_xor_or_sub(high, low)
    return a


def logical_xor_or_sub(a, b):
    return ne(a, b) if a.dtype is torch.bool else sub(a, b)


@torchsymbol(torch.trapezoid, torch.trapz)
def trapezoid(y, x=None, *, dx=None, dim=-1):
    d = canonical_dim(dim, y.ndim)
    size = y.shape[d]
    starts, stops, steps = [0] * y.ndim, list(y.shape), (1,) * y.ndim
    stops[d] = max(size - 1, 0)
    low = prims.slice(y, tuple(starts), tuple(stops), steps)
    starts[d], stops[d] = min(1, size), size
    high = prims.slice(y, tuple(starts), tuple(stops), steps)
    pair_sums = add(low, high)
    if isinstance(x, TensorProxy):
        spacing = diff(x, dim=-1 if x.ndim == 1 else dim)
        if x.ndim == 1:
            spacing = reshape(spacing, spacing.shape + (1,) * (y.ndim - 1 - d))
        return div(sum(mul(pair_sums, spacing), d), 2.0)
    step = dx if dx is not None else (x if x is not None else 1)
    return mul(sum(pair_sums, d), step / 2.0)


@torchsymbol(torch.tril_indices)
def tril_indices(row, col, offset=0, *, dtype=torch.int64, device="cpu", layout=torch.strided):
    pairs = [(i, j) for i in range(row) for j in range(col) if j - i <= offset]
    rows = [p[0] for p in pairs]
    cols = [p[1] for p in pairs]
    return prims.tensor_from_sequence([rows, cols], dtype=dtype, device=device)


@torchsymbol(torch.triu_indices)
def triu_indices(row, col, offset=0, *, dtype=torch.int64, device="cpu", layout=torch.strided):
    pairs = [(i, j) for i in range(row) for j in range(col) if j - i >= offset]
    rows = [p[0] for p in pairs]
    cols = [p[1] for p in pairs]
    return prims.tensor_from_sequence([rows, cols], dtype=dtype, device=device)


@torchsymbol(torch.vander)
def vander(x, N=None, increasing=False):
    n = x.shape[0] if N is None else N
    powers = arange(n, device=x.device)
    if not increasing:
        powers = prims.flip(powers, (0,))
    base = x if x.dtype is not torch.bool else maybe_convert(x, torch.int64)
    return pow(unsqueeze(base, 1), unsqueeze(powers, 0))


@torchsymbol(torch.block_diag)
def block_diag(*tensors):
    mats = [t if t.ndim == 2 else reshape(t, (1, -1) if t.ndim == 1 else (1, 1))
            for t in tensors]
    dtype = dtypes.result_type(*mats)
    total_cols = builtin_sum(m.shape[1] for m in mats)
    rows, offset = [], 0
    for m in mats:
        config = ((0, 0, 0), (offset, total_cols - offset - m.shape[1], 0))
        rows.append(prims.pad(maybe_convert(m, dtype), 0, config))
        offset += m.shape[1]
    return cat(rows, 0)


builtin_sum = __builtins__["sum"] if isinstance(__builtins__, dict) else __builtins__.sum


@torchsymbol(torch.cartesian_prod)
def cartesian_prod(*tensors):
    if len(tensors) == 1:
        return tensors[0]
    shape = tuple(t.shape[0] for t in tensors)
    columns = []
    for i, t in enumerate(tensors):
        spread = prims.broadcast_in_dim(t, shape, (i,))
        columns.append(prims.reshape(spread, (math.prod(shape),)))
    return stack(columns, 1)


@torchsymbol(torch.nansum, methods=("nansum",))
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    cleaned = where(isnan(input), 0, input) if dtypes.is_inexact(input.dtype) else input
    return sum(cleaned, dim, keepdim, dtype=dtype)


@torchsymbol(torch.nanmean, methods=("nanmean",))
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    if not dtypes.is_inexact(input.dtype):
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype "
                           f"but got {input.dtype}")
    present = logical_not(isnan(input))
    total = nansum(input, dim, keepdim, dtype=dtype)
    count = sum(present, dim, keepdim)
    return div(total, maybe_convert(count, total.dtype))


__all__ = [
    "sort", "argsort", "msort", "topk", "kthvalue", "cummax", "cummin", "logcumsumexp",
    "searchsorted", "bucketize", "diag", "diag_embed", "trace", "linalg_cross", "cross", "kron",
    "cdist", "pairwise_distance", "cosine_similarity", "dist", "complex", "polar",
    "view_as_real", "view_as_complex", "sgn", "isclose", "allclose", "equal", "nan_to_num",
    "logaddexp", "logaddexp2", "xlogy", "xlog1py", "sinc", "deg2rad", "rad2deg", "frac",
    "heaviside", "square", "float_power", "addcmul", "addcdiv", "fmax", "fmin", "gcd", "lcm",
    "positive", "logit", "ldexp", "diff", "trapezoid", "tril_indices", "triu_indices", "vander",
    "block_diag", "cartesian_prod", "nansum", "nanmean",
]
