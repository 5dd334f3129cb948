"""How a primitive is made: ``make_prim`` and the registry of reference torch implementations.

A primitive is a ``Symbol`` whose ``id`` is a member of ``PrimIDs`` and whose ``meta`` computes
its output proxies. Next to each prim, its family module gives the torch function that
implements it (``prim.impl``, the torch executor's fallback for every prim) so that the prim,
its meta and its implementation read as one unit:

    exp = make_prim(PrimIDs.EXP, _unary_meta, torch_impl=torch.exp)
"""

import sys

from thunder.core.prims.ids import PrimIDs
from thunder.core.symbol import Symbol, TracingError

# NOTE [prim registries]
# One registry per concern, keyed by the prim Symbol. A prim carries its meta function and its
# reference torch implementation (``prim.impl``, what runs when a trace is executed without an
# executor); autograd owns ``vjp_rules``; each executor owns its own ``impls``. A missing entry
# raises an error naming the prim and the concern.
prims_by_id: dict[PrimIDs, Symbol] = {}


def make_prim(prim_id: PrimIDs, meta, *, torch_impl, name: str | None = None) -> Symbol:
    """Create the primitive ``prim_id`` with its meta function and torch implementation."""
    if prim_id in prims_by_id:
        raise ValueError(f"prim {prim_id} is defined twice")
    sym = Symbol(
        name or prim_id.name.lower(), meta, id=prim_id, is_prim=True,
        module_alias="prims", module=sys.modules["thunder.core.prims"], impl=torch_impl,
    )
    prims_by_id[prim_id] = sym
    return sym


def check(condition: bool, message, exception_type=TracingError) -> None:
    """Raise ``exception_type(message())`` when ``condition`` is false (message is lazy)."""
    if not condition:
        raise exception_type(message() if callable(message) else message)
