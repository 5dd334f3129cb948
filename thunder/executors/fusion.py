"""Fusion executors and region formation.

A *fusion executor* claims bound symbols one at a time (``can_fuse``), like an operator executor,
but does not run them one at a time: ``fuse_regions`` groups the symbols it claimed into
*regions* over the trace's dataflow graph, and the executor turns each region into one callable
(``compile_region``). The execution trace then calls each region once::

    (t4, t7) = _torchcompile0_3(t0, t1)  # t4: "cpu f32[2, 8]", t7: "cpu f32[2, 8]"

and the region's own trace (its *body*) is ``thunder.last_fusions(jfn)[i].trace``.

NOTE [region formation]
Regions grow over the dataflow graph, not only over runs of adjacent symbols. Symbols are
visited in trace order; a symbol claimed by a fusion executor joins an existing region of that
executor when that cannot create a cycle, otherwise it starts a new one. Joining region R is
legal for symbol n exactly when no symbol outside R lies on a path from R to n: such a symbol
would have to run after R (it reads R's output) and before R (n, now in R, reads its output).
With ``ancestors[i]`` the set (a bitset) of symbols that symbol i transitively reads, the test is
"no m in ancestors[n] - R with ancestors[m] & R". Candidates are tried in this order: the
regions that produce n's inputs (vertical fusion), then the executor's most recent region
(horizontal fusion of independent symbols, which moves them next to each other).

Symbols no fusion executor claims keep their relative order: each depends on the one before it
(an artificial edge), so effects (print, random draws, data checks, opaque fallbacks) happen in
the order the program made them; only claimed symbols move. The regions and the other symbols
are then ordered topologically, preferring the original order.

A view symbol joins a region only if its input is made inside that region: a region never
returns a view of one of its inputs, so aliasing between the region's inputs and outputs, which
a fusion compiler may not preserve, cannot arise. The traces given to fusion are functional
(in-place operations were functionalized), so there are no mutations to respect.

A region its executor does not find ``worth_fusing`` (too few symbols, too little data: see
``region_work``) is not fused: its symbols go to the next executor in the list that can run
them.
"""

import heapq
import math
from dataclasses import dataclass, field

from thunder.core.proxies import Proxy, TensorProxy
from thunder.core.pytree import tree_flatten
from thunder.core.symbol import BoundSymbol
from thunder.core.trace import TraceCtx
from thunder.executors.extend import Executor, execution_symbol
from thunder.transforms.rematerialize import nbytes

# Shape operations that return a view of their (first) input.
VIEW_OPS = frozenset({
    "reshape", "view", "view_as", "permute", "transpose", "t", "expand", "expand_as",
    "broadcast_in_dim", "slice", "slice_prim", "squeeze", "unsqueeze", "flatten", "unflatten",
    "narrow", "select", "split", "chunk", "unbind", "diagonal", "movedim", "swapaxes",
    "as_strided", "unfold", "real", "imag", "view_as_real", "view_as_complex", "mT", "mH",
    "T", "H", "adjoint", "conj", "alias", "detach", "tensor_split", "split_with_sizes",
})


class FusionExecutor(Executor):
    """An executor that runs regions of bound symbols as single callables.

    Subclasses define ``can_fuse(bsym)`` (may this bound symbol join a region) and
    ``compile_region(region)`` (the callable that runs it: ``fn(*region.inputs)`` returns the
    tuple ``region.outputs``). ``worth_fusing(bsyms)`` may turn down regions too small to pay.
    """

    fuses_regions = True

    def worth_fusing(self, bsyms: list) -> bool:
        return True

    def can_fuse(self, bsym: BoundSymbol) -> bool:
        raise NotImplementedError

    def compile_region(self, region: "Region"):
        raise NotImplementedError

    def can_execute(self, bsym: BoundSymbol) -> bool:
        return self.can_fuse(bsym)

    def claim(self, bsym: BoundSymbol) -> BoundSymbol:
        raise TypeError(f"{self.name} is a fusion executor: it claims regions, see fuse_regions")

    def fuse(self, region: "Region") -> BoundSymbol:
        """The bound symbol that calls the compiled region."""
        fn = self.compile_region(region)
        region.callable = fn
        sym = execution_symbol(fn, region.name)
        outputs = tuple(region.outputs)
        return BoundSymbol(sym, tuple(region.inputs), {}, outputs,
                           subsymbols=tuple(region.bound_symbols))


@dataclass(repr=False)
class Region:
    """Bound symbols one fusion executor runs as one callable."""

    executor: FusionExecutor
    name: str
    bound_symbols: list
    inputs: list  # proxies read by the region and made outside it, in first-use order
    outputs: list  # proxies made by the region and read after it (or returned)
    callable: object = None
    trace: TraceCtx = field(default=None, repr=False)

    def __str__(self):
        return str(self.trace)

    def __repr__(self):
        names = lambda ps: ", ".join(p.name for p in ps)  # noqa: E731
        return (f"<Region {self.name} ({self.executor.name}): {len(self.bound_symbols)} "
                f"symbols, ({names(self.inputs)}) -> ({names(self.outputs)})>")


def region_work(region_bsyms) -> tuple[int, int]:
    """(symbols, elements written) of the region's non-view symbols: the calls a fusion saves
    and a proxy for the memory traffic it saves."""
    symbols = elements = 0
    for bsym in region_bsyms:
        if bsym.sym.name in VIEW_OPS:
            continue
        symbols += 1
        for out in bsym.flat_proxy_outs():
            if isinstance(out, TensorProxy):
                elements += math.prod(out.shape)
    return symbols, elements


def region_trace(name: str, bsyms: list, inputs: list, outputs: list, claim) -> TraceCtx:
    """The region's body as a trace ``name(*inputs) -> tuple(outputs)``; ``claim`` maps each
    bound symbol to the one that runs it (e.g. the torch executor's)."""
    trace = TraceCtx(name)
    trace.args = list(inputs)
    trace.bound_symbols = [claim(b) for b in bsyms]
    trace.output = tuple(outputs)
    trace.pass_name = f"fusion region {name}"
    for p in (*inputs, *(o for b in bsyms for o in b.flat_proxy_outs())):
        trace._names.add(p.name)
    return trace


def fuse_regions(bsyms: list, claims: dict, trace_output, fallback_claim, *,
                 owned_args=frozenset(), held_budget: float = math.inf) -> tuple[list, list]:
    """Group the bound symbols claimed by fusion executors into regions.

    ``claims`` maps positions in ``bsyms`` to the fusion executor that claimed them; the other
    bound symbols are already claimed. ``fallback_claim(bsym, executor)`` claims, with the
    executors after ``executor``, a symbol that ends up in no region. ``owned_args`` names the
    trace arguments the trace itself frees after their last use (a backward trace's saved
    tensors) and ``held_budget`` bounds the bytes a region may keep alive past their last use
    (NOTE [region memory]). Returns the new bound symbols and the regions fused.
    """
    args_of = [b.flat_proxy_args() for b in bsyms]  # flattening is the costly part: once
    outs_of = [b.flat_proxy_outs() for b in bsyms]
    producer: dict[str, int] = {}
    preds: list[list[int]] = []
    previous_fixed = None
    for i, bsym in enumerate(bsyms):
        p = sorted({producer[a.name] for a in args_of[i] if a.name in producer})
        if i not in claims:
            if previous_fixed is not None and previous_fixed not in p:
                p.append(previous_fixed)
            previous_fixed = i
        preds.append(p)
        for out in outs_of[i]:
            producer[out.name] = i

    # NOTE [region memory]: a region holds its inputs until it returns, where the symbols run
    # one by one would free each input after its last reader. Owned inputs whose last reader
    # is in a region are counted against ``held_budget`` (``held[u]``), so that fusing a
    # backward trace does not keep all saved activations alive until its end.
    last_reader: dict[str, int] = {}
    for i, args in enumerate(args_of):
        for a in args:
            last_reader[a.name] = i
    for o in _flat_proxies(trace_output):
        last_reader[o.name] = len(bsyms)  # returned: never freed inside the trace

    def dying_bytes(i, inside_bits) -> int:
        total, seen = 0, set()
        for a in args_of[i]:
            if (a.name in seen or last_reader.get(a.name) != i or not isinstance(a, TensorProxy)
                    or a.name not in producer and a.name not in owned_args):
                continue
            seen.add(a.name)
            if a.name in producer and inside_bits >> producer[a.name] & 1:
                continue  # made inside the region: the fusion frees it itself
            total += nbytes(a)
        return total

    # Units: a region or a single symbol. ``members[u]`` and ``ancestors[u]`` are bitsets over
    # symbol positions; ``ancestors[u]`` is saturated: it holds whole units.
    unit_of: list[int] = []
    members: list[int] = []
    ancestors: list[int] = []
    unit_executor: list = []
    held: list[int] = []  # bytes of owned inputs a region keeps alive past their last use
    last_region: dict[int, int] = {}  # id(executor) -> its most recent region
    claimed = list(bsyms)

    def descendants(g) -> int:
        bits = 0
        for u, anc in enumerate(ancestors):
            if u != g and anc & members[g]:
                bits |= members[u]
        return bits

    for i, bsym in enumerate(bsyms):
        anc = 0
        for p in preds[i]:
            u = unit_of[p]
            anc |= members[u] | ancestors[u]
        executor = claims.get(i)
        chosen = None
        if executor is not None:
            is_view = bsym.sym.name in VIEW_OPS
            candidates = [unit_of[p] for p in preds[i] if unit_executor[unit_of[p]] is executor]
            if not is_view and id(executor) in last_region:
                candidates.append(last_region[id(executor)])
            for g in dict.fromkeys(candidates):
                if is_view and not _inputs_made_in(args_of[i], members[g], producer):
                    continue
                dying = dying_bytes(i, members[g])
                if held[g] and held[g] + dying > held_budget:
                    continue
                if not anc & descendants(g):
                    chosen = g
                    break
            if chosen is None and is_view:
                claimed[i] = fallback_claim(bsym, executor)
                executor = None
        unit_of.append(None)
        if chosen is None:
            chosen = len(members)
            members.append(0)
            ancestors.append(0)
            held.append(0)
            unit_executor.append(executor)
            dying = dying_bytes(i, 0) if executor is not None else 0
        if executor is not None:
            held[chosen] += dying
        bit = 1 << i
        new_ancestors = anc & ~members[chosen]
        for u, u_anc in enumerate(ancestors):
            if u != chosen and u_anc & members[chosen]:
                ancestors[u] = u_anc | new_ancestors | bit
        members[chosen] |= bit
        ancestors[chosen] |= new_ancestors
        unit_of[i] = chosen
        if executor is not None:
            last_region[id(executor)] = chosen

    # Regions with too little work run symbol by symbol after all.
    for u, executor in enumerate(unit_executor):
        if executor is None:
            continue
        indices = _bits(members[u])
        if not executor.worth_fusing([bsyms[i] for i in indices]):
            for i in indices:
                claimed[i] = fallback_claim(bsyms[i], executor)
            unit_executor[u] = None

    # Order: units topologically (a split unit's symbols keep their own order and edges).
    def node(i):
        u = unit_of[i]
        return ("s", i) if unit_executor[u] is None else ("r", u)

    node_preds: dict = {}
    first_index: dict = {}
    for i in range(len(bsyms)):
        nd = node(i)
        first_index.setdefault(nd, i)
        deps = node_preds.setdefault(nd, set())
        deps.update(node(p) for p in preds[i] if node(p) != nd)
    order = _topological(node_preds, first_index)

    readers: dict[str, list[int]] = {}
    for i, args in enumerate(args_of):
        for a in args:
            readers.setdefault(a.name, []).append(i)
    returned = {o.name for o in _flat_proxies(trace_output)}

    new_bsyms, regions = [], []
    for kind, index in order:
        if kind == "s":
            new_bsyms.append(claimed[index])
            continue
        indices = _bits(members[index])
        inside = members[index]
        region_bsyms = [bsyms[i] for i in indices]
        made = {o.name for i in indices for o in outs_of[i]}
        inputs, seen = [], set()
        for i in indices:
            for a in args_of[i]:
                if a.name not in made and a.name not in seen:
                    seen.add(a.name)
                    inputs.append(a)
        outputs = [o for i in indices for o in outs_of[i]
                   if o.name in returned
                   or any(not inside >> r & 1 for r in readers.get(o.name, ()))]
        executor = unit_executor[index]
        region = Region(executor, f"{executor.name}{len(regions)}", region_bsyms, inputs,
                        outputs)
        new_bsyms.append(executor.fuse(region))
        regions.append(region)
    return new_bsyms, regions


def _inputs_made_in(args, region_bits: int, producer: dict) -> bool:
    tensors = [a for a in args if isinstance(a, TensorProxy)]
    return bool(tensors) and all(
        a.name in producer and region_bits >> producer[a.name] & 1 for a in tensors)


def _bits(bits: int) -> list[int]:
    out = []
    while bits:
        low = bits & -bits
        out.append(low.bit_length() - 1)
        bits ^= low
    return out


def _flat_proxies(value):
    return [v for v in tree_flatten(value)[0] if isinstance(v, Proxy)]


def _topological(node_preds: dict, first_index: dict) -> list:
    """Kahn's algorithm, taking the ready node that came first in the original trace."""
    waiting = {node: len(deps) for node, deps in node_preds.items()}
    users: dict = {}
    for node, deps in node_preds.items():
        for d in deps:
            users.setdefault(d, []).append(node)
    ready = [(first_index[node], node) for node, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, node = heapq.heappop(ready)
        order.append(node)
        for user in users.get(node, ()):
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, (first_index[user], user))
    if len(order) != len(node_preds):
        raise AssertionError("fusion created a cycle between regions")  # see NOTE
    return order
