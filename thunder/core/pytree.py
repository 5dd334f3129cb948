"""Flatten and rebuild nested Python containers (tuples, lists, dicts, namedtuples).

Leaves are anything else. ``tree_unflatten(tree_flatten(x))`` rebuilds an equal structure:

>>> leaves, spec = tree_flatten((1, [2, {"a": 3}]))
>>> leaves
[1, 2, 3]
>>> tree_unflatten(leaves, spec)
(1, [2, {'a': 3}])
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class TreeSpec:
    kind: type | None  # None marks a leaf
    context: object  # dict keys, or the namedtuple type
    children: tuple


LEAF = TreeSpec(None, None, ())


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def tree_flatten(tree, leaves=None):
    """Return (leaves, spec) for a nested structure."""
    if leaves is None:
        leaves = []
    typ = type(tree)
    if typ is tuple or typ is list:
        children = tuple(tree_flatten(x, leaves)[1] for x in tree)
        return leaves, TreeSpec(typ, None, children)
    if typ is dict:
        keys = tuple(tree.keys())
        children = tuple(tree_flatten(tree[k], leaves)[1] for k in keys)
        return leaves, TreeSpec(dict, keys, children)
    if _is_namedtuple(tree):
        children = tuple(tree_flatten(x, leaves)[1] for x in tree)
        return leaves, TreeSpec(tuple, typ, children)
    leaves.append(tree)
    return leaves, LEAF


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
    if spec.context is not None:
        return spec.context(*values)
    return spec.kind(values)


def tree_map(fn, tree):
    """Apply ``fn`` to every leaf."""
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)
