"""How torch-level operators are declared: the ``torchsymbol`` decorator and its registries.

A torch-level operator is a Python function with torch's signature, written as a composition
of prims and other torch-level operators. ``@torchsymbol(torch.add, methods=("add", "__add__"))``
turns it into a ``Symbol`` (printed ``ltorch.add``) and registers it in:

- ``torch_to_thunder``: torch callable -> symbol. The interpreter's lookaside uses it to send
  calls of ``torch.add`` / ``Tensor.add`` to the symbol.
- ``thunder.core.proxies.tensor_methods``: method name -> symbol, for ``TensorProxy``.
- ``symbol.impl``: the torch callable with the same semantics; the torch executor runs a whole
  torch-level op with it instead of its decomposition.
"""

import functools
import sys

import torch

from thunder.core import prims
from thunder.core.proxies import TensorProxy, tensor_methods
from thunder.core.symbol import Symbol

torch_to_thunder: dict[object, Symbol] = {}


def torchsymbol(*torch_fns, methods=(), name=None, torch_fn=None):
    """Declare a torch-level operator that mirrors ``torch_fns`` (and Tensor ``methods``).

    ``torch_fn`` overrides the callable the torch executor uses (default: the first of
    ``torch_fns``, else the Tensor method named first in ``methods``).

    >>> import torch
    >>> @torchsymbol(torch.special.expit)  # doctest: +SKIP
    ... def expit(a):
    ...     return sigmoid(a)
    """

    def decorator(fn):
        decomposition = _fresh_outputs(fn)
        runner = torch_fn
        if runner is None and torch_fns:
            runner = torch_fns[0]
        if runner is None and methods:
            runner = getattr(torch.Tensor, methods[0], None)
        sym = Symbol(name or fn.__name__, decomposition, module_alias="ltorch",
                     module=sys.modules["thunder.torch"], impl=runner)
        for tf in torch_fns:
            torch_to_thunder[tf] = sym
        for method in methods:
            tensor_methods[method] = sym
            unbound = getattr(torch.Tensor, method, None)
            if callable(unbound) and unbound not in torch_to_thunder:
                torch_to_thunder[unbound] = sym  # torch.Tensor.add(x, 1) is x.add(1)
        return sym

    return decorator


# NOTE [operators that return their input]
# A torch-level operator whose decomposition returns one of its inputs unchanged (``contiguous``,
# a ``reshape`` to the same shape, a ``to`` that changes nothing) still gets an output proxy of
# its own, defined by ``prims.convert_element_type`` to the same dtype (an identity). Traces stay
# in single-assignment form, and the torch executor still runs the operator itself, which matters
# for memory layout: ``x.transpose(0, 1).contiguous().view(-1)`` needs the contiguous copy.


def _fresh_outputs(fn):
    @functools.wraps(fn)
    def decomposition(*args, **kwargs):
        out = fn(*args, **kwargs)
        if isinstance(out, TensorProxy) and _is_argument(out, args, kwargs):
            return prims.convert_element_type(out, out.dtype)
        if type(out) in (tuple, list) and any(
                isinstance(o, TensorProxy) and _is_argument(o, args, kwargs) for o in out):
            return type(out)(
                prims.convert_element_type(o, o.dtype)
                if isinstance(o, TensorProxy) and _is_argument(o, args, kwargs) else o
                for o in out)
        return out

    return decomposition


def _is_argument(out, args, kwargs) -> bool:
    for a in (*args, *kwargs.values()):
        if a is out:
            return True
        if type(a) in (tuple, list) and any(x is out for x in a):
            return True
    return False
