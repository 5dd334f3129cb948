"""VJP rules of the shape, indexing, conversion and matrix primitives.

Shape prims move elements without changing them, so their gradients move the cotangent back:
``broadcast_in_dim`` sums, ``slice`` pads with zeros, ``cat`` slices, ``take`` scatter-adds.
``matmul`` (the prim and ``ltorch.matmul``) shares one rule that handles 1-d operands and
batch broadcasting.
"""

import thunder.core.prims as prims
import thunder.torch as ltorch
from thunder.core.proxies import TensorProxy
from thunder.transforms.autograd.rules import def_vjp, is_differentiable, zeros_like


def sum_to_shape(g, shape):
    """Sum ``g`` over the dims that broadcasting added or expanded to reach its shape.

    >>> # g: f32[4, 2, 3], shape (2, 1) -> g.sum(0).sum(2, keepdim=True)  # doctest: +SKIP
    """
    shape = tuple(shape)
    if tuple(g.shape) == shape:
        return g
    lead = g.ndim - len(shape)
    dims = list(range(lead))
    dims += [lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1]
    if dims:
        g = ltorch.sum(g, dims, keepdim=True)
    return ltorch.reshape(g, shape)


@def_vjp(prims.broadcast_in_dim)
def _broadcast_in_dim_vjp(g, out, a, shape, broadcast_dimensions):
    kept = set(broadcast_dimensions)
    dims = [d for d in range(len(shape)) if d not in kept]
    dims += [d for src, d in enumerate(broadcast_dimensions) if a.shape[src] != shape[d]]
    if dims:
        g = ltorch.sum(g, sorted(dims), keepdim=True)
    return ltorch.reshape(g, a.shape), None, None


@def_vjp(prims.reshape, prims.squeeze)
def _reshape_vjp(g, out, a, shape):
    return ltorch.reshape(g, a.shape), None


@def_vjp(prims.transpose)
def _transpose_vjp(g, out, a, permutation):
    inverse = [0] * len(permutation)
    for i, p in enumerate(permutation):
        inverse[p] = i
    return ltorch.permute(g, inverse), None


@def_vjp(prims.slice)
def _slice_vjp(g, out, a, start_indices, end_indices, strides=None):
    strides = strides or (1,) * a.ndim
    config = []
    for size, start, length, step in zip(a.shape, start_indices, g.shape, strides):
        interior = step - 1
        inner = length + max(length - 1, 0) * interior
        config.append((start, size - start - inner, interior))
    return prims.pad(g, 0.0, tuple(config)), None, None, None


@def_vjp(prims.cat)
def _cat_vjp(g, out, tensors, dim):
    grads, offset = [], 0
    for t in tensors:
        start = [0] * g.ndim
        end = list(g.shape)
        start[dim], end[dim] = offset, offset + t.shape[dim]
        offset += t.shape[dim]
        grads.append(prims.slice(g, tuple(start), tuple(end)) if is_differentiable(t) else None)
    return grads, None


@def_vjp(prims.pad)
def _pad_vjp(g, out, a, padding_value, padding_config):
    # undo the edge padding (negative padding cropped the input: its gradient there is 0),
    # then keep every (interior + 1)-th element
    uncropped = prims.pad(g, 0.0, tuple((-lo, -hi, 0) for lo, hi, _ in padding_config))
    start = (0,) * a.ndim
    end = tuple(size + max(size - 1, 0) * interior
                for size, (_, _, interior) in zip(a.shape, padding_config))
    strides = tuple(interior + 1 for _, _, interior in padding_config)
    return prims.slice(uncropped, start, end, strides), None, None


@def_vjp(prims.flip)
def _flip_vjp(g, out, a, dims):
    return prims.flip(g, dims), None


@def_vjp(prims.convert_element_type)
def _convert_element_type_vjp(g, out, a, dtype):
    if not is_differentiable(a):
        return None, None
    return prims.convert_element_type(g, a.dtype), None


@def_vjp(prims.device_put)
def _device_put_vjp(g, out, a, device):
    return prims.device_put(g, a.device), None


# -- indexing -------------------------------------------------------------------------------
@def_vjp(prims.take)
def _take_vjp(g, out, a, index, dim):
    n = index.numel()
    flat_index = prims.reshape(index, (n,))
    flat_g = ltorch.reshape(g, a.shape[:dim] + (n,) + a.shape[dim + 1:])
    return prims.index_add(zeros_like(a), flat_index, flat_g, dim), None, None


@def_vjp(prims.take_along_axis)
def _take_along_axis_vjp(g, out, a, index, dim):
    return prims.scatter_add(zeros_like(a), index, g, dim), None, None


@def_vjp(prims.scatter_add)
def _scatter_add_vjp(g, out, a, index, src, dim):
    grad_src = prims.take_along_axis(g, index, dim) if is_differentiable(src) else None
    return g, None, grad_src, None


@def_vjp(prims.scatter)
def _scatter_vjp(g, out, a, index, src, dim):
    grad_a = None
    if is_differentiable(a):
        hole = zeros_like(src) if isinstance(src, TensorProxy) else 0.0
        grad_a = prims.scatter(g, index, hole, dim)
    grad_src = prims.take_along_axis(g, index, dim) if is_differentiable(src) else None
    return grad_a, None, grad_src, None


@def_vjp(prims.index_add)
def _index_add_vjp(g, out, a, index, src, dim):
    grad_src = prims.take(g, index, dim) if is_differentiable(src) else None
    if grad_src is not None and src.ndim == 0:
        grad_src = ltorch.reshape(grad_src, ())
    return g, None, grad_src, None


@def_vjp(prims.index_put)
def _index_put_vjp(g, out, a, indices, values, accumulate):
    grad_a = g
    if not accumulate:
        grad_a = prims.index_put(g, indices, zeros_like(values), False)
    grad_values = None
    if is_differentiable(values):
        gathered = ltorch.getitem(g, tuple(indices))
        grad_values = sum_to_shape(gathered, values.shape)
    return grad_a, None, grad_values, None


def _sort_like_vjp(g, out, a, *rest, dim):
    values_grad = g[0]
    if values_grad is None:
        return (None,) * (1 + len(rest))
    indices = out[1]
    return (prims.scatter_add(zeros_like(a), indices, values_grad, dim),) + (None,) * len(rest)


@def_vjp(prims.sort)
def _sort_vjp(g, out, a, dim, descending, stable):
    return _sort_like_vjp(g, out, a, dim, descending, stable, dim=dim)


@def_vjp(prims.topk)
def _topk_vjp(g, out, a, k, dim, largest, sorted):
    return _sort_like_vjp(g, out, a, k, dim, largest, sorted, dim=dim)


# -- matmul ---------------------------------------------------------------------------------
def _matmul_vjp(g, out, a, b):
    if a.ndim == 1 and b.ndim == 1:
        return (g * b if is_differentiable(a) else None,
                g * a if is_differentiable(b) else None)
    a2 = ltorch.unsqueeze(a, 0) if a.ndim == 1 else a
    b2 = ltorch.unsqueeze(b, -1) if b.ndim == 1 else b
    g2 = ltorch.unsqueeze(g, -2) if a.ndim == 1 else g
    g2 = ltorch.unsqueeze(g2, -1) if b.ndim == 1 else g2
    grad_a = grad_b = None
    if is_differentiable(a):
        grad_a = ltorch.matmul(g2, ltorch.transpose(b2, -1, -2))
        grad_a = ltorch.reshape(sum_to_shape(grad_a, a2.shape), a.shape)
    if is_differentiable(b):
        grad_b = ltorch.matmul(ltorch.transpose(a2, -1, -2), g2)
        grad_b = ltorch.reshape(sum_to_shape(grad_b, b2.shape), b.shape)
    return grad_a, grad_b


def_vjp(prims.matmul, ltorch.matmul)(_matmul_vjp)
