"""Discrete Fourier transform primitives over a tuple of canonical dims.

``fft_c2c`` (complex to complex, forward or inverse), ``fft_r2c`` (real to complex, keeping
``n // 2 + 1`` entries of the last transformed dim) and ``fft_c2r`` (the inverse, producing
``last_dim_size`` real entries). ``norm`` is torch's ``"backward"``, ``"forward"`` or
``"ortho"``, always as seen from the forward transform's name the torch function has. Sizes are
already fixed by the torch-level operators (which pad or trim the input), so the prims never
resize except for ``fft_c2r``'s last dim.
"""

import torch

from thunder.core import dtypes
from thunder.core.prims.definition import make_prim
from thunder.core.prims.ids import PrimIDs
from thunder.core.proxies import TensorProxy


def _c2c_meta(a, dims, norm, forward):
    return TensorProxy.like(a)


def _c2c_impl(a, dims, norm, forward):
    fn = torch.fft.fftn if forward else torch.fft.ifftn
    return fn(a, dim=dims, norm=norm)


fft_c2c = make_prim(PrimIDs.FFT_C2C, _c2c_meta, torch_impl=_c2c_impl)


def _r2c_meta(a, dims, norm, onesided):
    shape = list(a.shape)
    if onesided:
        shape[dims[-1]] = shape[dims[-1]] // 2 + 1
    return TensorProxy.like(a, shape=shape, dtype=dtypes.real_to_complex(a.dtype))


def _r2c_impl(a, dims, norm, onesided):
    if onesided:
        return torch.fft.rfftn(a, dim=dims, norm=norm)
    return torch.fft.fftn(a, dim=dims, norm=norm)


fft_r2c = make_prim(PrimIDs.FFT_R2C, _r2c_meta, torch_impl=_r2c_impl)


def _c2r_meta(a, dims, norm, last_dim_size):
    shape = list(a.shape)
    shape[dims[-1]] = last_dim_size
    return TensorProxy.like(a, shape=shape, dtype=dtypes.complex_to_real(a.dtype))


def _c2r_impl(a, dims, norm, last_dim_size):
    sizes = [a.shape[d] for d in dims[:-1]] + [last_dim_size]
    return torch.fft.irfftn(a, s=sizes, dim=dims, norm=norm)


fft_c2r = make_prim(PrimIDs.FFT_C2R, _c2r_meta, torch_impl=_c2r_impl)
