"""Operator records for ``torch.ops.aten`` overloads (``thunder/torch/aten.py``) and tensor
constants made inside a function."""

import torch

from thunder.tests.opinfos import OpInfo, SampleInput, make, op_db

aten = torch.ops.aten
_FLOATS = (torch.float32, torch.float64, torch.bfloat16)
_TOL = {torch.bfloat16: (2e-2, 2e-2), torch.float32: (1e-5, 1e-5)}


def _t(dtype, *shape, **kwargs):
    return make(shape, dtype, **kwargs)


# (packet, overload names, samples(dtype) -> list of (args, kwargs), dtypes)
_RECORDS = [
    ("add", ("Tensor",), lambda d: [((_t(d, 3, 4), _t(d, 3, 4)), dict(alpha=2)),
                                    ((_t(d, 3, 4), _t(d, 4)), {})], None),
    ("add", ("Scalar",), lambda d: [((_t(d, 3, 4), 2), {})], None),
    ("sub", ("Tensor",), lambda d: [((_t(d, 3, 4), _t(d, 3, 4)), {})], None),
    ("sub", ("Scalar",), lambda d: [((_t(d, 3, 4), 1), {})], None),
    ("mul", ("Tensor",), lambda d: [((_t(d, 3, 4), _t(d, 4)), {})], None),
    ("mul", ("Scalar",), lambda d: [((_t(d, 3, 4), 3), {})], None),
    ("div", ("Tensor",), lambda d: [((_t(d, 3, 4), _t(d, 3, 4, low=1)), {})], None),
    ("div", ("Scalar",), lambda d: [((_t(d, 3, 4), 2.0), {})], None),
    ("div", ("Tensor_mode",), lambda d: [((_t(d, 3, 4), _t(d, 3, 4, low=1)),
                                          dict(rounding_mode="floor"))], None),
    ("pow", ("Tensor_Scalar",), lambda d: [((_t(d, 3, 4), 2), {})], None),
    ("pow", ("Tensor_Tensor",), lambda d: [((_t(d, 3, 4, low=0.5), _t(d, 3, 4)), {})], None),
    ("neg", ("default",), lambda d: [((_t(d, 3, 4),), {})], None),
    ("exp", ("default",), lambda d: [((_t(d, 3, 4),), {})], None),
    ("sqrt", ("default",), lambda d: [((_t(d, 3, 4, low=0),), {})], None),
    ("rsqrt", ("default",), lambda d: [((_t(d, 3, 4, low=0.5),), {})], None),
    ("tanh", ("default",), lambda d: [((_t(d, 3, 4),), {})], None),
    ("sigmoid", ("default",), lambda d: [((_t(d, 3, 4),), {})], None),
    ("mm", ("default",), lambda d: [((_t(d, 3, 4), _t(d, 4, 2)), {})], None),
    ("bmm", ("default",), lambda d: [((_t(d, 2, 3, 4), _t(d, 2, 4, 2)), {})], None),
    ("addmm", ("default",), lambda d: [((_t(d, 2), _t(d, 3, 4), _t(d, 4, 2)),
                                        dict(beta=0.5, alpha=2))], None),
    ("view", ("default",), lambda d: [((_t(d, 3, 4), [4, 3]), {}),
                                      ((_t(d, 3, 4), [-1]), {})], None),
    ("_unsafe_view", ("default",), lambda d: [((_t(d, 3, 4), [12]), {})], None),
    ("reshape", ("default",), lambda d: [((_t(d, 3, 4), [2, -1]), {})], None),
    ("permute", ("default",), lambda d: [((_t(d, 2, 3, 4), [2, 0, 1]), {})], None),
    ("t", ("default",), lambda d: [((_t(d, 3, 4),), {})], None),
    ("transpose", ("int",), lambda d: [((_t(d, 2, 3, 4), 0, -1), {})], None),
    ("expand", ("default",), lambda d: [((_t(d, 3, 1), [2, 3, 4]), {})], None),
    ("clone", ("default",), lambda d: [((_t(d, 3, 4),), {})], None),
    ("_to_copy", ("default",), lambda d: [((_t(d, 3, 4),), dict(dtype=torch.float64)),
                                          ((_t(d, 3, 4),), {})], None),
    ("relu", ("default",), lambda d: [((_t(d, 3, 4),), {})], None),
    ("gelu", ("default",), lambda d: [((_t(d, 3, 4),), {}),
                                      ((_t(d, 3, 4),), dict(approximate="tanh"))], None),
    ("silu", ("default",), lambda d: [((_t(d, 3, 4),), {})], None),
    ("_softmax", ("default",), lambda d: [((_t(d, 3, 4), 1, False), {})], None),
    ("_log_softmax", ("default",), lambda d: [((_t(d, 3, 4), 0, False), {})], None),
    ("native_layer_norm", ("default",), lambda d: [
        ((_t(d, 2, 3, 4), [4], _t(d, 4), _t(d, 4), 1e-5), {}),
        ((_t(d, 2, 3, 4), [3, 4], None, None, 1e-5), {})], None),
    ("embedding", ("default",), lambda d: [((_t(d, 5, 3), torch.tensor([[0, 4], [2, 2]])),
                                            {})], None),
    ("cat", ("default",), lambda d: [(([_t(d, 2, 3), _t(d, 1, 3)],), {}),
                                     (([_t(d, 2, 3), _t(d, 2, 1)], 1), {})], None),
    ("slice", ("Tensor",), lambda d: [((_t(d, 5, 4), 0, 1, 4), {}),
                                      ((_t(d, 5, 4), 1, -3, 100, 2), {}),
                                      ((_t(d, 5, 4),), {})], None),
    ("select", ("int",), lambda d: [((_t(d, 5, 4), 1, -1), {})], None),
    ("unsqueeze", ("default",), lambda d: [((_t(d, 5, 4), -1), {})], None),
    ("squeeze", ("dim",), lambda d: [((_t(d, 5, 1), 1), {})], None),
    ("squeeze", ("default",), lambda d: [((_t(d, 1, 5, 1),), {})], None),
    ("squeeze", ("dims",), lambda d: [((_t(d, 1, 5, 1), [0, 2]), {})], None),
    ("sum", ("dim_IntList",), lambda d: [((_t(d, 3, 4), [1]), {}),
                                         ((_t(d, 3, 4), [0, 1], True), {})], None),
    ("sum", ("default",), lambda d: [((_t(d, 3, 4),), {})], None),
    ("mean", ("dim",), lambda d: [((_t(d, 3, 4), [0], True), {})], None),
    ("mean", ("default",), lambda d: [((_t(d, 3, 4),), {})], None),
    ("amax", ("default",), lambda d: [((_t(d, 3, 4), [1]), {})], None),
    ("where", ("self",), lambda d: [((_t(torch.bool, 3, 4), _t(d, 3, 4), _t(d, 4)), {})],
     None),
    ("scalar_tensor", ("default",), lambda d: [((2.5,), dict(dtype=d))], None),
    ("full", ("default",), lambda d: [(([2, 3], 1.5), dict(dtype=d))], None),
    ("arange", ("start",), lambda d: [((1, 6), dict(dtype=d))], None),
    ("arange", ("default",), lambda d: [((5,), dict(dtype=d))], None),
    ("arange", ("start_step",), lambda d: [((0, 10, 3), dict(dtype=d))], None),
    ("zeros", ("default",), lambda d: [(([2, 3],), dict(dtype=d))], None),
    ("ones", ("default",), lambda d: [(([3],), dict(dtype=d))], None),
    ("lift_fresh_copy", ("default",), lambda d: [((_t(d, 3, 4),), {})], None),
    ("lift", ("default",), lambda d: [((_t(d, 3, 4),), {})], None),
    ("lift_fresh", ("default",), lambda d: [((_t(d, 3, 4),), {})], None),
]


def _samples_for(fn):
    def samples(dtype, requires_grad):
        for args, kwargs in fn(dtype):
            yield SampleInput(args, kwargs)

    return samples


_seen_packets = set()
for _packet_name, _overloads, _make_samples, _dtypes in _RECORDS:
    _packet = getattr(aten, _packet_name)
    for _overload in _overloads:
        _op = getattr(_packet, _overload)
        op_db.append(OpInfo(f"aten.{_packet_name}.{_overload}", _op, _samples_for(_make_samples),
                            dtypes=_dtypes or _FLOATS, tolerances=_TOL))
    if _packet_name not in _seen_packets:
        _seen_packets.add(_packet_name)
        op_db.append(OpInfo(f"aten.{_packet_name}", _packet, _samples_for(_make_samples),
                            dtypes=_dtypes or _FLOATS, tolerances=_TOL))


def _empty_shape(size, dtype):
    out = aten.empty.memory_format(size, dtype=dtype)
    return out.shape, out.dtype


op_db.append(OpInfo("aten.empty.memory_format", _empty_shape,
                    lambda dtype, rg: (SampleInput(([2, 3], dtype)),), supports_grad=False,
                    covers=(aten.empty.memory_format, aten.empty)))


def _constants(dtype):
    values = {torch.bool: [True, False], torch.int64: [1, 2], torch.int32: [3, -4],
              torch.complex64: [1 + 2j, 3j]}.get(dtype, [1.5, -2.25])
    return torch.tensor(values, dtype=dtype) + torch.tensor(values[0], dtype=dtype)


def _constant_with_input(x):
    return x + torch.ops.aten.lift_fresh_copy(torch.tensor([1.0, 2.0, 3.0], dtype=x.dtype))


op_db.append(OpInfo("torch.tensor[constant]", _constants,
                    lambda dtype, rg: (SampleInput((dtype,)),),
                    dtypes=(torch.float32, torch.float64, torch.bfloat16, torch.float16,
                            torch.int32, torch.int64, torch.complex64),
                    supports_grad=False, covers=(torch.tensor,)))
op_db.append(OpInfo("aten.lift_fresh_copy[constant]", _constant_with_input,
                    lambda dtype, rg: (SampleInput((make((3,), dtype),)),),
                    dtypes=_FLOATS, covers=(aten.lift_fresh_copy,)))
