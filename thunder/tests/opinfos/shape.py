"""Records for shape operators: reshape and views, permutations, joins, splits, flips, tril/triu.

Most of these take one tensor plus shape arguments; ``CASES`` lists, per operator, the
(input shape, extra args, kwargs) calls to make. A row expands into a record for the torch
function and one for each ``Tensor`` method of that name. Every dtype is supported: these ops
move data without computing on it.
"""

import torch

from thunder.tests.opinfos import (
    ALL_DTYPES, OpInfo, SampleInput, make, method, op_db, resolve, transposed, xfail_all,
)


def cases_samples(cases, strided=True):
    """Samples from (shape, args, kwargs) cases, plus a transposed copy of the first case."""

    def samples(dtype, requires_grad):
        for shape, args, kwargs in cases:
            x = make(shape, dtype, requires_grad=requires_grad)
            yield SampleInput((x,) + tuple(args), dict(kwargs), f"{list(shape)} {args} {kwargs}")
        shape, args, kwargs = cases[0]
        if not strided:
            return
        if len(shape) >= 2:
            x = transposed(shape, dtype)
            yield SampleInput((x,) + tuple(args), dict(kwargs), "transposed input")
        x = make(shape, dtype, noncontiguous=True)
        yield SampleInput((x,) + tuple(args), dict(kwargs), "non-contiguous input")

    return samples


# name -> cases; the name is both the torch function and the Tensor method unless noted
CASES = {
    "reshape": [((2, 3, 4), ((6, 4),), {}), ((2, 3, 4), ((-1,),), {}), ((), ((1, 1),), {}),
                ((0, 4), ((4, -1),), {})],
    "flatten": [((2, 3, 4), (), {}), ((2, 3, 4, 5), (1, 2), {}), ((), (), {}),
                ((2, 3, 4), (), {"start_dim": 1})],
    "unflatten": [((2, 12), (1, (3, 4)), {}), ((6, 5), (0, (-1, 2)), {})],
    "clone": [((3, 4), (), {}), ((), (), {}), ((0, 2), (), {})],
    "permute": [((2, 3, 4), ((2, 0, 1),), {}), ((2, 3, 4), ((-1, 0, 1),), {}),
                ((), ((),), {})],
    "transpose": [((2, 3, 4), (0, 2), {}), ((3, 4), (-1, -2), {}), ((), (0, -1), {})],
    "swapaxes": [((2, 3, 4), (0, 2), {})],
    "swapdims": [((2, 3, 4), (1, -1), {})],
    "t": [((3, 4), (), {}), ((5,), (), {}), ((), (), {})],
    "movedim": [((2, 3, 4), (0, 2), {}), ((2, 3, 4), ((0, 1), (2, 0)), {})],
    "moveaxis": [((2, 3, 4), (0, -1), {})],
    "broadcast_to": [((3, 1), ((2, 3, 4),), {}), ((), ((2, 2),), {}), ((4,), ((-1, 4),), {})],
    "split": [((6, 4), (2,), {}), ((6, 4), ([1, 5],), {}), ((5, 4), (2, 1), {}),
              ((6, 4), (4,), {"dim": 0})],
    "split_with_sizes": [((6, 4), ([2, 4],), {}), ((6, 4), ([1, 3], 1), {})],
    "chunk": [((6, 4), (3,), {}), ((5, 4), (2, 1), {}), ((7,), (3,), {})],
    "tensor_split": [((7, 4), (3,), {}), ((7, 4), ([1, 4],), {}), ((7, 4), (2, 1), {})],
    "unbind": [((3, 4), (), {}), ((3, 4), (1,), {}), ((0, 2), (1,), {})],
    "select": [((3, 4), (0, 1), {}), ((3, 4), (1, -1), {})],
    "narrow": [((5, 4), (0, 1, 3), {}), ((5, 4), (-1, 2, 2), {})],
    "squeeze": [((1, 3, 1), (), {}), ((1, 3, 1), (0,), {}), ((1, 3, 1), ((0, 2),), {}),
                ((), (), {}), ((3, 4), (0,), {})],
    "unsqueeze": [((3, 4), (0,), {}), ((3, 4), (-1,), {}), ((), (0,), {})],
    "flip": [((3, 4), ((0,),), {}), ((2, 3, 4), ((0, 2),), {}), ((), ((),), {})],
    "fliplr": [((3, 4), (), {}), ((2, 3, 4), (), {})],
    "flipud": [((3, 4), (), {}), ((3,), (), {})],
    "roll": [((3, 4), (1,), {}), ((3, 4), (1, 0), {}), ((3, 4), ((1, -2), (0, 1)), {}),
             ((3, 4), (-5,), {"dims": 1})],
    "tile": [((3, 4), ((2,),), {}), ((3, 4), ((2, 1, 2),), {}), ((), ((3,),), {})],
    "diagonal": [((3, 4), (), {}), ((3, 4), (1,), {}), ((2, 3, 4), (-1, 1, 2), {}),
                 ((3, 4), (), {"offset": -1, "dim1": 1, "dim2": 0})],
    "tril": [((4, 5), (), {}), ((4, 5), (1,), {}), ((2, 3, 3), (-1,), {}), ((0, 3), (), {})],
    "triu": [((4, 5), (), {}), ((4, 5), (-1,), {}), ((2, 3, 3), (1,), {})],
}

# method-only operators
METHOD_CASES = {
    "view": [((2, 3, 4), ((6, 4),), {}), ((2, 3, 4), (6, -1), {}), ((), (1,), {})],
    "contiguous": [((3, 4), (), {})],
    "expand": [((3, 1), (2, 3, 4), {}), ((3, 1), ((-1, 5),), {}), ((), (2,), {})],
    "repeat": [((3, 4), (2, 1), {}), ((3,), ((2, 2),), {}), ((), (3,), {})],
    "T": [((3, 4), (), {}), ((2, 3, 4), (), {})],
    "mT": [((3, 4), (), {}), ((2, 3, 4), (), {})],
    "mH": [((3, 4), (), {}), ((2, 3, 4), (), {})],
    "H": [((3, 4), (), {})],
    "adjoint": [((3, 4), (), {}), ((2, 3, 4), (), {})],
}
PROPERTIES = ("T", "mT", "mH", "H")
# torch functions that reach the same operator under another name
FUNCTION_ALIASES = {"concat": "cat", "row_stack": "vstack"}


def _property(name):
    def get(x):
        return getattr(x, name)

    get.__name__ = f"Tensor_{name}"
    return get


def _one_tensor_records():
    methods = {name for name in CASES if hasattr(torch.Tensor, name)}
    for name, cases in CASES.items():
        samples = cases_samples(cases)
        op_db.append(OpInfo(f"torch.{name}", resolve(f"torch.{name}"), samples, ALL_DTYPES))
        if name in methods:
            op_db.append(OpInfo(f"Tensor.{name}", method(name), samples, ALL_DTYPES,
                                covers=(getattr(torch.Tensor, name),)))
    for name, cases in METHOD_CASES.items():
        op = _property(name) if name in PROPERTIES else method(name)
        op_db.append(OpInfo(f"Tensor.{name}", op, cases_samples(cases, name != "view"),
                            ALL_DTYPES, covers=(getattr(torch.Tensor, name),)))
    reason = ("the prim decomposition of view reshapes any input; eager rejects a view whose "
              "size is incompatible with the input's strides")
    op_db.append(OpInfo("Tensor.view(incompatible strides)", method("view"),
                        _incompatible_view_samples, ALL_DTYPES, covers=(torch.Tensor.view,),
                        decomposition_xfails=xfail_all(ALL_DTYPES, reason)))


def _incompatible_view_samples(dtype, requires_grad):
    yield SampleInput((transposed((3, 4), dtype), 12), {}, "flatten a transposed tensor")


# -- operators taking two or more tensors ----------------------------------------------------


def _like_samples(dtype, requires_grad):
    """(x, other) pairs for view_as / reshape_as / expand_as."""
    yield SampleInput((make((2, 6), dtype), make((3, 4), dtype)), {}, "2-d to 2-d")
    yield SampleInput((make((12,), dtype), make((2, 3, 2), dtype)), {}, "1-d to 3-d")


def _expand_as_samples(dtype, requires_grad):
    yield SampleInput((make((3, 1), dtype), make((2, 3, 4), dtype)), {}, "broadcast")
    yield SampleInput((make((), dtype), make((2,), dtype)), {}, "0-d")


def _sequence_samples(shapes_list):
    """Samples whose first argument is a list of tensors, one list per entry of ``shapes_list``."""

    def samples(dtype, requires_grad):
        for shapes, kwargs in shapes_list:
            tensors = [make(s, dtype, requires_grad=requires_grad) for s in shapes]
            yield SampleInput((tensors,), dict(kwargs), f"{shapes} {kwargs}")
        shapes, kwargs = shapes_list[0]
        tensors = [transposed(s, dtype) if len(s) >= 2 else make(s, dtype) for s in shapes]
        yield SampleInput((tuple(tensors),), dict(kwargs), "tuple of transposed tensors")

    return samples


def _variadic_samples(shapes_list):
    """Samples passing tensors as separate positional arguments."""

    def samples(dtype, requires_grad):
        for shapes in shapes_list:
            yield SampleInput(tuple(make(s, dtype) for s in shapes), {}, f"{shapes}")

    return samples


SEQUENCE_CASES = {
    "cat": [([(2, 3), (4, 3)], {}), ([(2, 3), (2, 5)], {"dim": 1}), ([(3,), (0,)], {}),
            ([(2, 3), (2, 3), (2, 3)], {"dim": -1})],
    "concatenate": [([(2, 3), (4, 3)], {}), ([(2, 3), (2, 5)], {"axis": 1})],
    "stack": [([(2, 3), (2, 3)], {}), ([(2, 3), (2, 3)], {"dim": 2}), ([(), ()], {})],
    "hstack": [([(2, 3), (2, 5)], {}), ([(3,), (2,)], {}), ([(), ()], {})],
    "vstack": [([(2, 3), (4, 3)], {}), ([(3,), (3,)], {})],
}
VARIADIC_CASES = {
    "broadcast_tensors": [[(3, 1), (1, 4)], [(2, 3, 4), (4,), ()]],
    "atleast_1d": [[()], [(3,)], [(), (2, 3)]],
    "atleast_2d": [[()], [(3,)], [(2, 3)], [(), (4,)]],
}


def _error_cat():
    yield SampleInput(([torch.ones(2, 3), torch.ones(2, 4)],), {}, "mismatched shapes")
    yield SampleInput(([],), {}, "empty list")


def _multi_tensor_records():
    for name in ("view_as", "reshape_as"):
        op_db.append(OpInfo(f"Tensor.{name}", method(name), _like_samples, ALL_DTYPES,
                            covers=(getattr(torch.Tensor, name),)))
    op_db.append(OpInfo("Tensor.expand_as", method("expand_as"), _expand_as_samples,
                        ALL_DTYPES, covers=(torch.Tensor.expand_as,)))
    for name, cases in SEQUENCE_CASES.items():
        errors = _error_cat if name == "cat" else None
        op_db.append(OpInfo(f"torch.{name}", resolve(f"torch.{name}"), _sequence_samples(cases),
                            ALL_DTYPES, error_inputs=errors))
    for alias, name in FUNCTION_ALIASES.items():
        op_db.append(OpInfo(f"torch.{alias}", resolve(f"torch.{alias}"),
                            _sequence_samples(SEQUENCE_CASES[name]), ALL_DTYPES))
    for name, cases in VARIADIC_CASES.items():
        op_db.append(OpInfo(f"torch.{name}", resolve(f"torch.{name}"), _variadic_samples(cases),
                            ALL_DTYPES))


_one_tensor_records()
_multi_tensor_records()
