"""The nvFuser fusion executor (``"nvfuser"``): regions of CUDA primitives become nvFuser fusions.

nvFuser is optional. This module imports without it and without CUDA: the executor object
``ex`` always exists (so its rules can be inspected and tested anywhere), but it claims nothing
unless nvFuser imports, it is registered (``thunder.get_executor("nvfuser")``) only then, and
``default_executors()`` lists it only where nvFuser imports and CUDA is available. Both Python
front ends of nvFuser are accepted: ``nvfuser`` (the packages built for torch 2.9 and older
ship it) and ``nvfuser_direct`` (the only one in newer packages); their
``FusionDefinition``/``fd.ops`` interfaces agree on everything used here.

NOTE [nvFuser translation]
Each concern has one registry keyed by prim id (``PrimIDs``): ``translators[prim_id]`` is a
function ``(fd, bsym, lookup) -> nvFuser value`` that adds the prim to the FusionDefinition
``fd`` (``lookup(arg)`` gives the nvFuser value of a proxy, or defines a Python number as an
nvFuser scalar constant; ``lookup.cast(value, dtype)`` casts), and ``checkers[prim_id]`` says
which calls of the prim the translation supports (dtypes, scalar operands, arguments).

``can_fuse`` accepts a prim with a translation whose checker accepts the call, and also a
torch-level symbol (``ltorch.softmax``, ``ltorch.add`` with its broadcasts) whose whole
decomposition is made of such prims: the executor list offers the torch-level symbol first, and
if nvFuser declined it the torch executor would claim it whole, so nvFuser would never see its
prims. A composite is translated by translating its subsymbols in order. Every tensor involved
must be a CUDA tensor of a supported dtype (float32, float16, bfloat16, float64, int32, int64,
bool) with at least one element; complex dtypes, random prims, effectful symbols and symbols
without a translation are declined, so the torch executor (or the next executor) runs them.

Results keep eager's dtypes: a prim's result is cast to its proxy's dtype whenever nvFuser's
type promotion could choose another one (a Python number among the operands, float16/bfloat16
results, reductions, bitwise ops, ``where``). Where eager's semantics and nvFuser's may differ
the prim is declined rather than approximated (integer division, ``remainder``, ``round``,
ordering comparisons of bools, transcendental functions of integers).

NOTE [nvFuser fusion cache]
A region's callable (``NvFuserRegion``) holds a dict from *input signature* (each input's shape,
strides, dtype and device) to the FusionDefinition built for it. The trace fixes shapes and
dtypes, but not strides: a transposed or expanded input gets its own definition, because the
definition is built from the actual sizes and strides (``define_tensor(sizes=..., strides=...,
static_sizes=True)``; nvFuser derives contiguity and stride order from them). A call computes
the signature (a tuple of a few attributes per input), finds the definition and calls
``fd.execute``; the first call with a new signature builds and runs it. nvFuser keeps its own
cache of compiled kernels under each definition.

On that first run the outputs are checked against the region's output proxies (shape, dtype,
no storage shared with an input). A definition nvFuser cannot build or run, or whose outputs
differ, is replaced for that signature by the region's torch body (the code the torch executor
would run), with a warning naming the region and the error: fusion never costs correctness.
``ex.fusions_built`` counts the definitions built.

>>> from thunder.core.prims import PrimIDs
>>> from thunder.executors.nvfuserex import translators
>>> PrimIDs.ADD in translators and PrimIDs.UNIFORM not in translators
True
"""

import importlib
import math
import warnings

import torch

from thunder.core.prims.ids import PrimIDs
from thunder.core.proxies import Proxy, TensorProxy
from thunder.core.symbol import BoundSymbol
from thunder.executors.extend import register_executor
from thunder.executors.fusion import FusionExecutor, Region, region_trace
from thunder.executors.torchex import ex as torch_executor
from thunder.transforms.dce import is_effectful


def _import_nvfuser():
    """nvFuser's Python front end (legacy ``nvfuser`` first, then ``nvfuser_direct``), or None."""
    for name in ("nvfuser", "nvfuser_direct"):
        try:
            module = importlib.import_module(name)
        except Exception:  # not installed, or built for another torch or CUDA
            continue
        if hasattr(module, "FusionDefinition") and hasattr(module, "DataType"):
            return module
    return None


nvfuser = _import_nvfuser()

# torch dtype -> name of the nvFuser DataType member
NV_DTYPE_NAMES = {
    torch.float32: "Float",
    torch.float16: "Half",
    torch.bfloat16: "BFloat16",
    torch.float64: "Double",
    torch.int32: "Int32",
    torch.int64: "Int",
    torch.bool: "Bool",
}
FLOATS = frozenset({torch.float32, torch.float16, torch.bfloat16, torch.float64})
INTS = frozenset({torch.int32, torch.int64})
BOOLS = frozenset({torch.bool})
NUMBERS = FLOATS | INTS
ALL = FLOATS | INTS | BOOLS
REDUCED_FLOATS = frozenset({torch.float16, torch.bfloat16})


class NvFuserTranslationError(RuntimeError):
    """A region could not be expressed as a FusionDefinition (its torch body runs instead)."""


# NOTE [nvFuser translation]: one registry per concern, keyed by prim id.
translators: dict = {}  # PrimIDs -> (fd, bsym, lookup) -> nvFuser value
checkers: dict = {}  # PrimIDs -> (bsym) -> bool


def def_translation(prim_id: PrimIDs, translator, *, checker) -> None:
    """Translate ``prim_id`` with ``translator`` for the calls ``checker`` accepts."""
    translators[prim_id] = translator
    checkers[prim_id] = checker


class Lookup:
    """The nvFuser values of a region's proxies while it is translated, and constants.

    ``lookup(proxy)`` is the proxy's value; ``lookup(number, like=dtype)`` defines the Python
    number as a scalar constant for an operation on tensors of ``dtype``.
    """

    def __init__(self, fd, backend):
        self.fd = fd
        self.backend = backend
        self.values: dict[str, object] = {}

    def __call__(self, x, like=None):
        if isinstance(x, Proxy):
            try:
                return self.values[x.name]
            except KeyError:
                raise NvFuserTranslationError(f"{x.name} has no nvFuser value") from None
        return self.scalar(x, like)

    def scalar(self, x, like=None):
        if like in FLOATS or (like is None and isinstance(x, float)):
            return self.fd.define_scalar(float(x), self.dtype(torch.float64))
        if like in BOOLS or (like is None and isinstance(x, bool)):
            return self.fd.define_scalar(bool(x), self.dtype(torch.bool))
        return self.fd.define_scalar(int(x), self.dtype(torch.int64))

    def dtype(self, dtype: torch.dtype):
        return getattr(self.backend.DataType, NV_DTYPE_NAMES[dtype])

    def cast(self, value, dtype: torch.dtype):
        return self.fd.ops.cast(value, self.dtype(dtype))


# Checks shared by the checkers


def _is_number(x) -> bool:
    return isinstance(x, (bool, int, float))


def _scalar_fits(x, dtype) -> bool:
    """A Python number that does not change the result dtype of an op on ``dtype`` tensors."""
    if isinstance(x, bool):
        return True
    if isinstance(x, int):
        return dtype in NUMBERS
    if isinstance(x, float):
        return dtype in FLOATS
    return False


def _elementwise_checker(dtypes, *, numbers: bool = True):
    """Calls on tensors of one dtype in ``dtypes`` (and, if ``numbers``, Python numbers that
    keep that dtype)."""

    def check(bsym: BoundSymbol) -> bool:
        tensors = [a for a in bsym.args if isinstance(a, TensorProxy)]
        if not tensors or bsym.kwargs or (not numbers and len(tensors) != len(bsym.args)):
            return False
        dtype = tensors[0].dtype
        if dtype not in dtypes or any(t.dtype != dtype for t in tensors):
            return False
        return all(isinstance(a, TensorProxy) or _scalar_fits(a, dtype) for a in bsym.args)

    return check


# Elementwise prims


def _elementwise(op_name: str, *, cast_result: bool = False):
    def translate(fd, bsym, lookup):
        like = next(a.dtype for a in bsym.args if isinstance(a, TensorProxy))
        operands = [lookup(a, like=like) for a in bsym.args]
        value = getattr(fd.ops, op_name)(*operands)
        out = bsym.output
        if (cast_result or out.dtype in REDUCED_FLOATS
                or not all(isinstance(a, TensorProxy) for a in bsym.args)):
            value = lookup.cast(value, out.dtype)
        return value

    translate.__name__ = f"translate_{op_name}"
    return translate


def def_elementwise(prim_id: PrimIDs, op_name: str, dtypes, *, cast_result=False,
                    numbers=True) -> None:
    """``prim_id`` is ``fd.ops.<op_name>`` on tensors of one dtype in ``dtypes`` (and Python
    numbers, unless ``numbers`` is false: eager's function rejects them)."""
    def_translation(prim_id, _elementwise(op_name, cast_result=cast_result),
                    checker=_elementwise_checker(dtypes, numbers=numbers))


# functions of floating-point values only (nvFuser would promote integers to float)
for _prim_id, _op_name in (
    (PrimIDs.EXP, "exp"), (PrimIDs.EXP2, "exp2"), (PrimIDs.EXPM1, "expm1"),
    (PrimIDs.LOG, "log"), (PrimIDs.LOG1P, "log1p"), (PrimIDs.LOG2, "log2"),
    (PrimIDs.LOG10, "log10"), (PrimIDs.SQRT, "sqrt"), (PrimIDs.RSQRT, "rsqrt"),
    (PrimIDs.RECIPROCAL, "reciprocal"), (PrimIDs.SIN, "sin"), (PrimIDs.COS, "cos"),
    (PrimIDs.TAN, "tan"), (PrimIDs.ASIN, "asin"), (PrimIDs.ACOS, "acos"),
    (PrimIDs.ATAN, "atan"), (PrimIDs.SINH, "sinh"), (PrimIDs.COSH, "cosh"),
    (PrimIDs.TANH, "tanh"), (PrimIDs.ASINH, "asinh"), (PrimIDs.ACOSH, "acosh"),
    (PrimIDs.ATANH, "atanh"), (PrimIDs.ERF, "erf"), (PrimIDs.ERFC, "erfc"),
    (PrimIDs.ERFINV, "erfinv"), (PrimIDs.LGAMMA, "lgamma"), (PrimIDs.SIGMOID, "sigmoid"),
    (PrimIDs.FLOOR, "floor"), (PrimIDs.CEIL, "ceil"), (PrimIDs.TRUNC, "trunc"),
    (PrimIDs.DIV, "div"), (PrimIDs.POW, "pow"), (PrimIDs.ATAN2, "atan2"),
    (PrimIDs.FMOD, "fmod"),
):
    def_elementwise(_prim_id, _op_name, FLOATS)

# arithmetic on floats and integers
for _prim_id, _op_name in (
    (PrimIDs.NEG, "neg"), (PrimIDs.ABS, "abs"), (PrimIDs.SIGN, "sign"),
    (PrimIDs.ADD, "add"), (PrimIDs.SUB, "sub"), (PrimIDs.MUL, "mul"),
    (PrimIDs.MAXIMUM, "maximum"), (PrimIDs.MINIMUM, "minimum"),
    (PrimIDs.LT, "lt"), (PrimIDs.LE, "le"), (PrimIDs.GT, "gt"), (PrimIDs.GE, "ge"),
):
    def_elementwise(_prim_id, _op_name, NUMBERS)

# predicates of floats (they return bool)
for _prim_id, _op_name in ((PrimIDs.ISFINITE, "isfinite"), (PrimIDs.ISNAN, "isnan"),
                           (PrimIDs.ISINF, "isinf"), (PrimIDs.SIGNBIT, "signbit")):
    def_elementwise(_prim_id, _op_name, FLOATS)

def_elementwise(PrimIDs.EQ, "eq", ALL)
def_elementwise(PrimIDs.NE, "ne", ALL)
def_elementwise(PrimIDs.BITWISE_NOT, "bitwise_not", INTS)
for _prim_id, _op_name in ((PrimIDs.BITWISE_AND, "bitwise_and"),
                           (PrimIDs.BITWISE_OR, "bitwise_or"),
                           (PrimIDs.BITWISE_XOR, "bitwise_xor")):
    def_elementwise(_prim_id, _op_name, INTS | BOOLS, cast_result=True)
def_elementwise(PrimIDs.LOGICAL_NOT, "logical_not", BOOLS)
def_elementwise(PrimIDs.LOGICAL_AND, "logical_and", BOOLS, numbers=False)
def_elementwise(PrimIDs.LOGICAL_OR, "logical_or", BOOLS, numbers=False)
def_elementwise(PrimIDs.LOGICAL_XOR, "ne", BOOLS, numbers=False)  # xor of bools is inequality


def _check_where(bsym: BoundSymbol) -> bool:
    if bsym.kwargs or len(bsym.args) != 3:
        return False
    pred, a, b = bsym.args
    out = bsym.output
    if not isinstance(pred, TensorProxy) or pred.dtype != torch.bool:
        return False
    return all(x.dtype in ALL if isinstance(x, TensorProxy) else _scalar_fits(x, out.dtype)
               for x in (a, b))


def _translate_where(fd, bsym, lookup):
    pred, a, b = bsym.args
    dtype = bsym.output.dtype
    branches = []
    for x in (a, b):
        value = lookup(x, like=dtype)
        if isinstance(x, TensorProxy) and x.dtype != dtype:
            value = lookup.cast(value, dtype)
        branches.append(value)
    return lookup.cast(fd.ops.where(lookup(pred), *branches), dtype)


def_translation(PrimIDs.WHERE, _translate_where, checker=_check_where)


def _translate_clamp(fd, bsym, lookup):
    """``clamp(a, lo, hi)`` as ``minimum(maximum(a, lo), hi)``: like torch, ``hi`` wins when
    ``lo > hi`` and NaN propagates."""
    a, lo, hi = bsym.args
    value = fd.ops.minimum(fd.ops.maximum(lookup(a), lookup(lo, like=a.dtype)),
                           lookup(hi, like=a.dtype))
    return lookup.cast(value, bsym.output.dtype)


def _check_clamp(bsym: BoundSymbol) -> bool:
    return (len(bsym.args) == 3 and isinstance(bsym.args[0], TensorProxy)
            and _elementwise_checker(NUMBERS)(bsym))


def_translation(PrimIDs.CLAMP, _translate_clamp, checker=_check_clamp)


# Conversion and creation


def _check_convert_element_type(bsym: BoundSymbol) -> bool:
    if len(bsym.args) != 2 or bsym.kwargs:
        return False
    a, dtype = bsym.args
    return isinstance(a, TensorProxy) and a.dtype in ALL and dtype in ALL


def _translate_convert_element_type(fd, bsym, lookup):
    a, dtype = bsym.args
    return lookup.cast(lookup(a), dtype)


def_translation(PrimIDs.CONVERT_ELEMENT_TYPE, _translate_convert_element_type,
                checker=_check_convert_element_type)


def _check_full(bsym: BoundSymbol) -> bool:
    if len(bsym.args) != 2 or set(bsym.kwargs) != {"device", "dtype"}:
        return False
    shape, fill_value = bsym.args
    dtype = bsym.kwargs["dtype"]
    return dtype in ALL and _is_number(fill_value) and _scalar_fits(fill_value, dtype)


def _translate_full(fd, bsym, lookup):
    shape, fill_value = bsym.args
    dtype = bsym.kwargs["dtype"]
    return fd.ops.full(list(shape), lookup(fill_value, like=dtype), lookup.dtype(dtype))


def_translation(PrimIDs.FULL, _translate_full, checker=_check_full)


# Reductions (over a non-empty tuple of dims, without keepdim)


def _reduction_checker(dtypes, kwargs=frozenset()):
    def check(bsym: BoundSymbol) -> bool:
        if len(bsym.args) != 2 or set(bsym.kwargs) != kwargs:
            return False
        a, dims = bsym.args
        return (isinstance(a, TensorProxy) and a.dtype in dtypes and len(dims) > 0
                and all(isinstance(d, int) for d in dims))

    return check


def _reduction(op_name: str):
    def translate(fd, bsym, lookup):
        a, dims = bsym.args
        value = getattr(fd.ops, op_name)(lookup(a), list(dims))
        return lookup.cast(value, bsym.output.dtype)

    translate.__name__ = f"translate_{op_name}"
    return translate


def_translation(PrimIDs.SUM, _reduction("sum"), checker=_reduction_checker(NUMBERS))
def_translation(PrimIDs.AMAX, _reduction("max"), checker=_reduction_checker(NUMBERS))
def_translation(PrimIDs.AMIN, _reduction("min"), checker=_reduction_checker(NUMBERS))


def _check_var(bsym: BoundSymbol) -> bool:
    correction = bsym.kwargs.get("correction")
    is_integral = isinstance(correction, int) or (
        isinstance(correction, float) and correction.is_integer())
    return (_reduction_checker(FLOATS, {"correction"})(bsym) and is_integral
            and not isinstance(correction, bool))


def _translate_var(fd, bsym, lookup):
    a, dims = bsym.args
    value = fd.ops.var(lookup(a), list(dims), int(bsym.kwargs["correction"]))
    return lookup.cast(value, bsym.output.dtype)


def_translation(PrimIDs.VAR, _translate_var, checker=_check_var)


# Shape prims


def _tensor_first(arity: int):
    """Calls with ``arity`` positional arguments, the first a tensor."""

    def check(bsym: BoundSymbol) -> bool:
        return (len(bsym.args) == arity and isinstance(bsym.args[0], TensorProxy)
                and not bsym.kwargs)

    return check


def _translate_broadcast_in_dim(fd, bsym, lookup):
    a, shape, broadcast_dimensions = bsym.args
    return fd.ops.broadcast_in_dim(lookup(a), list(shape), list(broadcast_dimensions))


def _translate_reshape(fd, bsym, lookup):
    a, shape = bsym.args
    return fd.ops.reshape(lookup(a), list(shape))


def _translate_transpose(fd, bsym, lookup):
    a, permutation = bsym.args
    return fd.ops.permute(lookup(a), list(permutation))


def _translate_squeeze(fd, bsym, lookup):
    a, dims = bsym.args
    return fd.ops.squeeze(lookup(a), list(dims))


def _check_slice(bsym: BoundSymbol) -> bool:
    if not (_tensor_first(3)(bsym) or _tensor_first(4)(bsym)):
        return False
    strides = bsym.args[3] if len(bsym.args) > 3 else None
    return strides is None or all(s >= 1 for s in strides)


def _translate_slice(fd, bsym, lookup):
    a, start, end = bsym.args[:3]
    strides = bsym.args[3] if len(bsym.args) > 3 and bsym.args[3] else (1,) * a.ndim
    return fd.ops.slice(lookup(a), list(start), list(end), list(strides))


def _check_cat(bsym: BoundSymbol) -> bool:
    if len(bsym.args) != 2:
        return False
    tensors, dim = bsym.args
    return (not bsym.kwargs and isinstance(dim, int) and len(tensors) > 0
            and all(isinstance(t, TensorProxy) for t in tensors))


def _translate_cat(fd, bsym, lookup):
    tensors, dim = bsym.args
    return fd.ops.cat([lookup(t) for t in tensors], dim)


def_translation(PrimIDs.BROADCAST_IN_DIM, _translate_broadcast_in_dim,
                checker=_tensor_first(3))
def_translation(PrimIDs.RESHAPE, _translate_reshape, checker=_tensor_first(2))
def_translation(PrimIDs.TRANSPOSE, _translate_transpose, checker=_tensor_first(2))
def_translation(PrimIDs.SQUEEZE, _translate_squeeze, checker=_tensor_first(2))
def_translation(PrimIDs.SLICE, _translate_slice, checker=_check_slice)
def_translation(PrimIDs.CAT, _translate_cat, checker=_check_cat)

# prims that only move or view data: they do not count as work in ``worth_fusing``
SHAPE_PRIMS = frozenset({PrimIDs.BROADCAST_IN_DIM, PrimIDs.RESHAPE, PrimIDs.TRANSPOSE,
                         PrimIDs.SQUEEZE, PrimIDs.SLICE})


# Which bound symbols can be fused


def _tensors_supported(bsym: BoundSymbol, device_types) -> bool:
    for p in (*bsym.flat_proxy_args(), *bsym.flat_proxy_outs()):
        if not isinstance(p, TensorProxy):
            return False
        if p.device.type not in device_types or p.dtype not in ALL:
            return False
        if math.prod(p.shape) == 0:
            return False
    return True


def _forwards_inputs(bsym: BoundSymbol) -> bool:
    """A symbol that recorded nothing and returns its inputs (a no-op ``.to``, ``reshape``)."""
    names = {a.name for a in bsym.flat_proxy_args()}
    return all(o.name in names for o in bsym.flat_proxy_outs())


def is_supported(bsym: BoundSymbol, device_types=("cuda",)) -> bool:
    """Can ``bsym`` be translated (NOTE [nvFuser translation]), with every tensor on one of
    ``device_types``? Composites count when their whole decomposition can."""
    if is_effectful(bsym) or not _tensors_supported(bsym, device_types):
        return False
    prim_id = bsym.sym.id
    if prim_id in translators:
        return isinstance(bsym.output, TensorProxy) and bool(checkers[prim_id](bsym))
    if bsym.sym.is_prim:
        return False
    if not bsym.subsymbols:
        return bool(bsym.flat_proxy_outs()) and _forwards_inputs(bsym)
    return all(is_supported(sub, device_types) for sub in bsym.subsymbols)


def _work(bsym: BoundSymbol) -> int:
    """The prims of ``bsym`` that compute (not shape prims), counted through composites."""
    if bsym.sym.id in translators:
        return 0 if bsym.sym.id in SHAPE_PRIMS else 1
    return sum(_work(sub) for sub in bsym.subsymbols)


# Translation of a region


def translate(fd, bsym: BoundSymbol, lookup: Lookup) -> None:
    """Add ``bsym`` (a prim, or a composite through its subsymbols) to ``fd``."""
    translator = translators.get(bsym.sym.id)
    if translator is not None:
        lookup.values[bsym.output.name] = translator(fd, bsym, lookup)
        return
    for sub in bsym.subsymbols:
        translate(fd, sub, lookup)
    for out in bsym.flat_proxy_outs():
        if out.name not in lookup.values:
            raise NvFuserTranslationError(f"{bsym.sym.print_name} did not define {out.name}")


def define_fusion(backend, region: Region, args) -> tuple:
    """The FusionDefinition of ``region`` for input tensors like ``args`` (NOTE [nvFuser fusion
    cache]), and for each region output the index of its value in ``fd.execute``'s results."""
    with backend.FusionDefinition() as fd:
        lookup = Lookup(fd, backend)
        inputs = set()
        for proxy, tensor in zip(region.inputs, args):
            value = fd.define_tensor(sizes=list(tensor.shape), strides=list(tensor.stride()),
                                     dtype=lookup.dtype(tensor.dtype), static_sizes=True)
            lookup.values[proxy.name] = value
            inputs.add(id(value))
        for bsym in region.bound_symbols:
            translate(fd, bsym, lookup)
        positions, added = [], {}
        for out in region.outputs:
            value = lookup(out)
            if id(value) in inputs:
                raise NvFuserTranslationError(f"{out.name} would alias a region input")
            if id(value) not in added:
                added[id(value)] = len(added)
                fd.add_output(value)
            positions.append(added[id(value)])
    return fd, positions


_FALLBACK = object()  # a signature whose calls run the torch body


class NvFuserRegion:
    """A region's callable: the FusionDefinition for each input signature (NOTE [nvFuser fusion
    cache]), built at the first call with that signature."""

    def __init__(self, executor: "NvFuserExecutor", region: Region, body):
        self.executor = executor
        self.region = region
        self.body = body
        self.fusions: dict = {}  # signature -> (FusionDefinition, output positions) or _FALLBACK
        self.device = region.outputs[0].device if region.outputs else None
        self.__name__ = region.name

    def __call__(self, *args):
        key = tuple((a.shape, a.stride(), a.dtype, a.device) for a in args)
        fusion = self.fusions.get(key)
        if fusion is None:
            return self._first_call(key, args)
        if fusion is _FALLBACK:
            return self.body(*args)
        fd, positions = fusion
        results = self._execute(fd, args)
        return tuple(results[i] for i in positions)

    def _execute(self, fd, args):
        if args:
            return fd.execute(list(args))
        return fd.execute([], device=self.device)  # nothing to infer the device from

    def _first_call(self, key, args):
        try:
            fd, positions = define_fusion(self.executor.backend, self.region, args)
            self.executor.fusions_built += 1
            results = self._execute(fd, args)
            outputs = tuple(results[i] for i in positions)
            self._check_outputs(outputs, args)
        except Exception as error:  # nvFuser cannot run it: keep the torch body
            warnings.warn(f"thunder: nvFuser could not run fusion region {self.region.name} "
                          f"({type(error).__name__}: {error}); it runs unfused for inputs "
                          f"like these", stacklevel=3)
            self.fusions[key] = _FALLBACK
            return self.body(*args)
        self.fusions[key] = (fd, positions)
        return outputs

    def _check_outputs(self, outputs, args) -> None:
        storages = {a.untyped_storage().data_ptr() for a in args}
        for proxy, out in zip(self.region.outputs, outputs):
            if tuple(out.shape) != proxy.shape or out.dtype != proxy.dtype:
                raise NvFuserTranslationError(
                    f"{proxy.name} came out as {out.dtype} {tuple(out.shape)}, expected "
                    f"{proxy.dtype} {proxy.shape}")
            if out.untyped_storage().data_ptr() in storages:
                raise NvFuserTranslationError(f"{proxy.name} shares memory with an input")

    def __repr__(self):
        built = sum(1 for f in self.fusions.values() if f is not _FALLBACK)
        return (f"<nvFuser region {self.region.name}: {len(self.region.bound_symbols)} symbols, "
                f"{built} fusion definitions, {len(self.fusions) - built} signatures unfused>")


class NvFuserExecutor(FusionExecutor):
    """Fuses regions of CUDA prims with nvFuser.

    ``backend`` is nvFuser's Python module (``nvfuser`` or ``nvfuser_direct``; by default the
    one that imports, and without one the executor claims nothing); ``device_types`` lists the
    tensor devices it accepts. A region is fused when it has at least ``min_symbols`` prims
    that compute (shape prims do not count).
    """

    def __init__(self, name: str = "nvfuser", *, backend=None, device_types=("cuda",),
                 min_symbols: int = 2):
        super().__init__(name)
        self.backend = nvfuser if backend is None else backend
        self.device_types = tuple(device_types)
        self.min_symbols = min_symbols
        self.fusions_built = 0

    def can_fuse(self, bsym: BoundSymbol) -> bool:
        if self.backend is None or not bsym.flat_proxy_outs() or _forwards_inputs(bsym):
            return False
        return is_supported(bsym, self.device_types)

    def worth_fusing(self, bsyms: list) -> bool:
        return sum(_work(b) for b in bsyms) >= self.min_symbols

    def compile_region(self, region: Region):
        trace = region_trace(region.name, region.bound_symbols, region.inputs, region.outputs,
                             torch_executor.claim)
        region.trace = trace
        return NvFuserRegion(self, region, trace.python_callable())


def available() -> bool:
    """nvFuser imports and CUDA is available."""
    return nvfuser is not None and torch.cuda.is_available()


def default_executors() -> list:
    """``[ex]`` where nvFuser imports and CUDA is available, otherwise ``[]``."""
    return [ex] if available() else []


ex = NvFuserExecutor()
if nvfuser is not None:
    register_executor(ex)
