"""Records for the matmul family: matmul/@, mm, bmm, mv, dot, outer, linear, addmm-style, einsum.

(Matrix decompositions such as ``torch.linalg.svd`` live in ``linalg_decompositions.py``.)
CPU matmuls support float, int and complex dtypes but not bool; float16 matmuls accumulate
differently under different decompositions, so low-precision tolerances are looser.
"""

import operator

import torch

from thunder.tests.opinfos import (
    FLOAT_DTYPES, INT_DTYPES, OpInfo, SampleInput, make, method, op_db, transposed,
)

MATMUL_DTYPES = FLOAT_DTYPES + INT_DTYPES + (torch.complex64,)
LOW_PRECISION_TOLERANCES = {torch.float16: (1e-2, 1e-2), torch.bfloat16: (5e-2, 5e-2)}


def shapes_samples(cases):
    """Samples from lists of operand shapes (plus kwargs); the second case's operands are
    transposed in memory."""

    def samples(dtype, requires_grad):
        for i, (shapes, kwargs) in enumerate(cases):
            maker = transposed if i == 1 else make
            operands = tuple(maker(s, dtype) if len(s) >= 2 else make(s, dtype) for s in shapes)
            yield SampleInput(operands, dict(kwargs), f"{shapes} {kwargs}")

    return samples


MATMUL_CASES = [
    ([(3, 4), (4, 5)], {}), ([(3, 4), (4, 5)], {}), ([(4,), (4,)], {}), ([(4,), (4, 2)], {}),
    ([(3, 4), (4,)], {}), ([(2, 3, 4), (4, 5)], {}), ([(2, 1, 3, 4), (5, 4, 2)], {}),
    ([(0, 4), (4, 3)], {}), ([(3, 0), (0, 2)], {}),
]
CASES = {
    "mm": [([(3, 4), (4, 5)], {}), ([(3, 4), (4, 5)], {}), ([(0, 2), (2, 3)], {})],
    "bmm": [([(2, 3, 4), (2, 4, 5)], {}), ([(2, 3, 4), (2, 4, 5)], {})],
    "mv": [([(3, 4), (4,)], {}), ([(3, 4), (4,)], {})],
    "dot": [([(4,), (4,)], {}), ([(4,), (4,)], {}), ([(0,), (0,)], {})],
    "outer": [([(3,), (4,)], {}), ([(3,), (4,)], {}), ([(0,), (2,)], {})],
    "ger": [([(3,), (4,)], {})],
    "addmm": [([(3, 5), (3, 4), (4, 5)], {}), ([(5,), (3, 4), (4, 5)], {}),
              ([(3, 5), (3, 4), (4, 5)], {"beta": 2, "alpha": 3}),
              ([(1, 5), (3, 4), (4, 5)], {"beta": 0})],
    "baddbmm": [([(2, 3, 5), (2, 3, 4), (2, 4, 5)], {}), ([(3, 5), (2, 3, 4), (2, 4, 5)], {}),
                ([(2, 3, 5), (2, 3, 4), (2, 4, 5)], {"beta": 0, "alpha": 2})],
    "addmv": [([(3,), (3, 4), (4,)], {}), ([(3,), (3, 4), (4,)], {"beta": 2, "alpha": -1}),
              ([(1,), (3, 4), (4,)], {})],
}


def _error_matmul():
    yield SampleInput((torch.ones(3, 4), torch.ones(3, 4)), {}, "inner sizes differ")
    yield SampleInput((torch.ones(3, 4), torch.ones(4, 2, dtype=torch.float64)), {},
                      "mixed dtypes")


def _linear_samples(dtype, requires_grad):
    yield SampleInput((make((3, 4), dtype), make((5, 4), dtype), make((5,), dtype)), {},
                      "with bias")
    yield SampleInput((make((2, 3, 4), dtype), make((5, 4), dtype)), {}, "3-d input, no bias")
    yield SampleInput((make((4,), dtype), make((5, 4), dtype)), {"bias": None}, "1-d input")
    yield SampleInput((transposed((3, 4), dtype), transposed((5, 4), dtype), make((), dtype)),
                      {}, "transposed operands, 0-d bias")


def _tensordot_samples(dtype, requires_grad):
    yield SampleInput((make((3, 4, 5), dtype), make((4, 5, 2), dtype)), {}, "default dims=2")
    yield SampleInput((make((3, 4), dtype), make((4, 2), dtype)), {"dims": 1}, "dims=1")
    yield SampleInput((make((3, 4, 5), dtype), make((5, 3, 2), dtype)), {"dims": ([0, 2], [1, 0])},
                      "dim lists")
    yield SampleInput((make((3,), dtype), make((2,), dtype)), {"dims": 0}, "outer product")


EINSUM_CASES = [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ii->i", [(3, 3)]), ("ij->", [(3, 4)]), ("i,j->ij", [(3,), (4,)]),
    ("...ij,...jk", [(2, 3, 4), (4, 2)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]), ("ji", [(3, 4)]),
]


def _einsum_samples(dtype, requires_grad):
    for equation, shapes in EINSUM_CASES:
        yield SampleInput((equation,) + tuple(make(s, dtype) for s in shapes), {}, equation)
    yield SampleInput(("ij,jk->ik", [make((3, 4), dtype), make((4, 2), dtype)]), {},
                      "operands as a list")


def _rmatmul(a, b):
    return a.__rmatmul__(b)


def _records():
    tol = LOW_PRECISION_TOLERANCES
    matmul_samples = shapes_samples(MATMUL_CASES)
    op_db.append(OpInfo("torch.matmul", torch.matmul, matmul_samples, MATMUL_DTYPES,
                        tolerances=tol, error_inputs=_error_matmul))
    op_db.append(OpInfo("Tensor.matmul", method("matmul"), matmul_samples, MATMUL_DTYPES,
                        tolerances=tol, covers=(torch.Tensor.matmul,)))
    op_db.append(OpInfo("Tensor.__matmul__", operator.matmul, matmul_samples, MATMUL_DTYPES,
                        tolerances=tol, covers=(torch.Tensor.__matmul__,)))
    op_db.append(OpInfo("Tensor.__rmatmul__", _rmatmul, matmul_samples, MATMUL_DTYPES,
                        tolerances=tol, covers=(torch.Tensor.__rmatmul__,)))
    for name, cases in CASES.items():
        samples = shapes_samples(cases)
        errors = _error_matmul if name == "mm" else None
        op_db.append(OpInfo(f"torch.{name}", getattr(torch, name), samples, MATMUL_DTYPES,
                            tolerances=tol, error_inputs=errors))
        op_db.append(OpInfo(f"Tensor.{name}", method(name), samples, MATMUL_DTYPES,
                            tolerances=tol, covers=(getattr(torch.Tensor, name),)))
    op_db.append(OpInfo("F.linear", torch.nn.functional.linear, _linear_samples, MATMUL_DTYPES,
                        tolerances=tol))
    op_db.append(OpInfo("torch.tensordot", torch.tensordot, _tensordot_samples, MATMUL_DTYPES,
                        tolerances=tol))
    op_db.append(OpInfo("torch.einsum", torch.einsum, _einsum_samples, MATMUL_DTYPES,
                        tolerances=tol))


_records()
