"""Argument binding with eager's errors, and the cheap cache key of a call.

``check_call`` raises exactly the ``TypeError`` Python raises for a bad call of the function
(wrong number of arguments, unknown or missing keyword), before any tracing.

``call_key`` is a hashable summary of the call (the shapes and dtypes of tensor arguments, the
values of Python scalars, the global torch state that changes results). Cache entries are kept
per key, so a call runs only the prologues of entries made for calls like it: finding an entry
costs one dict lookup however many entries exist. An exotic tensor (a subclass, sparse or
nested), also inside a list, tuple or dict argument, gets a key part no dense call has: see
NOTE [exotic tensors] in ``exotic.py``.
"""

import inspect

import torch

from thunder.frontend.exotic import container_key, exotic_tensor_key

_NONE = type(None)
_SCALARS = (int, float, bool, str, _NONE)
_CONTAINERS = (list, tuple, dict)
_TENSOR, _PARAMETER, _STRIDED = torch.Tensor, torch.nn.Parameter, torch.strided


def _arg_key(a):
    typ = type(a)
    if typ is _TENSOR or typ is _PARAMETER:
        if a.layout is _STRIDED:
            try:
                return (a.shape, a.dtype)
            except RuntimeError:  # a strided nested tensor has no shape
                pass
        return exotic_tensor_key(a)  # NOTE [exotic tensors]
    if typ in _SCALARS:
        return (typ, a)
    if isinstance(a, _TENSOR):
        return exotic_tensor_key(a)
    if isinstance(a, _CONTAINERS):
        return container_key(a, typ)
    return typ


_grad_enabled = torch.is_grad_enabled
_default_dtype = torch.get_default_dtype
_any_autocast = torch._C._is_any_autocast_enabled


def call_key(args, kwargs):
    """The cache key of a call (see the module docstring): one part per positional argument,
    one ``(name, part)`` per keyword argument, then the global state. It runs at every call:
    the torch state functions are bound to module globals (no ``torch.`` attribute lookups)."""
    key = [_arg_key(a) for a in args]
    if kwargs:
        key.extend([(k, _arg_key(v)) for k, v in kwargs.items()])
    key.append(_grad_enabled())
    key.append(_default_dtype())
    if _any_autocast():
        key.append(_autocast_state())
    return tuple(key)


def _autocast_state():
    devices = ("cpu", "cuda") if torch.cuda.is_available() else ("cpu",)
    return tuple((d, torch.is_autocast_enabled(d), torch.get_autocast_dtype(d)) for d in devices)


def describe_key_change(old, new, names) -> str:
    """Which parts of two cache keys differ, in words (for the recompilation warning)."""
    changes = []
    for i, (a, b) in enumerate(zip(old, new)):
        if a == b:
            continue
        if i < len(names):
            changes.append(f"argument {names[i]!r} ({_kind(a, b)})")
        elif isinstance(a, bool):
            changes.append("grad mode")
        elif isinstance(a, torch.dtype):
            changes.append("default dtype")
        elif isinstance(a, tuple) and a and isinstance(a[0], tuple) and a[0][0] == "cpu":
            changes.append("autocast state")
        else:
            changes.append(f"argument {i}")
    if len(old) != len(new):
        changes.append("number of arguments")
    return ", ".join(changes) or "values read from outside the function (globals, attributes)"


def _kind(a, b) -> str:
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == 2 and len(b) == 2:
        if isinstance(a[0], torch.Size):
            return "shape" if a[0] != b[0] else "dtype"
        return "value"
    return "type"


def check_call(fn, args, kwargs) -> None:
    """Raise the TypeError Python would raise for ``fn(*args, **kwargs)``, if any."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(_eager_message(fn, signature, args, kwargs, e)) from None


def _eager_message(fn, signature, args, kwargs, error) -> str:
    """Reproduce CPython's wording for the common argument errors."""
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", "function")
    if not inspect.isfunction(fn) and not inspect.ismethod(fn):
        name = type(fn).__qualname__ + ".forward" if hasattr(fn, "forward") else name
    params = list(signature.parameters.values())
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    has_varargs = any(p.kind == p.VAR_POSITIONAL for p in params)
    offset = 1 if inspect.ismethod(fn) else 0
    message = str(error)
    if not has_varargs and len(args) > len(positional):
        required = [p for p in positional if p.default is p.empty]
        n_max, n_given = len(positional) + offset, len(args) + offset
        if len(required) != len(positional):
            expected = f"from {len(required) + offset} to {n_max} positional arguments"
        else:
            expected = f"{n_max} positional argument{'s' if n_max != 1 else ''}"
        were = "was" if n_given == 1 else "were"
        return f"{name}() takes {expected} but {n_given} {were} given"
    if message.startswith("missing a required argument"):
        bound = signature.bind_partial(*args, **kwargs).arguments
        missing = [p.name for p in positional if p.name not in bound and p.default is p.empty]
        if missing:
            quoted = [f"'{m}'" for m in missing]
            listed = quoted[0] if len(quoted) == 1 else (
                ", ".join(quoted[:-1]) + f" and {quoted[-1]}")
            plural = "s" if len(missing) > 1 else ""
            return f"{name}() missing {len(missing)} required positional argument{plural}: " \
                   f"{listed}"
    if message.startswith("got an unexpected keyword argument"):
        return f"{name}() {message}"
    return f"{name}(): {message}"
