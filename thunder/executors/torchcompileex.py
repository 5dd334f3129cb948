"""The torch.compile fusion executor: each region goes to Inductor through ``torch.compile``.

It fuses every symbol with a torch implementation except those whose results or effects
Inductor would not reproduce exactly: random operations (Inductor draws its own random
numbers, not eager's stream, so ``torch.manual_seed`` would no longer give eager's values),
effectful symbols, data checks, eager-fallback calls and complex or sparse tensors.

NOTE [tiered compilation]
Inductor takes seconds to compile a region, far more than Thunder takes to trace. So a region
first runs as its plain torch body (the same code the torch executor would run), and is handed
to ``torch.compile`` once it has been called ``compile_after`` times: the first results come at
tracing speed, and code that runs repeatedly (a training loop, a decoding loop) runs fused from
then on. ``TorchCompileExecutor(compile_after=0)`` compiles at the first call. A region Inductor
fails to compile keeps running its torch body (with a warning), so fusion never costs
correctness. Compiling is synchronous: the call that crosses the threshold waits for Inductor.

A compiled region has a fixed cost per call (Dynamo's guards, Inductor's wrapper: about 25 µs
on the 2-core CPU machine, against a few µs per small eager operation), and saves only where
Inductor merges a symbol into the kernel of the symbol feeding it: elementwise and reduction
chains. Matrix products and convolutions (``EXTERNAL_KERNELS``) are calls to the same library
kernels either way, with more overhead than eager on small sizes, and merge with nothing. So a
region is fused only when at least ``min_symbols`` (8) of its symbols would merge, or at least
one that writes ``min_elements`` (65536) elements or more, where saving memory traffic pays. The
thresholds come from ``benchmarks/fusion.py``.
"""

import warnings

import torch

from thunder.core.proxies import TensorProxy
from thunder.core.symbol import BoundSymbol
from thunder.executors.extend import register_executor
from thunder.executors.fusion import VIEW_OPS, FusionExecutor, Region, region_trace, region_work
from thunder.executors.torchex import ex as torch_executor
from thunder.transforms.dce import is_effectful

# Symbols never fused (by name): their values would differ from eager's under Inductor, or
# Inductor would only call back into eager for them.
UNFUSABLE = frozenset({
    "dropout", "rand", "randn", "randint", "rand_like", "randn_like", "randint_like",
    "bernoulli", "multinomial", "normal", "uniform", "uniform_philox", "randperm",
    "check_data", "item", "tolist", "nonzero", "unique", "masked_select",
})


# Symbols Inductor runs as calls to library kernels (it fuses nothing into them on CPU): they may
# join a region, but do not count towards making it worth fusing.
EXTERNAL_KERNELS = frozenset({
    "matmul", "linear", "mm", "bmm", "addmm", "baddbmm", "addbmm", "einsum", "conv1d",
    "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "convolution", "scaled_dot_product_attention", "embedding",
})


class TieredRegion:
    """A region's callable: its torch body until it has run ``compile_after`` times, then the
    ``torch.compile``d body (NOTE [tiered compilation])."""

    def __init__(self, region: Region, body, compile_after: int):
        self.region = region
        self.body = body
        self.compile_after = compile_after
        self.calls = 0
        self.compiled = None
        self.__name__ = region.name
        self._run = self._count if compile_after > 0 else self._compile_and_run

    def __call__(self, *args):
        return self._run(*args)

    def _count(self, *args):
        self.calls += 1
        if self.calls >= self.compile_after:
            self._run = self._compile_and_run
        return self.body(*args)

    def _compile_and_run(self, *args):
        compiled = torch.compile(self.body, fullgraph=True, dynamic=False)
        try:
            result = compiled(*args)
        except Exception as error:  # Inductor could not compile it: keep the torch body
            warnings.warn(f"thunder: torch.compile could not compile fusion region "
                          f"{self.region.name} ({type(error).__name__}: {error}); it runs "
                          f"unfused", stacklevel=2)
            self._run = self.body
            return self.body(*args)
        self.compiled = compiled
        self._run = compiled
        return result

    def __repr__(self):
        state = "compiled" if self.compiled is not None else f"{self.calls} calls unfused"
        return f"<fusion {self.region.name}: {len(self.region.bound_symbols)} symbols, {state}>"


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
                 min_symbols: int = 8, min_elements: int = 65536):
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
        return TieredRegion(region, trace.python_callable(), self.compile_after)


ex = register_executor(TorchCompileExecutor())
