"""CALL_INTRINSIC_1 and CALL_INTRINSIC_2 (3.12): small runtime helpers named by number.

Each table below is indexed by the instruction argument, in CPython's order (``dis``'s
``_intrinsic_1_descs``/``_intrinsic_2_descs``). Intrinsics whose CPython versions evaluate lazily
(bounded TypeVars, ``type`` aliases) are reported as unsupported.
"""

import dis
import operator
import sys
import typing

from thunder.interpreter.errors import error_at
from thunder.interpreter.opcodes.common import async_unsupported
from thunder.interpreter.opcodes.exceptions import prep_reraise_star
from thunder.interpreter.opcodes.module_level import import_star_into
from thunder.interpreter.protocols import unary_op

__all__ = ["call_intrinsic_1", "call_intrinsic_2"]

_INTRINSIC_1_NAMES = getattr(dis, "_intrinsic_1_descs", ())
_INTRINSIC_2_NAMES = getattr(dis, "_intrinsic_2_descs", ())


def _invalid(frame, inst, *values):
    raise error_at(f"invalid intrinsic {inst.arg} of {inst.opname}", frame.location(),
                   "please report")


def _unsupported(frame, inst, *values):
    names = _INTRINSIC_1_NAMES if inst.opname == "CALL_INTRINSIC_1" else _INTRINSIC_2_NAMES
    name = names[inst.arg] if inst.arg < len(names) else str(inst.arg)
    raise error_at(f"{name} (evaluated lazily by CPython) is not supported",
                   frame.location(), "move the definition out of the compiled function")


def _print(frame, inst, value):
    sys.displayhook(value)


def _import_star(frame, inst, module):
    import_star_into(frame, module)


def _stopiteration_error(frame, inst, exc):
    if isinstance(exc, StopIteration):
        error = RuntimeError("generator raised StopIteration")
        error.__cause__ = exc
        error.__context__ = exc
        return error
    return exc


def _async_gen_wrap(frame, inst, value):
    async_unsupported(frame, inst)


def _unary_positive(frame, inst, value):
    return unary_op(frame.rt, value, "__pos__", operator.pos)


def _list_to_tuple(frame, inst, value):
    return tuple(value)


def _typevar(frame, inst, name):
    return typing.TypeVar(name, infer_variance=True)


def _paramspec(frame, inst, name):
    return typing.ParamSpec(name, infer_variance=True)


def _typevartuple(frame, inst, name):
    return typing.TypeVarTuple(name)


def _subscript_generic(frame, inst, params):
    return typing.Generic[params]


_INTRINSICS_1 = [
    _invalid, _print, _import_star, _stopiteration_error, _async_gen_wrap, _unary_positive,
    _list_to_tuple, _typevar, _paramspec, _typevartuple, _subscript_generic, _unsupported,
]


def _prep_reraise_star(frame, inst, original, excs):
    return prep_reraise_star(original, excs)


def _set_function_type_params(frame, inst, func, params):
    func.__type_params__ = params
    return func


_INTRINSICS_2 = [_invalid, _prep_reraise_star, _unsupported, _unsupported,
                 _set_function_type_params]


def call_intrinsic_1(frame, inst):
    stack = frame.stack
    index = inst.arg
    intrinsic = _INTRINSICS_1[index] if index < len(_INTRINSICS_1) else _invalid
    stack[-1] = intrinsic(frame, inst, stack[-1])


def call_intrinsic_2(frame, inst):
    stack = frame.stack
    index = inst.arg
    intrinsic = _INTRINSICS_2[index] if index < len(_INTRINSICS_2) else _invalid
    second = stack.pop()
    stack[-1] = intrinsic(frame, inst, stack[-1], second)
