"""Traces: a Python function's worth of bound symbols over proxies, printable as Python.

A ``TraceCtx`` has flat positional ``args`` (proxies), a list of ``bound_symbols`` and an
``output`` (any nesting of tuples/lists/dicts of proxies and constants). ``str(trace)`` is
runnable Python: a header of imports, then ``def <name>(args):`` with one line per top-level
bound symbol, each commented with its outputs' types, and a comment with the user's source line
above the symbols that line made. ``python_callable()`` compiles exactly that source, so the
printed trace is what runs.

Transforms never mutate a trace: they build a new one with ``from_trace`` and record their name
in ``pass_name``.
"""

import linecache
import re

import torch

from thunder.core.codeutils import to_source
from thunder.core.proxies import Proxy


class TraceCtx:
    """A trace being recorded or produced by a pass.

    >>> import thunder
    >>> jfn = thunder.jit(lambda x: x + 1)
    >>> _ = jfn(torch.ones(2))
    >>> print(thunder.last_traces(jfn)[-1])  # doctest: +SKIP
    """

    def __init__(self, name: str = "computation"):
        self.name = name
        self.args: list = []
        self.bound_symbols: list = []
        self.output = None
        self.pass_name = "interpretation"
        self.location = None  # callable returning (filename, lineno) of the user code, or None
        self.decorators: list[str] = []
        self._counters: dict[str, int] = {}
        self._names: set[str] = set()
        self._scopes: list[list] = [self.bound_symbols]
        self._callable = None
        self._source = None
        self.regions: list = []  # fusion regions the trace calls (see executors/fusion.py)

    # -- names -------------------------------------------------------------------------------
    def make_name(self, prefix: str = "t") -> str:
        n = self._counters.get(prefix, 0)
        while True:
            name = f"{prefix}{n}"
            n += 1
            if name not in self._names:
                break
        self._counters[prefix] = n
        self._names.add(name)
        return name

    def add_name(self, name: str) -> None:
        if name in self._names:
            raise ValueError(f"name {name!r} is already used in this trace")
        self._names.add(name)

    # -- recording ---------------------------------------------------------------------------
    def push_scope(self) -> None:
        self._scopes.append([])

    def pop_scope(self) -> list:
        return self._scopes.pop()

    def record(self, bsym) -> None:
        scope = self._scopes[-1]
        if scope is self.bound_symbols and self.location is not None:
            bsym.source = self.location()
        scope.append(bsym)

    # -- printing and running ----------------------------------------------------------------
    def python_ctx(self) -> dict:
        """Names the printed code refers to (module aliases of the symbols used)."""
        ctx = {"torch": torch}
        for bsym in self.bound_symbols:
            if bsym.sym.printer is None:  # printed inline, needs no module
                ctx[bsym.sym.module_alias] = bsym.sym.module
            if bsym.call_ctx:
                ctx.update(bsym.call_ctx)
        return ctx

    def python_source(self, constants: dict | None = None) -> str:
        constants = {} if constants is None else constants
        ctx = self.python_ctx()
        lines = [f"# Constructed by {self.pass_name}"]
        for alias, module in sorted(ctx.items()):
            modname = getattr(module, "__name__", None)
            if modname is None or not hasattr(module, "__file__") and modname != "torch":
                continue
            lines.append(f"import {modname}" if alias == modname else
                         f"import {modname} as {alias}")
        lines.extend(self.decorators)
        params = ", ".join(a.name if isinstance(a, Proxy) else str(a) for a in self.args)
        lines.append(f"def {self.name}({params}):")
        for a in self.args:
            if hasattr(a, "type_string"):
                lines.append(f'  # {a.name}: "{a.type_string()}"')
        last_source = None
        for bsym in self.bound_symbols:
            if bsym.source is not None and bsym.source != last_source:
                lines.append(f"  # {_describe_source(bsym.source)}")
                last_source = bsym.source
            lines.extend("  " + line for line in bsym.python_lines(constants))
        lines.append(f"  return {to_source(self.output, constants)}")
        for name, value in constants.items():
            described = _LINE_BREAKS.sub(" ", repr(value))[:100]
            lines.append(f"# {name}: {described}")
        return "\n".join(lines) + "\n"

    def python_callable(self):
        """Compile the printed source into a function (cached)."""
        if self._callable is None:
            constants: dict = {}
            source = self.python_source(constants)
            namespace = dict(self.python_ctx())
            namespace.update(constants)
            code = compile(source, f"thunder.{self.name}", "exec")
            exec(code, namespace)
            self._source = source
            self._callable = namespace[self.name]
        return self._callable

    def __str__(self):
        return self.python_source()

    def __repr__(self):
        return f"<TraceCtx {self.name} by {self.pass_name}, {len(self.bound_symbols)} symbols>"


def from_trace(trace: TraceCtx, pass_name: str) -> TraceCtx:
    """A new empty trace with the same signature and names as ``trace`` (for passes)."""
    new = TraceCtx(trace.name)
    new.args = list(trace.args)
    new.output = trace.output
    new.pass_name = pass_name
    new.decorators = list(trace.decorators)
    new._counters = dict(trace._counters)
    new._names = set(trace._names)
    new.regions = list(trace.regions)
    return new


def _describe_source(source) -> str:
    filename, lineno = source[0], source[1]
    text = linecache.getline(filename, lineno).strip()
    short = str(filename).rsplit("/", 1)[-1]
    described = f"{short}:{lineno}: {text}" if text else f"{short}:{lineno}"
    # a comment must stay on one line whatever the file name or source contains
    return _LINE_BREAKS.sub(" ", described)


_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
