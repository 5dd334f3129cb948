"""Eager fallback for unsupported torch operations, strict mode, and thunder.examine."""

import warnings

import pytest
import torch

import thunder
from thunder.tests.framework import assert_close


def _uses_stft(x):
    spec = torch.stft(x, 4, window=torch.ones(4), return_complex=True)
    return spec.abs().sum(0)[:17] + x[:17].sin()


def test_unsupported_operation_runs_by_eager_fallback_and_matches_eager():
    x = torch.randn(32)
    jfn = thunder.jit(_uses_stft)
    assert_close(jfn(x), _uses_stft(x))
    assert "torch.stft(" in str(thunder.last_traces(jfn)[-1])
    assert thunder.compile_stats(jfn).fallback_operations == {"torch.stft"}


def test_unsupported_tensor_method_runs_by_eager_fallback():
    def fn(x):
        return x.stft(4, window=torch.ones(4), return_complex=True).abs()

    x = torch.randn(32)
    assert_close(thunder.jit(fn)(x), fn(x))


def test_strict_mode_raises_naming_operation_and_user_line():
    with pytest.raises(thunder.UnsupportedOperationError) as info:
        thunder.jit(_uses_stft, strict=True)(torch.randn(32))
    message = str(info.value)
    assert "torch.stft" in message and "test_fallback.py:" in message


def test_in_place_unsupported_operation_is_an_error_not_a_silent_result():
    def fn(x):
        y = x * 1
        y.exponential_()
        return y

    with pytest.raises(thunder.UnsupportedOperationError) as info:
        thunder.jit(fn)(torch.randn(3))
    assert "exponential_" in str(info.value)


def test_fallback_with_a_data_dependent_output_shape_is_specialised_on_the_data():
    def fn(x):
        return torch.unique_consecutive(x) * 2

    jfn = thunder.jit(fn)
    for values in ([1, 1, 2], [3, 3, 4], [1, 2, 3]):
        x = torch.tensor(values)
        assert_close(jfn(x), fn(x))
    assert thunder.cache_misses(jfn) == 2


def test_examine_lists_each_operation_with_status_and_executor():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = thunder.examine(_uses_stft, torch.randn(32))
    by_name = {op.name: op for op in report.operations}
    assert by_name["torch.stft"].supported is False
    assert by_name["torch.stft"].executor == "eager fallback"
    jfn = thunder.jit(_uses_stft)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        jfn(torch.randn(32))
    fused = {b.sym.name for region in thunder.last_fusions(jfn) for b in region.bound_symbols}
    assert by_name["torch.sin"].supported
    # the fusion executor is named only where sin ended up in one of its regions
    assert by_name["torch.sin"].executor == ("torchcompile" if "sin" in fused else "torch")
    assert report.fallbacks == ["torch.stft"]
    assert "eager fallback" in str(report)


def test_examine_reports_an_operation_that_cannot_run():
    def fn(x):
        y = x * 1
        y.exponential_()
        return y

    report = thunder.examine(fn, torch.ones(3))
    assert report.error is not None and "exponential_" in report.error
