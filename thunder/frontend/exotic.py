"""Exotic tensors: tensor subclasses and non-dense layouts, which make a call run eagerly.

A tensor is *dense* when its type is exactly ``torch.Tensor`` or ``torch.nn.Parameter``, its
layout is ``torch.strided`` and it is neither nested nor quantized. Every other tensor (a
``__torch_function__`` subclass, a sparse or nested tensor...) is *exotic*: Thunder's proxies
describe only dense tensors, so a call that meets one runs the original function eagerly.
See NOTE [exotic tensors]. This module decides what is exotic and says why, in words; the jit
(``api.py``), the call key (``signature.py``), tracing (``provenance.py``) and the eager
fallback (``fallback.py``) call it.
"""

import re
import types

import torch

from thunder.frontend.errors import UnsupportedOperationError, user_location

# NOTE [exotic tensors]
# Thunder traces with proxies that carry a dense tensor's metadata (shape, dtype, device); a
# subclass's __torch_function__, a sparse layout or a nested tensor's ragged shape cannot be
# expressed in a trace. Rather than compile such programs half-right, a call that involves an
# exotic tensor runs the original function eagerly, untouched: eager's values, types and side
# effects (a subclass's log) by construction, and autograd works as in eager.
#
# Where exotic tensors are found:
# - Inputs (arguments, and tensors inside list/tuple/dict arguments): ``call_key`` gives them a
#   key part that no dense call has, ``(EXOTIC, what)`` (``exotic_tensor_key``,
#   ``container_key``), folded into its per-tensor work: two type identity checks and one
#   ``layout`` read per tensor. A call with such a key never reaches a compiled entry:
#   ``ThunderFunction._miss`` finds the input (``input_reason``) and runs the function
#   eagerly. Nothing is cached for it, and a later dense call compiles as usual.
# - Tensors read while tracing (closures, globals, module parameters and buffers, attributes
#   of argument objects): ``ProvenanceTracker.tensor_proxy`` calls ``check_dense`` before
#   making a proxy, and an exotic tensor raises ``ExoticTensorError``.
# - Tensors made inside the function (``x.to_sparse()``, ``torch.nested.nested_tensor``,
#   ``x.as_subclass(C)``): the eager fallback's meta computation calls ``check_created``.
# ``ExoticTensorError`` is an ``UnsupportedOperationError``, so the user's ``except`` clauses
# do not catch it. The jit catches it, remembers that calls with this key run eagerly (they
# would meet the same tensor again) and runs the function eagerly. With ``strict=True`` it is
# raised instead. Attribute stores and container mutations made while tracing are undone
# when tracing stops, so the eager run is the only one with effects.
#
# Reading attributes of a user subclass runs its __torch_function__ (and its log): this module
# reads none, it only looks at ``type(t)``, except under DisableTorchFunctionSubclass.
# Known gap: a compiled entry checks the shape, dtype, device and requires_grad of tensors it
# reads through attributes, not their layout, so a module buffer replaced after compiling by a
# sparse tensor of the same shape is not noticed.

_DENSE_TYPES = (torch.Tensor, torch.nn.Parameter)
_TENSOR, _PARAMETER, _STRIDED = torch.Tensor, torch.nn.Parameter, torch.strided
_CONTAINERS = (list, tuple, dict)
_MAX_DEPTH = 16  # containers nested deeper than this are not searched

# torch namespaces whose operations make exotic tensors even when their meta computation fails
_EXOTIC_NAMESPACES = ("torch.nested.", "torch.sparse.", "torch.Tensor.to_sparse",
                      "torch.sparse_", "torch.Tensor.as_subclass")


class _ExoticMarker:
    """The first element of the call-key part of an exotic input (no dense key has it)."""

    def __repr__(self):
        return "EXOTIC"


EXOTIC = _ExoticMarker()


class ExoticTensorError(UnsupportedOperationError):
    """Tracing met an exotic tensor; ``reason`` says which and why, in words."""

    def __init__(self, reason: str):
        super().__init__(f"{reason}: Thunder compiles dense torch.Tensors only, so the call "
                         f"runs eagerly (see 'Tensor subclasses' in docs/semantics.md)")
        self.reason = reason


def describe_tensor(t) -> str | None:
    """What makes ``t`` exotic ("a sparse_coo tensor"), or None for a dense tensor.

    >>> describe_tensor(torch.ones(2)) is None
    True
    >>> describe_tensor(torch.ones(2).to_sparse())
    'a sparse_coo tensor'
    """
    typ = type(t)
    if typ not in _DENSE_TYPES:
        with torch._C.DisableTorchFunctionSubclass():  # no user __torch_function__ runs
            nested = t.is_nested
        if nested:
            return "a nested tensor (jagged layout)"
        return f"a {typ.__qualname__} (a torch.Tensor subclass)"
    layout = t.layout
    if layout is not torch.strided:
        return f"a {str(layout).removeprefix('torch.').lstrip('_')} tensor"
    if t.is_nested:
        return "a nested tensor (strided layout)"
    if t.is_quantized:
        return "a quantized tensor"
    return None


def exotic_tensor_key(t):
    """The call-key part of a tensor that fails ``call_key``'s quick dense test."""
    what = describe_tensor(t)
    return (t.shape, t.dtype) if what is None else (EXOTIC, what)


def container_key(value, typ, depth=0):
    """The call-key part of a list, tuple or dict argument: ``typ``, or an ``EXOTIC`` key if
    it holds a subclass or non-strided tensor (at any depth). Kept lean: it runs per call."""
    for item in value.values() if isinstance(value, dict) else value:
        item_type = type(item)
        if item_type is _TENSOR or item_type is _PARAMETER:
            if item.layout is _STRIDED:
                continue
            return (EXOTIC, typ, describe_tensor(item))
        if isinstance(item, _TENSOR):
            return (EXOTIC, typ, describe_tensor(item))
        if isinstance(item, _CONTAINERS) and depth < _MAX_DEPTH:
            inner = container_key(item, item_type, depth + 1)
            if inner is not item_type:
                return (EXOTIC, typ, inner[2])
    return typ


def input_reason(args, kwargs) -> str | None:
    """Why a call must run eagerly because of its inputs, e.g. "args[0] is a sparse_coo
    tensor", or None when every tensor argument (also inside lists, tuples, dicts) is dense.

    >>> input_reason((torch.ones(2), [torch.ones(2).to_sparse()]), {})
    'args[1][0] is a sparse_coo tensor'
    """
    for i, a in enumerate(args):
        reason = _search(a, f"args[{i}]", 0)
        if reason is not None:
            return reason
    for k, v in kwargs.items():
        reason = _search(v, f"kwargs[{k!r}]", 0)
        if reason is not None:
            return reason
    return None


def _search(value, path, depth):
    if isinstance(value, torch.Tensor):
        what = describe_tensor(value)
        return None if what is None else f"{path} is {what}"
    if not isinstance(value, _CONTAINERS) or depth >= _MAX_DEPTH:
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        reason = _search(item, f"{path}[{key!r}]", depth + 1)
        if reason is not None:
            return reason
    return None


def check_dense(tensor, prov) -> None:
    """Raise ``ExoticTensorError`` if a tensor read while tracing (through ``prov``, a
    provenance path) is exotic."""
    typ = type(tensor)
    if (typ is torch.Tensor or typ is torch.nn.Parameter) and tensor.layout is torch.strided \
            and not tensor.is_nested and not tensor.is_quantized:
        return
    what = describe_tensor(tensor)
    if what is None:
        return
    path = _readable_path(prov)
    if path.startswith(("args[", "kwargs[")):
        raise ExoticTensorError(f"{path} is {what}")
    raise ExoticTensorError(f"the tensor {path}, read at {_user_line()}, is {what}")


def _readable_path(prov) -> str:
    """``prov.describe()`` with module globals, closure cells and the containers of module
    parameters and buffers spelled as in the user's code."""
    root = prov
    while root.parent is not None:
        root = root.parent
    path = prov.describe()
    if isinstance(root.obj, dict) and "__name__" in root.obj:
        path = "globals()" + path.removeprefix(root.describe())
    elif isinstance(root.obj, types.CellType):
        path = "in a closure variable" if path == root.describe() + ".cell_contents" else path
    return _MODULE_MEMBERS.sub(r".\1", path)


# ``.__dict__['_buffers']['w']`` or ``._buffers['w']``: what the user wrote as ``.w``
_MODULE_MEMBERS = re.compile(
    r"(?:\.__dict__\['_(?:parameters|buffers|modules)'\]|\._(?:parameters|buffers|modules))"
    r"\['([^']+)'\]")


def _user_line() -> str:
    location = user_location()
    return "(unknown location)" if location is None else \
        f"{location[0]}:{location[1]} in {location[2]}"


def check_created(path: str, leaves) -> None:
    """Raise ``ExoticTensorError`` if torch operation ``path``, run by the eager fallback on
    meta tensors, returned an exotic tensor (``leaves``: its flattened outputs)."""
    for leaf in leaves:
        if isinstance(leaf, torch.Tensor):
            what = describe_tensor(leaf)
            if what is not None:
                raise ExoticTensorError(f"{path} makes {what} (called at {_user_line()})")


def check_exotic_operation(path: str) -> None:
    """Raise ``ExoticTensorError`` for an operation of torch's nested or sparse namespaces
    (or a conversion to them) whose output metadata could not be computed on meta tensors."""
    if not path.startswith(_EXOTIC_NAMESPACES):
        return
    if "nested" in path:
        what = "makes a nested tensor"
    elif "as_subclass" in path:
        what = "makes a tensor subclass"
    elif path.startswith("torch.sparse."):
        what = "is an operation of sparse tensors"
    else:
        what = "makes a sparse tensor"
    raise ExoticTensorError(f"{path} {what} (called at {_user_line()})")


__all__ = ["EXOTIC", "ExoticTensorError", "describe_tensor", "exotic_tensor_key",
           "container_key", "input_reason", "check_dense", "check_created",
           "check_exotic_operation"]
