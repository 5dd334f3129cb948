"""Python's ``random`` and ``numpy.random`` inside a jitted function: fresh numbers at every call.

NOTE [Python random draws]
A draw (``random.random()``, ``random.randint(a, b)``, ``rng.normal(size=3)``,
``np.random.rand(3)``...) is recorded in the computation as one effectful ``pyrandom.draw`` that
calls the real generator's method. Every call of the jitted function then draws from the real
generator, at the same point of the program as eager and in the same order, so after
``random.seed(0)`` eager and jitted give the same numbers. The value drawn is a runtime number
or array (NOTE [runtime numbers] in ``pynumbers.py``): it flows into tensor math, and a branch
on it is specialised with a check.

While tracing, each draw is made once for real: the traced code may need its value, and the
generator is left in the state eager leaves it in after one call. The computation runs right
after it is traced, and that first run takes the values drawn while tracing instead of drawing
again (``Draw.pending``); the ``ConcreteEvaluator`` replays them too. Seeds (``random.seed``,
``np.random.seed``) and generators made inside the function (``random.Random(0)``,
``np.random.default_rng(0)``) are recorded the same way, so a generator made inside is made
anew at every call, as in eager. A generator read from outside (a global ``Random`` object) is
guarded by identity.

``choice``, ``choices``, ``sample`` and ``shuffle`` draw indices (``rng.choice(range(n))`` draws
what ``rng.choice(seq)`` draws, for any ``seq`` of length ``n``) and pick the elements with
them: tensors of one shape and numbers of one type are picked at run time; anything else
(strings, objects) is specialised on the drawn indices, with a check.

A computation that stops at a data check after a draw (``DataMismatch``) has drawn numbers
already: the jitted function restores the generators it draws from (``save_states``) before it
tries another entry, so each call draws once, as eager does.
"""

import random
import sys

import torch

try:  # numpy is optional
    import numpy
except ImportError:
    numpy = None

from thunder.core.proxies import Proxy, TensorProxy
from thunder.core.symbol import Symbol
from thunder.core.tracectx import get_tracectx
from thunder.frontend.datadependent import check_data_symbol
from thunder.frontend.errors import unsupported
from thunder.frontend.pynumbers import PYTHON_DTYPES, RuntimeArray, RuntimeNumber, \
    RuntimeValue
import thunder.torch as ltorch

if numpy is not None:
    NUMPY_GENERATORS = (numpy.random.RandomState, numpy.random.Generator)
    _NUMPY_GLOBAL = numpy.random.mtrand._rand  # what np.random.rand() and friends draw from
    _NUMPY_FACTORIES = (numpy.random.default_rng, numpy.random.RandomState)
else:
    NUMPY_GENERATORS = ()
    _NUMPY_GLOBAL = None
    _NUMPY_FACTORIES = ()
GENERATOR_TYPES = (random.Random, *NUMPY_GENERATORS)
# what makes a generator inside the function (made anew at every call)
FACTORIES = (random.Random, random.SystemRandom, *_NUMPY_FACTORIES)

_NOTHING = object()
# methods of random.Random that return one number
_PYTHON_NUMBER_METHODS = frozenset({
    "random", "uniform", "randint", "randrange", "getrandbits", "gauss", "normalvariate",
    "lognormvariate", "expovariate", "vonmisesvariate", "gammavariate", "betavariate",
    "paretovariate", "weibullvariate", "triangular", "binomialvariate",
})
_NOT_SUPPORTED = frozenset({"getstate", "setstate", "get_state", "set_state", "randbytes",
                            "bytes", "spawn", "permuted", "jumped", "advance"})


class GeneratorProxy(Proxy):
    """A random generator made inside the jitted function (made anew at every call)."""

    __slots__ = ()


class Draw:
    """What one traced draw gives: its output's metadata, and the value drawn while tracing
    until the computation's first run takes it (see the NOTE)."""

    __slots__ = ("trace", "pending", "kind", "dtype", "shape")

    def __init__(self, kind, dtype=None, shape=()):
        self.trace = get_tracectx()
        self.pending = _NOTHING
        self.kind = kind  # "none", "number", "array" or "generator"
        self.dtype = dtype
        self.shape = shape

    def output(self):
        if self.kind == "none":
            return None
        if self.kind == "generator":
            return GeneratorProxy(prefix="g")
        return TensorProxy(shape=self.shape, dtype=self.dtype, device=torch.device("cpu"))

    def __repr__(self):
        return f"<draw: {self.kind}>"


def draw(owner, method, args, kwargs, record: Draw):
    """Runs in the computation: ``owner.method(*args, **kwargs)`` (``method`` may also be a
    function of ``owner``), its result as a tensor (see the NOTE)."""
    pending = record.pending
    if pending is not _NOTHING:
        if get_tracectx() is not record.trace:  # the first run: the draw made while tracing
            record.pending = _NOTHING
        return pending
    args = tuple(_python(a) for a in args)
    kwargs = {k: _python(v) for k, v in kwargs.items()}
    return _output(_call(owner, method, args, kwargs), record)


def _meta(owner, method, args, kwargs, record):
    return record.output()


draw_symbol = Symbol("draw", _meta, module_alias="pyrandom", module=sys.modules[__name__],
                     impl=draw, is_prim=True, tags={"effectful"})


def _manual_seed(seed):
    torch.manual_seed(_python(seed))


manual_seed_symbol = Symbol("manual_seed", lambda seed: None, module_alias="pyrandom",
                            module=sys.modules[__name__], impl=_manual_seed, is_prim=True,
                            tags={"effectful"})


def record_manual_seed(seed):
    """``torch.manual_seed(seed)`` inside the function: done at every call, where eager does it
    (torch's random operators then draw eager's numbers: NOTE [random operators and
    manual_seed] in thunder/torch/creation.py)."""
    manual_seed_symbol(seed.tensor if isinstance(seed, RuntimeValue) else seed)
    return torch.default_generator


def _call(owner, method, args, kwargs):
    if isinstance(method, str):
        return getattr(owner, method)(*args, **kwargs)
    return method(owner, *args, **kwargs)


def _python(value):
    """A runtime argument (a tensor in the computation) as the Python value the method takes."""
    if isinstance(value, torch.Tensor):
        return value.item() if value.ndim == 0 else value.numpy()
    if type(value) in (list, tuple):
        return type(value)(_python(v) for v in value)
    return value


def _output(value, record):
    if record.kind == "none":
        return None
    if record.kind == "generator":
        return value
    if numpy is not None and isinstance(value, numpy.ndarray):
        return torch.from_numpy(value).to(record.dtype)
    if type(value) is list:
        return torch.tensor(value, dtype=record.dtype)
    if numpy is not None and isinstance(value, numpy.generic):
        value = value.item()
    return torch.tensor(value, dtype=record.dtype)


def _shuffled_indices(owner, n):
    """What ``owner.shuffle(x)`` does to the positions of an ``x`` of length ``n``."""
    indices = list(range(n))
    owner.shuffle(indices)
    return indices


def _python_choice_index(owner, n):
    return owner.choice(range(n))


def _python_sample_indices(owner, n, k):
    return owner.sample(range(n), k)


def _python_choices_indices(owner, n, weights, cum_weights, k):
    return owner.choices(range(n), weights, cum_weights=cum_weights, k=k)


class PythonRandom:
    """The lookasides for ``random`` and ``numpy.random`` of one tracing (see the NOTE).

    ``values`` makes runtime numbers; ``record_mutation(container, name, args)`` records a
    mutation of a container from outside for the epilogue.
    """

    def __init__(self, values, tracker, record_mutation):
        self.values = values
        self.tracker = tracker
        self.record_mutation = record_mutation
        self._made_inside: dict = {}  # id(generator) -> (generator, GeneratorProxy)
        self._made_elsewhere: dict = {}  # id -> generator made inside, not by a FACTORY

    # -- lookasides ----------------------------------------------------------------------------
    def method(self, fn):
        """The lookaside for a bound method of a generator."""
        owner, name = fn.__self__, fn.__name__
        if name in _NOT_SUPPORTED:
            return self._refuse(owner, name)
        if name == "seed":
            return lambda *args, **kwargs: self._record(owner, "seed", args, kwargs, None)
        if isinstance(owner, random.Random):
            handlers = {"choice": self._python_choice, "choices": self._python_choices,
                        "sample": self._python_sample, "shuffle": self._shuffle}
            if name in handlers:
                return lambda *args, **kwargs: handlers[name](owner, *args, **kwargs)
            if name not in _PYTHON_NUMBER_METHODS:
                return self._refuse(owner, name)
            return lambda *args, **kwargs: self._draw(owner, name, args, kwargs)
        if name == "shuffle":
            return lambda *args, **kwargs: self._shuffle(owner, *args, **kwargs)
        if name == "choice":
            return lambda *args, **kwargs: self._numpy_choice(owner, *args, **kwargs)
        return lambda *args, **kwargs: self._draw(owner, name, args, kwargs, concrete=True)

    def numpy_seed(self, *args, **kwargs):
        """``numpy.random.seed(...)``: seeds the generator of ``numpy.random.rand`` and friends."""
        return self._record(_NUMPY_GLOBAL, "seed", args, kwargs, None)

    def factory(self, make):
        """The lookaside for ``random.Random``, ``numpy.random.default_rng``..."""

        def call(*args, **kwargs):
            args = self.values.concrete(args, _name(make))
            kwargs = self.values.concrete(kwargs, _name(make))
            generator = make(*args, **kwargs)
            record = Draw("generator")
            proxy = draw_symbol(make, "__call__", args, kwargs, record)
            record.pending = generator
            self._made_inside[id(generator)] = (generator, proxy)
            return generator

        return call

    def made_elsewhere(self, generator):
        """A generator made inside the function, other than by one of the ``FACTORIES``."""
        if id(generator) not in self._made_inside:
            self._made_elsewhere[id(generator)] = generator

    def _refuse(self, owner, name):
        def refuse(*args, **kwargs):
            raise unsupported(f"{type(owner).__name__}.{name} inside a jitted function",
                              "draws, seeds, and generators made with random.Random(seed) or "
                              "numpy.random.default_rng(seed) are supported")

        return refuse

    # -- recording -----------------------------------------------------------------------------
    def _owner(self, owner):
        """What the computation draws from: the generator, or the proxy of one made inside."""
        made = self._made_inside.get(id(owner))
        if made is not None:
            return made[1]
        if id(owner) in self._made_elsewhere:
            raise unsupported(f"drawing from a {type(owner).__name__} made inside the jitted "
                              f"function this way", "make it with random.Random(seed), "
                              "numpy.random.default_rng(seed) or numpy.random.RandomState(seed)")
        prov = self.tracker.prov_of(owner)
        if prov is not None:  # a generator read from outside: the same object at every call
            self.tracker.guard("is", prov, owner)
        return owner

    def _record(self, owner, method, args, kwargs, kind, shadow=None):
        """Call ``owner.method`` now (the draw of the call being traced) and record it."""
        runtime_args = tuple(_runtime(a) for a in args)
        runtime_kwargs = {k: _runtime(v) for k, v in kwargs.items()}
        value = _call(owner, method, tuple(_value(a) for a in args),
                      {k: _value(v) for k, v in kwargs.items()})
        if kind is None:
            record = Draw("none")
        elif numpy is not None and isinstance(value, numpy.ndarray) and value.ndim:
            if value.dtype.kind not in "biuf":
                raise unsupported(f"a numpy array of {value.dtype} drawn inside a jitted "
                                  f"function")
            record = Draw("array", torch.from_numpy(value).dtype, tuple(value.shape))
        elif type(value) is list:  # indices drawn by sample, choices or shuffle
            record = Draw("array", torch.int64, (len(value),))
        else:
            if numpy is not None and isinstance(value, (numpy.generic, numpy.ndarray)):
                value = value.item()
            if type(value) not in PYTHON_DTYPES:
                raise unsupported(f"a {type(value).__name__} drawn inside a jitted function")
            record = Draw("number", PYTHON_DTYPES[type(value)])
        out = draw_symbol(self._owner(owner), method, runtime_args, runtime_kwargs, record)
        record.pending = _output(value, record)
        if out is None:
            return None
        return self.values.wrap(out, value)

    def _draw(self, owner, name, args, kwargs, concrete=False):
        if concrete:  # numpy: sizes and parameters are specialised
            args, kwargs = self.values.concrete(args, name), self.values.concrete(kwargs, name)
        return self._record(owner, name, args, kwargs, "value")

    # -- choices of elements -------------------------------------------------------------------
    def _python_choice(self, owner, seq):
        index = self._record(owner, _python_choice_index, (len(seq),), {}, "value")
        return self._pick_many(seq, index, None)

    def _python_sample(self, owner, population, k, *, counts=None):
        if counts is not None:
            raise unsupported("random.sample with counts inside a jitted function")
        k = self.values.concrete(k)
        indices = self._record(owner, _python_sample_indices, (len(population), k), {}, "value")
        return self._pick_many(population, indices, k)

    def _python_choices(self, owner, population, weights=None, *, cum_weights=None, k=1):
        weights, cum_weights, k = self.values.concrete((weights, cum_weights, k))
        indices = self._record(owner, _python_choices_indices,
                               (len(population), weights, cum_weights, k), {}, "value")
        return self._pick_many(population, indices, k)

    def _numpy_choice(self, owner, a, size=None, replace=True, p=None):
        a, size, replace, p = self.values.concrete((a, size, replace, p), "numpy choice")
        if isinstance(a, int) or (numpy is not None and isinstance(a, numpy.integer)):
            return self._record(owner, "choice", (a, size, replace, p), {}, "value")
        indices = self._record(owner, "choice", (len(a), size, replace, p), {}, "value")
        if all(type(v) in (int, float, bool) for v in a) and len({type(v) for v in a}) == 1:
            table = ltorch.tensor(list(a), dtype=PYTHON_DTYPES[type(a[0])])
            rows = _take(table, indices)
            return self.values.wrap(ltorch.squeeze(rows, 0) if size is None else rows)
        values = numpy.asarray(a)
        chosen = self._concrete_indices(indices)
        return values[chosen]

    def _shuffle(self, owner, x):
        if type(x) is not list:
            raise unsupported(f"shuffling a {type(x).__name__} inside a jitted function",
                              "shuffle a list")
        n = len(x)
        if n < 2:  # nothing to draw
            return None
        indices = self._record(owner, _shuffled_indices, (n,), {}, "value")
        shuffled = self._pick_many(x, indices, n)
        if self.tracker.prov_of(x) is not None:  # a list from outside: replayed by the epilogue
            self.record_mutation(x, "clear", ())
            self.record_mutation(x, "extend", (list(shuffled),))
        x[:] = shuffled
        return None

    def _pick_many(self, seq, indices, k):
        """The elements of ``seq`` at drawn ``indices`` (a list, or one element if ``k`` is
        None), picked at run time where possible (see the NOTE)."""
        if isinstance(seq, (TensorProxy, RuntimeArray)):
            items = seq
        elif type(seq) in (list, tuple, range):
            items = list(seq)
        else:  # a string, a dict...: indexed with the indices specialised, as Python does
            items = None
        table = None if items is None else self._table(items)
        if table is None:
            chosen = self._concrete_indices(indices)
            source = seq if items is None else items
            return source[chosen] if k is None else [source[i] for i in chosen]
        rows = _take(table, indices)
        if k is None:
            return self._element(ltorch.squeeze(rows, 0), items)
        return [self._element(row, items) for row in ltorch.unbind(rows, 0)]

    def _element(self, picked, items):
        if isinstance(items, TensorProxy):
            return picked
        if isinstance(items, RuntimeArray) or not isinstance(items[0], TensorProxy):
            return self.values.wrap(picked)
        return picked

    def _table(self, items):
        """A tensor whose rows are the items, or None where they cannot be picked at run time."""
        if isinstance(items, TensorProxy):
            return items
        if isinstance(items, RuntimeArray):
            return items.tensor
        if not items:
            return None
        if all(isinstance(v, TensorProxy) for v in items):
            first = items[0]
            if all(v.shape == first.shape and v.dtype == first.dtype and
                   v.device == first.device for v in items):
                return ltorch.stack(items)
            return None
        types = {v.pytype if isinstance(v, RuntimeNumber) else type(v) for v in items}
        if len(types) != 1 or next(iter(types)) not in PYTHON_DTYPES:
            return None
        dtype = PYTHON_DTYPES[next(iter(types))]
        if not any(isinstance(v, RuntimeValue) for v in items):
            return ltorch.tensor(items, dtype=dtype)
        return ltorch.stack([v.tensor if isinstance(v, RuntimeNumber) else
                             ltorch.full((), v, dtype=dtype) for v in items])

    def _concrete_indices(self, indices):
        """The drawn indices for the call being traced, checked at every call."""
        if isinstance(indices, RuntimeNumber):
            return self.values.exact(indices)
        if isinstance(indices, RuntimeArray):
            value = indices.value
            value = value.tolist() if hasattr(value, "tolist") else list(value)
            check_data_symbol(indices.tensor, "tolist", value)
            return value
        return indices


def _take(table, indices):
    """The rows of ``table`` at drawn ``indices`` (a runtime number or array), as a tensor with
    one row per index."""
    index = indices.tensor
    if index.device != table.device:
        index = ltorch.to(index, table.device)
    return ltorch.index_select(table, 0, index)


def _runtime(value):
    """An argument as the computation passes it: runtime values by their tensors."""
    if isinstance(value, RuntimeValue):
        return value.tensor
    if type(value) in (list, tuple):
        return type(value)(_runtime(v) for v in value)
    return value


def _value(value):
    """An argument as the draw made while tracing takes it: runtime values by their value."""
    if isinstance(value, RuntimeValue):
        return value.value
    if type(value) in (list, tuple):
        return type(value)(_value(v) for v in value)
    return value


def _name(fn) -> str:
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', fn)}"


def generators_of(trace) -> tuple:
    """The generators from outside that a computation trace draws from or seeds."""
    found = {}
    for bsym in trace.bound_symbols:
        if bsym.sym is draw_symbol or getattr(bsym.sym, "impl", None) is draw:
            owner = bsym.args[0]
            if isinstance(owner, GENERATOR_TYPES):
                found[id(owner)] = owner
    return tuple(found.values())


def save_states(generators) -> tuple:
    """The states of ``torch``'s default generator and of ``generators`` (see the NOTE)."""
    return torch.random.get_rng_state(), tuple((g, _state(g)) for g in generators)


def restore_states(saved) -> None:
    torch_state, states = saved
    torch.random.set_rng_state(torch_state)
    for generator, state in states:
        if state is None:
            continue
        if isinstance(generator, random.Random):
            generator.setstate(state)
        elif isinstance(generator, numpy.random.Generator):
            generator.bit_generator.state = state
        else:
            generator.set_state(state)


def _state(generator):
    try:
        if isinstance(generator, random.Random):
            return generator.getstate()
        if isinstance(generator, numpy.random.Generator):
            return generator.bit_generator.state
        return generator.get_state()
    except NotImplementedError:  # random.SystemRandom has no state
        return None
