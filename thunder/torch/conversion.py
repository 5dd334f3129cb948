"""Torch-level conversions: ``Tensor.to``, ``type_as``, ``float()``/``long()``/..., ``cpu()``,
``cuda()``, ``type()`` and ``detach``.

Dtype changes record ``prims.convert_element_type``, device changes ``prims.device_put``. A
conversion that changes nothing returns the input proxy itself, as torch returns ``self``
(``copy=True`` records a copy instead). ``detach`` records ``prims.detach``, whose output never
requires grad and which the autograd transform treats as a cut.

This module defines operators named like Python builtins (``float``, ``int``, ``bool``,
``type``); they are declared at the end and code here reaches the builtins through
``builtins.``.
"""

import builtins

import torch

from thunder.core import prims
from thunder.core.devices import to_device
from thunder.core.proxies import TensorProxy
from thunder.torch.registry import torchsymbol


def _check_tensor(a, name):
    if not isinstance(a, TensorProxy):
        kind = builtins.type(a).__name__
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {kind}")


def convert(a, *, dtype=None, device=None, copy=False):
    """``a`` with the given dtype and device; ``a`` itself when nothing changes (and no copy)."""
    out = a
    if dtype is not None and dtype != a.dtype:
        out = prims.convert_element_type(out, dtype)
    if device is not None and to_device(device) != a.device:
        out = prims.device_put(out, to_device(device))
    if out is a and copy:
        out = prims.convert_element_type(a, a.dtype)
    return out


def _parse_to(args, kwargs):
    """Resolve ``Tensor.to``'s overloads into (device, dtype, copy)."""
    kwargs = dict(kwargs)
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    non_blocking = kwargs.pop("non_blocking", False)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid keyword argument {next(iter(kwargs))!r}")
    args = list(args)
    if args:
        first = args.pop(0)
        if isinstance(first, TensorProxy):
            device, dtype = first.device, first.dtype
        elif isinstance(first, torch.dtype):
            dtype = first
        elif isinstance(first, (str, torch.device, builtins.int)) and \
                not isinstance(first, builtins.bool):
            device = first
            if args and isinstance(args[0], torch.dtype):
                dtype = args.pop(0)
        elif first is not None:
            raise TypeError(f"to() received an invalid combination of arguments - got "
                            f"({builtins.type(first).__name__}, ...)")
    if args:
        non_blocking = args.pop(0)
    if args:
        copy = args.pop(0)
    if args:
        raise TypeError("to() received too many positional arguments")
    del non_blocking  # the trace's order is the only synchronization there is
    return device, dtype, copy


@torchsymbol(methods=("to",))
def to(input, *args, **kwargs):
    """``a.to(dtype)``, ``a.to(device[, dtype])``, ``a.to(other)``, keywords, ``copy=``.

    A ``.to`` that changes nothing returns ``input`` itself, as torch does.
    """
    _check_tensor(input, "to")
    device, dtype, copy = _parse_to(args, kwargs)
    return convert(input, dtype=dtype, device=device, copy=copy)


@torchsymbol(methods=("type_as",))
def type_as(input, other):
    return convert(input, dtype=other.dtype)


@torchsymbol(methods=("cpu",))
def cpu(input, memory_format=torch.preserve_format):
    return convert(input, device="cpu")


@torchsymbol(methods=("cuda",))
def cuda(input, device=None, non_blocking=False, memory_format=torch.preserve_format):
    if device is None:
        device = "cuda"
    elif isinstance(device, builtins.int):
        device = torch.device("cuda", device)
    return convert(input, device=device)


@torchsymbol(torch.detach, methods=("detach",))
def detach(input):
    """The same values, cut from autograd: the result never requires grad."""
    _check_tensor(input, "detach")
    return prims.detach(input)


_LEGACY_TYPE_NAMES = {
    torch.float32: "FloatTensor", torch.float64: "DoubleTensor", torch.float16: "HalfTensor",
    torch.bfloat16: "BFloat16Tensor", torch.int64: "LongTensor", torch.int32: "IntTensor",
    torch.int16: "ShortTensor", torch.int8: "CharTensor", torch.uint8: "ByteTensor",
    torch.bool: "BoolTensor", torch.complex64: "ComplexFloatTensor",
    torch.complex128: "ComplexDoubleTensor",
}


def _legacy_type_name(dtype, device) -> str:
    prefix = "torch." if device.type == "cpu" else f"torch.{device.type}."
    return prefix + _LEGACY_TYPE_NAMES.get(dtype, str(dtype))


def _dtype_from_type_name(name: str):
    for dtype, short in _LEGACY_TYPE_NAMES.items():
        if name.endswith("." + short):
            return dtype, ("cuda" if ".cuda." in name else "cpu")
    raise ValueError(f"invalid type: {name!r}")


def _type(input, dtype=None, non_blocking=False, **kwargs):
    """``a.type()`` is the legacy type name (a Python string); ``a.type(dtype)`` converts."""
    if dtype is None:
        return _legacy_type_name(input.dtype, input.device)
    if isinstance(dtype, builtins.str):
        dtype, device = _dtype_from_type_name(dtype)
        return convert(input, dtype=dtype, device=device)
    return convert(input, dtype=dtype)


def _declare_cast(name, dtype):
    def cast(input, memory_format=torch.preserve_format):
        _check_tensor(input, name)
        return convert(input, dtype=dtype)

    cast.__name__ = name
    cast.__doc__ = f"``a.{name}()``: ``a`` converted to {dtype} (``a`` itself if it already is)."
    return torchsymbol(methods=(name,))(cast)


# The names below shadow Python builtins in this module (see the module docstring).
double = _declare_cast("double", torch.float64)
half = _declare_cast("half", torch.float16)
bfloat16 = _declare_cast("bfloat16", torch.bfloat16)
long = _declare_cast("long", torch.int64)
short = _declare_cast("short", torch.int16)
byte = _declare_cast("byte", torch.uint8)
char = _declare_cast("char", torch.int8)
cfloat = _declare_cast("cfloat", torch.complex64)
cdouble = _declare_cast("cdouble", torch.complex128)
float = _declare_cast("float", torch.float32)
int = _declare_cast("int", torch.int32)
bool = _declare_cast("bool", torch.bool)
type = torchsymbol(methods=("type",), name="type")(_type)
