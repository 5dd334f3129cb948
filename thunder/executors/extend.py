"""The executor interface and the executor registry.

``OperatorExecutor.register_implementation(symbol, fn, checker=...)`` says "this executor runs
``symbol`` with ``fn`` when ``checker(*args, **kwargs)`` is true". Claiming replaces a bound
symbol's symbol by an *execution symbol* that prints as the kernel's importable path, so the
execution trace reads as plain PyTorch. ``register_executor``/``get_executor`` keep the
executors by name; ``get_default_executors`` is what ``thunder.jit`` uses when none are given.

>>> import torch, thunder
>>> from thunder.executors.extend import OperatorExecutor, register_executor
>>> myex = OperatorExecutor("myex")
>>> _ = register_executor(myex)
>>> myex.register_implementation(thunder.torch.relu, lambda a: a.clamp_min(0))  # doctest: +SKIP
"""

import sys
from dataclasses import dataclass

from thunder.core.symbol import BoundSymbol, Symbol
from thunder.executors.naming import alias_for, callable_path


@dataclass(frozen=True)
class Implementation:
    symbol: Symbol  # the execution symbol that prints and runs the kernel
    checker: object = None  # callable(*args, **kwargs) -> bool, or None for "always"


class Executor:
    """Base class: an executor has a unique name."""

    def __init__(self, name: str):
        self.name = name

    def can_execute(self, bsym: BoundSymbol) -> bool:
        return False

    def claim(self, bsym: BoundSymbol) -> BoundSymbol:
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"


class OperatorExecutor(Executor):
    """Runs single symbols with kernels registered in ``impls`` (keyed by symbol)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.impls: dict[Symbol, Implementation] = {}

    def register_implementation(self, symbol: Symbol, fn, *, checker=None) -> None:
        """Run ``symbol`` with ``fn`` (same signature as the symbol) where ``checker`` allows."""
        self.impls[symbol] = Implementation(execution_symbol(fn, symbol.name), checker)

    def can_execute(self, bsym: BoundSymbol) -> bool:
        impl = self.impls.get(bsym.sym)
        if impl is None:
            return False
        return impl.checker is None or bool(impl.checker(*bsym.args, **bsym.kwargs))

    def claim(self, bsym: BoundSymbol) -> BoundSymbol:
        return bsym.with_sym(self.impls[bsym.sym].symbol, subsymbols=())


_execution_symbols: dict[int, Symbol] = {}


def execution_symbol(fn, name: str) -> Symbol:
    """The symbol an execution trace calls for kernel ``fn`` (printed as its import path)."""
    cached = _execution_symbols.get(id(fn))
    if cached is not None and cached.impl is fn:
        return cached
    path = callable_path(fn)
    if path is not None:
        root, _, rest = path.partition(".")
        sym = Symbol(rest, None, module_alias=root, module=sys.modules[root], impl=fn,
                     is_prim=True)
    else:
        sym = Symbol("", None, module_alias=alias_for(fn), module=fn, impl=fn, is_prim=True)
    _execution_symbols[id(fn)] = sym
    return sym


_executors: dict[str, Executor] = {}
_default_executors: list[Executor] = []


def register_executor(executor: Executor) -> Executor:
    """Make ``executor`` available by name (``thunder.get_executor(name)``)."""
    _executors[executor.name] = executor
    return executor


def get_executor(name: str) -> Executor:
    try:
        return _executors[name]
    except KeyError:
        raise KeyError(f"no executor named {name!r}; known: {sorted(_executors)}") from None


def get_all_executors() -> tuple:
    return tuple(_executors.values())


def get_default_executors() -> list:
    """The executors ``thunder.jit`` uses when none are given, in priority order."""
    return list(_default_executors)


def set_default_executors(executors) -> None:
    _default_executors[:] = [get_executor(e) if isinstance(e, str) else e for e in executors]
