"""Per-call overhead and time to first result: Thunder vs eager vs torch.compile.

    python benchmarks/overhead.py            # measures and rewrites benchmarks/RESULTS.md

Per-call overhead: a tiny function ``(x * 2 + 1).relu()`` on 8 floats, a 4 x Linear(32) MLP
with parameters requiring grad, and a 50 x Linear(8) MLP (100 parameter tensors), each
called many times after warm-up, the contenders interleaved in one process. Time to first
result: the first forward call of the benchmark GPT and of the MLP, each contender in a fresh
process (so torch.compile pays its start-up as a user would).
"""

import json
import os
import subprocess
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import thunder  # noqa: E402
from benchmarks.common import fmt, machine_line, per_call_us, ratio, write_section  # noqa: E402
from thunder.models.gpt import GPT, GPTConfig, MLPModel  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md")


def tiny(x):
    return (x * 2 + 1).relu()


def _contenders(fn, *args):
    compiled = torch.compile(fn)
    jitted = thunder.jit(fn)
    return {
        "eager": lambda: fn(*args),
        "torch.compile": lambda: compiled(*args),
        "thunder": lambda: jitted(*args),
    }


def overhead_rows():
    torch.manual_seed(0)
    rows = []
    workloads = [
        ("`(x*2+1).relu()` on 8 floats", tiny, (torch.randn(8),)),
        ("4 x Linear(32) MLP, grad enabled", MLPModel(4, 32), (torch.randn(8, 32),)),
        ("50 x Linear(8) MLP (100 parameters), grad enabled", MLPModel(50, 8),
         (torch.randn(8, 8),)),
    ]
    for label, fn, args in workloads:
        stats = per_call_us(_contenders(fn, *args))
        rows.append((label, stats))
    return rows


FIRST_CALL_SCRIPT = r"""
import sys, time, json
start = time.perf_counter()
import torch
import thunder
from thunder.models.gpt import GPT, GPTConfig, MLPModel
workload, contender = sys.argv[1], sys.argv[2]
torch.manual_seed(0)
if workload == "gpt":
    model = GPT(GPTConfig(n_layer=2, n_head=4, n_embd=64, block_size=64))
    args = (torch.randint(0, 128, (2, 64)),)
else:
    model = MLPModel(4, 32)
    args = (torch.randn(8, 32),)
fn = {"eager": model, "torch.compile": torch.compile(model), "thunder": thunder.jit(model)}[contender]
t0 = time.perf_counter()
out = fn(*args)
first = time.perf_counter() - t0
print(json.dumps({"first_call_s": first}))
"""


def first_call_rows(repeats=3):
    rows = []
    for workload, label in (("gpt", "GPT forward (2 layers, n_embd 64, 2 x 64 tokens)"),
                            ("mlp", "4 x Linear(32) MLP forward")):
        stats = {}
        for contender in ("eager", "torch.compile", "thunder"):
            times = []
            for _ in range(repeats):
                out = subprocess.run([sys.executable, "-c", FIRST_CALL_SCRIPT, workload,
                                      contender], capture_output=True, text=True, check=True,
                                     cwd=os.path.dirname(RESULTS) + "/..")
                times.append(json.loads(out.stdout.strip().splitlines()[-1])["first_call_s"])
            times.sort()
            stats[contender] = (times[len(times) // 2], times[0], times[-1])
        rows.append((label, stats))
    return rows


def main():
    overhead = overhead_rows()
    lines = [f"## Per-call overhead (CPU: {machine_line()})", "",
             "Median per call over 15 interleaved blocks of 200 calls, (min–max) of the blocks.",
             "", "| workload | eager | torch.compile | thunder | thunder/eager | "
             "thunder/torch.compile |", "|---|---|---|---|---|---|"]
    for label, s in overhead:
        lines.append(f"| {label} | {fmt(s['eager'])} | {fmt(s['torch.compile'])} | "
                     f"{fmt(s['thunder'])} | {ratio(s['thunder'], s['eager'])} | "
                     f"{ratio(s['thunder'], s['torch.compile'])} |")
    print("\n".join(lines))
    write_section(RESULTS, "overhead", "\n".join(lines))

    first = first_call_rows()
    lines = [f"## Time to first result (CPU: {machine_line()})", "",
             "First call in a fresh process, median of 3 processes (min–max); includes "
             "tracing/compilation, not the imports.", "",
             "| workload | eager | torch.compile | thunder | thunder/torch.compile |",
             "|---|---|---|---|---|"]
    for label, s in first:
        lines.append(f"| {label} | {fmt(s['eager'], 's')} | {fmt(s['torch.compile'], 's')} | "
                     f"{fmt(s['thunder'], 's')} | {ratio(s['thunder'], s['torch.compile'])} |")
    print("\n".join(lines))
    write_section(RESULTS, "first-call", "\n".join(lines))


if __name__ == "__main__":
    main()
