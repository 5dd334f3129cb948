"""The Triton executor's fused cross-entropy, against eager PyTorch.

Without a GPU the kernels run under Triton's interpreter (``TRITON_INTERPRET=1``, numpy on CPU
tensors). The interpreter is chosen when a kernel is defined, that is when
``thunder.executors.tritonex`` is imported, so those checks run in a fresh Python process
(``_run_in_interpreter``). The compiled kernels are also built for a CUDA target (no GPU
needed); the tests that run them on CUDA are skipped without CUDA.
"""

import os
import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F

import thunder
from thunder.executors import tritonex
from thunder.models.gpt import GPT, GPTConfig
from thunder.tests.framework import assert_close

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOLERANCES = {torch.float32: {"atol": 1e-5, "rtol": 1e-5},
              torch.bfloat16: {"atol": 2e-2, "rtol": 2e-2},
              torch.float16: {"atol": 2e-3, "rtol": 2e-3}}

try:
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource
    HAS_TRITON = True
except ImportError:
    HAS_TRITON = False


def loss_fn(logits, target, **kwargs):
    return F.cross_entropy(logits, target, **kwargs)


def _check_case(device, dtype, reduction, label_smoothing, *, rows=7, classes=300,
                ignore_index=-100, noncontiguous=False):
    """Loss and logits gradient through the "triton" executor vs eager in float32."""
    torch.manual_seed(0)
    width = classes * 2 if noncontiguous else classes
    logits = (torch.randn(rows, width, device=device) * 4)[:, :classes].to(dtype)
    target = torch.randint(0, classes, (rows,), device=device)
    target[1] = ignore_index
    kwargs = {"reduction": reduction, "label_smoothing": label_smoothing,
              "ignore_index": ignore_index}
    x = logits.detach().clone().requires_grad_()
    jfn = thunder.jit(loss_fn, executors=["triton"])
    loss = jfn(x, target, **kwargs)
    g = torch.randn(loss.shape, device=device).to(dtype)
    (grad,) = torch.autograd.grad(loss, x, g)
    reference = logits.detach().float().requires_grad_()
    expected = loss_fn(reference, target, **kwargs)
    (expected_grad,) = torch.autograd.grad(expected, reference, g.float())
    assert loss.dtype == dtype and grad.dtype == dtype
    assert_close(loss.float(), expected, **TOLERANCES[dtype])
    assert_close(grad.float(), expected_grad, **TOLERANCES[dtype])
    assert "tritonex._cross_entropy_forward" in str(thunder.last_traces(jfn)[-1])
    assert "tritonex._cross_entropy_backward" in str(thunder.last_backward_traces(jfn)[-1])


def interpreter_checks(dtypes):
    """Run in a process with TRITON_INTERPRET=1 (see ``_run_in_interpreter``)."""
    assert tritonex.INTERPRET and tritonex.available()
    tritonex.MAX_BLOCK = 128  # several blocks per row, the last one partial, at 300 classes
    for dtype in dtypes:
        for reduction in ("mean", "sum", "none"):
            for label_smoothing in (0.0, 0.1):
                _check_case("cpu", dtype, reduction, label_smoothing)
    _check_case("cpu", torch.float32, "mean", 0.0, ignore_index=5, noncontiguous=True)
    _check_case("cpu", torch.float32, "none", 0.0, classes=7)
    # every row ignored: "mean" is 0 / 0 as in torch
    x = torch.randn(3, 10, requires_grad=True)
    target = torch.full((3,), -100)
    loss = thunder.jit(loss_fn, executors=["triton"])(x, target)
    assert torch.isnan(loss) and torch.isnan(loss_fn(x, target))
    # declined: class weights, float64 logits, probability targets, (N, C, d) logits
    declined = [
        ((torch.randn(3, 10), torch.tensor([1, 2, 3])), {"weight": torch.rand(10)}),
        ((torch.randn(3, 10, dtype=torch.float64), torch.tensor([1, 2, 3])), {}),
        ((torch.randn(3, 10), torch.rand(3, 10)), {}),
        ((torch.randn(3, 10, 2), torch.zeros(3, 2, dtype=torch.long)), {}),
    ]
    for args, kwargs in declined:
        assert not tritonex._supported(*args, **kwargs)
    print("interpreter checks passed")


def _run_in_interpreter(dtypes: str):
    env = dict(os.environ, TRITON_INTERPRET="1")
    code = ("import torch; from thunder.tests.test_tritonex import interpreter_checks; "
            f"interpreter_checks({dtypes})")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "interpreter checks passed" in result.stdout


@pytest.mark.skipif(not HAS_TRITON, reason="needs triton")
def test_cross_entropy_kernels_match_eager_in_the_interpreter():
    _run_in_interpreter("[torch.float32]")


@pytest.mark.slow
@pytest.mark.skipif(not HAS_TRITON, reason="needs triton")
def test_cross_entropy_kernels_match_eager_in_low_precision_in_the_interpreter():
    _run_in_interpreter("[torch.bfloat16, torch.float16]")


def test_module_imports_and_claims_nothing_without_triton():
    code = """
import sys
sys.modules["triton"] = None  # "import triton" now raises ImportError
import torch, thunder
from thunder.executors import tritonex
assert tritonex.triton is None and not tritonex.available()
assert tritonex.default_executors() == []
assert thunder.get_executor("triton") is tritonex.ex
x, t = torch.randn(4, 10, requires_grad=True), torch.tensor([1, 2, 3, 4])
jfn = thunder.jit(torch.nn.functional.cross_entropy, executors=["triton"])
jfn(x, t).backward()
assert "tritonex" not in str(thunder.last_traces(jfn)[-1])
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=600,
                            env={k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(tritonex.INTERPRET, reason="the interpreter runs CPU tensors")
def test_cpu_tensors_are_declined_outside_the_interpreter():
    assert not tritonex._supported(torch.randn(3, 10), torch.tensor([1, 2, 3]))
    x = torch.randn(3, 10, requires_grad=True)
    jfn = thunder.jit(loss_fn, executors=["triton"])
    assert_close(jfn(x, torch.tensor([1, 2, 3])), loss_fn(x, torch.tensor([1, 2, 3])))
    assert "tritonex" not in str(thunder.last_traces(jfn)[-1])


def test_triton_is_a_default_executor_only_with_cuda():
    names = [e.name for e in thunder.get_default_executors()]
    assert ("triton" in names) == (HAS_TRITON and torch.cuda.is_available())


cuda = pytest.mark.skipif(not (HAS_TRITON and torch.cuda.is_available()),
                          reason="needs triton and a CUDA device")


@cuda
@pytest.mark.cuda
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16], ids=str)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_cuda_cross_entropy_matches_eager(dtype, reduction, label_smoothing):
    _check_case("cuda", dtype, reduction, label_smoothing, rows=64, classes=32000)


@cuda
@pytest.mark.cuda
def test_cuda_gpt_loss_routes_through_triton():
    torch.manual_seed(0)
    gpt = GPT(GPTConfig(n_layer=1, n_head=2, n_embd=32, block_size=16, vocab_size=1000)).cuda()
    idx = torch.randint(0, 1000, (2, 16), device="cuda")
    jgpt = thunder.jit(gpt)
    _, loss = jgpt(idx, idx)
    loss.backward()
    assert "tritonex._cross_entropy_backward" in str(thunder.last_backward_traces(jgpt)[-1])


def _compile_for_cuda(kernel, signature, constexprs):
    """Compile ``kernel`` to a cubin for an sm_90 GPU, which needs no GPU (ptxas ships with
    Triton): the compiled (not interpreted) kernels type-check and lower."""
    source = ASTSource(kernel, signature, constexprs=constexprs)
    return triton.compile(source, target=GPUTarget("cuda", 90, 32), options={"num_warps": 8})


@pytest.mark.skipif(not HAS_TRITON or tritonex.INTERPRET, reason="needs compiled triton")
@pytest.mark.parametrize("dtype", ["fp32", "bf16"])
@pytest.mark.parametrize("smoothing", [False, True])
def test_kernels_compile_for_a_cuda_target(dtype, smoothing):
    constexprs = {"n_classes": 32000, "BLOCK": 4096, "SMOOTHING": smoothing}
    forward = {"logits_ptr": f"*{dtype}", "row_stride": "i32", "target_ptr": "*i64",
               "loss_ptr": "*fp32", "lse_ptr": "*fp32", "ignore_index": "i32",
               "label_smoothing": "fp32", **dict.fromkeys(constexprs, "constexpr")}
    backward = {"grad_ptr": f"*{dtype}", "grad_row_stride": "i32", "logits_ptr": f"*{dtype}",
                "row_stride": "i32", "target_ptr": "*i64", "lse_ptr": "*fp32",
                "scale_ptr": "*fp32", "scale_stride": "i32", "ignore_index": "i32",
                "label_smoothing": "fp32", **dict.fromkeys(constexprs, "constexpr")}
    assert _compile_for_cuda(tritonex._cross_entropy_forward_kernel, forward, constexprs).asm[
        "cubin"]
    assert _compile_for_cuda(tritonex._cross_entropy_backward_kernel, backward, constexprs).asm[
        "cubin"]
