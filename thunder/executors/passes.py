"""``transform_for_execution``: the pass that hands every bound symbol to an executor.

For each top-level bound symbol, the first executor (in the user's order) that can run it
claims it. A symbol no executor can run whole is replaced by its subsymbols, recursively, so a
torch-level operator without a kernel runs as its decomposition. A primitive nobody can run is
an error naming it.
"""

from thunder.core.symbol import BoundSymbol
from thunder.core.trace import TraceCtx, from_trace


class NoExecutorError(RuntimeError):
    """No executor in the list can run a primitive."""


def transform_for_execution(trace: TraceCtx, executors) -> TraceCtx:
    """The execution trace: every bound symbol claimed by an executor."""
    new = from_trace(trace, f"transform_for_execution ({', '.join(e.name for e in executors)})")

    def claim(bsym: BoundSymbol):
        for executor in executors:
            if executor.can_execute(bsym):
                new.bound_symbols.append(executor.claim(bsym))
                return
        if bsym.subsymbols:
            for sub in bsym.subsymbols:
                claim(sub)
            return
        if _is_passthrough(bsym):
            return
        raise NoExecutorError(f"no executor can run {bsym.sym.print_name} "
                              f"(executors: {[e.name for e in executors]})")

    for bsym in trace.bound_symbols:
        claim(bsym)
    return new


def _is_passthrough(bsym: BoundSymbol) -> bool:
    """A composite that recorded nothing and returns its inputs (e.g. a no-op ``.to``)."""
    inputs = {id(a) for a in bsym.flat_proxy_args()}
    return all(id(o) in inputs for o in bsym.flat_proxy_outs())
