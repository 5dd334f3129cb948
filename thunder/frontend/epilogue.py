"""The epilogue: what a call changes outside the function, replayed after the computation.

While tracing, an assignment like ``self.last = h`` or ``self.calls += 1`` on an object from
outside the function, an assignment to a global (``global COUNT; COUNT += 1``) or to a closure
variable from outside (``nonlocal``), or a mutation of a container from outside
(``log.append(x)``, ``cache[key] = t``), really happens (so the rest of the trace reads it
back), is undone when tracing ends, and is recorded. The epilogue trace replays them at every
call: the final value of each attribute, global and closure variable, then each container
mutation in order. A constant is used as is, a tensor is an extra output of the computation
(``values[i]``), and so is a number known only at run time (``self.calls += 1``: NOTE [runtime
numbers] in ``pynumbers.py``), turned back into a Python number with ``.item()``. The epilogue
runs after the whole computation, so a computation that stops at a data check
(``DataMismatch``) has no effect; for the same reason the computation's ``print`` calls are
moved after its last data check when the epilogue is built.
"""

import types

import torch

from thunder.core.codeutils import is_safe_identifier, to_source
from thunder.core.proxies import Proxy
from thunder.core.symbol import BoundSymbol, Symbol
from thunder.core.trace import TraceCtx
from thunder.frontend.datadependent import check_data_symbol, check_shapes_symbol
from thunder.frontend.errors import unsupported
from thunder.frontend.prologue import ObjectProxy, materializer
from thunder.frontend.provenance import is_constant_value
from thunder.frontend.pynumbers import RuntimeArray, RuntimeValue


def finish_stores(tracker):
    """Undo the traced assignments and container mutations; return (obj, name, final value)
    for each assignment (``name`` is ``("item", key)`` for a global, stored in its dict)."""
    for container, snapshot in tracker.container_snapshots.values():
        if type(container) is list:
            container[:] = snapshot
        else:
            container.clear()
            container.update(snapshot)
    stores = []
    for obj, name, had, original in tracker.stores.values():
        attributes = _namespace(obj)
        if name in attributes:
            stores.append((obj, name, attributes[name]))
        if had:
            attributes[name] = original
        else:
            attributes.pop(name, None)
    for namespace, key, had, original in getattr(tracker, "item_stores", {}).values():
        if key in namespace:
            stores.append((namespace, ("item", key), namespace[key]))
        if had:
            namespace[key] = original
        else:
            namespace.pop(key, None)
    return stores


def remember_global_store(tracker, namespace, key):
    """``global key; key = ...`` seen while tracing: remembered, to be undone and replayed."""
    stores = tracker.__dict__.setdefault("item_stores", {})
    if (id(namespace), key) not in stores:
        tracker.const_root(namespace)
        stores[(id(namespace), key)] = (namespace, key, key in namespace, namespace.get(key))


def remember_cell_store(tracker, cell):
    """A store into a closure cell from outside (``nonlocal``) seen while tracing."""
    if (id(cell), "cell_contents") not in tracker.stores:
        tracker.const_root(cell)
        contents = _CellContents(cell)
        had = "cell_contents" in contents
        tracker.stores[(id(cell), "cell_contents")] = (
            cell, "cell_contents", had, contents["cell_contents"] if had else None)


def _namespace(obj):
    """Where an object's attributes live, as a dict: its ``__dict__``, or a stand-in."""
    if type(obj) is types.CellType:
        return _CellContents(obj)
    if isinstance(obj, type):
        return _ClassAttributes(obj)
    return obj.__dict__


class _ClassAttributes:
    """A class's attributes as a dict (its ``__dict__`` is read-only)."""

    def __init__(self, cls):
        self.cls = cls

    def __contains__(self, name):
        return name in self.cls.__dict__

    def __getitem__(self, name):
        return self.cls.__dict__[name]

    def __setitem__(self, name, value):
        setattr(self.cls, name, value)

    def pop(self, name, default=None):
        if name in self:
            delattr(self.cls, name)


class _CellContents:
    """A closure cell seen as a one-entry dict ``{"cell_contents": value}``."""

    def __init__(self, cell):
        self.cell = cell

    def __contains__(self, name):
        try:
            self.cell.cell_contents
        except ValueError:  # an empty cell
            return False
        return True

    def __getitem__(self, name):
        return self.cell.cell_contents

    def __setitem__(self, name, value):
        self.cell.cell_contents = value

    def pop(self, name, default=None):
        if name in self:
            del self.cell.cell_contents


def _print_store(bsym, constants):
    target, name, value = bsym.args
    source = to_source(value, constants) if not isinstance(value, Proxy) else value.name
    if type(name) is tuple:  # ("item", key): a global, stored in its module's dict
        return [f"{target.name}[{to_source(name[1], constants)}] = {source}"]
    if is_safe_identifier(name):
        return [f"{target.name}.{name} = {source}"]
    return [f"setattr({target.name}, {to_source(name)}, {source})"]


def _not_runnable(*args):
    raise NotImplementedError("epilogue symbols only run as printed code")


store_attr = Symbol("store_attr", None, module_alias="epilogue", module=None, is_prim=True,
                    printer=_print_store, impl=_not_runnable, tags={"effectful"})


def build_epilogue(tracker, stores, computation: TraceCtx):
    """(epilogue trace, tensor values the computation must also return), or (None, ())."""
    numbers = getattr(tracker, "numbers", None)
    if numbers is not None and numbers.active:
        numbers.check_trace(computation)
    _print_after_checks(computation)
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
        if isinstance(value, RuntimeValue):  # NOTE [runtime numbers]: that call's value
            tensor = replayable(value.tensor, what)
            out = ObjectProxy(trace.make_name("n"))
            method = "numpy" if isinstance(value, RuntimeArray) else "item"
            trace.bound_symbols.append(BoundSymbol(_to_python, (tensor, method), {}, out))
            return out
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
        what = (f"assigning global {name[1]!r}:" if type(name) is tuple else
                f"assigning attribute {name!r}:")
        value = replayable(value, what)
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


def _print_after_checks(computation):
    """Move the prints of the computation that come before its last data check to just after
    it: like the epilogue's effects, a print happens only in a run that passes every check
    (NOTE [data-dependent values]), so a call retried on another entry prints once."""
    bsyms = computation.bound_symbols
    last_check = max((i for i, b in enumerate(bsyms) if b.sym in _CHECKS), default=0)
    early = [b for b in bsyms[:last_check] if "prints" in b.sym.tags]
    if early:
        rest = [b for b in bsyms[:last_check + 1] if "prints" not in b.sym.tags]
        computation.bound_symbols[:] = rest + early + bsyms[last_check + 1:]


_CHECKS = (check_data_symbol, check_shapes_symbol)


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


def _print_to_python(bsym, constants):
    tensor, method = bsym.args
    return [f"{bsym.output.name} = {tensor.name}.{method}()"]


_to_python = Symbol("to_python", None, module_alias="epilogue", module=None, is_prim=True,
                    printer=_print_to_python, impl=_not_runnable)
