"""Common-subexpression elimination: compute each distinct (symbol, arguments) only once.

Two top-level bound symbols are the same expression when they call the same symbol with equal
arguments (proxies compared by name). The later one is dropped and its outputs are renamed to
the earlier one's everywhere after it. Effectful symbols (random numbers) are never merged.
"""

from thunder.core.codeutils import to_source
from thunder.core.proxies import Proxy
from thunder.core.pytree import tree_flatten, tree_map
from thunder.core.trace import TraceCtx, from_trace
from thunder.transforms.dce import is_effectful


def _expression_key(bsym):
    try:
        return (bsym.sym.id, to_source(bsym.args), to_source(bsym.kwargs))
    except TypeError:
        return None  # arguments with no printable form are never merged


def cse(trace: TraceCtx) -> TraceCtx:
    """Drop repeated expressions, renaming their outputs to the first occurrence's."""
    seen: dict = {}
    rename: dict[str, Proxy] = {}
    new = from_trace(trace, "common subexpression elimination")

    def swap(x):
        return rename.get(x.name, x) if isinstance(x, Proxy) else x

    for bsym in trace.bound_symbols:
        if rename:
            bsym = _renamed(bsym, swap)
        key = None if is_effectful(bsym) else _expression_key(bsym)
        earlier = seen.get(key) if key is not None else None
        if earlier is not None:
            old_outs = tree_flatten(bsym.output)[0]
            new_outs = tree_flatten(earlier.output)[0]
            if len(old_outs) == len(new_outs):
                for o, n in zip(old_outs, new_outs):
                    if isinstance(o, Proxy):
                        rename[o.name] = n
                continue
        if key is not None:
            seen[key] = bsym
        new.bound_symbols.append(bsym)
    new.output = tree_map(swap, trace.output)
    return new


def _renamed(bsym, swap):
    """``bsym`` with its inputs (and its subsymbols' inputs) renamed."""
    return bsym.with_sym(
        bsym.sym, args=tree_map(swap, bsym.args), kwargs=tree_map(swap, bsym.kwargs),
        subsymbols=tuple(_renamed(sub, swap) for sub in bsym.subsymbols))
