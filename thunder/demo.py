"""The demo: jit the built-in small GPT, print its final trace (and the body of each fusion
region it calls) and time it against eager.

Run it with ``python -m thunder.demo``.
"""

import statistics
import time

import torch

import thunder
from thunder.models.gpt import GPT, GPTConfig


# Calls before timing: past the call at which a fusion region is compiled by Inductor and the
# calls that compare it with its torch body (NOTE [tiered compilation]).
WARMUP_CALLS = 20


def _median_ms(fn, repeats=30):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main():
    torch.manual_seed(0)
    config = GPTConfig(n_layer=2, n_head=4, n_embd=64, block_size=64, vocab_size=128)
    model = GPT(config).eval()
    idx = torch.randint(0, config.vocab_size, (2, 64))

    jmodel = thunder.jit(model)
    start = time.perf_counter()
    with torch.no_grad():
        out = jmodel(idx)
    first_call = time.perf_counter() - start
    with torch.no_grad():
        expected = model(idx)
    torch.testing.assert_close(out, expected)

    print(thunder.last_traces(jmodel)[-1])
    for region in thunder.last_fusions(jmodel):  # the body of each fusion region it calls
        print(region)
    with torch.no_grad():
        for _ in range(WARMUP_CALLS):  # fusion regions compile at their 9th call
            jmodel(idx)
        eager_ms = _median_ms(lambda: model(idx))
        thunder_ms = _median_ms(lambda: jmodel(idx))
    regions = ", ".join(f"{r.name} {r.callable.state}" for r in thunder.last_fusions(jmodel))
    print(f"GPT ({config.n_layer} layers, n_embd {config.n_embd}, batch 2 x {idx.shape[1]} "
          f"tokens) inference: eager {eager_ms:.3f} ms, thunder {thunder_ms:.3f} ms "
          f"({thunder_ms / eager_ms:.2f}x eager) after {WARMUP_CALLS} warm-up calls "
          f"({regions or 'no fusion regions'}); first call (tracing) {first_call:.3f} s; "
          f"outputs match eager")


if __name__ == "__main__":
    main()
