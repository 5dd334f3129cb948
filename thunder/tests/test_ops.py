"""Every operator-database record against eager torch.

For each (record, dtype) pair the samples run through ``thunder.jit`` and through eager torch
and must agree: same output structure, dtypes, shapes and values (within the record's
tolerance), the same mutation of the inputs, and the same exception type where eager raises.
The decomposition check runs the same samples through ``executors=["torch_prims"]``, which
executes only prims, so it checks the torch-level decompositions themselves.

NOTE [default subset of the operator database]
The default run checks, per record, float32 (or the record's first dtype) plus one more dtype
chosen round-robin over the record's other dtypes, and only the first ``FAST_SAMPLES`` samples.
The full sweep (every dtype, every sample) is marked ``slow``: ``pytest -m slow``.
"""

import math

import pytest
import torch

import thunder
from thunder.tests.opinfos import load_op_db

OP_DB = load_op_db()
FAST_SAMPLES = 3
DECOMPOSITION_DTYPES = (torch.float32, torch.float64)


def _dtype_name(dtype):
    return str(dtype).removeprefix("torch.")


def _fast_dtypes(index, record):
    primary = torch.float32 if torch.float32 in record.dtypes else record.dtypes[0]
    others = [d for d in record.dtypes if d != primary]
    return (primary,) + ((others[index % len(others)],) if others else ())


def _params(dtype_filter=None, decomposition=False):
    """(record, dtype, sample limit) params: the fast subset, then the full sweep as slow."""
    fast, slow = [], []
    for index, record in enumerate(OP_DB):
        fast_dtypes = _fast_dtypes(index, record)
        for dtype in record.dtypes:
            if dtype_filter is not None and dtype not in dtype_filter:
                continue
            marks = _xfail_marks(record, dtype, decomposition)
            ident = f"{record.name}-{_dtype_name(dtype)}"
            if dtype in fast_dtypes:
                # an xfailed pair runs every sample: the bug may be in a later one
                limit = None if marks else FAST_SAMPLES
                fast.append(pytest.param(record, dtype, limit, id=ident, marks=marks))
            slow.append(pytest.param(record, dtype, None, id=f"{ident}-all",
                                     marks=marks + [pytest.mark.slow]))
    return fast + slow


def _xfail_marks(record, dtype, decomposition):
    reason = record.xfails.get(dtype)
    if decomposition and reason is None:
        reason = record.decomposition_xfails.get(dtype)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


def _samples(record, dtype, limit):
    """The record's samples, generated afresh under a fixed seed (so each run gets equal ones)."""
    torch.manual_seed(1234)
    samples = list(record.sample_inputs(dtype, False))
    return samples if limit is None else samples[:limit]


def _leaves(value):
    """Flatten tuples, lists, named tuples and dicts to a list of leaves."""
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in _leaves(item)]
    if isinstance(value, dict):
        return [leaf for key in sorted(value) for leaf in _leaves(value[key])]
    return [value]


def _compare(actual, expected, record, dtype, what, metadata_only=False):
    a_leaves, e_leaves = _leaves(actual), _leaves(expected)
    assert len(a_leaves) == len(e_leaves), f"{what}: {len(a_leaves)} vs {len(e_leaves)} values"
    atol, rtol = record.tolerances.get(dtype, (None, None))
    for a, e in zip(a_leaves, e_leaves):
        if isinstance(e, torch.Tensor):
            assert isinstance(a, torch.Tensor), f"{what}: expected a tensor, got {type(a)}"
            assert a.dtype == e.dtype, f"{what}: dtype {a.dtype} != {e.dtype}"
            assert a.shape == e.shape, f"{what}: shape {a.shape} != {e.shape}"
            if not (record.metadata_only or metadata_only):
                torch.testing.assert_close(a, e, equal_nan=True, atol=atol, rtol=rtol,
                                           check_device=True, msg=lambda m: f"{what}: {m}")
        elif isinstance(e, float) and math.isnan(e):
            assert isinstance(a, float) and math.isnan(a), f"{what}: {a!r} != nan"
        else:
            assert type(a) is type(e) or isinstance(e, tuple), f"{what}: {a!r} != {e!r}"
            assert a == e, f"{what}: {a!r} != {e!r}"


def _run(fn, sample):
    torch.manual_seed(0)
    try:
        return fn(*sample.args, **sample.kwargs), None
    except Exception as error:  # the test compares exception types
        return None, error


def _check_against_eager(record, dtype, limit, executors=None):
    eager_samples = _samples(record, dtype, limit)
    thunder_samples = _samples(record, dtype, limit)
    assert eager_samples, f"{record.name} has no samples for {dtype}"
    for eager_sample, thunder_sample in zip(eager_samples, thunder_samples):
        what = f"{record.name}({thunder_sample.name})"
        expected, eager_error = _run(record.op, eager_sample)
        jfn = thunder.jit(record.op, executors=executors)
        actual, thunder_error = _run(jfn, thunder_sample)
        if eager_error is not None:
            assert isinstance(thunder_error, type(eager_error)), (
                f"{what}: eager raised {type(eager_error).__name__}: {eager_error}; "
                f"thunder gave {thunder_error!r}")
            continue
        if thunder_error is not None:
            raise AssertionError(f"{what}: thunder raised, eager did not") from thunder_error
        metadata_only = executors is not None and record.decomposition_metadata_only
        _compare(actual, expected, record, dtype, what, metadata_only)
        # in-place ops: the caller's tensors must end up mutated alike
        _compare(thunder_sample.args, eager_sample.args, record, dtype, f"{what} inputs after")


@pytest.mark.parametrize("record, dtype, limit", _params())
def test_op_matches_eager(record, dtype, limit):
    _check_against_eager(record, dtype, limit)


@pytest.mark.parametrize("record, dtype, limit", _params(DECOMPOSITION_DTYPES, decomposition=True))
def test_op_decomposition_matches_eager(record, dtype, limit):
    _check_against_eager(record, dtype, limit, executors=["torch_prims"])


def _error_params():
    for record in OP_DB:
        if record.error_inputs is not None:
            yield pytest.param(record, id=record.name)


@pytest.mark.parametrize("record", list(_error_params()))
def test_op_raises_like_eager(record):
    for sample in record.error_inputs():
        _, eager_error = _run(record.op, sample)
        assert eager_error is not None, f"{record.name}({sample.name}): eager did not raise"
        _, thunder_error = _run(thunder.jit(record.op), sample)
        assert isinstance(thunder_error, type(eager_error)), (
            f"{record.name}({sample.name}): eager raised {type(eager_error).__name__}: "
            f"{eager_error}; thunder gave {thunder_error!r}")


def test_record_names_are_unique():
    names = [record.name for record in OP_DB]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})
