"""Matrix decomposition primitives: the LAPACK-backed kernels of ``torch.linalg``.

Each takes batched matrices ``(*batch, m, n)`` and is implemented by the torch function of the
same name; the torch-level operators in ``thunder/torch/matrix.py`` build norms, ranks, inverses
and pseudo-inverses on top of them. Inputs are floating point or complex (the torch-level
operators check and raise torch's errors first).
"""

import torch

from thunder.core import dtypes
from thunder.core.prims.definition import check, make_prim
from thunder.core.prims.ids import PrimIDs
from thunder.core.proxies import TensorProxy


def _check_matrix(name, a, square=False):
    check(a.ndim >= 2, lambda: f"linalg.{name}: The input tensor A must have at least 2 "
                               f"dimensions.", RuntimeError)
    if square:
        check(a.shape[-1] == a.shape[-2],
              lambda: f"linalg.{name}: A must be batches of square matrices, but they are "
                      f"{a.shape[-2]} by {a.shape[-1]} matrices", RuntimeError)


def _real(a, shape):
    return TensorProxy.like(a, shape=shape, dtype=dtypes.complex_to_real(a.dtype))


def _slogdet_meta(a):
    _check_matrix("slogdet", a, square=True)
    return TensorProxy.like(a, shape=a.shape[:-2]), _real(a, a.shape[:-2])


def _slogdet_impl(a):
    return tuple(torch.linalg.slogdet(a))


linalg_slogdet = make_prim(PrimIDs.LINALG_SLOGDET, _slogdet_meta, torch_impl=_slogdet_impl)


def _inv_meta(a):
    _check_matrix("inv", a, square=True)
    return TensorProxy.like(a)


linalg_inv = make_prim(PrimIDs.LINALG_INV, _inv_meta, torch_impl=torch.linalg.inv)


def _solve_meta(a, b, left):
    """``b`` is a batch of matrices broadcastable with ``a`` (vectors are unsqueezed first)."""
    _check_matrix("solve", a, square=True)
    check(a.dtype == b.dtype, lambda: f"linalg.solve: Expected A and B to have the same dtype, "
                                      f"but found A of type {a.dtype} and B of type {b.dtype}",
          RuntimeError)
    batch = torch.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    shape = tuple(batch) + tuple(b.shape[-2:])
    return TensorProxy(shape=shape, dtype=a.dtype, device=a.device,
                       requires_grad=a.requires_grad or b.requires_grad)


def _solve_impl(a, b, left):
    return torch.linalg.solve(a, b, left=left)


linalg_solve = make_prim(PrimIDs.LINALG_SOLVE, _solve_meta, torch_impl=_solve_impl)


def _cholesky_meta(a, upper):
    _check_matrix("cholesky", a, square=True)
    return TensorProxy.like(a)


def _cholesky_impl(a, upper):
    return torch.linalg.cholesky(a, upper=upper)


linalg_cholesky = make_prim(PrimIDs.LINALG_CHOLESKY, _cholesky_meta, torch_impl=_cholesky_impl)


def _qr_meta(a, mode):
    _check_matrix("qr", a)
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    if mode == "complete":
        return TensorProxy.like(a, shape=batch + (m, m)), TensorProxy.like(a, shape=batch + (m, n))
    if mode == "r":
        return TensorProxy.like(a, shape=(0,)), TensorProxy.like(a, shape=batch + (k, n))
    return TensorProxy.like(a, shape=batch + (m, k)), TensorProxy.like(a, shape=batch + (k, n))


def _qr_impl(a, mode):
    return tuple(torch.linalg.qr(a, mode=mode))


linalg_qr = make_prim(PrimIDs.LINALG_QR, _qr_meta, torch_impl=_qr_impl)


def _svd_meta(a, full_matrices):
    _check_matrix("svd", a)
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    u_cols, vh_rows = (m, n) if full_matrices else (k, k)
    return (TensorProxy.like(a, shape=batch + (m, u_cols)), _real(a, batch + (k,)),
            TensorProxy.like(a, shape=batch + (vh_rows, n)))


def _svd_impl(a, full_matrices):
    return tuple(torch.linalg.svd(a, full_matrices=full_matrices))


linalg_svd = make_prim(PrimIDs.LINALG_SVD, _svd_meta, torch_impl=_svd_impl)


def _svdvals_meta(a):
    _check_matrix("svdvals", a)
    return _real(a, a.shape[:-2] + (min(a.shape[-2:]),))


linalg_svdvals = make_prim(PrimIDs.LINALG_SVDVALS, _svdvals_meta,
                           torch_impl=torch.linalg.svdvals)


def _eigh_meta(a, uplo):
    _check_matrix("eigh", a, square=True)
    return _real(a, a.shape[:-1]), TensorProxy.like(a)


def _eigh_impl(a, uplo):
    return tuple(torch.linalg.eigh(a, UPLO=uplo))


linalg_eigh = make_prim(PrimIDs.LINALG_EIGH, _eigh_meta, torch_impl=_eigh_impl)


def _eigvalsh_meta(a, uplo):
    _check_matrix("eigvalsh", a, square=True)
    return _real(a, a.shape[:-1])


def _eigvalsh_impl(a, uplo):
    return torch.linalg.eigvalsh(a, UPLO=uplo)


linalg_eigvalsh = make_prim(PrimIDs.LINALG_EIGVALSH, _eigvalsh_meta, torch_impl=_eigvalsh_impl)


def _eig_meta(a, values_only):
    _check_matrix("eig", a, square=True)
    complex_dtype = a.dtype if a.dtype.is_complex else dtypes.real_to_complex(a.dtype)
    values = TensorProxy.like(a, shape=a.shape[:-1], dtype=complex_dtype)
    if values_only:
        return values
    return values, TensorProxy.like(a, dtype=complex_dtype)


def _eig_impl(a, values_only):
    if values_only:
        return torch.linalg.eigvals(a)
    return tuple(torch.linalg.eig(a))


linalg_eig = make_prim(PrimIDs.LINALG_EIG, _eig_meta, torch_impl=_eig_impl)
