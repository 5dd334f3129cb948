"""``transform_for_execution``: the pass that hands every bound symbol to an executor.

For each top-level bound symbol, the first executor (in the user's order) that can run it
claims it. A symbol no executor can run whole is replaced by its subsymbols, recursively, so a
torch-level operator without a kernel runs as its decomposition. A primitive nobody can run is
an error naming it.

A fusion executor claims symbols only provisionally: once every symbol is claimed, the symbols
claimed by fusion executors are grouped into regions (``fusion.fuse_regions``, see NOTE
[region formation]), each run as one call; a symbol left out of every region is claimed by the
executors after its fusion executor in the list.
"""

from thunder.core.proxies import TensorProxy
from thunder.core.symbol import BoundSymbol
from thunder.core.trace import TraceCtx, from_trace
from thunder.executors.fusion import FusionExecutor, fuse_regions
from thunder.transforms.rematerialize import nbytes


class NoExecutorError(RuntimeError):
    """No executor in the list can run a primitive."""


# A region may keep alive, past their last use, owned inputs of at most this many bytes or
# this fraction of the bytes of all owned trace arguments, whichever is larger (NOTE [region
# memory] in fusion.py).
MIN_HELD_BYTES = 1 << 20
HELD_FRACTION = 1 / 8


def transform_for_execution(trace: TraceCtx, executors, *, owns_args: bool = False) -> TraceCtx:
    """The execution trace: every bound symbol claimed by an executor, fusions formed.

    ``owns_args``: the trace frees its arguments after their last use (a backward trace), so
    fusion regions must not hold too many of them alive (NOTE [region memory])."""
    executors = list(executors)
    new = from_trace(trace, f"transform_for_execution ({', '.join(e.name for e in executors)})")
    claims: dict[int, FusionExecutor] = {}
    out = new.bound_symbols

    def claim(bsym: BoundSymbol, candidates):
        for executor in candidates:
            if executor.can_execute(bsym):
                if isinstance(executor, FusionExecutor):
                    claims[len(out)] = executor
                    out.append(bsym)
                else:
                    out.append(executor.claim(bsym))
                return
        if bsym.subsymbols:
            for sub in bsym.subsymbols:
                claim(sub, candidates)
            return
        if _is_passthrough(bsym):
            return
        raise NoExecutorError(f"no executor can run {bsym.sym.print_name} "
                              f"(executors: {[e.name for e in executors]})")

    for bsym in trace.bound_symbols:
        claim(bsym, executors)
    if not claims:
        return new

    def fallback_claim(bsym: BoundSymbol, fusion_executor) -> BoundSymbol:
        later = executors[executors.index(fusion_executor) + 1:]
        for executor in later:
            if not isinstance(executor, FusionExecutor) and executor.can_execute(bsym):
                return executor.claim(bsym)
        raise NoExecutorError(f"no executor after {fusion_executor.name} can run "
                              f"{bsym.sym.print_name} outside a fusion")

    owned = [a for a in trace.args if isinstance(a, TensorProxy)] if owns_args else []
    budget = max(MIN_HELD_BYTES, HELD_FRACTION * sum(nbytes(a) for a in owned))
    new.bound_symbols, new.regions = fuse_regions(
        out, claims, trace.output, fallback_claim, owned_args={a.name for a in owned},
        held_budget=budget)
    return new


def _is_passthrough(bsym: BoundSymbol) -> bool:
    """A composite that recorded nothing and returns its inputs (e.g. a no-op ``.to``)."""
    inputs = {id(a) for a in bsym.flat_proxy_args()}
    return all(id(o) in inputs for o in bsym.flat_proxy_outs())
