"""Torch-level indexing: ``a[key]``, index_select, gather, take_along_dim, the functional
scatter/index_add/index_copy/index_put, and masked_fill.

``a[key]`` is decomposed in two steps, like torch does it:

1. Basic indexing. Slices (positive steps only), ints, ``None``, ``...`` and Python bools
   become one ``prims.slice``, a ``prims.squeeze`` of the int-indexed dims and a
   ``prims.broadcast_in_dim`` that inserts the new dims.
2. Advanced indexing. Integer tensors (and lists of ints) index what is left with
   ``prims.take``. Several index tensors are broadcast together and folded into one linear
   index over their (adjacent) dims. Their result dims replace the indexed dims when those
   were adjacent, and go first otherwise (numpy's placement rule, which torch follows).

Boolean masks select a number of elements that depends on the mask's values; like
``masked_select`` they raise ``NotImplementedError`` naming the operation.
"""

import math
import operator

import torch

from thunder.core import dtypes, prims
from thunder.core.proxies import TensorProxy
from thunder.core.symbol import DataDependentShape
from thunder.torch.creation import arange, full
from thunder.torch.elementwise import add, lt, mul, where
from thunder.torch.registry import torchsymbol
from thunder.torch.shape import flatten, movedim, slice_in_dim
from thunder.torch.utils import broadcast_shapes, canonical_dim, expand_to, maybe_convert

_INDEX_DTYPES = (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8)


def _mask_not_supported(name):
    return DataDependentShape(
        f"{name} with a boolean mask gives a shape that depends on the mask's values; Thunder "
        f"does not support data-dependent shapes in compiled code yet")


def _type_name(dtype) -> str:
    return {torch.float32: "Float", torch.float64: "Double", torch.float16: "Half",
            torch.bfloat16: "BFloat16", torch.int64: "Long", torch.int32: "Int",
            torch.bool: "Bool"}.get(dtype, str(dtype).removeprefix("torch."))


# -- a[key] ---------------------------------------------------------------------------------
def _index_item(item, device):
    """Normalize one entry of an index: lists of ints become index tensors."""
    if isinstance(item, TensorProxy):
        if item.dtype is torch.bool or item.dtype is torch.uint8:
            raise _mask_not_supported("indexing")
        if item.dtype not in _INDEX_DTYPES:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return item
    if isinstance(item, (list, tuple)):
        leaves = list(_leaves(item))
        if any(isinstance(v, bool) for v in leaves):
            raise _mask_not_supported("indexing")
        if not all(isinstance(v, int) for v in leaves):
            raise IndexError("a list used as an index must hold only integers")
        return prims.tensor_from_sequence(item, dtype=torch.int64, device=device)
    if item is None or item is Ellipsis or isinstance(item, (slice, bool)):
        return item
    try:
        return operator.index(item)
    except TypeError:
        raise IndexError(f"only integers, slices (`:`), ellipsis (`...`), None and long or "
                         f"byte Variables are valid indices (got {type(item).__name__})") from None


def _is_index_part(item):
    return item is None or item is Ellipsis or isinstance(item, (list, tuple, slice, TensorProxy))


def _leaves(seq):
    for x in seq:
        if isinstance(x, (list, tuple)):
            yield from _leaves(x)
        else:
            yield x


def _expand_ellipsis(items, ndim):
    consumed = sum(1 for i in items if isinstance(i, (int, slice, TensorProxy))
                   and not isinstance(i, bool))
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    ellipses = [i for i, item in enumerate(items) if item is Ellipsis]
    if not ellipses:
        return list(items) + [slice(None)] * (ndim - consumed)
    first = ellipses[0]
    rest = [item for item in items[first + 1:] if item is not Ellipsis]
    return list(items[:first]) + [slice(None)] * (ndim - consumed) + rest


def _basic_index(a, items):
    """Apply slices, ints, None and bools; returns (result, [(result dim, index tensor)])."""
    starts, stops, steps = [0] * a.ndim, list(a.shape), [1] * a.ndim
    int_dims = []
    plan = []  # per output dim: ("src", dim), ("new", size) or ("adv", dim, tensor)
    src = 0
    for item in items:
        if item is None or item is True:
            plan.append(("new", 1))
        elif item is False:
            plan.append(("new", 0))
        elif isinstance(item, TensorProxy):
            plan.append(("adv", src, item))
            src += 1
        elif isinstance(item, slice):
            step = 1 if item.step is None else operator.index(item.step)
            if step <= 0:
                raise ValueError("step must be greater than zero")
            start, stop, _ = slice(item.start, item.stop, step).indices(a.shape[src])
            starts[src], stops[src], steps[src] = start, max(start, stop), step
            plan.append(("src", src))
            src += 1
        else:
            size = a.shape[src]
            if not -size <= item < size:
                raise IndexError(f"index {item} is out of bounds for dimension {src} with size "
                                 f"{size}")
            starts[src], stops[src] = item % size, item % size + 1
            int_dims.append(src)
            src += 1
    out = a
    if (starts, stops, steps) != ([0] * a.ndim, list(a.shape), [1] * a.ndim):
        out = prims.slice(a, tuple(starts), tuple(stops), tuple(steps))
    if int_dims:
        out = prims.squeeze(out, tuple(int_dims))
    kept = [d for d in range(a.ndim) if d not in int_dims]
    position = {d: i for i, d in enumerate(kept)}
    shape, dims, advanced, empty = [], [], [], []
    for entry in plan:
        if entry[0] == "new":
            if entry[1] == 0:
                empty.append(len(shape))
            shape.append(1)
            continue
        if entry[0] == "adv":
            advanced.append((len(shape), entry[2]))
        dims.append(len(shape))
        shape.append(out.shape[position[entry[1]]])
    if len(shape) != out.ndim:
        out = prims.broadcast_in_dim(out, tuple(shape), tuple(dims))
    for d in empty:
        out = slice_in_dim(out, d, 0, 0)
    return out, advanced


def _wrap_negative(index, size):
    index = maybe_convert(index, torch.int64)
    return where(lt(index, 0), add(index, size), index)


def _advanced_index(a, advanced):
    """Index ``a`` with integer tensors at the given dims (numpy's placement rule)."""
    positions = [p for p, _ in advanced]
    try:
        shape = broadcast_shapes(*(t.shape for _, t in advanced))
    except RuntimeError:
        shapes = ", ".join(str(list(t.shape)) for _, t in advanced)
        raise IndexError(f"shape mismatch: indexing tensors could not be broadcast together "
                         f"with shapes {shapes}") from None
    adjacent = positions == list(range(positions[0], positions[0] + len(positions)))
    at = positions[0] if adjacent else 0
    others = [d for d in range(a.ndim) if d not in positions]
    order = others[:at] + positions + others[at:]
    if order != list(range(a.ndim)):
        a = prims.transpose(a, tuple(order))
    sizes = [a.shape[at + i] for i in range(len(positions))]
    linear = None
    stride = 1
    for size, (_, index) in reversed(list(zip(sizes, advanced))):
        term = expand_to(_wrap_negative(index, size), shape)
        term = term if stride == 1 else mul(term, stride)
        linear = term if linear is None else add(linear, term)
        stride *= size
    if len(positions) > 1:
        merged = a.shape[:at] + (math.prod(sizes),) + a.shape[at + len(positions):]
        a = prims.reshape(a, merged)
    return prims.take(a, linear, at)


@torchsymbol(methods=("__getitem__",), name="getitem")
def getitem(a, key):
    """``a[key]`` for ints, slices, None, ``...``, bools, integer tensors and lists of ints."""
    if isinstance(key, list) and any(_is_index_part(k) for k in key):
        key = tuple(key)  # numpy's legacy rule: such a list is a tuple of indices
    elif isinstance(key, list):
        key = _index_item(key, a.device)
    items = key if isinstance(key, tuple) else (key,)
    items = [_index_item(item, a.device) for item in items]
    if a.ndim == 0 and any(isinstance(item, TensorProxy) for item in items):
        raise IndexError("too many indices for tensor of dimension 0")
    items = _expand_ellipsis(items, a.ndim)
    out, advanced = _basic_index(a, items)
    if not advanced:
        return out
    return _advanced_index(out, advanced)


# -- index_select, gather, take_along_dim ---------------------------------------------------
def _check_index(index, name, allowed=(torch.int64, torch.int32)):
    if not isinstance(index, TensorProxy):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index.dtype not in allowed:
        kinds = "int32/int64" if len(allowed) > 1 else "int64"
        raise RuntimeError(f"{name}(): Expected dtype {kinds} for index")


@torchsymbol(torch.index_select, methods=("index_select",))
def index_select(input, dim, index):
    _check_index(index, "index_select")
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    dim = canonical_dim(dim, input.ndim)
    index = prims.reshape(index, (1,)) if index.ndim == 0 else index
    if input.ndim == 0:
        return prims.reshape(prims.take(prims.reshape(input, (1,)), index, 0), ())
    return prims.take(input, index, dim)


@torchsymbol(torch.gather, methods=("gather",))
def gather(input, dim, index, *, sparse_grad=False):
    _check_index(index, "gather", allowed=(torch.int64,))
    dim = canonical_dim(dim, input.ndim)
    if index.ndim != input.ndim and not (index.ndim <= 1 and input.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input "
                           "tensor")
    return prims.take_along_axis(input, index, dim)


@torchsymbol(torch.take_along_dim, methods=("take_along_dim",))
def take_along_dim(input, indices, dim=None):
    _check_index(indices, "take_along_dim", allowed=(torch.int64,))
    if dim is None:
        return prims.take_along_axis(flatten(input), flatten(indices), 0)
    dim = canonical_dim(dim, input.ndim)
    if indices.ndim != input.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {input.ndim} dimensions for input, "
                           f"and {indices.ndim} dimensions for indices")
    without_dim = [s[:dim] + (1,) + s[dim + 1:] for s in (input.shape, indices.shape)]
    input_shape = list(broadcast_shapes(*without_dim))
    index_shape = list(input_shape)
    input_shape[dim], index_shape[dim] = input.shape[dim], indices.shape[dim]
    input = expand_to(input, tuple(input_shape))
    indices = expand_to(indices, tuple(index_shape))
    return prims.take_along_axis(input, _wrap_negative(indices, input.shape[dim]), dim)


# -- functional scatters --------------------------------------------------------------------
def _check_same_dtype(input, src, name):
    if src.dtype != input.dtype:
        raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")


@torchsymbol(torch.scatter, methods=("scatter",))
def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """Out-of-place ``scatter``: ``src`` (a tensor) or ``value`` written at ``index``."""
    if reduce is not None:
        raise NotImplementedError("scatter(reduce=...) is not supported by Thunder")
    _check_index(index, "scatter", allowed=(torch.int64,))
    dim = canonical_dim(dim, input.ndim)
    if src is None:
        src = value
    if not isinstance(src, TensorProxy):
        src = prims.full(index.shape, src, device=input.device, dtype=input.dtype)
    _check_same_dtype(input, src, "scatter")
    return prims.scatter(input, index, src, dim)


@torchsymbol(torch.scatter_add, methods=("scatter_add",))
def scatter_add(input, dim, index, src):
    _check_index(index, "scatter_add", allowed=(torch.int64,))
    _check_same_dtype(input, src, "scatter_add")
    return prims.scatter_add(input, index, src, canonical_dim(dim, input.ndim))


@torchsymbol(torch.index_add, methods=("index_add",))
def index_add(input, dim, index, source, *, alpha=1):
    _check_index(index, "index_add")
    if source.dtype != input.dtype:
        raise RuntimeError(f"index_add_(): self ({_type_name(input.dtype)}) and source "
                           f"({_type_name(source.dtype)}) must have the same scalar type")
    if alpha != 1:
        source = prims.mul(source, alpha)
    return prims.index_add(input, index, source, canonical_dim(dim, input.ndim))


@torchsymbol(torch.index_copy, methods=("index_copy",))
def index_copy(input, dim, index, source):
    """Out-of-place ``index_copy``: slices of ``source`` written at ``index`` along ``dim``."""
    _check_index(index, "index_copy", allowed=(torch.int64,))
    if source.dtype != input.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {input.dtype} and (source) {source.dtype}")
    dim = canonical_dim(dim, input.ndim)
    if input.ndim == 0:
        return prims.reshape(index_copy(prims.reshape(input, (1,)), 0, index,
                                        prims.reshape(source, (1,))), ())
    front = movedim(input, dim, 0)
    values = movedim(source, dim, 0) if source.ndim == input.ndim else source
    out = prims.index_put(front, (flatten(index),), values, False)
    return movedim(out, 0, dim)


@torchsymbol(torch.index_put, methods=("index_put",))
def index_put(input, indices, values, accumulate=False):
    """Out-of-place ``index_put`` with integer index tensors for the leading dims."""
    indices = tuple(indices)
    for index in indices:
        if index is None:
            raise NotImplementedError("index_put with None in indices is not supported by "
                                      "Thunder")
        if index.dtype is torch.bool or index.dtype is torch.uint8:
            raise _mask_not_supported("index_put")
    if len(indices) > input.ndim:
        raise IndexError(f"too many indices for tensor of dimension {input.ndim} (got "
                         f"{len(indices)})")
    if values.dtype != input.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_type_name(input.dtype)} for the destination and "
                           f"{_type_name(values.dtype)} for the source.")
    indexed = broadcast_shapes(*(i.shape for i in indices)) + input.shape[len(indices):]
    values = expand_to(values, broadcast_shapes(values.shape, indexed))
    return prims.index_put(input, indices, values, accumulate)


# -- masks ----------------------------------------------------------------------------------
@torchsymbol(torch.masked_fill, methods=("masked_fill",))
def masked_fill(input, mask, value):
    """``value`` where ``mask`` is True, ``input`` elsewhere; the dtype stays ``input``'s."""
    if mask.dtype is not torch.bool:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{str(mask.dtype).removeprefix('torch.')}")
    shape = broadcast_shapes(input.shape, mask.shape)
    if isinstance(value, TensorProxy):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value.ndim} dimension(s).")
        fill = prims.broadcast_in_dim(maybe_convert(value, input.dtype), shape, ())
    else:
        if dtypes.is_integer(input.dtype) and isinstance(value, float):
            value = int(value)
        fill = prims.full(shape, value, device=input.device, dtype=input.dtype)
    return prims.where(expand_to(mask, shape), fill, expand_to(input, shape))


@torchsymbol(torch.masked_select, methods=("masked_select",))
def masked_select(input, mask):
    raise _mask_not_supported("masked_select")


def _setitem_impl(a, key, value):
    out = a.clone()
    out[key] = value
    return out


@torchsymbol(name="setitem", torch_fn=_setitem_impl)
def setitem(a, key, value):
    """The functional form of ``a[key] = value``: a copy of ``a`` with ``key`` set.

    Used by the in-place functionalization of ``__setitem__``. A key without tensors becomes
    flat positions computed by indexing an ``arange`` with it (so every basic-indexing form
    works), then one ``index_put``; a key of index tensors is an ``index_put``.
    """
    keys = key if isinstance(key, tuple) else (key,)
    if any(isinstance(k, TensorProxy) for k in keys):
        if not all(isinstance(k, TensorProxy) and not k.dtype.is_floating_point for k in keys):
            raise NotImplementedError("assigning through a key that mixes index tensors with "
                                      "other indices, or a boolean mask")
        if any(k.dtype is torch.bool for k in keys):
            raise DataDependentShape("assigning through a boolean mask (data-dependent shape)")
        return index_put(a, keys, _as_value(value, a, None))
    positions = getitem(arange(a.numel(), device=a.device).reshape(a.shape), key)
    flat = index_put(a.reshape(-1), (positions.reshape(-1),),
                     _as_value(value, a, positions.shape).reshape(-1))
    return flat.reshape(a.shape)


def _as_value(value, a, shape):
    if not isinstance(value, TensorProxy):
        value = full((), value, dtype=a.dtype, device=a.device)
    value = value.to(a.dtype)
    return value if shape is None else value.expand(shape)
