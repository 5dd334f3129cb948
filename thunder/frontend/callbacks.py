"""The interpreter callbacks of ``thunder.jit``: lookasides and provenance.

``JitCallbacks`` decides, for every call the interpreter meets, whether it is a torch operation
(sent to the torch-level symbol, see ``thunder.torch.registry``), Thunder's own code (run
natively), a special case (``nn.Module.__call__``, ``isinstance``, grad mode), or ordinary
Python (interpreted). Every value read from outside goes through the ``ProvenanceTracker``.
See NOTE [calls into torch] below.
"""

import builtins
import dis
import functools
import inspect
import random
import types

import torch

from thunder.core.proxies import Proxy, ProxyError, TensorProxy, tensor_methods
from thunder.core.symbol import DataDependentShape, Symbol, TracingError
from thunder.core.tracectx import get_tracectx
from thunder.executors.naming import operation_name
from thunder.interpreter import InterpreterCallbacks, InterpreterError, interpret_call
from thunder.frontend.datadependent import ConcreteEvaluator, specialized_call
from thunder.frontend.errors import UnsupportedOperationError, unsupported
from thunder.frontend.fallback import fallback_symbol, is_fallback, is_inplace, public_op_path
from thunder.frontend.inplace import (
    FUNCTIONAL_BUILDERS,
    Functionalizer,
    batch_norm_updating_stats,
    functional_name,
)
from thunder.frontend.provenance import ATTR, ITEM, ProvenanceTracker, is_constant_value
from thunder.frontend import pyrandom
from thunder.frontend.epilogue import remember_cell_store, remember_global_store
from thunder.frontend.pynumbers import RuntimeArray, RuntimeNumber, RuntimeValue, \
    contains_runtime
from thunder.frontend.runtimevalues import RuntimeValues, record_print
from thunder.interpreter.state import current_runtime
from thunder.frontend.running_stats import (instance_norm_updates_stats,
                                             instance_norm_updating_stats)
import thunder.torch as ltorch
from thunder.torch import autocast
from thunder.torch.registry import torch_to_thunder

# NOTE [calls into torch]
# A call of a torch callable that Thunder defines (torch.add, Tensor.view, F.softmax...) is
# sent to its symbol, after replacing real tensors among the arguments by proxies. A torch
# callable Thunder does not define raises UnsupportedOperationError if it receives a tensor or
# returns one: running it at trace time would bake its result into the trace. Torch callables
# that neither take nor return tensors (torch.finfo, torch.get_default_dtype) run as they are.

_MODULE_CALLS = {torch.nn.Module.__call__, getattr(torch.nn.Module, "_wrapped_call_impl", None),
                 getattr(torch.nn.Module, "_call_impl", None)} - {None}
_HOOK_DICTS = ("_forward_pre_hooks", "_forward_hooks", "_backward_hooks",
               "_backward_pre_hooks")
_GLOBAL_HOOK_DICTS = ("_global_forward_pre_hooks", "_global_forward_hooks",
                      "_global_backward_hooks", "_global_backward_pre_hooks",
                      "_global_module_registration_hooks")
_module_module = torch.nn.modules.module


def _is_torch_callable(fn) -> bool:
    module = getattr(fn, "__module__", None) or ""
    if module.startswith("torch"):
        return True
    owner = getattr(fn, "__self__", None)
    return isinstance(owner, (torch.Tensor, types.ModuleType)) and (
        getattr(owner, "__name__", "torch").startswith("torch"))


def _contains_tensor(values) -> bool:
    for v in values:
        if isinstance(v, (torch.Tensor, TensorProxy)):
            return True
        if type(v) in (list, tuple) and _contains_tensor(v):
            return True
    return False


class JitCallbacks(InterpreterCallbacks):
    """Callbacks for one tracing of one function."""

    uncatchable = (UnsupportedOperationError, ProxyError, InterpreterError)

    def __init__(self, tracker: ProvenanceTracker, *, fallback: bool = True):
        self.tracker = tracker
        self.fallback = fallback
        self.functionalizer = tracker.functionalizer = Functionalizer(tracker)
        self.evaluate = ConcreteEvaluator(tracker)
        self.numbers = tracker.numbers = RuntimeValues(tracker, self.evaluate, self._caller)
        self._symbol_callers: dict = {}
        self._special = {
            isinstance: self._isinstance,
            torch.is_tensor: lambda obj: isinstance(obj, (torch.Tensor, TensorProxy)),
        }
        for fn in _MODULE_CALLS:
            self._special[fn] = self._module_call
        # torch functions that return a Python bool computed from data: composed at the top
        # level of the trace so their value is checked there (NOTE [data-dependent values])
        for fn in (torch.allclose, torch.Tensor.allclose, ltorch.allclose):
            self._special[fn] = _allclose
        for fn in (torch.equal, torch.Tensor.equal, ltorch.equal):
            self._special[fn] = _equal
        self._special[builtins.print] = self._print
        # x.T, x.data..., iterating a tensor: through the symbols' callers, so that the view
        # and the current value are recorded (NOTE [in-place operations])
        for prop, method in _VIEW_PROPERTIES.items():
            self._special[getattr(TensorProxy, prop).fget] = self._tensor_method(method)
        self._special[TensorProxy.__iter__] = self._iterate
        for builtin in (list, tuple, set, frozenset, enumerate, zip, sum, any, all):
            self._special[builtin] = self._over_rows(builtin)
        # Python numbers known only at run time, random draws: NOTE [runtime numbers] in
        # pynumbers.py and NOTE [Python random draws] in pyrandom.py
        self.random = pyrandom.PythonRandom(
            self.numbers, tracker, lambda c, name, args: self._record_container_call(
                c, name, args, {}))
        self._special[TensorProxy.item] = self._item
        for builtin in (float, int, type):
            self._special[builtin] = functools.partial(_python_builtin, builtin)
        self._special[torch.manual_seed] = pyrandom.record_manual_seed
        self._special[torch.from_numpy] = self._from_numpy
        self._special[torch.tensor] = self._tensor_factory(ltorch.tensor, copy=True)
        self._special[torch.as_tensor] = self._tensor_factory(ltorch.as_tensor, copy=False)
        for make in pyrandom.FACTORIES:
            self._special[make] = self.random.factory(make)
        if pyrandom.numpy is not None:
            self._special[pyrandom.numpy.random.seed] = self.random.numpy_seed

    # -- calls -------------------------------------------------------------------------------
    def lookaside(self, fn):
        try:
            sym = torch_to_thunder.get(fn)
            special = self._special.get(fn)
        except TypeError:  # unhashable callable
            return None
        if special is not None:
            return special
        if sym is not None:
            return self._caller(sym)
        typ = type(fn)
        if typ in _BOUND_METHODS:
            owner = fn.__self__
            if isinstance(owner, pyrandom.GENERATOR_TYPES):
                return self.random.method(fn)
            if isinstance(owner, RuntimeValue):  # Thunder's own code: run natively
                return fn
        if _is_torch_callable(fn):
            path = public_op_path(fn)
            if path is not None:
                return self._unsupported_op(fn, path)
        if typ is types.MethodType:
            owner = fn.__self__
            if isinstance(owner, Proxy):
                func = fn.__func__
                special = self._special.get(func)
                if special is not None:
                    return functools.partial(special, owner)
                if isinstance(func, Symbol):
                    return functools.partial(self._caller(func), owner)
                name = getattr(func, "tensor_method", None)
                if name is not None:
                    return functools.partial(self._tensor_method(name), owner)
                return fn
            special = self._special.get(fn.__func__)
            if special is not None:
                return functools.partial(special, owner)
            return None
        if typ is types.BuiltinMethodType and isinstance(fn.__self__, torch.Tensor):
            sym = torch_to_thunder.get(getattr(torch.Tensor, fn.__name__, None))
            if sym is not None:
                return functools.partial(self._caller(sym), fn.__self__)
            return None
        if typ is types.FunctionType:
            name = getattr(fn, "tensor_method", None)
            if name is not None:
                return self._tensor_method(name)
            module = fn.__module__ or ""
            if module.startswith("thunder.") and not module.startswith("thunder.tests"):
                return fn
        return None

    def _iterate(self, tensor):
        if not tensor.shape:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self._caller(tensor_methods["unbind"])(tensor, 0))

    def _over_rows(self, builtin):
        """``list(x)``, ``zip(x, y)``...: the builtin, natively, over rows taken by ``_iterate``."""

        def call(*args, **kwargs):
            args = tuple(tuple(self._iterate(a)) if isinstance(a, TensorProxy) and a.shape
                         else a for a in args)
            self.on_opaque_call(builtin, args, kwargs)
            return self.on_opaque_result(builtin, args, kwargs, builtin(*args, **kwargs))

        return call

    def _tensor_method(self, name):
        """A Tensor operator or method on a proxy: its symbol, or an error naming the line."""
        sym = tensor_methods.get(name)
        if sym is not None:
            return self._caller(sym)
        if _functional_symbol(name) is not None:
            return self._inplace_method(name)

        def missing(*args, **kwargs):
            hint = ("in-place updates of tensors are not supported yet"
                    if name.startswith("__i") or name == "__setitem__" else "")
            raise unsupported(f"the Tensor operation {name}", hint)

        return missing

    def _inplace_method(self, name):
        """``x.add_(y)``, ``x += y``, ``x[k] = v``: traced out of place, see NOTE [in-place
        operations]."""
        functionalizer = self.functionalizer
        builder = FUNCTIONAL_BUILDERS.get(name)
        if builder is None:
            functional = self._caller(_functional_symbol(name))
        else:
            current = functionalizer.current
            concrete = self.numbers.concrete  # NOTE [runtime numbers]: values, specialised

            def functional(target, *args, **kwargs):
                args, kwargs = concrete(args), concrete(kwargs)
                return builder(current(target), *(current(a) for a in args),
                               **{k: current(v) for k, v in kwargs.items()})


        def call(target, *args, **kwargs):
            if name != "__setitem__":
                functionalizer.check_operands(target, (args, kwargs), name)
            functionalizer.update(target, functional(target, *args, **kwargs), name)
            return None if name == "__setitem__" else target

        return call

    def _unsupported_op(self, fn, path):
        """A public torch operation Thunder does not define: eager fallback or an error."""

        def call(*args, **kwargs):
            if not (_contains_tensor(args) or _contains_tensor(kwargs.values())):
                return self.call_opaque_torch(fn, path, args, kwargs)
            if not self.fallback:
                raise unsupported(f"the torch operation {path}",
                                  "strict mode is on, so there is no eager fallback")
            if is_inplace(path):
                raise unsupported(f"the in-place torch operation {path}")
            try:
                return self._caller(fallback_symbol(fn, path))(*args, **kwargs)
            except UnsupportedOperationError:
                raise
            except Exception as e:
                if not _needs_data(e):
                    raise unsupported(f"the torch operation {path}",
                                      f"its eager fallback could not compute the output's "
                                      f"metadata ({type(e).__name__}: {e})")
            # the output shape depends on the data: NOTE [data-dependent values]
            args = tuple(self.functionalizer.current(a) for a in args)
            kwargs = {k: self.functionalizer.current(v) for k, v in kwargs.items()}
            return specialized_call(self.evaluate, fn, path, args, kwargs)

        return call

    def missing_tensor_method(self, proxy, name):
        """``proxy.name`` for a Tensor method Thunder does not define: its fallback, bound."""
        if _functional_symbol(name) is not None:
            return functools.partial(self._inplace_method(name), proxy)
        fn = getattr(torch.Tensor, name, None)
        if not callable(fn):
            return None
        return functools.partial(self._unsupported_op(fn, f"torch.Tensor.{name}"), proxy)

    def call_opaque_torch(self, fn, path, args, kwargs):
        """A torch operation without tensor arguments: run it, record it if it makes one."""
        result = fn(*args, **kwargs)
        if not _contains_tensor([result]):
            return result
        if not self.fallback:
            raise unsupported(f"the torch operation {path}",
                              "strict mode is on, so there is no eager fallback")
        return self._caller(fallback_symbol(fn, path))(*args, **kwargs)

    def _caller(self, sym):
        caller = self._symbol_callers.get(sym)
        if caller is None:
            tracker = self.tracker
            functionalizer = self.functionalizer
            numbers = self.numbers
            inplace_position = _inplace_parameter_position(sym)

            def caller(*args, **kwargs):
                if numbers.active and (contains_runtime(args) or
                                       contains_runtime(kwargs.values())):
                    args, kwargs = numbers.convert_arguments(sym, args, kwargs)
                if _contains_tensor_leaf(args) or _contains_tensor_leaf(kwargs.values()):
                    args = tuple(tracker.wrap_unknown(a) for a in args)
                    kwargs = {k: tracker.wrap_unknown(v) for k, v in kwargs.items()}
                target = _inplace_target(args, kwargs, inplace_position)
                if target is not None:  # F.relu(x, inplace=True): NOTE [in-place operations]
                    args, kwargs = _without_inplace(args, kwargs, inplace_position)
                if sym is ltorch.batch_norm and _updates_running_stats(args, kwargs):
                    return batch_norm_updating_stats(functionalizer, *args, **kwargs)
                if sym is ltorch.instance_norm and instance_norm_updates_stats(args, kwargs):
                    return instance_norm_updating_stats(functionalizer, *args, **kwargs)
                held = args  # the proxies the user holds (views are recorded for them)
                if functionalizer.latest:
                    args = tuple(functionalizer.current(a) for a in args)
                    kwargs = {k: functionalizer.current(v) for k, v in kwargs.items()}
                if autocast.is_enabled():
                    args, kwargs = autocast.autocast_arguments(sym.name, args, kwargs)
                try:
                    output = sym(*args, **kwargs)
                except (UnsupportedOperationError, ProxyError, InterpreterError):
                    raise
                except NotImplementedError as e:
                    # an output shape that depends on the data: NOTE [data-dependent values]
                    if isinstance(e, DataDependentShape) or is_fallback(sym):
                        return specialized_call(self.evaluate, sym.impl, operation_name(sym),
                                                args, kwargs)
                    raise unsupported(f"{sym.print_name}: {e}") from e
                except TracingError as e:
                    raise unsupported(f"{sym.print_name} with these arguments", str(e)) from e
                functionalizer.note_views(sym, held, args, kwargs, output)
                if target is not None:
                    functionalizer.update(target, output, f"{sym.name}(inplace=True)")
                    return target
                return output

            caller.__name__ = sym.name
            self._symbol_callers[sym] = caller
        return caller

    def on_opaque_call(self, fn, args, kwargs):
        owner = getattr(fn, "__self__", None)
        if isinstance(owner, random.Random) or getattr(fn, "__module__", None) in _NUMPY_RANDOM:
            # draws and seeds are looked aside (NOTE [Python random draws]); not the rest
            raise unsupported(f"the random number generator function {_name_of(fn)}")
        if type(owner) in (list, dict, set) and getattr(fn, "__name__", "") in _MUTATORS and \
                self.tracker.prov_of(owner) is not None:
            self._record_container_call(owner, fn.__name__, args, kwargs)
        if _is_torch_callable(fn) and (_contains_tensor(args) or
                                       _contains_tensor(kwargs.values())):
            raise unsupported(f"the torch operation {_name_of(fn)}")
        self.functionalizer.before_native_call(fn, args)  # NOTE [in-place operations]

    def _record_container_call(self, container, name, args, kwargs):
        """A mutation of a container from outside: done now (later reads see it), undone
        after tracing, replayed by the epilogue at every call (see ``epilogue.py``)."""
        if kwargs:
            raise unsupported(f"{type(container).__name__}.{name} with keyword arguments on a "
                              f"container from outside the jitted function")
        tracker = self.tracker
        if id(container) not in tracker.container_snapshots:
            tracker.container_snapshots[id(container)] = (container, type(container)(container))
        tracker.container_calls.append((container, name, args))

    def on_opaque_result(self, fn, args, kwargs, result):
        self.functionalizer.after_native_call(fn)
        if isinstance(result, torch.Tensor):
            if _is_torch_callable(fn):
                raise unsupported(f"the torch operation {_name_of(fn)}")
            return self.tracker.wrap_unknown(result)
        if type(result) in (list, tuple):
            return self.tracker.wrap_unknown(result)
        if isinstance(result, pyrandom.GENERATOR_TYPES):
            self.random.made_elsewhere(result)
        return result

    def _print(self, *args, **kwargs):
        current = self.functionalizer.current
        args = tuple(current(a) for a in args)
        if self.numbers.active and contains_runtime(args):
            return record_print(self.numbers, args, kwargs)
        _record_print(*args, **kwargs)

    def _item(self, proxy):
        """``t.item()``: a runtime number (NOTE [runtime numbers]) where it can be one."""
        proxy = self.functionalizer.current(proxy)
        number = self.numbers.item(proxy)
        return proxy.item() if number is None else number

    def _tensor_factory(self, sym, copy):
        """``torch.tensor``/``torch.as_tensor``, of data with runtime numbers or arrays too."""
        numbers = self.numbers

        def factory(*args, **kwargs):
            if numbers.active and (contains_runtime(args) or contains_runtime(kwargs.values())):
                return numbers.tensor_from_data(copy, *args, **kwargs)
            return self._caller(sym)(*args, **kwargs)

        return factory

    def _from_numpy(self, array):
        if isinstance(array, RuntimeArray):
            return array.tensor
        return self._unsupported_op(torch.from_numpy, "torch.from_numpy")(array)

    def _isinstance(self, obj, cls):
        if isinstance(obj, RuntimeNumber):  # it stands for a Python number
            return isinstance(obj.pytype(0), cls)
        if isinstance(obj, RuntimeArray):
            return issubclass(pyrandom.numpy.ndarray, cls)
        if isinstance(obj, TensorProxy):
            classes = cls if isinstance(cls, tuple) else (cls,)
            if any(isinstance(c, type) and issubclass(torch.Tensor, c) for c in classes):
                return True
        return isinstance(obj, cls)

    def _module_call(self, module, *args, **kwargs):
        """nn.Module.__call__: run the forward pre-hooks, forward and forward hooks."""
        tracker = self.tracker
        prov = tracker.prov_of(module)
        hooks = {}
        for name in _HOOK_DICTS:
            d = module.__dict__.get(name) or {}
            hooks[name] = d
            if prov is not None:
                self._guard_hook_dict(tracker.child(prov, ATTR, name), d)
        for name in _GLOBAL_HOOK_DICTS:
            d = getattr(_module_module, name, None)
            if d is not None:
                self._guard_hook_dict(tracker.child(tracker.const_root(_module_module), ATTR,
                                                    name), d)
                hooks[name] = d
        if hooks["_backward_hooks"] or hooks["_backward_pre_hooks"] or hooks.get(
                "_global_backward_hooks") or hooks.get("_global_backward_pre_hooks"):
            raise unsupported("module backward hooks")
        pre_with_kwargs = module.__dict__.get("_forward_pre_hooks_with_kwargs", {})
        for hook_id, hook in [*hooks.get("_global_forward_pre_hooks", {}).items(),
                              *hooks["_forward_pre_hooks"].items()]:
            if hook_id in pre_with_kwargs:
                result = interpret_call(hook, module, args, kwargs)
                if result is not None:
                    args, kwargs = result
            else:
                result = interpret_call(hook, module, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        output = interpret_call(module.forward, *args, **kwargs)
        with_kwargs = module.__dict__.get("_forward_hooks_with_kwargs", {})
        for hook_id, hook in [*hooks.get("_global_forward_hooks", {}).items(),
                              *hooks["_forward_hooks"].items()]:
            if hook_id in with_kwargs:
                result = interpret_call(hook, module, args, kwargs, output)
            else:
                result = interpret_call(hook, module, args, output)
            if result is not None:
                output = result
        return output

    def _guard_hook_dict(self, prov, d):
        if not d:
            self.tracker.guard("empty", prov)
            return
        self.tracker.guard("len", prov, len(d))
        for hook_id, hook in d.items():
            self.tracker.guard("is", self.tracker.child(prov, ITEM, hook_id), hook)

    # -- reads from outside ------------------------------------------------------------------
    def on_load_global(self, globals_dict, name, value):
        if globals_dict is _BUILTINS:
            return value
        tracker = self.tracker
        if (id(globals_dict), name) in getattr(tracker, "item_stores", ()):
            return value  # assigned by the traced code: what it assigned
        prov = tracker.child(tracker.const_root(globals_dict), ITEM, name)
        return self._read_outside(value, prov, "STORE_GLOBAL", name)

    def on_load_deref(self, cell, name, value):
        tracker = self.tracker
        if (id(cell), "cell_contents") in tracker.stores:
            return value
        prov = tracker.child(tracker.const_root(cell), ATTR, "cell_contents")
        return self._read_outside(value, prov, "STORE_DEREF", name)

    def _read_outside(self, value, prov, store, name):
        """``tracker.wrap``, except for an int or float that the code reading it also assigns
        (``self.calls += 1``): a runtime number, NOTE [runtime numbers] in pynumbers.py."""
        if type(value) in (int, float) and _assigned_here(store, name):
            number = self.numbers.from_outside(value, prov)
            if number is not None:
                return number
        return self.tracker.wrap(value, prov)

    def on_load_attr(self, obj, name, value):
        if isinstance(obj, Proxy):
            return value
        if isinstance(obj, types.ModuleType):
            return self.tracker.wrap_unknown(value) if isinstance(value, torch.Tensor) else value
        tracker = self.tracker
        parent = tracker.prov_of(obj)
        if parent is None or (id(obj), name) in tracker.stores:
            if isinstance(value, torch.Tensor):
                return tracker.wrap_unknown(value)
            return value
        if type(value) is types.MethodType or (
                not isinstance(value, torch.Tensor) and not is_constant_value(value)
                and isinstance(value, (types.BuiltinMethodType, types.FunctionType))):
            return value
        return self._read_outside(value, tracker.child(parent, ATTR, name), "STORE_ATTR", name)

    def on_subscr(self, obj, key, value):
        if isinstance(obj, Proxy) or isinstance(value, Proxy):
            return value
        tracker = self.tracker
        parent = tracker.prov_of(obj)
        if parent is None or not is_constant_value(key) or isinstance(key, tuple):
            return tracker.wrap_unknown(value) if isinstance(value, torch.Tensor) else value
        return tracker.wrap(value, tracker.child(parent, ITEM, key))

    def on_store_global(self, globals_dict, name, value):
        """Like ``on_store_attr``, for ``global name; name = value``."""
        remember_global_store(self.tracker, globals_dict, name)
        return False

    def on_store_deref(self, cell, name, value):
        """Like ``on_store_attr``, for ``nonlocal name; name = value`` on a cell from outside."""
        remember_cell_store(self.tracker, cell)
        return False

    def on_store_attr(self, obj, name, value):
        """An assignment to an object from outside: done now, undone after tracing, and
        replayed by the epilogue at every call (see ``epilogue.py``)."""
        tracker = self.tracker
        if isinstance(obj, (type, types.ModuleType)) and tracker.prov_of(obj) is None:
            tracker.const_root(obj)  # a class or module from outside (held by reference)
        if isinstance(obj, Proxy) or tracker.prov_of(obj) is None:
            return False
        if isinstance(obj, torch.nn.Module) and (
                name in obj._parameters or name in obj._buffers or name in obj._modules):
            raise unsupported(f"assigning the parameter, buffer or submodule {name!r} of a "
                              f"module inside a jitted function")
        key = (id(obj), name)
        if key not in tracker.stores:
            attributes = getattr(obj, "__dict__", None)
            if attributes is None:
                raise unsupported(f"assigning attribute {name!r} of a "
                                  f"{type(obj).__name__} object (it has no __dict__)")
            tracker.stores[key] = (obj, name, name in attributes, attributes.get(name))
        return False


_VIEW_PROPERTIES = {"T": "T", "mT": "mT", "H": "H", "mH": "mH", "real": "real", "imag": "imag",
                    "data": "detach"}

_NUMPY_RANDOM = frozenset({"numpy.random", "numpy.random.mtrand", "numpy.random._generator"})

# print() runs at every call of the computation, with the runtime values of its tensors
def _print_at_run_time(*args, **kwargs):
    """``print`` in the computation; silent when the ConcreteEvaluator runs part of the trace
    while tracing (NOTE [data-dependent values])."""
    if get_tracectx() is None:
        builtins.print(*args, **kwargs)


_print_symbol = Symbol("print", lambda *args, **kwargs: None, module_alias="builtins",
                       module=builtins, impl=_print_at_run_time, is_prim=True,
                       tags={"effectful", "prints"})


def _record_print(*args, **kwargs):
    _print_symbol(*args, **kwargs)  # (args already hold current values, see _special)


def _allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    close = ltorch.isclose(input, other, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return bool(ltorch.all(close))


def _equal(input, other):
    if tuple(input.shape) != tuple(other.shape):
        return False
    return bool(ltorch.all(ltorch.eq(input, other)))


_MUTATORS = frozenset({
    "append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "__setitem__",
    "__delitem__", "update", "setdefault", "popitem", "add", "discard", "__iadd__",
})


def _functional_symbol(name):
    """What computes in-place method ``name`` out of place (a symbol or a builder), or None."""
    if name in FUNCTIONAL_BUILDERS:
        return FUNCTIONAL_BUILDERS[name]
    functional = functional_name(name)
    if functional == "setitem":
        return ltorch.setitem
    return tensor_methods.get(functional) if functional is not None else None


def _inplace_parameter_position(sym):
    """The position of an ``inplace`` parameter of the symbol's signature, or None."""
    try:
        parameters = list(inspect.signature(sym.meta).parameters)
    except (TypeError, ValueError):
        return None
    return parameters.index("inplace") if "inplace" in parameters else None


def _inplace_target(args, kwargs, position):
    if position is None:
        return None
    flag = kwargs.get("inplace", args[position] if len(args) > position else False)
    if flag is True and args and isinstance(args[0], TensorProxy):
        return args[0]
    return None


def _without_inplace(args, kwargs, position):
    if "inplace" in kwargs:
        return args, {**kwargs, "inplace": False}
    return args[:position] + (False,) + args[position + 1:], kwargs


def _updates_running_stats(args, kwargs):
    names = ("input", "running_mean", "running_var", "weight", "bias", "training")
    bound = dict(zip(names, args))
    bound.update(kwargs)
    return bool(bound.get("training")) and (bound.get("running_mean") is not None or
                                            bound.get("running_var") is not None)


def _needs_data(error) -> bool:
    """Did running an operation on "meta" tensors fail because it needs the data?"""
    text = str(error)
    return isinstance(error, NotImplementedError) or "meta" in text or "data-dependent" in text


def _contains_tensor_leaf(values) -> bool:
    for v in values:
        if type(v) is torch.Tensor or isinstance(v, torch.Tensor):
            return True
        if type(v) in (list, tuple):
            for x in v:
                if isinstance(x, torch.Tensor):
                    return True
    return False


_BOUND_METHODS = (types.MethodType, types.BuiltinMethodType)


def _python_builtin(builtin, *args, **kwargs):
    """``float(n)``, ``int(n)`` and ``type(n)`` of a runtime number stay at run time (NOTE
    [runtime numbers]); other calls are the builtin's."""
    if len(args) == 1 and not kwargs and isinstance(args[0], RuntimeNumber):
        number = args[0]
        if builtin is type:
            return number.pytype
        return number.as_float() if builtin is float else number.__trunc__()
    return builtin(*args, **kwargs)


@functools.lru_cache(maxsize=1024)
def _assigned_names(code, opname) -> frozenset:
    return frozenset(i.argval for i in dis.get_instructions(code) if i.opname == opname)


def _assigned_here(opname, name) -> bool:
    """Does the code being interpreted assign ``name`` (``opname``: ``STORE_ATTR``...)?"""
    runtime = current_runtime()
    if runtime is None or not runtime.frames:
        return False
    return name in _assigned_names(runtime.frames[-1].info.code, opname)


def _name_of(fn) -> str:
    module = getattr(fn, "__module__", None)
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", repr(fn))
    return f"{module}.{name}" if module else name


_BUILTINS = builtins.__dict__
