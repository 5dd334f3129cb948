"""Errors: eager's TypeError for bad calls; unsupported operations name the op and the line."""

import pytest
import torch

import thunder


def _two_args(x, y):
    return x + y


def _with_default(x, y=1):
    return x + y


@pytest.mark.parametrize("fn, args, kwargs", [
    (_two_args, (torch.ones(1),), {}),
    (_two_args, (torch.ones(1), 1, 2), {}),
    (_two_args, (torch.ones(1), 1), {"z": 3}),
    (_with_default, (torch.ones(1), 1, 2), {}),
    (_two_args, (), {}),
])
def test_wrong_arguments_raise_the_same_type_error_as_eager(fn, args, kwargs):
    with pytest.raises(TypeError) as eager:
        fn(*args, **kwargs)
    with pytest.raises(TypeError) as jitted:
        thunder.jit(fn)(*args, **kwargs)
    assert str(jitted.value) == str(eager.value)


def test_wrong_arguments_to_a_module_raise_eagers_type_error():
    model = torch.nn.Linear(2, 2)
    with pytest.raises(TypeError) as eager:
        model(torch.ones(2), torch.ones(2))
    with pytest.raises(TypeError) as jitted:
        thunder.jit(model)(torch.ones(2), torch.ones(2))
    assert str(jitted.value) == str(eager.value)


def test_unsupported_torch_operation_names_operation_and_user_line():
    def fn(x):
        return torch.stft(x, 4, return_complex=True)  # unsupported here

    with pytest.raises(thunder.UnsupportedOperationError) as info:
        thunder.jit(fn, strict=True)(torch.randn(16))
    message = str(info.value)
    assert "stft" in message
    assert "test_errors.py:" in message


def test_unsupported_operation_is_not_swallowed_by_user_except_clause():
    def fn(x):
        try:
            return torch.stft(x, 4, return_complex=True)
        except Exception:
            return x

    with pytest.raises(thunder.UnsupportedOperationError):
        thunder.jit(fn, strict=True)(torch.randn(16))


def test_torch_errors_keep_their_type():
    def fn(x, y):
        return x + y

    with pytest.raises(RuntimeError):
        thunder.jit(fn)(torch.ones(2), torch.ones(3))


def test_jit_rejects_unknown_options():
    with pytest.raises(TypeError):
        thunder.jit(lambda x: x, not_an_option=True)


def test_every_name_in_all_exists():
    for name in thunder.__all__:
        assert hasattr(thunder, name), name
