"""The registry of gradient rules: ``vjp_rules[symbol] -> VJPRule``.

A VJP (vector-Jacobian product) rule says how to turn the cotangent of a symbol's output into
cotangents of its inputs. It is keyed by the ``Symbol`` object (a prim or a torch-level
operator), as every registry of a concern is (NOTE [prim registries]).

A rule has a ``backward(g, saved, *args, **kwargs)`` that runs while the backward trace is
recorded and returns one gradient per positional argument (``None`` where there is none; a
list for a list argument such as ``cat``'s tensors), optionally followed by a dict of keyword
arguments' gradients. ``g`` is the output's cotangent (for a symbol with several outputs, a
tuple with ``None`` where an output got no cotangent).

By default the forward trace keeps the bound symbol as it is and ``saved`` is its output. A
rule may give an augmented ``forward(*args, **kwargs) -> (output, saved)`` instead, recorded
into the forward trace in place of the symbol (``layer_norm`` runs ``native_layer_norm`` to get
the mean and reciprocal standard deviation its backward kernel needs). ``applies`` restricts a
rule to the arguments it supports; elsewhere the symbol is differentiated through its
decomposition.

>>> import thunder.transforms.autograd
>>> import thunder.core.prims as prims
>>> vjp_rules[prims.exp].backward  # doctest: +ELLIPSIS
<function ...>
"""

import inspect
import sys
from contextlib import contextmanager
from dataclasses import dataclass

import thunder.core.prims as prims
from thunder.core import dtypes
from thunder.core.proxies import TensorProxy
from thunder.core.symbol import Symbol


class NoVJPRuleError(NotImplementedError):
    """A primitive needs differentiating but has no VJP rule (nor a decomposition)."""


@dataclass(frozen=True)
class VJPRule:
    backward: object  # callable(g, saved, *args, **kwargs) -> tuple of input gradients
    forward: object = None  # callable(*args, **kwargs) -> (output, saved), or None
    applies: object = None  # callable(*args, **kwargs) -> bool, or None for "always"

    def applies_to(self, args, kwargs) -> bool:
        return self.applies is None or bool(self.applies(*args, **kwargs))


vjp_rules: dict[Symbol, VJPRule] = {}


def def_vjp(*symbols, forward=None, applies=None):
    """Register the decorated ``backward(g, saved, *args, **kwargs)`` for ``symbols``.

    >>> import thunder.core.prims as prims
    >>> @def_vjp(prims.sin)  # doctest: +SKIP
    ... def _sin(g, out, a):
    ...     return (g * a.cos(),)
    """

    def decorator(backward):
        for sym in symbols:
            vjp_rules[sym] = VJPRule(backward, forward, applies)
        return backward

    return decorator


def def_elementwise_vjp(symbol, *derivatives):
    """An elementwise op whose gradient for operand i is ``g * derivatives[i](out, *args)``.

    >>> import thunder.core.prims as prims
    >>> def_elementwise_vjp(prims.exp, lambda out, a: out)  # doctest: +SKIP
    """

    def backward(g, out, *args):
        grads = []
        for arg, derivative in zip(args, derivatives):
            if derivative is None or not is_differentiable(arg):
                grads.append(None)
                continue
            local = derivative(out, *args)
            if isinstance(local, (int, float)) and local in (1, -1):
                grads.append(g if local == 1 else -g)
            elif isinstance(local, TensorProxy) and local.dtype.is_complex:
                # torch's convention for complex inputs: the gradient is g * conj(f'(z))
                grads.append(g * prims.conj(local))
            elif isinstance(local, complex):
                grads.append(g * local.conjugate())
            else:
                grads.append(g * local)
        return tuple(grads)

    backward.__name__ = f"{symbol.name}_vjp"
    vjp_rules[symbol] = VJPRule(backward)


def def_zero_vjp(*symbols):
    """Piecewise-constant ops (``floor``, ``sign``...): a zero gradient for every operand."""

    def backward(g, out, *args):
        return tuple(zeros_like(a) if is_differentiable(a) else None for a in args)

    for sym in symbols:
        vjp_rules[sym] = VJPRule(backward)


# The names of the proxies that need a gradient, while a rule's backward runs (None otherwise).
_active_names: set | None = None


@contextmanager
def gradients_needed_for(names: set):
    """Within the block, ``needs_grad`` is false for proxies not in ``names``."""
    global _active_names
    previous, _active_names = _active_names, names
    try:
        yield
    finally:
        _active_names = previous


def is_differentiable(x) -> bool:
    """A tensor proxy of a floating or complex dtype (only those get gradients)."""
    return isinstance(x, TensorProxy) and dtypes.is_inexact(x.dtype)


def needs_grad(x) -> bool:
    """A differentiable tensor proxy whose gradient the backward being built needs: a rule
    whose kernel computes several gradients at once asks it, so that a gradient nobody needs
    (an input batch of images, a frozen weight) is not computed (e.g. the ``output_mask`` of a
    convolution's backward kernel)."""
    return is_differentiable(x) and (_active_names is None or x.name in _active_names)


def zeros_like(a):
    """A zero tensor proxy with ``a``'s metadata (recorded in the current trace)."""
    return prims.full(a.shape, 0, device=a.device, dtype=a.dtype)


def canonical_call(sym: Symbol, args, kwargs):
    """``(args, kwargs)`` of a torch-level call with every parameter that can be passed by
    position moved to ``args`` and defaults filled in, so a rule sees one calling convention.
    """
    try:
        signature = inspect.signature(sym.meta)
        bound = signature.bind(*args, **kwargs)
    except (TypeError, ValueError):
        return args, kwargs
    bound.apply_defaults()
    return tuple(bound.args), dict(bound.kwargs)


def kernel_symbol(module_name: str, name: str, meta, impl, tags=()) -> Symbol:
    """A symbol that runs a torch (usually ``torch.ops.aten``) backward kernel.

    It prints as ``<alias>.<name>`` where the alias is the last part of ``module_name``; the
    module must keep the symbol as its attribute ``name`` so a printed trace runs as Python.
    """
    module = sys.modules[module_name]
    return Symbol(name, meta, is_prim=True, module_alias=module_name.rsplit(".", 1)[-1],
                  module=module, impl=impl, tags=tags)
