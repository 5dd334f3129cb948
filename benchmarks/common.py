"""Timing helpers shared by the benchmark scripts.

Contenders are measured interleaved (round-robin blocks) in one process so that machine noise
hits them alike; results are medians with the min and max over blocks, reported as ratios
against eager PyTorch and torch.compile measured in the same run.
"""

import os
import platform
import re
import statistics
import time

import torch


def per_call_us(contenders: dict, *, calls_per_block=200, blocks=15, warmup=20):
    """Interleaved per-call times in µs: {name: (median, min, max)}."""
    for fn in contenders.values():
        for _ in range(warmup):
            fn()
    samples = {name: [] for name in contenders}
    for _ in range(blocks):
        for name, fn in contenders.items():
            start = time.perf_counter()
            for _ in range(calls_per_block):
                fn()
            samples[name].append((time.perf_counter() - start) / calls_per_block * 1e6)
    return {name: (statistics.median(s), min(s), max(s)) for name, s in samples.items()}


def machine_line() -> str:
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, torch {torch.__version__}")


def fmt(stat, unit="µs") -> str:
    median, lo, hi = stat
    digits = {"s": 3, "ms": 2}.get(unit, 1)
    return f"{median:.{digits}f} {unit} ({lo:.{digits}f}–{hi:.{digits}f})"


def ratio(a, b) -> str:
    return f"{a[0] / b[0]:.2f}x"


def write_section(path: str, name: str, body: str) -> None:
    """Replace (or append) the section ``name`` of a markdown results file."""
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    text = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
    block = f"{begin}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)
