"""``del`` insertion: free every value right after its last use, as eager would.

After the last bound symbol that reads a name (and that is not returned), a ``del`` statement
drops the trace's reference, so the tensor's memory goes back to the allocator as soon as
nothing else holds it. With ``consume_args=True`` the trace takes one list of arguments and
empties it after unpacking (``(t0, t1) = args; args.clear()``): the caller's list then holds
no reference either, which lets a backward trace free each saved tensor after its last use.

>>> import torch, thunder
>>> jfn = thunder.jit(lambda x: (x.exp() + 1).sin())
>>> _ = jfn(torch.ones(2))
>>> print(thunder.last_traces(jfn)[-1])  # doctest: +SKIP
"""

from thunder.core.proxies import Proxy
from thunder.core.pytree import tree_flatten
from thunder.core.symbol import BoundSymbol, Symbol
from thunder.core.trace import TraceCtx, from_trace


def _print_del(bsym, constants):
    return ["del " + ", ".join(p.name for p in bsym.args)]


def _print_unpack(bsym, constants):
    names = ", ".join(p.name for p in bsym.output)
    return [f"({names},) = {bsym.args[0].name}", f"{bsym.args[0].name}.clear()"]


DEL = Symbol("del", None, is_prim=True, module_alias="", module=None, printer=_print_del)
UNPACK_AND_CLEAR = Symbol("unpack_and_clear", None, is_prim=True, module_alias="",
                          module=None, printer=_print_unpack)


def del_last_used(trace: TraceCtx, *, consume_args: bool = False) -> TraceCtx:
    """A copy of ``trace`` with ``del`` statements after each value's last use."""
    returned = {o.name for o in tree_flatten(trace.output)[0] if isinstance(o, Proxy)}
    seen: set = set(returned)
    deletions = []
    for bsym in reversed(trace.bound_symbols):
        dead = []
        for p in bsym.flat_proxy_args() + bsym.flat_proxy_outs():
            if p.name not in seen:
                seen.add(p.name)
                dead.append(p)
        deletions.append(dead)
    deletions.reverse()

    new = from_trace(trace, "del_last_used")
    body = []
    args = [a for a in trace.args if isinstance(a, Proxy)]
    if consume_args and args:
        holder = Proxy(new.make_name("args"))
        new.args = [holder]
        body.append(BoundSymbol(UNPACK_AND_CLEAR, (holder,), {}, tuple(args)))
        unused = [a for a in args if a.name not in seen]
        if unused:
            body.append(BoundSymbol(DEL, tuple(unused), {}, None))
    for bsym, dead in zip(trace.bound_symbols, deletions):
        body.append(bsym)
        if dead:
            body.append(BoundSymbol(DEL, tuple(dead), {}, None))
    new.bound_symbols = body
    return new
