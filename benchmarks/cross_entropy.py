"""Fused Triton cross-entropy vs torch's, forward + backward, on CUDA.

    python benchmarks/cross_entropy.py [--rows 8192] [--dtype bfloat16] [--vocab 32000 65536 128256]

For each vocabulary size: the median time of one forward + backward (CUDA events, contenders
interleaved) and the peak memory it allocates beyond its inputs, for

* ``eager``: ``F.cross_entropy`` (log_softmax saved for the backward);
* ``torch.compile``: the same function compiled;
* ``triton kernels``: ``thunder.executors.tritonex`` forward and backward kernels called directly;
* ``thunder``: ``thunder.jit(F.cross_entropy, executors=["triton"])``, with its per-call overhead.

Ratios are against eager in the same run. Needs CUDA and Triton; elsewhere it says so and exits.
"""

import argparse
import os
import statistics
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import thunder  # noqa: E402
from benchmarks.common import machine_line  # noqa: E402
from thunder.executors import tritonex  # noqa: E402


def _eager(logits, target):
    loss = F.cross_entropy(logits, target)
    (grad,) = torch.autograd.grad(loss, logits)
    return loss, grad


def _make_compiled():
    compiled = torch.compile(F.cross_entropy)

    def step(logits, target):
        loss = compiled(logits, target)
        (grad,) = torch.autograd.grad(loss, logits)
        return loss, grad

    return step


def _triton_kernels(logits, target):
    loss, lse, counted = tritonex._cross_entropy_forward(logits, target, -100, 0.0, "mean")
    grad = tritonex._cross_entropy_backward(torch.ones((), device=logits.device), logits,
                                            target, lse, counted, -100, 0.0)
    return loss, grad


def _make_thunder():
    jfn = thunder.jit(F.cross_entropy, executors=["triton"])

    def step(logits, target):
        loss = jfn(logits, target)
        (grad,) = torch.autograd.grad(loss, logits)
        return loss, grad

    return step


def _time_ms(contenders, logits, target, *, iterations=20, blocks=5):
    """Median ms of one forward + backward per contender, interleaved in blocks."""
    samples = {name: [] for name in contenders}
    for step in contenders.values():
        for _ in range(3):
            step(logits, target)
    torch.cuda.synchronize()
    for _ in range(blocks):
        for name, step in contenders.items():
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(iterations):
                step(logits, target)
            end.record()
            torch.cuda.synchronize()
            samples[name].append(start.elapsed_time(end) / iterations)
    return {name: statistics.median(s) for name, s in samples.items()}


def _peak_mib(step, logits, target):
    """Peak memory allocated during one forward + backward, beyond what was live before."""
    step(logits, target)
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated()
    result = step(logits, target)
    torch.cuda.synchronize()
    peak = torch.cuda.max_memory_allocated() - before
    del result
    return peak / 2**20


def _check(contenders, logits, target, dtype):
    loss, grad = _eager(logits, target)
    tolerance = 1e-4 if dtype == torch.float32 else 2e-2
    for name, step in contenders.items():
        got_loss, got_grad = step(logits, target)
        torch.testing.assert_close(got_loss.float(), loss.float(), atol=tolerance, rtol=tolerance)
        torch.testing.assert_close(got_grad.float(), grad.float(), atol=tolerance,
                                   rtol=tolerance)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=8192, help="tokens (batch x sequence)")
    parser.add_argument("--dtype", default="bfloat16",
                        choices=["float32", "bfloat16", "float16"])
    parser.add_argument("--vocab", type=int, nargs="+", default=[32000, 65536, 128256])
    parser.add_argument("--no-compile", action="store_true", help="leave out torch.compile")
    args = parser.parse_args()
    if not torch.cuda.is_available() or not tritonex.available():
        print("benchmarks/cross_entropy.py needs a CUDA device and Triton; nothing measured.")
        return
    dtype = getattr(torch, args.dtype)
    print(f"# Cross-entropy forward + backward, {args.rows} rows, {args.dtype}")
    print(f"{machine_line()}, {torch.cuda.get_device_name()}, triton {tritonex.triton.__version__}")
    print()
    print("| vocab | contender | time (ms) | vs eager | peak memory (MiB) |")
    print("|---|---|---|---|---|")
    for vocab in args.vocab:
        torch.manual_seed(0)
        logits = torch.randn(args.rows, vocab, device="cuda", dtype=dtype, requires_grad=True)
        target = torch.randint(0, vocab, (args.rows,), device="cuda")
        contenders = {"eager": _eager}
        if not args.no_compile:
            contenders["torch.compile"] = _make_compiled()
        contenders["triton kernels"] = _triton_kernels
        contenders["thunder"] = _make_thunder()
        _check(contenders, logits, target, dtype)
        times = _time_ms(contenders, logits, target)
        for name, step in contenders.items():
            peak = _peak_mib(step, logits, target)
            print(f"| {vocab} | {name} | {times[name]:.3f} | "
                  f"{times[name] / times['eager']:.2f}x | {peak:.0f} |")
        del logits, target
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
