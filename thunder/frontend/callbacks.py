"""The interpreter callbacks of ``thunder.jit``: lookasides and provenance.

``JitCallbacks`` decides, for every call the interpreter meets, whether it is a torch operation
(sent to the torch-level symbol, see ``thunder.torch.registry``), Thunder's own code (run
natively), a special case (``nn.Module.__call__``, ``isinstance``, grad mode), or ordinary
Python (interpreted). Every value read from outside goes through the ``ProvenanceTracker``.
See NOTE [calls into torch] below.
"""

import builtins
import functools
import inspect
import random
import types

import torch

from thunder.core.proxies import Proxy, ProxyError, TensorProxy, tensor_methods
from thunder.core.symbol import DataDependentShape, Symbol, TracingError
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

            def functional(target, *args, **kwargs):
                return builder(current(target), *(current(a) for a in args),
                               **{k: current(v) for k, v in kwargs.items()})


        def call(target, *args, **kwargs):
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
            inplace_position = _inplace_parameter_position(sym)

            def caller(*args, **kwargs):
                if _contains_tensor_leaf(args) or _contains_tensor_leaf(kwargs.values()):
                    args = tuple(tracker.wrap_unknown(a) for a in args)
                    kwargs = {k: tracker.wrap_unknown(v) for k, v in kwargs.items()}
                target = _inplace_target(args, kwargs, inplace_position)
                if target is not None:  # F.relu(x, inplace=True): NOTE [in-place operations]
                    args, kwargs = _without_inplace(args, kwargs, inplace_position)
                if sym is ltorch.batch_norm and _updates_running_stats(args, kwargs):
                    return batch_norm_updating_stats(functionalizer, *args, **kwargs)
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
                functionalizer.note_views(sym.name, args, output)
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
            raise unsupported(f"the random number generator {_name_of(fn)}",
                              "its value would be fixed when tracing; use torch.rand and "
                              "friends, which draw fresh numbers at every call")
        if type(owner) in (list, dict, set) and getattr(fn, "__name__", "") in _MUTATORS and \
                self.tracker.prov_of(owner) is not None:
            self._record_container_call(owner, fn.__name__, args, kwargs)
        if _is_torch_callable(fn) and (_contains_tensor(args) or
                                       _contains_tensor(kwargs.values())):
            raise unsupported(f"the torch operation {_name_of(fn)}")

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
        if isinstance(result, torch.Tensor):
            if _is_torch_callable(fn):
                raise unsupported(f"the torch operation {_name_of(fn)}")
            return self.tracker.wrap_unknown(result)
        if type(result) in (list, tuple):
            return self.tracker.wrap_unknown(result)
        return result

    def _print(self, *args, **kwargs):
        current = self.functionalizer.current
        _record_print(*(current(a) for a in args), **kwargs)

    def _isinstance(self, obj, cls):
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
        prov = self.tracker.child(self.tracker.const_root(globals_dict), ITEM, name)
        return self.tracker.wrap(value, prov)

    def on_load_deref(self, cell, name, value):
        prov = self.tracker.child(self.tracker.const_root(cell), ATTR, "cell_contents")
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
        return tracker.wrap(value, tracker.child(parent, ATTR, name))

    def on_subscr(self, obj, key, value):
        if isinstance(obj, Proxy) or isinstance(value, Proxy):
            return value
        tracker = self.tracker
        parent = tracker.prov_of(obj)
        if parent is None or not is_constant_value(key) or isinstance(key, tuple):
            return tracker.wrap_unknown(value) if isinstance(value, torch.Tensor) else value
        return tracker.wrap(value, tracker.child(parent, ITEM, key))

    def on_store_attr(self, obj, name, value):
        """An assignment to an object from outside: done now, undone after tracing, and
        replayed by the epilogue at every call (see ``epilogue.py``)."""
        tracker = self.tracker
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


_NUMPY_RANDOM = frozenset({"numpy.random", "numpy.random.mtrand", "numpy.random._generator"})

# print() runs at every call of the computation, with the runtime values of its tensors
_print_symbol = Symbol("print", lambda *args, **kwargs: None, module_alias="builtins",
                       module=builtins, impl=builtins.print, is_prim=True, tags={"effectful"})


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


def _name_of(fn) -> str:
    module = getattr(fn, "__module__", None)
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", repr(fn))
    return f"{module}.{name}" if module else name


_BUILTINS = builtins.__dict__
