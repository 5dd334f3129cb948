"""The executor interface and the executor registry.

``OperatorExecutor.register_implementation(symbol, fn, checker=...)`` says "this executor runs
``symbol`` with ``fn`` when ``checker(*args, **kwargs)`` is true". Claiming replaces a bound
symbol's symbol by an *execution symbol* that prints as the kernel's importable path, so the
execution trace reads as plain PyTorch. ``register_executor``/``get_executor`` keep the
executors by name; ``get_default_executors`` is what ``thunder.jit`` uses when none are given.

>>> import torch, thunder
>>> from thunder.executors.extend import OperatorExecutor, register_executor
>>> myex = OperatorExecutor("myex")
>>> _ = register_executor(myex)
>>> myex.register_implementation(thunder.torch.relu, lambda a: a.clamp_min(0))  # doctest: +SKIP

NOTE [executor gradients]
An operator executor can also say how a symbol is differentiated when it runs it, with kernels
of its own: ``ex.register_grad(symbol, forward=..., backward=..., checker=...)``. Its kernels are
symbols made by ``ex.register_operator(name, fn, meta=...)``, which this executor runs and which
print as ``fn``'s path. ``forward`` and ``backward`` are recorded like a VJP rule's (they are
stored as a ``VJPRule``, see ``thunder/transforms/autograd/rules.py``) and receive the call in
its canonical form (defaults filled in, arguments by position where they can be):

* ``forward(*args, **kwargs) -> (output, residuals)`` calls the executor's forward kernel; the
  residuals (any structure of proxies and Python values) are what its backward needs;
* ``backward(g, residuals, *args, **kwargs)`` calls the backward kernel and returns one gradient
  per positional argument (``None`` where there is none); proxies of ``args`` it uses are saved
  like the residuals. A gradient for an input that needs none is dropped (so it need not, and
  cannot reliably, look at ``requires_grad``);
* ``checker(*args, **kwargs)`` says which calls the kernels support.

``split_forward_backward(trace, executors)`` asks the executors in order: the first one that
either has an accepting grad registration or can run the bound symbol decides. If it is a grad
registration, the forward trace calls the forward kernel in place of the symbol, only what the
backward kernel reads is saved (the residuals and the inputs it uses), and
``transform_for_execution`` then hands both kernels to this executor. Otherwise the symbol is
differentiated by ``vjp_rules`` as usual, so a grad registration never overrides an executor
listed before it. ``thunder/executors/sdpaex.py`` is the worked example.

>>> import torch, thunder
>>> relu_ex = OperatorExecutor("relu_with_mask")
>>> def relu_forward_impl(a):
...     return a.clamp_min(0), a > 0
>>> def relu_backward_impl(g, mask):
...     return g * mask
>>> relu_forward = relu_ex.register_operator("relu_forward", relu_forward_impl)
>>> relu_backward = relu_ex.register_operator("relu_backward", relu_backward_impl)
>>> relu_ex.register_grad(
...     thunder.torch.relu,
...     forward=lambda a, inplace=False: relu_forward(a),
...     backward=lambda g, mask, a, inplace=False: (relu_backward(g, mask), None))
>>> x = torch.tensor([-1.0, 2.0], requires_grad=True)
>>> thunder.jit(torch.relu, executors=[relu_ex])(x).sum().backward()
>>> x.grad
tensor([0., 1.])
"""

import sys
from dataclasses import dataclass

import torch

from thunder.core.proxies import TensorProxy
from thunder.core.pytree import tree_flatten, tree_map
from thunder.core.symbol import BoundSymbol, Symbol
from thunder.executors.naming import alias_for, callable_path
from thunder.transforms.autograd.rules import VJPRule


@dataclass(frozen=True)
class Implementation:
    symbol: Symbol  # the execution symbol that prints and runs the kernel
    checker: object = None  # callable(*args, **kwargs) -> bool, or None for "always"


class Executor:
    """Base class: an executor has a unique name."""

    fuses_regions = False  # a fusion executor (``fusion.FusionExecutor``) sets it

    def __init__(self, name: str):
        self.name = name

    def can_execute(self, bsym: BoundSymbol) -> bool:
        return False

    def claim(self, bsym: BoundSymbol) -> BoundSymbol:
        raise NotImplementedError

    def grad_rule(self, symbol: Symbol, args, kwargs) -> VJPRule | None:
        """This executor's gradient for a call of ``symbol``, or None (NOTE [executor
        gradients]); ``args, kwargs`` are the call in canonical form."""
        return None

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"


class OperatorExecutor(Executor):
    """Runs single symbols with kernels registered in ``impls`` (keyed by symbol)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.impls: dict[Symbol, Implementation] = {}
        self.grads: dict[Symbol, VJPRule] = {}

    def register_implementation(self, symbol: Symbol, fn, *, checker=None) -> None:
        """Run ``symbol`` with ``fn`` (same signature as the symbol) where ``checker`` allows."""
        self.impls[symbol] = Implementation(execution_symbol(fn, symbol.name), checker)

    def register_operator(self, name: str, fn, *, meta=None) -> Symbol:
        """A new symbol, run by this executor with ``fn``, for kernels that have no symbol yet
        (the halves of a gradient registered with ``register_grad``).

        ``meta(*args, **kwargs)`` gives the output proxies; without one, ``fn`` is run on
        tensors of torch's "meta" device (``meta_from_torch``), which fits kernels made of torch
        operations (and side-effect free). The symbol prints as ``fn``'s importable path,
        before and after claiming.
        """
        printed = execution_symbol(fn, name)
        sym = Symbol(printed.name, meta if meta is not None else meta_from_torch(fn),
                     id=f"{self.name}.{name}", is_prim=True, module_alias=printed.module_alias,
                     module=printed.module, impl=fn)
        self.impls[sym] = Implementation(printed, None)
        return sym

    def register_grad(self, symbol: Symbol, *, forward, backward, checker=None) -> None:
        """Differentiate ``symbol`` with this executor's kernels where ``checker`` allows
        (NOTE [executor gradients])."""
        self.grads[symbol] = VJPRule(backward, forward, checker)

    def grad_rule(self, symbol: Symbol, args, kwargs) -> VJPRule | None:
        rule = self.grads.get(symbol)
        return rule if rule is not None and rule.applies_to(args, kwargs) else None

    def can_execute(self, bsym: BoundSymbol) -> bool:
        impl = self.impls.get(bsym.sym)
        if impl is None:
            return False
        return impl.checker is None or bool(impl.checker(*bsym.args, **bsym.kwargs))

    def claim(self, bsym: BoundSymbol) -> BoundSymbol:
        return bsym.with_sym(self.impls[bsym.sym].symbol, subsymbols=())


_execution_symbols: dict[int, Symbol] = {}


def execution_symbol(fn, name: str) -> Symbol:
    """The symbol an execution trace calls for kernel ``fn`` (printed as its import path)."""
    cached = _execution_symbols.get(id(fn))
    if cached is not None and cached.impl is fn:
        return cached
    path = callable_path(fn)
    if path is not None:
        root, _, rest = path.partition(".")
        sym = Symbol(rest, None, module_alias=root, module=sys.modules[root], impl=fn,
                     is_prim=True)
    else:
        sym = Symbol("", None, module_alias=alias_for(fn), module=fn, impl=fn, is_prim=True)
    _execution_symbols[id(fn)] = sym
    return sym


def meta_from_torch(fn):
    """A meta function for ``fn``: runs it on "meta" tensors shaped like the proxies.

    Every output tensor becomes a proxy on the device of the first tensor argument (the CPU
    without one); other outputs are returned as they are.
    """

    def meta(*args, **kwargs):
        device = next((x.device for x in tree_flatten((args, kwargs))[0]
                       if isinstance(x, TensorProxy)), "cpu")
        meta_args, meta_kwargs = tree_map(_to_meta_tensor, (args, kwargs))
        out = fn(*meta_args, **meta_kwargs)
        return tree_map(lambda t: TensorProxy(shape=t.shape, dtype=t.dtype, device=device)
                        if isinstance(t, torch.Tensor) else t, out)

    return meta


def _to_meta_tensor(x):
    if isinstance(x, TensorProxy):
        return torch.empty(x.shape, dtype=x.dtype, device="meta")
    return x


_executors: dict[str, Executor] = {}
_default_executors: list[Executor] = []


def register_executor(executor: Executor) -> Executor:
    """Make ``executor`` available by name (``thunder.get_executor(name)``)."""
    _executors[executor.name] = executor
    return executor


def get_executor(name: str) -> Executor:
    try:
        return _executors[name]
    except KeyError:
        raise KeyError(f"no executor named {name!r}; known: {sorted(_executors)}") from None


def get_all_executors() -> tuple:
    return tuple(_executors.values())


def get_default_executors() -> list:
    """The executors ``thunder.jit`` uses when none are given, in priority order."""
    return list(_default_executors)


def set_default_executors(executors) -> None:
    _default_executors[:] = [get_executor(e) if isinstance(e, str) else e for e in executors]
