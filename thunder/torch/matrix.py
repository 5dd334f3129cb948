"""Torch-level linear algebra: ``torch.linalg.*`` and their ``torch.*`` aliases.

The factorizations (``svd``, ``qr``, ``eigh``, ``cholesky``, ``slogdet``, ``inv``, ``solve``)
record the prims of ``thunder/core/prims/matrix.py``. Everything else is composed from them:
``det`` from ``slogdet``, ``matrix_rank`` counts singular values (or eigenvalue magnitudes when
``hermitian``) above ``max(atol, rtol * largest)``, ``pinv`` inverts the singular values above
that tolerance, ``matrix_norm`` and ``norm`` pick the norm by ``ord``, ``matrix_power`` is
repeated squaring.
"""

import collections
import math

import torch

from thunder.core import dtypes, prims
from thunder.core.proxies import TensorProxy
from thunder.torch.creation import eye
from thunder.torch.elementwise import abs, div, exp, gt, mul, sqrt, where
from thunder.torch.linalg import matmul
from thunder.torch.nn import vector_norm as _vector_norm
from thunder.torch.reductions import amax, amin, sum
from thunder.torch.registry import torchsymbol
from thunder.torch.utils import canonical_dims, maybe_convert

SlogdetResult = collections.namedtuple("slogdet", ["sign", "logabsdet"])
QRResult = collections.namedtuple("qr", ["Q", "R"])
SVDResult = collections.namedtuple("svd", ["U", "S", "Vh"])
EighResult = collections.namedtuple("eigh", ["eigenvalues", "eigenvectors"])
EigResult = collections.namedtuple("eig", ["eigenvalues", "eigenvectors"])


def _check_float_matrix(name, a, square=False):
    if not isinstance(a, TensorProxy):
        raise TypeError(f"linalg.{name}(): argument 'A' must be Tensor, not {type(a).__name__}")
    if a.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    if a.dtype not in (torch.float32, torch.float64, torch.complex64, torch.complex128):
        raise RuntimeError(f"linalg.{name}: Expected a floating point or complex tensor as "
                           f"input. Got {a.dtype}")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")


def _swap(a):
    perm = tuple(range(a.ndim - 2)) + (a.ndim - 1, a.ndim - 2)
    return prims.transpose(a, perm)


def _conj_transpose(a):
    t = _swap(a)
    return prims.conj(t) if a.dtype.is_complex else t


@torchsymbol(torch.linalg.slogdet, torch.slogdet, methods=("slogdet",))
def linalg_slogdet(A):
    _check_float_matrix("slogdet", A, square=True)
    return SlogdetResult(*prims.linalg_slogdet(A))


@torchsymbol(torch.linalg.det, torch.det, methods=("det",))
def linalg_det(A):
    """``sign * exp(logabsdet)`` (0 for singular matrices)."""
    _check_float_matrix("det", A, square=True)
    sign, logabsdet = prims.linalg_slogdet(A)
    return mul(sign, exp(logabsdet))


@torchsymbol(torch.logdet, methods=("logdet",))
def linalg_logdet(input):
    """``log(det)``: NaN for negative determinants, as torch."""
    _check_float_matrix("logdet", input, square=True)
    sign, logabsdet = prims.linalg_slogdet(input)
    if input.dtype.is_complex:
        return prims.add(prims.log(sign), maybe_convert(logabsdet, input.dtype))
    return where(prims.lt(sign, 0), math.nan, logabsdet)


@torchsymbol(torch.linalg.inv, torch.inverse, methods=("inverse",))
def linalg_inv(A):
    _check_float_matrix("inv", A, square=True)
    return prims.linalg_inv(A)


@torchsymbol(torch.linalg.solve)
def linalg_solve(A, B, *, left=True, out=None):
    """Solve ``A X = B`` (``X A = B`` with ``left=False``); ``B`` may be a (batch of) vectors."""
    _check_float_matrix("solve", A, square=True)
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    if vector:
        if left:
            B = prims.reshape(B, B.shape + (1,))
        else:
            B = prims.reshape(B, B.shape[:-1] + (1, B.shape[-1]))
    if not left:  # X A = B  <=>  A^T X^T = B^T
        out = _swap(prims.linalg_solve(_swap(A), _swap(B), True))
    else:
        out = prims.linalg_solve(A, B, True)
    if vector:
        out = prims.reshape(out, out.shape[:-1] if left else out.shape[:-2] + out.shape[-1:])
    return out


@torchsymbol(torch.linalg.cholesky)
def linalg_cholesky(A, *, upper=False, out=None):
    _check_float_matrix("cholesky", A, square=True)
    return prims.linalg_cholesky(A, upper)


@torchsymbol(torch.cholesky, methods=("cholesky",))
def cholesky_legacy(input, upper=False):
    return linalg_cholesky(input, upper=upper)


@torchsymbol(torch.linalg.qr)
def linalg_qr(A, mode="reduced"):
    _check_float_matrix("qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           f"'reduced' (default), 'r', or 'complete'")
    return QRResult(*prims.linalg_qr(A, mode))


@torchsymbol(torch.qr, methods=("qr",))
def qr_legacy(input, some=True):
    return QRResult(*prims.linalg_qr(input, "reduced" if some else "complete"))


@torchsymbol(torch.linalg.svd)
def linalg_svd(A, full_matrices=True, *, driver=None):
    _check_float_matrix("svd", A)
    return SVDResult(*prims.linalg_svd(A, bool(full_matrices)))


@torchsymbol(torch.svd, methods=("svd",))
def svd_legacy(input, some=True, compute_uv=True):
    """``torch.svd``: returns V (not Vh); with ``compute_uv=False`` U and V are zeros."""
    _check_float_matrix("svd", input)
    u, s, vh = prims.linalg_svd(input, not some)
    v = _conj_transpose(vh)
    if not compute_uv:
        return SVDResult(prims.full(u.shape, 0, device=u.device, dtype=u.dtype), s,
                         prims.full(v.shape, 0, device=v.device, dtype=v.dtype))
    return SVDResult(u, s, v)


@torchsymbol(torch.linalg.svdvals)
def linalg_svdvals(A, *, driver=None):
    _check_float_matrix("svdvals", A)
    return prims.linalg_svdvals(A)


@torchsymbol(torch.linalg.eigh)
def linalg_eigh(A, UPLO="L"):
    _check_float_matrix("eigh", A, square=True)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return EighResult(*prims.linalg_eigh(A, UPLO))


@torchsymbol(torch.linalg.eigvalsh)
def linalg_eigvalsh(A, UPLO="L"):
    _check_float_matrix("eigvalsh", A, square=True)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return prims.linalg_eigvalsh(A, UPLO)


@torchsymbol(torch.linalg.eig)
def linalg_eig(A):
    _check_float_matrix("eig", A, square=True)
    return EigResult(*prims.linalg_eig(A, False))


@torchsymbol(torch.linalg.eigvals)
def linalg_eigvals(A):
    _check_float_matrix("eigvals", A, square=True)
    return prims.linalg_eig(A, True)


def _tolerance(name, A, singular, atol, rtol, tol=None):
    """``max(atol, rtol * largest singular value)`` with torch's defaults, keeping a dim."""
    if tol is not None:
        atol, rtol = tol, 0.0
    m, n = A.shape[-2:]
    if rtol is None:
        default = torch.finfo(dtypes.complex_to_real(A.dtype)).eps * max(m, n)
        rtol = default if atol is None or (not isinstance(atol, TensorProxy) and atol <= 0) \
            else 0.0
    atol = 0.0 if atol is None else atol
    largest = amax(singular, -1, True) if singular.shape[-1] else singular
    scaled = mul(largest, rtol)
    return prims.maximum(scaled, expand_like(atol, scaled))


def expand_like(value, like):
    if isinstance(value, TensorProxy):
        value = maybe_convert(value, like.dtype)
        return prims.broadcast_in_dim(prims.reshape(value, value.shape + (1,)), like.shape,
                                      tuple(range(like.ndim - value.ndim - 1, like.ndim)))
    return prims.full(like.shape, float(value), device=like.device, dtype=like.dtype)


def _singular_values(A, hermitian):
    if hermitian:
        return abs(prims.linalg_eigvalsh(A, "L"))
    return prims.linalg_svdvals(A)


@torchsymbol(torch.linalg.matrix_rank)
def linalg_matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None):
    """The number of singular values above ``max(atol, rtol * largest)``.

    >>> import thunder, torch
    >>> int(thunder.jit(torch.linalg.matrix_rank)(torch.eye(4)))
    4
    """
    _check_float_matrix("matrix_rank", A)
    singular = _singular_values(A, hermitian)
    if tol is not None and not isinstance(tol, (TensorProxy, float, int)):
        raise TypeError("matrix_rank(): tol must be a float or a tensor")
    threshold = _tolerance("matrix_rank", A, singular, atol, rtol, tol)
    above = gt(singular, prims.broadcast_in_dim(
        prims.reshape(threshold, threshold.shape[:-1]), singular.shape,
        tuple(range(singular.ndim - 1))))
    return sum(above, -1)


@torchsymbol(torch.linalg.pinv, torch.pinverse, methods=("pinverse",))
def linalg_pinv(A, *, atol=None, rtol=None, hermitian=False):
    """Pseudo-inverse: ``V diag(1/s for s above tolerance) U^H``."""
    _check_float_matrix("pinv", A)
    if hermitian:
        values, vectors = prims.linalg_eigh(A, "L")
        magnitude = abs(values)
        threshold = _tolerance("pinv", A, magnitude, atol, rtol)
        keep = gt(magnitude, prims.broadcast_in_dim(
            prims.reshape(threshold, threshold.shape[:-1]), magnitude.shape,
            tuple(range(magnitude.ndim - 1))))
        inverse = where(keep, div(1, where(keep, values, 1)), 0)
        scaled = mul(vectors, prims.broadcast_in_dim(
            maybe_convert(inverse, vectors.dtype), vectors.shape,
            tuple(range(vectors.ndim - 2)) + (vectors.ndim - 1,)))
        return matmul(scaled, _conj_transpose(vectors))
    u, s, vh = prims.linalg_svd(A, False)
    threshold = _tolerance("pinv", A, s, atol, rtol)
    keep = gt(s, prims.broadcast_in_dim(prims.reshape(threshold, threshold.shape[:-1]),
                                        s.shape, tuple(range(s.ndim - 1))))
    inverse = where(keep, div(1, where(keep, s, 1)), 0)
    v = _conj_transpose(vh)
    scaled = mul(v, prims.broadcast_in_dim(maybe_convert(inverse, v.dtype), v.shape,
                                           tuple(range(v.ndim - 2)) + (v.ndim - 1,)))
    return matmul(scaled, _conj_transpose(u))


@torchsymbol(torch.linalg.matrix_power, torch.matrix_power, methods=("matrix_power",))
def linalg_matrix_power(A, n):
    if not isinstance(A, TensorProxy) or A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError("linalg.matrix_power: A must be batches of square matrices")
    if n < 0:
        A, n = linalg_inv(A), -n
    if n == 0:
        identity = eye(A.shape[-1], dtype=A.dtype, device=A.device)
        return prims.broadcast_in_dim(identity, A.shape, (A.ndim - 2, A.ndim - 1))
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return prims.convert_element_type(result, result.dtype) if result is A else result


@torchsymbol(torch.linalg.vector_norm)
def linalg_vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    if not isinstance(x, TensorProxy):
        raise TypeError(f"linalg.vector_norm(): argument 'x' must be Tensor")
    a = x if dtype is None else maybe_convert(x, dtype)
    if not dtypes.is_inexact(a.dtype):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {a.dtype}")
    dims = canonical_dims(dim, a.ndim)
    out_dtype = dtypes.complex_to_real(a.dtype)
    low = a.dtype in (torch.float16, torch.bfloat16)
    if low:
        a = maybe_convert(a, torch.float32)
    result = _vector_norm(a, ord, dims, keepdim)
    return maybe_convert(result, out_dtype)


@torchsymbol(torch.linalg.matrix_norm)
def linalg_matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Frobenius, nuclear, max-abs-row/column-sum and spectral norms of matrices."""
    if not isinstance(A, TensorProxy) or A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    a = A if dtype is None else maybe_convert(A, dtype)
    d0, d1 = canonical_dims(dim, a.ndim)
    if ord == "fro":
        return linalg_vector_norm(a, 2, (d0, d1), keepdim)
    # move the two matrix dims last
    rest = [i for i in range(a.ndim) if i not in (d0, d1)]
    moved = prims.transpose(a, tuple(rest) + (d0, d1))
    if ord == "nuc" or ord in (2, -2):
        singular = prims.linalg_svdvals(moved)
        if ord == "nuc":
            result = sum(singular, -1)
        else:
            result = amax(singular, -1) if ord == 2 else amin(singular, -1)
    elif ord in (1, -1, math.inf, -math.inf):
        sum_dim = -2 if ord in (1, -1) else -1
        sums = sum(abs(moved), sum_dim)
        result = amax(sums, -1) if ord > 0 else amin(sums, -1)
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if keepdim:
        shape = list(a.shape)
        shape[d0] = shape[d1] = 1
        result = prims.reshape(result, tuple(shape))
    return result


@torchsymbol(torch.linalg.norm)
def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """A vector norm for 1 dim (or ``ord=None`` over all dims), a matrix norm for 2 dims."""
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        if dim is None:
            return linalg_vector_norm(A, 2, None, keepdim, dtype=dtype)
        return (linalg_vector_norm(A, 2, dim, keepdim, dtype=dtype) if len(dim) == 1
                else linalg_matrix_norm(A, "fro", dim, keepdim, dtype=dtype))
    if dim is None:
        dim = (-2, -1) if A.ndim == 2 else ((-1,) if A.ndim == 1 else None)
        if dim is None:
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                               f"must be 1D or 2D. Got {A.ndim}D.")
    if len(dim) == 1:
        if isinstance(ord, str):
            raise RuntimeError(f"linalg.vector_norm: ord {ord} is not supported for vectors")
        return linalg_vector_norm(A, ord, dim, keepdim, dtype=dtype)
    return linalg_matrix_norm(A, ord, dim, keepdim, dtype=dtype)


@torchsymbol(torch.linalg.cond)
def linalg_cond(A, p=None):
    _check_float_matrix("cond", A)
    if p is None or p in (2, -2):
        singular = prims.linalg_svdvals(A)
        ratio = div(amax(singular, -1), amin(singular, -1))
        return ratio if p in (None, 2) else div(1, ratio)
    return mul(linalg_matrix_norm(A, p), linalg_matrix_norm(linalg_inv(A), p))


@torchsymbol(torch.linalg.multi_dot)
def linalg_multi_dot(tensors):
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError("multi_dot(): expected at least 2 tensors but got "
                           f"{len(tensors)}")
    out = tensors[0]
    for t in tensors[1:]:
        out = matmul(out, t)
    return out


@torchsymbol(torch.linalg.vecdot)
def linalg_vecdot(x, y, *, dim=-1):
    product = mul(prims.conj(x) if x.dtype.is_complex else x, y)
    return sum(product, dim)


@torchsymbol(torch.linalg.diagonal)
def linalg_diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return A.diagonal(offset, dim1, dim2)


__all__ = ["cholesky_legacy", "linalg_cholesky", "linalg_cond", "linalg_det", "linalg_diagonal",
           "linalg_eig", "linalg_eigh", "linalg_eigvals", "linalg_eigvalsh", "linalg_inv",
           "linalg_logdet", "linalg_matrix_norm", "linalg_matrix_power", "linalg_matrix_rank",
           "linalg_multi_dot", "linalg_norm", "linalg_pinv", "linalg_qr", "linalg_slogdet",
           "linalg_solve", "linalg_svd", "linalg_svdvals", "linalg_vecdot", "linalg_vector_norm",
           "qr_legacy", "svd_legacy"]
