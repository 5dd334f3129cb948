"""Data-dependent values: ``if x.sum() > 0:``, ``.item()``, ``int(t)`` inside traced code.

NOTE [data-dependent values]
While tracing, a proxy has no data. When the code needs a tensor's value (its truth value,
``.item()``, ``int(t)``, ``.tolist()``), Thunder computes it for the call being traced: it runs
the trace recorded so far on that call's real inputs (with the random number generator state
saved and restored, so eager's random stream is not disturbed), and tracing continues down the
branch that value selects. The computation records a check of the value at that point
(``check_data``): a later call whose data gives another value raises ``DataMismatch`` at the
check, before any effect outside the computation happened, and the jitted function tries the
next cache entry for the same key, or traces once more for the new branch. So each branch
combination is traced once; calls that follow a known branch reuse its trace.

Operations whose output *shape* depends on the data (``nonzero``, ``masked_select``, indexing
with a boolean mask, ``unique``) are handled the same way: the operation runs eagerly inside
the computation, its output shapes for the traced call are recorded, and ``check_shapes``
raises ``DataMismatch`` when a later call's data gives other shapes. Each distinct output
shape is traced once.
"""

import torch

from thunder.core.proxies import TensorProxy
from thunder.core.pytree import tree_flatten, tree_map, tree_unflatten
from thunder.core.symbol import Symbol
from thunder.core.trace import from_trace
from thunder.core.tracectx import get_tracectx
from thunder.executors import torchex
from thunder.executors.passes import transform_for_execution
from thunder.transforms.autograd.fallback_rules import def_fallback_vjp


class DataMismatch(Exception):
    """A computation met data that selects another branch than the one it was traced for."""


def _convert(value: torch.Tensor, kind):
    if kind == "item":
        return value.item()
    if kind == "tolist":
        return value.tolist()
    if type(kind) is tuple:  # ("format", spec): f-strings and format()
        return format(value, kind[1])
    return kind(value)


def check_data(value, kind, expected):
    """Runs in the computation: the data must give the value the trace was specialized on."""
    actual = _convert(value, kind)
    if actual != expected or type(actual) is not type(expected):
        raise DataMismatch(f"traced for {kind}(...) == {expected!r}, got {actual!r}")


def _check_meta(value, kind, expected):
    return None


check_data_symbol = Symbol("check_data", _check_meta, module_alias="datadependent",
                           module=None, impl=check_data, is_prim=True, tags={"effectful"})


class ConcreteEvaluator:
    """Computes the value of a proxy for the call being traced (see the NOTE)."""

    def __init__(self, tracker):
        self.tracker = tracker

    def values(self, outputs):
        """The real values, for the call being traced, of proxies recorded so far."""
        trace = get_tracectx()
        prefix = from_trace(trace, "prefix for a data-dependent value")
        prefix.bound_symbols = list(trace.bound_symbols)
        prefix.args = [p for p, _ in self.tracker.inputs]
        prefix.output = outputs
        runnable = transform_for_execution(prefix, [torchex.ex]).python_callable()
        tensors = {id(p): t for t, p in self.tracker.tensor_proxies.values()}
        inputs = [tensors[id(p)] for p in prefix.args]
        rng = torch.random.get_rng_state()
        try:
            with torch.no_grad():
                return runnable(*inputs)
        finally:
            torch.random.set_rng_state(rng)

    def __call__(self, proxy, kind):
        value = self.values(proxy)
        if kind in (bool, int, float, complex) and value.numel() != 1:
            raise RuntimeError(f"a Tensor with {value.numel()} elements cannot be converted to "
                               f"Scalar" if kind is not bool else
                               f"Boolean value of Tensor with more than one value is ambiguous")
        result = _convert(value, kind)
        check_data_symbol(proxy, kind, result)
        return result


def check_shapes(tensors, shapes):
    """Runs in the computation: outputs whose shape came from data must keep that shape."""
    for t, shape in zip(tensors, shapes):
        if tuple(t.shape) != shape:
            raise DataMismatch(f"traced for an output of shape {shape}, got {tuple(t.shape)}")


check_shapes_symbol = Symbol("check_shapes", lambda tensors, shapes: None, module_alias="datadependent",
                             module=None, impl=check_shapes, is_prim=True, tags={"effectful"})


def specialized_call(evaluate, fn, name, args, kwargs):
    """Record ``fn(*args, **kwargs)``, an operation whose output shape depends on data
    (``nonzero``, a boolean mask), with the shapes it has for the call being traced, and a check
    of those shapes in the computation (see the NOTE)."""
    flat, spec = tree_flatten((args, kwargs))
    proxies = [x for x in flat if isinstance(x, TensorProxy)]
    reals = iter(evaluate.values(tuple(proxies)) if proxies else ())
    real_args, real_kwargs = tree_unflatten(
        [next(reals) if isinstance(x, TensorProxy) else x for x in flat], spec)
    with torch.no_grad():
        result = fn(*real_args, **real_kwargs)
    if isinstance(result, tuple) and type(result) is not tuple:
        result = tuple(result)
    requires_grad = any(p.requires_grad for p in proxies)

    def meta(*_, **__):
        return tree_map(lambda t: TensorProxy(
            shape=t.shape, dtype=t.dtype, device=t.device,
            requires_grad=requires_grad and (t.dtype.is_floating_point or t.dtype.is_complex))
            if isinstance(t, torch.Tensor) else t, result)

    root, _, rest = name.partition(".")
    sym = Symbol(rest, meta, module_alias=root, module=torch, impl=fn, is_prim=True,
                 tags={"effectful"}) if root == "torch" else Symbol(
        "", meta, module_alias="_" + name.replace(".", "_"), module=fn, impl=fn, is_prim=True,
        tags={"effectful"})
    sym.id = f"data-dependent:{name}"
    def_fallback_vjp(sym, name)  # differentiable like any eager fallback
    output = sym(*args, **kwargs)
    tensors = [o for o in tree_flatten(output)[0] if isinstance(o, TensorProxy)]
    check_shapes_symbol(tensors, tuple(o.shape for o in tensors))
    return output
