"""The records of the newer operator families (convolution, pooling, padding, linear algebra,
FFT, special functions, aten overloads, misc) run through ``thunder.jit`` and through their
decomposition (the ``torch_prims`` executor), compared with eager torch; plus the behaviours a
record cannot express (data-dependent ops raising, linear algebra spec checks).
"""

import importlib

import pytest
import torch

import thunder
from thunder.tests.framework import assert_close
from thunder.tests.opinfos import op_db

_FAMILIES = ("convolution", "pooling", "padding", "linalg_decompositions", "fft", "special",
             "aten", "misc")
_MODULES = {f"thunder.tests.opinfos.{name}" for name in _FAMILIES}
for _module in sorted(_MODULES):
    importlib.import_module(_module)

RECORDS = [r for r in op_db if getattr(r.sample_inputs, "__module__", None) in _MODULES]


def _plain(value):
    """torch.return_types / namedtuples as plain tuples (the structure tests compare)."""
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _tolerance(record, dtype):
    atol, rtol = record.tolerances.get(dtype, (None, None))
    return {} if atol is None else dict(atol=atol, rtol=rtol)


def _cases():
    """Each record's first dtype runs by default; the other dtypes are the slow sweep."""
    for record in RECORDS:
        for i, dtype in enumerate(record.dtypes):
            marks = () if i == 0 else (pytest.mark.slow,)
            yield pytest.param(record, dtype, id=f"{record.name}-{str(dtype)[6:]}", marks=marks)


@pytest.mark.parametrize("record,dtype", list(_cases()))
def test_new_family_op_matches_eager_and_decomposition(record, dtype):
    op = record.op

    def fn(*args, **kwargs):
        return _plain(op(*args, **kwargs))

    torch.manual_seed(0)
    for sample in record.sample_inputs(dtype, False):
        expected = fn(*sample.args, **sample.kwargs)
        got = thunder.jit(fn)(*sample.args, **sample.kwargs)
        assert_close(got, expected, **_tolerance(record, dtype))
        if dtype in (torch.float32, torch.float64) or not dtype.is_floating_point:
            decomposed = thunder.jit(fn, executors=["torch_prims"])(*sample.args,
                                                                     **sample.kwargs)
            assert_close(decomposed, expected, **_tolerance(record, dtype))


def test_one_hot_with_inferred_num_classes_is_specialised_on_the_data():
    def fn(a):
        return torch.nn.functional.one_hot(a.long())

    jfn = thunder.jit(fn)
    for values in ([1.0, 1.0, 1.0], [0.0, 3.0, 1.0]):
        x = torch.tensor(values)
        assert_close(jfn(x), fn(x))


@pytest.mark.parametrize("fn", [
    lambda a, b: torch.allclose(a, b),
    lambda a, b: a.allclose(b, atol=1e-3),
    lambda a, b: torch.equal(a, b),
    lambda a, b: a.equal(a),
], ids=["allclose", "Tensor.allclose", "equal", "Tensor.equal"])
def test_data_dependent_bool_ops_match_eager_for_every_outcome(fn):
    jfn = thunder.jit(fn)
    a = torch.ones(3)
    for b in (a.clone(), a + 1e-4, a + 1, a.clone()):
        assert jfn(a, b) == fn(a, b)


def test_matrix_rank_of_identity_is_four():
    rank = thunder.jit(lambda a: torch.linalg.matrix_rank(a))(torch.eye(4))
    assert int(rank) == 4 and rank.dtype == torch.int64


@pytest.mark.parametrize("executors", [None, ["torch_prims"]], ids=["torch", "prims"])
def test_eigh_with_repeated_eigenvalues_reconstructs_input(executors):
    q, _ = torch.linalg.qr(torch.randn(5, 5, dtype=torch.float64))
    a = q @ torch.diag(torch.tensor([1.0, 1.0, 1.0, 3.0, 3.0], dtype=torch.float64)) @ q.T

    def fn(x):
        values, vectors = torch.linalg.eigh(x)
        return values, (vectors * values.unsqueeze(-2)) @ vectors.mT

    values, rebuilt = thunder.jit(fn, executors=executors)(a)
    assert_close(values, torch.tensor([1.0, 1.0, 1.0, 3.0, 3.0], dtype=torch.float64))
    assert_close(rebuilt, a)


@pytest.mark.parametrize("full_matrices", [True, False])
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4)], ids=str)
def test_svd_reconstructs_input_both_ways(full_matrices, shape):
    a = torch.randn(*shape, dtype=torch.float64)

    def fn(x):
        u, s, vh = torch.linalg.svd(x, full_matrices=full_matrices)
        k = s.shape[-1]
        return u, s, vh, (u[..., :k] * s.unsqueeze(-2)) @ vh[..., :k, :]

    u, s, vh, rebuilt = thunder.jit(fn)(a)
    eu, es, evh = torch.linalg.svd(a, full_matrices=full_matrices)
    assert u.shape == eu.shape and vh.shape == evh.shape
    assert_close(s, es)
    assert_close(rebuilt, a)
