"""Operator records for convolutions (``thunder/torch/convolution.py``)."""

import torch
import torch.nn.functional as F

from thunder.tests.opinfos import OpInfo, SampleInput, make, op_db

_LOW = {torch.bfloat16: (3e-2, 3e-2), torch.float16: (3e-3, 3e-3), torch.float32: (1e-4, 1e-4)}
_CONV_DTYPES = (torch.float32, torch.float64, torch.bfloat16)


def _conv_samples(spatial):
    def samples(dtype, requires_grad):
        def t(*shape):
            return make(shape, dtype, requires_grad=requires_grad)

        s = (7, 6, 5)[:spatial]
        k = (3, 2, 3)[:spatial]
        yield SampleInput((t(2, 4, *s), t(6, 4, *k)), name="plain")
        yield SampleInput((t(2, 4, *s), t(6, 2, *k), t(6)),
                          dict(stride=2, padding=1, dilation=1, groups=2), name="groups-bias")
        yield SampleInput((t(1, 4, *s), t(3, 4, *k)), dict(padding="same", dilation=2),
                          name="same-dilated")
        yield SampleInput((t(1, 4, *s), t(3, 4, *k)), dict(padding="valid"), name="valid")
        yield SampleInput((t(4, *s), t(3, 4, *k)), dict(padding=1), name="unbatched")
        yield SampleInput((make((2, 4) + s, dtype, noncontiguous=True,
                                requires_grad=requires_grad), t(2, 4, *k)),
                          dict(stride=(1,) * spatial), name="noncontiguous")

    return samples


def _conv_transpose_samples(spatial):
    def samples(dtype, requires_grad):
        def t(*shape):
            return make(shape, dtype, requires_grad=requires_grad)

        s = (5, 4, 3)[:spatial]
        k = (3, 2, 2)[:spatial]
        yield SampleInput((t(2, 4, *s), t(4, 3, *k)), name="plain")
        yield SampleInput((t(2, 4, *s), t(4, 2, *k), t(4)),
                          dict(stride=2, padding=1, output_padding=1, groups=2), name="groups")
        yield SampleInput((t(1, 4, *s), t(4, 3, *k)), dict(dilation=2, stride=2),
                          name="dilated")
        yield SampleInput((t(4, *s), t(4, 3, *k)), name="unbatched")

    return samples


for _n, (_fn, _alias) in enumerate(((F.conv1d, torch.conv1d), (F.conv2d, torch.conv2d),
                                    (F.conv3d, torch.conv3d)), start=1):
    op_db.append(OpInfo(f"F.conv{_n}d", _fn, _conv_samples(_n), dtypes=_CONV_DTYPES,
                        tolerances=_LOW, covers=(_fn, _alias)))
for _n, (_fn, _alias) in enumerate(((F.conv_transpose1d, torch.conv_transpose1d),
                                    (F.conv_transpose2d, torch.conv_transpose2d),
                                    (F.conv_transpose3d, torch.conv_transpose3d)), start=1):
    op_db.append(OpInfo(f"F.conv_transpose{_n}d", _fn, _conv_transpose_samples(_n),
                        dtypes=_CONV_DTYPES, tolerances=_LOW, covers=(_fn, _alias)))


def _convolution_samples(dtype, requires_grad):
    x = make((2, 4, 6, 5), dtype, requires_grad=requires_grad)
    w = make((6, 2, 3, 3), dtype, requires_grad=requires_grad)
    yield SampleInput((x, w, None, [1, 2], [1, 0], [1, 1], False, [0, 0], 2), name="forward")
    wt = make((4, 3, 2, 2), dtype, requires_grad=requires_grad)
    yield SampleInput((x, wt, None, [2, 2], [0, 1], [1, 1], True, [1, 0], 1),
                      name="transposed")


op_db.append(OpInfo("torch.convolution", torch.convolution, _convolution_samples,
                    dtypes=_CONV_DTYPES, tolerances=_LOW))
