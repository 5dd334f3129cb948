"""Turning values into Python source, safely.

Everything a trace prints goes through ``to_source``: names that are not valid identifiers are
never printed as code, strings are printed with ``repr`` (so quotes, backslashes and newlines
are escaped), floats such as ``inf``/``nan`` become ``float('inf')``. A value that cannot be
printed as a literal becomes a reference into the trace's constant table (``_c0``), so no value
can ever turn into code.
"""

import keyword
import math
import re

import torch

from thunder.core.proxies import Proxy

_IDENTIFIER_SUBSTITUTE = re.compile(r"[^0-9a-zA-Z_]")


def is_safe_identifier(name) -> bool:
    """True if ``name`` can be printed as a Python identifier."""
    return isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)


def sanitize_identifier(name: str, fallback: str = "v") -> str:
    """Turn an arbitrary string into a harmless identifier (``"a'b" -> "a_b"``)."""
    clean = _IDENTIFIER_SUBSTITUTE.sub("_", str(name))
    if not clean or clean[0].isdigit():
        clean = f"{fallback}_{clean}"
    if keyword.iskeyword(clean) or not clean.isidentifier():
        clean = f"{fallback}_{abs(hash(name))}"
    return clean


def dtype_source(dtype: torch.dtype) -> str:
    return "torch." + str(dtype).removeprefix("torch.")


_DTYPE_FROM_NAME = {dtype_source(getattr(torch, n)): getattr(torch, n) for n in dir(torch)
                    if isinstance(getattr(torch, n, None), torch.dtype)}


def to_source(value, constants: dict | None = None) -> str:
    """Return Python source that evaluates to ``value``.

    ``constants`` maps names to objects that have no literal form; such objects are added to it
    and referenced by name. Without it they raise ``TypeError``.

    >>> to_source("it's\\n")
    '"it\\'s\\\\n"'
    >>> to_source((1, float("inf"), torch.float32))
    "(1, float('inf'), torch.float32)"
    """
    if isinstance(value, Proxy):
        return value.name
    if value is None or value is True or value is False or value is Ellipsis:
        return repr(value)
    typ = type(value)
    if typ is int or typ is str or typ is bytes:
        return repr(value)
    if typ is float:
        if math.isnan(value):
            return "float('nan')"
        if math.isinf(value):
            return "float('inf')" if value > 0 else "-float('inf')"
        return repr(value)
    if typ is complex:
        return f"complex({to_source(value.real)}, {to_source(value.imag)})"
    if typ is torch.dtype:
        return dtype_source(value)
    if typ is torch.device:
        return f"torch.device({value.type!r}{'' if value.index is None else f', {value.index}'})"
    if typ is tuple:
        inner = ", ".join(to_source(v, constants) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if typ is list:
        return "[" + ", ".join(to_source(v, constants) for v in value) + "]"
    if typ is dict:
        items = ", ".join(
            f"{to_source(k, constants)}: {to_source(v, constants)}" for k, v in value.items()
        )
        return "{" + items + "}"
    if typ is slice:
        parts = (to_source(value.start), to_source(value.stop), to_source(value.step))
        return f"slice({', '.join(parts)})"
    if typ is torch.Size:
        return f"torch.Size({to_source(tuple(value))})"
    if typ is torch.memory_format or typ is torch.layout:
        return "torch." + str(value).removeprefix("torch.")
    if constants is None:
        raise TypeError(f"cannot print {typ.__name__} value {value!r} as Python source")
    return constant_name(value, constants)


def constant_name(value, constants: dict) -> str:
    """The name of ``value`` in a trace's constant table, adding it if it is not there yet."""
    for name, existing in constants.items():
        if existing is value:
            return name
    name = f"_c{len(constants)}"
    constants[name] = value
    return name


def call_source(fn_source: str, args, kwargs, constants=None) -> str:
    """``fn(a, b, key=c)`` with every argument printed by ``to_source``."""
    parts = [to_source(a, constants) for a in args]
    for k, v in kwargs.items():
        if not is_safe_identifier(k):
            raise ValueError(f"keyword argument name {k!r} is not a valid identifier")
        parts.append(f"{k}={to_source(v, constants)}")
    return f"{fn_source}({', '.join(parts)})"
