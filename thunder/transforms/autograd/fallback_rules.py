"""The gradient of eager-fallback operations: torch's own autograd, run on the saved inputs.

NOTE [gradients of eager fallbacks]
A torch operation Thunder does not define runs as one opaque symbol (``frontend/fallback.py``).
Thunder cannot differentiate it, but torch can, so every fallback symbol gets one generic VJP
rule (``def_fallback_vjp``, registered in ``vjp_rules`` when the symbol is made):

* forward: ``rng_state(device)`` records the random generator state of each device the
  operation touches (the CPU's always) just before the operation, which then runs as before
  (grad mode off, as the whole forward trace).
* backward: ``fallback_vjp`` sets those generator states (inside ``torch.random.fork_rng``, so
  the caller's generator is left alone), re-runs the operation under ``torch.enable_grad()`` on
  detached copies of its saved tensor inputs that require grad, and calls
  ``torch.autograd.grad(outputs, inputs, cotangents, allow_unused=True)``. A random operation
  (LSTM dropout, ``rrelu`` in training) thus draws the same numbers as in the forward.

Why recompute instead of keeping the forward's autograd graph: the values a compiled forward
hands to its backward are tensors (NOTE [saved tensors of a compiled backward] keeps and
version-checks them), and only the inputs (plus a few hundred bytes of generator state) are
saved, less than eager's graph keeps; the price is a second run of the operation's forward.
Outputs without a cotangent or without a gradient (integer outputs, ``None``) are left out of
``autograd.grad``; inputs the outputs do not depend on get zeros. Tensors nested in tuples and
lists (LSTM's ``hx`` pair and flat weight list) and tensor keyword arguments are
differentiated like positional ones.

Fallback operations that mutate their inputs are rejected before they get here
(``frontend/fallback.py``), so re-running one has no side effect beyond its random draws.

>>> import torch, thunder
>>> from torch import nn
>>> lstm = nn.LSTM(2, 3)
>>> out, _ = thunder.jit(lstm)(torch.randn(4, 1, 2))
>>> out.sum().backward()
>>> lstm.weight_ih_l0.grad.shape
torch.Size([12, 2])
"""

import sys

import torch

from thunder.core.proxies import TensorProxy
from thunder.core.pytree import tree_flatten, tree_unflatten
from thunder.core.symbol import Symbol
from thunder.transforms.autograd.rules import NoVJPRuleError, VJPRule, is_differentiable, vjp_rules

_functions: dict[str, object] = {}  # operation path ("torch.lstm") -> the torch callable


def def_fallback_vjp(sym: Symbol, path: str) -> None:
    """Register the generic VJP of fallback symbol ``sym``, which runs torch callable
    ``sym.impl`` (printed in backward traces as ``path``)."""
    _functions[path] = sym.impl

    def forward(*args, **kwargs):
        states = {device: rng_state(device) for device in _rng_devices(args, kwargs)}
        return sym(*args, **kwargs), states

    def backward(g, states, *args, **kwargs):
        leaves, spec = tree_flatten((args, kwargs))
        wrt = tuple(i for i, x in enumerate(leaves) if is_differentiable(x) and x.requires_grad)
        _check_containers(args, kwargs, path)
        grads = fallback_vjp(path, args, kwargs, g, wrt, states)
        grad_leaves = [None] * len(leaves)
        for i, grad in zip(wrt, grads):
            grad_leaves[i] = grad
        grad_args, grad_kwargs = tree_unflatten(grad_leaves, spec)
        return (*grad_args, grad_kwargs) if kwargs else tuple(grad_args)

    backward.__name__ = f"{sym.print_name}_fallback_vjp"
    vjp_rules[sym] = VJPRule(backward, forward)


def _rng_devices(args, kwargs) -> list:
    """The devices whose generator state a run of the operation may depend on."""
    devices = {"cpu"}
    for x in tree_flatten((args, kwargs))[0]:
        if isinstance(x, TensorProxy) and x.device.type != "cpu":
            devices.add(str(x.device))
    return sorted(devices)


def _check_containers(args, kwargs, path):
    """Only tuples and lists carry gradients back to their tensors (``split._accumulate``)."""
    for value in (*args, *kwargs.values()):
        _check_value(value, path)


def _check_value(x, path):
    if type(x) in (tuple, list):
        for v in x:
            _check_value(v, path)
    elif not isinstance(x, TensorProxy) and any(
            is_differentiable(leaf) and leaf.requires_grad for leaf in tree_flatten(x)[0]):
        raise NoVJPRuleError(f"the eager fallback of {path} takes a tensor that requires grad "
                             f"inside a {type(x).__name__}; only tensors in tuples and lists "
                             f"can be differentiated")


# -- the symbols ----------------------------------------------------------------------------
def _generator_state(device: str) -> torch.Tensor:
    device = torch.device(device)
    if device.type == "cpu":
        return torch.get_rng_state()
    return torch.get_device_module(device.type).get_rng_state(device)


def _rng_state_meta(device):
    state = _generator_state(device)
    return TensorProxy(shape=state.shape, dtype=state.dtype, device="cpu")


# The state of ``device``'s random generator now (a CPU uint8 tensor). Effectful: passes never
# merge two of them or drop one.
rng_state = Symbol("rng_state", _rng_state_meta, is_prim=True, module_alias="fallback_rules",
                   module=sys.modules[__name__], impl=_generator_state, tags={"effectful"})


def _fallback_vjp_meta(path, args, kwargs, cotangents, wrt, rng_states):
    leaves = tree_flatten((args, kwargs))[0]
    return tuple(TensorProxy.like(leaves[i], requires_grad=False) for i in wrt)


def _fallback_vjp_impl(path, args, kwargs, cotangents, wrt, rng_states):
    """Gradients of ``path(*args, **kwargs)`` for the flat input positions ``wrt``, given the
    cotangents of its outputs (``None`` where an output has none)."""
    fn = _functions[path]
    leaves, spec = tree_flatten((args, kwargs))
    inputs = []
    for i in wrt:
        leaves[i] = leaves[i].detach().requires_grad_(True)
        inputs.append(leaves[i])
    args, kwargs = tree_unflatten(leaves, spec)
    others = [torch.device(d) for d in rng_states if torch.device(d).type != "cpu"]
    device_type = others[0].type if others else "cuda"
    with torch.random.fork_rng(devices=others, device_type=device_type):
        for device, state in rng_states.items():
            _set_generator_state(device, state)
        with torch.enable_grad():
            outputs = fn(*args, **kwargs)
    if isinstance(outputs, tuple) and type(outputs) is not tuple:
        outputs = tuple(outputs)  # torch.return_types structures, as the meta function does
    pairs = [(out, g) for out, g in zip(tree_flatten(outputs)[0], tree_flatten(cotangents)[0])
             if g is not None and isinstance(out, torch.Tensor) and out.requires_grad]
    if not pairs:
        return tuple(torch.zeros_like(x) for x in inputs)
    outs, grads = zip(*pairs)
    return tuple(torch.autograd.grad(outs, inputs, grads, allow_unused=True,
                                     materialize_grads=True))


def _set_generator_state(device: str, state: torch.Tensor) -> None:
    device = torch.device(device)
    if device.type == "cpu":
        torch.set_rng_state(state)
    else:
        torch.get_device_module(device.type).set_rng_state(state, device)


# Effectful, like the fallback operation it re-runs: fusion executors never take it into a
# region (it calls torch's autograd and sets generator states), and passes never merge two.
fallback_vjp = Symbol("fallback_vjp", _fallback_vjp_meta, is_prim=True,
                      module_alias="fallback_rules", module=sys.modules[__name__],
                      impl=_fallback_vjp_impl, tags={"effectful"})
