"""VJP rules of the matrix decomposition primitives (``matrix.py``).

The classic closed forms (Giles, "An extended collection of matrix derivative results", 2008;
Murray, "Differentiation of the Cholesky decomposition", 2016), written with ``A^H`` the
conjugate transpose so that complex inputs follow torch's convention (NOTE in
``special_rules.py``):

- ``inv``: ``X = A^-1``, grad ``-X^H g X^H``.
- ``solve``: ``X = A^-1 B``, grad ``B = A^-H g``, grad ``A = -(grad B) X^H``.
- ``slogdet``: ``log|det A|`` has grad ``A^-H``; the sign is piecewise constant for real
  inputs and rotates with ``Im tr(A^-1 dA)`` for complex ones.
- ``cholesky``: ``A = L L^H``, grad ``A = L^-H Phi(L^H g) L^-1`` made Hermitian, where
  ``Phi`` keeps the lower triangle and halves the diagonal.
- ``eigh``: ``A = V diag(w) V^H``, grad ``A = V (diag(gw) + (V^H gV) / E) V^H`` made
  Hermitian, with ``E[i, j] = w[j] - w[i]`` and zero where two eigenvalues are equal (the
  eigenvector gauge in a repeated eigenspace does not change the result).
- ``eigvalsh`` and ``svdvals`` record ``eigh``/``svd`` in the forward trace instead (their
  gradients need the vectors): ``V diag(g) V^H`` and ``U diag(g) V^H``.

- ``svd`` (real inputs): Townsend, "Differentiating the singular value decomposition", 2016
  (see ``_svd_gradient``).

``cholesky``, ``eigh``, ``eigvalsh``, ``svdvals`` and ``svd`` apply to real inputs only (their
complex forms need an extra imaginary diagonal term, not written yet); ``qr`` and ``eig`` have
no rule. Differentiating any of those raises ``NoVJPRuleError`` naming the prim.
"""

import thunder.core.prims as prims
import thunder.torch as ltorch
from thunder.transforms.autograd.rules import def_vjp, is_differentiable, zeros_like
from thunder.transforms.autograd.shape_rules import sum_to_shape


def _real(a, *options):
    """Rules written (and checked against torch) for real inputs only."""
    return not a.dtype.is_complex


def _mT(a):
    return ltorch.transpose(a, -2, -1)


def _mH(a):
    """The conjugate transpose of a batch of matrices."""
    t = _mT(a)
    return prims.conj(t) if a.dtype.is_complex else t


def _hermitian_part(a):
    return (a + _mH(a)) * 0.5


def _scale_columns(a, v):
    """``a @ diag(v)`` for a batch of vectors ``v`` (one entry per column of ``a``)."""
    return a * ltorch.unsqueeze(v, -2)


@def_vjp(prims.linalg_inv)
def _inv_vjp(g, out, a):
    out_h = _mH(out)
    return (-ltorch.matmul(ltorch.matmul(out_h, g), out_h),)


@def_vjp(prims.linalg_solve, applies=lambda a, b, left: left)
def _solve_vjp(g, out, a, b, left):
    grad_b = prims.linalg_solve(_mH(a), g, True)
    grad_a = None
    if is_differentiable(a):
        grad_a = sum_to_shape(-ltorch.matmul(grad_b, _mH(out)), a.shape)
    grad_b = sum_to_shape(grad_b, b.shape) if is_differentiable(b) else None
    return grad_a, grad_b, None


@def_vjp(prims.linalg_slogdet)
def _slogdet_vjp(g, out, a):
    sign_grad, logabsdet_grad = g
    if not a.dtype.is_complex or sign_grad is None:
        if logabsdet_grad is None:  # a real sign is piecewise constant
            return (None,)
        coefficient = logabsdet_grad
    else:
        if logabsdet_grad is None:
            logabsdet_grad = zeros_like(out[1])
        rotation = prims.imag(sign_grad * prims.conj(out[0]))
        coefficient = prims.complex(logabsdet_grad, rotation)
    inverse_h = _mH(prims.linalg_inv(a))
    return (inverse_h * ltorch.unsqueeze(ltorch.unsqueeze(coefficient, -1), -1),)


def _phi(a):
    """The lower triangle of ``a`` with its diagonal halved."""
    return ltorch.tril(a, -1) + ltorch.diag_embed(ltorch.diagonal(a, 0, -2, -1) * 0.5)


@def_vjp(prims.linalg_cholesky, applies=_real)
def _cholesky_vjp(g, out, a, upper):
    low, low_grad = (_mH(out), _mH(g)) if upper else (out, g)
    low_h = _mH(low)
    inner = _phi(ltorch.matmul(low_h, low_grad))
    # L^-H inner L^-1 = (L^-H (L^-H inner)^H)^H, two solves with L^H
    left = prims.linalg_solve(low_h, inner, True)
    grad = _mH(prims.linalg_solve(low_h, _mH(left), True))
    return _hermitian_part(grad), None


def _eigen_gradient(values_grad, vectors_grad, values, vectors):
    """``V (diag(gw) + (V^H gV) / E) V^H``, Hermitian part (see the module docstring)."""
    inner = None
    if vectors_grad is not None:
        gaps = ltorch.unsqueeze(values, -2) - ltorch.unsqueeze(values, -1)
        projected = ltorch.matmul(_mH(vectors), vectors_grad)
        inner = ltorch.where(gaps == 0, 0.0, projected / gaps)
    if values_grad is not None:
        diagonal = ltorch.diag_embed(values_grad)
        inner = diagonal if inner is None else inner + diagonal
    grad = ltorch.matmul(ltorch.matmul(vectors, inner), _mH(vectors))
    return _hermitian_part(grad)


@def_vjp(prims.linalg_eigh, applies=_real)
def _eigh_vjp(g, out, a, uplo):
    values_grad, vectors_grad = g
    return _eigen_gradient(values_grad, vectors_grad, out[0], out[1]), None


def _eigvalsh_forward(a, uplo):
    values, vectors = prims.linalg_eigh(a, uplo)
    return values, vectors


@def_vjp(prims.linalg_eigvalsh, forward=_eigvalsh_forward, applies=_real)
def _eigvalsh_vjp(g, vectors, a, uplo):
    grad = ltorch.matmul(_scale_columns(vectors, g), _mH(vectors))
    return grad, None


def _svdvals_forward(a):
    u, s, vh = prims.linalg_svd(a, False)
    return s, (u, vh)


@def_vjp(prims.linalg_svdvals, forward=_svdvals_forward, applies=_real)
def _svdvals_vjp(g, saved, a):
    u, vh = saved
    return (ltorch.matmul(_scale_columns(u, g), vh),)


def _keep_columns(a, k):
    starts = (0,) * a.ndim
    stops = tuple(a.shape[:-1]) + (k,)
    return prims.slice(a, starts, stops, (1,) * a.ndim)


def _svd_gradient(u, s, v, u_grad, s_grad, v_grad):
    """Townsend's real SVD gradient for ``A = U diag(s) V^T`` (``U``: m x k, ``V``: n x k)::

        U (F o (U^T gU - gU^T U) S + diag(gs) + S F o (V^T gV - gV^T V)) V^T
          + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T)

    with ``F[i, j] = 1 / (s[j]^2 - s[i]^2)`` off the diagonal and 0 on it.
    """
    inner = ltorch.diag_embed(s_grad) if s_grad is not None else None
    squares = s * s
    gaps = ltorch.unsqueeze(squares, -2) - ltorch.unsqueeze(squares, -1)
    grad = None
    if u_grad is not None:
        j = ltorch.matmul(_mT(u), u_grad)
        term = _scale_columns(ltorch.where(gaps == 0, 0.0, (j - _mT(j)) / gaps), s)
        inner = term if inner is None else inner + term
        residual = u_grad - ltorch.matmul(u, j)
        grad = ltorch.matmul(_scale_columns(residual, ltorch.reciprocal(s)), _mT(v))
    if v_grad is not None:
        k = ltorch.matmul(_mT(v), v_grad)
        term = ltorch.unsqueeze(s, -1) * ltorch.where(gaps == 0, 0.0, (k - _mT(k)) / gaps)
        inner = term if inner is None else inner + term
        residual = v_grad - ltorch.matmul(v, k)
        term = ltorch.matmul(_scale_columns(u, ltorch.reciprocal(s)), _mT(residual))
        grad = term if grad is None else grad + term
    if inner is not None:
        term = ltorch.matmul(ltorch.matmul(u, inner), _mT(v))
        grad = term if grad is None else grad + term
    return grad


@def_vjp(prims.linalg_svd, applies=_real)
def _svd_vjp(g, out, a, full_matrices):
    """Real inputs only. With ``full_matrices`` the columns of ``U`` (rows of ``Vh``) past
    ``min(m, n)`` span a subspace whose basis is arbitrary: their cotangents are ignored."""
    u_grad, s_grad, vh_grad = g
    u, s, vh = out
    k = s.shape[-1]
    u, v = _keep_columns(u, k), _keep_columns(_mT(vh), k)
    if u_grad is not None:
        u_grad = _keep_columns(u_grad, k)
    v_grad = None if vh_grad is None else _keep_columns(_mT(vh_grad), k)
    return _svd_gradient(u, s, v, u_grad, s_grad, v_grad), None


@def_vjp(ltorch.linalg_pinv, applies=lambda A, *, atol=None, rtol=None, hermitian=False:
         not A.dtype.is_complex)
def _pinv_vjp(g, out, A, *, atol=None, rtol=None, hermitian=False):
    """The gradient of the pseudo-inverse ``X`` as a function of a general ``A`` (Golub and
    Pereyra, 1973), as torch gives it, also for ``hermitian=True`` (where differentiating
    ``eigh`` would give its symmetric part only)::

        -X^T g X^T + (I - A X) g^T X X^T + X^T X g^T (I - X A)
    """
    x_t, g_t = _mT(out), _mT(g)
    a_x = ltorch.matmul(A, out)
    x_a = ltorch.matmul(out, A)
    grad = -ltorch.matmul(ltorch.matmul(x_t, g), x_t)
    left = ltorch.matmul(g_t, ltorch.matmul(out, x_t))
    grad = grad + left - ltorch.matmul(a_x, left)
    right = ltorch.matmul(ltorch.matmul(x_t, out), g_t)
    grad = grad + right - ltorch.matmul(right, x_a)
    return (grad,)
