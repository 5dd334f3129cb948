"""Records for reductions: sum/mean/prod, min/max and arg variants, var/std, any/all, norm, scans.

``REDUCTIONS`` lists, per operator, the (input shape, args, kwargs) calls; a row expands into a
record for the torch function and one for the ``Tensor`` method. Low-precision inputs check that
accumulation follows torch (the torch executor runs whole ops; the decomposition test checks
the prims in float32 and float64).
"""

import torch

from thunder.tests.opinfos import (
    ALL_DTYPES, FLOAT_DTYPES, NUMERIC_DTYPES, REAL_DTYPES, INEXACT_DTYPES, OpInfo, SampleInput,
    extremal, make, method, op_db, resolve, transposed,
)

_DIMS = [((4, 5), (), {}), ((4, 5), (1,), {}), ((2, 3, 4), ((0, 2),), {"keepdim": True}),
         ((4, 5), (), {"dim": -1}), ((), (), {}), ((0, 3), (1,), {}), ((3, 0), (), {})]
_NONEMPTY_DIMS = [((4, 5), (), {}), ((4, 5), (1,), {}), ((2, 3, 4), (-1, True), {}),
                  ((), (), {}), ((0, 3), (1,), {})]
_ONE_DIM = [((4, 5), (1,), {}), ((2, 3, 4), (0,), {"keepdim": True}), ((4, 5), (), {}),
            ((), (), {}), ((2, 3), (), {"dim": -1, "keepdim": True})]
_SCAN = [((4, 5), (1,), {}), ((2, 3, 4), (-1,), {}), ((), (0,), {}), ((0, 3), (0,), {})]
_VARIANCE = [((4, 5), (), {}), ((4, 5), (1,), {}), ((2, 3, 4), ((0, 2),), {"keepdim": True}),
             ((4, 5), (1,), {"correction": 0}), ((4, 5), (), {"dim": 0, "unbiased": False}),
             ((1, 5), (0,), {}), ((4, 5), (None,), {"correction": 2})]


def reduction_samples(cases, low=None, high=None, extremes=True):
    """Samples from (shape, args, kwargs) cases plus transposed and inf/nan inputs."""

    def samples(dtype, requires_grad):
        for shape, args, kwargs in cases:
            x = make(shape, dtype, low=low, high=high, requires_grad=requires_grad)
            yield SampleInput((x,) + tuple(args), dict(kwargs), f"{list(shape)} {args} {kwargs}")
        shape, args, kwargs = cases[1]
        yield SampleInput((transposed((5, 4), dtype, low=low, high=high),) + tuple(args),
                          dict(kwargs), "transposed")
        if extremes:
            yield SampleInput((extremal(dtype),), {}, "inf, nan and extreme values")

    return samples


# (name, cases, dtypes, has Tensor method)
REDUCTIONS = [
    ("sum", _DIMS, ALL_DTYPES, True),
    ("mean", _DIMS, INEXACT_DTYPES, True),
    ("prod", _ONE_DIM, ALL_DTYPES, True),
    ("count_nonzero", [((4, 5), (), {}), ((4, 5), (1,), {}), ((2, 3, 4), ((0, 2),), {}),
                       ((), (), {}), ((0, 3), (0,), {})], ALL_DTYPES, True),
    ("amax", _NONEMPTY_DIMS, REAL_DTYPES, True),
    ("amin", _NONEMPTY_DIMS, REAL_DTYPES, True),
    ("argmax", _ONE_DIM, NUMERIC_DTYPES, True),
    ("argmin", _ONE_DIM, NUMERIC_DTYPES, True),
    ("max", _ONE_DIM, REAL_DTYPES, True),
    ("min", _ONE_DIM, REAL_DTYPES, True),
    ("aminmax", [((4, 5), (), {}), ((4, 5), (), {"dim": 1}), ((2, 3), (), {"dim": 0,
                                                                       "keepdim": True})],
     REAL_DTYPES, True),
    ("var", _VARIANCE, INEXACT_DTYPES, True),
    ("std", _VARIANCE, INEXACT_DTYPES, True),
    ("var_mean", _VARIANCE, INEXACT_DTYPES, False),
    ("std_mean", _VARIANCE, INEXACT_DTYPES, False),
    ("any", _ONE_DIM, ALL_DTYPES, True),
    ("all", _ONE_DIM, ALL_DTYPES, True),
    ("norm", [((4, 5), (), {}), ((4, 5), (1,), {}), ((4, 5), (1, 1), {}),
              ((4, 5), (), {"p": float("inf"), "dim": 0}), ((2, 3, 4), ("fro", (1, 2)), {}),
              ((4, 5), (0.5,), {"dim": 1, "keepdim": True}), ((), (), {})],
     INEXACT_DTYPES, True),
    ("cumsum", _SCAN, ALL_DTYPES, True),
    ("cumprod", _SCAN, ALL_DTYPES, True),
]


def _with_dtype_samples(name):
    """sum/mean/prod/cumsum/cumprod with the ``dtype=`` keyword (accumulate in another dtype)."""

    def samples(dtype, requires_grad):
        x = make((4, 5), dtype)
        dim = 1 if name.startswith("cum") else None
        target = torch.float64 if name == "mean" else torch.int64
        if name == "mean" or dtype.is_floating_point:
            target = torch.float64
        args = (x, dim) if dim is not None else (x,)
        yield SampleInput(args, {"dtype": target}, f"dtype={target}")
        yield SampleInput(args, {"dtype": torch.float32}, "dtype=float32")

    return samples


def _binary_max_samples(dtype, requires_grad):
    a, b = make((4, 5), dtype), make((4, 5), dtype)
    yield SampleInput((a, b), {}, "elementwise maximum of two tensors")
    yield SampleInput((make((4, 1), dtype), make((5,), dtype)), {}, "broadcasting")


def _error_empty():
    yield SampleInput((torch.ones(0, 3),), {}, "no identity for an empty reduction")


def _records():
    for name, cases, dtypes, has_method in REDUCTIONS:
        samples = reduction_samples(cases)
        errors = _error_empty if name in ("amax", "max", "argmax") else None
        op_db.append(OpInfo(f"torch.{name}", resolve(f"torch.{name}"), samples, dtypes,
                            error_inputs=errors))
        if has_method:
            op_db.append(OpInfo(f"Tensor.{name}", method(name), samples, dtypes,
                                covers=(getattr(torch.Tensor, name),)))
    for name in ("sum", "mean", "prod", "cumsum", "cumprod"):
        op_db.append(OpInfo(f"torch.{name}(dtype)", resolve(f"torch.{name}"),
                            _with_dtype_samples(name), NUMERIC_DTYPES,
                            covers=(resolve(f"torch.{name}"),)))
    for name in ("max", "min"):
        op_db.append(OpInfo(f"torch.{name}(other)", resolve(f"torch.{name}"),
                            _binary_max_samples, REAL_DTYPES, covers=(resolve(f"torch.{name}"),)))


_records()
