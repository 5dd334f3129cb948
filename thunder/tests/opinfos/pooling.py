"""Operator records for pooling (``thunder/torch/pooling.py``), ``stride=None`` included."""

import torch
import torch.nn.functional as F

from thunder.tests.opinfos import OpInfo, SampleInput, make, op_db

_DTYPES = (torch.float32, torch.float64, torch.bfloat16, torch.float16)
_TOL = {torch.bfloat16: (2e-2, 2e-2), torch.float16: (2e-3, 2e-3)}


def _input(spatial, dtype, requires_grad, batch=True):
    shape = (2, 3, 9, 8, 7)[:2 + spatial] if batch else (3, 9, 8, 7)[:1 + spatial]
    return make(shape, dtype, requires_grad=requires_grad)


def _max_pool_samples(spatial, with_indices=False):
    def samples(dtype, requires_grad):
        x = _input(spatial, dtype, requires_grad)
        extra = dict(return_indices=True) if with_indices else {}
        yield SampleInput((x, 2), dict(extra), name="stride-None-means-kernel")
        yield SampleInput((x, 3, 2, 1), dict(extra), name="stride-padding")
        yield SampleInput((x, 3), dict(stride=2, padding=1, dilation=2, ceil_mode=True, **extra),
                          name="dilation-ceil")
        yield SampleInput((x, (2,) * spatial), dict(stride=None, ceil_mode=True, **extra),
                          name="ceil-stride-None")
        yield SampleInput((_input(spatial, dtype, requires_grad, batch=False), 2), dict(extra),
                          name="unbatched")

    return samples


def _avg_pool_samples(spatial):
    def samples(dtype, requires_grad):
        x = _input(spatial, dtype, requires_grad)
        yield SampleInput((x, 2), name="stride-None-means-kernel")
        yield SampleInput((x, 3, 2, 1), name="stride-padding")
        yield SampleInput((x, 3), dict(stride=2, padding=1, ceil_mode=True,
                                       count_include_pad=False), name="ceil-exclude-pad")
        yield SampleInput((x, 3), dict(stride=2, padding=1, ceil_mode=True), name="ceil")
        if spatial > 1:
            yield SampleInput((x, 2), dict(padding=1, divisor_override=3),
                              name="divisor-override")
        yield SampleInput((_input(spatial, dtype, requires_grad, batch=False), 2),
                          name="unbatched")

    return samples


def _adaptive_samples(spatial, with_indices=False):
    def samples(dtype, requires_grad):
        x = _input(spatial, dtype, requires_grad)
        extra = (True,) if with_indices else ()
        yield SampleInput((x, 3) + extra, name="uneven")
        yield SampleInput((x, 1) + extra, name="global")
        yield SampleInput((x, (4, None, 7)[:spatial]) + extra, name="none-keeps-size")
        yield SampleInput((_input(spatial, dtype, requires_grad, batch=False), 2) + extra,
                          name="unbatched")

    return samples


def _lp_samples(spatial):
    def samples(dtype, requires_grad):
        x = make((2, 3, 8, 6, 6)[:2 + spatial], dtype, low=0.1, high=2.0,
                 requires_grad=requires_grad)
        yield SampleInput((x, 2, 2), name="p2")
        yield SampleInput((x, 3.0, 3, 2), dict(ceil_mode=True), name="p3-ceil")

    return samples


for _n in (1, 2, 3):
    _max = getattr(F, f"max_pool{_n}d")
    _max_ix = getattr(F, f"max_pool{_n}d_with_indices")
    _torch_max = getattr(torch, f"max_pool{_n}d")
    op_db.append(OpInfo(f"F.max_pool{_n}d", _max, _max_pool_samples(_n), dtypes=_DTYPES,
                        tolerances=_TOL, covers=(_max, _torch_max)))
    op_db.append(OpInfo(f"F.max_pool{_n}d_with_indices", _max_ix,
                        _max_pool_samples(_n, True), dtypes=_DTYPES, tolerances=_TOL))
    _avg = getattr(F, f"avg_pool{_n}d")
    op_db.append(OpInfo(f"F.avg_pool{_n}d", _avg, _avg_pool_samples(_n),
                        dtypes=_DTYPES if _n < 3 else _DTYPES[:2], tolerances=_TOL))
    _aavg = getattr(F, f"adaptive_avg_pool{_n}d")
    op_db.append(OpInfo(f"F.adaptive_avg_pool{_n}d", _aavg, _adaptive_samples(_n),
                        dtypes=_DTYPES, tolerances=_TOL))
    _amax = getattr(F, f"adaptive_max_pool{_n}d")
    op_db.append(OpInfo(f"F.adaptive_max_pool{_n}d", _amax, _adaptive_samples(_n),
                        dtypes=_DTYPES, tolerances=_TOL))
    _amax_ix = getattr(F, f"adaptive_max_pool{_n}d_with_indices")
    op_db.append(OpInfo(f"F.adaptive_max_pool{_n}d_with_indices", _amax_ix,
                        _adaptive_samples(_n, True), dtypes=_DTYPES, tolerances=_TOL))
    _lp = getattr(F, f"lp_pool{_n}d")
    op_db.append(OpInfo(f"F.lp_pool{_n}d", _lp, _lp_samples(_n),
                        dtypes=(torch.float32, torch.float64),
                        tolerances={torch.float32: (1e-4, 1e-4)}))


def _int_pool_samples(dtype, requires_grad):
    x = make((1, 2, 6, 7), dtype, low=-20, high=20)
    yield SampleInput((x, 2), name="stride-None")
    yield SampleInput((x, 3, 2, 1), name="padded")


op_db.append(OpInfo("torch.avg_pool1d", torch.avg_pool1d,
                    lambda dtype, rg: (SampleInput((_input(1, dtype, rg), 3)),),
                    dtypes=_DTYPES, tolerances=_TOL))
op_db.append(OpInfo("torch.adaptive_avg_pool1d", torch.adaptive_avg_pool1d,
                    lambda dtype, rg: (SampleInput((_input(1, dtype, rg), 4)),),
                    dtypes=_DTYPES, tolerances=_TOL))
op_db.append(OpInfo("F.max_pool2d[int]", F.max_pool2d, _int_pool_samples,
                    dtypes=(torch.int64, torch.int32), supports_grad=False, covers=()))
op_db.append(OpInfo("F.avg_pool2d[int]", F.avg_pool2d, _int_pool_samples,
                    dtypes=(torch.int64,), supports_grad=False, covers=()))
