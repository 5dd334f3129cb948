"""Flatten and rebuild nested Python containers (tuples, lists, dicts, namedtuples, dict
subclasses such as ``OrderedDict`` and Hugging Face ``ModelOutput``, dataclasses).

Leaves are anything else. ``tree_unflatten(tree_flatten(x))`` rebuilds an equal structure:

>>> leaves, spec = tree_flatten((1, [2, {"a": 3}]))
>>> leaves
[1, 2, 3]
>>> tree_unflatten(leaves, spec)
(1, [2, {'a': 3}])
"""

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class TreeSpec:
    kind: type | None  # None marks a leaf
    context: object  # dict keys, or the namedtuple type
    children: tuple


LEAF = TreeSpec(None, None, ())
STRUCTSEQ = "structseq"  # context of torch.return_types structures (built from a sequence)


@dataclass(frozen=True)
class ObjectFields:
    """Context of an arbitrary object flattened through its ``__dict__``."""

    names: tuple


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def tree_flatten(tree, leaves=None, objects=None):
    """Return (leaves, spec) for a nested structure.

    ``objects``, if given, is a predicate: other objects for which it is true are flattened
    through their ``__dict__`` and rebuilt with ``__new__`` (used for results such as a
    Hugging Face cache object built inside a jitted function).
    """
    if leaves is None:
        leaves = []

    def flat(x):
        return tree_flatten(x, leaves, objects)[1]

    typ = type(tree)
    if typ is tuple or typ is list:
        return leaves, TreeSpec(typ, None, tuple(flat(x) for x in tree))
    if typ is dict:
        keys = tuple(tree.keys())
        return leaves, TreeSpec(dict, keys, tuple(flat(tree[k]) for k in keys))
    if _is_namedtuple(tree):
        return leaves, TreeSpec(tuple, typ, tuple(flat(x) for x in tree))
    if isinstance(tree, tuple) and hasattr(typ, "n_fields"):  # torch.return_types.*
        return leaves, TreeSpec(typ, STRUCTSEQ, tuple(flat(x) for x in tree))
    if isinstance(tree, dict):
        keys = tuple(tree.keys())
        return leaves, TreeSpec(typ, keys, tuple(flat(tree[k]) for k in keys))
    if dataclasses.is_dataclass(tree) and not isinstance(tree, type):
        keys = tuple(f.name for f in dataclasses.fields(tree) if f.init)
        return leaves, TreeSpec(typ, keys, tuple(flat(getattr(tree, k)) for k in keys))
    if objects is not None and objects(tree):
        fields = vars(tree)
        names = tuple(fields)
        return leaves, TreeSpec(typ, ObjectFields(names), tuple(flat(fields[n]) for n in names))
    leaves.append(tree)
    return leaves, LEAF


def is_plain(spec: TreeSpec) -> bool:
    """True if the structure only uses plain tuples, lists and dicts (printable literals)."""
    if spec.kind is None:
        return True
    if spec.kind not in (tuple, list, dict) or (spec.kind is tuple and spec.context is not None):
        return False  # other types, namedtuples included, are rebuilt after the computation
    return all(is_plain(child) for child in spec.children)


def tree_unflatten(leaves, spec: TreeSpec):
    """Rebuild the structure described by ``spec`` from ``leaves``."""
    it = iter(leaves)
    return _unflatten(it, spec)


def _unflatten(it, spec):
    if spec.kind is None:
        return next(it)
    values = [_unflatten(it, child) for child in spec.children]
    if spec.kind is dict:
        return dict(zip(spec.context, values))
    if spec.kind is tuple or spec.kind is list:
        return spec.context(*values) if spec.context is not None else spec.kind(values)
    if spec.context is STRUCTSEQ:
        return spec.kind(values)
    if isinstance(spec.context, ObjectFields):
        obj = spec.kind.__new__(spec.kind)
        obj.__dict__.update(zip(spec.context.names, values))
        return obj
    # dict subclasses and dataclasses are rebuilt from keyword arguments
    return spec.kind(**dict(zip(spec.context, values)))


def tree_map(fn, tree):
    """Apply ``fn`` to every leaf."""
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)
