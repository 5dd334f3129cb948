"""Running a forward/backward pair under torch's autograd.

``ThunderAutogradFunction`` is a ``torch.autograd.Function``: its ``forward`` runs the compiled
forward trace (with grad mode off) and keeps the saved tensors; its ``backward`` runs the
compiled backward trace. torch's autograd engine drives it, so ``.backward()``,
``torch.autograd.grad``, gradient accumulation, ``retain_graph`` and outputs used by later eager
code all behave as with any autograd Function.

NOTE [saved tensors of a compiled backward]
The saved tensors are kept in a list on the autograd context, not with ``save_for_backward``:
the backward trace takes that list, empties it and ``del``s each tensor after its last use, so
memory is released during the backward as eager's graph releases it node by node. When the
engine keeps the graph (``retain_graph=True``) the backward gets a copy of the list instead.
Version counters are recorded at forward time and checked in backward, so a saved tensor
modified in place in between raises the same kind of error eager raises.
"""

from dataclasses import dataclass

import torch

from thunder.core.pytree import tree_flatten, tree_unflatten


@dataclass
class CompiledAutograd:
    """The callables and layout one cache entry needs to run a differentiable call."""

    forward: object  # (*inputs) -> (outputs, saved)
    backward: object  # ([*saved, *cotangents]) -> tuple of input gradients
    differentiable_outputs: tuple  # per tensor leaf of the outputs: gets a cotangent?


class _CallResult:
    """Where ``ThunderAutogradFunction.forward`` leaves the outputs' structure for the caller."""

    __slots__ = ("spec", "leaves", "tensor_positions")


class ThunderAutogradFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, compiled, result, *inputs):
        with torch.no_grad():
            outputs, saved = compiled.forward(*inputs)
        leaves, spec = tree_flatten(outputs)
        positions = [i for i, x in enumerate(leaves) if isinstance(x, torch.Tensor)]
        result.spec, result.leaves, result.tensor_positions = spec, leaves, positions
        tensors = tuple(leaves[i] for i in positions)
        ctx.compiled = compiled
        ctx.saved = list(saved)
        ctx.versions = [t._version for t in saved]
        ctx.needs_grad = [t.requires_grad for t in inputs]
        ctx.input_meta = [(t.shape, t.dtype, t.device) for t in inputs]
        frozen = [t for t, differentiable in zip(tensors, compiled.differentiable_outputs)
                  if not differentiable]
        if frozen:
            ctx.mark_non_differentiable(*frozen)
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        if torch.is_grad_enabled():
            raise RuntimeError(
                "thunder.jit: double backward (create_graph=True, or differentiating a "
                "gradient) is not supported for jitted functions; compute higher-order "
                "gradients in eager mode")
        saved = ctx.saved
        if saved is None:
            raise RuntimeError("Trying to backward through the graph of a thunder.jit call a "
                               "second time; specify retain_graph=True the first time")
        for t, version in zip(saved, ctx.versions):
            if t._version != version:
                raise RuntimeError(
                    "one of the tensors a thunder.jit function saved for its backward has been "
                    "modified by an inplace operation after the forward call")
        if torch._C._autograd._get_current_graph_task_keep_graph():
            args = list(saved)
        else:
            args, ctx.saved = saved, None
        args.extend(g for g, d in zip(grads, ctx.compiled.differentiable_outputs) if d)
        del saved
        input_grads = ctx.compiled.backward(args)
        return (None, None) + tuple(
            _empty_gradient(meta) if g is None and needed and meta[0].numel() == 0 else
            (g if needed else None)
            for g, needed, meta in zip(input_grads, ctx.needs_grad, ctx.input_meta))


def _empty_gradient(meta):
    """Eager gives an empty tensor (not None) as the gradient of an empty input it used."""
    shape, dtype, device = meta
    return torch.zeros(shape, dtype=dtype, device=device)


def run_with_autograd(compiled: CompiledAutograd, inputs):
    """Run a compiled forward/backward pair on ``inputs``; returns the outputs' structure."""
    if not torch.is_grad_enabled():
        outputs, _ = compiled.forward(*inputs)
        return outputs
    result = _CallResult()
    tensors = ThunderAutogradFunction.apply(compiled, result, *inputs)
    leaves = list(result.leaves)
    for position, tensor in zip(result.tensor_positions, tensors):
        leaves[position] = tensor
    return tree_unflatten(leaves, result.spec)
