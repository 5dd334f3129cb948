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

import sys

import torch

from thunder.core.proxies import tensor_methods
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
        runner = torch_fn
        if runner is None and torch_fns:
            runner = torch_fns[0]
        if runner is None and methods:
            runner = getattr(torch.Tensor, methods[0], None)
        sym = Symbol(name or fn.__name__, fn, module_alias="ltorch",
                     module=sys.modules["thunder.torch"], impl=runner)
        for tf in torch_fns:
            torch_to_thunder[tf] = sym
        for method in methods:
            tensor_methods[method] = sym
        return sym

    return decorator
