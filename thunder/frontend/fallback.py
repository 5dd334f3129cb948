"""Eager fallback: a torch operation Thunder does not define runs as one opaque call.

``fallback_symbol(torch.stft)`` is a symbol whose meta function runs ``torch.stft`` on "meta"
tensors (shapes and dtypes only, no data) to learn the output's metadata, and whose ``impl`` is
``torch.stft`` itself, so the torch executor runs it eagerly. Fallback symbols are tagged
effectful: passes never drop or merge them (they may be random or have effects). The trace shows it as an ordinary
call. An operation whose output metadata cannot be computed without data (``torch.nonzero``),
or that mutates its input in place, is not eligible: it raises ``UnsupportedOperationError``.
``thunder.jit(fn, strict=True)`` turns the fallback off. Each fallback symbol is differentiable:
its gradient re-runs the operation under torch's autograd in the backward (NOTE [gradients of
eager fallbacks] in thunder/transforms/autograd/fallback_rules.py).
"""

import torch

from thunder.core.proxies import TensorProxy
from thunder.core.pytree import tree_flatten, tree_unflatten
from thunder.core.symbol import Symbol
from thunder.executors.naming import callable_path
from thunder.frontend.exotic import check_created, check_exotic_operation
from thunder.transforms.autograd.fallback_rules import def_fallback_vjp

_fallback_symbols: dict[int, Symbol] = {}
fallback_symbol_set: set = set()  # every fallback symbol, for examine and compile_stats

_OP_NAMESPACES = ("torch.", "torch.nn.functional.", "torch.linalg.", "torch.special.",
                  "torch.fft.", "torch.Tensor.")


def public_op_path(fn) -> str | None:
    """``"torch.stft"`` for callables of torch's public operator namespaces, else None."""
    path = callable_path(fn)
    if path is None:
        path = _aten_path(fn)
        return path
    if not path.startswith(_OP_NAMESPACES) or path.startswith("torch.nn.modules"):
        return None
    return path


def _aten_path(fn):
    if isinstance(fn, (torch._ops.OpOverload, torch._ops.OpOverloadPacket)):
        return f"torch.ops.{fn}" if isinstance(fn, torch._ops.OpOverload) else \
            f"torch.ops.aten.{fn.__name__}"
    return None


def is_inplace(path: str) -> bool:
    name = path.rsplit(".", 1)[-1]
    return name.endswith("_") and not name.endswith("__")


def fallback_symbol(fn, path: str) -> Symbol:
    """The opaque symbol that runs torch callable ``fn`` eagerly (cached per callable)."""
    sym = _fallback_symbols.get(id(fn))
    if sym is not None and sym.impl is fn:
        return sym

    def meta(*args, **kwargs):
        return _meta_outputs(fn, path, args, kwargs)

    root, _, rest = path.partition(".")
    if root == "torch" and not rest.startswith("ops."):
        sym = Symbol(rest, meta, module_alias="torch", module=torch, impl=fn, is_prim=True,
                     tags={"effectful"})
    else:
        alias = "_" + path.replace(".", "_")
        sym = Symbol("", meta, module_alias=alias, module=fn, impl=fn, is_prim=True,
                     tags={"effectful"})
    sym.id = f"fallback:{path}"
    def_fallback_vjp(sym, path)
    _fallback_symbols[id(fn)] = sym
    fallback_symbol_set.add(sym)
    return sym


def _meta_outputs(fn, path, args, kwargs):
    leaves, spec = tree_flatten((args, kwargs))
    device = next((x.device for x in leaves if isinstance(x, TensorProxy)), None)
    requires_grad = any(x.requires_grad for x in leaves if isinstance(x, TensorProxy))
    meta_leaves = [
        torch.empty(x.shape, dtype=x.dtype, device="meta") if isinstance(x, TensorProxy) else x
        for x in leaves
    ]
    meta_args, meta_kwargs = tree_unflatten(meta_leaves, spec)
    with torch.no_grad():
        try:
            result = fn(*meta_args, **meta_kwargs)
        except Exception:
            check_exotic_operation(path)  # a nested or sparse constructor: NOTE [exotic tensors]
            raise
    if isinstance(result, tuple) and type(result) is not tuple:
        result = tuple(result)  # torch.return_types structures become plain tuples
    out_leaves, out_spec = tree_flatten(result)
    check_created(path, out_leaves)  # a sparse, nested or subclass output: NOTE [exotic tensors]
    converted = []
    for x in out_leaves:
        if isinstance(x, torch.Tensor):
            out_device = device if x.device.type == "meta" and device is not None else x.device
            if out_device.type == "meta":
                out_device = torch.device("cpu")
            x = TensorProxy(shape=x.shape, dtype=x.dtype, device=out_device,
                            requires_grad=requires_grad and (x.dtype.is_floating_point or
                                                             x.dtype.is_complex))
        converted.append(x)
    if type(result) not in (tuple, list, dict) and len(converted) == 1 and isinstance(
            result, torch.Tensor):
        return converted[0]
    return tree_unflatten(converted, out_spec)


def is_fallback(sym) -> bool:
    return sym in fallback_symbol_set


__all__ = ["fallback_symbol", "public_op_path", "is_fallback", "is_inplace"]
