"""Rematerialization: recompute cheap values in the backward instead of saving them.

Input: a forward trace whose output is ``(outputs, saved)`` and its backward trace (whose
first arguments are the saved tensors, in order). A saved tensor made by a *cheap* forward
symbol (elementwise, broadcast, reshape, conversion: memory bound, no randomness) is dropped
from ``saved`` when recomputing it from other values costs fewer saved bytes: values that are
saved anyway, forward inputs (the caller holds them) or further cheap values, chosen
recursively. The recomputation is inserted into the backward just before its first use, so it
lives no longer than needed.

    x -> a = sin(x) -> b = cos(a) -> c = exp(b)    saves x, a, c naively; only x here
"""

from dataclasses import dataclass

import thunder.core.prims as prims
from thunder.core.prims import elementwise as elementwise_prims
from thunder.core.proxies import Proxy, TensorProxy
from thunder.core.pytree import tree_flatten
from thunder.core.symbol import BoundSymbol, Symbol
from thunder.core.trace import TraceCtx, from_trace
from thunder.transforms.dce import is_effectful

CHEAP_PRIMS = frozenset(
    {v for v in vars(elementwise_prims).values() if isinstance(v, Symbol) and v.is_prim}
    | {prims.broadcast_in_dim, prims.reshape, prims.squeeze, prims.transpose, prims.slice,
       prims.convert_element_type, prims.full, prims.iota})

MAX_DEPTH = 8  # how far back through a chain of cheap ops a recomputation may reach


def is_cheap(bsym: BoundSymbol) -> bool:
    """A cheap prim, or a composite made only of cheap prims (never a random op)."""
    if is_effectful(bsym):
        return False
    if bsym.sym.is_prim or not bsym.subsymbols:
        return bsym.sym in CHEAP_PRIMS
    return all(is_cheap(sub) for sub in bsym.subsymbols)


def nbytes(p) -> int:
    return p.numel() * p.dtype.itemsize if isinstance(p, TensorProxy) else 0


@dataclass
class _Plan:
    cost: int  # bytes that must be saved to recompute the value
    recompute: set  # names of the values recomputed
    save: set  # names of the values saved instead


def rematerialize(forward: TraceCtx, backward: TraceCtx) -> tuple[TraceCtx, TraceCtx]:
    """Move cheap saved values' computations into the backward when that saves memory."""
    outputs, saved = forward.output
    producers = {}
    for bsym in forward.bound_symbols:
        for out in bsym.flat_proxy_outs():
            producers[out.name] = bsym
    proxies = {a.name: a for a in forward.args if isinstance(a, Proxy)}
    for bsym in forward.bound_symbols:
        proxies.update((p.name, p) for p in bsym.flat_proxy_args() + bsym.flat_proxy_outs())
    inputs = {a.name for a in forward.args if isinstance(a, Proxy)}
    kept = {p.name for p in saved}
    recomputed: set = set()

    def plan(name, depth, free):
        bsym = producers.get(name)
        if bsym is None or depth > MAX_DEPTH or not is_cheap(bsym):
            return None
        result = _Plan(0, {name}, set())
        for arg in {a.name: a for a in bsym.flat_proxy_args()}.values():
            if arg.name in free:
                result.save.add(arg.name)  # saved anyway, or an input: costs nothing more
                continue
            deeper = plan(arg.name, depth + 1, free)
            if deeper is not None and deeper.cost < nbytes(arg):
                result.cost += deeper.cost
                result.recompute |= deeper.recompute
                result.save |= deeper.save
            else:
                result.cost += nbytes(arg)
                result.save.add(arg.name)
        return result

    changed = True
    while changed:
        changed = False
        for name in sorted(kept - inputs, key=lambda n: -nbytes(proxies[n])):
            p = plan(name, 0, (kept | inputs) - {name})
            if p is not None and p.cost < nbytes(proxies[name]):
                kept = (kept - {name}) | p.save
                recomputed |= p.recompute
                changed = True
                break

    if not recomputed:
        return forward, backward
    order: dict = {}
    for a in forward.args:
        if isinstance(a, Proxy):
            order[a.name] = len(order)
    for bsym in forward.bound_symbols:
        for out in bsym.flat_proxy_outs():
            order.setdefault(out.name, len(order))
    new_saved = tuple(proxies[n] for n in sorted(kept, key=lambda n: order.get(n, -1)))

    new_forward = from_trace(forward, "rematerialization (forward)")
    new_forward.bound_symbols = list(forward.bound_symbols)
    new_forward.output = (outputs, new_saved)
    new_backward = from_trace(backward, "rematerialization (backward)")
    cotangents = backward.args[len(saved):]
    new_backward.args = list(new_saved) + list(cotangents)
    new_backward.bound_symbols = _insert_recomputations(
        backward.bound_symbols, backward.output, producers, recomputed)
    return new_forward, new_backward


def _insert_recomputations(bound_symbols, output, producers, recomputed):
    """``bound_symbols`` with each recomputed value's producer emitted before its first use."""
    emitted: set = set()
    result = []

    def need(names):
        for name in names:
            bsym = producers.get(name) if name in recomputed else None
            if bsym is None or id(bsym) in emitted:
                continue
            emitted.add(id(bsym))
            need([a.name for a in bsym.flat_proxy_args()])
            result.append(bsym)

    for bsym in bound_symbols:
        need([a.name for a in bsym.flat_proxy_args()])
        result.append(bsym)
    need([o.name for o in tree_flatten(output)[0] if isinstance(o, Proxy)])
    return result
