"""The opcode table of CPython 3.12, derived from the 3.11 table.

3.12 removed PRECALL, LOAD_METHOD (now a bit of LOAD_ATTR), the directional POP_JUMP_* forms,
JUMP_IF_*_OR_POP, LOAD_CLASSDEREF and some opcodes that became intrinsics; it added the
instructions listed under "new in 3.12" below.
"""

from thunder.interpreter.opcodes import (
    calls,
    control_flow,
    generators,
    intrinsics,
    loads_stores,
    operators,
    stack,
)
from thunder.interpreter.opcodes.py311 import TABLE as _TABLE_311

__all__ = ["TABLE"]

_REMOVED = {
    "PRECALL", "LOAD_METHOD", "LOAD_CLASSDEREF", "JUMP_IF_TRUE_OR_POP", "JUMP_IF_FALSE_OR_POP",
    "POP_JUMP_FORWARD_IF_TRUE", "POP_JUMP_BACKWARD_IF_TRUE", "POP_JUMP_FORWARD_IF_FALSE",
    "POP_JUMP_BACKWARD_IF_FALSE", "POP_JUMP_FORWARD_IF_NONE", "POP_JUMP_BACKWARD_IF_NONE",
    "POP_JUMP_FORWARD_IF_NOT_NONE", "POP_JUMP_BACKWARD_IF_NOT_NONE", "PREP_RERAISE_STAR",
    "LIST_TO_TUPLE", "ASYNC_GEN_WRAP", "PRINT_EXPR", "IMPORT_STAR", "UNARY_POSITIVE",
}

TABLE = {name: handler for name, handler in _TABLE_311.items() if name not in _REMOVED}
TABLE.update({
    # changed meaning
    "LOAD_ATTR": loads_stores.load_attr_312,
    "FOR_ITER": control_flow.for_iter_312,
    "SEND": generators.send_312,
    # new in 3.12
    "POP_JUMP_IF_TRUE": control_flow.pop_jump_if_true,
    "POP_JUMP_IF_FALSE": control_flow.pop_jump_if_false,
    "POP_JUMP_IF_NONE": control_flow.pop_jump_if_none,
    "POP_JUMP_IF_NOT_NONE": control_flow.pop_jump_if_not_none,
    "END_FOR": stack.end_for,
    "END_SEND": generators.end_send,
    "CLEANUP_THROW": generators.cleanup_throw,
    "RETURN_CONST": calls.return_const,
    "LOAD_FAST_CHECK": loads_stores.load_fast,
    "LOAD_FAST_AND_CLEAR": loads_stores.load_fast_and_clear,
    "LOAD_SUPER_ATTR": loads_stores.load_super_attr,
    "LOAD_FROM_DICT_OR_DEREF": loads_stores.load_from_dict_or_deref,
    "LOAD_FROM_DICT_OR_GLOBALS": loads_stores.load_from_dict_or_globals,
    "LOAD_LOCALS": loads_stores.load_locals,
    "BINARY_SLICE": operators.binary_slice,
    "STORE_SLICE": operators.store_slice,
    "CALL_INTRINSIC_1": intrinsics.call_intrinsic_1,
    "CALL_INTRINSIC_2": intrinsics.call_intrinsic_2,
})
