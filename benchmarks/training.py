"""Training and inference steps: Thunder vs eager vs torch.compile, measured in one run.

    python benchmarks/training.py        # measures and rewrites sections of RESULTS.md
    python benchmarks/training.py steady # only the steady-state table (or: first, memory)

Steady state: the median time of a training step (forward, cross-entropy or MSE loss,
backward) and of an inference step (forward under no_grad) of the benchmark GPT, an MLP and a CNN,
contenders interleaved. Time to first training step and peak memory of a training step: each
contender in a fresh process. Peak memory is the growth of the resident set during one step
after ``WARMUP_STEPS`` warm-up steps (the peak is reset through /proc/self/clear_refs; glibc is
told to give large blocks back to the system so the resident set follows the live tensors).
"""

import json
import os
import statistics
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import thunder  # noqa: E402
from benchmarks.common import fmt, machine_line, ratio, write_section  # noqa: E402
from thunder.models.cnn import SmallCNN  # noqa: E402
from thunder.models.gpt import GPT, GPTConfig, MLPModel  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "RESULTS.md")
CONTENDERS = ("eager", "torch.compile", "thunder")
# Steps run before measuring a steady state: more than the calls after which Thunder's
# torch.compile fusion executor compiles a region (``compile_after``, NOTE [tiered
# compilation]), so the time and memory measured are those of the compiled regions.
WARMUP_STEPS = 20


def make_workload(name):
    torch.manual_seed(0)
    if name == "gpt":
        config = GPTConfig(n_layer=2, n_head=4, n_embd=64, block_size=64, vocab_size=128)
        model = GPT(config)
        idx = torch.randint(0, 128, (2, 64))
        return model, (idx, idx)
    if name == "gpt-large":  # for peak memory: activations dominate the resident set
        config = GPTConfig(n_layer=4, n_head=4, n_embd=256, block_size=256, vocab_size=512)
        model = GPT(config)
        idx = torch.randint(0, 512, (8, 256))
        return model, (idx, idx)
    if name == "cnn":
        model = SmallCNN()
        return model, (torch.randn(8, 3, 32, 32), torch.randint(0, 10, (8,)))
    if name == "cnn-large":  # for peak memory
        model = SmallCNN(channels=32)
        return model, (torch.randn(32, 3, 64, 64), torch.randint(0, 10, (32,)))
    if name == "cnn-deep":  # for peak memory: saved activations outweigh the backward's own
        model = SmallCNN(channels=16, extra_blocks=4)
        return model, (torch.randn(32, 3, 64, 64), torch.randint(0, 10, (32,)))
    if name == "mlp-large":  # for peak memory
        model = MLPModel(8, 1024)
        return model, (torch.randn(512, 1024), torch.randn(512, 1024))
    model = MLPModel(4, 32)
    return model, (torch.randn(64, 32), torch.randn(64, 32))


def compiled(model, contender):
    if contender == "eager":
        return model
    if contender == "torch.compile":
        return torch.compile(model)
    return thunder.jit(model)


def train_step(fn, model, inputs, targets):
    if isinstance(model, GPT):
        _, loss = fn(inputs, targets)
    elif isinstance(model, SmallCNN):
        loss = torch.nn.functional.cross_entropy(fn(inputs), targets)
    else:
        loss = torch.nn.functional.mse_loss(fn(inputs), targets)
    loss.backward()
    for p in model.parameters():
        p.grad = None
    return loss


def steady_state_ms(workload, *, blocks=15, steps_per_block=10, mode="train"):
    model, (inputs, targets) = make_workload(workload)
    fns = {c: compiled(model, c) for c in CONTENDERS}

    def run(fn):
        if mode == "train":
            return train_step(fn, model, inputs, targets)
        with torch.no_grad():
            return fn(inputs)

    for fn in fns.values():
        for _ in range(WARMUP_STEPS):
            run(fn)
    samples = {c: [] for c in CONTENDERS}
    for _ in range(blocks):
        for c, fn in fns.items():
            start = time.perf_counter()
            for _ in range(steps_per_block):
                run(fn)
            samples[c].append((time.perf_counter() - start) / steps_per_block * 1e3)
    return {c: (statistics.median(s), min(s), max(s)) for c, s in samples.items()}


CHILD = r"""
import json, os, sys, time, gc
sys.path.insert(0, os.getcwd())
import torch
from benchmarks.training import WARMUP_STEPS, make_workload, compiled, train_step
what, workload, contender = sys.argv[1], sys.argv[2], sys.argv[3]
model, (inputs, targets) = make_workload(workload)
fn = compiled(model, contender)
if what == "first":
    start = time.perf_counter()
    train_step(fn, model, inputs, targets)
    print(json.dumps({"value": time.perf_counter() - start}))
else:
    for _ in range(WARMUP_STEPS):
        train_step(fn, model, inputs, targets)
    gc.collect()
    def status(key):
        for line in open("/proc/self/status"):
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    base = status("VmRSS")
    train_step(fn, model, inputs, targets)
    print(json.dumps({"value": status("VmHWM") - base}))
"""


def in_fresh_processes(what, workload, repeats):
    stats = {}
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for c in CONTENDERS:
        values = []
        for _ in range(repeats):
            out = subprocess.run([sys.executable, "-c", CHILD, what, workload, c], cwd=root,
                                 env=env, capture_output=True, text=True, check=True)
            values.append(json.loads(out.stdout.strip().splitlines()[-1])["value"])
        values.sort()
        stats[c] = (values[len(values) // 2], values[0], values[-1])
    return stats


def _table(title, note, rows, unit):
    lines = [f"## {title} (CPU: {machine_line()})", "", note, "",
             "| workload | eager | torch.compile | thunder | thunder/eager | "
             "thunder/torch.compile |", "|---|---|---|---|---|---|"]
    for label, s in rows:
        lines.append(f"| {label} | {fmt(s['eager'], unit)} | {fmt(s['torch.compile'], unit)} | "
                     f"{fmt(s['thunder'], unit)} | {ratio(s['thunder'], s['eager'])} | "
                     f"{ratio(s['thunder'], s['torch.compile'])} |")
    return "\n".join(lines)


def main(parts=("steady", "first", "memory")):
    gpt = "GPT (2 layers, n_embd 64, 2 x 64 tokens)"
    mlp = "MLP (4 x Linear(32), batch 64)"
    cnn = "CNN (2 conv-BN-ReLU blocks, 8 x 3 x 32 x 32)"
    if "steady" in parts:
        _steady(gpt, mlp, cnn)
    if "first" in parts:
        _first(gpt, mlp, cnn)
    if "memory" in parts:
        _memory()


def _steady(gpt, mlp, cnn):
    steady = [(f"{gpt} training step", steady_state_ms("gpt")),
              (f"{mlp} training step", steady_state_ms("mlp")),
              (f"{cnn} training step", steady_state_ms("cnn")),
              (f"{gpt} inference", steady_state_ms("gpt", mode="infer")),
              (f"{mlp} inference", steady_state_ms("mlp", mode="infer")),
              (f"{cnn} inference", steady_state_ms("cnn", mode="infer"))]
    text = _table("Steady-state step time", "Median over 15 interleaved blocks of 10 steps, "
                  "(min–max) of the blocks; a training step is forward, loss, backward.",
                  steady, "ms")
    print(text)
    write_section(RESULTS, "training-steady", text)


def _first(gpt, mlp, cnn):
    first = [(f"{gpt} first training step", in_fresh_processes("first", "gpt", 3)),
             (f"{mlp} first training step", in_fresh_processes("first", "mlp", 3)),
             (f"{cnn} first training step", in_fresh_processes("first", "cnn", 3))]
    text = _table("Time to first training step", "First training step in a fresh process "
                  "(tracing/compilation included, imports and model construction excluded), "
                  "median of 3 processes (min–max).", first, "s")
    print(text)
    write_section(RESULTS, "training-first", text)


def _memory():
    memory = [("GPT (4 layers, n_embd 256, 8 x 256 tokens) training step",
               in_fresh_processes("memory", "gpt-large", 3)),
              ("MLP (8 x Linear(1024), batch 512) training step",
               in_fresh_processes("memory", "mlp-large", 3)),
              ("CNN (channels 32, 32 x 3 x 64 x 64) training step",
               in_fresh_processes("memory", "cnn-large", 3)),
              ("CNN (6 conv-BN-ReLU blocks, channels 16, 32 x 3 x 64 x 64) training step",
               in_fresh_processes("memory", "cnn-deep", 3))]
    text = _table("Peak memory of a training step", "Growth of the resident set during one "
                  f"training step after {WARMUP_STEPS} warm-up steps, in MiB, median of 3 "
                  "processes (min–max).", memory, "MiB")
    print(text)
    write_section(RESULTS, "training-memory", text)


if __name__ == "__main__":
    main(sys.argv[1:] or ("steady", "first", "memory"))
