"""Shape and view operators (``thunder/torch/shape.py``) against eager torch.

Each case is a function ``fn(t, *args)`` written against a torch namespace ``t``: eager runs it
with ``torch``; ``thunder.jit`` runs it with ``torch`` too when the interpreter is there to look
the calls aside, and ``run_decomposed`` (only the prims) runs it with ``SYMBOLS``, torch's names
mapped to the thunder symbols. See NOTE [calling torch functions in op tests] in
``test_ops_linalg.py``. ``check`` also compares the traced output proxies' metadata (shape,
dtype, device, requires_grad) with eager's outputs. The helpers here are shared by the other
``test_ops_*`` files of this family.
"""

import pytest
import torch

import thunder
import thunder.torch as ltorch
from thunder.core.proxies import TensorProxy
from thunder.core.pytree import tree_flatten
from thunder.tests.framework import assert_close, run_decomposed, trace_directly
from thunder.torch import torch_to_thunder

_JIT_INTERPRETS = hasattr(thunder, "last_traces")


class _ThunderNamespace:
    """``torch`` with every function replaced by the thunder symbol registered for it."""

    def __getattr__(self, name):
        fn = getattr(torch, name)
        if fn not in torch_to_thunder:
            raise AttributeError(f"no thunder symbol for torch.{name}")
        return torch_to_thunder[fn]


SYMBOLS = _ThunderNamespace()

TOLERANCES = {
    torch.float16: dict(rtol=1e-3, atol=1e-3),
    torch.bfloat16: dict(rtol=1.6e-2, atol=1e-2),
}

ALL_DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64,
              torch.int32, torch.bool, torch.complex64]


def make(*shape, dtype=torch.float32, noncontiguous=False, requires_grad=False, low=-5, high=5):
    """A random tensor; ``noncontiguous`` gives a transposed view of the last two dims."""
    if noncontiguous and len(shape) >= 2:
        base = make(*shape[:-2], shape[-1], shape[-2], dtype=dtype, low=low, high=high)
        return base.transpose(-2, -1)
    if dtype is torch.bool:
        t = torch.randn(shape) > 0
    elif dtype.is_floating_point or dtype.is_complex:
        t = torch.randn(shape, dtype=dtype)
    else:
        t = torch.randint(low, high, shape, dtype=dtype)
    return t.requires_grad_() if requires_grad else t


def check_metadata(fn, *args):
    """The traced outputs have the shape, dtype, device and requires_grad eager gives."""
    expected, _ = tree_flatten(fn(torch, *args))
    trace, _ = trace_directly(lambda *a: fn(SYMBOLS, *a), args, {})
    actual, _ = tree_flatten(trace.output)
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        if isinstance(e, torch.Tensor):
            assert isinstance(a, TensorProxy)
            assert (a.shape, a.dtype, a.device, a.requires_grad) == \
                (tuple(e.shape), e.dtype, e.device, e.requires_grad), (a.type_string(), e)


def check(fn, *args, tol=None):
    """Compare eager, ``thunder.jit`` and ``run_decomposed`` results of ``fn(t, *args)``."""
    tol = tol or {}
    expected = fn(torch, *args)
    jit_namespace = torch if _JIT_INTERPRETS else SYMBOLS
    assert_close(thunder.jit(lambda *a: fn(jit_namespace, *a))(*args), expected, **tol)
    assert_close(run_decomposed(lambda *a: fn(SYMBOLS, *a), *args), expected, **tol)
    check_metadata(fn, *args)
    return expected


def check_raises(exc_type, fn, *args):
    """Eager and tracing raise the same exception type."""
    with pytest.raises(exc_type):
        fn(torch, *args)
    with pytest.raises(exc_type):
        trace_directly(lambda *a: fn(SYMBOLS, *a), args, {})


# -- the common ops over every dtype --------------------------------------------------------
COMMON = {
    "reshape_fn": lambda t, x: t.reshape(x, (3, -1)),
    "reshape_method_varargs": lambda t, x: x.reshape(-1, 2, 3),
    "view": lambda t, x: x.mT.view(2, 2, 6),
    "view_as": lambda t, x: x.mT.view_as(x.reshape(6, 4)),
    "permute_fn": lambda t, x: t.permute(x, (2, 0, 1)),
    "permute_method": lambda t, x: x.permute(-1, 1, 0),
    "transpose": lambda t, x: t.transpose(x, 0, -1),
    "expand": lambda t, x: x[:, :1].expand(5, -1, 3, 4),
    "cat": lambda t, x: t.cat([x, x[:, :1]], dim=1),
    "stack": lambda t, x: t.stack([x, x], -2),
    "split": lambda t, x: t.split(x, 2, dim=-1),
    "split_list": lambda t, x: x.split([1, 2], 1),
    "chunk": lambda t, x: x.chunk(3, -1),
    "squeeze": lambda t, x: t.squeeze(x[:, :1]),
    "unsqueeze": lambda t, x: x.unsqueeze(-2),
    "flatten": lambda t, x: t.flatten(x, 1),
    "contiguous": lambda t, x: x.contiguous() * 1 if x.dtype != torch.bool else x.contiguous(),
    "clone": lambda t, x: t.clone(x),
    "getitem": lambda t, x: x[..., 1:, None, -1],
    "flip": lambda t, x: t.flip(x, (0, -1)),
}


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
@pytest.mark.parametrize("name", list(COMMON))
def test_common_shape_ops_match_eager_over_dtypes(name, dtype):
    torch.manual_seed(0)
    check(COMMON[name], make(2, 3, 4, dtype=dtype, noncontiguous=True))


@pytest.mark.parametrize("name", list(COMMON))
def test_shape_ops_propagate_requires_grad(name):
    check_metadata(COMMON[name], make(2, 3, 4, noncontiguous=True).requires_grad_())


# -- every op, float32, with edge cases -----------------------------------------------------
CASES = [
    ("reshape_0d_to_1d", lambda t, x: x.reshape(1), ()),
    ("reshape_to_0d", lambda t, x: x.reshape(()), (1, 1)),
    ("reshape_empty", lambda t, x: x.reshape(-1, 2), (0, 4)),
    ("reshape_keyword", lambda t, x: t.reshape(x, shape=(4, 6)), (2, 3, 4)),
    ("view_dtype_same", lambda t, x: x.view(torch.float32), (2, 3)),
    ("reshape_as", lambda t, x: x.reshape_as(x.reshape(4, 6)), (2, 3, 4)),
    ("swapaxes", lambda t, x: t.swapaxes(x, 0, 2), (2, 3, 4)),
    ("swapdims", lambda t, x: x.swapdims(-1, 1), (2, 3, 4)),
    ("t_2d", lambda t, x: t.t(x), (2, 3)),
    ("t_1d", lambda t, x: x.t(), (3,)),
    ("T_2d", lambda t, x: x.T, (2, 3)),
    ("mT", lambda t, x: x.mT, (2, 3, 4)),
    ("expand_new_dims", lambda t, x: x.expand(2, 3, 4), (4,)),
    ("expand_0d", lambda t, x: x.expand(3, 2), ()),
    ("expand_as", lambda t, x: x[:1].expand_as(x), (2, 3)),
    ("broadcast_to", lambda t, x: t.broadcast_to(x, (5, 2, 3)), (2, 3)),
    ("broadcast_tensors", lambda t, x: t.broadcast_tensors(x, x[:1, None]), (2, 3, 1)),
    ("cat_promotes", lambda t, x: t.cat([x, x.to(torch.float64)]), (2, 3)),
    ("cat_legacy_empty", lambda t, x: t.cat([x, x.new_zeros(0)], 1), (2, 3)),
    ("cat_negative_dim", lambda t, x: t.cat((x, x, x), -1), (2, 3)),
    ("concat", lambda t, x: t.concat([x, x], dim=0), (2, 3)),
    ("concatenate", lambda t, x: t.concatenate([x, x], axis=1), (2, 3)),
    ("stack_0d", lambda t, x: t.stack([x, x, x]), ()),
    ("hstack", lambda t, x: t.hstack([x, x]), (2, 3)),
    ("hstack_1d", lambda t, x: t.hstack([x[0], x[1]]), (2, 3)),
    ("vstack", lambda t, x: t.vstack([x[0], x[1], x]), (2, 3)),
    ("split_uneven", lambda t, x: x.split(4), (10, 2)),
    ("split_empty_dim", lambda t, x: x.split(2), (0, 2)),
    ("split_with_sizes", lambda t, x: t.split_with_sizes(x, [3, 0, 1], 1), (2, 4)),
    ("chunk_fewer", lambda t, x: x.chunk(4), (6,)),
    ("chunk_empty", lambda t, x: t.chunk(x, 3), (0,)),
    ("tensor_split_sections", lambda t, x: t.tensor_split(x, 3, dim=1), (2, 7)),
    ("tensor_split_indices", lambda t, x: x.tensor_split([-2, 10, 3]), (7,)),
    ("unbind", lambda t, x: t.unbind(x, -1), (2, 3)),
    ("unbind_iter", lambda t, x: tuple(r * 2 for r in x), (3, 2)),
    ("squeeze_int", lambda t, x: x.squeeze(1), (2, 1, 3)),
    ("squeeze_nonsingleton", lambda t, x: x.squeeze(0), (2, 1, 3)),
    ("squeeze_tuple", lambda t, x: t.squeeze(x, (0, -1)), (1, 2, 1)),
    ("squeeze_0d", lambda t, x: x.squeeze(), ()),
    ("unsqueeze_0d", lambda t, x: t.unsqueeze(x, -1), ()),
    ("flatten_0d", lambda t, x: x.flatten(), ()),
    ("flatten_range", lambda t, x: x.flatten(1, 2), (2, 3, 4, 5)),
    ("unflatten", lambda t, x: t.unflatten(x, 1, (2, -1)), (3, 6)),
    ("movedim", lambda t, x: t.movedim(x, (0, 1), (-1, 0)), (2, 3, 4)),
    ("moveaxis", lambda t, x: x.moveaxis(0, 1), (2, 3, 4)),
    ("fliplr", lambda t, x: t.fliplr(x), (2, 3)),
    ("flipud", lambda t, x: x.flipud(), (2, 3)),
    ("flip_varargs", lambda t, x: x.flip(0, 1), (2, 3)),
    ("roll", lambda t, x: t.roll(x, (1, -5), (0, 1)), (3, 4)),
    ("roll_flat", lambda t, x: x.roll(5), (3, 4)),
    ("repeat", lambda t, x: x.repeat(2, 1, 3), (2, 3)),
    ("repeat_0d", lambda t, x: x.repeat(3), ()),
    ("tile", lambda t, x: t.tile(x, (2,)), (2, 3)),
    ("narrow", lambda t, x: t.narrow(x, -1, -3, 2), (2, 4)),
    ("select", lambda t, x: t.select(x, 1, -1), (2, 3)),
    ("diagonal", lambda t, x: t.diagonal(x), (3, 4)),
    ("diagonal_offset", lambda t, x: x.diagonal(1, -1, 0), (2, 3, 4)),
    ("diagonal_negative_offset", lambda t, x: x.diagonal(-2), (4, 3)),
    ("diagonal_empty", lambda t, x: x.diagonal(5), (3, 3)),
    ("tril", lambda t, x: t.tril(x), (3, 4)),
    ("tril_offset", lambda t, x: x.tril(-1), (2, 3, 4)),
    ("triu", lambda t, x: t.triu(x, 1), (4, 3)),
    ("atleast_2d", lambda t, x: t.atleast_2d(x), (3,)),
]


@pytest.mark.parametrize("name,fn,shape", CASES, ids=[c[0] for c in CASES])
def test_shape_op_matches_eager(name, fn, shape):
    torch.manual_seed(0)
    check(fn, make(*shape))


@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.bool], ids=str)
def test_tril_triu_keep_dtype(dtype):
    check(lambda t, x: (t.tril(x, 1), t.triu(x, -1)), make(3, 5, dtype=dtype))


def test_mH_and_H_conjugate_complex():
    x = make(2, 3, dtype=torch.complex64)
    actual = run_decomposed(lambda a: (ltorch.mH(a), ltorch.H(a)), x)
    assert_close(actual, (x.mH, x.H))


def test_clone_is_a_distinct_value():
    trace, _ = trace_directly(lambda a: SYMBOLS.clone(a), (make(2),), {})
    assert trace.output is not trace.args[0]


def test_noop_views_get_their_own_output_and_still_run():
    # NOTE [operators that return their input] in thunder/torch/registry.py: contiguous must
    # still run, so that a later view of a transposed tensor works as in eager
    x = make(2, 3)
    trace, _ = trace_directly(lambda a: (a.reshape(2, 3), a.contiguous(), a.permute(0, 1)),
                              (x,), {})
    assert all(out is not trace.args[0] for out in trace.output)

    def fn(a):
        return a.transpose(0, 1).contiguous().view(-1)

    assert_close(thunder.jit(fn)(x), fn(x))


ERRORS = [
    ("reshape_bad_numel", RuntimeError, lambda t, x: x.reshape(4, -1), (2, 3)),
    ("reshape_two_inferred", RuntimeError, lambda t, x: x.view(-1, -1), (2, 3)),
    ("reshape_negative", RuntimeError, lambda t, x: x.reshape(-2, 3), (2, 3)),
    ("unsqueeze_dim_range", IndexError, lambda t, x: x.unsqueeze(3), (3,)),
    ("transpose_dim_range", IndexError, lambda t, x: x.transpose(0, 2), (3,)),
    ("permute_duplicate", RuntimeError, lambda t, x: x.permute(0, 0), (3, 3)),
    ("permute_length", RuntimeError, lambda t, x: x.permute(0), (3, 3)),
    ("expand_too_few", RuntimeError, lambda t, x: x.expand(3), (2, 3)),
    ("expand_mismatch", RuntimeError, lambda t, x: x.expand(2, 4), (2, 3)),
    ("cat_rank", RuntimeError, lambda t, x: t.cat([x, x[0]]), (2, 2)),
    ("cat_sizes", RuntimeError, lambda t, x: t.cat([x, x[:, :1]]), (2, 2)),
    ("cat_0d", RuntimeError, lambda t, x: t.cat([x, x]), ()),
    ("cat_empty_list", ValueError, lambda t, x: t.cat([]), (2,)),
    ("stack_sizes", RuntimeError, lambda t, x: t.stack([x, x[:1]]), (2,)),
    ("stack_empty", RuntimeError, lambda t, x: t.stack([]), (2,)),
    ("split_zero", RuntimeError, lambda t, x: x.split(0), (3,)),
    ("split_sizes_sum", RuntimeError, lambda t, x: x.split([1, 1]), (3,)),
    ("chunk_zero", RuntimeError, lambda t, x: x.chunk(0), (3,)),
    ("tensor_split_zero", RuntimeError, lambda t, x: x.tensor_split(0), (3,)),
    ("select_range", IndexError, lambda t, x: x.select(0, 3), (3,)),
    ("select_0d", IndexError, lambda t, x: x.select(0, 0), ()),
    ("unbind_0d", IndexError, lambda t, x: x.unbind(), ()),
    ("narrow_length", RuntimeError, lambda t, x: x.narrow(0, 2, 2), (3,)),
    ("narrow_0d", RuntimeError, lambda t, x: x.narrow(0, 0, 0), ()),
    ("flatten_order", RuntimeError, lambda t, x: x.flatten(1, 0), (2, 3)),
    ("unflatten_sizes", RuntimeError, lambda t, x: x.unflatten(1, (2, 2)), (2, 3)),
    ("unflatten_empty", RuntimeError, lambda t, x: x.unflatten(1, ()), (2, 3)),
    ("t_3d", RuntimeError, lambda t, x: x.t(), (2, 3, 4)),
    ("mT_1d", RuntimeError, lambda t, x: x.mT, (3,)),
    ("roll_align", RuntimeError, lambda t, x: x.roll((1, 2), (0,)), (3,)),
    ("repeat_too_few", RuntimeError, lambda t, x: x.repeat(2), (3, 4)),
    ("movedim_lengths", RuntimeError, lambda t, x: x.movedim((0, 1), (0,)), (3, 4)),
    ("fliplr_1d", RuntimeError, lambda t, x: x.fliplr(), (3,)),
    ("diagonal_same_dims", RuntimeError, lambda t, x: x.diagonal(0, 0, 0), (2, 3)),
    ("tril_1d", RuntimeError, lambda t, x: x.tril(), (3,)),
]


@pytest.mark.parametrize("name,exc,fn,shape", ERRORS, ids=[e[0] for e in ERRORS])
def test_shape_op_raises_like_eager(name, exc, fn, shape):
    check_raises(exc, fn, make(*shape))


def test_view_dtype_reinterpretation_is_not_implemented():
    with pytest.raises(NotImplementedError, match="view"):
        trace_directly(lambda a: a.view(torch.int32), (make(2),), {})


def test_torch_functions_map_to_shape_symbols():
    for fn in (torch.reshape, torch.cat, torch.stack, torch.split, torch.squeeze,
               torch.flatten, torch.movedim, torch.narrow, torch.tril):
        assert torch_to_thunder[fn].name == fn.__name__
