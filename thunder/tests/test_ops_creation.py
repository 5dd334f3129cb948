"""Creation (``thunder/torch/creation.py``) and conversion (``conversion.py``) operators
against eager torch, including dtype inference, devices given as strings or ``torch.device``,
and random operators under ``torch.manual_seed``. Helpers: ``test_ops_shape.py``."""

import pytest
import torch

import thunder
from thunder.tests.framework import assert_close, run_decomposed, trace_directly
from thunder.tests.test_ops_shape import _JIT_INTERPRETS, SYMBOLS, check, check_metadata, \
    check_raises, make

ALL_DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64,
              torch.int32, torch.bool, torch.complex64]

FACTORIES = {
    "zeros_varargs": lambda t, x: t.zeros(2, 3),
    "zeros_tuple": lambda t, x: t.zeros((2, 3), dtype=torch.int32),
    "zeros_size_of_input": lambda t, x: t.zeros(x.size()),
    "zeros_0d": lambda t, x: t.zeros(()),
    "ones_device_str": lambda t, x: t.ones(3, device="cpu"),
    "ones_device_obj": lambda t, x: t.ones([2, 0], device=torch.device("cpu")),
    "empty_shape": lambda t, x: tuple(t.empty(2, 3).shape),
    "full_float": lambda t, x: t.full((2, 2), 1.5),
    "full_int": lambda t, x: t.full((2,), 7),
    "full_bool": lambda t, x: t.full((2,), True),
    "full_complex": lambda t, x: t.full((2,), 1 + 2j),
    "full_dtype": lambda t, x: t.full((2, 3), 2, dtype=torch.bfloat16),
    "full_tensor_fill": lambda t, x: t.full((2, 2), t.tensor(float("-inf"))),
    "full_tensor_fill_f64": lambda t, x: t.full((2,), x.sum().double()),
    "zeros_like": lambda t, x: t.zeros_like(x),
    "ones_like_dtype": lambda t, x: t.ones_like(x, dtype=torch.int64),
    "full_like": lambda t, x: t.full_like(x, 3),
    "empty_like_shape": lambda t, x: tuple(t.empty_like(x).shape),
    "new_zeros": lambda t, x: x.new_zeros(2, 3),
    "new_ones": lambda t, x: x.new_ones((4,), dtype=torch.bool),
    "new_full": lambda t, x: x.new_full((2,), 5),
    "scalar_tensor": lambda t, x: t.scalar_tensor(1),
    "arange_end": lambda t, x: t.arange(5),
    "arange_size_of_input": lambda t, x: t.arange(x.size(-1)),
    "arange_start_end": lambda t, x: t.arange(2, 9),
    "arange_step": lambda t, x: t.arange(10, 0, -3),
    "arange_float": lambda t, x: t.arange(0, 1, 0.1),
    "arange_float_end": lambda t, x: t.arange(2.5),
    "arange_dtype": lambda t, x: t.arange(6, dtype=torch.float16),
    "arange_empty": lambda t, x: t.arange(3, 3),
    "linspace": lambda t, x: t.linspace(-1, 1, 7),
    "linspace_one": lambda t, x: t.linspace(2, 5, 1),
    "linspace_zero": lambda t, x: t.linspace(2, 5, 0),
    "linspace_float64": lambda t, x: t.linspace(0, 10, 11, dtype=torch.float64),
    "linspace_int": lambda t, x: t.linspace(0, 10, 4, dtype=torch.int64),
    "eye": lambda t, x: t.eye(3),
    "eye_rect_dtype": lambda t, x: t.eye(2, 4, dtype=torch.bool),
}


@pytest.mark.parametrize("name", list(FACTORIES))
def test_factory_matches_eager(name):
    check(FACTORIES[name], make(2, 5))


TENSOR_DATA = [
    [1, 2, 3],
    [[1.5, 2.0], [3.0, -4.0]],
    [True, False],
    [True, 2],
    [1, 2.5],
    [1, 2j],
    3,
    2.5,
    False,
    [],
    [[]],
    ((1, 2), (3, 4)),
    [float("inf"), float("-inf"), float("nan")],
]


@pytest.mark.parametrize("data", TENSOR_DATA, ids=repr)
def test_tensor_constant_infers_dtype_like_eager(data):
    check(lambda t: t.tensor(data))


@pytest.mark.parametrize("dtype", ALL_DTYPES + [torch.complex128, torch.int8, torch.uint8],
                         ids=str)
def test_tensor_constant_of_every_dtype(dtype):
    check(lambda t: t.tensor([[1, 0], [3, 1]], dtype=dtype))
    check(lambda t: t.tensor(1, dtype=dtype, device="cpu"))


def test_tensor_constant_used_in_computation():
    check(lambda t, x: x * t.tensor([1.0, 2.0, 3.0], dtype=torch.bfloat16) + t.tensor(2),
          make(2, 3))


def test_as_tensor():
    check(lambda t, x: (t.as_tensor([1, 2]), t.as_tensor(x, dtype=torch.float64)), make(2))


def test_factories_follow_the_default_dtype():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        check(lambda t: (t.zeros(2), t.full((1,), 2.0), t.tensor([1.0]), t.arange(0.5, 2),
                         t.tensor([1j]), t.rand(2).dtype, t.eye(2)))
    finally:
        torch.set_default_dtype(previous)


FACTORY_ERRORS = [
    ("zeros_negative", RuntimeError, lambda t: t.zeros(-1, 2)),
    ("zeros_bad_size", TypeError, lambda t: t.zeros(2.5)),
    ("arange_zero_step", RuntimeError, lambda t: t.arange(0, 3, 0)),
    ("arange_wrong_sign", RuntimeError, lambda t: t.arange(0, 3, -1)),
    ("linspace_negative_steps", RuntimeError, lambda t: t.linspace(0, 1, -1)),
    ("eye_negative", RuntimeError, lambda t: t.eye(-1)),
    ("tensor_ragged", ValueError, lambda t: t.tensor([[1, 2], [3]])),
    ("full_fill_1d_tensor", TypeError, lambda t: t.full((2,), t.ones(2))),
]


@pytest.mark.parametrize("name,exc,fn", FACTORY_ERRORS, ids=[e[0] for e in FACTORY_ERRORS])
def test_factory_raises_like_eager(name, exc, fn):
    check_raises(exc, fn)


def test_factory_requires_grad_is_not_implemented():
    with pytest.raises(NotImplementedError, match="requires_grad"):
        trace_directly(lambda: SYMBOLS.zeros(2, requires_grad=True), (), {})


# -- random ---------------------------------------------------------------------------------
RANDOM = {
    "rand": lambda t, x: t.rand(2, 3),
    "randn_tuple": lambda t, x: t.randn((4,), dtype=torch.float64),
    "rand_like": lambda t, x: t.rand_like(x),
    "randn_like": lambda t, x: t.randn_like(x) + x,
    "randint": lambda t, x: t.randint(5, (3, 2)),
    "randint_low_high": lambda t, x: t.randint(-3, 3, (10,), dtype=torch.int32),
    "bernoulli": lambda t, x: t.bernoulli(x.abs() / (1 + x.abs())),
    "two_draws": lambda t, x: (t.rand(3), t.randn(3)),
}


@pytest.mark.parametrize("name", list(RANDOM))
def test_random_op_under_manual_seed_matches_eager(name):
    fn = RANDOM[name]
    x = make(3, 4)
    torch.manual_seed(0)
    expected = fn(torch, x)
    torch.manual_seed(0)
    jit_namespace = torch if _JIT_INTERPRETS else SYMBOLS
    actual = thunder.jit(lambda a: fn(jit_namespace, a))(x)
    assert_close(actual, expected)
    check_metadata(fn, x)


@pytest.mark.parametrize("name", ["rand", "randn_tuple", "rand_like", "randn_like"])
def test_decomposed_uniform_and_normal_draw_like_eager(name):
    fn = RANDOM[name]
    x = make(3, 4)
    torch.manual_seed(0)
    expected = fn(torch, x)
    torch.manual_seed(0)
    assert_close(run_decomposed(lambda a: fn(SYMBOLS, a), x), expected)


def test_decomposed_randint_and_bernoulli_stay_in_range():
    x = torch.full((1000,), 0.25)
    ints, bits = run_decomposed(lambda a: (SYMBOLS.randint(-3, 3, (1000,)), SYMBOLS.bernoulli(a)),
                                x)
    assert ints.dtype is torch.int64 and ints.min() >= -3 and ints.max() <= 2
    assert bits.dtype is torch.float32 and set(bits.unique().tolist()) <= {0.0, 1.0}
    assert 0.15 < bits.mean().item() < 0.35


# -- conversion -----------------------------------------------------------------------------
CONVERSIONS = {
    "to_dtype": lambda t, x: x.to(torch.float16),
    "to_dtype_keyword": lambda t, x: x.to(dtype=torch.int32),
    "to_device_str": lambda t, x: x.to("cpu"),
    "to_device_obj_and_dtype": lambda t, x: x.to(torch.device("cpu"), torch.float64),
    "to_keywords": lambda t, x: x.to(device="cpu", dtype=torch.bfloat16),
    "to_other": lambda t, x: x.to(x.long()),
    "to_copy": lambda t, x: x.to(torch.float32, copy=True),
    "to_positional_copy": lambda t, x: x.to(torch.float32, False, True),
    "type_as": lambda t, x: x.type_as(x.to(torch.int8)),
    "float": lambda t, x: x.float(),
    "double": lambda t, x: x.double(),
    "half": lambda t, x: x.half(),
    "bfloat16": lambda t, x: x.bfloat16(),
    "int": lambda t, x: x.int(),
    "long": lambda t, x: x.long(),
    "short": lambda t, x: x.short(),
    "bool": lambda t, x: x.bool(),
    "byte": lambda t, x: x.abs().byte(),
    "char": lambda t, x: x.char(),
    "cpu": lambda t, x: x.cpu(),
    "type_dtype": lambda t, x: x.type(torch.float64),
    "type_string": lambda t, x: x.type("torch.IntTensor"),
    "type_name": lambda t, x: x.type(),
    "detach": lambda t, x: t.detach(x) * 2,
    "detach_method": lambda t, x: x.detach(),
}


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.int64], ids=str)
@pytest.mark.parametrize("name", list(CONVERSIONS))
def test_conversion_matches_eager(name, dtype):
    torch.manual_seed(0)
    check(CONVERSIONS[name], make(2, 3, dtype=dtype, noncontiguous=True))


@pytest.mark.parametrize("name", ["to_dtype", "float", "int", "detach", "detach_method",
                                  "to_other", "to_copy"])
def test_conversion_requires_grad_matches_eager(name):
    check_metadata(CONVERSIONS[name], make(2, 3, dtype=torch.float64).requires_grad_())


def test_noop_to_gets_its_own_output_with_an_identity_decomposition():
    # NOTE [operators that return their input] in thunder/torch/registry.py
    trace, _ = trace_directly(lambda a: (a.to(torch.float32), a.to("cpu"), a.float()),
                              (make(2),), {})
    assert all(out is not trace.args[0] for out in trace.output)
    for bsym in trace.bound_symbols:
        assert [sub.sym.name for sub in bsym.subsymbols] == ["convert_element_type"]


def test_to_with_copy_returns_a_new_proxy():
    trace, _ = trace_directly(lambda a: a.to(torch.float32, copy=True), (make(2),), {})
    assert trace.output is not trace.args[0]


def test_to_rejects_a_bad_device_like_eager():
    check_raises(RuntimeError, lambda t, x: x.to("float"), make(2))
