"""Torch-level tensor creation: zeros/ones/full/empty and their ``_like`` and ``new_`` forms,
arange, linspace, eye, tensor constants, and the random factories.

Defaults follow torch: the dtype of a float factory is ``torch.get_default_dtype()``, the
device is ``torch.get_default_device()``, and ``full`` and ``tensor`` infer the dtype from the
Python values (bool, then int64, then the default float, then the default complex).

NOTE [random operators and manual_seed]
``rand``/``randn``/``randint``/``rand_like``/``randn_like``/``bernoulli`` decompose into the
``uniform``/``normal`` prims, but the torch executor runs each of them whole with torch's own
function (its ``impl``), at the same point of the program as eager. So after
``torch.manual_seed(s)`` a jitted function draws exactly the numbers eager draws. (``randint``
and ``bernoulli`` decompose into a uniform draw plus arithmetic, which draws different
numbers from torch's kernels; only their distribution matches.)

``empty`` is ``zeros``: a trace must be deterministic, and nobody may read what ``empty``
holds.
"""

import math

import torch

from thunder.core import dtypes, prims
from thunder.core.devices import to_device
from thunder.core.proxies import TensorProxy
from thunder.torch.conversion import convert
from thunder.torch.elementwise import eq, floor, lt
from thunder.torch.registry import torchsymbol
from thunder.torch.shape import shape_from_varargs
from thunder.torch.utils import expand_to, maybe_convert


def _device(device):
    return to_device(torch.get_default_device() if device is None else device)


def _check_factory_args(name, *, out=None, layout=None, requires_grad=False, generator=None):
    if out is not None:
        raise NotImplementedError(f"{name}(out=...) is not supported by Thunder")
    if layout not in (None, torch.strided):
        raise NotImplementedError(f"{name}(layout={layout}) is not supported by Thunder")
    if requires_grad:
        raise NotImplementedError(f"{name}(requires_grad=True) inside a compiled function is not "
                                  f"supported by Thunder; create the tensor outside and pass it "
                                  f"in")
    if generator is not None:
        raise NotImplementedError(f"{name}(generator=...) is not supported by Thunder; it uses "
                                  f"torch's default generator (torch.manual_seed)")


def _sizes(args, size, name):
    return shape_from_varargs(args if size is None else (size,), name)


def _check_sizes(shape, name):
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(shape)}")
    return shape


def _scalar_dtype(value):
    """The dtype torch gives a tensor filled with Python number ``value``."""
    if isinstance(value, TensorProxy):
        return dtypes.default_dtype_for_category(dtypes.category(value.dtype))
    return dtypes.default_dtype_for_category(dtypes.scalar_category(value))


def _filled(shape, fill_value, dtype, device):
    if isinstance(fill_value, TensorProxy):
        if fill_value.ndim != 0:
            raise TypeError("full(): argument 'fill_value' (position 2) must be Number, not "
                            "Tensor")
        value = convert(fill_value, dtype=dtype, device=device)
        return prims.broadcast_in_dim(value, shape, ())
    return prims.full(shape, fill_value, device=device, dtype=dtype)


# -- filled tensors -------------------------------------------------------------------------
@torchsymbol(torch.full)
def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         pin_memory=False, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value`` (a number or a 0-d tensor)."""
    _check_factory_args("full", out=out, layout=layout, requires_grad=requires_grad)
    shape = _check_sizes(shape_from_varargs((size,), "full"), "full")
    dtype = _scalar_dtype(fill_value) if dtype is None else dtype
    return _filled(shape, fill_value, dtype, _device(device))


def _declare_filled(name, torch_fn, value):
    def factory(*args, size=None, out=None, dtype=None, layout=None, device=None,
                pin_memory=False, requires_grad=False, memory_format=None):
        _check_factory_args(name, out=out, layout=layout, requires_grad=requires_grad)
        shape = _check_sizes(_sizes(args, size, name), name)
        dtype = torch.get_default_dtype() if dtype is None else dtype
        return prims.full(shape, value, device=_device(device), dtype=dtype)

    factory.__name__ = name
    factory.__doc__ = f"``torch.{name}(*size)``: a tensor filled with {value}."
    return torchsymbol(torch_fn)(factory)


zeros = _declare_filled("zeros", torch.zeros, 0)
ones = _declare_filled("ones", torch.ones, 1)
empty = _declare_filled("empty", torch.empty, 0)


def _like(name, input, dtype, device, layout, requires_grad):
    if not isinstance(input, TensorProxy):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    _check_factory_args(name, layout=layout, requires_grad=requires_grad)
    return (input.dtype if dtype is None else dtype,
            input.device if device is None else to_device(device))


@torchsymbol(torch.full_like)
def full_like(input, fill_value, *, dtype=None, layout=None, device=None, pin_memory=False,
              requires_grad=False, memory_format=torch.preserve_format):
    dtype, device = _like("full_like", input, dtype, device, layout, requires_grad)
    return _filled(input.shape, fill_value, dtype, device)


def _declare_filled_like(name, torch_fn, value):
    def factory(input, *, dtype=None, layout=None, device=None, pin_memory=False,
                requires_grad=False, memory_format=torch.preserve_format):
        dtype, device = _like(name, input, dtype, device, layout, requires_grad)
        return prims.full(input.shape, value, device=device, dtype=dtype)

    factory.__name__ = name
    factory.__doc__ = f"``torch.{name}(a)``: filled with {value}, with ``a``'s metadata."
    return torchsymbol(torch_fn)(factory)


zeros_like = _declare_filled_like("zeros_like", torch.zeros_like, 0)
ones_like = _declare_filled_like("ones_like", torch.ones_like, 1)
empty_like = _declare_filled_like("empty_like", torch.empty_like, 0)


def _declare_new_filled(name, value):
    def factory(input, *args, size=None, dtype=None, layout=None, device=None,
                pin_memory=False, requires_grad=False):
        dtype, device = _like(name, input, dtype, device, layout, requires_grad)
        shape = _check_sizes(_sizes(args, size, name), name)
        return prims.full(shape, value, device=device, dtype=dtype)

    factory.__name__ = name
    factory.__doc__ = f"``a.{name}(*size)``: filled with {value}, ``a``'s dtype and device."
    return torchsymbol(methods=(name,))(factory)


new_zeros = _declare_new_filled("new_zeros", 0)
new_ones = _declare_new_filled("new_ones", 1)
new_empty = _declare_new_filled("new_empty", 0)


@torchsymbol(methods=("new_full",))
def new_full(input, size, fill_value, *, dtype=None, layout=None, device=None,
             pin_memory=False, requires_grad=False):
    dtype, device = _like("new_full", input, dtype, device, layout, requires_grad)
    return _filled(shape_from_varargs((size,), "new_full"), fill_value, dtype, device)


@torchsymbol(torch.scalar_tensor)
def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=False):
    _check_factory_args("scalar_tensor", layout=layout)
    dtype = torch.get_default_dtype() if dtype is None else dtype
    return _filled((), s, dtype, _device(device))


# -- ranges ---------------------------------------------------------------------------------
def _check_number(value, name):
    if isinstance(value, TensorProxy):
        raise NotImplementedError(f"{name}() with a tensor bound depends on the tensor's value "
                                  f"and is not supported by Thunder")


@torchsymbol(torch.arange)
def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           pin_memory=False, requires_grad=False):
    """``arange(end)``, ``arange(start, end[, step])``: int64 unless a bound is a float."""
    _check_factory_args("arange", out=out, layout=layout, requires_grad=requires_grad)
    if end is None:
        start, end = 0, start
    for value in (start, end, step):
        _check_number(value, "arange")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = torch.get_default_dtype() if is_float else torch.int64
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    length = math.ceil((end - start) / step)
    return prims.iota(length, start=start, step=step, device=_device(device), dtype=dtype)


@torchsymbol(torch.linspace)
def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             pin_memory=False, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end``, computed from both ends."""
    _check_factory_args("linspace", out=out, layout=layout, requires_grad=requires_grad)
    for value in (start, end):
        _check_number(value, "linspace")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = torch.get_default_dtype() if dtype is None else dtype
    device = _device(device)
    compute = torch.complex128 if dtype.is_complex else torch.float64
    index = prims.iota(steps, start=0, step=1, device=device, dtype=compute)
    if steps <= 1:
        return maybe_convert(prims.add(index, start), dtype)
    delta = (end - start) / (steps - 1)
    from_start = prims.add(prims.mul(index, delta), start)
    from_end = prims.add(prims.mul(prims.sub(index, float(steps - 1)), delta), end)
    first_half = lt(index, float(steps // 2)) if compute is torch.float64 else \
        prims.full((steps,), True, device=device, dtype=torch.bool)
    return maybe_convert(prims.where(first_half, from_start, from_end), dtype)


@torchsymbol(torch.eye)
def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, pin_memory=False,
        requires_grad=False):
    _check_factory_args("eye", out=out, layout=layout, requires_grad=requires_grad)
    m = n if m is None else m
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    dtype = torch.get_default_dtype() if dtype is None else dtype
    device = _device(device)
    rows = prims.iota(n, start=0, step=1, device=device, dtype=torch.int64)
    cols = prims.iota(m, start=0, step=1, device=device, dtype=torch.int64)
    same = eq(prims.broadcast_in_dim(rows, (n, m), (0,)),
              prims.broadcast_in_dim(cols, (n, m), (1,)))
    return maybe_convert(same, dtype)


# -- tensor constants -----------------------------------------------------------------------
def _nested_values(data, depth=0, shape=None):
    """Validate nested sequences of Python numbers: returns (plain nested lists, shape, leaves)."""
    if isinstance(data, (list, tuple)):
        items = [_nested_values(x, depth + 1) for x in data]
        inner = items[0][1] if items else ()
        for i, (_, s, _) in enumerate(items):
            if s != inner:
                got = len(data[i]) if isinstance(data[i], (list, tuple)) else type(data[i]).__name__
                raise ValueError(f"expected sequence of length {inner[0] if inner else 0} at dim "
                                 f"{depth + 1} (got {got})")
        leaves = [leaf for _, _, ls in items for leaf in ls]
        return [v for v, _, _ in items], (len(data),) + inner, leaves
    if isinstance(data, TensorProxy):
        raise NotImplementedError("torch.tensor() of a sequence containing tensors is not "
                                  "supported by Thunder; use torch.stack")
    if isinstance(data, (bool, int, float, complex)):
        return data, (), [data]
    if hasattr(data, "item") and not isinstance(data, TensorProxy):
        value = data.item()  # NumPy scalars
        return value, (), [value]
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _infer_dtype(leaves):
    if not leaves:
        return torch.get_default_dtype()
    category = max(dtypes.scalar_category(v) for v in leaves)
    return dtypes.default_dtype_for_category(category)


@torchsymbol(torch.tensor)
def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor constant from a (nested) sequence of numbers or a number, of any dtype."""
    _check_factory_args("tensor", requires_grad=requires_grad)
    if isinstance(data, TensorProxy):
        return convert(data, dtype=dtype, device=device, copy=True)
    values, _, leaves = _nested_values(data)
    dtype = _infer_dtype(leaves) if dtype is None else dtype
    return prims.tensor_from_sequence(values, dtype=dtype, device=_device(device))


@torchsymbol(torch.as_tensor)
def as_tensor(data, dtype=None, device=None):
    if isinstance(data, TensorProxy):
        return convert(data, dtype=dtype, device=device)
    return tensor(data, dtype=dtype, device=device)


# -- random ---------------------------------------------------------------------------------
def _declare_random(name, torch_fn, prim):
    def factory(*args, size=None, generator=None, out=None, dtype=None, layout=None,
                device=None, pin_memory=False, requires_grad=False):
        _check_factory_args(name, out=out, layout=layout, requires_grad=requires_grad,
                            generator=generator)
        shape = _check_sizes(_sizes(args, size, name), name)
        dtype = torch.get_default_dtype() if dtype is None else dtype
        return prim(shape, 0.0, 1.0, device=_device(device), dtype=dtype)

    factory.__name__ = name
    factory.__doc__ = (f"``torch.{name}(*size)``; see NOTE [random operators and "
                       f"manual_seed].")
    return torchsymbol(torch_fn)(factory)


rand = _declare_random("rand", torch.rand, prims.uniform)
randn = _declare_random("randn", torch.randn, prims.normal)


def _declare_random_like(name, torch_fn, prim):
    def factory(input, *, dtype=None, layout=None, device=None, pin_memory=False,
                requires_grad=False, memory_format=torch.preserve_format):
        dtype, device = _like(name, input, dtype, device, layout, requires_grad)
        return prim(input.shape, 0.0, 1.0, device=device, dtype=dtype)

    factory.__name__ = name
    factory.__doc__ = f"``torch.{name}(a)``; see NOTE [random operators and manual_seed]."
    return torchsymbol(torch_fn)(factory)


rand_like = _declare_random_like("rand_like", torch.rand_like, prims.uniform)
randn_like = _declare_random_like("randn_like", torch.randn_like, prims.normal)


@torchsymbol(torch.randint)
def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, pin_memory=False, requires_grad=False):
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high)."""
    _check_factory_args("randint", out=out, layout=layout, requires_grad=requires_grad,
                        generator=generator)
    if size is None:
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    shape = _check_sizes(shape_from_varargs((size,), "randint"), "randint")
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    dtype = torch.int64 if dtype is None else dtype
    draw = prims.uniform(shape, float(low), float(high), device=_device(device),
                         dtype=torch.float64)
    return maybe_convert(floor(draw), dtype)


@torchsymbol(torch.bernoulli, methods=("bernoulli",))
def bernoulli(input, p=None, *, generator=None, out=None):
    """Ones with probability ``input`` (or ``p``), zeros otherwise, in ``input``'s dtype."""
    _check_factory_args("bernoulli", out=out, generator=generator)
    draw = prims.uniform(input.shape, 0.0, 1.0, device=input.device, dtype=torch.float64)
    prob = input if p is None else p
    hit = lt(draw, maybe_convert(prob, torch.float64) if isinstance(prob, TensorProxy) else prob)
    return maybe_convert(expand_to(hit, input.shape), input.dtype)
