"""The operator database: one ``OpInfo`` record per torch callable Thunder supports.

Each family module (``elementwise.py``, ``shape.py``, ...) appends records to ``op_db``. A record
names the torch callable, generates sample inputs for a dtype, lists the dtypes torch supports
for it on CPU, and says whether it is differentiable. ``thunder/tests/test_ops.py`` runs every
sample through ``thunder.jit`` and compares with eager torch.

    OpInfo("torch.add", torch.add, sample_inputs=elementwise_binary_samples,
           dtypes=ALL_DTYPES)
"""

from dataclasses import dataclass, field

import torch

FLOAT_DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16)
INT_DTYPES = (torch.int32, torch.int64)
ALL_DTYPES = FLOAT_DTYPES + INT_DTYPES + (torch.bool, torch.complex64)
NUMERIC_DTYPES = FLOAT_DTYPES + INT_DTYPES


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

    def __post_init__(self):
        if not self.covers:
            self.covers = (self.op,)


op_db: list[OpInfo] = []


def make(shape, dtype, *, low=None, high=None, requires_grad=False, noncontiguous=False):
    """A random tensor (``torch.testing.make_tensor`` on the CPU)."""
    return torch.testing.make_tensor(shape, dtype=dtype, device="cpu", low=low, high=high,
                                     requires_grad=requires_grad and (dtype.is_floating_point or
                                                                      dtype.is_complex),
                                     noncontiguous=noncontiguous)
