"""Decoding of code objects, done once per code object and cached.

:func:`code_info` turns a code object into a :class:`CodeInfo`: the instructions (CACHE entries
dropped) as :class:`Instruction` objects that carry their handler, their argument, their jump
target as an *index* into the instruction list and their source line, plus a per-instruction
table of exception handlers decoded from ``co_exceptiontable``. The run loop then needs no
decoding at all: it indexes a list and calls ``instruction.handler``.

The cache is keyed by ``id(code)`` and keeps the code object alive, so ids cannot be reused.
"""

import bisect
import dis

__all__ = ["Instruction", "CodeInfo", "code_info", "parse_exception_table"]

CO_VARARGS = 0x04
CO_VARKEYWORDS = 0x08
CO_GENERATOR = 0x20
CO_COROUTINE = 0x80
CO_ITERABLE_COROUTINE = 0x100
CO_ASYNC_GENERATOR = 0x200
CO_ASYNC_FLAGS = CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR


class Instruction:
    """One decoded instruction; ``target`` is an instruction index or None."""

    __slots__ = ("index", "opname", "opcode", "arg", "argval", "offset", "lineno", "target",
                 "handler")

    def __repr__(self):
        return f"<{self.index}: {self.opname} {self.argval!r} (line {self.lineno})>"


class CodeInfo:
    """Everything the run loop and the call protocol need to know about one code object."""

    __slots__ = ("code", "instructions", "exc_handlers", "localsplus_names", "nlocalsplus",
                 "nfree", "argcount", "posonlycount", "kwonlycount", "flags", "varnames",
                 "is_generator", "is_async", "simple_args")

    def __init__(self, code, dispatch):
        self.code = code
        self.instructions = _decode(code, dispatch)
        self.exc_handlers = _handler_table(code, self.instructions)
        names = list(code.co_varnames)
        names.extend(name for name in code.co_cellvars if name not in code.co_varnames)
        names.extend(code.co_freevars)
        self.localsplus_names = tuple(names)
        self.nlocalsplus = len(names)
        self.nfree = len(code.co_freevars)
        self.argcount = code.co_argcount
        self.posonlycount = code.co_posonlyargcount
        self.kwonlycount = code.co_kwonlyargcount
        self.flags = code.co_flags
        self.varnames = code.co_varnames
        self.is_generator = bool(code.co_flags & CO_GENERATOR)
        self.is_async = bool(code.co_flags & CO_ASYNC_FLAGS)
        self.simple_args = not (code.co_flags & (CO_VARARGS | CO_VARKEYWORDS)) and not (
            code.co_kwonlyargcount
        )


_cache = {}


def code_info(code, dispatch):
    """Returns the cached :class:`CodeInfo` of ``code``, decoding it on first use.

    >>> from thunder.interpreter.opcodes import DISPATCH
    >>> info = code_info((lambda x: x + 1).__code__, DISPATCH)
    >>> [i.opname for i in info.instructions][-1]
    'RETURN_VALUE'
    """
    entry = _cache.get(id(code))
    if entry is not None and entry[0] is code:
        return entry[1]
    info = CodeInfo(code, dispatch)
    _cache[id(code)] = (code, info)
    return info


def _decode(code, dispatch):
    instructions = []
    offset_to_index = {}
    lineno = code.co_firstlineno
    for raw in dis.get_instructions(code):
        if raw.opname == "CACHE":
            continue
        inst = Instruction()
        inst.index = len(instructions)
        inst.opname = raw.opname
        inst.opcode = raw.opcode
        inst.arg = raw.arg
        inst.argval = raw.argval
        inst.offset = raw.offset
        positions = getattr(raw, "positions", None)
        if positions is not None and positions.lineno is not None:
            lineno = positions.lineno
        elif raw.starts_line:
            lineno = raw.starts_line
        inst.lineno = lineno
        inst.target = raw.argval if raw.opcode in _JUMPS else None
        inst.handler = dispatch[raw.opcode]
        offset_to_index[raw.offset] = inst.index
        instructions.append(inst)
    for inst in instructions:
        if inst.target is not None:
            inst.target = _index_at(offset_to_index, inst.target)
    return instructions


_JUMPS = frozenset(dis.hasjrel) | frozenset(dis.hasjabs)


def _index_at(offset_to_index, offset):
    while offset not in offset_to_index:
        offset += 2
    return offset_to_index[offset]


def parse_exception_table(code):
    """Decodes ``co_exceptiontable`` into ``(start, end, target, depth, lasti)`` byte offsets.

    ``end`` is exclusive. The format is CPython's (Objects/exception_handling_notes.txt): varints
    of 6 bits per byte, bit 6 meaning 'more follows', bit 7 marking the start of an entry.
    """
    table = getattr(code, "co_exceptiontable", b"")
    entries = []
    position = 0

    def varint():
        nonlocal position
        byte = table[position]
        position += 1
        value = byte & 63
        while byte & 64:
            byte = table[position]
            position += 1
            value = (value << 6) | (byte & 63)
        return value

    while position < len(table):
        start = varint() * 2
        length = varint() * 2
        target = varint() * 2
        depth_lasti = varint()
        entries.append((start, start + length, target, depth_lasti >> 1, bool(depth_lasti & 1)))
    return entries


def _handler_table(code, instructions):
    """Per instruction index: None or ``(target_index, stack_depth, push_lasti)``."""
    handlers = [None] * len(instructions)
    offsets = [inst.offset for inst in instructions]
    offset_to_index = {offset: index for index, offset in enumerate(offsets)}
    for start, end, target, depth, lasti in parse_exception_table(code):
        entry = (_index_at(offset_to_index, target), depth, lasti)
        for index in range(bisect.bisect_left(offsets, start), bisect.bisect_left(offsets, end)):
            handlers[index] = entry
    return handlers
