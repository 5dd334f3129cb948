"""Operator records for padding and resampling (``thunder/torch/padding.py``)."""

import torch
import torch.nn.functional as F

from thunder.tests.opinfos import OpInfo, SampleInput, make, op_db

_FLOATS = (torch.float32, torch.float64, torch.bfloat16)
_TOL = {torch.bfloat16: (3e-2, 3e-2), torch.float32: (1e-4, 1e-4)}


def _pad_samples(dtype, requires_grad):
    def t(*shape):
        return make(shape, dtype, requires_grad=requires_grad)

    yield SampleInput((t(2, 3, 4), (1, 2)), name="constant-default-value")
    yield SampleInput((t(2, 3, 4), (1, -1, 2, 0)), dict(value=1.5 if dtype.is_floating_point
                                                       else 3), name="constant-crop")
    if not dtype.is_floating_point:
        return
    for mode in ("reflect", "replicate", "circular"):
        yield SampleInput((t(2, 5), (2, 1)), dict(mode=mode), name=f"{mode}-2d")
        yield SampleInput((t(2, 3, 5), (1, 3)), dict(mode=mode), name=f"{mode}-3d")
        yield SampleInput((t(2, 3, 4, 5), (1, 2, 3, 1)), dict(mode=mode), name=f"{mode}-4d")
        yield SampleInput((t(1, 2, 3, 4, 5), (1, 1, 2, 0, 1, 2)), dict(mode=mode),
                          name=f"{mode}-5d")


op_db.append(OpInfo("F.pad", F.pad, _pad_samples,
                    dtypes=_FLOATS + (torch.int64, torch.complex64), tolerances=_TOL))


def _interpolate_samples(dtype, requires_grad):
    x1 = make((2, 3, 5), dtype, requires_grad=requires_grad)
    x2 = make((2, 3, 5, 6), dtype, requires_grad=requires_grad)
    x3 = make((1, 2, 3, 4, 5), dtype, requires_grad=requires_grad)
    yield SampleInput((x2,), dict(scale_factor=2), name="nearest-scale")
    yield SampleInput((x2,), dict(size=(7, 4)), name="nearest-size")
    yield SampleInput((x2,), dict(size=(7, 9), mode="nearest-exact"), name="nearest-exact")
    yield SampleInput((x1,), dict(scale_factor=1.7, mode="linear"), name="linear-scale")
    yield SampleInput((x1,), dict(size=8, mode="linear", align_corners=True),
                      name="linear-align")
    for align in (False, True):
        yield SampleInput((x2,), dict(size=(9, 4), mode="bilinear", align_corners=align),
                          name=f"bilinear-align={align}")
        yield SampleInput((x2,), dict(scale_factor=(1.5, 2), mode="bicubic",
                                      align_corners=align), name=f"bicubic-align={align}")
        yield SampleInput((x3,), dict(size=(5, 6, 2), mode="trilinear", align_corners=align),
                          name=f"trilinear-align={align}")
    yield SampleInput((x2,), dict(scale_factor=1.5, mode="bilinear",
                                  recompute_scale_factor=True), name="recompute-scale")
    yield SampleInput((x2,), dict(size=(2, 3), mode="area"), name="area")
    yield SampleInput((x3,), dict(scale_factor=2), name="nearest-3d")


op_db.append(OpInfo("F.interpolate", F.interpolate, _interpolate_samples, dtypes=_FLOATS,
                    tolerances=_TOL))


def _upsample_samples(dtype, requires_grad):
    yield SampleInput((make((2, 3, 4, 5), dtype, requires_grad=requires_grad),),
                      dict(scale_factor=2), name="scale")
    yield SampleInput((make((2, 3, 4, 5), dtype, requires_grad=requires_grad),),
                      dict(size=(3, 7)), name="size")


for _name in ("upsample", "upsample_nearest", "upsample_bilinear"):
    op_db.append(OpInfo(f"F.{_name}", getattr(F, _name), _upsample_samples, dtypes=_FLOATS,
                        tolerances=_TOL))


def _one_hot_samples(dtype, requires_grad):
    yield SampleInput((torch.tensor([0, 3, 1, 2]), 5), name="1d")
    yield SampleInput((make((2, 3), torch.int64, low=0, high=4), 4), name="2d")
    yield SampleInput((torch.tensor(2), 3), name="0d")


op_db.append(OpInfo("F.one_hot", F.one_hot, _one_hot_samples, dtypes=(torch.int64,),
                    supports_grad=False))


def _pixel_shuffle_samples(dtype, requires_grad):
    yield SampleInput((make((2, 8, 3, 4), dtype, requires_grad=requires_grad), 2), name="4d")
    yield SampleInput((make((9, 2, 2), dtype, requires_grad=requires_grad), 3), name="3d")
    yield SampleInput((make((2, 2, 4, 2, 2), dtype, requires_grad=requires_grad), 2),
                      name="5d")


def _pixel_unshuffle_samples(dtype, requires_grad):
    yield SampleInput((make((2, 2, 4, 6), dtype, requires_grad=requires_grad), 2), name="4d")
    yield SampleInput((make((1, 6, 3), dtype, requires_grad=requires_grad), 3), name="3d")


_ALL = _FLOATS + (torch.float16, torch.int64, torch.bool, torch.complex64)
op_db.append(OpInfo("F.pixel_shuffle", F.pixel_shuffle, _pixel_shuffle_samples, dtypes=_ALL,
                    covers=(F.pixel_shuffle, torch.pixel_shuffle)))
op_db.append(OpInfo("F.pixel_unshuffle", F.pixel_unshuffle, _pixel_unshuffle_samples,
                    dtypes=_ALL, covers=(F.pixel_unshuffle, torch.pixel_unshuffle)))


def _unfold_samples(dtype, requires_grad):
    x = make((2, 3, 5, 6), dtype, requires_grad=requires_grad)
    yield SampleInput((x, 2), name="plain")
    yield SampleInput((x, (2, 3)), dict(dilation=(1, 2), padding=1, stride=(2, 1)),
                      name="all-args")
    yield SampleInput((make((3, 4, 4), dtype, requires_grad=requires_grad), 3),
                      name="unbatched")


def _fold_samples(dtype, requires_grad):
    yield SampleInput((make((2, 12, 12), dtype, requires_grad=requires_grad), (4, 5), 2),
                      name="overlapping")
    yield SampleInput((make((2, 18, 12), dtype, requires_grad=requires_grad), (5, 6), (2, 3)),
                      dict(dilation=(1, 2), padding=1, stride=(2, 1)), name="all-args")
    yield SampleInput((make((8, 4), dtype, requires_grad=requires_grad), (3, 3), 2),
                      name="unbatched")


op_db.append(OpInfo("F.unfold", F.unfold, _unfold_samples, dtypes=_FLOATS, tolerances=_TOL))
op_db.append(OpInfo("F.fold", F.fold, _fold_samples, dtypes=_FLOATS, tolerances=_TOL))
