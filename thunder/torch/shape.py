"""Torch-level shape and view operators: reshape, permute, expand, cat, split, squeeze, ...

Every operator here is a composition of the shape prims (``reshape``, ``transpose``,
``broadcast_in_dim``, ``slice``, ``squeeze``, ``cat``, ``flip``). Dims are canonicalized here,
so the prims only ever see non-negative dims. Errors use the exception type and wording torch
uses for the same mistake.

NOTE [no-op views return their input]
A view that changes nothing (``reshape`` to the same shape, the identity ``permute``, a slice
covering the whole dim, ``contiguous``) returns the input proxy itself instead of recording a
prim. Proxies carry no strides, so for aliasing the input is exactly as good as a fresh view:
a mutation through either is a mutation of the same storage. ``clone`` is the exception: it
must be a distinct value, so it records ``prims.convert_element_type`` to the same dtype.
"""

import math
import operator

import torch

from thunder.core import dtypes, prims
from thunder.core.proxies import TensorProxy
from thunder.torch.elementwise import ge, le, sub, where
from thunder.torch.registry import torchsymbol
from thunder.torch.utils import (
    broadcast_shapes,
    canonical_dim,
    canonical_dims,
    expand_to,
    maybe_convert,
    scalar_for,
)


# -- helpers shared with the other torch-level families ----------------------------------------
def shape_from_varargs(args, name: str) -> tuple:
    """``f(2, 3)``, ``f((2, 3))`` and ``f(torch.Size([2, 3]))`` all give ``(2, 3)``.

    >>> shape_from_varargs(((2, 3),), "zeros")
    (2, 3)
    """
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    try:
        return tuple(operator.index(s) for s in args)
    except TypeError:
        bad = next(s for s in args if not hasattr(s, "__index__"))
        raise TypeError(f"{name}(): argument 'size' must be tuple of ints, but found element of "
                        f"type {type(bad).__name__}") from None


def _check_tensor(a, name: str, arg: str = "input"):
    if not isinstance(a, TensorProxy):
        raise TypeError(f"{name}(): argument '{arg}' must be Tensor, not {type(a).__name__}")
    return a


def infer_shape(shape, numel: int) -> tuple:
    """Resolve a single ``-1`` in ``shape`` for a tensor of ``numel`` elements (torch's rules)."""
    shape = list(shape)
    inferred = None
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if inferred is not None:
                raise RuntimeError("only one dimension can be inferred")
            inferred = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {shape}")
        else:
            known *= s
    if inferred is not None:
        if known == 0:
            if numel == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape {shape} because the "
                    f"unspecified dimension size -1 can be any value and is ambiguous")
            raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
        if numel % known:
            raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
        shape[inferred] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
    return tuple(shape)


def _reshape(a, shape):
    shape = infer_shape(shape, a.numel())
    return a if shape == a.shape else prims.reshape(a, shape)


def slice_in_dim(a, dim: int, start: int, stop: int, step: int = 1):
    """``a`` sliced along one canonical ``dim`` (bounds already clamped to the dim's size)."""
    if start == 0 and stop == a.shape[dim] and step == 1:
        return a
    starts = [0] * a.ndim
    stops = list(a.shape)
    steps = [1] * a.ndim
    starts[dim], stops[dim], steps[dim] = start, max(stop, start), step
    return prims.slice(a, tuple(starts), tuple(stops), tuple(steps))


def _squeeze_dim(a, dim):
    return prims.squeeze(a, (dim,))


def _unsqueeze(a, dim):
    shape = a.shape[:dim] + (1,) + a.shape[dim:]
    dims = tuple(i if i < dim else i + 1 for i in range(a.ndim))
    return prims.broadcast_in_dim(a, shape, dims)


def _permute(a, perm):
    perm = tuple(perm)
    return a if perm == tuple(range(a.ndim)) else prims.transpose(a, perm)


# -- reshape and views ----------------------------------------------------------------------
@torchsymbol(torch.reshape, methods=("reshape",), torch_fn=torch.Tensor.reshape)
def reshape(input, *args, shape=None):
    """``torch.reshape(a, shape)`` and ``a.reshape(*shape)``; one dim may be -1."""
    _check_tensor(input, "reshape")
    return _reshape(input, shape_from_varargs(args if shape is None else (shape,), "reshape"))


@torchsymbol(methods=("view",))
def view(input, *args, size=None, dtype=None):
    """``a.view(*shape)``; ``a.view(dtype)`` only when the dtype does not change."""
    _check_tensor(input, "view")
    if len(args) == 1 and isinstance(args[0], torch.dtype):
        dtype = args[0]
    if dtype is not None:
        if dtype == input.dtype:
            return input
        raise NotImplementedError(f"view(dtype) reinterpreting {input.dtype} as {dtype} is not "
                                  f"supported by Thunder")
    return _reshape(input, shape_from_varargs(args if size is None else (size,), "view"))


@torchsymbol(methods=("view_as",))
def view_as(input, other):
    return view(input, other.shape)


@torchsymbol(methods=("reshape_as",))
def reshape_as(input, other):
    return reshape(input, other.shape)


@torchsymbol(torch.flatten, methods=("flatten",))
def flatten(input, start_dim=0, end_dim=-1):
    _check_tensor(input, "flatten")
    if input.ndim == 0:
        return _reshape(input, (1,))
    start = canonical_dim(start_dim, input.ndim)
    end = canonical_dim(end_dim, input.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    merged = math.prod(input.shape[start:end + 1])
    return _reshape(input, input.shape[:start] + (merged,) + input.shape[end + 1:])


@torchsymbol(torch.unflatten, methods=("unflatten",))
def unflatten(input, dim, sizes):
    dim = canonical_dim(dim, input.ndim)
    sizes = tuple(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    size = input.shape[dim] if input.ndim else 1
    known = math.prod(s for s in sizes if s != -1)
    if (-1 not in sizes and known != size) or (-1 in sizes and (known == 0 or size % known)):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({size}) in the input tensor")
    sizes = infer_shape(sizes, size)
    return _reshape(input, input.shape[:dim] + sizes + input.shape[dim + 1:])


@torchsymbol(methods=("contiguous",))
def contiguous(input, memory_format=torch.contiguous_format):
    """Identity: proxies have no strides (see NOTE [no-op views return their input])."""
    return input


@torchsymbol(torch.clone, methods=("clone",))
def clone(input, *, memory_format=torch.preserve_format):
    """A distinct copy of ``input`` (see NOTE [no-op views return their input])."""
    _check_tensor(input, "clone")
    return prims.convert_element_type(input, input.dtype)


# -- permutations ---------------------------------------------------------------------------
@torchsymbol(torch.permute, methods=("permute",), torch_fn=torch.Tensor.permute)
def permute(input, *args, dims=None):
    """``torch.permute(a, dims)`` and ``a.permute(*dims)``."""
    dims = shape_from_varargs(args if dims is None else (dims,), "permute")
    if len(dims) != input.ndim:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {input.ndim} is "
            f"not equal to len(dims) = {len(dims)}")
    perm = tuple(canonical_dim(d, input.ndim) for d in dims)
    if len(set(perm)) != len(perm):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _permute(input, perm)


@torchsymbol(torch.transpose, methods=("transpose",))
def transpose(input, dim0, dim1):
    _check_tensor(input, "transpose")
    d0 = canonical_dim(dim0, input.ndim)
    d1 = canonical_dim(dim1, input.ndim)
    if input.ndim < 2:
        return input
    perm = list(range(input.ndim))
    perm[d0], perm[d1] = perm[d1], perm[d0]
    return _permute(input, perm)


@torchsymbol(torch.swapaxes, methods=("swapaxes",))
def swapaxes(input, axis0, axis1):
    return transpose(input, axis0, axis1)


@torchsymbol(torch.swapdims, methods=("swapdims",))
def swapdims(input, dim0, dim1):
    return transpose(input, dim0, dim1)


@torchsymbol(torch.t, methods=("t",))
def t(input):
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input.ndim}D")
    return transpose(input, 0, -1)


def _T_impl(a):
    return a.T


def _mT_impl(a):
    return a.mT


def _mH_impl(a):
    return a.mH


def _H_impl(a):
    return a.H


@torchsymbol(methods=("T",), torch_fn=_T_impl)
def T(input):
    """The ``a.T`` property: all dims reversed."""
    return _permute(input, tuple(reversed(range(input.ndim))))


@torchsymbol(methods=("mT",), torch_fn=_mT_impl)
def mT(input):
    """The ``a.mT`` property: the last two dims swapped."""
    if input.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {input.ndim}-D tensor.")
    return transpose(input, -2, -1)


@torchsymbol(methods=("mH", "adjoint"), torch_fn=_mH_impl)
def mH(input):
    """The ``a.mH`` property: conjugate transpose of the last two dims."""
    if input.ndim < 2:
        raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. "
                           f"Got {input.ndim}-D tensor.")
    out = transpose(input, -2, -1)
    return prims.conj(out) if input.dtype.is_complex else out


@torchsymbol(methods=("H",), torch_fn=_H_impl)
def H(input):
    """The ``a.H`` property: conjugate transpose of a matrix."""
    if input.ndim not in (0, 2):
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                           f"{input.ndim}-D tensor.")
    out = T(input)
    return prims.conj(out) if input.dtype.is_complex else out


@torchsymbol(torch.movedim, torch.moveaxis, methods=("movedim", "moveaxis"))
def movedim(input, source, destination):
    source = (source,) if isinstance(source, int) else tuple(source)
    destination = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(source) != len(destination):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(source)} dims) should "
            f"contain the same number of dims as destination ({list(destination)} dims)")
    src = canonical_dims(source, input.ndim)
    dst = canonical_dims(destination, input.ndim)
    perm = [None] * input.ndim
    for s, d in zip(src, dst):
        perm[d] = s
    rest = iter(d for d in range(input.ndim) if d not in src)
    perm = [next(rest) if p is None else p for p in perm]
    return _permute(input, perm)


# -- broadcasting ---------------------------------------------------------------------------
@torchsymbol(methods=("expand",))
def expand(input, *args, size=None, implicit=False):
    """``a.expand(*sizes)``: -1 keeps a dim, new dims are added in front."""
    sizes = shape_from_varargs(args if size is None else (size,), "expand")
    if len(sizes) < input.ndim:
        raise RuntimeError(
            f"expand(torch.{_legacy_type(input.dtype)}{{{list(input.shape)}}}, size="
            f"{list(sizes)}): the number of sizes provided ({len(sizes)}) must be greater or "
            f"equal to the number of dimensions in the tensor ({input.ndim})")
    offset = len(sizes) - input.ndim
    shape = []
    for i, s in enumerate(sizes):
        if i < offset:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            shape.append(s)
            continue
        old = input.shape[i - offset]
        if s == -1:
            s = old
        if old != s and old != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({old}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(input.shape)}")
        shape.append(s)
    return expand_to(input, tuple(shape))


def _legacy_type(dtype) -> str:
    names = {torch.float32: "Float", torch.float64: "Double", torch.float16: "Half",
             torch.bfloat16: "BFloat16", torch.int64: "Long", torch.int32: "Int",
             torch.int16: "Short", torch.int8: "Char", torch.uint8: "Byte", torch.bool: "Bool",
             torch.complex64: "ComplexFloat", torch.complex128: "ComplexDouble"}
    return names.get(dtype, str(dtype).removeprefix("torch.")) + "Tensor"


@torchsymbol(methods=("expand_as",))
def expand_as(input, other):
    return expand(input, other.shape)


@torchsymbol(torch.broadcast_to, methods=("broadcast_to",))
def broadcast_to(input, size):
    return expand(input, tuple(size))


@torchsymbol(torch.broadcast_tensors)
def broadcast_tensors(*tensors):
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(expand_to(t, shape) for t in tensors)


# -- joining --------------------------------------------------------------------------------
def _cat_inputs(tensors, name):
    if isinstance(tensors, TensorProxy):
        raise TypeError(f"{name}(): argument 'tensors' must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"torch.{name}(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        _check_tensor(t, name, f"tensors[{i}]")
    return tensors


@torchsymbol(torch.cat, torch.concat)
def cat(tensors, dim=0):
    """Concatenation with torch's type promotion and its legacy skip of 1-d empty tensors."""
    tensors = _cat_inputs(tensors, "cat")
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               f"concatenated")
    dtype = dtypes.result_type(*tensors)
    kept = [(i, t) for i, t in enumerate(tensors) if t.shape != (0,)] or [(0, tensors[0])]
    first = kept[0][1]
    dim = canonical_dim(dim, first.ndim)
    for i, t in kept:
        if t.ndim != first.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got "
                               f"{first.ndim} and {t.ndim}")
        for d in range(first.ndim):
            if d != dim and t.shape[d] != first.shape[d]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size "
                    f"{first.shape[d]} but got size {t.shape[d]} for tensor number {i} in "
                    f"the list.")
        if t.device != first.device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at "
                               f"least two devices, {first.device} and {t.device}!")
    return prims.cat([maybe_convert(t, dtype) for _, t in kept], dim)


@torchsymbol(torch.concatenate)
def concatenate(tensors, axis=0):
    return cat(tensors, axis)


@torchsymbol(torch.stack)
def stack(tensors, dim=0):
    if isinstance(tensors, TensorProxy):
        raise TypeError("stack(): argument 'tensors' must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(tensors[0].shape)} at entry 0 and {list(t.shape)} at "
                               f"entry {i}")
    dim = canonical_dim(dim, tensors[0].ndim + 1)
    return cat([_unsqueeze(t, dim) for t in tensors], dim)


@torchsymbol(torch.atleast_1d)
def atleast_1d(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        return tuple(atleast_1d(t) for t in tensors[0])
    if len(tensors) != 1:
        return tuple(atleast_1d(t) for t in tensors)
    a = tensors[0]
    return _reshape(a, (1,)) if a.ndim == 0 else a


@torchsymbol(torch.atleast_2d)
def atleast_2d(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        return tuple(atleast_2d(t) for t in tensors[0])
    if len(tensors) != 1:
        return tuple(atleast_2d(t) for t in tensors)
    a = tensors[0]
    return _reshape(a, (1,) * (2 - a.ndim) + a.shape) if a.ndim < 2 else a


@torchsymbol(torch.hstack)
def hstack(tensors):
    tensors = [atleast_1d(t) for t in _cat_inputs(tensors, "hstack")]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


@torchsymbol(torch.vstack, torch.row_stack)
def vstack(tensors):
    return cat([atleast_2d(t) for t in _cat_inputs(tensors, "vstack")], 0)


# -- splitting ------------------------------------------------------------------------------
@torchsymbol(torch.split, methods=("split",))
def split(tensor, split_size_or_sections, dim=0):
    """Chunks of ``split_size`` (the last may be smaller) or of the listed sizes."""
    if not isinstance(split_size_or_sections, int):
        return split_with_sizes(tensor, split_size_or_sections, dim)
    dim = canonical_dim(dim, tensor.ndim)
    size = tensor.shape[dim]
    step = split_size_or_sections
    if step < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got "
                           f"split_size={step}")
    if step == 0 and size != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension "
                           f"size of {size}")
    count = max(math.ceil(size / step), 1) if step else 1
    return tuple(slice_in_dim(tensor, dim, i * step, min((i + 1) * step, size))
                 for i in range(count))


@torchsymbol(torch.split_with_sizes, methods=("split_with_sizes",))
def split_with_sizes(input, split_sizes, dim=0):
    dim = canonical_dim(dim, input.ndim)
    sizes = [operator.index(s) for s in split_sizes]
    if sum(sizes) != input.shape[dim] or any(s < 0 for s in sizes):
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {input.shape[dim]} (input "
            f"tensor's size at dimension {dim}), but got split_sizes={sizes}")
    outs = []
    start = 0
    for s in sizes:
        outs.append(slice_in_dim(input, dim, start, start + s))
        start += s
    return tuple(outs)


@torchsymbol(torch.chunk, methods=("chunk",))
def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    dim = canonical_dim(dim, input.ndim)
    size = input.shape[dim]
    if size == 0:
        return tuple(input for _ in range(chunks)) if chunks > 1 else (input,)
    return split(input, math.ceil(size / chunks), dim)


@torchsymbol(torch.tensor_split, methods=("tensor_split",))
def tensor_split(input, indices_or_sections, dim=0):
    """Split into ``sections`` near-equal parts, or at the given ``indices``."""
    if isinstance(indices_or_sections, TensorProxy):
        raise NotImplementedError("tensor_split with a tensor of indices depends on the "
                                  "tensor's values and is not supported")
    dim = canonical_dim(dim, input.ndim)
    size = input.shape[dim]
    if isinstance(indices_or_sections, int):
        sections = indices_or_sections
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        base, extra = divmod(size, sections)
        bounds = [0]
        for i in range(sections):
            bounds.append(bounds[-1] + base + (1 if i < extra else 0))
    else:
        bounds = [0] + [operator.index(i) for i in indices_or_sections] + [size]
    outs = []
    for start, stop in zip(bounds[:-1], bounds[1:]):
        start, stop, _ = slice(start, stop).indices(size)
        outs.append(slice_in_dim(input, dim, start, max(start, stop)))
    return tuple(outs)


@torchsymbol(torch.unbind, methods=("unbind",))
def unbind(input, dim=0):
    if input.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dim = canonical_dim(dim, input.ndim)
    return tuple(select(input, dim, i) for i in range(input.shape[dim]))


@torchsymbol(torch.select, methods=("select",))
def select(input, dim, index):
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = canonical_dim(dim, input.ndim)
    size = input.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {dim}")
    index %= size
    return _squeeze_dim(slice_in_dim(input, dim, index, index + 1), dim)


@torchsymbol(torch.narrow, methods=("narrow",))
def narrow(input, dim, start, length):
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if isinstance(start, TensorProxy):
        raise NotImplementedError("narrow() with a tensor start depends on the tensor's value "
                                  "and is not supported")
    dim = canonical_dim(dim, input.ndim)
    size = input.shape[dim]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return slice_in_dim(input, dim, start, start + length)


# -- squeeze / unsqueeze --------------------------------------------------------------------
@torchsymbol(torch.squeeze, methods=("squeeze",))
def squeeze(input, dim=None):
    """Drop size-1 dims: all of them, or those among ``dim`` (an int or a tuple)."""
    dims = canonical_dims(dim, input.ndim)
    dims = tuple(d for d in dims if input.shape[d] == 1)
    return prims.squeeze(input, dims) if dims else input


@torchsymbol(torch.unsqueeze, methods=("unsqueeze",))
def unsqueeze(input, dim):
    _check_tensor(input, "unsqueeze")
    return _unsqueeze(input, canonical_dim(dim, input.ndim + 1))


# -- reordering elements --------------------------------------------------------------------
@torchsymbol(torch.flip, methods=("flip",), torch_fn=torch.Tensor.flip)
def flip(input, *args, dims=None):
    """``torch.flip(a, dims)`` and ``a.flip(*dims)``."""
    dims = shape_from_varargs(args if dims is None else (dims,), "flip")
    return prims.flip(input, canonical_dims(dims, input.ndim))


@torchsymbol(torch.fliplr, methods=("fliplr",))
def fliplr(input):
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


@torchsymbol(torch.flipud, methods=("flipud",))
def flipud(input):
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


@torchsymbol(torch.roll, methods=("roll",))
def roll(input, shifts, dims=None):
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                               f"dims:0")
        return _reshape(roll(flatten(input), shifts, 0), input.shape)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    out = input
    for shift, dim in zip(shifts, dims):
        dim = canonical_dim(dim, input.ndim)
        size = out.shape[dim] if out.ndim else 1
        if size == 0 or shift % size == 0:
            continue
        cut = size - shift % size
        out = prims.cat([slice_in_dim(out, dim, cut, size), slice_in_dim(out, dim, 0, cut)], dim)
    return out


@torchsymbol(methods=("repeat",))
def repeat(input, *args, repeats=None):
    """``a.repeat(*sizes)``: tile the whole tensor ``sizes[i]`` times along each dim."""
    sizes = shape_from_varargs(args if repeats is None else (repeats,), "repeat")
    if len(sizes) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    padded = (1,) * (len(sizes) - input.ndim) + input.shape
    interleaved = []
    for r, s in zip(sizes, padded):
        interleaved += [r, s]
    offset = len(sizes) - input.ndim
    dims = tuple(2 * (i + offset) + 1 for i in range(input.ndim))
    tiled = prims.broadcast_in_dim(input, tuple(interleaved), dims)
    return _reshape(tiled, tuple(r * s for r, s in zip(sizes, padded)))


@torchsymbol(torch.tile, methods=("tile",), torch_fn=torch.Tensor.tile)
def tile(input, *args, dims=None):
    reps = shape_from_varargs(args if dims is None else (dims,), "tile")
    reps = (1,) * (input.ndim - len(reps)) + reps
    return repeat(input, reps)


# -- diagonals and triangles ----------------------------------------------------------------
@torchsymbol(torch.diagonal, methods=("diagonal",))
def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the (dim1, dim2) planes, as a new last dim."""
    d1 = canonical_dim(dim1, input.ndim)
    d2 = canonical_dim(dim2, input.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    rest = [d for d in range(input.ndim) if d not in (d1, d2)]
    moved = _permute(input, rest + [d1, d2])
    rows, cols = input.shape[d1], input.shape[d2]
    if offset >= 0:
        length = max(min(rows, cols - offset), 0)
        start = offset
    else:
        length = max(min(rows + offset, cols), 0)
        start = -offset * cols
    batch = moved.shape[:-2]
    flat = _reshape(moved, batch + (rows * cols,))
    if length == 0:
        return slice_in_dim(flat, len(batch), 0, 0)
    stop = start + (length - 1) * (cols + 1) + 1
    return slice_in_dim(flat, len(batch), start, stop, cols + 1)


def _triangle(input, diagonal, name, keep_lower):
    if input.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    rows, cols = input.shape[-2:]
    device = input.device
    row = prims.broadcast_in_dim(
        prims.iota(rows, start=0, step=1, device=device, dtype=torch.int64), (rows, cols), (0,))
    col = prims.broadcast_in_dim(
        prims.iota(cols, start=0, step=1, device=device, dtype=torch.int64), (rows, cols), (1,))
    offset = sub(col, row)
    mask = le(offset, diagonal) if keep_lower else ge(offset, diagonal)
    mask = expand_to(mask, input.shape)
    return where(mask, input, scalar_for(0, input.dtype))


@torchsymbol(torch.tril, methods=("tril",))
def tril(input, diagonal=0):
    return _triangle(input, diagonal, "tril", keep_lower=True)


@torchsymbol(torch.triu, methods=("triu",))
def triu(input, diagonal=0):
    return _triangle(input, diagonal, "triu", keep_lower=False)
