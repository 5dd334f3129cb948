"""Torch-level reductions: sum, mean, prod, amax/amin, max/min, argmax/argmin, var/std, any/all,
norm, count_nonzero and the scans cumsum/cumprod.

Each operator canonicalizes ``dim``, picks the dtypes torch picks, calls one reduction prim
over a tuple of dims and, for ``keepdim=True``, puts the reduced dims back as size 1 with
``broadcast_in_dim``.

NOTE [reduction accumulation dtype]
torch accumulates float16 and bfloat16 reductions in float32 and casts the result back, and
accumulates integer and bool ``sum``/``prod``/``cumsum``/``cumprod`` in int64 (which is also
their result dtype). The decompositions do the same, converting up before the prim and down
after it, so their results match torch's instead of drifting in low precision.

This module defines operators named like Python builtins (``sum``, ``max``, ``min``, ``any``,
``all``); code here reaches the builtins through ``builtins.``.
"""

import builtins
import collections
import math

import torch

from thunder.core import dtypes, prims
from thunder.core.proxies import TensorProxy
from thunder.torch.elementwise import abs as _abs
from thunder.torch.elementwise import maximum, minimum, ne, pow, sqrt
from thunder.torch.registry import torchsymbol
from thunder.torch.utils import canonical_dim, canonical_dims, maybe_convert, scalar_for

# The named tuples torch returns (``torch.return_types.max`` ...); at run time the torch
# executor returns torch's own types, which have the same fields.
MaxResult = collections.namedtuple("max", ["values", "indices"])
MinResult = collections.namedtuple("min", ["values", "indices"])
AminmaxResult = collections.namedtuple("aminmax", ["min", "max"])

_LOW_PRECISION = (torch.float16, torch.bfloat16)


def _check_tensor(a, name):
    if not isinstance(a, TensorProxy):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(a).__name__}")


def _dims(a, dim):
    """Canonical reduced dims; ``None`` and ``()`` both mean every dim, as in torch."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(a.ndim))
    return canonical_dims(dim, a.ndim)


def _keepdim(out, shape, dims):
    """Put the reduced ``dims`` back into ``out`` as size-1 dims."""
    kept_shape = tuple(1 if i in dims else s for i, s in enumerate(shape))
    kept = tuple(i for i in range(len(shape)) if i not in dims)
    return prims.broadcast_in_dim(out, kept_shape, kept)


def _finish(out, a, dims, keepdim, dtype):
    out = maybe_convert(out, dtype)
    return _keepdim(out, a.shape, dims) if keepdim else out


def _accumulation_dtype(dtype):
    """See NOTE [reduction accumulation dtype]."""
    return torch.float32 if dtype in _LOW_PRECISION else dtype


def _sum_dtype(a, dtype):
    if dtype is not None:
        return dtype
    return torch.int64 if not dtypes.is_inexact(a.dtype) else a.dtype


def _check_nonempty(a, dim, dims, name):
    """torch's errors for max-like reductions of empty tensors (there is no identity)."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        if a.numel() == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               f"input.numel() == 0. Specify the reduction dim with the 'dim' "
                               f"argument.")
        return
    for d in dims:
        if a.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


# -- sums and products ----------------------------------------------------------------------
@torchsymbol(torch.sum, methods=("sum",))
def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum over ``dim``; ints and bools give int64 (see NOTE [reduction accumulation dtype])."""
    _check_tensor(input, "sum")
    dims = _dims(input, dim)
    out_dtype = _sum_dtype(input, dtype)
    a = maybe_convert(input, _accumulation_dtype(out_dtype))
    return _finish(prims.sum(a, dims), input, dims, keepdim, out_dtype)


@torchsymbol(torch.mean, methods=("mean",))
def mean(input, dim=None, keepdim=False, *, dtype=None):
    _check_tensor(input, "mean")
    out_dtype = input.dtype if dtype is None else dtype
    if not dtypes.is_inexact(out_dtype):
        kind = "Input dtype" if dtype is None else "Optional dtype"
        raise RuntimeError(
            f"mean(): could not infer output dtype. {kind} must be either a floating point or "
            f"complex dtype. Got: {_type_name(out_dtype)}")
    dims = _dims(input, dim)
    count = math.prod(input.shape[d] for d in dims)
    a = maybe_convert(input, _accumulation_dtype(out_dtype))
    total = prims.sum(a, dims)
    return _finish(prims.div(total, float(count)), input, dims, keepdim, out_dtype)


def _type_name(dtype) -> str:
    names = {torch.int64: "Long", torch.int32: "Int", torch.int16: "Short", torch.int8: "Char",
             torch.uint8: "Byte", torch.bool: "Bool"}
    return names.get(dtype, str(dtype).removeprefix("torch."))


@torchsymbol(torch.prod, methods=("prod",))
def prod(input, dim=None, keepdim=False, *, dtype=None):
    _check_tensor(input, "prod")
    dims = _dims(input, None if dim is None else (dim,))
    out_dtype = _sum_dtype(input, dtype)
    a = maybe_convert(input, _accumulation_dtype(out_dtype))
    return _finish(prims.prod(a, dims), input, dims, keepdim and dim is not None, out_dtype)


@torchsymbol(torch.count_nonzero, methods=("count_nonzero",))
def count_nonzero(input, dim=None):
    nonzero = ne(input, scalar_for(0, input.dtype))
    return sum(nonzero, dim)


# -- extrema --------------------------------------------------------------------------------
def _extremum(prim, input, dim, keepdim, name):
    _check_tensor(input, name)
    dims = _dims(input, dim)
    _check_nonempty(input, dim, dims, name)
    return _finish(prim(input, dims), input, dims, keepdim, input.dtype)


@torchsymbol(torch.amax, methods=("amax",))
def amax(input, dim=(), keepdim=False):
    return _extremum(prims.amax, input, dim, keepdim, "amax")


@torchsymbol(torch.amin, methods=("amin",))
def amin(input, dim=(), keepdim=False):
    return _extremum(prims.amin, input, dim, keepdim, "amin")


def _arg_extremum(prim, input, dim, keepdim, name):
    _check_tensor(input, name)
    if input.dtype is torch.bool:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if input.numel() == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             f"input.numel() == 0.")
        out = prim(input, None)
        return prims.broadcast_in_dim(out, (1,) * input.ndim, ()) if keepdim else out
    d = canonical_dim(dim, input.ndim)
    if input.ndim and input.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    if input.ndim == 0:
        return prim(input, None)
    out = prim(input, d)
    return _keepdim(out, input.shape, (d,)) if keepdim else out


@torchsymbol(torch.argmax, methods=("argmax",))
def argmax(input, dim=None, keepdim=False):
    return _arg_extremum(prims.argmax, input, dim, keepdim, "argmax")


@torchsymbol(torch.argmin, methods=("argmin",))
def argmin(input, dim=None, keepdim=False):
    return _arg_extremum(prims.argmin, input, dim, keepdim, "argmin")


def _max_or_min(input, dim, keepdim, other, *, name, binary, value_prim, index_prim, result):
    if other is not None or isinstance(dim, TensorProxy):
        return binary(input, dim if other is None else other)
    _check_tensor(input, name)
    if dim is None:
        dims = tuple(range(input.ndim))
        _check_nonempty(input, dim, dims, name)
        return value_prim(input, dims)
    d = canonical_dim(dim, input.ndim)
    dims = (d,) if input.ndim else ()
    _check_nonempty(input, dim, dims, name)
    values = _finish(value_prim(input, dims), input, dims, keepdim, input.dtype)
    # argmax/argmin have no bool kernels; the order of bools is that of uint8
    indexed = maybe_convert(input, torch.uint8) if input.dtype is torch.bool else input
    if input.ndim == 0:
        indices = index_prim(indexed, None)
    else:
        indices = index_prim(indexed, d)
        indices = _keepdim(indices, input.shape, dims) if keepdim else indices
    return result(values, indices)


@torchsymbol(torch.max, methods=("max",))
def max(input, dim=None, keepdim=False, *, other=None):
    """``max(a)``: the largest value; ``max(a, dim)``: (values, indices); ``max(a, b)``."""
    return _max_or_min(input, dim, keepdim, other, name="max", binary=maximum,
                       value_prim=prims.amax, index_prim=prims.argmax, result=MaxResult)


@torchsymbol(torch.min, methods=("min",))
def min(input, dim=None, keepdim=False, *, other=None):
    """``min(a)``: the smallest value; ``min(a, dim)``: (values, indices); ``min(a, b)``."""
    return _max_or_min(input, dim, keepdim, other, name="min", binary=minimum,
                       value_prim=prims.amin, index_prim=prims.argmin, result=MinResult)


@torchsymbol(torch.aminmax, methods=("aminmax",))
def aminmax(input, *, dim=None, keepdim=False):
    return AminmaxResult(amin(input, () if dim is None else dim, keepdim),
                         amax(input, () if dim is None else dim, keepdim))


# -- variance and friends -------------------------------------------------------------------
def _correction(dim, unbiased, correction):
    """Resolve torch's overloads: ``var(a, unbiased)``, ``var(a, dim, unbiased)``, correction=."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    elif unbiased is not None:
        raise RuntimeError("var/std: cannot specify both unbiased and correction")
    return dim, correction


def _var(input, dim, keepdim, correction, name):
    _check_tensor(input, name)
    if not dtypes.is_inexact(input.dtype):
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dims = _dims(input, dim)
    out_dtype = dtypes.complex_to_real(input.dtype)
    a = maybe_convert(input, _accumulation_dtype(input.dtype))
    if input.dtype.is_complex:
        out = prims.add(_var_prim(prims.real(a), dims, correction),
                        _var_prim(prims.imag(a), dims, correction))
    else:
        out = _var_prim(a, dims, correction)
    return _finish(out, input, dims, keepdim, out_dtype)


def _var_prim(a, dims, correction):
    if dims:
        return prims.var(a, dims, correction=correction)
    # a 0-d tensor: one sample, so the variance is 0 / (1 - correction)
    return prims.div(prims.mul(a, 0.0), float(builtins.max(1 - correction, 0)))


@torchsymbol(torch.var, methods=("var",))
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, correction = _correction(dim, unbiased, correction)
    return _var(input, dim, keepdim, correction, "var")


@torchsymbol(torch.std, methods=("std",))
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, correction = _correction(dim, unbiased, correction)
    return sqrt(_var(input, dim, keepdim, correction, "std"))


@torchsymbol(torch.var_mean)
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, correction = _correction(dim, unbiased, correction)
    return (_var(input, dim, keepdim, correction, "var_mean"), mean(input, dim, keepdim))


@torchsymbol(torch.std_mean)
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, correction = _correction(dim, unbiased, correction)
    return (sqrt(_var(input, dim, keepdim, correction, "std_mean")), mean(input, dim, keepdim))


# -- boolean reductions ---------------------------------------------------------------------
def _bool_reduction(prim, input, dim, keepdim, name):
    _check_tensor(input, name)
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dims = ()
    else:
        dims = _dims(input, dim)
    out_dtype = torch.uint8 if input.dtype is torch.uint8 else torch.bool
    return _finish(prim(input, dims), input, dims, keepdim, out_dtype)


@torchsymbol(torch.any, methods=("any",))
def any(input, dim=None, keepdim=False):
    return _bool_reduction(prims.any, input, dim, keepdim, "any")


@torchsymbol(torch.all, methods=("all",))
def all(input, dim=None, keepdim=False):
    return _bool_reduction(prims.all, input, dim, keepdim, "all")


# -- norms ----------------------------------------------------------------------------------
@torchsymbol(torch.norm, methods=("norm",))
def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """Vector p-norms over ``dim`` (all dims by default); ``p="fro"`` is the 2-norm."""
    _check_tensor(input, "norm")
    if out is not None:
        raise NotImplementedError("norm(out=...) is not supported by Thunder")
    if p == "fro" or p is None:
        p = 2
    if isinstance(p, str):
        raise NotImplementedError(f"norm(p={p!r}) is not supported by Thunder")
    a = input if dtype is None else maybe_convert(input, dtype)
    if not dtypes.is_inexact(a.dtype):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_type_name(a.dtype)}")
    out_dtype = dtypes.complex_to_real(a.dtype)
    dims = _dims(input, dim)
    mag = maybe_convert(_abs(a), _accumulation_dtype(out_dtype))
    if p == math.inf:
        result = prims.amax(mag, dims)
    elif p == -math.inf:
        result = prims.amin(mag, dims)
    elif p == 0:
        result = prims.sum(maybe_convert(ne(mag, 0.0), mag.dtype), dims)
    elif p == 1:
        result = prims.sum(mag, dims)
    elif p == 2:
        result = prims.sqrt(prims.sum(prims.mul(mag, mag), dims))
    else:
        result = pow(prims.sum(pow(mag, float(p)), dims), 1.0 / p)
    return _finish(result, input, dims, keepdim, out_dtype)


# -- scans ----------------------------------------------------------------------------------
def _scan(prim, input, dim, dtype, name):
    _check_tensor(input, name)
    d = canonical_dim(dim, input.ndim)
    out_dtype = _sum_dtype(input, dtype)
    a = maybe_convert(input, _accumulation_dtype(out_dtype))
    return maybe_convert(prim(a, d), out_dtype)


@torchsymbol(torch.cumsum, methods=("cumsum",))
def cumsum(input, dim, *, dtype=None):
    return _scan(prims.cumsum, input, dim, dtype, "cumsum")


@torchsymbol(torch.cumprod, methods=("cumprod",))
def cumprod(input, dim, *, dtype=None):
    return _scan(prims.cumprod, input, dim, dtype, "cumprod")
