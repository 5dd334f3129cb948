"""Tracing one call: interpret the function on proxies and record its computation trace.

``trace_call`` replaces the call's tensors by proxies (recording where each came from), runs the
function through the bytecode interpreter with the jit callbacks, and returns the computation
trace together with the provenance tracker from which the prologue is built.
"""

import types
from dataclasses import dataclass

import torch

from thunder.core import proxies
from thunder.core.proxies import Proxy
from thunder.core.pytree import is_plain, tree_flatten, tree_map, tree_unflatten
from thunder.core.trace import TraceCtx
from thunder.core.tracectx import tracectx
from thunder.interpreter import interpret
from thunder.frontend.callbacks import JitCallbacks
from thunder.frontend.datadependent import ConcreteEvaluator
from thunder.frontend.epilogue import build_epilogue, finish_stores
from thunder.frontend.errors import unsupported, user_location
from thunder.frontend.pynumbers import RuntimeValue
from thunder.frontend.provenance import ARG, ATTR, ITEM, KWARG, Prov, ProvenanceTracker, \
    is_constant_value


def _location():
    loc = user_location()
    return None if loc is None else (loc[0], loc[1])


def trace_call(fn, args, kwargs, *, root=None, strict=False):
    """Trace ``fn(*args, **kwargs)``; ``root`` is an object held by reference (a module).

    With an epilogue, the computation returns ``(output, values for the epilogue)``. With an
    ``output_spec``, its output is the flat list of leaves of a structure (a ``ModelOutput``,
    a dataclass) that ``tree_unflatten(output, output_spec)`` rebuilds.

    ``strict`` turns off the eager fallback for torch operations Thunder does not define.
    """
    computation = TraceCtx("computation")
    tracker = ProvenanceTracker()
    callbacks = JitCallbacks(tracker, fallback=not strict)
    saved_state = _save_global_state()
    with tracectx(computation):
        computation.location = _location
        if root is not None:
            register_module_tree(tracker, root, tracker.const_root(root))
        proxied_args = tuple(_proxy_input(tracker, a, Prov(ARG, i)) for i, a in enumerate(args))
        proxied_kwargs = {k: _proxy_input(tracker, v, Prov(KWARG, k)) for k, v in kwargs.items()}
        proxies.missing_method_handler = callbacks.missing_tensor_method
        evaluate = ConcreteEvaluator(tracker)
        current = callbacks.functionalizer.current
        proxies.data_dependent_handler = lambda proxy, kind: evaluate(current(proxy), kind)
        try:
            output = interpret(fn, proxied_args, proxied_kwargs, callbacks)
        finally:
            proxies.missing_method_handler = None
            proxies.data_dependent_handler = None
            _restore_global_state(saved_state)
            stores = finish_stores(tracker)
        computation.location = None
        output, output_spec = _check_output(tracker, tree_map(current, output))
        epilogue, epilogue_values = build_epilogue(tracker, stores, computation)
    computation.args = [proxy for proxy, _ in tracker.inputs]
    computation.output = (output, epilogue_values) if epilogue is not None else output
    return TracedCall(computation, tracker, epilogue, output_spec)


def _autocast_devices():
    return ("cpu", "cuda") if torch.cuda.is_available() else ("cpu",)


def _save_global_state():
    """Torch state the traced code may change at trace time (``no_grad``, ``autocast``)."""
    autocast = [(d, torch.is_autocast_enabled(d), torch.get_autocast_dtype(d))
                for d in _autocast_devices()]
    return torch.is_grad_enabled(), autocast


def _restore_global_state(state):
    grad_enabled, autocast = state
    torch._C._set_grad_enabled(grad_enabled)
    for device, enabled, dtype in autocast:
        torch.set_autocast_enabled(device, enabled)
        torch.set_autocast_dtype(device, dtype)


def _proxy_input(tracker, value, prov):
    """What the traced function receives for one argument."""
    if isinstance(value, torch.Tensor):
        return tracker.tensor_proxy(value, prov)
    typ = type(value)
    if typ in (list, tuple) or typ is dict:
        tracker.guard("type", prov, typ)
        tracker.guard("len", prov, len(value))
        if typ is dict:
            copy = {k: _proxy_input(tracker, v, tracker.child(prov, ITEM, k))
                    for k, v in value.items()}
        else:
            copy = typ(_proxy_input(tracker, v, tracker.child(prov, ITEM, i))
                       for i, v in enumerate(value))
        # the copy stands for the caller's container (so mutating it is detected)
        tracker.register_object(copy, prov)
        return copy
    result = tracker.wrap(value, prov)
    if isinstance(value, torch.nn.Module):
        register_module_tree(tracker, value, prov)
    return result


def register_module_tree(tracker, module, prov):
    """Give every submodule, parameter and buffer of ``module`` a provenance up front.

    Tensors reached later without a path (for example by iterating ``named_parameters()``) are
    then still read from the module at each call instead of being held by reference.
    """
    tracker.register_object(module, prov)
    for kind in ("_parameters", "_buffers"):
        container = module.__dict__.get(kind)
        if container:
            cprov = tracker.child(prov, ATTR, kind)
            for name, tensor in container.items():
                if tensor is not None:
                    tracker.known_tensor_prov.setdefault(
                        id(tensor), (tensor, tracker.child(cprov, ITEM, name)))
    modules = module.__dict__.get("_modules")
    if modules:
        mprov = tracker.child(prov, ATTR, "_modules")
        for name, sub in modules.items():
            if sub is not None and tracker.prov_of(sub) is None:
                sprov = tracker.child(mprov, ITEM, name)
                tracker.guard("type", sprov, type(sub))
                register_module_tree(tracker, sub, sprov)


@dataclass
class TracedCall:
    computation: TraceCtx
    tracker: ProvenanceTracker
    epilogue: TraceCtx | None
    output_spec: object  # None when the output prints as a Python literal


def _check_output(tracker, output):
    """(output with tensors as proxies, spec to rebuild it or None).

    Objects made inside the function (no provenance) are returned by value: flattened through
    their ``__dict__`` and rebuilt at every call. Objects from outside are returned as they are.
    """

    def made_inside(obj):
        return (hasattr(obj, "__dict__") and not isinstance(obj, (type, types.ModuleType))
                and not callable(obj) and tracker.prov_of(obj) is None)

    leaves, spec = tree_flatten(output, objects=made_inside)
    checked = []
    for leaf in leaves:
        if isinstance(leaf, torch.Tensor):
            leaf = tracker.wrap_unknown(leaf)
        elif isinstance(leaf, RuntimeValue):  # that call's value: NOTE [runtime numbers]
            leaf = leaf.as_output()
        elif not isinstance(leaf, Proxy) and not is_constant_value(leaf) and \
                tracker.prov_of(leaf) is None:
            raise unsupported(f"returning a value of type {type(leaf).__name__} from a jitted "
                              f"function")
        checked.append(leaf)
    if is_plain(spec):
        return tree_unflatten(checked, spec), None
    return checked, spec
