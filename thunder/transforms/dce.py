"""Dead-code elimination: drop bound symbols whose outputs nothing uses.

Symbols with side effects (random number generation, anything tagged so) are kept even when
unused, because removing them would change the random numbers later calls draw.
"""

from thunder.core.proxies import Proxy
from thunder.core.pytree import tree_flatten
from thunder.core.trace import TraceCtx, from_trace

# Symbols (by name) whose execution has effects beyond their outputs.
EFFECTFUL_NAMES = frozenset({
    "rand", "randn", "randint", "rand_like", "randn_like", "randint_like", "dropout",
    "bernoulli", "multinomial", "normal", "uniform", "randperm", "manual_seed",
    "set_grad_enabled", "print",
})


def is_effectful(bsym) -> bool:
    sym = bsym.sym
    if "effectful" in sym.tags:
        return True
    if sym.name == "dropout":
        return _dropout_draws(bsym)
    if sym.name in EFFECTFUL_NAMES:
        return True
    # a composite whose decomposition draws (attention with dropout, say) draws too
    return any(is_effectful(sub) for sub in bsym.subsymbols)


def _dropout_draws(bsym) -> bool:
    """Whether a dropout call draws random numbers: eager returns its input without drawing
    when ``p == 0`` or when not training (so it consumes no generator state)."""
    args, kwargs = bsym.args, bsym.kwargs
    p = args[1] if len(args) > 1 else kwargs.get("p", 0.5)
    training = args[2] if len(args) > 2 else kwargs.get("training", True)
    return not (training is False or type(p) in (int, float) and p == 0)


def dce(trace: TraceCtx) -> TraceCtx:
    """Remove unused, side-effect free bound symbols (works on any trace)."""
    needed = {o.name for o in tree_flatten(trace.output)[0] if isinstance(o, Proxy)}
    kept = []
    for bsym in reversed(trace.bound_symbols):
        outs = bsym.flat_proxy_outs()
        if not outs or is_effectful(bsym) or any(o.name in needed for o in outs):
            kept.append(bsym)
            needed.update(a.name for a in bsym.flat_proxy_args())
    new = from_trace(trace, "dead code elimination")
    new.bound_symbols = list(reversed(kept))
    return new
