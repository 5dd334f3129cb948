"""How much of torch's public operator surface Thunder supports: ``python -m thunder.coverage``.

The surface is enumerated from torch itself (never from a hand list), by this rule:

NOTE [what counts as a torch operator]
In ``torch``, ``torch.nn.functional``, ``torch.linalg``, ``torch.special`` and ``torch.fft``, a
public name (no leading underscore) counts when it is a routine (not a class, module or dtype)
and either
- a builtin (C++ binding) whose name is an ATen operator, e.g. ``torch.add`` -> ``aten.add``,
  ``torch.special.erf`` -> ``aten.special_erf``; or
- a Python function defined in one of torch's operator modules (``OPERATOR_MODULES``), e.g.
  ``torch.functional.einsum`` or ``torch.nn.functional.relu``.
This drops utilities such as ``torch.save`` (``torch.serialization``), ``torch.manual_seed``
(``torch.random``), ``torch.is_tensor`` (the ``torch`` package itself) and
``torch.is_grad_enabled`` (no ATen operator). For ``torch.Tensor`` the same rule applies to
public methods (in-place ``_`` variants included; properties such as ``shape`` are not
routines) plus the operator dunders: ``__add__``, its reflected ``__radd__`` and in-place
``__iadd__`` forms, every other dunder the ``operator`` module defines, and the dtype casts
named after a torch dtype (``x.float()``, ``x.bfloat16()``).

A callable is *supported* when the interpreter sends it to a Thunder symbol
(``thunder.torch.registry.torch_to_thunder``, or ``thunder.core.proxies.tensor_methods`` for
``Tensor`` methods), and *in the database* when an operator-database record covers it
(``thunder/tests/opinfos``).
"""

import argparse
import inspect
import operator

import torch

from thunder.core.proxies import tensor_methods
from thunder.torch.registry import torch_to_thunder
from thunder.tests.opinfos import load_op_db

NAMESPACES = {
    "torch": torch,
    "torch.nn.functional": torch.nn.functional,
    "torch.linalg": torch.linalg,
    "torch.special": torch.special,
    "torch.fft": torch.fft,
    "torch.Tensor": torch.Tensor,
}
# Python modules whose public functions are tensor operators
OPERATOR_MODULES = {"torch.functional", "torch.nn.functional", "torch._tensor", "torch.linalg",
                    "torch.special", "torch.fft", "torch._linalg_utils", "torch._lowrank"}


def _is_aten_operator(name):
    return hasattr(torch.ops.aten, name)


def _is_operator_dunder(name):
    if not (name.startswith("__") and name.endswith("__")):
        return False
    base = name[2:-2]
    if base[:1] in ("r", "i") and hasattr(operator, f"__{base[1:]}__"):
        base = base[1:]
    return hasattr(operator, f"__{base}__")


def is_operator(namespace, name, obj):
    """Whether ``namespace.name`` counts as a torch operator (NOTE [what counts as a torch
    operator]).

    >>> is_operator("torch", "add", torch.add), is_operator("torch", "save", torch.save)
    (True, False)
    """
    if inspect.isclass(obj) or inspect.ismodule(obj) or not callable(obj):
        return False
    if namespace == "torch.Tensor" and _is_operator_dunder(name):
        return True
    if namespace == "torch.Tensor" and isinstance(getattr(torch, name, None), torch.dtype):
        return True
    if name.startswith("_"):
        return False
    if inspect.isbuiltin(obj) or type(obj).__name__ in ("method_descriptor",
                                                        "wrapper_descriptor"):
        return _is_aten_operator(getattr(obj, "__name__", name)) or _is_aten_operator(name)
    if inspect.isfunction(obj):
        return obj.__module__ in OPERATOR_MODULES
    return False


def torch_surface():
    """Every torch operator as ``(namespace, name, callable)``, enumerated from torch."""
    surface = []
    for namespace, module in NAMESPACES.items():
        for name in sorted(dir(module)):
            try:
                obj = getattr(module, name)
            except AttributeError:
                continue
            if is_operator(namespace, name, obj):
                surface.append((namespace, name, obj))
    return surface


def is_supported(namespace, name, obj):
    """Whether calls of this callable are traced into a Thunder symbol."""
    if namespace == "torch.Tensor":
        return name in tensor_methods
    try:
        return obj in torch_to_thunder
    except TypeError:  # unhashable
        return False


def database_covered():
    """ids of every callable some operator-database record covers."""
    return {id(obj) for record in load_op_db() for obj in record.covers}


def coverage_report() -> dict:
    """Per-namespace totals and the lists behind them.

    >>> report = coverage_report()
    >>> report["supported"] <= report["total"]
    True
    """
    covered = database_covered()
    namespaces = {}
    for namespace, name, obj in torch_surface():
        entry = namespaces.setdefault(namespace, {"total": 0, "supported": [], "recorded": [],
                                                  "unsupported": []})
        entry["total"] += 1
        qualified = f"{namespace}.{name}"
        if is_supported(namespace, name, obj):
            entry["supported"].append(qualified)
            if id(obj) in covered:
                entry["recorded"].append(qualified)
        else:
            entry["unsupported"].append(qualified)
    supported = [n for e in namespaces.values() for n in e["supported"]]
    surface_ids = {id(obj) for _, _, obj in torch_surface()}
    elsewhere = sorted(_qualified_name(fn) for fn in torch_to_thunder if id(fn) not in surface_ids)
    recorded = [n for e in namespaces.values() for n in e["recorded"]]
    return {
        "namespaces": namespaces,
        "total": sum(e["total"] for e in namespaces.values()),
        "supported": len(supported),
        "recorded": len(recorded),
        "supported_names": supported,
        "unsupported_names": [n for e in namespaces.values() for n in e["unsupported"]],
        "supported_without_record": sorted(set(supported) - set(recorded)),
        # supported callables outside the enumerated surface (torch.ops.aten, private hooks)
        "supported_elsewhere": elsewhere,
    }


def _qualified_name(fn):
    return f"{getattr(fn, '__module__', None) or '?'}.{getattr(fn, '__name__', repr(fn))}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unsupported", action="store_true",
                        help="list every unsupported callable")
    args = parser.parse_args(argv)
    report = coverage_report()
    print(f"{'namespace':<22}{'total':>7}{'supported':>11}{'in database':>13}")
    for namespace, entry in report["namespaces"].items():
        print(f"{namespace:<22}{entry['total']:>7}{len(entry['supported']):>11}"
              f"{len(entry['recorded']):>13}")
    print(f"Supported: {report['supported']} of {report['total']} torch callables "
          f"({report['recorded']} with database records)")
    if report["supported_elsewhere"]:
        print(f"Also supported outside this surface: {len(report['supported_elsewhere'])} "
              f"({', '.join(report['supported_elsewhere'][:8])}, ...)")
    if report["supported_without_record"]:
        print("Supported but without a database record:",
              ", ".join(report["supported_without_record"]))
    unsupported = report["unsupported_names"]
    shown = unsupported if args.unsupported else unsupported[:20]
    print(f"Unsupported ({len(unsupported)}):", ", ".join(shown)
          + ("" if args.unsupported else ", ... (--unsupported lists all)"))


if __name__ == "__main__":
    main()
