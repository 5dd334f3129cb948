"""The nvFuser fusion executor (``thunder/executors/nvfuserex.py``).

Three groups of tests:

* rules that need neither CUDA nor nvFuser: the module imports without nvFuser, the translation
  registry, which bound symbols ``can_fuse`` accepts (on proxies of CUDA tensors, which need no
  GPU), the default executors;
* behaviour tests run twice: on CPU through ``emulated_backend()``, a small stand-in for
  nvFuser's Python front end that evaluates the FusionDefinition with torch (it checks the
  translation, the signature cache and the fallbacks in CI, and runs the operator database
  through the executor), and on CUDA with the real nvFuser, skipped where CUDA or nvFuser is
  missing; the emulation follows torch's semantics, so only the CUDA runs check nvFuser's own;
* CUDA-only tests of the registered ``"nvfuser"`` executor (GPT forward and training step).

Every behaviour test compares with eager PyTorch.
"""

import enum
import subprocess
import sys
import types
import warnings

import pytest
import torch

import thunder
import thunder.torch as ltorch
from thunder.core import prims
from thunder.core.prims import PrimIDs
from thunder.core.proxies import TensorProxy
from thunder.core.trace import TraceCtx
from thunder.core.tracectx import tracectx
from thunder.executors import nvfuserex
from thunder.executors.nvfuserex import NvFuserExecutor, translators
from thunder.models.gpt import GPT, GPTConfig
from thunder.tests import test_ops
from thunder.tests.framework import assert_close

NVFUSER_READY = nvfuserex.nvfuser is not None and torch.cuda.is_available()
requires_nvfuser = pytest.mark.skipif(not NVFUSER_READY, reason="needs CUDA and nvFuser")
FALLBACK_WARNING = "thunder: nvFuser could not run fusion region"


# An emulation of nvFuser's Python front end, evaluated with torch


class EmulatedDataType(enum.Enum):
    Float = torch.float32
    Half = torch.float16
    BFloat16 = torch.bfloat16
    Double = torch.float64
    Int32 = torch.int32
    Int = torch.int64
    Bool = torch.bool


def _broadcast_in_dim(a, shape, broadcast_dims):
    view = [1] * len(shape)
    for src, dst in enumerate(broadcast_dims):
        view[dst] = a.shape[src]
    return a.reshape(view).expand(shape)


def _slice(a, start, end, strides):
    return a[tuple(slice(s, e, st) for s, e, st in zip(start, end, strides))]


EMULATED_OPS = {
    "cast": lambda a, dtype: a.to(dtype.value),
    "div": torch.true_divide,
    "max": torch.amax,
    "min": torch.amin,
    "var": lambda a, dims, correction: torch.var(a, dims, correction=correction),
    "broadcast_in_dim": _broadcast_in_dim,
    "permute": torch.permute,
    "slice": _slice,
    "full": lambda shape, value, dtype: torch.full(shape, value.item(), dtype=dtype.value),
}


class EmulatedValue:
    def __init__(self, index):
        self.index = index


class EmulatedFusionDefinition:
    """Records the definition; ``execute`` checks the inputs' layout against it and evaluates
    it with torch, making every result a fresh tensor as nvFuser does."""

    broken_ops: frozenset = frozenset()  # names whose use fails, as an op nvFuser lacks

    def __init__(self):
        self.inputs, self.nodes, self.outputs = [], [], []
        self.ops = _EmulatedOps(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def _value(self, compute):
        self.nodes.append(compute)
        return EmulatedValue(len(self.nodes) - 1)

    def define_tensor(self, *, sizes, strides, dtype, static_sizes=False, is_cpu=False):
        position = len(self.inputs)
        self.inputs.append((tuple(sizes), tuple(strides), dtype.value))
        return self._value(lambda inputs, env: inputs[position])

    def define_scalar(self, value, dtype):
        assert type(value) is {torch.float64: float, torch.int64: int,
                               torch.bool: bool}[dtype.value]
        return self._value(lambda inputs, env: torch.tensor(value, dtype=dtype.value))

    def add_output(self, value):
        self.outputs.append(value.index)

    def execute(self, inputs, device=None):
        assert len(inputs) == len(self.inputs)
        for tensor, (sizes, strides, dtype) in zip(inputs, self.inputs):
            assert (tuple(tensor.shape), tensor.stride(), tensor.dtype) == (sizes, strides, dtype)
        env = []
        for compute in self.nodes:
            env.append(compute(inputs, env))
        return [env[i].clone() for i in self.outputs]


class _EmulatedOps:
    def __init__(self, fd):
        self._fd = fd

    def __getattr__(self, name):
        if name in self._fd.broken_ops:
            raise AttributeError(f"emulated nvFuser has no op {name!r}")
        fn = EMULATED_OPS.get(name) or getattr(torch, name)

        def op(*args):
            def compute(inputs, env):
                values = [_evaluate(a, env) for a in args]
                return fn(*values)

            return self._fd._value(compute)

        return op


def _evaluate(arg, env):
    if isinstance(arg, EmulatedValue):
        return env[arg.index]
    if isinstance(arg, list):
        return [_evaluate(a, env) for a in arg]
    return arg


def emulated_backend(broken_ops=()):
    """A stand-in for the ``nvfuser`` module; ``broken_ops`` fail when used."""
    fd_class = type("EmulatedFusionDefinition", (EmulatedFusionDefinition,),
                    {"broken_ops": frozenset(broken_ops)})
    return types.SimpleNamespace(FusionDefinition=fd_class, DataType=EmulatedDataType)


# Rules that need neither CUDA nor nvFuser


def test_module_imports_and_claims_nothing_without_nvfuser():
    code = (
        "import sys\n"
        "sys.modules['nvfuser'] = None\n"
        "sys.modules['nvfuser_direct'] = None\n"
        "import thunder\n"
        "from thunder.executors import nvfuserex\n"
        "assert nvfuserex.nvfuser is None and nvfuserex.ex.backend is None\n"
        "assert nvfuserex.default_executors() == []\n"
        "assert 'nvfuser' not in [e.name for e in thunder.get_all_executors()]\n"
        "assert 'nvfuser' not in [e.name for e in thunder.get_default_executors()]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


EXPECTED_PRIMS = {
    # floating-point functions
    PrimIDs.EXP, PrimIDs.EXP2, PrimIDs.EXPM1, PrimIDs.LOG, PrimIDs.LOG1P, PrimIDs.LOG2,
    PrimIDs.LOG10, PrimIDs.SQRT, PrimIDs.RSQRT, PrimIDs.RECIPROCAL, PrimIDs.SIN, PrimIDs.COS,
    PrimIDs.TAN, PrimIDs.ASIN, PrimIDs.ACOS, PrimIDs.ATAN, PrimIDs.SINH, PrimIDs.COSH,
    PrimIDs.TANH, PrimIDs.ASINH, PrimIDs.ACOSH, PrimIDs.ATANH, PrimIDs.ERF, PrimIDs.ERFC,
    PrimIDs.ERFINV, PrimIDs.LGAMMA, PrimIDs.SIGMOID, PrimIDs.FLOOR, PrimIDs.CEIL, PrimIDs.TRUNC,
    PrimIDs.DIV, PrimIDs.POW, PrimIDs.ATAN2, PrimIDs.FMOD,
    PrimIDs.ISFINITE, PrimIDs.ISNAN, PrimIDs.ISINF, PrimIDs.SIGNBIT,
    # arithmetic and comparisons
    PrimIDs.NEG, PrimIDs.ABS, PrimIDs.SIGN, PrimIDs.ADD, PrimIDs.SUB, PrimIDs.MUL,
    PrimIDs.MAXIMUM, PrimIDs.MINIMUM, PrimIDs.CLAMP,
    PrimIDs.EQ, PrimIDs.NE, PrimIDs.LT, PrimIDs.LE, PrimIDs.GT, PrimIDs.GE,
    # bitwise and logical
    PrimIDs.BITWISE_NOT, PrimIDs.BITWISE_AND, PrimIDs.BITWISE_OR, PrimIDs.BITWISE_XOR,
    PrimIDs.LOGICAL_NOT, PrimIDs.LOGICAL_AND, PrimIDs.LOGICAL_OR, PrimIDs.LOGICAL_XOR,
    PrimIDs.WHERE,
    # conversion and creation
    PrimIDs.CONVERT_ELEMENT_TYPE, PrimIDs.FULL,
    # reductions
    PrimIDs.SUM, PrimIDs.AMAX, PrimIDs.AMIN, PrimIDs.VAR,
    # shape
    PrimIDs.BROADCAST_IN_DIM, PrimIDs.RESHAPE, PrimIDs.TRANSPOSE, PrimIDs.SQUEEZE,
    PrimIDs.SLICE, PrimIDs.CAT,
}


def test_translation_registry_covers_exactly_the_listed_prims():
    assert set(translators) == EXPECTED_PRIMS
    assert len(translators) == 74
    assert set(nvfuserex.checkers) == set(translators)


def test_random_and_unsupported_prims_have_no_translation():
    for prim_id in (PrimIDs.UNIFORM, PrimIDs.NORMAL, PrimIDs.MATMUL, PrimIDs.REMAINDER,
                    PrimIDs.ROUND, PrimIDs.FLOOR_DIVIDE, PrimIDs.CUMSUM):
        assert prim_id not in translators


def _record(fn, *specs):
    """The bound symbols ``fn`` records on proxies made from (shape, dtype, device) specs."""
    trace = TraceCtx()
    with tracectx(trace):
        proxies = [TensorProxy(shape=s, dtype=d, device=dev) for s, d, dev in specs]
        fn(*proxies)
    return trace.bound_symbols


def _claims(executor, fn, *specs):
    return [executor.can_fuse(b) for b in _record(fn, *specs)]


CUDA_EXECUTOR = NvFuserExecutor("nvfuser_rules", backend=emulated_backend())


def test_can_fuse_accepts_cuda_tensors_and_declines_cpu_tensors():
    f32 = torch.float32
    assert _claims(CUDA_EXECUTOR, prims.add, ((4,), f32, "cuda"), ((4,), f32, "cuda")) == [True]
    assert _claims(CUDA_EXECUTOR, prims.add, ((4,), f32, "cpu"), ((4,), f32, "cpu")) == [False]
    assert _claims(CUDA_EXECUTOR, lambda x: ltorch.softmax(x, -1), ((4, 8), f32, "cpu")) == [False]


def test_can_fuse_declines_complex_dtypes_random_ops_and_empty_tensors():
    assert _claims(CUDA_EXECUTOR, prims.exp, ((4,), torch.complex64, "cuda")) == [False]
    assert _claims(CUDA_EXECUTOR, prims.exp, ((0, 4), torch.float32, "cuda")) == [False]
    draws = _record(lambda: prims.uniform((4,), 0.0, 1.0, device="cuda", dtype=torch.float32))
    assert [CUDA_EXECUTOR.can_fuse(b) for b in draws] == [False]
    dropout = _record(lambda x: ltorch.dropout(x, 0.5), ((4,), torch.float32, "cuda"))
    assert [CUDA_EXECUTOR.can_fuse(b) for b in dropout] == [False]


def test_can_fuse_declines_calls_whose_semantics_may_differ_from_eager():
    i64, f32 = torch.int64, torch.float32
    assert _claims(CUDA_EXECUTOR, prims.div, ((4,), i64, "cuda"), ((4,), i64, "cuda")) == [False]
    assert _claims(CUDA_EXECUTOR, prims.exp, ((4,), i64, "cuda")) == [False]
    assert _claims(CUDA_EXECUTOR, lambda a: prims.add(a, 0.5), ((4,), i64, "cuda")) == [False]
    assert _claims(CUDA_EXECUTOR, lambda a: prims.add(a, 2), ((4,), f32, "cuda")) == [True]
    assert _claims(CUDA_EXECUTOR, lambda a: prims.sum(a, ()), ((4,), f32, "cuda")) == [False]
    # torch.logical_and(t, True) raises in eager; the fusion must not quietly accept it
    assert _claims(CUDA_EXECUTOR, lambda a: prims.logical_and(a, True),
                   ((4,), torch.bool, "cuda")) == [False]


def test_a_torch_level_op_is_claimed_only_when_its_whole_decomposition_translates():
    f32 = torch.float32
    assert _claims(CUDA_EXECUTOR, lambda x: ltorch.softmax(x, -1), ((4, 8), f32, "cuda")) == [True]
    assert _claims(CUDA_EXECUTOR, ltorch.gelu, ((4, 8), f32, "cuda")) == [True]
    assert _claims(CUDA_EXECUTOR, ltorch.matmul, ((4, 8), f32, "cuda"),
                   ((8, 2), f32, "cuda")) == [False]


def test_an_executor_without_nvfuser_claims_nothing():
    executor = NvFuserExecutor("nvfuser_missing")
    executor.backend = None  # as where nvFuser does not import
    assert _claims(executor, prims.add, ((4,), torch.float32, "cuda"),
                   ((4,), torch.float32, "cuda")) == [False]


@pytest.mark.skipif(NVFUSER_READY, reason="checks the defaults of machines without it")
def test_nvfuser_is_not_a_default_executor_without_cuda_and_nvfuser():
    assert nvfuserex.default_executors() == []
    assert "nvfuser" not in [e.name for e in thunder.get_default_executors()]


# Behaviour on the emulation (CPU) and on CUDA with nvFuser


@pytest.fixture(params=["emulated", pytest.param("cuda", marks=[requires_nvfuser,
                                                                 pytest.mark.cuda])])
def fusion(request):
    """(executor, device): a fresh executor, so its ``fusions_built`` starts at 0."""
    if request.param == "emulated":
        return NvFuserExecutor("nvfuser_emulated", backend=emulated_backend(),
                               device_types=("cpu",)), "cpu"
    return NvFuserExecutor("nvfuser_test"), "cuda"


def _check(executor, fn, *args, regions=1, **tolerances):
    jfn = thunder.jit(fn, executors=[executor])
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=FALLBACK_WARNING)  # every region runs fused
        actual = jfn(*args)
    expected = fn(*args)
    flat_actual = actual if isinstance(actual, tuple) else (actual,)
    flat_expected = expected if isinstance(expected, tuple) else (expected,)
    for a, e in zip(flat_actual, flat_expected):
        assert a.dtype == e.dtype and a.shape == e.shape
        assert_close(a, e, **tolerances)
    assert len(thunder.last_fusions(jfn)) == regions
    return jfn


def test_elementwise_chain_is_one_fusion(fusion):
    executor, device = fusion
    x, y = torch.randn(8, 16, device=device), torch.randn(8, 16, device=device)
    jfn = _check(executor, lambda x, y: ((x.sin() * y + 1).exp() / 2).tanh() - x.abs(), x, y)
    assert executor.fusions_built == 1
    assert "nvfuser_" in str(thunder.last_traces(jfn)[-1])


def test_reductions_match_eager(fusion):
    executor, device = fusion
    x = torch.randn(6, 10, 12, device=device)

    def f(x):
        centered = x - x.mean(dim=-1, keepdim=True)
        return (x.sum(dim=(0, 2)), x.amax(dim=1), x.amin(dim=-1),
                torch.var(x, dim=1, correction=0), torch.softmax(x, dim=-1),
                centered / torch.sqrt((centered * centered).mean(-1, keepdim=True) + 1e-5))

    _check(executor, f, x, atol=1e-5, rtol=1e-5)


def test_broadcasting_inputs_of_different_shapes(fusion):
    executor, device = fusion
    x = torch.randn(4, 1, 3, device=device)
    y = torch.randn(5, 3, device=device)
    bias = torch.randn(3, device=device)
    _check(executor, lambda x, y, b: (x + y) * b - y.exp(), x, y, bias)


def test_mixed_dtypes_keep_eager_result_dtypes(fusion):
    executor, device = fusion
    h = torch.randn(4, 8, device=device).to(torch.float16)
    f = torch.randn(4, 8, device=device)
    i = torch.randint(-5, 5, (4, 8), device=device)

    def fn(h, f, i):
        mixed = h * f + i  # float16 * float32 + int64 -> float32
        as_bf16 = (f * 3).to(torch.bfloat16) + 1
        counts = (i > 0).sum(dim=1)  # bool -> int64 sum
        return mixed, as_bf16, counts, (h + h).sigmoid(), i * 3 - 1

    _check(executor, fn, h, f, i, atol=1e-2, rtol=1e-2)


def test_python_numbers_masks_and_where(fusion):
    executor, device = fusion
    x = torch.randn(5, 7, device=device)
    mask = torch.rand(5, 7, device=device) > 0.5

    def fn(x, mask):
        clamped = torch.clamp(x * 2.5 + 3, -1.0, 4.0)
        filled = x.masked_fill(mask, float("-inf")).softmax(-1)
        return clamped, filled, torch.where(x > 0, x, 0.0), (x != x) | mask

    _check(executor, fn, x, mask)


def test_definitions_are_cached_by_input_signature(fusion):
    executor, device = fusion
    fn = lambda x: (x.cos() + 1) * x  # noqa: E731
    jfn = thunder.jit(fn, executors=[executor])
    x = torch.randn(6, 6, device=device)
    transposed = torch.randn(6, 6, device=device).t()  # same shape, other strides
    for inputs, built in ((x, 1), (x + 1, 1), (transposed, 2), (x, 2), (transposed, 2)):
        assert_close(jfn(inputs), fn(inputs))
        assert executor.fusions_built == built
    (region,) = thunder.last_fusions(jfn)
    assert len(region.callable.fusions) == 2
    assert thunder.cache_hits(jfn) == 4


def _assert_step_matches_eager(model, idx, targets, logits, loss):
    """The jitted step's logits, loss and parameter gradients (in ``p.grad``) match eager's."""
    grads = {n: p.grad.clone() for n, p in model.named_parameters()}
    model.zero_grad()
    expected_logits, expected_loss = model(idx, targets)
    expected_loss.backward()
    assert_close(logits, expected_logits, atol=1e-4, rtol=1e-4)
    assert_close(loss, expected_loss, atol=1e-4, rtol=1e-4)
    for name, p in model.named_parameters():
        assert_close(grads[name], p.grad, atol=1e-4, rtol=1e-4)


def test_gpt_forward_and_training_step_match_eager(fusion):
    executor, device = fusion
    torch.manual_seed(0)
    config = GPTConfig(n_layer=2, n_head=4, n_embd=32, block_size=16, vocab_size=64)
    model = GPT(config).to(device)
    idx = torch.randint(0, 64, (2, 16), device=device)
    targets = torch.randint(0, 64, (2, 16), device=device)
    jmodel = thunder.jit(model, executors=[executor])

    logits, loss = jmodel(idx, targets)
    loss.backward()
    _assert_step_matches_eager(model, idx, targets, logits, loss)
    assert executor.fusions_built > 0
    assert thunder.last_fusions(jmodel)


# The operator database through the emulation. The executor claims torch-level operators whose
# whole decomposition translates, so this also runs the decompositions: the database's
# decomposition xfails apply, and so do these, which it does not record (it checks
# decompositions in float32 and float64 only).
UNRECORDED_DECOMPOSITION_ISSUES = {
    ("torch.lerp", torch.float16): "the decomposition rounds a + w * (b - a) per operation",
    ("torch.lerp", torch.bfloat16): "the decomposition rounds a + w * (b - a) per operation",
    ("Tensor.lerp", torch.float16): "the decomposition rounds a + w * (b - a) per operation",
    ("Tensor.lerp", torch.bfloat16): "the decomposition rounds a + w * (b - a) per operation",
    ("torch.special.entr", torch.bfloat16): "the decomposition's result is float32",
    ("F.gelu", torch.bfloat16): "gelu(inf) is inf in the decomposition, nan in eager",
}


def _op_database_params():
    """Each record's primary dtype by default; every other dtype is marked slow."""
    fast, slow = [], []
    for index, record in enumerate(test_ops.OP_DB):
        primary = test_ops._fast_dtypes(index, record)[0]
        for dtype in record.dtypes:
            reason = (record.xfails.get(dtype) or record.decomposition_xfails.get(dtype)
                      or UNRECORDED_DECOMPOSITION_ISSUES.get((record.name, dtype)))
            marks = [pytest.mark.xfail(reason=reason, strict=False)] if reason else []
            ident = f"{record.name}-{str(dtype).removeprefix('torch.')}"
            if dtype == primary:
                fast.append(pytest.param(record, dtype, id=ident, marks=marks))
            else:
                slow.append(pytest.param(record, dtype, id=ident,
                                         marks=marks + [pytest.mark.slow]))
    return fast + slow


EMULATED_FOR_OP_DATABASE = NvFuserExecutor("nvfuser_emulated_ops", backend=emulated_backend(),
                                           device_types=("cpu",), min_symbols=1)


@pytest.mark.parametrize("record, dtype", _op_database_params())
def test_op_database_through_the_emulated_executor_matches_eager(record, dtype):
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=FALLBACK_WARNING)
        test_ops._check_against_eager(record, dtype, test_ops.FAST_SAMPLES,
                                      executors=[EMULATED_FOR_OP_DATABASE])


# Fallbacks, on the emulation (they need a backend that fails on purpose)


def test_a_region_nvfuser_cannot_build_runs_its_torch_body_with_a_warning():
    executor = NvFuserExecutor("nvfuser_broken", backend=emulated_backend({"exp"}),
                               device_types=("cpu",))
    fn = lambda x: x.exp() * 2 + 1  # noqa: E731
    jfn = thunder.jit(fn, executors=[executor])
    x = torch.randn(3, 4)
    with pytest.warns(UserWarning, match=FALLBACK_WARNING):
        assert_close(jfn(x), fn(x))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=FALLBACK_WARNING)  # remembered: no 2nd warning
        assert_close(jfn(x), fn(x))
    assert "unfused" in repr(thunder.last_fusions(jfn)[0].callable)


def test_a_result_of_the_wrong_dtype_is_never_returned(monkeypatch):
    executor = NvFuserExecutor("nvfuser_bad_cast", backend=emulated_backend(),
                               device_types=("cpu",))
    fn = lambda x: (x * 2).to(torch.float64) + 1  # noqa: E731
    jfn = thunder.jit(fn, executors=[executor])
    x = torch.randn(3, 4)
    monkeypatch.setitem(EMULATED_OPS, "cast", lambda a, dtype: a)  # a cast that does nothing
    with pytest.warns(UserWarning, match="expected torch.float64"):
        out = jfn(x)
    assert out.dtype == torch.float64
    assert_close(out, fn(x))


def test_small_regions_are_left_to_the_next_executor():
    executor = NvFuserExecutor("nvfuser_small", backend=emulated_backend(),
                               device_types=("cpu",))
    jfn = thunder.jit(lambda x: x.reshape(2, 6) + 1, executors=[executor])
    assert_close(jfn(torch.ones(3, 4)), torch.full((2, 6), 2.0))
    assert thunder.last_fusions(jfn) == []
    assert executor.fusions_built == 0


# The registered executor on CUDA


@requires_nvfuser
@pytest.mark.cuda
def test_nvfuser_is_registered_and_a_default_before_torchcompile_and_torch():
    assert thunder.get_executor("nvfuser") is nvfuserex.ex
    names = [e.name for e in thunder.get_default_executors()]
    assert names.index("nvfuser") < names.index("torchcompile") < names.index("torch")
    assert names.index("sdpa") < names.index("nvfuser")


@requires_nvfuser
@pytest.mark.cuda
def test_gpt_with_the_registered_nvfuser_executor_matches_eager():
    torch.manual_seed(0)
    config = GPTConfig(n_layer=2, n_head=4, n_embd=64, block_size=32, vocab_size=128)
    model = GPT(config).to("cuda")
    idx = torch.randint(0, 128, (4, 32), device="cuda")
    targets = torch.randint(0, 128, (4, 32), device="cuda")
    jmodel = thunder.jit(model, executors=["nvfuser"])
    for _ in range(2):  # the second step reuses the cached definitions
        model.zero_grad()
        logits, loss = jmodel(idx, targets)
        loss.backward()
    _assert_step_matches_eager(model, idx, targets, logits, loss)
    assert thunder.last_fusions(jmodel)
    with torch.no_grad():
        assert_close(jmodel(idx), model(idx), atol=1e-4, rtol=1e-4)


@requires_nvfuser
@pytest.mark.cuda
def test_bfloat16_elementwise_rounding_matches_eager_per_operation():
    x = torch.randn(64, 64, device="cuda", dtype=torch.bfloat16)
    fn = lambda x: (x * 1.5 + 0.25).exp() - x  # noqa: E731
    jfn = thunder.jit(fn, executors=["nvfuser"])
    out = jfn(x)
    assert out.dtype == torch.bfloat16
    assert_close(out, fn(x))
