"""Helpers shared by the torch-level operators: dims, broadcasting and type promotion.

These are plain Python functions (not symbols); they record prims only through the prims they
call.
"""

import torch

from thunder.core import dtypes, prims
from thunder.core.proxies import TensorProxy
from thunder.core.symbol import TracingError


def canonical_dim(dim: int, ndim: int) -> int:
    """``dim`` made non-negative; a 0-d tensor accepts dims -1 and 0."""
    rank = max(ndim, 1)
    if not -rank <= dim < rank:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-rank}, {rank - 1}], but got {dim})")
    return dim % rank


def canonical_dims(dims, ndim: int) -> tuple:
    """A tuple of canonical dims; ``None`` or ``()`` means all dims."""
    if dims is None:
        return tuple(range(ndim))
    if isinstance(dims, int):
        dims = (dims,)
    result = tuple(canonical_dim(d, ndim) for d in dims)
    if len(set(result)) != len(result):
        raise RuntimeError(f"dim {dims} appears multiple times in the list of dims")
    return result if ndim else ()


def broadcast_shapes(*shapes) -> tuple:
    """torch.broadcast_shapes for tuples of ints."""
    ndim = max((len(s) for s in shapes), default=0)
    result = [1] * ndim
    for shape in shapes:
        for i, size in enumerate(shape, ndim - len(shape)):
            if size == result[i] or size == 1:
                continue
            if result[i] == 1:
                result[i] = size
            else:
                raise RuntimeError(
                    f"The size of tensor a ({result[i]}) must match the size of tensor b "
                    f"({size}) at non-singleton dimension {i}")
    return tuple(result)


def expand_to(a, shape):
    """Broadcast tensor proxy ``a`` to ``shape`` (no-op when it already has it)."""
    if not isinstance(a, TensorProxy) or a.shape == tuple(shape):
        return a
    offset = len(shape) - a.ndim
    return prims.broadcast_in_dim(a, tuple(shape), tuple(range(offset, len(shape))))


def maybe_convert(a, dtype):
    """Convert a tensor proxy to ``dtype`` if needed; numbers are cast in Python."""
    if isinstance(a, TensorProxy):
        return a if a.dtype == dtype else prims.convert_element_type(a, dtype)
    return a


def scalar_for(value, dtype):
    """A Python number as the Python type matching ``dtype``."""
    if value is None:
        return None
    if dtype is torch.bool:
        return bool(value)
    if dtypes.is_integer(dtype):
        return value if isinstance(value, (int, bool)) else value
    if dtype.is_complex:
        return complex(value)
    return float(value) if not isinstance(value, complex) else value


def check_tensor(a, name: str):
    if not isinstance(a, TensorProxy):
        raise TracingError(f"{name} expected a tensor but got {type(a).__name__}")
    return a


def elementwise_inputs(*args, compute_dtype=None):
    """Broadcast tensor args to a common shape and promote everything to a common dtype.

    Returns (converted args, the promoted dtype). ``compute_dtype``, when given, overrides the
    dtype the computation runs in (for ops like true division that promote ints to float).
    """
    tensors = [a for a in args if isinstance(a, TensorProxy)]
    if not tensors:
        raise TracingError("expected at least one tensor operand")
    devices = {t.device for t in tensors if t.ndim > 0} or {tensors[0].device}
    if len(devices) > 1:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least "
                           f"two devices, {sorted(str(d) for d in devices)}!")
    device = next(iter(devices))
    shape = broadcast_shapes(*(t.shape for t in tensors))
    dtype = dtypes.result_type(*args) if compute_dtype is None else compute_dtype
    out = []
    for a in args:
        if isinstance(a, TensorProxy):
            if a.device != device:  # a 0-d CPU tensor with a CUDA tensor, as torch allows
                a = prims.device_put(a, device)
            out.append(expand_to(maybe_convert(a, dtype), shape))
        else:
            out.append(scalar_for(a, dtype))
    return out, dtype
