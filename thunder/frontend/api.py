"""``thunder.jit`` and the functions that inspect a jitted callable.

A call of a jitted function computes its cache key (see ``signature.py``), runs the prologue of
the entries stored under that key until one accepts the call, and runs that entry's
computation. A call no entry accepts is a cache miss: the function is traced again and a new
entry is added. See NOTE [the cached call path].
"""

import time
import warnings

import torch

from thunder.executors import torchex  # noqa: F401  (registers the torch executor)
from thunder.executors.extend import Executor, get_default_executors, get_executor
from thunder.frontend.datadependent import DataMismatch, check_data_symbol
from thunder.frontend.errors import UnsupportedOperationError
from thunder.frontend.exotic import ExoticTensorError, input_reason
from thunder.frontend.pipeline import compile_entry
from thunder.frontend.pyrandom import generators_of, restore_states, save_states
from thunder.core.pytree import tree_unflatten
from thunder.transforms.dce import is_effectful
from thunder.frontend.prologue import prologue_callable as epilogue_callable
from thunder.frontend.signature import call_key, check_call, describe_key_change
from thunder.frontend.tracing import trace_call

RECOMPILE_WARNING_THRESHOLD = 8

# NOTE [the cached call path]
# ThunderFunction.__call__ is the hot path: one key computation, one dict lookup, the entry's
# prologue (straight-line Python generated for that entry) and its computation. Everything
# that can be decided when tracing is decided then. Statistics are plain integer increments.
# Calls that run eagerly (NOTE [exotic tensors] in exotic.py) never store a compiled entry:
# they always take the miss path, so the hot path has no check for them.


class CompileStats:
    """Counters and timings of one jitted callable (``thunder.compile_stats(jfn)``)."""

    def __init__(self):
        self.calls = 0
        self.cache_hits = 0
        self.cache_misses = 0
        self.last_trace_seconds = 0.0
        self.total_trace_seconds = 0.0
        self.last_entry = None
        self.recompile_warning_given = False
        self.fallback_operations: set = set()  # torch ops run by eager fallback
        # calls that ran the original function eagerly (an exotic tensor: a subclass, sparse
        # or nested), and why, e.g. "args[0] is a sparse_coo tensor"
        self.eager_calls = 0
        self.eager_reasons: set = set()

    def __repr__(self):
        return (f"CompileStats(calls={self.calls}, cache_hits={self.cache_hits}, "
                f"cache_misses={self.cache_misses}, "
                f"last_trace_seconds={self.last_trace_seconds:.4f}, "
                f"fallback_operations={sorted(self.fallback_operations)}, "
                f"eager_calls={self.eager_calls}, eager_reasons={sorted(self.eager_reasons)})")


class ThunderFunction:
    """A jitted function: call it like the original."""

    def __init__(self, fn, executors, *, root=None, cache=True, strict=False):
        self.fn = fn
        self.strict = strict
        self.executors = executors
        self.root = root
        self.cache_enabled = cache
        self.cache: dict = {}
        self.eager_keys: dict = {}  # call key -> why calls with it run eagerly
        self.stats = CompileStats()
        self._last_key = None
        self.__wrapped__ = fn
        self.__name__ = getattr(fn, "__name__", type(fn).__name__)
        self.__doc__ = getattr(fn, "__doc__", None)

    def __call__(self, *args, **kwargs):
        key = call_key(args, kwargs)
        entries = self.cache.get(key)
        if entries is not None:
            for entry in entries:
                try:
                    inputs = entry.prologue(args, kwargs)
                except Exception:
                    continue
                rng = save_states(entry.generators) if entry.saves_rng else None
                try:
                    if entry.finish is None:
                        output = entry.computation(*inputs)
                    else:
                        output = entry.finish(args, kwargs, entry.computation(*inputs))
                except DataMismatch:  # another branch: see NOTE [data-dependent values]
                    if rng is not None:
                        restore_states(rng)
                    continue
                self.stats.cache_hits += 1
                self.stats.last_entry = entry
                return output
        return self._miss(key, args, kwargs)

    def _miss(self, key, args, kwargs):
        reason = self.eager_keys.get(key) or input_reason(args, kwargs)
        if reason is not None:
            return self._run_eagerly(reason, args, kwargs)
        check_call(self.fn, args, kwargs)
        start = time.perf_counter()
        try:
            traced = trace_call(self.fn, args, kwargs, root=self.root, strict=self.strict)
        except ExoticTensorError as e:
            if self.cache_enabled and not self.strict:  # later calls like it meet it again
                self.eager_keys[key] = e.reason
            return self._run_eagerly(e.reason, args, kwargs)
        computation = traced.computation
        entry = compile_entry(computation, traced.tracker, self.executors)
        entry.finish = _finisher(traced)
        entry.saves_rng = _random_before_check(computation)
        entry.generators = generators_of(computation)  # NOTE [Python random draws]
        entry.epilogue_traces = [] if traced.epilogue is None else [traced.epilogue]
        elapsed = time.perf_counter() - start
        stats = self.stats
        stats.cache_misses += 1
        stats.last_trace_seconds = elapsed
        stats.total_trace_seconds += elapsed
        stats.last_entry = entry
        stats.fallback_operations.update(
            b.sym.id.removeprefix("fallback:") for b in computation.bound_symbols
            if str(b.sym.id).startswith("fallback:"))
        if self.cache_enabled:
            self.cache.setdefault(key, []).append(entry)
        self._warn_on_recompiles(key)
        output = entry.computation(*entry.prologue(args, kwargs))
        return output if entry.finish is None else entry.finish(args, kwargs, output)

    def _run_eagerly(self, reason, args, kwargs):
        """Run the original function as it is: NOTE [exotic tensors] in exotic.py."""
        if self.strict:
            raise UnsupportedOperationError(
                f"{reason}: Thunder compiles dense torch.Tensors only, and strict mode is on, "
                f"so the call does not run eagerly") from None
        self.stats.eager_calls += 1
        self.stats.eager_reasons.add(reason)
        return self.fn(*args, **kwargs)

    def _warn_on_recompiles(self, key):
        stats = self.stats
        previous, self._last_key = self._last_key, key
        if stats.recompile_warning_given or stats.cache_misses < RECOMPILE_WARNING_THRESHOLD:
            return
        stats.recompile_warning_given = True
        names = _parameter_names(self.fn)
        changed = describe_key_change(previous, key, names) if previous else "the inputs"
        warnings.warn(
            f"thunder.jit: {self.__name__} was traced {stats.cache_misses} times; what kept "
            f"changing: {changed}. Each new value of a Python number argument or a new tensor "
            f"shape makes a new trace.",
            RuntimeWarning, stacklevel=3)


def _random_before_check(trace) -> bool:
    """Does a data check follow a random op (so a mismatch must restore the RNG state)?"""
    seen_random = False
    for bsym in trace.bound_symbols:
        if bsym.sym is check_data_symbol:
            if seen_random:
                return True
        elif is_effectful(bsym):
            seen_random = True
    return False


def _finisher(traced):
    """What turns the computation's raw output into the call's result (None: nothing to do):
    running the epilogue and rebuilding a structured output."""
    epilogue = None if traced.epilogue is None else epilogue_callable(traced.epilogue)
    spec = traced.output_spec
    if epilogue is None and spec is None:
        return None

    def finish(args, kwargs, output):
        if epilogue is not None:
            output, values = output
            epilogue(args, kwargs, values)
        return output if spec is None else tree_unflatten(output, spec)

    return finish


def _parameter_names(fn):
    code = getattr(getattr(fn, "forward", fn), "__code__", None)
    if code is None:
        return ()
    names = code.co_varnames[:code.co_argcount]
    return names[1:] if names and names[0] == "self" else names


class ThunderModule(torch.nn.Module):
    """A jitted ``nn.Module``: shares the original's parameters and buffers."""

    def __init__(self, module, jitted: ThunderFunction):
        super().__init__()
        self._model = module
        self._jitted = jitted

    def forward(self, *args, **kwargs):
        return self._jitted(*args, **kwargs)

    # calling a ThunderModule skips nn.Module.__call__: the original module's hooks are traced
    def __call__(self, *args, **kwargs):
        return self._jitted(*args, **kwargs)

    def state_dict(self, *args, **kwargs):
        return self._model.state_dict(*args, **kwargs)

    def load_state_dict(self, *args, **kwargs):
        return self._model.load_state_dict(*args, **kwargs)

    def named_parameters(self, *args, **kwargs):
        return self._model.named_parameters(*args, **kwargs)

    def named_buffers(self, *args, **kwargs):
        return self._model.named_buffers(*args, **kwargs)

    def named_modules(self, *args, **kwargs):
        return self._model.named_modules(*args, **kwargs)

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._model, name)


def _resolve_executors(executors):
    if executors is None:
        return get_default_executors()
    resolved = [get_executor(e) if isinstance(e, str) else e for e in executors]
    for e in resolved:
        if not isinstance(e, Executor):
            raise TypeError(f"thunder.jit: executors must be Executor objects or names, got {e!r}")
    if not any(isinstance(e, torchex.TorchExecutor) for e in resolved):
        resolved.append(get_executor("torch"))
    return resolved


def jit(fn, *, executors=None, cache=True, strict=False):
    """Compile ``fn`` (a function or ``nn.Module``); call the result like ``fn``.

    ``executors`` lists executors (objects or names) in priority order; the torch executor is
    appended as the fallback unless a torch executor (such as ``"torch_prims"``) is listed.
    ``cache=False`` traces at every call. A torch operation Thunder does not define runs eagerly
    as one opaque call in the trace (``thunder.examine`` lists them); ``strict=True`` makes it
    an error naming the operation and the user's source line.

    >>> import torch, thunder
    >>> jfn = thunder.jit(lambda x: (x * 2 + 1).relu())
    >>> jfn(torch.tensor([-1.0, 1.0]))
    tensor([0., 3.])
    """
    if isinstance(fn, (ThunderFunction, ThunderModule)):
        return fn
    resolved = _resolve_executors(executors)
    if isinstance(fn, torch.nn.Module):
        return ThunderModule(fn, ThunderFunction(fn, resolved, root=fn, cache=cache,
                                                 strict=strict))
    if not callable(fn):
        raise TypeError(f"thunder.jit expects a function or nn.Module, got {type(fn).__name__}")
    return ThunderFunction(fn, resolved, cache=cache, strict=strict)


def _function(jfn) -> ThunderFunction:
    if isinstance(jfn, ThunderModule):
        return jfn._jitted
    if isinstance(jfn, ThunderFunction):
        return jfn
    raise TypeError(f"expected a function returned by thunder.jit, got {type(jfn).__name__}")


def _last_entry(jfn):
    stats = _function(jfn).stats
    entry = stats.last_entry
    if entry is None and stats.eager_calls:
        raise RuntimeError(f"this jitted function has only run eagerly, so it has no traces "
                           f"({'; '.join(sorted(stats.eager_reasons))})")
    if entry is None:
        raise RuntimeError("this jitted function has not been called yet")
    return entry


def last_traces(jfn) -> list:
    """The computation traces of the last call: as interpreted, after each pass, executed."""
    return list(_last_entry(jfn).computation_traces)


def last_epilogue_traces(jfn) -> list:
    """The epilogue traces of the last call (assignments it replays); empty if none."""
    return list(_last_entry(jfn).epilogue_traces)


def last_backward_traces(jfn) -> list:
    """The backward traces of the last call: as split, rematerialized, executed.

    Empty when the last call needed no gradient (no input required grad, or grad mode was off
    when it was traced).

    >>> import torch, thunder
    >>> jfn = thunder.jit(lambda x: x.sin().sum())
    >>> _ = jfn(torch.ones(2, requires_grad=True))
    >>> print(thunder.last_backward_traces(jfn)[-1])  # doctest: +SKIP
    """
    return list(_last_entry(jfn).backward_traces)


def last_prologue_traces(jfn) -> list:
    """The prologue traces of the last call (the checks that guard its cache entry)."""
    return list(_last_entry(jfn).prologue_traces)


def cache_hits(jfn) -> int:
    """How many calls reused a cached entry."""
    return _function(jfn).stats.cache_hits


def cache_misses(jfn) -> int:
    """How many calls had to trace (the first call is a miss)."""
    return _function(jfn).stats.cache_misses


def compile_stats(jfn) -> CompileStats:
    """Counters and timings of a jitted callable.

    ``calls`` counts every call: ``cache_hits + cache_misses + eager_calls``. ``eager_calls``
    counts the calls that ran the original function eagerly because of a tensor subclass, a
    sparse or a nested tensor, and ``eager_reasons`` says why, in words.

    >>> import torch, thunder
    >>> jfn = thunder.jit(lambda x: x * 2)
    >>> _ = jfn(torch.ones(2).to_sparse())
    >>> thunder.compile_stats(jfn).eager_reasons
    {'args[0] is a sparse_coo tensor'}
    """
    stats = _function(jfn).stats
    stats.calls = stats.cache_hits + stats.cache_misses + stats.eager_calls
    return stats
