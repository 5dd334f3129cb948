"""The torch executor: runs any symbol that has a torch implementation, eagerly.

It claims torch-level operators whole (``ltorch.softmax`` runs as
``torch.nn.functional.softmax``) and primitives through their reference implementations, so it
can run every trace and is always the last executor. It needs no registration per op: a
symbol's ``impl`` is its torch implementation (see NOTE [prim registries]).
"""

from thunder.core.symbol import BoundSymbol
from thunder.executors.extend import Executor, execution_symbol, register_executor


class TorchExecutor(Executor):
    """Claims every bound symbol whose symbol has a torch implementation."""

    def can_execute(self, bsym: BoundSymbol) -> bool:
        return bsym.sym.impl is not None

    def claim(self, bsym: BoundSymbol) -> BoundSymbol:
        return bsym.with_sym(execution_symbol(bsym.sym.impl, bsym.sym.name), subsymbols=())


class PrimsOnlyTorchExecutor(TorchExecutor):
    """Runs only primitives: every torch-level op goes through its decomposition.

    Used by tests to check decompositions against eager torch.
    """

    def can_execute(self, bsym: BoundSymbol) -> bool:
        return bsym.sym.is_prim and bsym.sym.impl is not None


ex = register_executor(TorchExecutor("torch"))
prims_only = register_executor(PrimsOnlyTorchExecutor("torch_prims"))
