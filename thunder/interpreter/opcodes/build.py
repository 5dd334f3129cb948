"""Building tuples, lists, sets, dicts, slices and strings; unpacking; f-string formatting.

``*x``/``**x`` in displays and calls (LIST_EXTEND, SET_UPDATE, DICT_UPDATE, DICT_MERGE) and
unpacking assignments iterate with the interpreter's protocols, so Python ``__iter__``, ``keys``
and ``__getitem__`` run interpreted. FORMAT_VALUE uses Python ``__str__``/``__repr__``/
``__format__`` interpreted as well.
"""

from thunder.interpreter.attributes import load_attr
from thunder.interpreter.protocols import get_item, to_format, to_repr, to_str
from thunder.interpreter.special_iteration import iterate_for_star, iterate_for_unpack

__all__ = [
    "build_tuple", "build_list", "build_set", "build_map", "build_const_key_map",
    "build_string", "build_slice", "list_append", "set_add", "map_add", "list_extend",
    "set_update", "dict_update", "dict_merge", "list_to_tuple", "unpack_sequence", "unpack_ex",
    "format_value",
]


def _pop_many(stack, count):
    if count == 0:
        return []
    items = stack[-count:]
    del stack[-count:]
    return items


def build_tuple(frame, inst):
    stack = frame.stack
    stack.append(tuple(_pop_many(stack, inst.arg)))


def build_list(frame, inst):
    stack = frame.stack
    stack.append(_pop_many(stack, inst.arg))


def build_set(frame, inst):
    stack = frame.stack
    stack.append(set(_pop_many(stack, inst.arg)))


def build_map(frame, inst):
    stack = frame.stack
    items = _pop_many(stack, 2 * inst.arg)
    stack.append({items[index]: items[index + 1] for index in range(0, len(items), 2)})


def build_const_key_map(frame, inst):
    stack = frame.stack
    keys = stack.pop()
    stack.append(dict(zip(keys, _pop_many(stack, inst.arg))))


def build_string(frame, inst):
    stack = frame.stack
    stack.append("".join(_pop_many(stack, inst.arg)))


def build_slice(frame, inst):
    stack = frame.stack
    stack.append(slice(*_pop_many(stack, inst.arg)))


def list_append(frame, inst):
    stack = frame.stack
    value = stack.pop()
    stack[-inst.arg].append(value)


def set_add(frame, inst):
    stack = frame.stack
    value = stack.pop()
    stack[-inst.arg].add(value)


def map_add(frame, inst):
    stack = frame.stack
    value = stack.pop()
    key = stack.pop()
    stack[-inst.arg][key] = value


def list_extend(frame, inst):
    stack = frame.stack
    iterable = stack.pop()
    target = stack[-inst.arg]
    if type(iterable) is list or type(iterable) is tuple:
        target.extend(iterable)
    else:
        target.extend(iterate_for_star(frame.rt, iterable))


def set_update(frame, inst):
    stack = frame.stack
    iterable = stack.pop()
    target = stack[-inst.arg]
    if type(iterable) in (set, frozenset, list, tuple):
        target.update(iterable)
    else:
        target.update(iterate_for_star(frame.rt, iterable))


def _mapping_items(rt, mapping, error):
    if type(mapping) is dict:
        return mapping.items()
    try:
        keys = load_attr(rt, mapping, "keys")
    except AttributeError:
        raise TypeError(error) from None
    return [(key, get_item(rt, mapping, key)) for key in rt.call(keys, (), {})]


def dict_update(frame, inst):
    stack = frame.stack
    update = stack.pop()
    error = f"'{type(update).__name__}' object is not a mapping"
    stack[-inst.arg].update(_mapping_items(frame.rt, update, error))


def dict_merge(frame, inst):
    """DICT_MERGE: ``f(**a, **b)``; a key given twice is an error naming the function."""
    stack = frame.stack
    update = stack.pop()
    target = stack[-inst.arg]
    fn = stack[-inst.arg - 2]
    name = getattr(fn, "__qualname__", None) or type(fn).__name__
    error = f"{name}() argument after ** must be a mapping, not {type(update).__name__}"
    for key, value in _mapping_items(frame.rt, update, error):
        if key in target:
            raise TypeError(f"{name}() got multiple values for keyword argument '{key}'")
        target[key] = value


def list_to_tuple(frame, inst):
    stack = frame.stack
    stack[-1] = tuple(stack[-1])


def unpack_sequence(frame, inst):
    stack = frame.stack
    sequence = stack.pop()
    count = inst.arg
    if (type(sequence) is tuple or type(sequence) is list) and len(sequence) == count:
        stack.extend(reversed(sequence))
        return
    items = []
    for item in iterate_for_unpack(frame.rt, sequence):
        items.append(item)
        if len(items) > count:
            raise ValueError(f"too many values to unpack (expected {count})")
    if len(items) < count:
        raise ValueError(f"not enough values to unpack (expected {count}, got {len(items)})")
    stack.extend(reversed(items))


def unpack_ex(frame, inst):
    """UNPACK_EX: ``a, *b, c = x`` (low byte: names before the star, high byte: after)."""
    stack = frame.stack
    before = inst.arg & 0xFF
    after = inst.arg >> 8
    items = list(iterate_for_unpack(frame.rt, stack.pop()))
    if len(items) < before + after:
        raise ValueError(
            f"not enough values to unpack (expected at least {before + after}, got {len(items)})"
        )
    end = len(items) - after
    stack.extend(reversed(items[end:]))
    stack.append(items[before:end])
    stack.extend(reversed(items[:before]))


def format_value(frame, inst):
    """FORMAT_VALUE: conversion in the low two bits (!s, !r, !a), bit 2 means a spec follows."""
    stack = frame.stack
    flags = inst.arg
    spec = stack.pop() if flags & 0x04 else ""
    value = stack[-1]
    conversion = flags & 0x03
    rt = frame.rt
    if conversion == 1:
        value = to_str(rt, value)
    elif conversion == 2:
        value = to_repr(rt, value)
    elif conversion == 3:
        value = to_repr(rt, value).encode("ascii", "backslashreplace").decode("ascii")
    if type(value) is str and not spec:
        stack[-1] = value
    else:
        stack[-1] = to_format(rt, value, spec)
