"""Matrix products (``thunder/torch/linalg.py``) against eager torch.

Each case runs three ways: eager torch, ``thunder.jit`` (whole torch-level ops through the
torch executor) and ``run_decomposed`` (only the prims the ops decompose into).
"""

import pytest
import torch

import thunder
from thunder.tests.framework import assert_close, run_decomposed, trace_directly
from thunder.torch import torch_to_thunder

TOLERANCES = {
    torch.float32: dict(atol=1e-5, rtol=1e-5),
    torch.float64: dict(atol=1e-10, rtol=1e-10),
    torch.bfloat16: dict(atol=2e-2, rtol=2e-2),
    torch.float16: dict(atol=2e-3, rtol=2e-3),
}

# NOTE [calling torch functions in op tests]
# ``thunder.jit`` runs the function through the bytecode interpreter, which sends calls of
# ``torch.*`` functions to their thunder symbols. ``run_decomposed`` calls the function on
# proxies directly, so it is given the thunder symbol itself. A jit without the interpreter
# (no ``thunder.last_traces``) is given the symbol too.
_JIT_INTERPRETS = hasattr(thunder, "last_traces")


def check(torch_fn, *args, precision=torch.float32, **kwargs):
    """Compare eager, jit and decomposed results of ``torch_fn(*args, **kwargs)`` within the
    tolerances of the ``precision`` dtype."""
    expected = torch_fn(*args, **kwargs)
    symbol = torch_to_thunder[torch_fn]
    jit_target = torch_fn if _JIT_INTERPRETS else symbol
    jitted = thunder.jit(lambda *a, **k: jit_target(*a, **k))(*args, **kwargs)
    assert_close(jitted, expected, **TOLERANCES[precision])
    decomposed = run_decomposed(lambda *a, **k: symbol(*a, **k), *args, **kwargs)
    assert_close(decomposed, expected, **TOLERANCES[precision])


def make(*shape, dtype=torch.float32, noncontiguous=False):
    if noncontiguous and len(shape) >= 2:
        t = torch.randn(*shape[:-2], shape[-1], shape[-2], dtype=dtype).transpose(-2, -1)
        assert not t.is_contiguous()
        return t
    return torch.randn(*shape, dtype=dtype)


DTYPES = [torch.float32, torch.float64, torch.bfloat16, torch.float16]

MATMUL_SHAPES = [
    ((4,), (4,)),
    ((3, 4), (4,)),
    ((4,), (4, 5)),
    ((3, 4), (4, 5)),
    ((2, 3, 4), (4, 5)),
    ((4,), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_follows_torch_rank_and_broadcast_rules(shapes, dtype):
    torch.manual_seed(0)
    a, b = make(*shapes[0], dtype=dtype), make(*shapes[1], dtype=dtype)
    check(torch.matmul, a, b, precision=dtype)


def test_matmul_operator_and_rmatmul_method():
    a, b = make(3, 4), make(4, 2, noncontiguous=True)
    expected = a @ b
    assert_close(thunder.jit(lambda x, y: x @ y)(a, b), expected)
    assert_close(run_decomposed(lambda x, y: x @ y, a, b), expected)
    assert_close(run_decomposed(lambda x, y: y.__rmatmul__(x), a, b), expected)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
def test_mm_bmm_mv_dot_outer(dtype):
    torch.manual_seed(0)
    check(torch.mm, make(3, 4, dtype=dtype), make(4, 5, dtype=dtype, noncontiguous=True),
          precision=dtype)
    check(torch.bmm, make(2, 3, 4, dtype=dtype), make(2, 4, 5, dtype=dtype), precision=dtype)
    check(torch.mv, make(3, 4, dtype=dtype, noncontiguous=True), make(4, dtype=dtype),
          precision=dtype)
    check(torch.dot, make(6, dtype=dtype), make(6, dtype=dtype), precision=dtype)
    check(torch.outer, make(3, dtype=dtype), make(4, dtype=dtype), precision=dtype)


def test_outer_promotes_like_torch():
    check(torch.outer, make(3), torch.arange(4))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("form", ["bias", "no_bias", "bias_keyword", "vector_weight"])
def test_linear_matches_eager(form, dtype):
    torch.manual_seed(0)
    x = make(2, 3, 4, dtype=dtype)
    w = make(5, 4, dtype=dtype, noncontiguous=True)
    b = make(5, dtype=dtype)
    linear = torch.nn.functional.linear
    if form == "bias":
        check(linear, x, w, b, precision=dtype)
    elif form == "no_bias":
        check(linear, x, w, precision=dtype)
    elif form == "bias_keyword":
        check(linear, x, weight=w, bias=b, precision=dtype)
    else:
        check(linear, x, make(4, dtype=dtype), precision=dtype)


@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2.0), (0, 1)])
def test_addmm_family_scales_and_ignores_input_when_beta_is_zero(beta, alpha):
    torch.manual_seed(0)
    bias = make(5)
    if beta == 0:
        bias = torch.full((5,), float("nan"))
    check(torch.addmm, bias, make(3, 4), make(4, 5), beta=beta, alpha=alpha)
    check(torch.baddbmm, make(2, 3, 5), make(2, 3, 4), make(2, 4, 5), beta=beta, alpha=alpha)
    check(torch.addmv, make(3), make(3, 4), make(4), beta=beta, alpha=alpha)


EINSUM_CASES = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("bij,jk,kl->bil", [(2, 3, 4), (4, 5), (5, 6)]),
    ("i,j,k->ijk", [(2,), (3,), (4,)]),
    ("ij,ij->", [(3, 4), (3, 4)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->j", [(3, 3, 2)]),
    ("ijk->kj", [(2, 3, 4)]),
    ("...ij,...jk", [(2, 3, 4), (2, 4, 5)]),
    ("b...d,d->b...", [(2, 3, 4, 5), (5,)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("bij,bjk->bik", [(1, 3, 4), (2, 4, 5)]),
    ("ab,cd,bc->ad", [(2, 3), (4, 5), (3, 4)]),
    ("i,i", [(4,), (4,)]),
]


@pytest.mark.parametrize("equation,shapes", EINSUM_CASES, ids=[c[0] for c in EINSUM_CASES])
def test_einsum_matches_eager(equation, shapes):
    torch.manual_seed(0)
    operands = [make(*s, dtype=torch.float64) for s in shapes]
    check(torch.einsum, equation, *operands, precision=torch.float64)


def test_einsum_accepts_a_list_of_operands():
    a, b = make(3, 4), make(4, 5)
    check(torch.einsum, "ij,jk->ik", [a, b])


@pytest.mark.parametrize("dims", [2, 1, 0, ([1, 0], [0, 1]), ([2], [0])], ids=str)
def test_tensordot_matches_eager(dims):
    torch.manual_seed(0)
    a = make(3, 4, 5, dtype=torch.float64)
    b = {2: (4, 5, 2), 1: (5, 2), 0: (2,), str(([1, 0], [0, 1])): (4, 3, 2),
         str(([2], [0])): (5, 2)}[dims if isinstance(dims, int) else str(dims)]
    check(torch.tensordot, a, make(*b, dtype=torch.float64), dims=dims, precision=torch.float64)


@pytest.mark.parametrize("torch_fn,shapes", [
    (torch.matmul, [(3, 4), (5, 6)]),
    (torch.mm, [(3, 4, 1), (4, 5)]),
    (torch.bmm, [(2, 3, 4), (3, 4, 5)]),
    (torch.dot, [(3,), (4,)]),
    (torch.matmul, [(), (3,)]),
], ids=lambda x: getattr(x, "__name__", str(x)))
def test_bad_shapes_raise_runtime_error_naming_the_op(torch_fn, shapes):
    operands = [torch.randn(s) for s in shapes]
    with pytest.raises(RuntimeError):
        torch_fn(*operands)
    symbol = torch_to_thunder[torch_fn]
    with pytest.raises(RuntimeError, match=torch_fn.__name__):
        run_decomposed(lambda *a: symbol(*a), *operands)


@pytest.mark.parametrize("torch_fn", [torch.matmul, torch.mm, torch.dot,
                                      torch.nn.functional.linear])
def test_mixed_dtypes_raise_runtime_error_like_torch(torch_fn):
    shapes = [(3,), (3,)] if torch_fn is torch.dot else [(3, 3), (3, 3)]
    a, b = torch.randn(*shapes[0]), torch.randn(*shapes[1], dtype=torch.float64)
    with pytest.raises(RuntimeError):
        torch_fn(a, b)
    symbol = torch_to_thunder[torch_fn]
    with pytest.raises(RuntimeError, match="dtype"):
        run_decomposed(lambda *x: symbol(*x), a, b)


@pytest.mark.parametrize("requires_grad", [False, True])
def test_linear_output_proxy_metadata_matches_torch(requires_grad):
    x = torch.randn(2, 3, dtype=torch.float64)
    w = torch.randn(4, 3, dtype=torch.float64, requires_grad=requires_grad)
    expected = torch.nn.functional.linear(x, w)
    symbol = torch_to_thunder[torch.nn.functional.linear]
    trace, _ = trace_directly(lambda *a: symbol(*a), (x, w), {})
    out = trace.output
    assert (out.shape, out.dtype, out.requires_grad) == (
        tuple(expected.shape), expected.dtype, expected.requires_grad)
