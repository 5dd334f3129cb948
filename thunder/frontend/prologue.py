"""The prologue: unpack the computation's inputs from the call and check every assumption.

``build_prologue`` turns the provenance records of one traced call into a trace whose symbols
print as straight-line Python specialized to that call: ``p1 = args[0]``, ``t0 = p1.weight``,
``if t0.shape != (4, 16) or ...: raise GuardFailed(...)``. No loops, no lookups of what was
known when tracing: the only per-call work is reading the inputs and comparing them with
constants. The prologue returns the computation's tensor inputs in order.
"""

import sys

from thunder.core.codeutils import constant_name, is_safe_identifier, to_source
from thunder.core.proxies import Proxy
from thunder.core.symbol import BoundSymbol, Symbol
from thunder.core.trace import TraceCtx
from thunder.frontend.provenance import ARG, ATTR, CONST, ITEM, KWARG, Prov


# A provenance step of the prologue only: ``torch.as_strided(parent, (n,), (1,), offset)``, the
# range of memory that inputs sharing it view (key ``(n, offset)``; NOTE [in-place operations]).
STORAGE = "storage"
# Another: ``torch.tensor(parent, dtype=key)``, a Python number the function updates, read at
# every call as a 0-d tensor input (NOTE [runtime numbers] in pynumbers.py).
NUMBER = "number"


class GuardFailed(Exception):
    """A prologue check failed: the call does not match this cache entry."""


class ObjectProxy(Proxy):
    """A non-tensor value the prologue reads on the way to the inputs (a module, a dict...)."""

    __slots__ = ()


def _print_unpack(bsym, constants):
    out = bsym.output.name
    kind, source, key = bsym.args
    if kind == ARG:
        return [f"{out} = args[{key}]"]
    if kind == KWARG:
        return [f"{out} = kwargs[{to_source(key)}]"]
    if kind == CONST:
        return [f"{out} = {constant_name(key, constants)}"]
    if kind == STORAGE:
        return [f"{out} = torch.as_strided({source.name}, ({key[0]},), (1,), {key[1]})"]
    if kind == NUMBER:
        return [f"{out} = torch.tensor({source.name}, dtype={to_source(key)})"]
    if kind == ATTR:
        if is_safe_identifier(key):
            return [f"{out} = {source.name}.{key}"]
        return [f"{out} = getattr({source.name}, {to_source(key)})"]
    return [f"{out} = {source.name}[{to_source(key, constants)}]"]


def _guard(condition: str, bsym) -> list[str]:
    """``if <condition>: raise GuardFailed(<what was checked>)``."""
    return [f"if {condition}:", f"  raise GuardFailed({to_source(bsym.kwargs['what'])})"]


def _print_check_tensor(bsym, constants):
    t, expected = bsym.args
    if expected.device.type == "cpu":  # ``is_cpu`` is a plain flag; ``.device`` makes an object
        device = f"not {t.name}.is_cpu"
    else:
        device = f"{t.name}.device != {constant_name(expected.device, constants)}"
    return _guard(f"{t.name}.shape != {to_source(expected.shape)} or "
                  f"{t.name}.dtype is not {to_source(expected.dtype)} or {device} or "
                  f"{t.name}.requires_grad is not {expected.requires_grad}", bsym)


def _print_check_value(bsym, constants):
    v, expected = bsym.args
    if expected is None or expected is True or expected is False:
        return _guard(f"{v.name} is not {expected!r}", bsym)
    typ = constant_name(type(expected), constants)
    return _guard(f"type({v.name}) is not {typ} or {v.name} != "
                  f"{to_source(expected, constants)}", bsym)


def _print_check_is(bsym, constants):
    v, expected = bsym.args
    return _guard(f"{v.name} is not {constant_name(expected, constants)}", bsym)


def _print_check_type(bsym, constants):
    v, expected = bsym.args
    return _guard(f"type({v.name}) is not {constant_name(expected, constants)}", bsym)


def _print_check_empty(bsym, constants):
    (v,) = bsym.args
    return _guard(v.name, bsym)


def _print_check_alias(bsym, constants):
    v, first = bsym.args
    return _guard(f"{v.name} is not {first.name}", bsym)


def _print_check_len(bsym, constants):
    v, expected = bsym.args
    return _guard(f"len({v.name}) != {int(expected)}", bsym)


def _print_check_strides(bsym, constants):
    t, expected = bsym.args
    return _guard(f"{t.name}.stride() != {to_source(tuple(expected))}", bsym)


def _storage_pointer(t) -> str:
    return f"{t.name}.untyped_storage().data_ptr()"


def _print_check_layout(bsym, constants):
    t, first, stride, offset = bsym.args
    return _guard(f"{t.name}.stride() != {to_source(tuple(stride))} or "
                  f"{t.name}.storage_offset() != {int(offset)} or "
                  f"{_storage_pointer(t)} != {_storage_pointer(first)}", bsym)


def _print_check_distinct(bsym, constants):
    mutated, others = bsym.args
    pointers = ", ".join(_storage_pointer(t) for t in mutated)
    lines = [f"_updated = {{{pointers}}}"]
    condition = f"len(_updated) != {len(mutated)}"
    if others:
        condition += f" or not _updated.isdisjoint(({', '.join(map(_storage_pointer, others))},))"
    return lines + _guard(condition, bsym)


def _run_unpack(kind, source, key):
    raise NotImplementedError("prologue symbols only run as printed code")


def _symbol(name, printer):
    return Symbol(name, None, module_alias="prologue", module=sys.modules[__name__],
                  is_prim=True, printer=printer, impl=_run_unpack)


unpack = _symbol("unpack", _print_unpack)
check_tensor = _symbol("check_tensor", _print_check_tensor)
check_value = _symbol("check_value", _print_check_value)
check_is = _symbol("check_is", _print_check_is)
check_type = _symbol("check_type", _print_check_type)
check_empty = _symbol("check_empty", _print_check_empty)
check_len = _symbol("check_len", _print_check_len)
check_alias = _symbol("check_alias", _print_check_alias)
# memory checks of entries that update inputs in place: NOTE [in-place operations]
check_strides = _symbol("check_strides", _print_check_strides)
check_layout = _symbol("check_layout", _print_check_layout)
check_distinct = _symbol("check_distinct", _print_check_distinct)

_CHECKS = {"tensor": check_tensor, "equal": check_value, "is": check_is, "type": check_type,
           "empty": check_empty, "len": check_len, "alias": check_alias,
           "strides": check_strides, "layout": check_layout, "distinct": check_distinct}


def build_prologue(tracker, computation: TraceCtx) -> TraceCtx:
    """The prologue trace for one traced call (see the module docstring)."""
    trace = TraceCtx("prologue")
    trace.pass_name = "prologue"
    trace._names = set(computation._names)
    trace.args = [ObjectProxy("args"), ObjectProxy("kwargs")]
    trace._names.update(("args", "kwargs"))
    materialize = materializer(tracker, trace)
    for guard in tracker.guards:
        value = materialize(guard.prov)
        if guard.kind == "empty":
            args = (value,)
        elif guard.kind == "alias":
            args = (value, materialize(guard.expected))
        elif guard.kind == "layout":
            first, stride, offset = guard.expected
            args = (value, materialize(first), stride, offset)
        elif guard.kind == "distinct":
            mutated, others = guard.expected
            args = (tuple(map(materialize, mutated)), tuple(map(materialize, others)))
        else:
            args = (value, guard.expected)
        trace.bound_symbols.append(
            BoundSymbol(_CHECKS[guard.kind], args, {"what": guard.prov.describe()}, None))
    trace.output = tuple(materialize(prov) for _, prov in tracker.inputs)
    return trace


def materializer(tracker, trace: TraceCtx):
    """A function that emits (once) the unpacking of a provenance path into ``trace``."""
    values: dict[int, Proxy] = {}
    tensor_of_prov = {id(prov): proxy for proxy, prov in tracker.inputs}
    object_of_prov = {id(prov): obj for obj, prov in tracker.object_prov.values()}

    def materialize(prov: Prov) -> Proxy:
        known = values.get(id(prov))
        if known is not None:
            return known
        kind, key = prov.kind, (prov.obj if prov.kind == CONST else prov.key)
        if kind == ATTR and _in_instance_dict(object_of_prov.get(id(prov.parent), _NO_OBJECT),
                                              key):
            kind, parent = ITEM, materialize(tracker.child(prov.parent, ATTR, "__dict__"))
        else:
            parent = None if prov.parent is None else materialize(prov.parent)
        out = tensor_of_prov.get(id(prov))
        if out is None:
            out = ObjectProxy(trace.make_name("p"))
        trace.bound_symbols.append(BoundSymbol(unpack, (kind, parent, key), {}, out))
        values[id(prov)] = out
        return out

    return materialize


# NOTE [attributes read through the instance dict]
# ``obj.name`` on an object whose class has a Python ``__getattr__`` (every ``nn.Module``) is a
# slow generic lookup; ``obj.__dict__`` once, then ``d[name]`` for each attribute, is a dict
# subscript. The two read the same value when the class does not override
# ``__getattribute__``, ``name`` is in the instance dict and no class in the MRO defines
# ``name`` as a data descriptor (a property would win over the instance dict): this is checked
# when the prologue is built. If the attribute later leaves the instance dict, the subscript
# raises, the prologue fails and the call is traced again (and then reads it the generic way).
# An object read through another object has a type check before any read through it; what
# its class defines is not re-checked per call (as for the methods the trace inlined).
_NO_OBJECT = object()


def _in_instance_dict(obj, name) -> bool:
    """Does ``obj.name`` read ``obj.__dict__[name]``? (NOTE [attributes read through the
    instance dict])"""
    if obj is _NO_OBJECT or not isinstance(name, str) or name.startswith("__"):
        return False
    cls = type(obj)
    if cls.__getattribute__ is not object.__getattribute__:
        return False
    instance_dict = getattr(obj, "__dict__", None)
    if type(instance_dict) is not dict or name not in instance_dict:
        return False
    for klass in cls.__mro__:
        attribute = klass.__dict__.get(name, _NO_OBJECT)
        if attribute is not _NO_OBJECT:
            kind = type(attribute)
            return not (hasattr(kind, "__set__") or hasattr(kind, "__delete__"))
    return True


def prologue_callable(trace: TraceCtx):
    """Compile the prologue; ``GuardFailed`` is visible to the printed code."""
    fn = trace.python_callable()
    fn.__globals__["GuardFailed"] = GuardFailed
    return fn
