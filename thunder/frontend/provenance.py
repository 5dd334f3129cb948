"""Provenance: where every value the traced function read from outside came from.

A ``Prov`` is a path from a root (a positional or keyword argument, or an object held by
reference such as the function's globals dict, a closure cell or the jitted module) through
attribute reads and item reads. The ``ProvenanceTracker`` is fed by the interpreter callbacks:
each value read from outside is *wrapped*: a tensor becomes a ``TensorProxy`` (recorded as an
input of the computation, with a metadata check), a Python value that the trace may have
specialized on gets an equality or identity check, and any other object is remembered so that
reads through it get a provenance too. The prologue is generated from these records.

Invariant: a real ``torch.Tensor`` never reaches the trace; it is replaced by its proxy.
"""

import types
from dataclasses import dataclass

import torch

from thunder.core.proxies import Proxy, TensorProxy, proxy_for_tensor
from thunder.frontend.exotic import check_dense

ARG, KWARG, CONST, ATTR, ITEM = "arg", "kwarg", "const", "attr", "item"


@dataclass(frozen=True, eq=False)
class Prov:
    """One step of a path: ``kind`` with ``key`` applied to ``parent``."""

    kind: str
    key: object
    parent: "Prov | None" = None
    obj: object = None  # the object itself, for CONST roots

    def describe(self) -> str:
        if self.kind == ARG:
            return f"args[{self.key}]"
        if self.kind == KWARG:
            return f"kwargs[{self.key!r}]"
        if self.kind == CONST:
            return f"<{type(self.obj).__name__} object>"
        if self.kind == ATTR:
            return f"{self.parent.describe()}.{self.key}"
        return f"{self.parent.describe()}[{self.key!r}]"


# Checks the prologue performs, one record each.
@dataclass(frozen=True)
class Guard:
    kind: str  # "equal", "is", "type", "tensor", "empty", "len", "alias"
    prov: Prov
    expected: object = None


_CONSTANT_TYPES = (type(None), bool, int, float, complex, str, bytes, torch.dtype,
                   torch.device, torch.layout, torch.memory_format, type(Ellipsis))
_IDENTITY_TYPES = (types.FunctionType, types.BuiltinFunctionType, types.ModuleType, type,
                   types.MethodWrapperType, types.WrapperDescriptorType,
                   types.MethodDescriptorType)


def is_constant_value(value) -> bool:
    """Immutable Python values the trace may specialize on (checked by equality)."""
    if isinstance(value, _CONSTANT_TYPES):
        return True
    if type(value) is tuple or type(value) is torch.Size:
        return all(is_constant_value(v) for v in value)
    return False


class ProvenanceTracker:
    """Records provenance, computation inputs and guards while a function is traced."""

    def __init__(self):
        self.children: dict[tuple, Prov] = {}
        self.object_prov: dict[int, tuple] = {}  # id(obj) -> (obj, Prov); keeps obj alive
        self.tensor_proxies: dict[int, tuple] = {}  # id(tensor) -> (tensor, TensorProxy)
        # id(tensor) -> (tensor, Prov) for tensors with a known path that are not inputs yet
        self.known_tensor_prov: dict[int, tuple] = {}
        self.inputs: list[tuple] = []  # (TensorProxy, Prov) in order of discovery
        self.input_prov: dict[int, Prov] = {}  # id(TensorProxy) -> Prov
        self.guards: list[Guard] = []
        # (id(obj), name) -> (obj, name, had_attribute, original): attributes the traced code
        # assigned on objects from outside; undone after tracing, replayed by the epilogue
        self.stores: dict[tuple, tuple] = {}
        # mutations of containers from outside (``log.append(x)``): id(container) ->
        # (container, snapshot before the first mutation), and the calls in order
        self.container_snapshots: dict[int, tuple] = {}
        self.container_calls: list[tuple] = []  # (container, method name, args)
        self._guarded: set = set()

    # -- provenance nodes --------------------------------------------------------------------
    def child(self, parent: Prov, kind: str, key) -> Prov:
        k = (id(parent), kind, key if kind != CONST else id(key))
        node = self.children.get(k)
        if node is None:
            node = Prov(kind, key, parent)
            self.children[k] = node
        return node

    def const_root(self, obj) -> Prov:
        known = self.object_prov.get(id(obj))
        if known is not None:
            return known[1]
        prov = Prov(CONST, None, None, obj)
        self.object_prov[id(obj)] = (obj, prov)
        return prov

    def prov_of(self, obj) -> Prov | None:
        known = self.object_prov.get(id(obj))
        return None if known is None else known[1]

    def register_object(self, obj, prov: Prov) -> None:
        if id(obj) not in self.object_prov:
            self.object_prov[id(obj)] = (obj, prov)

    # -- guards --------------------------------------------------------------------------------
    def guard(self, kind: str, prov: Prov, expected=None) -> None:
        key = (kind, id(prov))
        if key in self._guarded:
            return
        self._guarded.add(key)
        self.guards.append(Guard(kind, prov, expected))

    # -- wrapping values read from outside ---------------------------------------------------
    def tensor_proxy(self, tensor: torch.Tensor, prov: Prov | None = None) -> TensorProxy:
        """The proxy standing for ``tensor``; a tensor seen first here becomes an input."""
        known = self.tensor_proxies.get(id(tensor))
        if known is not None:
            if prov is not None and prov is not self.input_prov[id(known[1])]:
                # the same tensor reached by a second path: later calls must alias it too
                self.guard("alias", prov, self.input_prov[id(known[1])])
            return known[1]
        if prov is None:
            known = self.known_tensor_prov.get(id(tensor))
            prov = known[1] if known is not None else self.const_root(tensor)
        check_dense(tensor, prov)  # subclasses, sparse, nested: NOTE [exotic tensors]
        proxy = proxy_for_tensor(tensor)
        self.tensor_proxies[id(tensor)] = (tensor, proxy)
        self.inputs.append((proxy, prov))
        self.input_prov[id(proxy)] = prov
        self.guard("tensor", prov, proxy)
        return proxy

    def wrap(self, value, prov: Prov):
        """What the traced code sees for ``value``, read from outside through ``prov``."""
        if isinstance(value, torch.Tensor):
            return self.tensor_proxy(value, prov)
        if isinstance(value, Proxy):
            return value
        if is_constant_value(value):
            self.guard("equal", prov, value)
            return value
        if isinstance(value, _IDENTITY_TYPES):
            if not isinstance(value, types.ModuleType) or prov.kind != ATTR:
                self.guard("is", prov, value)
            return value
        if isinstance(value, types.MethodType):
            return value  # bound methods are made fresh on each read; their parts are guarded
        if id(value) not in self.object_prov:
            self.object_prov[id(value)] = (value, prov)
            if type(value) not in (dict, list, tuple, set):
                self.guard("type", prov, type(value))
        return value

    def wrap_unknown(self, value):
        """A value from an opaque call: tensors become inputs held by reference."""
        if isinstance(value, torch.Tensor):
            return self.tensor_proxy(value)
        if type(value) in (list, tuple) and any(isinstance(v, torch.Tensor) for v in value):
            return type(value)(self.wrap_unknown(v) for v in value)
        return value
