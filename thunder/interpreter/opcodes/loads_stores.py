"""Loads, stores and deletes of fast locals, cells, globals, names and attributes.

Fast locals and cells live in ``frame.localsplus``, indexed by the instruction argument. Global
and builtin reads go through ``on_load_global`` and global writes through ``on_store_global``;
reads and writes of cells that were created outside this interpretation go through
``on_load_deref``/``on_store_deref``, attribute reads and writes through ``attributes.py``.
"""

from types import CellType

from thunder.interpreter.attributes import delete_attr, load_attr, store_attr
from thunder.interpreter.frame import NULL
from thunder.interpreter.lookup import MISSING
from thunder.interpreter.opcodes.common import unbound_free, unbound_local

__all__ = [
    "load_const", "load_fast", "load_fast_and_clear", "store_fast", "delete_fast", "make_cell",
    "copy_free_vars", "load_closure", "load_deref", "store_deref", "delete_deref",
    "load_classderef", "load_from_dict_or_deref", "load_global", "store_global",
    "delete_global", "load_name", "store_name", "delete_name", "load_from_dict_or_globals",
    "load_locals", "load_attr_311", "load_attr_312", "load_method", "store_attr_handler",
    "delete_attr_handler", "load_super_attr", "load_assertion_error", "load_build_class",
]


def load_const(frame, inst):
    frame.stack.append(inst.argval)


def load_fast(frame, inst):
    """LOAD_FAST and LOAD_FAST_CHECK."""
    value = frame.localsplus[inst.arg]
    if value is NULL:
        raise unbound_local(inst.argval)
    frame.stack.append(value)


def load_fast_and_clear(frame, inst):
    """LOAD_FAST_AND_CLEAR (3.12 inlined comprehensions): push the slot (maybe NULL), clear it."""
    localsplus = frame.localsplus
    frame.stack.append(localsplus[inst.arg])
    localsplus[inst.arg] = NULL


def store_fast(frame, inst):
    frame.localsplus[inst.arg] = frame.stack.pop()


def delete_fast(frame, inst):
    localsplus = frame.localsplus
    if localsplus[inst.arg] is NULL:
        raise unbound_local(inst.argval)
    localsplus[inst.arg] = NULL


def make_cell(frame, inst):
    localsplus = frame.localsplus
    value = localsplus[inst.arg]
    cell = CellType() if value is NULL else CellType(value)
    frame.rt.own_cells[id(cell)] = cell
    localsplus[inst.arg] = cell


def copy_free_vars(frame, inst):
    localsplus = frame.localsplus
    count = inst.arg
    localsplus[len(localsplus) - count:] = frame.func.__closure__[:count]


def load_closure(frame, inst):
    frame.stack.append(frame.localsplus[inst.arg])


def _read_cell(frame, inst, cell):
    try:
        value = cell.cell_contents
    except ValueError:
        if inst.argval in frame.info.code.co_freevars:
            raise unbound_free(inst.argval) from None
        raise unbound_local(inst.argval) from None
    rt = frame.rt
    hook = rt.on_load_deref
    if hook is not None and id(cell) not in rt.own_cells:
        value = hook(cell, inst.argval, value)
    return value


def load_deref(frame, inst):
    frame.stack.append(_read_cell(frame, inst, frame.localsplus[inst.arg]))


def store_deref(frame, inst):
    cell = frame.localsplus[inst.arg]
    value = frame.stack.pop()
    rt = frame.rt
    hook = rt.on_store_deref
    if hook is not None and id(cell) not in rt.own_cells and hook(cell, inst.argval, value):
        return
    cell.cell_contents = value


def delete_deref(frame, inst):
    cell = frame.localsplus[inst.arg]
    try:
        del cell.cell_contents
    except ValueError:
        raise unbound_free(inst.argval) from None


def load_classderef(frame, inst):
    """LOAD_CLASSDEREF (3.11): the class namespace first, then the cell."""
    namespace = frame.locals
    if inst.argval in namespace:
        frame.stack.append(namespace[inst.argval])
        return
    load_deref(frame, inst)


def load_from_dict_or_deref(frame, inst):
    """LOAD_FROM_DICT_OR_DEREF (3.12): the popped mapping first, then the cell."""
    stack = frame.stack
    mapping = stack.pop()
    if inst.argval in mapping:
        stack.append(mapping[inst.argval])
        return
    stack.append(_read_cell(frame, inst, frame.localsplus[inst.arg]))


def _global_value(frame, name):
    hook = frame.rt.on_load_global
    globals_dict = frame.globals
    value = globals_dict.get(name, MISSING)
    if value is not MISSING:
        return value if hook is None else hook(globals_dict, name, value)
    builtins_dict = frame.builtins
    value = builtins_dict.get(name, MISSING)
    if value is not MISSING:
        return value if hook is None else hook(builtins_dict, name, value)
    raise NameError(f"name '{name}' is not defined", name=name)


def load_global(frame, inst):
    stack = frame.stack
    if inst.arg & 1:
        stack.append(NULL)
    stack.append(_global_value(frame, inst.argval))


def store_global(frame, inst):
    value = frame.stack.pop()
    hook = frame.rt.on_store_global
    if hook is not None and hook(frame.globals, inst.argval, value):
        return
    frame.globals[inst.argval] = value


def delete_global(frame, inst):
    try:
        del frame.globals[inst.argval]
    except KeyError:
        raise NameError(f"name '{inst.argval}' is not defined", name=inst.argval) from None


def load_name(frame, inst):
    namespace = frame.locals
    name = inst.argval
    if namespace is not None:
        try:
            frame.stack.append(namespace[name])
            return
        except KeyError:
            pass
    frame.stack.append(_global_value(frame, name))


def store_name(frame, inst):
    frame.locals[inst.argval] = frame.stack.pop()


def delete_name(frame, inst):
    try:
        del frame.locals[inst.argval]
    except KeyError:
        raise NameError(f"name '{inst.argval}' is not defined", name=inst.argval) from None


def load_from_dict_or_globals(frame, inst):
    """LOAD_FROM_DICT_OR_GLOBALS (3.12): the popped mapping first, then globals and builtins."""
    stack = frame.stack
    mapping = stack.pop()
    if inst.argval in mapping:
        stack.append(mapping[inst.argval])
        return
    stack.append(_global_value(frame, inst.argval))


def load_locals(frame, inst):
    if frame.locals is None:
        raise SystemError("no locals found")
    frame.stack.append(frame.locals)


def load_attr_311(frame, inst):
    stack = frame.stack
    stack[-1] = load_attr(frame.rt, stack[-1], inst.argval)


def load_attr_312(frame, inst):
    """LOAD_ATTR (3.12); with the low argument bit it is a method load: push NULL, bound."""
    stack = frame.stack
    obj = stack.pop()
    if inst.arg & 1:
        stack.append(NULL)
    stack.append(load_attr(frame.rt, obj, inst.argval))


def load_method(frame, inst):
    """LOAD_METHOD (3.11): pushes NULL and the bound method (never the unbound + self form)."""
    stack = frame.stack
    obj = stack[-1]
    stack[-1] = NULL
    stack.append(load_attr(frame.rt, obj, inst.argval))


def store_attr_handler(frame, inst):
    stack = frame.stack
    obj = stack.pop()
    value = stack.pop()
    store_attr(frame.rt, obj, inst.argval, value)


def delete_attr_handler(frame, inst):
    delete_attr(frame.rt, frame.stack.pop(), inst.argval)


def load_super_attr(frame, inst):
    """LOAD_SUPER_ATTR (3.12): ``super(cls, self).name`` (bit 1: method load)."""
    stack = frame.stack
    self_obj = stack.pop()
    cls = stack.pop()
    global_super = stack.pop()
    rt = frame.rt
    arguments = (cls, self_obj) if inst.arg & 2 else ()
    proxy = rt.call(global_super, arguments, {})
    if inst.arg & 1:
        stack.append(NULL)
    stack.append(load_attr(rt, proxy, inst.argval))


def load_assertion_error(frame, inst):
    frame.stack.append(AssertionError)


def load_build_class(frame, inst):
    try:
        frame.stack.append(frame.builtins["__build_class__"])
    except KeyError:
        raise NameError("__build_class__ not found") from None
