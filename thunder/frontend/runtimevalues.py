"""The runtime numbers and arrays of one tracing, and how torch operations, ``torch.tensor``
and ``print`` take them: see NOTE [runtime numbers] in ``pynumbers.py``.

``RuntimeValues`` makes the runtime values of a tracing (numbers read from outside, ``.item()``,
draws), gives their values for the call being traced with the checks that keep a specialised
trace right, and converts the arguments of a torch operation that receives one.
"""

import builtins
import sys

import torch

try:  # numpy is optional
    import numpy
except ImportError:
    numpy = None

import thunder.torch as ltorch
from thunder.core import dtypes
from thunder.core.proxies import TensorProxy, proxy_for_tensor, tensor_methods
from thunder.core.symbol import Symbol
from thunder.core.tracectx import get_tracectx
from thunder.frontend.datadependent import check_data_symbol
from thunder.frontend.errors import unsupported
from thunder.frontend.prologue import NUMBER
from thunder.frontend.pynumbers import (_COMPARISONS, _INT64_RANGE, _REFLECTED_COMPARISONS,
                                        _UNKNOWN, PYTHON_DTYPES, RuntimeArray, RuntimeNumber,
                                        RuntimeValue, _numel, _plain, _to, contains_runtime,
                                        python_type)

# torch operations that take a Python number as an operand of an elementwise computation: a
# runtime number goes in as its 0-d tensor, converted to the dtype the number would have given
_SCALAR_OPERANDS = frozenset(filter(None, (getattr(ltorch, name, None) for name in (
    "add", "sub", "rsub", "mul", "div", "rtruediv", "floor_divide", "rfloordiv", "remainder",
    "rmod", "fmod", "pow", "rpow", "eq", "ne", "lt", "le", "gt", "ge", "where", "clamp",
    "clip", "lerp", "bitwise_and", "bitwise_or", "bitwise_xor"))))
# ... and those that accept a 0-d tensor where the number goes and give eager's dtype with it
_TENSOR_ACCEPTED = frozenset(filter(None, (getattr(ltorch, name, None) for name in (
    "full", "scalar_tensor", "masked_fill"))))
_OPERAND_KEYWORDS = frozenset({"input", "other", "min", "max", "exponent", "self", "end",
                               "weight", "condition"})


class RuntimeValues:
    """The runtime numbers and arrays of one tracing (see NOTE [runtime numbers]).

    ``evaluate`` is the tracing's ``ConcreteEvaluator``; ``caller(sym)`` gives the callable that
    records a torch-level symbol the way the interpreter's lookaside does.
    """

    def __init__(self, tracker, evaluate, caller):
        self.tracker = tracker
        self.evaluate = evaluate
        self.caller = caller
        self.active = False  # has any runtime value been made (so arguments need a look)?
        self.trace = None
        self._inputs: dict = {}  # id(prov) -> RuntimeNumber read from outside

    # -- making runtime values ---------------------------------------------------------------
    def number(self, tensor, value=_UNKNOWN, sources=None) -> RuntimeNumber:
        self._start()
        if value is not _UNKNOWN:
            value = python_type(tensor.dtype)(value)
        return RuntimeNumber(tensor, self, value, sources)

    def array(self, tensor, value=_UNKNOWN) -> "RuntimeArray":
        self._start()
        return RuntimeArray(tensor, self, value)

    def wrap(self, tensor, value=_UNKNOWN):
        """A runtime number for a 0-d tensor (numpy gives a scalar there), else an array."""
        if tensor.ndim:
            return self.array(tensor, value)
        if value is not _UNKNOWN and numpy is not None and isinstance(value, numpy.ndarray):
            value = value.item()
        dtype = PYTHON_DTYPES[python_type(tensor.dtype)]
        return self.number(_to(tensor, dtype), value)

    def _start(self):
        if self.trace is None:
            self.trace = get_tracectx()
        self.active = True

    def from_outside(self, value, prov):
        """The runtime number for an int or float read from outside through ``prov``: an input
        of the computation, read by the prologue at every call; None if it cannot be one."""
        known = self._inputs.get(id(prov))
        if known is not None:
            return known
        dtype = PYTHON_DTYPES[type(value)]
        if dtype is torch.int64 and not _INT64_RANGE[0] <= value <= _INT64_RANGE[1]:
            return None
        real = torch.tensor(value, dtype=dtype)
        proxy = proxy_for_tensor(real)
        tracker = self.tracker
        input_prov = tracker.child(prov, NUMBER, dtype)
        # registered like a tensor input, so the ConcreteEvaluator can run the computation
        tracker.tensor_proxies[id(real)] = (real, proxy)
        tracker.inputs.append((proxy, input_prov))
        tracker.input_prov[id(proxy)] = input_prov
        tracker.guard("type", prov, type(value))
        number = self.number(proxy, value, ((prov, value),))
        self._inputs[id(prov)] = number
        return number

    def item(self, proxy: TensorProxy):
        """``proxy.item()`` as a runtime number, or None where it stays specialised."""
        if proxy.dtype.is_complex or _numel(proxy.shape) != 1:
            return None
        t = ltorch.reshape(proxy, ()) if proxy.ndim else proxy
        if t.requires_grad:
            t = ltorch.detach(t)
        return self.number(_to(t, PYTHON_DTYPES[python_type(proxy.dtype)]))

    # -- values for the call being traced ------------------------------------------------------
    def tracing(self) -> bool:
        return self.trace is not None and get_tracectx() is self.trace

    def real_value(self, v: RuntimeValue):
        if not self.tracing():
            raise RuntimeError("the value of a runtime number is only known while tracing")
        real = self.evaluate.values(v.tensor)
        if isinstance(v, RuntimeNumber):
            return v.pytype(real.item())
        return real.numpy()

    def python_value(self, number: RuntimeNumber, kind):
        """``kind(number)`` for the call being traced, checked at every call (see the NOTE)."""
        if not self.tracing():
            raise RuntimeError("a runtime number was used after tracing ended")
        value = number.value
        expected = kind(value)
        if number.sources is not None:  # computed from numbers read from outside only:
            for prov, read in number.sources:  # the prologue checks those (see the NOTE)
                self.tracker.guard("equal", prov, read)
            return expected
        if len(self.trace._scopes) > 1:  # inside a torch operation's decomposition
            raise unsupported("a Python number known only when the function runs, used inside "
                              "a torch operation that needs its value")
        check_data_symbol(number.tensor, kind, expected)
        return expected

    def array_value(self, array: "RuntimeArray"):
        """The numpy value of ``array`` for the call being traced, checked at every call."""
        if not self.tracing():
            raise RuntimeError("a runtime array was used after tracing ended")
        value = array.value
        check_data_symbol(array.tensor, "tolist", value.tolist())
        return value

    def exact(self, x):
        """A number operand as a plain Python number, specialised if it is a runtime one."""
        if isinstance(x, RuntimeNumber):
            return self.python_value(x, x.pytype)
        return x

    def concrete(self, value, what="a torch operation"):
        """``value`` (any nesting) with runtime numbers specialised to their values."""
        if isinstance(value, RuntimeNumber):
            return self.exact(value)
        if isinstance(value, RuntimeArray):
            raise unsupported(f"a numpy array known only when the function runs, passed to "
                              f"{what}", "convert it with torch.tensor or torch.from_numpy")
        typ = type(value)
        if typ in (list, tuple):
            return typ(self.concrete(v, what) for v in value)
        if typ is dict:
            return {k: self.concrete(v, what) for k, v in value.items()}
        if typ is slice:
            return slice(*(self.concrete(v, what) for v in (value.start, value.stop,
                                                              value.step)))
        return value

    def check_trace(self, trace):
        """Raise if a runtime value reached a recorded operation unconverted (it would be a
        constant of the trace: the value of one call used at every call)."""
        def check(bsyms):
            for bsym in bsyms:
                if contains_runtime(bsym.flat_args()):
                    raise unsupported(f"{bsym.sym.print_name} with a Python number known only "
                                      f"when the function runs (a random draw, .item(), a "
                                      f"number the function updates)")
                check(bsym.subsymbols)

        check(trace.bound_symbols)

    # -- runtime values in torch operations --------------------------------------------------
    def convert_arguments(self, sym, args, kwargs):
        """The arguments with which ``sym`` is recorded, for arguments with runtime values."""
        if sym in _SCALAR_OPERANDS:
            return self._scalar_operands(args, kwargs)
        if sym in _TENSOR_ACCEPTED:
            convert = self._as_tensor
            return tuple(convert(a) for a in args), {k: convert(v) for k, v in kwargs.items()}
        return self.concrete(args, sym.print_name), self.concrete(kwargs, sym.print_name)

    def _as_tensor(self, x):
        return x.tensor if isinstance(x, RuntimeValue) else self.concrete(x)

    def _scalar_operands(self, args, kwargs):
        operands = [a for a in args if _is_operand(a)]
        operands += [v for k, v in kwargs.items() if k in _OPERAND_KEYWORDS and _is_operand(v)]
        eager = dtypes.result_type(*(_placeholder(a) for a in operands))
        traced = dtypes.result_type(*(a.tensor if isinstance(a, RuntimeValue) else a
                                      for a in operands))

        def convert(x):
            if isinstance(x, RuntimeArray):
                return x.tensor
            if isinstance(x, RuntimeNumber):
                return x.tensor if eager is traced else _to(x.tensor, eager)
            return self.concrete(x)

        return tuple(convert(a) for a in args), {k: convert(v) for k, v in kwargs.items()}

    def tensor_from_data(self, copy, data, dtype=None, device=None, requires_grad=False,
                         pin_memory=False):
        """``torch.tensor(data)`` (``copy``) or ``torch.as_tensor(data)`` with runtime values in
        ``data``."""
        if requires_grad:
            raise unsupported("torch.tensor(..., requires_grad=True) of numbers known only when "
                              "the function runs")
        if dtype is None:  # torch's own inference, on a skeleton of the data
            dtype = torch.tensor(_skeleton(data)).dtype
        out = self._stacked(data, dtype)
        if device is not None:
            out = _to(out, torch.device(device))
        if copy and isinstance(data, RuntimeValue) and out is data.tensor:
            out = ltorch.clone(out)  # a copy, as torch.tensor makes
        return out

    def _stacked(self, data, dtype):
        if isinstance(data, RuntimeValue):
            return _to(data.tensor, dtype)
        if isinstance(data, TensorProxy):
            return _to(data, dtype)
        if type(data) in (list, tuple):
            if not data:
                raise unsupported("an empty sequence next to numbers known only when the "
                                  "function runs, in torch.tensor")
            return ltorch.stack([self._stacked(d, dtype) for d in data])
        return ltorch.full((), _plain(data) if _plain(data) is not None else data, dtype=dtype)

    def tensor_operator(self, name, a, b):
        """``a <op> b`` between a runtime number and a tensor, as the tensor's operator."""
        from_right = isinstance(b, TensorProxy)
        tensor, number = (b, a) if from_right else (a, b)
        if name in _COMPARISONS:
            method = name if not from_right else _REFLECTED_COMPARISONS[name]
        else:
            method = ("r" + name) if from_right else name
        sym = tensor_methods.get(f"__{method}__")
        if sym is None:
            return NotImplemented
        return self.caller(sym)(tensor, number)


def _is_operand(x) -> bool:
    return isinstance(x, (TensorProxy, RuntimeValue)) or _plain(x) is not None


def _placeholder(x):
    """What stands for ``x`` when computing eager's result dtype: a runtime number is a Python
    number of its type."""
    if isinstance(x, RuntimeNumber):
        return x.pytype(1)
    if isinstance(x, RuntimeArray):
        return x.tensor
    return x if isinstance(x, TensorProxy) else _plain(x)


def _skeleton(data):
    """``data`` with runtime values replaced by zeros of their type (for dtype inference)."""
    if isinstance(data, RuntimeNumber):
        return data.pytype(0)
    if isinstance(data, RuntimeArray):
        return numpy.zeros(data.shape, data.dtype)
    if isinstance(data, TensorProxy):
        return torch.zeros(data.shape, dtype=data.dtype)
    if type(data) in (list, tuple):
        return [_skeleton(d) for d in data]
    return data


def _print_values(kinds, *args, **kwargs):
    """Runs in the computation: ``print`` with runtime numbers and arrays as Python values
    (silent when the ConcreteEvaluator runs part of the trace while tracing)."""
    if get_tracectx() is not None:
        return
    builtins.print(*(a if kind is None else getattr(a, kind)() for a, kind in zip(args, kinds)),
                   **kwargs)


print_values = Symbol("print_values", lambda kinds, *args, **kwargs: None,
                      module_alias="runtimevalues", module=sys.modules[__name__],
                      impl=_print_values, is_prim=True, tags={"effectful", "prints"})


def record_print(context, args, kwargs):
    """Record ``print(*args, **kwargs)`` where some arguments are runtime values."""
    kinds = tuple("numpy" if isinstance(a, RuntimeArray) else
                  "item" if isinstance(a, RuntimeNumber) else None for a in args)
    print_values(kinds, *(a.tensor if isinstance(a, RuntimeValue) else a for a in args),
                 **context.concrete(kwargs, "print"))
