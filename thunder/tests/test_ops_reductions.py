"""Reductions (``thunder/torch/reductions.py``) against eager torch, including the
accumulation dtypes of NOTE [reduction accumulation dtype]. Helpers: ``test_ops_shape.py``."""

import pytest
import torch

from thunder.tests.framework import trace_directly
from thunder.tests.test_ops_shape import SYMBOLS, TOLERANCES, check, check_metadata, \
    check_raises, make

FLOATS = [torch.float32, torch.float64, torch.float16, torch.bfloat16]
NUMERIC = FLOATS + [torch.int64, torch.int32, torch.bool]

SUMS = {
    "sum_all": lambda t, x: t.sum(x),
    "sum_dim_keepdim": lambda t, x: x.sum(1, keepdim=True),
    "sum_dims_negative": lambda t, x: t.sum(x, (-1, 0)),
    "sum_empty_dims_means_all": lambda t, x: x.sum(()),
    "prod_dim": lambda t, x: t.prod(x, -1),
    "prod_all": lambda t, x: x.prod(),
    "amax": lambda t, x: t.amax(x, 1),
    "amin_keepdim": lambda t, x: x.amin((0, 2), True),
    "max_all": lambda t, x: x.max(),
    "max_dim": lambda t, x: tuple(t.max(x, 1)),
    "min_dim_keepdim": lambda t, x: tuple(x.min(-1, keepdim=True)),
    "max_dim_fields": lambda t, x: (x.max(dim=0).values, x.max(dim=0).indices),
    "cumsum": lambda t, x: t.cumsum(x, 1),
    "cumprod": lambda t, x: x.cumprod(-1),
    "any": lambda t, x: t.any(x),
    "all_dim": lambda t, x: x.all(1),
    "count_nonzero": lambda t, x: t.count_nonzero(x, 1),
}


@pytest.mark.parametrize("dtype", NUMERIC, ids=str)
@pytest.mark.parametrize("name", list(SUMS))
def test_reduction_matches_eager_over_dtypes(name, dtype):
    if dtype is torch.bool and name in ("prod_dim",):
        pytest.skip("covered by prod_all")
    torch.manual_seed(0)
    x = make(2, 3, 4, dtype=dtype, noncontiguous=True, low=-2, high=3)
    check(SUMS[name], x, tol=TOLERANCES.get(dtype))


FLOAT_ONLY = {
    "mean_all": lambda t, x: t.mean(x),
    "mean_dims": lambda t, x: x.mean((0, -1), keepdim=True),
    "mean_dtype": lambda t, x: t.mean(x, 1, dtype=torch.float64),
    "argmax_all": lambda t, x: t.argmax(x),
    "argmax_dim": lambda t, x: x.argmax(1),
    "argmin_keepdim": lambda t, x: t.argmin(x, -1, keepdim=True),
    "argmax_none_keepdim": lambda t, x: x.argmax(keepdim=True),
    "var": lambda t, x: t.var(x),
    "var_dim_correction": lambda t, x: x.var(1, correction=0),
    "var_unbiased_positional": lambda t, x: x.var(1, False, True),
    "var_bool_positional": lambda t, x: x.var(False),
    "std": lambda t, x: t.std(x, (0, 2)),
    "var_mean": lambda t, x: t.var_mean(x, 1),
    "std_mean": lambda t, x: t.std_mean(x, -1, keepdim=True, correction=2),
    "norm": lambda t, x: t.norm(x),
    "norm_1_dim": lambda t, x: x.norm(1, 1),
    "norm_inf": lambda t, x: x.norm(float("inf"), (0, 1)),
    "norm_neg_inf": lambda t, x: x.norm(float("-inf"), -1),
    "norm_3": lambda t, x: t.norm(x, 3, -1, keepdim=True),
    "norm_0": lambda t, x: x.norm(0, 2),
    "aminmax": lambda t, x: tuple(t.aminmax(x)),
    "aminmax_dim": lambda t, x: tuple(x.aminmax(dim=1, keepdim=True)),
    "max_binary": lambda t, x: t.max(x, x.flip(0)),
    "min_binary": lambda t, x: x.min(x * 2),
    "sum_dtype": lambda t, x: x.sum(0, dtype=torch.float64),
    "cumsum_dtype": lambda t, x: t.cumsum(x, 0, dtype=torch.float64),
}


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
@pytest.mark.parametrize("name", list(FLOAT_ONLY))
def test_float_reduction_matches_eager(name, dtype):
    torch.manual_seed(0)
    check(FLOAT_ONLY[name], make(2, 3, 4, dtype=dtype, noncontiguous=True),
          tol=TOLERANCES.get(dtype))


@pytest.mark.parametrize("name", ["sum_all", "sum_dim_keepdim", "cumsum", "prod_all"])
def test_complex_sums_match_eager(name):
    check(SUMS[name], make(2, 3, dtype=torch.complex64))


def test_complex_var_and_norm_are_real():
    x = make(3, 4, dtype=torch.complex64)
    check(lambda t, a: (t.var(a, 1), t.norm(a), a.mean(0), a.std()), x)


@pytest.mark.parametrize("name", ["sum_all", "max_all", "amax", "argmax_all", "var", "mean_all",
                                  "cumsum", "any", "norm", "max_dim"])
def test_reduction_of_0d_tensor_matches_eager(name):
    fn = SUMS.get(name) or FLOAT_ONLY.get(name)
    if name in ("amax", "max_dim", "cumsum"):
        fn = {"amax": lambda t, x: x.amax(0), "max_dim": lambda t, x: tuple(x.max(-1)),
              "cumsum": lambda t, x: x.cumsum(0)}[name]
    check(fn, make())


@pytest.mark.parametrize("fn", [
    lambda t, x: x.sum(0), lambda t, x: x.mean(1), lambda t, x: x.prod(0),
    lambda t, x: x.amax(1), lambda t, x: x.var(0), lambda t, x: x.any(0),
    lambda t, x: tuple(x.min(1)), lambda t, x: x.norm(dim=0), lambda t, x: x.cumsum(0),
], ids=["sum", "mean", "prod", "amax", "var", "any", "min", "norm", "cumsum"])
def test_reduction_of_empty_tensor_matches_eager(fn):
    check(fn, make(0, 3))


def test_sum_of_float16_accumulates_in_float32():
    x = torch.full((4096,), 1.0, dtype=torch.float16) + torch.rand(4096, dtype=torch.float16) / 8
    check(lambda t, a: (a.sum(), a.mean()), x, tol=TOLERANCES[torch.float16])


def test_uint8_any_keeps_uint8():
    check(lambda t, x: (x.any(), x.all(0)), torch.randint(0, 2, (3, 4), dtype=torch.uint8))


@pytest.mark.parametrize("name", ["sum_dim_keepdim", "max_dim", "mean_dims", "var", "norm",
                                  "argmax_dim", "cumsum", "any"])
def test_reductions_propagate_requires_grad(name):
    fn = SUMS.get(name) or FLOAT_ONLY.get(name)
    check_metadata(fn, make(2, 3, 4).requires_grad_())


ERRORS = [
    ("sum_dim_range", IndexError, lambda t, x: x.sum(2), torch.float32),
    ("mean_of_ints", RuntimeError, lambda t, x: x.mean(), torch.int64),
    ("var_of_ints", RuntimeError, lambda t, x: x.var(), torch.int64),
    ("norm_of_ints", RuntimeError, lambda t, x: x.norm(), torch.int64),
    ("argmax_of_bool", RuntimeError, lambda t, x: x.argmax(0), torch.bool),
    ("sum_dims_repeated", RuntimeError, lambda t, x: x.sum((0, 0)), torch.float32),
    ("max_dim_range", IndexError, lambda t, x: x.max(dim=3), torch.float32),
]


@pytest.mark.parametrize("name,exc,fn,dtype", ERRORS, ids=[e[0] for e in ERRORS])
def test_reduction_raises_like_eager(name, exc, fn, dtype):
    check_raises(exc, fn, make(2, 3, dtype=dtype))


@pytest.mark.parametrize("fn,exc", [
    (lambda t, x: x.amax(), RuntimeError), (lambda t, x: x.amax(0), IndexError),
    (lambda t, x: x.max(), RuntimeError), (lambda t, x: x.max(0), IndexError),
    (lambda t, x: x.argmax(), IndexError), (lambda t, x: x.argmin(0), IndexError),
], ids=["amax_all", "amax_dim", "max_all", "max_dim", "argmax_all", "argmin_dim"])
def test_extrema_of_empty_tensors_raise_like_eager(fn, exc):
    check_raises(exc, fn, make(0, 3))


def test_max_with_dim_returns_named_fields():
    trace, _ = trace_directly(lambda a: SYMBOLS.max(a, 1), (make(2, 3),), {})
    assert trace.output.values.shape == (2,) and trace.output.indices.dtype is torch.int64
