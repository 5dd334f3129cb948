"""The torch.compile fusion executor: each region goes to Inductor through ``torch.compile``.

It fuses every symbol with a torch implementation except those whose results or effects
Inductor would not reproduce exactly: random operations (Inductor draws its own random
numbers, not eager's stream, so ``torch.manual_seed`` would no longer give eager's values),
effectful symbols, data checks, eager-fallback calls and complex or sparse tensors.

NOTE [tiered compilation]
Inductor takes seconds to compile a region, far more than Thunder takes to trace. So a region
first runs as its plain torch body (the same code the torch executor would run, timed), and is
handed to ``torch.compile`` once it has been called ``compile_after`` times: the first results
come at tracing speed, and code that runs repeatedly (a training loop, a decoding loop) gets
fused from then on. The compiled body is then timed for a few calls and kept only if it is
faster than the torch body; otherwise the region goes back to its torch body for good. Whether
fusion pays depends on sizes, the machine and what Inductor makes of the region (a compiled
region has a fixed cost per call, Dynamo's guards and Inductor's wrapper, of about 25 µs on the
2-core CPU machine), so it is measured, not predicted. ``TorchCompileExecutor(compile_after=0)``
compiles at the first call and keeps the result without measuring. A region Inductor fails to
compile keeps running its torch body (with a warning), so fusion never costs correctness.
Compiling is synchronous: the call that crosses the threshold waits for Inductor.

What the static rules still decide: matrix products and convolutions (``EXTERNAL_KERNELS``)
stay out of regions, since Inductor calls the same library kernels for them on the CPU and a
region holds all its inputs until it returns (a backward region reading every saved activation
would keep them all alive, where eager frees each after its last use); and a region is compiled
at all only when at least ``min_symbols`` (3) of its symbols would merge into the kernel of the
symbol feeding them, or one such symbol writes ``min_elements`` (65536) elements, so hopeless
regions cost no compilation. ``benchmarks/fusion.py`` measures where fusion pays.
"""

import time
import warnings

import torch

from thunder.core.proxies import TensorProxy
from thunder.core.symbol import BoundSymbol
from thunder.executors.extend import register_executor
from thunder.executors.fusion import VIEW_OPS, FusionExecutor, Region, region_trace, region_work
from thunder.executors.torchex import ex as torch_executor
from thunder.transforms.dce import is_effectful
from thunder.transforms.del_last_used import del_last_used

# Symbols never fused (by name), besides the effectful ones (``is_effectful``: random draws,
# print, ...): data checks and data-dependent results, which Inductor would not reproduce.
UNFUSABLE = frozenset({
    "uniform_philox", "check_data", "item", "tolist", "nonzero", "unique", "masked_select",
})


# Symbols Inductor runs as calls to library kernels (it fuses nothing into them on the CPU): they
# stay out of regions (NOTE [tiered compilation]).
EXTERNAL_KERNELS = frozenset({
    "matmul", "linear", "mm", "bmm", "addmm", "baddbmm", "addbmm", "einsum", "conv1d",
    "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "convolution", "scaled_dot_product_attention", "embedding",
})


class TieredRegion:
    """A region's callable: its torch body, then, once the region has run ``compile_after``
    times, its ``torch.compile``d body if that measures faster (NOTE [tiered compilation])."""

    def __init__(self, region: Region, body, compile_after: int, trials: int = 3):
        self.region = region
        self.body = body
        self.compile_after = compile_after
        self.trials = trials
        self.calls = 0
        self.compiled = None  # the compiled body, once it has been chosen
        self.body_seconds = float("inf")  # fastest timed call of each
        self.compiled_seconds = float("inf")
        self.state = "unfused"  # -> "measuring" -> "compiled" or "kept unfused"
        self.__name__ = region.name
        self._candidate = None
        self._run = self._timed_body if compile_after > 0 else self._compile

    def __call__(self, *args):
        return self._run(*args)

    def _timed_body(self, *args):
        self.calls += 1
        start = time.perf_counter()
        result = self.body(*args)
        if self.calls > 1:  # the first call pays one-off costs
            self.body_seconds = min(self.body_seconds, time.perf_counter() - start)
        if self.calls >= self.compile_after:
            self._run = self._compile
        return result

    def _compile(self, *args):
        self._candidate = torch.compile(self.body, fullgraph=True, dynamic=False)
        try:
            result = self._candidate(*args)  # the first call compiles
        except Exception as error:  # Inductor could not compile it: keep the torch body
            warnings.warn(f"thunder: torch.compile could not compile fusion region "
                          f"{self.region.name} ({type(error).__name__}: {error}); it runs "
                          f"unfused", stacklevel=2)
            return self._keep_body(*args)
        if self.compile_after == 0:  # compile unconditionally: nothing to compare with
            self._choose(self._candidate)
        else:
            self.state, self._run = "measuring", self._timed_compiled
        return result

    def _timed_compiled(self, *args):
        start = time.perf_counter()
        result = self._candidate(*args)
        self.compiled_seconds = min(self.compiled_seconds, time.perf_counter() - start)
        self.trials -= 1
        if self.trials <= 0:
            if self.body_seconds == float("inf"):  # only its first call was seen: time one
                start = time.perf_counter()  # more (a region is pure: running it is harmless)
                self.body(*args)
                self.body_seconds = time.perf_counter() - start
            if self.compiled_seconds < self.body_seconds:
                self._choose(self._candidate)
            else:
                self.state, self._run = "kept unfused", self.body
            self._candidate = None
        return result

    def _choose(self, compiled):
        self.compiled, self.state, self._run = compiled, "compiled", compiled

    def _keep_body(self, *args):
        self.state, self._run, self._candidate = "kept unfused", self.body, None
        return self.body(*args)

    def __repr__(self):
        timing = ""
        if self.body_seconds < float("inf") and self.compiled_seconds < float("inf"):
            timing = (f" (torch body {self.body_seconds * 1e6:.1f} µs, compiled "
                      f"{self.compiled_seconds * 1e6:.1f} µs)")
        return (f"<fusion {self.region.name}: {len(self.region.bound_symbols)} symbols, "
                f"{self.state}{timing}>")


def _mergeable(bsyms) -> tuple[int, int]:
    """(symbols, elements written by them) of the symbols Inductor can merge into the kernel of
    a symbol that feeds them: neither they nor that producer are views or library kernels."""
    computed = set()
    merged = elements = 0
    for bsym in bsyms:
        name = bsym.sym.name
        if name in EXTERNAL_KERNELS or name in VIEW_OPS:
            continue
        if any(a.name in computed for a in bsym.flat_proxy_args()):
            symbols, written = region_work([bsym])
            merged += symbols
            elements += written
        computed.update(o.name for o in bsym.flat_proxy_outs())
    return merged, elements


class TorchCompileExecutor(FusionExecutor):
    """Fuses regions with ``torch.compile`` (Inductor)."""

    def __init__(self, name: str = "torchcompile", *, compile_after: int = 8,
                 min_symbols: int = 3, min_elements: int = 65536):
        super().__init__(name)
        self.compile_after = compile_after
        self.min_symbols = min_symbols
        self.min_elements = min_elements

    def worth_fusing(self, bsyms: list) -> bool:
        """Fuse when enough symbols would merge into the kernel of the symbol that feeds them."""
        merged, elements = _mergeable(bsyms)
        return merged >= self.min_symbols or merged >= 1 and elements >= self.min_elements

    def can_fuse(self, bsym: BoundSymbol) -> bool:
        sym = bsym.sym
        if sym.impl is None or is_effectful(bsym) or sym.name in UNFUSABLE:
            return False
        if sym.name in EXTERNAL_KERNELS:
            return False
        if str(sym.id).startswith("fallback:"):
            return False
        outs = bsym.flat_proxy_outs()
        if not outs:
            return False
        for p in (*bsym.flat_proxy_args(), *outs):
            if not isinstance(p, TensorProxy):
                return False
            if p.dtype.is_complex or p.device.type not in ("cpu", "cuda"):
                return False
        return True

    def compile_region(self, region: Region):
        trace = region_trace(region.name, region.bound_symbols, region.inputs, region.outputs,
                             torch_executor.claim)
        region.trace = trace
        body = del_last_used(trace).python_callable()  # frees intermediates as it goes
        return TieredRegion(region, body, self.compile_after)


ex = register_executor(TorchCompileExecutor())
