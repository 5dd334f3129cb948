"""The epilogue: what a call changes outside the function, replayed after the computation.

While tracing, an assignment like ``self.last = h`` or ``self.calls += 1`` on an object from
outside the function really happens (so the rest of the trace reads it back), is undone when
tracing ends, and is recorded. The epilogue trace replays the final value of each such
attribute at every call: a constant is assigned as is, a tensor is an extra output of the
computation (``values[i]``).
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
    """Undo the traced assignments; return (obj, name, final value) for each one."""
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
    if not stores:
        return None, ()
    trace = TraceCtx("epilogue")
    trace.pass_name = "epilogue"
    trace._names = set(computation._names)
    values = ObjectProxy("values")
    trace.args = [ObjectProxy("args"), ObjectProxy("kwargs"), values]
    trace._names.update(("args", "kwargs", "values"))
    materialize = materializer(tracker, trace)
    outputs = []
    for obj, name, value in stores:
        if isinstance(value, torch.Tensor):
            value = tracker.tensor_proxy(value)
        if isinstance(value, Proxy):
            out = ObjectProxy(trace.make_name("v"))
            trace.bound_symbols.append(
                BoundSymbol(_index_values, (values, len(outputs)), {}, out))
            outputs.append(value)
            value = out
        elif not is_constant_value(value):
            raise unsupported(f"assigning a {type(value).__name__} to attribute {name!r} of an "
                              f"object from outside the jitted function")
        target = materialize(tracker.prov_of(obj))
        trace.bound_symbols.append(BoundSymbol(store_attr, (target, name, value), {}, None))
    trace.output = None
    return trace, tuple(outputs)


def _print_index(bsym, constants):
    values, index = bsym.args
    return [f"{bsym.output.name} = {values.name}[{index}]"]


_index_values = Symbol("index", None, module_alias="epilogue", module=None, is_prim=True,
                       printer=_print_index, impl=_not_runnable)
