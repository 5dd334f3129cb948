"""When does a torch.compile fusion region pay? Fused vs unfused regions, measured in one run.

    python benchmarks/fusion.py        # measures and rewrites a section of RESULTS.md

A chain of ``k`` elementwise operations on ``n`` elements is jitted twice: with the
torch.compile executor compiling at the first call (fused: one Inductor kernel per region) and
with the torch executor alone (one eager call per operation), contenders interleaved. The
static thresholds of ``TorchCompileExecutor`` (``min_symbols``, ``min_elements``, below which a
region is not even compiled) are set from this table; above them the executor measures each
region (NOTE [tiered compilation]). A region pays when its fixed cost per call (Inductor's
wrapper, called without Dynamo) is below the per-operation cost it saves.
"""

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import thunder  # noqa: E402
from benchmarks.common import fmt, machine_line, per_call_us, ratio, write_section  # noqa: E402
from thunder.executors.torchcompileex import TorchCompileExecutor  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md")
SYMBOLS = (2, 4, 8, 16)
ELEMENTS = (8, 4096, 65536, 1 << 20)


def chain(k):
    def f(x):
        for i in range(k):
            x = x * 1.01 if i % 2 == 0 else x.tanh()
        return x
    return f


def main():
    fused_executor = TorchCompileExecutor("bench_fused", compile_after=0, min_symbols=1)
    rows = []
    for n in ELEMENTS:
        x = torch.randn(n)
        for k in SYMBOLS:
            f = chain(k)
            contenders = {"unfused": thunder.jit(f, executors=["torch"]),
                          "fused": thunder.jit(f, executors=[fused_executor])}
            calls = 50 if n >= 1 << 20 else 200
            stats = per_call_us({name: (lambda fn=fn: fn(x)) for name, fn in contenders.items()},
                                calls_per_block=calls, blocks=9, warmup=5)
            rows.append(f"| {k} | {n} | {fmt(stats['unfused'])} | {fmt(stats['fused'])} | "
                        f"{ratio(stats['fused'], stats['unfused'])} |")
            print(rows[-1], flush=True)
    body = "\n".join([
        f"## When a torch.compile fusion region pays ({machine_line()})",
        "",
        "A chain of elementwise operations jitted with the torch.compile executor compiling at "
        "the first call (fused) and with the torch executor alone (unfused); median per call "
        "over 9 interleaved blocks (min–max). Produced by `benchmarks/fusion.py`; the "
        "executor compiles a region only past `min_symbols=3` / `min_elements=4096` (3 "
        "symbols merging into the kernel of the one feeding them, or 1 writing 4096 elements) "
        "and then keeps it only where it measures faster: these rows show a region paying from "
        "4 elementwise symbols on tiny tensors and from 2 on 4096 elements or more.",
        "",
        "| symbols | elements each | unfused | fused | fused/unfused |",
        "|---|---|---|---|---|",
        *rows,
    ])
    write_section(RESULTS, "fusion-threshold", body)


if __name__ == "__main__":
    main()
