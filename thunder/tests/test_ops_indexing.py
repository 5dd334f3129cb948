"""Indexing (``thunder/torch/indexing.py``) against eager torch: ``a[key]`` with basic and
advanced indices, gather/scatter-style ops and masked_fill. Helpers: ``test_ops_shape.py``."""

import pytest
import torch

from thunder.tests.framework import trace_directly
from thunder.tests.test_ops_shape import SYMBOLS, TOLERANCES, check, check_metadata, \
    check_raises, make

ALL_DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64,
              torch.int32, torch.bool, torch.complex64]

BASIC_KEYS = {
    "int": lambda x: x[1],
    "negative_int": lambda x: x[-1, -2],
    "slice": lambda x: x[1:4],
    "slice_steps": lambda x: x[:, ::2, 1::3],
    "slice_negative_bounds": lambda x: x[-3:-1, :-2],
    "slice_out_of_range": lambda x: x[10:, 2:100],
    "none": lambda x: x[None, :, None],
    "ellipsis": lambda x: x[..., 0],
    "ellipsis_middle": lambda x: x[0, ..., 1:],
    "ellipsis_none": lambda x: x[None, ..., None],
    "true": lambda x: x[True],
    "false": lambda x: x[False],
    "empty_tuple": lambda x: x[()],
}

ADVANCED_KEYS = {
    "list": lambda x: x[[0, 2, -1]],
    "list_in_dim": lambda x: x[:, [1, -1]],
    "int_and_list": lambda x: x[0, :, [1, 2]],
    "lists_separated": lambda x: x[[0, 1], :, [1, 2]],
    "lists_adjacent": lambda x: x[:, [0, 1], [1, 2]],
    "lists_separated_by_none": lambda x: x[None, [0, 1], None, [1, 2]],
    "lists_broadcast": lambda x: x[:, [[0], [1]], [1, 2, 3]],
    "list_slice_int": lambda x: x[1:3, [[0], [1]], 2],
}


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
@pytest.mark.parametrize("name", list(BASIC_KEYS) + list(ADVANCED_KEYS))
def test_getitem_matches_eager(name, dtype):
    torch.manual_seed(0)
    key = BASIC_KEYS.get(name) or ADVANCED_KEYS[name]
    check(lambda t, x: key(x), make(5, 6, 7, dtype=dtype, noncontiguous=True))


@pytest.mark.parametrize("index", [
    torch.tensor([0, -1, 2]), torch.tensor([[1], [3]]), torch.tensor([1, 0], dtype=torch.int32),
    torch.tensor(2), torch.zeros(0, dtype=torch.int64),
], ids=["1d", "2d", "int32", "0d", "empty"])
@pytest.mark.parametrize("key", [
    lambda x, i: x[i], lambda x, i: x[:, i], lambda x, i: x[i, 1:3, i], lambda x, i: x[..., i],
    lambda x, i: x[None, i, :, i],
], ids=["front", "middle", "separated", "ellipsis", "none_separated"])
def test_getitem_with_index_tensors_matches_eager(key, index):
    check(lambda t, x, i: key(x, i), make(4, 5, 6), index)


def test_getitem_of_0d_tensor():
    check(lambda t, x: (x[None], x[...], x[()], x[True]), make())


def test_getitem_propagates_requires_grad():
    check_metadata(lambda t, x: (x[0], x[:, [0, 1]], x[..., None]), make(3, 4).requires_grad_())


GETITEM_ERRORS = [
    ("int_out_of_range", IndexError, lambda t, x: x[5]),
    ("negative_step", ValueError, lambda t, x: x[::-1]),
    ("too_many", IndexError, lambda t, x: x[0, 0, 0]),
    ("float_tensor_index", IndexError, lambda t, x: x[x]),
    ("broadcast_mismatch", IndexError, lambda t, x: x[[0, 1], [0, 1, 2]]),
]


@pytest.mark.parametrize("name,exc,fn", GETITEM_ERRORS, ids=[e[0] for e in GETITEM_ERRORS])
def test_getitem_raises_like_eager(name, exc, fn):
    check_raises(exc, fn, make(3, 4))


@pytest.mark.parametrize("key", [lambda x: x[x > 0], lambda x: x[[True, False, True]],
                                 lambda x: SYMBOLS.masked_select(x, x > 0)],
                         ids=["mask_tensor", "mask_list", "masked_select"])
def test_boolean_mask_indexing_is_not_implemented(key):
    with pytest.raises(NotImplementedError, match="mask"):
        trace_directly(key, (make(3, 4),), {})


# -- gather / scatter family ----------------------------------------------------------------
def _index(high, *shape):
    return torch.randint(0, high, shape)


OPS = {
    "index_select": (lambda t, x, i: t.index_select(x, 1, i), lambda: _index(6, 4)),
    "index_select_0d_index": (lambda t, x, i: x.index_select(-1, i), lambda: torch.tensor(3)),
    "gather": (lambda t, x, i: t.gather(x, 2, i), lambda: _index(7, 5, 6, 3)),
    "gather_smaller_index": (lambda t, x, i: x.gather(0, i), lambda: _index(5, 2, 3, 7)),
    "take_along_dim": (lambda t, x, i: t.take_along_dim(x, i, 1), lambda: _index(6, 1, 2, 7)),
    "take_along_dim_flat": (lambda t, x, i: t.take_along_dim(x, i), lambda: _index(210, 4)),
    "scatter_value": (lambda t, x, i: t.scatter(x, 0, i, 1.5),
                      lambda: torch.stack([torch.randperm(5)[:2] for _ in range(42)], -1)
                      .reshape(2, 6, 7)),
    "scatter_src": (lambda t, x, i: x.scatter(2, i, x[:, :, :3] * 2),
                    lambda: torch.stack([torch.randperm(7)[:3] for _ in range(30)])
                    .reshape(5, 6, 3)),
    "scatter_add": (lambda t, x, i: t.scatter_add(x, 0, i, x[:2]), lambda: _index(5, 2, 6, 7)),
    "index_add": (lambda t, x, i: t.index_add(x, 1, i, x[:, :3]), lambda: torch.tensor([0, 0, 5])),
    "index_add_alpha": (lambda t, x, i: x.index_add(0, i, x[:2], alpha=2),
                        lambda: torch.tensor([4, 4])),
    "index_copy": (lambda t, x, i: t.index_copy(x, 1, i, x[:, :3] * 0),
                   lambda: torch.tensor([4, 0, 5])),
    "index_put": (lambda t, x, i: t.index_put(x, (i, i), x[0, 0, :1] * 0),
                  lambda: torch.tensor([4, 0, 2])),
    "index_put_accumulate": (lambda t, x, i: x.index_put((i,), x[0], accumulate=True),
                             lambda: torch.tensor([4, 0, 4])),
}


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.int64], ids=str)
@pytest.mark.parametrize("name", list(OPS))
def test_indexing_op_matches_eager(name, dtype):
    torch.manual_seed(0)
    fn, make_index = OPS[name]
    check(fn, make(5, 6, 7, dtype=dtype), make_index(), tol=TOLERANCES.get(dtype))


@pytest.mark.parametrize("name", ["index_select", "gather", "scatter_add", "index_put"])
def test_indexing_ops_propagate_requires_grad(name):
    torch.manual_seed(0)
    fn, make_index = OPS[name]
    check_metadata(fn, make(5, 6, 7).requires_grad_(), make_index())


INDEX_ERRORS = [
    ("index_select_2d_index", IndexError, lambda t, x, i: t.index_select(x, 0, i.reshape(1, 2))),
    ("index_select_float_index", RuntimeError, lambda t, x, i: t.index_select(x, 0, x[0])),
    ("gather_rank", RuntimeError, lambda t, x, i: t.gather(x, 0, i)),
    ("gather_dim_range", IndexError, lambda t, x, i: t.gather(x, 2, i.reshape(1, 2))),
    ("scatter_add_dtype", RuntimeError,
     lambda t, x, i: t.scatter_add(x, 0, i.reshape(1, 2), x.double())),
    ("index_put_dtype", RuntimeError, lambda t, x, i: t.index_put(x, (i,), x.double()[0])),
]


@pytest.mark.parametrize("name,exc,fn", INDEX_ERRORS, ids=[e[0] for e in INDEX_ERRORS])
def test_indexing_op_raises_like_eager(name, exc, fn):
    check_raises(exc, fn, make(3, 2), torch.tensor([0, 1]))


# -- masked_fill ----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_masked_fill_matches_eager(dtype):
    torch.manual_seed(0)
    x = make(3, 4, dtype=dtype, noncontiguous=True)
    mask = torch.rand(3, 4) > 0.5
    value = True if dtype is torch.bool else 2
    check(lambda t, a, m: (t.masked_fill(a, m, value), a.masked_fill(m[0], value)), x, mask)


def test_masked_fill_with_tensor_and_float_values():
    x = make(2, 3, 4)
    mask = torch.rand(3, 4) > 0.5
    check(lambda t, a, m: (a.masked_fill(m, float("-inf")),
                           a.masked_fill(m, t.tensor(0.5, dtype=torch.float64)),
                           a.long().masked_fill(m, 2.7),
                           a[0, 0].masked_fill(m, 1.0)), x, mask)


def test_masked_fill_propagates_requires_grad():
    check_metadata(lambda t, a, m: a.masked_fill(m, 0.0), make(3, 4).requires_grad_(),
                   torch.rand(3, 4) > 0.5)


@pytest.mark.parametrize("fn", [
    lambda t, a, m: a.masked_fill(m.float(), 1.0),
    lambda t, a, m: a.masked_fill(m, a[0]),
], ids=["float_mask", "1d_value"])
def test_masked_fill_raises_like_eager(fn):
    check_raises(RuntimeError, fn, make(3, 4), torch.rand(3, 4) > 0.5)
