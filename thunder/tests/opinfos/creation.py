"""Records for tensor factories, random ops, dtype/device conversions and grad mode.

Factories take no tensor input: their samples pass sizes, fill values and the ``dtype`` under
test as keywords. Random ops are compared after the same ``torch.manual_seed`` (the test seeds
before each call), so they match exactly.
"""

import torch

from thunder.tests.opinfos import (
    ALL_DTYPES, FLOAT_DTYPES, NUMERIC_DTYPES, OpInfo, SampleInput, make, method, op_db,
    scalar_for, transposed,
)

# -- factories ------------------------------------------------------------------------------


def _sized_samples(dtype, requires_grad):
    yield SampleInput(((2, 3),), {"dtype": dtype}, "size tuple")
    yield SampleInput((2, 3), {"dtype": dtype}, "sizes as varargs")
    yield SampleInput(((),), {"dtype": dtype}, "0-d")
    yield SampleInput(((0, 4),), {"dtype": dtype, "device": "cpu"}, "empty, device string")
    yield SampleInput(([3],), {"dtype": dtype, "device": torch.device("cpu")}, "list size")


def _default_dtype_samples(dtype, requires_grad):
    yield SampleInput(((2, 3),), {}, "default dtype")
    yield SampleInput((), {"size": (4,)}, "size keyword")


def _full_samples(dtype, requires_grad):
    value = scalar_for(dtype)
    yield SampleInput(((2, 3), value), {"dtype": dtype}, "explicit dtype")
    yield SampleInput(((2, 3), value), {}, "dtype inferred from the fill value")
    yield SampleInput(((), value), {"dtype": dtype}, "0-d")
    yield SampleInput(((0, 3), value), {"dtype": dtype}, "empty")
    if dtype.is_floating_point:
        yield SampleInput(((2,), float("-inf")), {"dtype": dtype}, "-inf fill")


def _like_samples(dtype, requires_grad):
    yield SampleInput((make((2, 3), dtype),), {}, "same dtype")
    yield SampleInput((transposed((2, 3), dtype),), {}, "transposed input")
    yield SampleInput((make((), dtype),), {"dtype": torch.float64}, "dtype keyword")
    yield SampleInput((make((0, 2), dtype),), {}, "empty")


def _full_like_samples(dtype, requires_grad):
    value = scalar_for(dtype)
    yield SampleInput((make((2, 3), dtype), value), {}, "same dtype")
    yield SampleInput((make((2, 3), dtype), 1), {"dtype": torch.float64}, "dtype keyword")


def _new_samples(dtype, requires_grad):
    x = make((2, 3), dtype)
    yield SampleInput((x, (4, 2)), {}, "size tuple")
    yield SampleInput((x, 3, 2), {}, "sizes as varargs")
    yield SampleInput((x, ()), {"dtype": torch.float64}, "dtype keyword")


def _new_full_samples(dtype, requires_grad):
    x = make((2, 3), dtype)
    yield SampleInput((x, (4, 2), scalar_for(dtype)), {}, "size and fill value")
    yield SampleInput((x, (), 2), {"dtype": torch.float64}, "dtype keyword")


def _scalar_tensor_samples(dtype, requires_grad):
    yield SampleInput((scalar_for(dtype),), {"dtype": dtype}, "explicit dtype")
    yield SampleInput((3.5,), {}, "default dtype")


def _arange_samples(dtype, requires_grad):
    yield SampleInput((5,), {"dtype": dtype}, "end only")
    yield SampleInput((1, 7, 2), {"dtype": dtype}, "start, end, step")
    yield SampleInput((0, 10), {"step": 3, "dtype": dtype}, "step keyword")
    yield SampleInput((6,), {}, "int inferred")
    yield SampleInput((0.0, 1.0, 0.25), {}, "float inferred")
    yield SampleInput((5, 0, -1), {}, "negative step")
    yield SampleInput((3, 3), {"dtype": dtype}, "empty")


def _linspace_samples(dtype, requires_grad):
    yield SampleInput((0, 10, 5), {"dtype": dtype}, "int endpoints")
    yield SampleInput((-1.0, 1.0, 7), {"dtype": dtype}, "float endpoints")
    yield SampleInput((0, 1, 1), {"dtype": dtype}, "one step")
    yield SampleInput((0, 1, 0), {"dtype": dtype}, "no steps")
    yield SampleInput((2.0, -2.0), {"steps": 4}, "steps keyword, default dtype")


def _eye_samples(dtype, requires_grad):
    yield SampleInput((3,), {"dtype": dtype}, "square")
    yield SampleInput((2, 4), {"dtype": dtype}, "rectangular")
    yield SampleInput((0,), {"dtype": dtype}, "empty")
    yield SampleInput((3,), {}, "default dtype")


def _tensor_samples(dtype, requires_grad):
    value = scalar_for(dtype)
    yield SampleInput(([value, value],), {"dtype": dtype}, "list with dtype")
    yield SampleInput(([[1, 2], [3, 4]],), {"dtype": dtype}, "nested list")
    yield SampleInput((value,), {}, "Python scalar, inferred dtype")
    yield SampleInput(([1, 2.5],), {}, "int and float mixed")
    yield SampleInput(([],), {"dtype": dtype}, "empty list")
    yield SampleInput(([True, False],), {}, "bools")
    yield SampleInput(([1 + 2j],), {}, "complex")


def _as_tensor_samples(dtype, requires_grad):
    yield SampleInput(([1, 2, 3],), {"dtype": dtype}, "list with dtype")
    yield SampleInput((make((2, 3), dtype),), {}, "tensor input is returned as is")
    yield SampleInput((make((2, 3), torch.float32),), {"dtype": dtype}, "tensor converted")


def _factory_records():
    sized = [("torch.zeros", torch.zeros), ("torch.ones", torch.ones)]
    for name, op in sized:
        op_db.append(OpInfo(name, op, _sized_samples, ALL_DTYPES, supports_grad=False))
        op_db.append(OpInfo(f"{name}(default dtype)", op, _default_dtype_samples,
                            (torch.float32,), supports_grad=False, covers=(op,)))
    op_db.append(OpInfo("torch.empty", torch.empty, _sized_samples, ALL_DTYPES,
                        supports_grad=False, metadata_only=True))
    op_db.append(OpInfo("torch.full", torch.full, _full_samples, ALL_DTYPES,
                        supports_grad=False))
    for name in ("zeros_like", "ones_like"):
        op = getattr(torch, name)
        op_db.append(OpInfo(f"torch.{name}", op, _like_samples, ALL_DTYPES, supports_grad=False))
    op_db.append(OpInfo("torch.empty_like", torch.empty_like, _like_samples, ALL_DTYPES,
                        supports_grad=False, metadata_only=True))
    op_db.append(OpInfo("torch.full_like", torch.full_like, _full_like_samples, ALL_DTYPES,
                        supports_grad=False))
    for name in ("new_zeros", "new_ones", "new_empty"):
        op_db.append(OpInfo(f"Tensor.{name}", method(name), _new_samples, ALL_DTYPES,
                            supports_grad=False, metadata_only=name == "new_empty",
                            covers=(getattr(torch.Tensor, name),)))
    op_db.append(OpInfo("Tensor.new_full", method("new_full"), _new_full_samples, ALL_DTYPES,
                        supports_grad=False, covers=(torch.Tensor.new_full,)))
    op_db.append(OpInfo("torch.scalar_tensor", torch.scalar_tensor, _scalar_tensor_samples,
                        ALL_DTYPES, supports_grad=False))
    op_db.append(OpInfo("torch.arange", torch.arange, _arange_samples, NUMERIC_DTYPES,
                        supports_grad=False, error_inputs=_error_arange))
    op_db.append(OpInfo("torch.linspace", torch.linspace, _linspace_samples,
                        FLOAT_DTYPES + (torch.int64, torch.complex64), supports_grad=False))
    op_db.append(OpInfo("torch.eye", torch.eye, _eye_samples, ALL_DTYPES, supports_grad=False))
    op_db.append(OpInfo("torch.tensor", torch.tensor, _tensor_samples, ALL_DTYPES,
                        supports_grad=False))
    op_db.append(OpInfo("torch.as_tensor", torch.as_tensor, _as_tensor_samples, ALL_DTYPES,
                        supports_grad=False))


def _error_arange():
    yield SampleInput((0, 5, 0), {}, "zero step")
    yield SampleInput((5, 0, 1), {}, "step of the wrong sign")


# -- random ops -----------------------------------------------------------------------------


def _random_samples(dtype, requires_grad):
    yield SampleInput(((3, 4),), {"dtype": dtype}, "size tuple")
    yield SampleInput((2, 5), {"dtype": dtype}, "sizes as varargs")
    yield SampleInput(((0,),), {"dtype": dtype}, "empty")
    yield SampleInput(((3,),), {}, "default dtype")


def _random_like_samples(dtype, requires_grad):
    yield SampleInput((make((3, 4), dtype),), {}, "same dtype")
    yield SampleInput((make((2,), dtype),), {"dtype": torch.float64}, "dtype keyword")


def _randint_samples(dtype, requires_grad):
    yield SampleInput((10, (3, 4)), {"dtype": dtype}, "high and size")
    yield SampleInput((-5, 5, (6,)), {"dtype": dtype}, "low, high and size")
    yield SampleInput((3, (2, 2)), {}, "default int64")


def _bernoulli_samples(dtype, requires_grad):
    yield SampleInput((make((3, 4), dtype, low=0, high=1),), {}, "probabilities tensor")
    yield SampleInput((make((5,), dtype, low=0, high=1),), {"p": 0.3}, "p keyword")


def _random_records():
    for name in ("rand", "randn"):
        op_db.append(OpInfo(f"torch.{name}", getattr(torch, name), _random_samples,
                            FLOAT_DTYPES + (torch.complex64,), supports_grad=False))
        op_db.append(OpInfo(f"torch.{name}_like", getattr(torch, f"{name}_like"),
                            _random_like_samples, FLOAT_DTYPES, supports_grad=False))
    # the prim decompositions draw integers and coin flips differently from torch's kernels
    op_db.append(OpInfo("torch.randint", torch.randint, _randint_samples, NUMERIC_DTYPES,
                        supports_grad=False, decomposition_metadata_only=True))
    op_db.append(OpInfo("torch.bernoulli", torch.bernoulli, _bernoulli_samples, FLOAT_DTYPES,
                        supports_grad=False, decomposition_metadata_only=True))
    op_db.append(OpInfo("Tensor.bernoulli", method("bernoulli"), _bernoulli_samples,
                        FLOAT_DTYPES, supports_grad=False, covers=(torch.Tensor.bernoulli,),
                        decomposition_metadata_only=True))


# -- conversions ----------------------------------------------------------------------------


def _to_samples(dtype, requires_grad):
    x = make((2, 3), dtype)
    yield SampleInput((x, torch.float64), {}, "dtype")
    yield SampleInput((x, "cpu"), {}, "device string")
    yield SampleInput((x, torch.device("cpu"), torch.int32), {}, "device and dtype")
    yield SampleInput((x,), {"dtype": torch.bfloat16, "copy": True}, "keywords, copy")
    yield SampleInput((x, make((1,), torch.complex64)), {}, "like another tensor")
    yield SampleInput((transposed((2, 3), dtype), dtype), {}, "no-op on a transposed tensor")
    yield SampleInput((x, "meta"), {}, "meta device")


def _type_as_samples(dtype, requires_grad):
    yield SampleInput((make((2, 3), dtype), make((1,), torch.float64)), {}, "to float64")
    yield SampleInput((make((2, 3), dtype), make((), torch.int32)), {}, "to int32")


def _one_tensor(dtype, requires_grad):
    yield SampleInput((make((2, 3), dtype),), {}, "2-d")
    yield SampleInput((make((), dtype),), {}, "0-d")
    yield SampleInput((transposed((2, 3), dtype),), {}, "transposed")


def _type_samples(dtype, requires_grad):
    x = make((2, 3), dtype)
    yield SampleInput((x, torch.float64), {}, "dtype")
    yield SampleInput((x, "torch.IntTensor"), {}, "type name")
    yield SampleInput((x,), {}, "no argument: the type name")
    yield SampleInput((x,), {"dtype": torch.int64}, "dtype keyword")


CASTS = ("bfloat16", "bool", "byte", "cdouble", "cfloat", "char", "double", "float", "half",
         "int", "long", "short")


def _conversion_records():
    op_db.append(OpInfo("Tensor.to", method("to"), _to_samples, ALL_DTYPES,
                        covers=(torch.Tensor.to,)))
    op_db.append(OpInfo("Tensor.type_as", method("type_as"), _type_as_samples, ALL_DTYPES,
                        covers=(torch.Tensor.type_as,)))
    op_db.append(OpInfo("Tensor.type", method("type"), _type_samples, ALL_DTYPES,
                        covers=(torch.Tensor.type,)))
    for name in ("cpu", "cuda", "detach") + CASTS:
        op_db.append(OpInfo(f"Tensor.{name}", method(name), _one_tensor, ALL_DTYPES,
                            covers=(getattr(torch.Tensor, name),),
                            supports_grad=name != "cuda" or torch.cuda.is_available()))
    op_db.append(OpInfo("torch.detach", torch.detach, _one_tensor, ALL_DTYPES))


# -- grad mode ------------------------------------------------------------------------------


def _no_grad_double(x):
    with torch.no_grad():
        y = x * 2
    return y, torch.is_grad_enabled()


def _grad_mode_samples(dtype, requires_grad):
    yield SampleInput((make((2, 3), dtype, requires_grad=True),), {}, "inside torch.no_grad()")


def _grad_mode_records():
    # torch.no_grad() calls the private torch._C._set_grad_enabled, which Thunder records
    op_db.append(OpInfo("torch._C._set_grad_enabled", _no_grad_double, _grad_mode_samples,
                        (torch.float32,), supports_grad=False,
                        covers=(torch._C._set_grad_enabled,)))


_factory_records()
_random_records()
_conversion_records()
_grad_mode_records()
