"""Structural pattern matching (``match``/``case``): MATCH_* and GET_LEN.

MATCH_MAPPING and MATCH_SEQUENCE read the type flags CPython uses (set for dict/list/... and
for classes registered with ``collections.abc.Mapping``/``Sequence``); MATCH_CLASS extracts
positional sub-patterns through ``__match_args__`` and keyword ones by attribute lookup.
"""

from thunder.interpreter.attributes import load_attr
from thunder.interpreter.lookup import MISSING

__all__ = ["match_mapping", "match_sequence", "match_keys", "match_class", "get_len"]

_TPFLAGS_SEQUENCE = 1 << 5
_TPFLAGS_MAPPING = 1 << 6
_TPFLAGS_MATCH_SELF = 1 << 22


def match_mapping(frame, inst):
    stack = frame.stack
    stack.append(bool(type(stack[-1]).__flags__ & _TPFLAGS_MAPPING))


def match_sequence(frame, inst):
    stack = frame.stack
    stack.append(bool(type(stack[-1]).__flags__ & _TPFLAGS_SEQUENCE))


def get_len(frame, inst):
    stack = frame.stack
    stack.append(len(stack[-1]))


def match_keys(frame, inst):
    """MATCH_KEYS: push the values of the keys on top in the subject below, or None."""
    stack = frame.stack
    keys = stack[-1]
    subject = stack[-2]
    getter = subject.get
    seen = set()
    values = []
    for key in keys:
        if key in seen:
            raise ValueError(f"mapping pattern checks duplicate key ({key!r})")
        seen.add(key)
        value = getter(key, MISSING)
        if value is MISSING:
            stack.append(None)
            return
        values.append(value)
    stack.append(tuple(values))


def _attribute_or_missing(rt, subject, name):
    try:
        return load_attr(rt, subject, name)
    except AttributeError:
        return MISSING


def match_class(frame, inst):
    """MATCH_CLASS(count): subject, class and keyword names -> tuple of attributes or None."""
    stack = frame.stack
    names = stack.pop()
    cls = stack.pop()
    subject = stack.pop()
    rt = frame.rt
    if not isinstance(cls, type):
        raise TypeError("called match pattern must be a class")
    if not isinstance(subject, cls):
        stack.append(None)
        return
    count = inst.arg
    attributes = []
    seen = []
    if count:
        match_args = getattr(cls, "__match_args__", MISSING)
        if match_args is MISSING:
            if not cls.__flags__ & _TPFLAGS_MATCH_SELF or count > 1:
                allowed = 1 if cls.__flags__ & _TPFLAGS_MATCH_SELF else 0
                raise TypeError(
                    f"{cls.__name__}() accepts {allowed} positional sub-pattern"
                    f"{'' if allowed == 1 else 's'} ({count} given)"
                )
            attributes.append(subject)
        else:
            if type(match_args) is not tuple:
                raise TypeError(
                    f"{cls.__name__}.__match_args__ must be a tuple "
                    f"(got {type(match_args).__name__})"
                )
            if count > len(match_args):
                raise TypeError(
                    f"{cls.__name__}() accepts {len(match_args)} positional sub-pattern"
                    f"{'' if len(match_args) == 1 else 's'} ({count} given)"
                )
            for name in match_args[:count]:
                seen.append(name)
                value = _attribute_or_missing(rt, subject, name)
                if value is MISSING:
                    stack.append(None)
                    return
                attributes.append(value)
    for name in names:
        if name in seen:
            raise TypeError(f"{cls.__name__}() got multiple sub-patterns for attribute '{name}'")
        seen.append(name)
        value = _attribute_or_missing(rt, subject, name)
        if value is MISSING:
            stack.append(None)
            return
        attributes.append(value)
    stack.append(tuple(attributes))
