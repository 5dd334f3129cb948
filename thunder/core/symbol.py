"""Symbols and bound symbols: the instructions of a trace.

A ``Symbol`` is an operation (a primitive such as ``prims.add``, or a torch-level operator such
as ``ltorch.softmax`` defined by decomposition). Calling a symbol while a trace is being recorded
records a ``BoundSymbol``: the symbol with its arguments and output proxies. A composite symbol
records, as its ``subsymbols``, the bound symbols its decomposition produced, so a trace is a
tree whose leaves are primitives.

Invariant: a primitive has a ``meta`` function that only computes output proxies (shape, dtype,
device) and never records anything; a composite's ``meta`` is its decomposition.
"""

from dataclasses import dataclass, field

from thunder.core.codeutils import call_source, to_source
from thunder.core.proxies import Proxy
from thunder.core.pytree import tree_flatten
from thunder.core.tracectx import get_tracectx


class TracingError(RuntimeError):
    """A symbol was called with arguments it cannot handle; the message names the operation."""


class DataDependentShape(NotImplementedError):
    """An operation's output shape depends on its input's values (``nonzero``, a boolean mask).

    Torch-level operators raise it; the jit then computes the shape for the call being traced
    and specialises on it (NOTE [data-dependent values] in thunder/frontend/datadependent.py).
    """


class Symbol:
    """An operation that can be recorded into a trace.

    ``module_alias`` and ``module`` say how the symbol prints and where the printed name is
    found when a trace is run as Python (``ltorch.add`` needs ``ltorch`` to be
    ``thunder.torch``).
    """

    __slots__ = ("name", "id", "meta", "is_prim", "module_alias", "module", "impl", "printer",
                 "tags", "__weakref__")

    def __init__(self, name, meta, *, id=None, is_prim=False, module_alias, module, impl=None,
                 printer=None, tags=frozenset()):
        self.name = name
        self.tags = frozenset(tags)  # e.g. {"effectful"}: never removed or merged by passes
        self.printer = printer  # callable(bsym, constants) -> lines, for inline statements
        self.impl = impl  # the torch callable with the same semantics, if there is one
        self.id = id if id is not None else f"{module_alias}.{name}"
        self.meta = meta
        self.is_prim = is_prim
        self.module_alias = module_alias
        self.module = module

    @property
    def print_name(self) -> str:
        return f"{self.module_alias}.{self.name}" if self.name else self.module_alias

    def __repr__(self):
        return f"Symbol({self.print_name})"

    def __call__(self, *args, **kwargs):
        trace = get_tracectx()
        if trace is None:
            # Outside tracing a symbol runs eagerly through its torch implementation, which
            # makes every trace runnable as printed.
            if self.impl is None:
                raise TracingError(f"{self.print_name} has no torch implementation to run")
            return self.impl(*args, **kwargs)
        if self.is_prim:
            out = self.meta(*args, **kwargs)
            subsymbols = ()
        else:
            trace.push_scope()
            try:
                out = self.meta(*args, **kwargs)
            finally:
                subsymbols = tuple(trace.pop_scope())
        trace.record(BoundSymbol(self, args, kwargs, out, subsymbols))
        return out



@dataclass(eq=False, slots=True)
class BoundSymbol:
    """A symbol applied to arguments; ``output`` holds the proxies (or values) it produced."""

    sym: Symbol
    args: tuple
    kwargs: dict
    output: object
    subsymbols: tuple = ()
    source: tuple | None = None  # (filename, lineno) of the user's code that made it
    call_ctx: dict | None = field(default=None)  # extra names the printed call needs

    def flat_args(self):
        return tree_flatten((self.args, self.kwargs))[0]

    def flat_proxy_args(self):
        return [a for a in self.flat_args() if isinstance(a, Proxy)]

    def flat_outs(self):
        return tree_flatten(self.output)[0]

    def flat_proxy_outs(self):
        return [o for o in self.flat_outs() if isinstance(o, Proxy)]

    def with_sym(self, sym, **changes):
        """A copy that calls ``sym`` instead (used by executors to claim a bound symbol)."""
        fields = dict(
            sym=sym, args=self.args, kwargs=self.kwargs, output=self.output,
            subsymbols=self.subsymbols, source=self.source, call_ctx=self.call_ctx,
        )
        fields.update(changes)
        return BoundSymbol(**fields)

    def output_target(self, constants) -> str | None:
        """The left-hand side of the printed assignment, or None when nothing is bound."""
        if isinstance(self.output, Proxy):
            return self.output.name
        if not self.flat_proxy_outs():
            return None
        return _target_source(self.output, constants)

    def python_lines(self, constants) -> list[str]:
        """The printed statement(s), with the type comment of each output."""
        if self.sym.printer is not None:
            return self.sym.printer(self, constants)
        call = call_source(self.sym.print_name, self.args, self.kwargs, constants)
        target = self.output_target(constants)
        line = call if target is None else f"{target} = {call}"
        comments = [f'{o.name}: "{o.type_string()}"'
                    for o in self.flat_proxy_outs() if hasattr(o, "type_string")]
        if comments:
            line = f"{line}  # {', '.join(comments)}"
        return [line]


def _target_source(value, constants) -> str:
    if isinstance(value, Proxy):
        return value.name
    if isinstance(value, (tuple, list)):
        inner = ", ".join(_target_source(v, constants) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return "_"


__all__ = ["Symbol", "BoundSymbol", "TracingError", "to_source"]
