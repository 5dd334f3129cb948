"""Python numbers whose value is known only when the computation runs.

NOTE [runtime numbers]
Most Python numbers a traced function meets are constants of its trace: literals, shapes,
hyper-parameters read from a module (guarded by value in the prologue). Three kinds change from
call to call and must not be baked in:

- a number drawn from Python's ``random`` or from ``numpy.random`` (NOTE [Python random draws]
  in ``pyrandom.py``);
- ``t.item()`` of a tensor;
- an ``int`` or ``float`` read from outside (an attribute, a global, a closure cell) by code
  that also assigns that name (``self.calls += 1``, ``global COUNT; COUNT += 1``,
  ``self.total += loss.item()``).

Each is a ``RuntimeNumber``: the traced code sees something that behaves like a Python number,
and the trace sees a 0-d tensor of the computation (float64, int64 or bool, which hold a Python
float, int or bool exactly). A number read from outside is an input of the computation (the
prologue reads it at every call and checks only its type). Python arithmetic on runtime numbers
records tensor operations, with Python's rules for the result type; a torch operation that takes
one as a scalar operand (``x * r``, ``torch.full(size, r)``, ``torch.tensor([r, 1.0])``)
receives the tensor, converted to the dtype the Python number would have given; assigning one to
an object from outside is replayed by the epilogue with that call's value; ``print`` prints that
call's value. So the trace is reused at every call and each call computes with its own numbers.

Where the value itself shapes the trace it is specialised, like any data-dependent value (NOTE
[data-dependent values] in ``datadependent.py``): ``if r < 0.5:``, ``range(n)``, a size, an
index, ``int(r)``, ``str(r)``, a torch operation that does not take it as an operand. Its value
for the call being traced is known (drawn, read, or computed by the ``ConcreteEvaluator``), and
the computation checks it (``check_data``) where it was used. A number computed only from
numbers read from outside (``self.step % 2``) is specialised by guarding, in the prologue, the
numbers read: a call with other values fails there, cheaply, instead of running part of the
computation up to a check. A later call with another value takes another cache entry or is
traced again: a result is never wrong for another value, at worst a number used this way is
traced once per value.

A numpy array from ``numpy.random`` is a ``RuntimeArray`` in the same way (a tensor of the
array's dtype): indexing, arithmetic, numpy ufuncs on it, ``sum``/``mean``/``min``/``max``,
``astype``, ``tolist``, and ``torch.tensor``/``torch.as_tensor``/``torch.from_numpy`` work; any
other use raises ``UnsupportedOperationError`` naming it.

Limits: integer arithmetic on runtime numbers is 64-bit (a result that leaves the int64 range
while tracing is an error; a later call that overflows wraps around), and ``math`` functions of
a runtime number specialise on its value.
"""

import math
import operator
import sys

import torch

try:  # numpy is optional
    import numpy
except ImportError:
    numpy = None

import thunder.torch as ltorch
from thunder.core.proxies import Proxy, TensorProxy
from thunder.core.symbol import Symbol
from thunder.frontend.errors import unsupported

_UNKNOWN = object()
# the dtype of the 0-d tensor that holds a Python number of each type exactly
PYTHON_DTYPES = {bool: torch.bool, int: torch.int64, float: torch.float64}
_INT64_RANGE = (-2 ** 63, 2 ** 63 - 1)


def python_type(dtype: torch.dtype) -> type:
    """The Python type ``.item()`` gives for a tensor of ``dtype``."""
    if dtype is torch.bool:
        return bool
    if dtype.is_complex:
        return complex
    return float if dtype.is_floating_point else int


class RuntimeValue:
    """A Python value the computation knows only when it runs: see NOTE [runtime numbers]."""

    __slots__ = ("tensor", "context", "_value")

    def __init__(self, tensor: TensorProxy, context, value=_UNKNOWN):
        self.tensor = tensor
        self.context = context
        self._value = value

    @property
    def value(self):
        """The value for the call being traced (computed when first needed; checks nothing)."""
        if self._value is _UNKNOWN:
            self._value = self.context.real_value(self)
        return self._value

    @property
    def value_known(self) -> bool:
        return self._value is not _UNKNOWN

    def as_output(self) -> Proxy:
        """The Python value, at run time, for an output of the computation."""
        method = "numpy" if isinstance(self, RuntimeArray) else "item"
        return to_python(self.tensor, method)


class RuntimeNumber(RuntimeValue):
    """A Python ``bool``, ``int`` or ``float`` of the program that is a 0-d tensor of the trace.

    ``sources`` is set for a number computed only from numbers read from outside (and
    constants): the ``(prov, value)`` of each, which the prologue guards where the number is
    specialised; None when it depends on a draw or on tensor data.
    """

    __slots__ = ("pytype", "sources")

    def __init__(self, tensor, context, value=_UNKNOWN, sources=None):
        super().__init__(tensor, context, value)
        self.pytype = python_type(tensor.dtype)
        self.sources = sources

    # -- uses that need the value: specialised (see the NOTE) --------------------------------
    def __bool__(self):
        return self.context.python_value(self, bool)

    def __int__(self):
        return self.context.python_value(self, int)

    def __float__(self):
        return self.context.python_value(self, float)

    def __complex__(self):
        return complex(self.context.python_value(self, self.pytype))

    def __index__(self):
        if self.pytype is float:
            raise TypeError("'float' object cannot be interpreted as an integer")
        return self.context.python_value(self, int)

    def __hash__(self):
        return hash(self.context.python_value(self, self.pytype))

    def __format__(self, spec):
        return format(self.context.python_value(self, self.pytype), spec)

    def __str__(self):
        return str(self.context.python_value(self, self.pytype))

    def __repr__(self):
        if not self.context.tracing():
            return f"<runtime {self.pytype.__name__} {self.tensor.name}>"
        return repr(self.context.python_value(self, self.pytype))

    def __round__(self, ndigits=None):
        if ndigits is not None:
            return round(self.context.python_value(self, self.pytype), ndigits)
        if self.pytype is float:
            return _unary(self, ltorch.round, int)
        return _unary(self, None, int)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.context.python_value(self, self.pytype), name)

    # -- uses that stay at run time ----------------------------------------------------------
    def as_float(self):
        """``float(self)``, at run time."""
        return _unary(self, None, float)

    def __neg__(self):
        return _unary(self, ltorch.neg, int if self.pytype is bool else self.pytype)

    def __pos__(self):
        return _unary(self, None, int if self.pytype is bool else self.pytype)

    def __abs__(self):
        return _unary(self, ltorch.abs, int if self.pytype is bool else self.pytype)

    def __invert__(self):
        if self.pytype is float:
            raise TypeError("bad operand type for unary ~: 'float'")
        return _unary(self, ltorch.bitwise_not, int)

    def __trunc__(self):
        return _unary(self, ltorch.trunc if self.pytype is float else None, int)

    def __floor__(self):
        return _unary(self, ltorch.floor if self.pytype is float else None, int)

    def __ceil__(self):
        return _unary(self, ltorch.ceil if self.pytype is float else None, int)

    def __divmod__(self, other):
        return self // other, self % other

    def __rdivmod__(self, other):
        return other // self, other % self


_PYTHON_OPERATORS = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
    "floordiv": operator.floordiv, "mod": operator.mod, "pow": operator.pow,
    "and": operator.and_, "or": operator.or_, "xor": operator.xor, "lshift": operator.lshift,
    "rshift": operator.rshift, "eq": operator.eq, "ne": operator.ne, "lt": operator.lt,
    "le": operator.le, "gt": operator.gt, "ge": operator.ge,
}
_SYMBOLS = {
    "add": ltorch.add, "sub": ltorch.sub, "mul": ltorch.mul, "truediv": ltorch.div,
    "floordiv": ltorch.floor_divide, "mod": ltorch.remainder, "pow": ltorch.pow,
    "and": ltorch.bitwise_and, "or": ltorch.bitwise_or, "xor": ltorch.bitwise_xor,
    "eq": ltorch.eq, "ne": ltorch.ne, "lt": ltorch.lt, "le": ltorch.le, "gt": ltorch.gt,
    "ge": ltorch.ge,
}
_SIGNS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//", "mod": "%",
          "pow": "**", "and": "&", "or": "|", "xor": "^", "lshift": "<<", "rshift": ">>"}
_COMPARISONS = frozenset({"eq", "ne", "lt", "le", "gt", "ge"})
_REFLECTED_COMPARISONS = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}


def _plain(value):
    """A number operand as a Python number (numpy scalars too), or None if it is not one."""
    if type(value) in (bool, int, float):
        return value
    if numpy is not None and isinstance(value, numpy.generic) and value.dtype.kind in "biuf":
        return value.item()
    return None


def _pytype(operand) -> type:
    return operand.pytype if isinstance(operand, RuntimeNumber) else type(operand)


def _result_pytype(name, a, b) -> type:
    """Python's result type for ``a <name> b`` (numbers, bool counting as int)."""
    ta, tb = _pytype(a), _pytype(b)
    if name in _COMPARISONS:
        return bool
    if name in ("and", "or", "xor", "lshift", "rshift"):
        if float in (ta, tb):
            raise TypeError(f"unsupported operand type(s) for {_SIGNS[name]}: "
                            f"'{ta.__name__}' and '{tb.__name__}'")
        return bool if name in ("and", "or", "xor") and ta is bool and tb is bool else int
    if name == "truediv" or (name == "pow" and not isinstance(b, RuntimeNumber) and b < 0):
        return float
    return float if float in (ta, tb) else int


def _binary_method(name, reflected):
    def method(self, other):
        return binary(name, other, self) if reflected else binary(name, self, other)

    method.__name__ = f"__{'r' if reflected else ''}{name}__"
    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and", "or", "xor",
              "lshift", "rshift"):
    setattr(RuntimeNumber, f"__{_name}__", _binary_method(_name, False))
    setattr(RuntimeNumber, f"__r{_name}__", _binary_method(_name, True))
for _name in _COMPARISONS:
    setattr(RuntimeNumber, f"__{_name}__", _binary_method(_name, False))


def binary(name, a, b):
    """``a <op> b`` where at least one side is a ``RuntimeNumber``, with Python's semantics."""
    runtime = a if isinstance(a, RuntimeNumber) else b
    context = runtime.context
    if isinstance(a, RuntimeArray) or isinstance(b, RuntimeArray):
        return NotImplemented
    if isinstance(a, TensorProxy) or isinstance(b, TensorProxy):
        return context.tensor_operator(name, a, b)
    if not isinstance(a, RuntimeNumber):
        a = _plain(a)
    if not isinstance(b, RuntimeNumber):
        b = _plain(b)
    if a is None or b is None:
        return NotImplemented
    if name in ("lshift", "rshift") or (name == "pow" and _pow_by_value(context, a, b)):
        return _PYTHON_OPERATORS[name](context.exact(a), context.exact(b))
    result = _result_pytype(name, a, b)
    if name in ("truediv", "floordiv", "mod") and isinstance(b, RuntimeNumber) and \
            context.python_value(binary("eq", b, 0), bool):
        # Python raises ZeroDivisionError where torch would give inf: specialise on zero
        return _PYTHON_OPERATORS[name](context.exact(a), context.exact(b))
    value = _UNKNOWN
    if all(not isinstance(x, RuntimeNumber) or x.value_known for x in (a, b)):
        value = _PYTHON_OPERATORS[name](*(x.value if isinstance(x, RuntimeNumber) else x
                                          for x in (a, b)))
        if type(value) is int and not _INT64_RANGE[0] <= value <= _INT64_RANGE[1]:
            raise unsupported("integer arithmetic beyond 64 bits on a number known only when "
                              "the function runs")
    if name in _COMPARISONS:
        compute = float if float in (_pytype(a), _pytype(b)) else int
    else:
        compute = result
    dtype = PYTHON_DTYPES[compute]
    x, y = _operand(a, dtype), _operand(b, dtype)
    if not isinstance(x, TensorProxy):  # a constant on the left: torch needs a tensor there
        x = ltorch.full((), x, dtype=dtype, device=y.device)
    out = _SYMBOLS[name](x, y)
    if out.dtype is not PYTHON_DTYPES[result]:
        out = _to(out, PYTHON_DTYPES[result])
    return context.number(out, value, _sources(a, b))


def _sources(*operands):
    """The numbers read from outside that operands are computed from, or None (see
    ``RuntimeNumber``)."""
    sources = ()
    for x in operands:
        if isinstance(x, RuntimeNumber):
            if x.sources is None:
                return None
            sources += tuple(s for s in x.sources if s not in sources)
    return sources


def _pow_by_value(context, a, b) -> bool:
    """Is ``a ** b`` one whose result type (int or float, real or complex) or error
    (``ZeroDivisionError``) depends on the values? Then it is computed from the values."""
    if isinstance(b, RuntimeNumber):
        if b.pytype is not float and _pytype(a) is not float:
            return True  # an int, or a float for a negative exponent
        if isinstance(a, RuntimeNumber):
            return context.python_value(binary("le", a, 0), bool)
        return a <= 0
    if b < 0:
        return context.python_value(binary("eq", a, 0), bool)
    if b != int(b):  # a negative base gives a complex number
        return context.python_value(binary("lt", a, 0), bool)
    return False


def _operand(x, dtype):
    if isinstance(x, RuntimeNumber):
        return _to(x.tensor, dtype)
    if dtype is not torch.bool and type(x) is bool:
        return int(x)
    return x


def _unary(number, sym, result):
    """``sym`` (a torch-level symbol, or None for a conversion) of a runtime number, whose
    Python result type is ``result``."""
    python = _PYTHON_UNARY.get(sym, result)
    context = number.context
    if number.pytype is float and result is int and not context.python_value(
            binary("lt", abs(number), 2.0 ** 63), bool):
        return python(context.exact(number))  # inf or nan: Python's error, as eager
    dtype = PYTHON_DTYPES[result]
    out = _to(number.tensor, dtype) if number.pytype is bool else number.tensor
    if sym is not None:
        out = sym(out)
    out = _to(out, dtype)
    value = result(python(number.value)) if number.value_known else _UNKNOWN
    return context.number(out, value, number.sources)


_PYTHON_UNARY = {ltorch.neg: operator.neg, ltorch.abs: abs, ltorch.bitwise_not: operator.invert,
                 ltorch.round: round, ltorch.trunc: math.trunc, ltorch.floor: math.floor,
                 ltorch.ceil: math.ceil}


def contains_runtime(values) -> bool:
    for v in values:
        if isinstance(v, RuntimeValue):
            return True
        typ = type(v)
        if typ in (list, tuple) and contains_runtime(v):
            return True
        if typ is dict and contains_runtime(v.values()):
            return True
        if typ is slice and contains_runtime((v.start, v.stop, v.step)):
            return True
    return False


def _to(tensor, dtype_or_device):
    """``tensor.to(...)``, recorded only where it changes something."""
    if dtype_or_device == tensor.dtype or dtype_or_device == tensor.device:
        return tensor
    return ltorch.to(tensor, dtype_or_device)


def _numel(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


class RuntimeArray(RuntimeValue):
    """A numpy array the computation knows only when it runs (drawn by ``numpy.random``): a
    tensor of the array's dtype. See NOTE [runtime numbers]."""

    __slots__ = ()

    @property
    def shape(self):
        return tuple(self.tensor.shape)

    @property
    def ndim(self):
        return self.tensor.ndim

    @property
    def size(self):
        return _numel(self.tensor.shape)

    @property
    def dtype(self):
        return numpy.dtype(str(self.tensor.dtype).removeprefix("torch."))

    def __len__(self):
        if not self.ndim:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        return iter([self[i] for i in range(len(self))])

    def __getitem__(self, key):
        key = self.context.concrete(key, "numpy indexing")
        keys = key if type(key) is tuple else (key,)
        if not all(k is None or k is Ellipsis or type(k) in (int, slice) for k in keys):
            raise unsupported("indexing a numpy array known only when the function runs with "
                              "anything but integers and slices")
        return self.context.wrap(ltorch.getitem(self.tensor, key))

    # -- numpy arithmetic --------------------------------------------------------------------
    def __neg__(self):
        return self._unary(ltorch.neg)

    def __pos__(self):
        return self

    def __abs__(self):
        return self._unary(ltorch.abs)

    def _unary(self, sym, float_result=False):
        t = self.tensor
        if float_result and not t.dtype.is_floating_point:
            t = _to(t, torch.float64)
        return self.context.wrap(sym(t))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        name = ufunc.__name__
        if method == "__call__" and not kwargs:
            if len(inputs) == 2 and name in _UFUNC_BINARY:
                return array_binary(_UFUNC_BINARY[name], *inputs)
            if len(inputs) == 1 and name in _UFUNC_UNARY:
                sym, float_result = _UFUNC_UNARY[name]
                return self._unary(sym, float_result)
        raise unsupported(f"numpy.{name} of a numpy array known only when the function runs")

    def __array__(self, dtype=None, copy=None):
        raise unsupported("converting a numpy array known only when the function runs to a "
                          "numpy array", "convert it with torch.tensor or torch.from_numpy")

    # -- methods -----------------------------------------------------------------------------
    def sum(self, axis=None, keepdims=False):
        t = self.tensor
        if t.dtype is torch.bool or (not t.dtype.is_floating_point and t.dtype.itemsize < 8):
            t = _to(t, torch.int64)
        return self._reduce(ltorch.sum, t, axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        t = self.tensor
        if not t.dtype.is_floating_point:
            t = _to(t, torch.float64)
        return self._reduce(ltorch.mean, t, axis, keepdims)

    def min(self, axis=None, keepdims=False):
        return self._reduce(ltorch.amin, self.tensor, axis, keepdims)

    def max(self, axis=None, keepdims=False):
        return self._reduce(ltorch.amax, self.tensor, axis, keepdims)

    def _reduce(self, sym, t, axis, keepdims):
        dims = tuple(range(t.ndim)) if axis is None else axis
        return self.context.wrap(sym(t, dims, keepdims))

    def astype(self, dtype):
        target = torch.from_numpy(numpy.zeros(0, dtype=numpy.dtype(dtype))).dtype
        return self.context.array(_to(self.tensor, target))

    def reshape(self, *shape):
        if len(shape) == 1 and type(shape[0]) in (tuple, list):
            shape = tuple(shape[0])
        return self.context.array(ltorch.reshape(self.tensor, self.context.concrete(shape)))

    def flatten(self):
        return self.reshape(-1)

    def copy(self):
        return self

    def item(self):
        if self.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        return self.context.wrap(ltorch.reshape(self.tensor, ()))

    def tolist(self):
        if not self.ndim:
            return self.item()
        return [x.tolist() if isinstance(x, RuntimeArray) else x for x in self]

    def __bool__(self):
        if self.size != 1:
            raise ValueError("The truth value of an array with more than one element is "
                             "ambiguous. Use a.any() or a.all()")
        return bool(self.item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        return self.item().__index__()

    def __str__(self):
        return str(self.context.array_value(self))

    def __repr__(self):
        if not self.context.tracing():
            return f"<runtime array {self.tensor.name}>"
        return repr(self.context.array_value(self))

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise unsupported(f"numpy.ndarray.{name} of a numpy array known only when the function "
                          f"runs")


def _array_binary_method(name, reflected):
    def method(self, other):
        return array_binary(name, other, self) if reflected else array_binary(name, self, other)

    method.__name__ = f"__{'r' if reflected else ''}{name}__"
    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and", "or", "xor"):
    setattr(RuntimeArray, f"__{_name}__", _array_binary_method(_name, False))
    setattr(RuntimeArray, f"__r{_name}__", _array_binary_method(_name, True))
for _name in _COMPARISONS:
    setattr(RuntimeArray, f"__{_name}__", _array_binary_method(_name, False))

_UFUNC_BINARY = {
    "add": "add", "subtract": "sub", "multiply": "mul", "divide": "truediv",
    "true_divide": "truediv", "floor_divide": "floordiv", "remainder": "mod", "power": "pow",
    "equal": "eq", "not_equal": "ne", "less": "lt", "less_equal": "le", "greater": "gt",
    "greater_equal": "ge", "bitwise_and": "and", "bitwise_or": "or", "bitwise_xor": "xor",
}
_UFUNC_UNARY = {
    "negative": (ltorch.neg, False), "absolute": (ltorch.abs, False),
    "sqrt": (ltorch.sqrt, True), "exp": (ltorch.exp, True), "log": (ltorch.log, True),
    "sin": (ltorch.sin, True), "cos": (ltorch.cos, True), "tanh": (ltorch.tanh, True),
    "floor": (ltorch.floor, False), "ceil": (ltorch.ceil, False),
}


def array_binary(name, a, b):
    """``a <op> b`` with numpy's semantics where one side is a ``RuntimeArray``."""
    array = a if isinstance(a, RuntimeArray) else b
    context = array.context
    if isinstance(a, TensorProxy) or isinstance(b, TensorProxy):
        return context.tensor_operator(name, a, b)
    samples = (_sample(a), _sample(b))
    if samples[0] is None or samples[1] is None:
        return NotImplemented
    with numpy.errstate(all="ignore"):
        result = _PYTHON_OPERATORS[name](*samples).dtype
        common = result if name not in _COMPARISONS else (samples[0] + samples[1]).dtype
    dtype = _torch_dtype(common)
    x, y = (_array_operand(context, v, dtype) for v in (a, b))
    if not isinstance(x, TensorProxy):
        x = ltorch.full((), x, dtype=dtype, device=y.device)
    return context.wrap(_to(_SYMBOLS[name](x, y), _torch_dtype(result)))


def _sample(x):
    """A zero-size stand-in with which numpy computes the result dtype (numpy's rules for
    Python numbers included)."""
    if isinstance(x, RuntimeArray):
        return numpy.zeros(0, x.dtype)
    if isinstance(x, RuntimeNumber):
        return x.pytype(1)
    if numpy is not None and isinstance(x, (numpy.ndarray, numpy.generic)):
        return numpy.zeros(0, x.dtype) if isinstance(x, numpy.ndarray) else x
    return x if type(x) in (bool, int, float) else None


def _torch_dtype(dtype) -> torch.dtype:
    return torch.from_numpy(numpy.zeros(0, dtype=dtype)).dtype


def _array_operand(context, x, dtype):
    if isinstance(x, RuntimeValue):
        return _to(x.tensor, dtype)
    if isinstance(x, numpy.ndarray):  # a constant array: an input held by reference
        return _to(context.tracker.wrap_unknown(torch.tensor(x)), dtype)
    return _plain(x)


def _to_python(tensor, method):
    """Runs in the computation: a Python number (``item``) or numpy array (``numpy``)."""
    return getattr(tensor, method)()


to_python = Symbol("to_python", lambda tensor, method: Proxy(prefix="n"),
                   module_alias="pynumbers", module=sys.modules[__name__], impl=_to_python,
                   is_prim=True)
