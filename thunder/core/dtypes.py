"""Dtype helpers over ``torch.dtype``: short printable names, categories and type promotion.

Proxies carry real ``torch.dtype`` objects; this module only adds the queries the meta
functions need. Promotion follows torch's rules: tensors with dimensions outrank zero-dim
tensors, which outrank Python scalars, and a lower-ranked operand only matters when its
category (bool < integer < float < complex) is higher.
"""

import torch

_SHORT_NAMES = {
    torch.bool: "b8",
    torch.uint8: "u8",
    torch.int8: "i8",
    torch.int16: "i16",
    torch.int32: "i32",
    torch.int64: "i64",
    torch.float16: "f16",
    torch.bfloat16: "bf16",
    torch.float32: "f32",
    torch.float64: "f64",
    torch.complex32: "c32",
    torch.complex64: "c64",
    torch.complex128: "c128",
}

BOOL, INT, FLOAT, COMPLEX = 0, 1, 2, 3


def short_name(dtype: torch.dtype) -> str:
    """Return the short name printed in trace comments.

    >>> short_name(torch.float32)
    'f32'
    """
    return _SHORT_NAMES.get(dtype, str(dtype).removeprefix("torch."))


def category(dtype: torch.dtype) -> int:
    """Return BOOL, INT, FLOAT or COMPLEX for a torch dtype."""
    if dtype is torch.bool:
        return BOOL
    if dtype.is_complex:
        return COMPLEX
    if dtype.is_floating_point:
        return FLOAT
    return INT


def is_float(dtype: torch.dtype) -> bool:
    return dtype.is_floating_point


def is_inexact(dtype: torch.dtype) -> bool:
    """True for floating point and complex dtypes."""
    return dtype.is_floating_point or dtype.is_complex


def is_integer(dtype: torch.dtype) -> bool:
    """True for integer dtypes, bool excluded."""
    return category(dtype) == INT


def scalar_category(value) -> int:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return FLOAT
    if isinstance(value, complex):
        return COMPLEX
    raise TypeError(f"not a Python number: {value!r}")


def default_dtype_for_category(cat: int) -> torch.dtype:
    """The dtype torch gives a Python scalar of this category when nothing else decides."""
    if cat == BOOL:
        return torch.bool
    if cat == INT:
        return torch.int64
    default = torch.get_default_dtype()
    if cat == FLOAT:
        return default
    return torch.complex128 if default is torch.float64 else torch.complex64


def complex_to_real(dtype: torch.dtype) -> torch.dtype:
    """The real dtype of a complex one (``complex64 -> float32``); other dtypes unchanged."""
    return {torch.complex32: torch.float16, torch.complex64: torch.float32,
            torch.complex128: torch.float64}.get(dtype, dtype)


def real_to_complex(dtype: torch.dtype) -> torch.dtype:
    """The complex dtype of a real floating one (``float32 -> complex64``)."""
    return {torch.float16: torch.complex32, torch.float32: torch.complex64,
            torch.float64: torch.complex128, torch.bfloat16: torch.complex64}.get(dtype, dtype)


def result_type(*operands) -> torch.dtype:
    """torch.result_type over tensor proxies (objects with ``.dtype`` and ``.ndim``) and scalars.

    >>> result_type(1.5, 2)
    torch.float32
    """
    best = [None, None, None]  # per priority: dimensioned tensors, zero-dim tensors, scalars
    for op in operands:
        if op is None:
            continue
        if hasattr(op, "dtype") and hasattr(op, "ndim"):
            slot = 0 if op.ndim > 0 else 1
            dtype = op.dtype
        else:
            slot = 2
            dtype = None
            cat = scalar_category(op)
            cur = best[2]
            if cur is None or cat > cur:
                best[2] = cat
            continue
        cur = best[slot]
        best[slot] = dtype if cur is None else torch.promote_types(cur, dtype)
    result = best[0]
    for lower in (best[1],):
        if lower is None:
            continue
        if result is None:
            result = lower
        elif category(lower) > category(result):
            result = torch.promote_types(result, lower)
    if best[2] is not None:
        if result is None:
            result = default_dtype_for_category(best[2])
        elif best[2] > category(result):
            scalar_dtype = default_dtype_for_category(best[2])
            if best[2] == COMPLEX and category(result) == FLOAT:
                scalar_dtype = real_to_complex(result)
            result = torch.promote_types(result, scalar_dtype)
    if result is None:
        raise TypeError("result_type needs at least one operand")
    return result
