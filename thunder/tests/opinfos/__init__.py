"""The operator database: one ``OpInfo`` record per torch callable Thunder supports.

Each family module (``elementwise.py``, ``shape.py``, ...) appends records to ``op_db``. A record
names the torch callable, generates sample inputs for a dtype, lists the dtypes torch supports
for it on CPU, and says whether it is differentiable. ``thunder/tests/test_ops.py`` runs every
sample through ``thunder.jit`` and compares with eager torch; ``thunder/coverage.py`` counts the
callables the records cover. ``load_op_db()`` imports every family module of this package, so a
new family file needs no registration.

    OpInfo("torch.add", torch.add, sample_inputs=elementwise_binary_samples,
           dtypes=ALL_DTYPES)

Record names are the dotted names a user writes: ``torch.add``, ``F.relu`` (for
``torch.nn.functional``), ``torch.special.erf``, ``Tensor.add`` (a method, called as
``x.add(...)``), ``Tensor.__radd__`` (an operator, called as ``2 + x``), ``aten.lift``.
"""

import importlib
import math
import pkgutil
from dataclasses import dataclass, field

import torch

FLOAT_DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16)
INT_DTYPES = (torch.int32, torch.int64)
ALL_DTYPES = FLOAT_DTYPES + INT_DTYPES + (torch.bool, torch.complex64)
NUMERIC_DTYPES = FLOAT_DTYPES + INT_DTYPES
# float and complex: what most math functions accept
INEXACT_DTYPES = FLOAT_DTYPES + (torch.complex64,)
# everything but complex: what comparisons, min/max and rounding accept
REAL_DTYPES = NUMERIC_DTYPES + (torch.bool,)
# integer and bool: what bitwise ops accept
INTEGRAL_DTYPES = INT_DTYPES + (torch.bool,)
NONBOOL_DTYPES = NUMERIC_DTYPES + (torch.complex64,)


@dataclass
class SampleInput:
    """Arguments for one call of the op; ``name`` says what the sample exercises."""

    args: tuple
    kwargs: dict = field(default_factory=dict)
    name: str = ""


@dataclass
class OpInfo:
    """One torch callable with everything the generic tests need to check it."""

    name: str  # unique, e.g. "torch.add", "Tensor.add", "F.softmax", "aten.lift"
    op: object  # called as op(*sample.args, **sample.kwargs), in eager and under thunder.jit
    sample_inputs: object  # callable(dtype, requires_grad) -> iterable of SampleInput
    dtypes: tuple = FLOAT_DTYPES
    supports_grad: bool = True
    # dtype -> (atol, rtol); missing dtypes use torch.testing's defaults
    tolerances: dict = field(default_factory=dict)
    # the torch callables this record covers for the coverage report (defaults to (op,))
    covers: tuple = ()
    # compare only shapes and dtypes (random ops, ops with undefined output order)
    metadata_only: bool = False
    # compare values in the forward test but only metadata in the decomposition test (random
    # ops whose prim decomposition draws numbers differently)
    decomposition_metadata_only: bool = False
    # callable() -> iterable of SampleInput that eager torch rejects; thunder must raise alike
    error_inputs: object = None
    # dtype -> reason: known Thunder bugs, run as strict xfails (the sweep shows when fixed)
    xfails: dict = field(default_factory=dict)
    # dtype -> reason: known bugs of the prim decomposition only (executors=["torch_prims"])
    decomposition_xfails: dict = field(default_factory=dict)

    def __post_init__(self):
        if not self.covers:
            self.covers = (self.op,)


op_db: list[OpInfo] = []


def load_op_db() -> list[OpInfo]:
    """Import every family module of this package and return the complete ``op_db``.

    >>> len(load_op_db()) > 400
    True
    """
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return op_db


def make(shape, dtype, *, low=None, high=None, requires_grad=False, noncontiguous=False):
    """A random tensor (``torch.testing.make_tensor`` on the CPU)."""
    return torch.testing.make_tensor(shape, dtype=dtype, device="cpu", low=low, high=high,
                                     requires_grad=requires_grad and (dtype.is_floating_point or
                                                                      dtype.is_complex),
                                     noncontiguous=noncontiguous)


def transposed(shape, dtype, **kwargs):
    """A random tensor of ``shape`` whose last two dims are stored transposed (not contiguous)."""
    return make(shape[:-2] + (shape[-1], shape[-2]), dtype, **kwargs).transpose(-2, -1)


def extremal(dtype):
    """A 1-d tensor of infinities, nan, signed zeros and 1e4-magnitude values in ``dtype``.

    Integer and bool dtypes get their extreme representable values instead.
    """
    if dtype.is_floating_point or dtype.is_complex:
        values = [math.inf, -math.inf, math.nan, 1e4, -1e4, 0.0, -0.0, 0.5]
        return torch.tensor(values, dtype=dtype)
    if dtype == torch.bool:
        return torch.tensor([True, False, True], dtype=dtype)
    info = torch.iinfo(dtype)
    return torch.tensor([info.min, info.max, 0, -1, 1], dtype=dtype)


def scalar_for(dtype):
    """A Python scalar of the kind that matches ``dtype`` (bool, int, float or complex)."""
    if dtype == torch.bool:
        return True
    if dtype.is_complex:
        return complex(1.5, -0.5)
    if dtype.is_floating_point:
        return 2.5
    return 3


def method(name):
    """A function calling Tensor method ``name`` on its first argument: ``x.name(...)``.

    >>> method("add")(torch.ones(2), 1)
    tensor([2., 2.])
    """

    def call(self, *args, **kwargs):
        return getattr(self, name)(*args, **kwargs)

    call.__name__ = f"Tensor_{name}"
    return call


def xfail_all(dtypes, reason):
    """An ``OpInfo.xfails`` dict marking every one of ``dtypes`` with the same reason."""
    return {dtype: reason for dtype in dtypes}


def resolve(dotted):
    """The torch callable a record name denotes: ``"F.relu"`` -> ``torch.nn.functional.relu``."""
    if dotted.startswith("F."):
        dotted = "torch.nn.functional." + dotted[2:]
    if dotted.startswith("Tensor."):
        dotted = "torch." + dotted
    obj = torch
    for part in dotted.split(".")[1:]:
        obj = getattr(obj, part)
    return obj
