"""Operator records for ``torch.linalg`` (``thunder/torch/matrix.py``).

Records whose ops need a gradient of ``qr`` or ``eig`` (no VJP rule yet) say
``supports_grad=False``. Factorizations whose outputs are unique only up to signs or order
(``svd``, ``qr``, ``eigh``, ``eig``) are checked through order- and sign-invariant functions of
their outputs: the reconstruction of the input, and the sorted values.
"""

import torch

from thunder.tests.opinfos import OpInfo, SampleInput, make, op_db

_DTYPES = (torch.float32, torch.float64, torch.complex64)
_TOL = {torch.float32: (1e-3, 1e-3), torch.complex64: (1e-3, 1e-3),
        torch.float64: (1e-8, 1e-8)}
L = torch.linalg


def _square(dtype, requires_grad, *batch, n=4):
    a = make(batch + (n, n), dtype, requires_grad=False)
    eye = torch.eye(n, dtype=dtype)
    return (a + n * eye).requires_grad_(requires_grad)


def _hermitian(dtype, requires_grad, *batch, n=4):
    a = make(batch + (n, n), dtype)
    h = a @ a.mH + torch.eye(n, dtype=dtype)
    return h.requires_grad_(requires_grad)


def _square_samples(dtype, requires_grad):
    yield SampleInput((_square(dtype, requires_grad),), name="matrix")
    yield SampleInput((_square(dtype, requires_grad, 2, 3, n=3),), name="batched")


def _hermitian_samples(dtype, requires_grad):
    yield SampleInput((_hermitian(dtype, requires_grad),), name="matrix")
    yield SampleInput((_hermitian(dtype, requires_grad, 2, n=3),), name="batched")


def _rect_samples(dtype, requires_grad):
    yield SampleInput((make((5, 3), dtype, requires_grad=requires_grad),), name="tall")
    yield SampleInput((make((2, 3, 5), dtype, requires_grad=requires_grad),), name="wide")


def _record(name, op, samples, dtypes=_DTYPES, covers=(), grad=True):
    op_db.append(OpInfo(name, op, samples, dtypes=dtypes, tolerances=_TOL,
                        covers=covers or (op,), supports_grad=grad))


for _fn, _alias in ((L.det, torch.det), (L.slogdet, torch.slogdet), (L.inv, torch.inverse),
                    (L.matrix_power, None), (L.eigvals, None)):
    _covers = (_fn,) if _alias is None else (_fn, _alias)
    if _fn is L.matrix_power:
        def _samples(dtype, requires_grad):
            a = _square(dtype, requires_grad, 2, n=3)
            for n in (0, 1, 3, -2):
                yield SampleInput((a, n), name=f"n={n}")
        _record("torch.linalg.matrix_power", _fn, _samples,
                covers=(_fn, torch.matrix_power))
    elif _fn is L.eigvals:
        def _sorted_eigvals(a):
            values = L.eigvals(a)
            return torch.sort(torch.real(values)).values, torch.sort(torch.imag(values)).values
        _record("torch.linalg.eigvals", _sorted_eigvals, _square_samples,
                dtypes=(torch.float64,), covers=(L.eigvals,), grad=False)
    else:
        _record(f"torch.linalg.{_fn.__name__.removeprefix('linalg_')}", _fn, _square_samples,
                covers=_covers)

_record("torch.logdet", torch.logdet, _hermitian_samples, dtypes=(torch.float32,
                                                                 torch.float64))
_record("torch.linalg.cholesky", L.cholesky, _hermitian_samples)
_record("torch.cholesky", torch.cholesky, _hermitian_samples, dtypes=(torch.float64,))
_record("torch.linalg.eigvalsh", L.eigvalsh, _hermitian_samples)
_record("torch.linalg.svdvals", L.svdvals, _rect_samples)


def _solve_samples(dtype, requires_grad):
    a = _square(dtype, requires_grad, 2, n=3)
    yield SampleInput((a, make((2, 3, 2), dtype, requires_grad=requires_grad)), name="matrix")
    yield SampleInput((a, make((3,), dtype, requires_grad=requires_grad)), name="vector")
    yield SampleInput((a, make((2, 4, 3), dtype, requires_grad=requires_grad)),
                      dict(left=False), name="right")


_record("torch.linalg.solve", L.solve, _solve_samples)


def _rank_samples(dtype, requires_grad):
    yield SampleInput((torch.eye(4, dtype=dtype),), name="identity-rank-4")
    yield SampleInput((torch.ones(3, 3, dtype=dtype),), name="rank-1")
    yield SampleInput((make((5, 3), dtype),), dict(atol=0.5, rtol=0.1), name="tolerances")
    yield SampleInput((_hermitian(dtype, False),), dict(hermitian=True), name="hermitian")


_record("torch.linalg.matrix_rank", L.matrix_rank, _rank_samples, grad=False)


def _pinv_samples(dtype, requires_grad):
    yield from _rect_samples(dtype, requires_grad)
    yield SampleInput((_hermitian(dtype, requires_grad),), dict(hermitian=True),
                      name="hermitian")


_record("torch.linalg.pinv", L.pinv, _pinv_samples, covers=(L.pinv, torch.pinverse))


def _norm_samples(kind):
    def samples(dtype, requires_grad):
        m = make((3, 4), dtype, requires_grad=requires_grad)
        v = make((2, 5), dtype, requires_grad=requires_grad)
        if kind == "vector":
            for ord in (2, 1, float("inf"), -float("inf"), 0, 3.5):
                yield SampleInput((v, ord), name=f"ord={ord}")
            yield SampleInput((v, 2, 1, True), name="dim-keepdim")
        elif kind == "matrix":
            for ord in ("fro", "nuc", 1, -1, 2, -2, float("inf"), -float("inf")):
                yield SampleInput((m, ord), name=f"ord={ord}")
            yield SampleInput((make((2, 3, 4), dtype),), dict(dim=(2, 0), keepdim=True),
                              name="dims-keepdim")
        else:
            yield SampleInput((m,), name="default")
            yield SampleInput((m, "nuc"), name="nuc")
            yield SampleInput((v, 3, 0), name="vector-dim")
            yield SampleInput((make((2, 3, 4), dtype),), dict(dim=(1, 2)), name="matrix-dims")

    return samples


_record("torch.linalg.vector_norm", L.vector_norm, _norm_samples("vector"),
        dtypes=_DTYPES + (torch.bfloat16,), grad=True)
_record("torch.linalg.matrix_norm", L.matrix_norm, _norm_samples("matrix"))
_record("torch.linalg.norm", L.norm, _norm_samples("norm"))
_record("torch.linalg.cond", L.cond, lambda dtype, rg: (
    SampleInput((_square(dtype, rg),)), SampleInput((_square(dtype, rg), "fro"))),
    dtypes=(torch.float32, torch.float64))
_record("torch.linalg.multi_dot", L.multi_dot, lambda dtype, rg: (SampleInput((
    [make((2, 3), dtype), make((3, 4), dtype), make((4,), dtype)],)),), grad=True)
_record("torch.linalg.vecdot", L.vecdot, lambda dtype, rg: (
    SampleInput((make((3, 4), dtype), make((4,), dtype))),), grad=True)
_record("torch.linalg.diagonal", L.diagonal, lambda dtype, rg: (
    SampleInput((make((2, 3, 4), dtype),), dict(offset=1)),), grad=True)


def _svd_parts(a, full_matrices=True):
    u, s, vh = L.svd(a, full_matrices=full_matrices)
    k = s.shape[-1]
    return s, (u[..., :k] * s.unsqueeze(-2).to(u.dtype)) @ vh[..., :k, :], u.shape[-1]


def _svd_samples(dtype, requires_grad):
    for sample in _rect_samples(dtype, requires_grad):
        for full in (True, False):
            yield SampleInput(sample.args, dict(full_matrices=full),
                              name=f"{sample.name}-full={full}")


_record("torch.linalg.svd", _svd_parts, _svd_samples, covers=(L.svd,))


def _svd_legacy_parts(a, some=True):
    u, s, v = torch.svd(a, some=some)
    k = s.shape[-1]
    return s, (u[..., :k] * s.unsqueeze(-2).to(u.dtype)) @ v[..., :k].adjoint()


_record("torch.svd", _svd_legacy_parts, _rect_samples, covers=(torch.svd,))


def _qr_parts(a, mode="reduced"):
    q, r = L.qr(a, mode=mode)
    if mode == "r":
        return r.abs()
    return q @ r, r.abs(), q.shape


def _qr_samples(dtype, requires_grad):
    for sample in _rect_samples(dtype, requires_grad):
        for mode in ("reduced", "complete", "r"):
            yield SampleInput(sample.args, dict(mode=mode), name=f"{sample.name}-{mode}")


_record("torch.linalg.qr", _qr_parts, _qr_samples, covers=(L.qr,), grad=False)
_record("torch.qr", lambda a: torch.qr(a)[0] @ torch.qr(a)[1], _rect_samples,
        covers=(torch.qr,), grad=False)


def _eigh_parts(a, UPLO="L"):
    values, vectors = L.eigh(a, UPLO=UPLO)
    return values, (vectors * values.unsqueeze(-2).to(vectors.dtype)) @ vectors.adjoint()


def _eigh_samples(dtype, requires_grad):
    yield from _hermitian_samples(dtype, requires_grad)
    q, _ = torch.linalg.qr(make((4, 4), torch.float64))
    repeated = q @ torch.diag(torch.tensor([2.0, 2.0, 2.0, 5.0], dtype=torch.float64)) @ q.T
    yield SampleInput((repeated.to(dtype),), name="repeated-eigenvalues")
    yield SampleInput((_hermitian(dtype, requires_grad),), dict(UPLO="U"), name="upper")


_record("torch.linalg.eigh", _eigh_parts, _eigh_samples, covers=(L.eigh,))


def _eig_parts(a):
    values, vectors = L.eig(a)
    return (vectors * values.unsqueeze(-2)) @ torch.linalg.inv(vectors)


_record("torch.linalg.eig", _eig_parts, _square_samples, dtypes=(torch.float64,),
        covers=(L.eig,), grad=False)


def _method(name, *args):
    def op(a):
        out = getattr(a, name)(*args)
        return tuple(out) if isinstance(out, tuple) else out

    op.__name__ = f"Tensor_{name}"
    return op


for _name, _args, _samples in (("slogdet", (), _square_samples), ("det", (), _square_samples),
                               ("logdet", (), _hermitian_samples),
                               ("inverse", (), _square_samples),
                               ("cholesky", (), _hermitian_samples),
                               ("pinverse", (), _rect_samples),
                               ("matrix_power", (3,), _square_samples)):
    _record(f"Tensor.{_name}", _method(_name, *_args), _samples,
            dtypes=(torch.float64,), covers=(getattr(torch.Tensor, _name),))
_record("Tensor.qr", lambda a: a.qr()[0] @ a.qr()[1], _rect_samples, dtypes=(torch.float64,),
        covers=(torch.Tensor.qr,), grad=False)
_record("Tensor.svd", lambda a: a.svd()[1], _rect_samples, dtypes=(torch.float64,),
        covers=(torch.Tensor.svd,))
