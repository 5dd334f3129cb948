"""Torch-level ``torch.fft.*``: transforms over one, two or n dims, shifts and frequencies.

Each transform canonicalizes ``dim``/``s``/``n``, promotes integer input to the default float
dtype (and real input to complex for the complex transforms), pads with zeros or trims each
transformed dim to the requested length, then records one of ``prims.fft_c2c``,
``prims.fft_r2c`` or ``prims.fft_c2r``. ``hfft``/``ihfft`` are ``irfft``/``rfft`` of the
conjugate with the ``"forward"``/``"backward"`` normalizations swapped. Shifts are ``roll``s.
"""

import torch

from thunder.core import dtypes, prims
from thunder.core.proxies import TensorProxy
from thunder.torch.creation import arange
from thunder.torch.elementwise import div
from thunder.torch.registry import torchsymbol
from thunder.torch.shape import roll
from thunder.torch.utils import canonical_dim, canonical_dims, maybe_convert

_SWAPPED = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _check(name, a, norm):
    if not isinstance(a, TensorProxy):
        raise TypeError(f"fft_{name}(): argument 'input' must be Tensor, not "
                        f"{type(a).__name__}")
    if norm not in (None, "backward", "forward", "ortho"):
        raise ValueError(f"Invalid normalization mode: {norm}")
    return norm or "backward"


def _float(a):
    if a.dtype in (torch.float16, torch.bfloat16):
        raise RuntimeError(f"Unsupported dtype {a.dtype}")
    return a if dtypes.is_inexact(a.dtype) else maybe_convert(a, torch.get_default_dtype())


def _complex(a):
    a = _float(a)
    return a if a.dtype.is_complex else maybe_convert(a, dtypes.real_to_complex(a.dtype))


def _resize(a, dims, sizes):
    """Zero-pad or trim each of ``dims`` to the matching entry of ``sizes``."""
    for d, n in zip(dims, sizes):
        if n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
        size = a.shape[d]
        if n < size:
            stops = list(a.shape)
            stops[d] = n
            a = prims.slice(a, (0,) * a.ndim, tuple(stops), (1,) * a.ndim)
        elif n > size:
            config = [(0, 0, 0)] * a.ndim
            config[d] = (0, n - size, 0)
            a = prims.pad(a, 0, tuple(config))
    return a


def _dims_and_sizes(a, s, dim):
    if dim is None and s is None:
        dims = tuple(range(a.ndim))
    elif dim is None:
        dims = tuple(range(a.ndim - len(s), a.ndim))
    else:
        dims = canonical_dims((dim,) if isinstance(dim, int) else dim, a.ndim)
    if s is None:
        return dims, None
    s = (s,) if isinstance(s, int) else tuple(s)
    if len(s) != len(dims):
        raise RuntimeError(f"When given, dim and shape arguments must have the same length")
    return dims, tuple(a.shape[d] if n == -1 else n for d, n in zip(dims, s))


def _c2c(name, input, s, dim, norm, forward):
    norm = _check(name, input, norm)
    a = _complex(input)
    dims, sizes = _dims_and_sizes(a, s, dim)
    if sizes is not None:
        a = _resize(a, dims, sizes)
    return prims.fft_c2c(a, dims, norm, forward)


def _r2c(name, input, s, dim, norm):
    norm = _check(name, input, norm)
    if input.dtype.is_complex:
        raise RuntimeError(f"{name} expects a real input tensor, but got {input.dtype}")
    a = _float(input)
    dims, sizes = _dims_and_sizes(a, s, dim)
    if sizes is not None:
        a = _resize(a, dims, sizes)
    return prims.fft_r2c(a, dims, norm, True)


def _c2r(name, input, s, dim, norm):
    norm = _check(name, input, norm)
    a = _complex(input)
    dims, sizes = _dims_and_sizes(a, s, dim)
    if sizes is None:
        sizes = tuple(a.shape[d] for d in dims[:-1]) + (2 * (a.shape[dims[-1]] - 1),)
    last = sizes[-1]
    if last < 1:
        raise RuntimeError(f"Invalid number of data points ({last}) specified")
    a = _resize(a, dims, sizes[:-1] + (last // 2 + 1,))
    return prims.fft_c2r(a, dims, norm, last)


def _one_dim(n, dim, ndim):
    return (None if n is None else (n,)), (canonical_dim(dim, ndim),)


@torchsymbol(torch.fft.fft)
def fft(input, n=None, dim=-1, norm=None):
    """``torch.fft.fft``.

    >>> import thunder, torch
    >>> thunder.jit(torch.fft.fft)(torch.ones(4)).real
    tensor([4., 0., 0., 0.])
    """
    return _c2c("fft", input, *_one_dim(n, dim, input.ndim), norm, True)


@torchsymbol(torch.fft.ifft)
def ifft(input, n=None, dim=-1, norm=None):
    return _c2c("ifft", input, *_one_dim(n, dim, input.ndim), norm, False)


@torchsymbol(torch.fft.rfft)
def rfft(input, n=None, dim=-1, norm=None):
    return _r2c("rfft", input, *_one_dim(n, dim, input.ndim), norm)


@torchsymbol(torch.fft.irfft)
def irfft(input, n=None, dim=-1, norm=None):
    return _c2r("irfft", input, *_one_dim(n, dim, input.ndim), norm)


@torchsymbol(torch.fft.hfft)
def hfft(input, n=None, dim=-1, norm=None):
    a = _complex(input)
    return irfft(prims.conj(a), n, dim, _SWAPPED[_check("hfft", input, norm)])


@torchsymbol(torch.fft.ihfft)
def ihfft(input, n=None, dim=-1, norm=None):
    return prims.conj(rfft(input, n, dim, _SWAPPED[_check("ihfft", input, norm)]))


@torchsymbol(torch.fft.fft2)
def fft2(input, s=None, dim=(-2, -1), norm=None):
    return _c2c("fft2", input, s, dim, norm, True)


@torchsymbol(torch.fft.ifft2)
def ifft2(input, s=None, dim=(-2, -1), norm=None):
    return _c2c("ifft2", input, s, dim, norm, False)


@torchsymbol(torch.fft.rfft2)
def rfft2(input, s=None, dim=(-2, -1), norm=None):
    return _r2c("rfft2", input, s, dim, norm)


@torchsymbol(torch.fft.irfft2)
def irfft2(input, s=None, dim=(-2, -1), norm=None):
    return _c2r("irfft2", input, s, dim, norm)


@torchsymbol(torch.fft.fftn)
def fftn(input, s=None, dim=None, norm=None):
    return _c2c("fftn", input, s, dim, norm, True)


@torchsymbol(torch.fft.ifftn)
def ifftn(input, s=None, dim=None, norm=None):
    return _c2c("ifftn", input, s, dim, norm, False)


@torchsymbol(torch.fft.rfftn)
def rfftn(input, s=None, dim=None, norm=None):
    return _r2c("rfftn", input, s, dim, norm)


@torchsymbol(torch.fft.irfftn)
def irfftn(input, s=None, dim=None, norm=None):
    return _c2r("irfftn", input, s, dim, norm)


def _shift(input, dim, sign):
    dims = canonical_dims(dim, input.ndim)
    shifts = tuple(sign * (input.shape[d] // 2) for d in dims)
    return roll(input, shifts, dims)


@torchsymbol(torch.fft.fftshift)
def fftshift(input, dim=None):
    return _shift(input, dim, 1)


@torchsymbol(torch.fft.ifftshift)
def ifftshift(input, dim=None):
    return _shift(input, dim, -1)


def _freq_dtype(dtype):
    return torch.get_default_dtype() if dtype is None else dtype


@torchsymbol(torch.fft.fftfreq)
def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=torch.strided, device=None,
            requires_grad=False):
    dtype = _freq_dtype(dtype)
    positive = arange((n - 1) // 2 + 1, dtype=torch.int64, device=device)
    negative = arange(-(n // 2), 0, dtype=torch.int64, device=device)
    values = prims.cat([positive, negative], 0)
    return div(maybe_convert(values, dtype), d * n)


@torchsymbol(torch.fft.rfftfreq)
def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=torch.strided, device=None,
             requires_grad=False):
    dtype = _freq_dtype(dtype)
    values = arange(n // 2 + 1, dtype=torch.int64, device=device)
    return div(maybe_convert(values, dtype), d * n)


__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2",
           "fftn", "ifftn", "rfftn", "irfftn", "fftshift", "ifftshift", "fftfreq", "rfftfreq"]
