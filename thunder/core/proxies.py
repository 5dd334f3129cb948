"""Proxies: the values a trace computes on.

A ``TensorProxy`` stands for a tensor during tracing and carries typed metadata (``shape``,
``dtype``, ``device``, ``requires_grad``). Its operators and methods (``x + y``, ``x.view(...)``)
dispatch through ``tensor_methods``, a registry keyed by method name that ``thunder.torch`` fills
when it defines the torch-level operators; this keeps the import graph pointing one way.

Every proxy has a name unique within its trace (``t0``, ``t1``...), taken from the current trace.
"""

import types

import torch

from thunder.core import dtypes
from thunder.core.devices import device_str, to_device
from thunder.core.tracectx import get_tracectx

# NOTE [tensor methods registry]
# TensorProxy knows no operators itself. thunder.torch registers, for each Tensor method name
# ("add", "view", "__add__", "__radd__", ...), the torch-level symbol that implements it. A
# missing name raises AttributeError naming the method, like torch would for a bad attribute.
tensor_methods: dict[str, object] = {}

# Set by the jit while tracing: method name -> callable for Tensor methods Thunder does not
# define (the eager fallback), or None to raise AttributeError.
missing_method_handler = None

# Set by the jit while tracing: (proxy, kind) -> the Python value of a tensor's data, where kind
# is bool, int, float, complex, "item" or "tolist". See NOTE [data-dependent values].
data_dependent_handler = None


class ProxyError(TypeError):
    """An operation a proxy cannot support during tracing (for example a data-dependent bool)."""


class Proxy:
    """Base of all proxies: a name unique in the trace that made it."""

    __slots__ = ("name",)

    def __init__(self, name: str | None = None, prefix: str = "p"):
        if name is None:
            trace = get_tracectx()
            name = trace.make_name(prefix) if trace is not None else f"{prefix}_untraced"
        self.name = name

    def __repr__(self):
        return self.name


def _method(name):
    def method(self, *args, **kwargs):
        return _lookup(name)(self, *args, **kwargs)

    method.__name__ = name
    method.tensor_method = name  # lets the interpreter's lookaside find the symbol
    return method


def _lookup(name):
    fn = tensor_methods.get(name)
    if fn is None:
        raise AttributeError(f"Thunder does not support the Tensor method or operator {name!r}")
    return fn


class TensorProxy(Proxy):
    """Stands for a tensor of known shape, dtype, device and requires_grad.

    >>> from thunder.core.trace import TraceCtx
    >>> from thunder.core.tracectx import tracectx
    >>> with tracectx(TraceCtx()):
    ...     t = TensorProxy(shape=(2, 3), dtype=torch.float32, device="cpu")
    >>> t.type_string()
    'cpu f32[2, 3]'
    """

    __slots__ = ("shape", "dtype", "device", "requires_grad")

    def __init__(self, name=None, *, shape, dtype, device, requires_grad=False, prefix="t",
                 is_input=False):
        super().__init__(name, prefix)
        self.shape = tuple(int(s) for s in shape)
        self.dtype = dtype
        self.device = to_device(device)
        # like torch, results computed with grad mode off never require grad
        self.requires_grad = bool(requires_grad) and (is_input or torch.is_grad_enabled())

    @staticmethod
    def like(other, *, shape=None, dtype=None, device=None, requires_grad=None):
        """A new proxy with ``other``'s metadata, overriding what is given."""
        return TensorProxy(
            shape=other.shape if shape is None else shape,
            dtype=other.dtype if dtype is None else dtype,
            device=other.device if device is None else device,
            requires_grad=other.requires_grad if requires_grad is None else requires_grad,
        )

    def type_string(self) -> str:
        dims = ", ".join(str(s) for s in self.shape)
        return f"{device_str(self.device)} {dtypes.short_name(self.dtype)}[{dims}]"

    # metadata queries that torch answers without computing
    @property
    def ndim(self):
        return len(self.shape)

    def dim(self):
        return len(self.shape)

    def size(self, dim=None):
        if dim is None:
            return torch.Size(self.shape)
        return self.shape[dim]

    def numel(self):
        n = 1
        for s in self.shape:
            n *= s
        return n

    def nelement(self):
        return self.numel()

    def element_size(self):
        return self.dtype.itemsize

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    @property
    def is_cpu(self):
        return self.device.type == "cpu"

    @property
    def is_floating_point_type(self):
        return self.dtype.is_floating_point

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def is_complex(self):
        return self.dtype.is_complex

    def get_device(self):
        return -1 if self.device.type == "cpu" else self.device.index

    @property
    def layout(self):
        return torch.strided

    @property
    def is_sparse(self):
        return False

    @property
    def is_quantized(self):
        return False

    @property
    def is_meta(self):
        return self.device.type == "meta"

    @property
    def T(self):
        return _lookup("T")(self)

    @property
    def mT(self):
        return _lookup("mT")(self)

    @property
    def mH(self):
        return _lookup("mH")(self)

    @property
    def H(self):
        return _lookup("H")(self)


    @property
    def real(self):
        return _lookup("real")(self)

    @property
    def imag(self):
        return _lookup("imag")(self)

    @property
    def data(self):
        return _lookup("detach")(self)

    def _data_value(self, kind):
        if data_dependent_handler is None:
            raise ProxyError(f"{kind if isinstance(kind, str) else kind.__name__}() of a tensor "
                             f"depends on its data, which is not known while tracing")
        return data_dependent_handler(self, kind)

    def __bool__(self):
        return self._data_value(bool)

    def __int__(self):
        return self._data_value(int)

    def __index__(self):
        if self.dtype.is_floating_point or self.dtype.is_complex:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return self._data_value(int)

    def __float__(self):
        return self._data_value(float)

    def __complex__(self):
        return self._data_value(complex)

    def item(self):
        return self._data_value("item")

    def tolist(self):
        return self._data_value("tolist")

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d tensor")
        unbind = _lookup("unbind")
        return iter(unbind(self, 0))

    def __hash__(self):
        return id(self)

    def __getattr__(self, name):
        fn = tensor_methods.get(name)
        if fn is None:
            if missing_method_handler is not None and not name.startswith("_"):
                method = missing_method_handler(self, name)
                if method is not None:
                    return method
            raise AttributeError(f"Thunder does not support the Tensor attribute or method {name!r}")
        return types.MethodType(fn, self)

    def __format__(self, spec):
        # f"{t}" needs the tensor's data: see NOTE [data-dependent values]
        return self._data_value(("format", spec))


_OPERATORS = (
    "add radd sub rsub mul rmul truediv rtruediv floordiv rfloordiv mod rmod pow rpow "
    "matmul rmatmul and rand or ror xor rxor lshift rlshift rshift rrshift "
    "neg pos abs invert eq ne lt le gt ge getitem setitem "
    "iadd isub imul itruediv ifloordiv imod ipow iand ior ixor ilshift irshift imatmul"
).split()

for _name in _OPERATORS:
    setattr(TensorProxy, f"__{_name}__", _method(f"__{_name}__"))


def is_proxy(x) -> bool:
    return isinstance(x, Proxy)


def proxy_for_tensor(t: torch.Tensor, name: str | None = None) -> TensorProxy:
    """A proxy with the metadata of a real tensor."""
    return TensorProxy(name, shape=t.shape, dtype=t.dtype, device=t.device,
                       requires_grad=t.requires_grad, is_input=True)
