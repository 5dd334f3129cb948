"""Operator records for ``torch.fft`` (``thunder/torch/fft.py``)."""

import torch

from thunder.tests.opinfos import OpInfo, SampleInput, make, op_db

_TOL = {torch.float32: (1e-4, 1e-4), torch.complex64: (1e-4, 1e-4)}
_NORMS = (None, "forward", "ortho")


def _c2c_samples(n_dims):
    def samples(dtype, requires_grad):
        x = make((4, 6, 5), dtype, requires_grad=requires_grad)
        for norm in _NORMS:
            yield SampleInput((x,), dict(norm=norm), name=f"norm={norm}")
        size = {1: 8, 2: (3, 8), 0: (3, 4, 7)}[n_dims]
        yield SampleInput((x, size), name="resized")
        dim = {1: 0, 2: (0, 2), 0: (1, 2)}[n_dims]
        yield SampleInput((x,), dict(dim=dim), name="dims")

    return samples


def _c2r_samples(n_dims):
    def samples(dtype, requires_grad):
        x = make((4, 6, 5), dtype, requires_grad=requires_grad)
        for norm in _NORMS:
            yield SampleInput((x,), dict(norm=norm), name=f"norm={norm}")
        size = {1: 7, 2: (3, 9), 0: (3, 4, 6)}[n_dims]
        yield SampleInput((x, size), name="resized")

    return samples


_F = torch.fft
for _fn, _n, _kind in ((_F.fft, 1, "c2c"), (_F.ifft, 1, "c2c"), (_F.fft2, 2, "c2c"),
                       (_F.ifft2, 2, "c2c"), (_F.fftn, 0, "c2c"), (_F.ifftn, 0, "c2c"),
                       (_F.rfft, 1, "r2c"), (_F.rfft2, 2, "r2c"), (_F.rfftn, 0, "r2c"),
                       (_F.ihfft, 1, "r2c"), (_F.irfft, 1, "c2r"), (_F.irfft2, 2, "c2r"),
                       (_F.irfftn, 0, "c2r"), (_F.hfft, 1, "c2r")):
    if _kind == "c2c":
        _dtypes = (torch.float32, torch.float64, torch.complex64, torch.int64)
    elif _kind == "r2c":
        _dtypes = (torch.float32, torch.float64, torch.int64)
    else:
        _dtypes = (torch.complex64, torch.float64)
    _samples = _c2r_samples(_n) if _kind == "c2r" else _c2c_samples(_n)
    op_db.append(OpInfo(f"torch.fft.{_fn.__name__.removeprefix('fft_')}", _fn, _samples,
                        dtypes=_dtypes, tolerances=_TOL))


def _shift_samples(dtype, requires_grad):
    x = make((4, 5, 3), dtype, requires_grad=requires_grad)
    yield SampleInput((x,), name="all-dims")
    yield SampleInput((x,), dict(dim=1), name="one-dim")
    yield SampleInput((x, (0, 2)), name="two-dims")


for _fn in (_F.fftshift, _F.ifftshift):
    op_db.append(OpInfo(f"torch.fft.{_fn.__name__.removeprefix('fft_')}", _fn, _shift_samples,
                        dtypes=(torch.float32, torch.float64, torch.int64, torch.complex64,
                                torch.bfloat16)))


def _freq_samples(dtype, requires_grad):
    yield SampleInput((5,), dict(dtype=dtype), name="odd")
    yield SampleInput((6, 0.5), dict(dtype=dtype), name="even-spacing")


for _fn in (_F.fftfreq, _F.rfftfreq):
    op_db.append(OpInfo(f"torch.fft.{_fn.__name__.removeprefix('fft_')}", _fn, _freq_samples,
                        dtypes=(torch.float32, torch.float64), supports_grad=False))
