"""The torch.compile fusion executor: each region is compiled by Inductor.

It fuses every symbol with a torch implementation except those whose results or effects
Inductor would not reproduce exactly: random operations (Inductor draws its own random
numbers, not eager's stream, so ``torch.manual_seed`` would no longer give eager's values),
effectful symbols, data checks, eager-fallback calls and complex or sparse tensors. Matrix
products, convolutions and attention kernels are fused too: Inductor calls library kernels for
them and fuses the elementwise operations around them, and a region is one call where its
symbols would be one Python call each.

A region is compiled by ``compile_with_inductor``: its torch body traced to an aten graph by
``make_fx`` and handed to ``torch._inductor.compile``; the compiled code is then called without
Dynamo (no frame evaluation, no guards: Thunder's prologue has checked the inputs), about 4 µs
per call on the 2-core CPU machine against about 17 µs through ``torch.compile``.

NOTE [tiered compilation]
Inductor takes seconds to compile a region, far more than Thunder takes to trace. So a region
first runs as its plain torch body (the same code the torch executor would run), and is
compiled once it has been called ``compile_after`` times: the first results come at tracing
speed, and code that runs repeatedly (a training loop, a decoding loop) gets fused from then on.
For the next ``trials`` (5) calls the region runs both bodies, alternating which runs first so
that neither profits from the other's warm caches, and keeps the compiled body only if its
median time is lower; otherwise the region goes back to its torch body for good. Whether fusion
pays depends on sizes, the machine and what Inductor makes of the region (on tiny tensors its
layer norm is slower than torch's kernel), so it is measured, not predicted.
``TorchCompileExecutor(compile_after=0)`` compiles at the first call and keeps the result
without measuring. A region Inductor fails to compile keeps running its torch body (with a
warning), so fusion never costs correctness. Compiling is synchronous: the call that crosses
the threshold waits for Inductor.

A region is compiled at all only when at least ``min_symbols`` (3) of its symbols would merge
into the kernel of the symbol feeding them, or one such symbol writes ``min_elements`` (4096)
elements, so hopeless regions cost no compilation. ``benchmarks/fusion.py`` measures where
fusion pays. How much memory a region may hold is bounded at region formation (NOTE [region
memory] in ``fusion.py``).
"""

import statistics
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
# do not count as work a region saves (``_mergeable``).
EXTERNAL_KERNELS = frozenset({
    "matmul", "linear", "mm", "bmm", "addmm", "baddbmm", "addbmm", "einsum", "conv1d",
    "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "convolution", "scaled_dot_product_attention", "embedding",
})


def compile_with_inductor(body, args):
    """``body`` compiled by Inductor for arguments like ``args``, called without Dynamo.

    The region's torch body is traced to an aten graph (``make_fx``) and handed to
    ``torch._inductor.compile``; the result is called directly, without Dynamo's frame
    evaluation and guards (Thunder's prologue already checked the inputs). That makes a
    compiled region cost about 4 µs per call on the 2-core CPU machine, against about 17 µs
    through ``torch.compile``. Inductor's code checks the sizes and strides of its inputs; a
    call whose inputs have other strides than the ones compiled for (Thunder's cache does not
    key on strides) runs the torch body instead.
    """
    if torch.is_grad_enabled() and any(a.requires_grad for a in args):
        raise TypeError("region inputs require grad with grad mode enabled")
    from torch.fx.experimental.proxy_tensor import make_fx

    graph = make_fx(body)(*args)
    # Inductor may lay out an intermediate differently from eager (a permuted or expanded
    # result left uncopied), where ``view`` of it would fail; ``reshape`` copies only then.
    for node in graph.graph.nodes:
        if node.op == "call_function" and node.target is torch.ops.aten.view.default:
            node.target = torch.ops.aten.reshape.default
    graph.recompile()
    compiled = torch._inductor.compile(graph, list(args))

    def run(*args):
        try:
            return compiled(*args)
        except AssertionError:  # inputs with strides it was not compiled for
            return body(*args)

    return run


class TieredRegion:
    """A region's callable: its torch body, then, once the region has run ``compile_after``
    times, its Inductor-compiled body if that measures faster (NOTE [tiered compilation])."""

    def __init__(self, region: Region, body, compile_after: int, trials: int = 5):
        self.region = region
        self.body = body
        self.compile_after = compile_after
        self.trials = trials
        self.calls = 0
        self.compiled = None  # the compiled body, once it has been chosen
        self.body_times: list = []  # paired timings of the measuring calls
        self.compiled_times: list = []
        self.state = "unfused"  # -> "measuring" -> "compiled" or "kept unfused"
        self.__name__ = region.name
        self._candidate = None
        self._run = self._count if compile_after > 0 else self._compile

    def __call__(self, *args):
        return self._run(*args)

    def _count(self, *args):
        self.calls += 1
        if self.calls >= self.compile_after:
            self._run = self._compile
        return self.body(*args)

    def _compile(self, *args):
        try:
            self._candidate = compile_with_inductor(self.body, args)
            result = self._candidate(*args)
        except Exception as error:  # Inductor could not compile it: keep the torch body
            warnings.warn(f"thunder: Inductor could not compile fusion region "
                          f"{self.region.name} ({type(error).__name__}: {error}); it runs "
                          f"unfused", stacklevel=2)
            return self._keep_body(*args)
        if self.compile_after == 0:  # compile unconditionally: nothing to compare with
            self._choose(self._candidate)
        else:
            self.state, self._run = "measuring", self._timed_pair
        return result

    def _timed_pair(self, *args):
        # Each measuring call runs both bodies back to back, so noise hits them alike; the
        # torch body's result is dropped (a region is pure: running it twice is harmless).
        # Which runs first alternates, so that neither profits from the other's warm caches.
        body_first = len(self.compiled_times) % 2 == 0
        start = time.perf_counter()
        if body_first:
            self.body(*args)
        middle = time.perf_counter()
        result = self._candidate(*args)
        end = time.perf_counter()
        if not body_first:
            self.body(*args)
        self.compiled_times.append(end - middle)
        self.body_times.append(middle - start if body_first else time.perf_counter() - end)
        if len(self.compiled_times) >= self.trials:
            if statistics.median(self.compiled_times) < statistics.median(self.body_times):
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
        if self.compiled_times:
            timing = (f" (median torch body {statistics.median(self.body_times) * 1e6:.1f} µs, "
                      f"compiled {statistics.median(self.compiled_times) * 1e6:.1f} µs)")
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
    """Fuses regions with Inductor, torch.compile's compiler (``compile_with_inductor``)."""

    def __init__(self, name: str = "torchcompile", *, compile_after: int = 8,
                 min_symbols: int = 3, min_elements: int = 4096):
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
        body = del_last_used(trace).python_callable()  # frees intermediates as it goes
        return TieredRegion(region, body, self.compile_after)


ex = register_executor(TorchCompileExecutor())
