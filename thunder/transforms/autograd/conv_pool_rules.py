"""VJP rules of the convolution and pooling primitives (``convolution_pooling.py``).

``convolution``'s backward is torch's ``convolution_backward`` kernel (one call gives the
input, weight and bias gradients). Max pooling with indices (plain and adaptive, any number of
spatial dims) records for every output the position of its maximum in the flattened spatial
dims of the input, so its gradient scatter-adds the cotangent back to those positions.
Average pooling and max pooling without indices are compositions of differentiable prims and
need no rule here.
"""

import thunder.core.prims as prims
from thunder.transforms.autograd import kernels
from thunder.transforms.autograd.rules import def_vjp, needs_grad


@def_vjp(prims.convolution)
def _convolution_vjp(g, out, a, weight, bias, stride, padding, dilation, transposed,
                     output_padding, groups):
    mask = (needs_grad(a), needs_grad(weight), needs_grad(bias))
    bias_sizes = None if bias is None else tuple(bias.shape)
    grad_a, grad_weight, grad_bias = kernels.convolution_backward(
        g, a, weight, bias_sizes, stride, padding, dilation, transposed, output_padding,
        groups, mask)
    return (grad_a, grad_weight, grad_bias) + (None,) * 6


def _unpool(g, indices, a, spatial):
    """Scatter-add ``g`` to the flattened-spatial ``indices`` of a zero tensor like ``a``."""
    batch = tuple(a.shape[:a.ndim - spatial])
    flat_size = 1
    for size in a.shape[a.ndim - spatial:]:
        flat_size *= size
    out_size = 1
    for size in g.shape[g.ndim - spatial:]:
        out_size *= size
    zeros = prims.full(batch + (flat_size,), 0, device=a.device, dtype=a.dtype)
    flat_g = prims.reshape(g, batch + (out_size,))
    flat_indices = prims.reshape(indices, batch + (out_size,))
    grad = prims.scatter_add(zeros, flat_indices, flat_g, len(batch))
    return prims.reshape(grad, tuple(a.shape))


@def_vjp(prims.max_pool_with_indices)
def _max_pool_with_indices_vjp(g, out, a, kernel_size, stride, padding, dilation, ceil_mode):
    values_grad = g[0]
    if values_grad is None:
        return (None,) * 6
    return (_unpool(values_grad, out[1], a, len(kernel_size)),) + (None,) * 5


@def_vjp(prims.adaptive_max_pool_with_indices)
def _adaptive_max_pool_with_indices_vjp(g, out, a, output_size):
    values_grad = g[0]
    if values_grad is None:
        return None, None
    return _unpool(values_grad, out[1], a, len(output_size)), None
