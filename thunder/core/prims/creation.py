"""Creation, conversion and random primitives.

``full``, ``iota`` (arange), ``tensor_from_sequence`` (a tensor constant made inside the
function), ``uniform``/``normal`` (random; executed by torch's global generator at run time so
``torch.manual_seed`` behaves as in eager), ``convert_element_type`` and ``device_put``.
"""

import torch

from thunder.core.devices import to_device
from thunder.core.prims.definition import check, make_prim
from thunder.core.prims.ids import PrimIDs
from thunder.core.proxies import TensorProxy


def _full_meta(shape, fill_value, *, device, dtype):
    return TensorProxy(shape=shape, dtype=dtype, device=device)


def _full_impl(shape, fill_value, *, device, dtype):
    return torch.full(shape, fill_value, device=device, dtype=dtype)


full = make_prim(PrimIDs.FULL, _full_meta, torch_impl=_full_impl)


def _iota_meta(length, *, start, step, device, dtype):
    check(length >= 0, lambda: f"prims.iota: negative length {length}")
    return TensorProxy(shape=(length,), dtype=dtype, device=device)


def _iota_impl(length, *, start, step, device, dtype):
    return torch.arange(start, start + length * step, step, device=device, dtype=dtype)[:length]


iota = make_prim(PrimIDs.IOTA, _iota_meta, torch_impl=_iota_impl)


def _nested_shape(seq):
    if isinstance(seq, (list, tuple)):
        if not seq:
            return (0,)
        return (len(seq),) + _nested_shape(seq[0])
    return ()


def _tensor_from_sequence_meta(seq, *, dtype, device):
    return TensorProxy(shape=_nested_shape(seq), dtype=dtype, device=device)


def _tensor_from_sequence_impl(seq, *, dtype, device):
    return torch.tensor(seq, dtype=dtype, device=device)


tensor_from_sequence = make_prim(PrimIDs.TENSOR_FROM_SEQUENCE, _tensor_from_sequence_meta,
                                 torch_impl=_tensor_from_sequence_impl)


def _random_meta(shape, a, b, *, device, dtype):
    return TensorProxy(shape=shape, dtype=dtype, device=device)


def _uniform_impl(shape, low, high, *, device, dtype):
    out = torch.empty(shape, device=device, dtype=dtype)
    return out.uniform_(low, high)


def _normal_impl(shape, mean, std, *, device, dtype):
    out = torch.empty(shape, device=device, dtype=dtype)
    return out.normal_(mean, std)


uniform = make_prim(PrimIDs.UNIFORM, _random_meta, torch_impl=_uniform_impl)
normal = make_prim(PrimIDs.NORMAL, _random_meta, torch_impl=_normal_impl)


def _convert_element_type_meta(a, dtype):
    if not isinstance(a, TensorProxy):
        return a
    requires_grad = a.requires_grad and (dtype.is_floating_point or dtype.is_complex)
    return TensorProxy.like(a, dtype=dtype, requires_grad=requires_grad)


def _convert_element_type_impl(a, dtype):
    return a.to(dtype)


convert_element_type = make_prim(PrimIDs.CONVERT_ELEMENT_TYPE, _convert_element_type_meta,
                                 torch_impl=_convert_element_type_impl)


def _device_put_meta(a, device):
    return TensorProxy.like(a, device=to_device(device))


def _device_put_impl(a, device):
    return a.to(device)


device_put = make_prim(PrimIDs.DEVICE_PUT, _device_put_meta, torch_impl=_device_put_impl)


def _detach_meta(a):
    return TensorProxy.like(a, requires_grad=False)


def _detach_impl(a):
    return a.detach()


# detach: the same values, cut from autograd (its output never requires grad; no gradient
# flows back through it)
detach = make_prim(PrimIDs.DETACH, _detach_meta, torch_impl=_detach_impl)
