"""VJP rules of the discrete Fourier transform primitives (``fft.py``).

A DFT is linear, so its VJP is its adjoint applied to the cotangent (torch's complex
convention, NOTE in ``special_rules.py``). The adjoint of an unnormalized forward DFT is the
unnormalized inverse one and vice versa; a normalization ``s`` of the forward map stays ``s``
in the adjoint, which is the transform in the other direction under the *dual* ``norm``
(``"backward"`` <-> ``"forward"``, ``"ortho"`` stays).

``fft_r2c`` is a ``c2c`` of the real input kept to ``n // 2 + 1`` entries of the last dim: its
adjoint zero-pads the cotangent back to ``n``, runs the adjoint ``c2c`` and keeps the real
part. ``fft_c2r`` reads each of the entries ``1 .. n - m`` of its half spectrum (length ``m``)
twice, once as itself and once conjugated for the missing half, so its adjoint is the ``r2c``
of the real cotangent with those entries doubled.
"""

import thunder.core.prims as prims
from thunder.transforms.autograd.rules import def_vjp

_DUAL_NORM = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _pad_dim(a, dim, size):
    """Zero-pad ``a`` at the end of ``dim`` to length ``size``."""
    config = [(0, 0, 0)] * a.ndim
    config[dim] = (0, size - a.shape[dim], 0)
    return prims.pad(a, 0, tuple(config))


@def_vjp(prims.fft_c2c)
def _fft_c2c_vjp(g, out, a, dims, norm, forward):
    return prims.fft_c2c(g, dims, _DUAL_NORM[norm], not forward), None, None, None


@def_vjp(prims.fft_r2c)
def _fft_r2c_vjp(g, out, a, dims, norm, onesided):
    last = dims[-1]
    if onesided:
        g = _pad_dim(g, last, a.shape[last])
    full = prims.fft_c2c(g, dims, _DUAL_NORM[norm], False)
    return prims.real(full), None, None, None


@def_vjp(prims.fft_c2r)
def _fft_c2r_vjp(g, out, a, dims, norm, last_dim_size):
    last = dims[-1]
    half = prims.fft_r2c(g, dims, _DUAL_NORM[norm], True)
    mirrored = last_dim_size - half.shape[last]
    if mirrored > 0:
        starts = [0] * half.ndim
        stops = list(half.shape)
        starts[last], stops[last] = 1, 1 + mirrored
        twice = prims.slice(half, tuple(starts), tuple(stops), (1,) * half.ndim)
        config = [(0, 0, 0)] * half.ndim
        config[last] = (1, half.shape[last] - 1 - mirrored, 0)
        half = prims.add(half, prims.pad(twice, 0, tuple(config)))
    return half, None, None, None
