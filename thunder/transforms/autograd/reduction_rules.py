"""VJP rules of the reduction and scan primitives.

A reduction prim drops its ``dims`` (no keepdim), so each rule first broadcasts the cotangent
back over them with ``broadcast_in_dim``.
"""

import thunder.core.prims as prims
import thunder.torch as ltorch
from thunder.transforms.autograd.rules import def_vjp


def _unreduce(x, shape, dims):
    """Broadcast a reduced tensor (``dims`` removed) back to ``shape``."""
    kept = tuple(i for i in range(len(shape)) if i not in dims)
    return prims.broadcast_in_dim(x, tuple(shape), kept)


@def_vjp(prims.sum)
def _sum_vjp(g, out, a, dims):
    return _unreduce(g, a.shape, dims), None


@def_vjp(prims.prod)
def _prod_vjp(g, out, a, dims):
    # d(prod)/da_i = prod / a_i (inputs with zeros give nan/inf, as the simple formula does)
    return _unreduce(g * out, a.shape, dims) / a, None


def _extremum_vjp(g, out, a, dims):
    """amax/amin: the gradient is shared evenly among the elements equal to the extremum."""
    picked = ltorch.to(a == _unreduce(out, a.shape, dims), a.dtype)
    count = _unreduce(ltorch.sum(picked, list(dims)), a.shape, dims)
    return _unreduce(g, a.shape, dims) * picked / count, None


def_vjp(prims.amax, prims.amin)(_extremum_vjp)


@def_vjp(prims.var)
def _var_vjp(g, out, a, dims, *, correction):
    n = 1
    for d in dims:
        n *= a.shape[d]
    mean = ltorch.mean(a, list(dims), keepdim=True) if dims else a
    scale = 2.0 / max(n - correction, 0) if n - correction > 0 else float("inf")
    return _unreduce(g, a.shape, dims) * (a - mean) * scale, None


def _reverse_cumsum(x, dim):
    return ltorch.flip(ltorch.cumsum(ltorch.flip(x, (dim,)), dim), (dim,))


@def_vjp(prims.cumsum)
def _cumsum_vjp(g, out, a, dim):
    return _reverse_cumsum(g, dim), None


@def_vjp(prims.cumprod)
def _cumprod_vjp(g, out, a, dim):
    return _reverse_cumsum(g * out, dim) / a, None
