"""Torch-level matrix products: matmul (``@``), mm, bmm, mv, dot, outer, linear, addmm, baddbmm,
einsum and tensordot.

Every product decomposes into ``prims.matmul`` plus shape prims (``transpose``, ``reshape``,
``broadcast_in_dim``) and elementwise torch-level ops for the scaling in ``addmm``-like ops.
Like torch, the products do no type promotion: operands of different dtypes raise
``RuntimeError`` (``outer`` is the exception, it is an elementwise product in torch too).
``einsum`` is a chain of pairwise contractions in the order ``opt_einsum.contract_path`` picks;
each contraction is one batched ``prims.matmul``.
"""

import string

import opt_einsum
import torch

from thunder.core import prims
from thunder.core.proxies import TensorProxy
from thunder.torch.elementwise import add, mul
from thunder.torch.registry import torchsymbol
from thunder.torch.utils import canonical_dim, expand_to


def _check_tensors(name, *tensors):
    for t in tensors:
        if not isinstance(t, TensorProxy):
            raise TypeError(f"{name}(): expected Tensor arguments but got {type(t).__name__}")


def _check_same_dtype(name, a, b):
    if a.dtype != b.dtype:
        raise RuntimeError(f"{name}: expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype} != {b.dtype}")


def _swap_last_two(a):
    """``a.transpose(-2, -1)`` as a prim (``a`` has at least 2 dims)."""
    perm = tuple(range(a.ndim - 2)) + (a.ndim - 1, a.ndim - 2)
    return prims.transpose(a, perm)


@torchsymbol(torch.matmul, methods=("matmul", "__matmul__"))
def matmul(input, other):
    """``torch.matmul``: 1-d operands are vectors, batch dims broadcast.

    >>> import thunder, torch
    >>> thunder.jit(lambda a, b: a @ b)(torch.ones(2, 3), torch.ones(3)).shape
    torch.Size([2])
    """
    _check_tensors("matmul", input, other)
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError(f"matmul: both arguments to matmul need to be at least 1D, but they "
                           f"are {input.ndim}D and {other.ndim}D")
    _check_same_dtype("matmul", input, other)
    k_in = input.shape[-1]
    k_other = other.shape[-2] if other.ndim > 1 else other.shape[0]
    if k_in != k_other:
        raise RuntimeError(f"matmul: mat1 and mat2 shapes cannot be multiplied "
                           f"({input.shape} and {other.shape})")
    return prims.matmul(input, other)


@torchsymbol(methods=("__rmatmul__",))
def rmatmul(input, other):
    return matmul(other, input)


@torchsymbol(torch.mm, methods=("mm",))
def mm(input, mat2):
    _check_tensors("mm", input, mat2)
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"mm: expected 2D tensors but got {input.ndim}D and {mat2.ndim}D")
    return matmul(input, mat2)


@torchsymbol(torch.bmm, methods=("bmm",))
def bmm(input, mat2):
    _check_tensors("bmm", input, mat2)
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"bmm: batch1 and batch2 must be 3D tensors but got {input.ndim}D "
                           f"and {mat2.ndim}D")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"bmm: batch1 and batch2 must have the same batch size, got "
                           f"{input.shape[0]} and {mat2.shape[0]}")
    return matmul(input, mat2)


@torchsymbol(torch.mv, methods=("mv",))
def mv(input, vec):
    _check_tensors("mv", input, vec)
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"mv: expected a 2D matrix and a 1D vector but got {input.ndim}D "
                           f"and {vec.ndim}D")
    return matmul(input, vec)


@torchsymbol(torch.dot, methods=("dot",))
def dot(input, tensor):
    _check_tensors("dot", input, tensor)
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"dot: 1D tensors expected, but got {input.ndim}D and "
                           f"{tensor.ndim}D tensors")
    if input.dtype != tensor.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{input.dtype} and {tensor.dtype}")
    if input.shape != tensor.shape:
        raise RuntimeError(f"dot: inconsistent tensor size, expected tensor [{input.shape[0]}] "
                           f"and src [{tensor.shape[0]}] to have the same number of elements")
    return prims.matmul(input, tensor)


@torchsymbol(torch.outer, torch.ger, methods=("outer", "ger"))
def outer(input, vec2):
    _check_tensors("outer", input, vec2)
    if input.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"outer: expected 1D tensors but got {input.ndim}D and {vec2.ndim}D")
    column = prims.reshape(input, (input.shape[0], 1))
    return mul(column, vec2)


@torchsymbol(torch.nn.functional.linear)
def linear(input, weight, bias=None):
    """``F.linear``: ``input @ weight.T + bias``.

    >>> import thunder, torch
    >>> thunder.jit(torch.nn.functional.linear)(torch.ones(4, 3), torch.ones(2, 3)).shape
    torch.Size([4, 2])
    """
    _check_tensors("linear", input, weight)
    if weight.ndim not in (1, 2):
        raise RuntimeError(f"linear: weight must be 1D or 2D but got {weight.ndim}D")
    _check_same_dtype("linear", input, weight)
    out = matmul(input, weight if weight.ndim == 1 else _swap_last_two(weight))
    if bias is None:
        return out
    _check_same_dtype("linear", out, bias)
    return add(out, bias)


def _scaled_sum(name, input, product, beta, alpha):
    """``beta * input + alpha * product``; with ``beta == 0`` input is ignored (even NaN)."""
    _check_same_dtype(name, input, product)
    if alpha != 1:
        product = mul(product, alpha)
    if beta == 0:
        return product
    scaled = input if beta == 1 else mul(input, beta)
    return add(scaled, product)


@torchsymbol(torch.addmm, methods=("addmm",))
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    _check_tensors("addmm", input, mat1, mat2)
    return _scaled_sum("addmm", input, mm(mat1, mat2), beta, alpha)


@torchsymbol(torch.baddbmm, methods=("baddbmm",))
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    _check_tensors("baddbmm", input, batch1, batch2)
    return _scaled_sum("baddbmm", input, bmm(batch1, batch2), beta, alpha)


@torchsymbol(torch.addmv, methods=("addmv",))
def addmv(input, mat, vec, *, beta=1, alpha=1):
    _check_tensors("addmv", input, mat, vec)
    return _scaled_sum("addmv", input, mv(mat, vec), beta, alpha)


# -- tensordot ------------------------------------------------------------------------------


@torchsymbol(torch.tensordot)
def tensordot(a, b, dims=2):
    """``torch.tensordot``: contract the last ``dims`` dims of ``a`` with the first of ``b``,
    or the explicit dim lists ``dims = (dims_a, dims_b)``."""
    _check_tensors("tensordot", a, b)
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a = tuple(range(a.ndim - dims, a.ndim))
        dims_b = tuple(range(dims))
    else:
        dims_a, dims_b = dims
        dims_a = (dims_a,) if isinstance(dims_a, int) else tuple(dims_a)
        dims_b = (dims_b,) if isinstance(dims_b, int) else tuple(dims_b)
    dims_a = tuple(canonical_dim(d, a.ndim) for d in dims_a)
    dims_b = tuple(canonical_dim(d, b.ndim) for d in dims_b)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("tensordot: both dimension lists should have same length")
    _check_same_dtype("tensordot", a, b)
    letters = iter(string.ascii_letters)
    a_labels = [next(letters) for _ in range(a.ndim)]
    b_labels = [next(letters) for _ in range(b.ndim)]
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"tensordot: contracted dimensions need to match, but first has "
                               f"size {a.shape[da]} in dim {da} and second has size "
                               f"{b.shape[db]} in dim {db}")
        b_labels[db] = a_labels[da]
    out_labels = ([x for i, x in enumerate(a_labels) if i not in dims_a]
                  + [x for i, x in enumerate(b_labels) if i not in dims_b])
    return _contract(a, a_labels, b, b_labels, out_labels)


# -- einsum ---------------------------------------------------------------------------------
# NOTE [einsum decomposition]
# The equation is normalized first: "..." becomes fresh letters (right-aligned per operand),
# an implicit output becomes "ellipsis dims, then the labels used once, sorted", as in torch.
# A label repeated inside one operand takes that operand's diagonal. Labels found in a single
# operand and not in the output are summed away. The operands are then contracted pairwise in
# opt_einsum's order; each pair becomes one batched matmul: batch labels (kept later), the
# contracted labels, and each side's free labels. Size-1 dims broadcast like in torch.


def _parse_einsum(equation, operands):
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the "
                           f"equation" if len(terms) < len(operands) else
                           "einsum(): fewer operands were provided than specified in the "
                           "equation")
    used = set(c for c in equation if c.isalpha())
    fresh = [c for c in string.ascii_letters if c not in used]
    max_ellipsis = 0
    for term, op in zip(terms, operands):
        if "..." in term:
            max_ellipsis = max(max_ellipsis, op.ndim - (len(term) - 3))
    ellipsis_labels = fresh[:max_ellipsis]
    labels = []
    for term, op in zip(terms, operands):
        if "..." in term:
            n = op.ndim - (len(term) - 3)
            if n < 0:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                   f"({len(term) - 3}) is more than the number of dimensions "
                                   f"({op.ndim}) for operand")
            term = term.replace("...", "".join(ellipsis_labels[max_ellipsis - n:]))
        for c in term:
            if not c.isalpha():
                raise RuntimeError(f"einsum(): invalid subscript given at index {equation}: "
                                   f"{c!r}")
        if len(term) != op.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                               f"({len(term)}) does not match the number of dimensions "
                               f"({op.ndim}) for operand and no ellipsis was given")
        labels.append(list(term))
    if arrow:
        out = list(rhs.replace("...", "".join(ellipsis_labels)))
    else:
        counts = {}
        for term in labels:
            for c in term:
                counts[c] = counts.get(c, 0) + 1
        once = sorted(c for c, n in counts.items() if n == 1 and c not in ellipsis_labels)
        out = list(ellipsis_labels) + once
    return labels, out


def _label_sizes(labels, operands):
    sizes = {}
    for term, op in zip(labels, operands):
        for c, s in zip(term, op.shape):
            if sizes.get(c, 1) != 1 and s not in (1, sizes[c]):
                raise RuntimeError(f"einsum(): operands do not broadcast with remapped shapes "
                                   f"(original->remapped): label {c!r} has sizes {sizes[c]} "
                                   f"and {s}")
            if s != 1 or c not in sizes:
                sizes[c] = s
    return sizes


def _diagonal(a, labels):
    """Take diagonals for labels repeated within one operand; returns (tensor, labels)."""
    while len(set(labels)) != len(labels):
        label = next(c for c in labels if labels.count(c) > 1)
        i, j = [k for k, c in enumerate(labels) if c == label][:2]
        rest = [k for k in range(a.ndim) if k not in (i, j)]
        a = prims.transpose(a, tuple(rest) + (i, j))
        n = a.shape[-1]
        if a.shape[-2] != n:
            raise RuntimeError(f"einsum(): subscript {label} is repeated for operand but the "
                               f"sizes don't match, {a.shape[-2]} != {n}")
        flat = prims.reshape(a, a.shape[:-2] + (n * n,))
        nd = flat.ndim
        a = prims.slice(flat, (0,) * nd, flat.shape, (1,) * (nd - 1) + (n + 1,))
        labels = [labels[k] for k in rest] + [label]
    return a, labels


def _sum_labels(a, labels, drop):
    dims = tuple(k for k, c in enumerate(labels) if c in drop)
    if not dims:
        return a, labels
    return prims.sum(a, dims), [c for c in labels if c not in drop]


def _contract(a, a_labels, b, b_labels, out_labels):
    """Contract two operands whose labels are unique within each; result has ``out_labels``
    (each output label must appear in ``a`` or ``b``)."""
    sizes = _label_sizes([a_labels, b_labels], [a, b])
    keep = set(out_labels)
    a, a_labels = _sum_labels(a, a_labels, set(a_labels) - set(b_labels) - keep)
    b, b_labels = _sum_labels(b, b_labels, set(b_labels) - set(a_labels) - keep)
    batch = [c for c in a_labels if c in b_labels and c in keep]
    contracted = [c for c in a_labels if c in b_labels and c not in keep]
    a_free = [c for c in a_labels if c not in b_labels]
    b_free = [c for c in b_labels if c not in a_labels]
    a_mat = _to_matrix(a, a_labels, batch, a_free, contracted, sizes)
    b_mat = _to_matrix(b, b_labels, batch, contracted, b_free, sizes)
    result = prims.matmul(a_mat, b_mat)
    result_labels = batch + a_free + b_free
    result = prims.reshape(result, tuple(sizes[c] for c in result_labels))
    return _arrange(result, result_labels, out_labels)


def _to_matrix(a, labels, batch, rows, cols, sizes):
    """Permute ``a`` to (batch, rows, cols), broadcast size-1 dims and flatten to 3 dims."""
    order = batch + rows + cols
    a = prims.transpose(a, tuple(labels.index(c) for c in order))
    a = expand_to(a, tuple(sizes[c] for c in order))

    def numel(group):
        n = 1
        for c in group:
            n *= sizes[c]
        return n

    return prims.reshape(a, (numel(batch), numel(rows), numel(cols)))


def _arrange(a, labels, out_labels):
    """Reorder ``a``'s dims from ``labels`` to ``out_labels`` (a permutation of them)."""
    perm = tuple(labels.index(c) for c in out_labels)
    return a if perm == tuple(range(a.ndim)) else prims.transpose(a, perm)


@torchsymbol(torch.einsum)
def einsum(*args):
    """``torch.einsum(equation, *operands)`` (operands may also be given as one list).

    >>> import thunder, torch
    >>> thunder.jit(lambda a, b: torch.einsum("ij,jk->ik", a, b))(torch.ones(2, 3),
    ...                                                            torch.ones(3, 4)).shape
    torch.Size([2, 4])
    """
    if not args or not isinstance(args[0], str):
        raise TypeError("einsum(): the first argument must be the equation string")
    equation, operands = args[0], list(args[1:])
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = list(operands[0])
    _check_tensors("einsum", *operands)
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    for op in operands[1:]:
        if op.dtype != operands[0].dtype:
            raise RuntimeError(f"einsum(): expected scalar type {operands[0].dtype} but found "
                               f"{op.dtype}")
    labels, out_labels = _parse_einsum(equation, operands)
    for c in out_labels:
        if out_labels.count(c) > 1 or not any(c in term for term in labels):
            raise RuntimeError(f"einsum(): output subscript {c} appears more than once or does "
                               f"not appear in the inputs")
    sizes = _label_sizes(labels, operands)
    tensors = []
    for op, term in zip(operands, labels):
        op, term = _diagonal(op, list(term))
        tensors.append((op, term))
    if len(tensors) == 1:
        (a, term), = tensors
        a, term = _sum_labels(a, term, set(term) - set(out_labels))
        return _arrange(a, term, out_labels)
    path = _contraction_path(tensors, out_labels, sizes)
    for i, j in path:
        (a, a_labels), (b, b_labels) = tensors[i], tensors[j]
        others = [t for k, t in enumerate(tensors) if k not in (i, j)]
        needed = set(out_labels).union(*(set(term) for _, term in others))
        result_labels = [c for c in a_labels + b_labels if c in needed]
        result_labels = list(dict.fromkeys(result_labels))
        result = _contract(a, a_labels, b, b_labels, result_labels)
        tensors = others + [(result, result_labels)]
    (a, term), = tensors
    return _arrange(a, term, out_labels)


def _contraction_path(tensors, out_labels, sizes):
    """Pairs of positions to contract, in order (positions into the shrinking operand list)."""
    equation = ",".join("".join(term) for _, term in tensors) + "->" + "".join(out_labels)
    shapes = [tuple(sizes[c] for c in term) for _, term in tensors]
    path, _ = opt_einsum.contract_path(equation, *shapes, shapes=True, optimize="auto")
    if all(len(step) == 2 for step in path):
        return [tuple(sorted(step)) for step in path]
    return [(0, 1)] * (len(tensors) - 1)  # any order is correct; this one is left to right


__all__ = ["matmul", "rmatmul", "mm", "bmm", "mv", "dot", "outer", "linear", "addmm", "baddbmm",
           "addmv", "tensordot", "einsum"]
