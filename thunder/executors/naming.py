"""Printable, importable names for the callables an execution trace calls.

``callable_path(torch.nn.functional.softmax)`` is ``"torch.nn.functional.softmax"``: the
execution trace prints that, and it is also what runs (the printed trace is compiled). Callables
with no importable path get a sanitized alias bound in the trace's namespace.
"""

import sys

import torch

from thunder.core.codeutils import is_safe_identifier, sanitize_identifier

_NAMESPACES = (
    ("torch", torch),
    ("torch.nn.functional", torch.nn.functional),
    ("torch.special", torch.special),
    ("torch.linalg", torch.linalg),
    ("torch.fft", torch.fft),
    ("torch.Tensor", torch.Tensor),
)
_index: dict[int, str] | None = None


def _build_index() -> dict[int, str]:
    index = {}
    for prefix, namespace in reversed(_NAMESPACES):
        for name in dir(namespace):
            if not is_safe_identifier(name):
                continue
            obj = getattr(namespace, name, None)
            if callable(obj):
                index[id(obj)] = f"{prefix}.{name}"
    return index


def callable_path(fn) -> str | None:
    """The dotted path that evaluates to ``fn`` after importing its root, or None."""
    global _index
    if _index is None:
        _index = _build_index()
    path = _index.get(id(fn))
    if path is not None:
        return path
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", None)
    if not module or not qualname or "<" in qualname:
        return None
    root = sys.modules.get(module)
    obj = root
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    if obj is not fn or not all(is_safe_identifier(p) for p in (module + "." + qualname).split(".")):
        return None
    return f"{module}.{qualname}"


_aliases: dict[int, tuple] = {}


def alias_for(fn) -> str:
    """A harmless identifier, unique per callable, for a callable without an importable path.

    Unique because a trace binds every alias in one namespace: two kernels both named ``impl``
    must not overwrite each other.
    """
    known = _aliases.get(id(fn))
    if known is not None and known[0] is fn:
        return known[1]
    alias = f"_{sanitize_identifier(getattr(fn, '__name__', 'fn'), 'fn')}_{len(_aliases)}"
    _aliases[id(fn)] = (fn, alias)
    return alias


def operation_name(sym) -> str:
    """The torch name of a recorded symbol (``torch.add`` for ``ltorch.add``)."""
    if sym.impl is not None:
        path = callable_path(sym.impl)
        if path is not None:
            return path
    return sym.print_name
