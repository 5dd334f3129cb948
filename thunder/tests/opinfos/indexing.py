"""Records for indexing: ``x[key]``, gather/scatter, index_* ops, masked_fill and masked_select.

Index tensors are int64 and in range; the data tensor is in the dtype under test. Each op has
a torch-function record and a ``Tensor``-method record sharing the samples.
"""

import operator

import torch

from thunder.tests.opinfos import (
    ALL_DTYPES, OpInfo, SampleInput, make, method, op_db, resolve, scalar_for, transposed, xfail_all,
)


def _index(high, *shape):
    return torch.randint(0, high, shape)


def _getitem_samples(dtype, requires_grad):
    x = make((4, 5, 6), dtype, requires_grad=requires_grad)
    keys = [
        (1, "int"), (-1, "negative int"), (slice(1, 3), "slice"),
        ((slice(None), 2), "slice and int"), ((Ellipsis, 1), "ellipsis"),
        ((None, 1), "None adds a dim"), ((slice(None, None, 2), slice(1, None)), "step"),
        (torch.tensor([0, 2]), "index tensor"), ((slice(None), [1, 3]), "list index"),
        ((torch.tensor([0, 1]), torch.tensor([2, 3])), "two index tensors"),
        (slice(5, 10), "slice past the end"),
    ]
    for key, name in keys:
        yield SampleInput((x, key), {}, name)
    yield SampleInput((transposed((4, 5), dtype), (1, slice(None))), {}, "transposed")
    yield SampleInput((make((), dtype), ()), {}, "0-d with ()")
    yield SampleInput((make((0, 3), dtype), slice(None)), {}, "empty")


def _error_getitem():
    yield SampleInput((torch.ones(3), 5), {}, "index out of range")
    yield SampleInput((torch.ones(3), (0, 0)), {}, "too many indices")


def _index_select_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x, 0, _index(4, 3)), {}, "dim 0")
    yield SampleInput((x, 1, _index(5, 6)), {}, "dim 1, repeated indices")
    yield SampleInput((x, -1, torch.tensor([], dtype=torch.int64)), {}, "no indices")
    yield SampleInput((make((), dtype), 0, torch.tensor([0])), {}, "0-d")


def _gather_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x, 1, _index(5, 4, 3)), {}, "dim 1")
    yield SampleInput((x, 0, _index(4, 2, 5)), {}, "dim 0")
    yield SampleInput((transposed((4, 5), dtype), -1, _index(5, 4, 2)), {}, "transposed")


def _take_along_dim_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x, _index(5, 4, 3), 1), {}, "dim 1")
    yield SampleInput((x, _index(20, 6)), {}, "no dim: flattened")
    yield SampleInput((x, _index(4, 1, 5)), {"dim": 0}, "dim keyword")


def _scatter_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    unique_rows = torch.stack([torch.randperm(5)[:3] for _ in range(4)])
    yield SampleInput((x, 1, unique_rows, make((4, 3), dtype)), {}, "src tensor")
    yield SampleInput((x, 1, unique_rows, scalar_for(dtype)), {}, "scalar value")
    yield SampleInput((x, 1, unique_rows), {"value": scalar_for(dtype)}, "value keyword")


def _scatter_reduce_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x, 1, _index(5, 4, 3), make((4, 3), dtype)), {"reduce": "add"},
                      "reduce=add")
    yield SampleInput((x, 1, _index(5, 4, 3), make((4, 3), dtype)), {"reduce": "multiply"},
                      "reduce=multiply")


def _scatter_add_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x, 1, _index(5, 4, 3), make((4, 3), dtype)), {}, "dim 1")
    yield SampleInput((x, 0, _index(4, 2, 5), make((3, 5), dtype)), {}, "larger src")


def _index_add_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x, 0, _index(4, 3), make((3, 5), dtype)), {}, "dim 0")
    yield SampleInput((x, 1, torch.tensor([0, 0, 4]), make((4, 3), dtype)), {},
                      "repeated index")
    if dtype != torch.bool:
        yield SampleInput((x, 1, torch.tensor([2]), make((4, 1), dtype)), {"alpha": 2},
                          "alpha")


def _index_copy_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x, 0, torch.tensor([3, 0]), make((2, 5), dtype)), {}, "dim 0")
    yield SampleInput((x, 1, torch.tensor([4, 1, 2]), make((4, 3), dtype)), {}, "dim 1")


def _index_put_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x, (torch.tensor([0, 2]),), make((2, 5), dtype)), {}, "rows")
    yield SampleInput((x, (torch.tensor([0, 3]), torch.tensor([1, 4])), make((2,), dtype)), {},
                      "points")
    yield SampleInput((x, (torch.tensor([1, 1]),), make((5,), dtype), True), {},
                      "accumulate, broadcast values")
    yield SampleInput((x, (torch.tensor([2]),), make((), dtype)), {"accumulate": False},
                      "0-d value")


def _masked_fill_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x, make((4, 5), torch.bool), scalar_for(dtype)), {}, "scalar value")
    yield SampleInput((x, make((5,), torch.bool), make((), dtype)), {}, "0-d tensor value")
    yield SampleInput((transposed((4, 5), dtype), make((4, 1), torch.bool), 0), {},
                      "transposed, int value")
    if dtype.is_floating_point:
        yield SampleInput((x, make((4, 5), torch.bool), float("-inf")), {}, "-inf fill")


def _masked_select_samples(dtype, requires_grad):
    x = make((4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x, make((4, 5), torch.bool)), {}, "same shape")
    yield SampleInput((x, make((5,), torch.bool)), {}, "broadcast mask")
    yield SampleInput((x, torch.zeros(4, 5, dtype=torch.bool)), {}, "nothing selected")


# (name, samples, has a torch function)
INDEXING = [
    ("index_select", _index_select_samples, True),
    ("gather", _gather_samples, True),
    ("take_along_dim", _take_along_dim_samples, True),
    ("scatter", _scatter_samples, True),
    ("scatter_add", _scatter_add_samples, True),
    ("index_add", _index_add_samples, True),
    ("index_copy", _index_copy_samples, True),
    ("index_put", _index_put_samples, True),
    ("masked_fill", _masked_fill_samples, True),
    ("masked_select", _masked_select_samples, True),
]


def _error_gather():
    yield SampleInput((torch.ones(3, 4), 1, torch.tensor([[0.5]])), {}, "float index")


SCATTER_REDUCE = "scatter(..., reduce=...) raises UnsupportedOperationError"


def _records():
    op_db.append(OpInfo("Tensor.__getitem__", operator.getitem, _getitem_samples, ALL_DTYPES,
                        covers=(torch.Tensor.__getitem__,), error_inputs=_error_getitem))
    for name, samples, has_function in INDEXING:
        errors = _error_gather if name == "gather" else None
        # masked_select's shape depends on the mask: specialised per shape (NOTE
        # [data-dependent values]); its decomposition check runs the same specialisation
        xfails = {}
        if has_function:
            op_db.append(OpInfo(f"torch.{name}", resolve(f"torch.{name}"), samples, ALL_DTYPES,
                                error_inputs=errors, xfails=xfails))
        op_db.append(OpInfo(f"Tensor.{name}", method(name), samples, ALL_DTYPES,
                            covers=(getattr(torch.Tensor, name),), xfails=xfails))
    dtypes = tuple(d for d in ALL_DTYPES if d != torch.bool)
    op_db.append(OpInfo("torch.scatter(reduce)", torch.scatter, _scatter_reduce_samples, dtypes,
                        covers=(torch.scatter,), xfails=xfail_all(dtypes, SCATTER_REDUCE)))


_records()
