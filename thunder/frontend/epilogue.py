"""The epilogue: what a call changes outside the function, replayed after the computation.

While tracing, an assignment like ``self.last = h`` or ``self.calls += 1`` on an object from
outside the function, or a mutation of a container from outside (``log.append(x)``,
``cache[key] = t``), really happens (so the rest of the trace reads it back), is undone when
tracing ends, and is recorded. The epilogue trace replays them at every call: the final value
of each attribute, then each container mutation in order. A constant is used as is, a tensor
is an extra output of the computation (``values[i]``). The epilogue runs after the whole
computation, so a computation that stops at a data check (``DataMismatch``) has no effect.
"""

import torch

from thunder.core.codeutils import is_safe_identifier, to_source
from thunder.core.proxies import Proxy
from thunder.core.symbol import BoundSymbol, Symbol
from thunder.core.trace import TraceCtx
from thunder.frontend.errors import unsupported
from thunder.frontend.prologue import ObjectProxy, materializer
from thunder.frontend.provenance import is_constant_value


def finish_stores(tracker):
    """Undo the traced assignments and container mutations; return (obj, name, final value)
    for each assignment."""
    for container, snapshot in tracker.container_snapshots.values():
        if type(container) is list:
            container[:] = snapshot
        else:
            container.clear()
            container.update(snapshot)
    stores = []
    for obj, name, had, original in tracker.stores.values():
        attributes = obj.__dict__
        if name in attributes:
            stores.append((obj, name, attributes[name]))
        if had:
            attributes[name] = original
        else:
            attributes.pop(name, None)
    return stores


def _print_store(bsym, constants):
    target, name, value = bsym.args
    source = to_source(value, constants) if not isinstance(value, Proxy) else value.name
    if is_safe_identifier(name):
        return [f"{target.name}.{name} = {source}"]
    return [f"setattr({target.name}, {to_source(name)}, {source})"]


def _not_runnable(*args):
    raise NotImplementedError("epilogue symbols only run as printed code")


store_attr = Symbol("store_attr", None, module_alias="epilogue", module=None, is_prim=True,
                    printer=_print_store, impl=_not_runnable, tags={"effectful"})


def build_epilogue(tracker, stores, computation: TraceCtx):
    """(epilogue trace, tensor values the computation must also return), or (None, ())."""
    mutated = tracker.functionalizer.final_inputs()
    if not stores and not tracker.container_calls and not mutated:
        return None, ()
    trace = TraceCtx("epilogue")
    trace.pass_name = "epilogue"
    trace.decorators = ["@torch.no_grad()"]  # writing back is not part of autograd
    trace._names = set(computation._names)
    values = ObjectProxy("values")
    trace.args = [ObjectProxy("args"), ObjectProxy("kwargs"), values]
    trace._names.update(("args", "kwargs", "values"))
    materialize = materializer(tracker, trace)
    outputs = []

    def replayable(value, what):
        """The epilogue's name for a value the traced code put somewhere outside."""
        value = tracker.functionalizer.current(value)
        if isinstance(value, torch.Tensor):
            value = tracker.tensor_proxy(value)
        if isinstance(value, Proxy):
            out = ObjectProxy(trace.make_name("v"))
            trace.bound_symbols.append(
                BoundSymbol(_index_values, (values, len(outputs)), {}, out))
            outputs.append(value)
            return out
        if is_constant_value(value):
            return value
        if type(value) in (list, tuple) and tracker.prov_of(value) is None:
            return type(value)(replayable(v, what) for v in value)
        if tracker.prov_of(value) is not None:
            return materialize(tracker.prov_of(value))
        raise unsupported(f"{what} a {type(value).__name__} made inside the jitted function "
                          f"to an object from outside it")

    for obj, name, value in stores:
        value = replayable(value, f"assigning attribute {name!r}:")
        target = materialize(tracker.prov_of(obj))
        trace.bound_symbols.append(BoundSymbol(store_attr, (target, name, value), {}, None))
    for target, value in mutated:  # NOTE [in-place operations]: write back into the caller's
        value = replayable(value, "")
        destination = materialize(tracker.input_prov[id(target)])
        trace.bound_symbols.append(BoundSymbol(copy_into, (destination, value), {}, None))
    for container, name, args in tracker.container_calls:
        args = tuple(replayable(a, f"{type(container).__name__}.{name}: adding") for a in args)
        target = materialize(tracker.prov_of(container))
        trace.bound_symbols.append(BoundSymbol(call_method, (target, name, args), {}, None))
    trace.output = None
    return trace, tuple(outputs)


def _print_copy_into(bsym, constants):
    destination, value = bsym.args
    return [f"{destination.name}.copy_({value.name})"]


copy_into = Symbol("copy_into", None, module_alias="epilogue", module=None, is_prim=True,
                   printer=_print_copy_into, impl=_not_runnable, tags={"effectful"})


def _print_call_method(bsym, constants):
    target, name, args = bsym.args
    arguments = ", ".join(a.name if isinstance(a, Proxy) else to_source(a, constants)
                          for a in args)
    return [f"{target.name}.{name}({arguments})"]


call_method = Symbol("call_method", None, module_alias="epilogue", module=None, is_prim=True,
                     printer=_print_call_method, impl=_not_runnable, tags={"effectful"})


def _print_index(bsym, constants):
    values, index = bsym.args
    return [f"{bsym.output.name} = {values.name}[{index}]"]


_index_values = Symbol("index", None, module_alias="epilogue", module=None, is_prim=True,
                       printer=_print_index, impl=_not_runnable)
