"""Running a forward/backward pair under torch's autograd.

``ThunderAutogradFunction`` is a ``torch.autograd.Function``: its ``forward`` runs the compiled
forward trace (torch's ``Function.apply`` already turns grad mode off around it) and keeps the
saved tensors; its ``backward`` runs the compiled backward trace. torch's autograd engine
drives it, so ``.backward()``, ``torch.autograd.grad``, gradient accumulation, ``retain_graph``
and outputs used by later eager code all behave as with any autograd Function.

NOTE [saved tensors of a compiled backward]
The saved tensors are kept in a list on the autograd context, not with ``save_for_backward``:
the backward trace takes that list, empties it and ``del``s each tensor after its last use, so
memory is released during the backward as eager's graph releases it node by node. The
incoming gradients arrive the same way (``boxed_grads_call``: one list, moved into the
backward's argument list), so a cotangent is freed after its last use instead of living until
the backward returns. When the engine keeps the graph (``retain_graph=True``) the backward
gets a copy of the saved list instead. Version counters are recorded at forward time and
checked in backward, so a saved tensor modified in place in between raises the same kind of
error eager raises. A saved tensor that is also an output is kept as its ``detach()``ed alias
(same storage, same version counter): the output itself would point back to the context
through its ``grad_fn`` (output -> grad_fn -> context -> saved list -> output), a reference
cycle that only the garbage collector frees, so a graph never backpropagated (a forward with
grad enabled, then the output dropped) would hold its saved tensors until a collection.

NOTE [per-call work of a compiled autograd call]
A call runs under the entry's prologue, which has checked the shape, dtype, device and
``requires_grad`` of every input, so whatever depends only on those is the same at every call
of one ``CompiledAutograd`` and is worked out once: which inputs are empty (their gradient
must be an empty tensor, not None, as in eager), which outputs are non-differentiable. Per
call remain: the forward itself, the saved list and its version counters, and the few
attribute writes on the autograd context. Which saved tensors are outputs is also worked out
at the first call: the forward trace returns the same proxy in both places.
"""

from dataclasses import dataclass, field

import torch

from thunder.core.pytree import tree_flatten, tree_unflatten


@dataclass
class CompiledAutograd:
    """The callables and layout one cache entry needs to run a differentiable call."""

    forward: object  # (*inputs) -> (outputs, saved)
    backward: object  # ([*saved, *cotangents]) -> tuple of input gradients
    differentiable_outputs: tuple  # per tensor leaf of the outputs: gets a cotangent?
    # worked out once (NOTE [per-call work of a compiled autograd call]):
    frozen_positions: tuple = field(init=False)  # tensor outputs without a gradient
    empty_inputs: tuple | None = field(init=False, default=None)  # (index, shape, dtype, device)
    saved_outputs: tuple | None = field(init=False, default=None)  # positions in the saved list

    def __post_init__(self):
        self.frozen_positions = tuple(
            i for i, differentiable in enumerate(self.differentiable_outputs)
            if not differentiable)


class _CallResult:
    """Where ``ThunderAutogradFunction.forward`` leaves the outputs' structure for the caller
    (``spec`` None: the tensors ``apply`` returns are the outputs as they are)."""

    __slots__ = ("spec", "leaves", "tensor_positions")

    def __init__(self):
        self.spec = None


class ThunderAutogradFunction(torch.autograd.Function):
    # torch >= 2.13 then calls backward(ctx, grads) with one list it may empty; older versions
    # ignore the attribute and pass the gradients as separate arguments
    boxed_grads_call = True

    @staticmethod
    def forward(ctx, compiled, result, *inputs):
        outputs, saved = compiled.forward(*inputs)
        if not isinstance(outputs, torch.Tensor) and not _is_tensor_tuple(outputs):
            leaves, spec = tree_flatten(outputs)
            positions = [i for i, x in enumerate(leaves) if isinstance(x, torch.Tensor)]
            result.spec, result.leaves, result.tensor_positions = spec, leaves, positions
            outputs = tuple(leaves[i] for i in positions)
        saved = list(saved)
        if compiled.saved_outputs is None:
            _first_call_layout(compiled, inputs, outputs, saved)
        for i in compiled.saved_outputs:
            saved[i] = saved[i].detach()
        ctx.compiled = compiled
        ctx.saved = saved
        ctx.versions = [t._version for t in saved]
        if compiled.frozen_positions:
            tensors = (outputs,) if isinstance(outputs, torch.Tensor) else outputs
            ctx.mark_non_differentiable(*(tensors[i] for i in compiled.frozen_positions))
        return outputs

    @staticmethod
    def backward(ctx, *grads):
        if len(grads) == 1 and type(grads[0]) is list:  # boxed (see above)
            grads = grads[0]
        else:
            grads = list(grads)
        if torch.is_grad_enabled():
            raise RuntimeError(
                "thunder.jit: double backward (create_graph=True, or differentiating a "
                "gradient) is not supported for jitted functions; compute higher-order "
                "gradients in eager mode")
        saved = ctx.saved
        if saved is None:
            raise RuntimeError("Trying to backward through the graph of a thunder.jit call a "
                               "second time; specify retain_graph=True the first time")
        if [t._version for t in saved] != ctx.versions:
            raise RuntimeError(
                "one of the tensors a thunder.jit function saved for its backward has been "
                "modified by an inplace operation after the forward call")
        compiled = ctx.compiled
        if torch._C._autograd._get_current_graph_task_keep_graph():
            args = list(saved)
        else:
            args, ctx.saved = saved, None
        del saved
        if compiled.frozen_positions:
            args.extend(g for g, d in zip(grads, compiled.differentiable_outputs) if d)
        else:
            args.extend(grads)
        grads.clear()  # the backward trace now holds the only references to the cotangents
        input_grads = compiled.backward(args)
        if compiled.empty_inputs:
            input_grads = _with_empty_gradients(input_grads, compiled.empty_inputs,
                                                ctx.needs_input_grad)
        return (None, None, *input_grads)


def _first_call_layout(compiled, inputs, outputs, saved) -> None:
    """NOTE [per-call work of a compiled autograd call]: the empty inputs, and the saved
    tensors that are outputs (kept detached: NOTE [saved tensors of a compiled backward])."""
    compiled.empty_inputs = tuple(
        (i, t.shape, t.dtype, t.device) for i, t in enumerate(inputs) if t.numel() == 0)
    returned = {id(t) for t in ((outputs,) if isinstance(outputs, torch.Tensor) else outputs)}
    compiled.saved_outputs = tuple(i for i, t in enumerate(saved) if id(t) in returned)


def _is_tensor_tuple(outputs) -> bool:
    if type(outputs) is not tuple:
        return False
    for x in outputs:
        if not isinstance(x, torch.Tensor):
            return False
    return True


def _with_empty_gradients(input_grads, empty_inputs, needs_input_grad):
    """Eager gives an empty tensor (not None) as the gradient of an empty input it used."""
    input_grads = list(input_grads)
    for i, shape, dtype, device in empty_inputs:
        if input_grads[i] is None and needs_input_grad[i + 2]:
            input_grads[i] = torch.zeros(shape, dtype=dtype, device=device)
    return input_grads


# ``Function.apply`` in Python only binds default arguments (for a ``setup_context`` we do
# not define) and unwraps dead functorch wrappers before calling the C++ ``apply``; calling
# that directly saves a generator and an ``isinstance`` per input on every call.
_c_apply = super(torch.autograd.Function, ThunderAutogradFunction).apply
_unwrap_if_dead = torch._C._functorch.unwrap_if_dead
_functorch_active = torch._C._are_functorch_transforms_active


def run_with_autograd(compiled: CompiledAutograd, inputs):
    """Run a compiled forward/backward pair on ``inputs``; returns the outputs' structure."""
    if not torch.is_grad_enabled():
        outputs, _ = compiled.forward(*inputs)
        return outputs
    result = _CallResult()
    if _functorch_active():
        tensors = ThunderAutogradFunction.apply(compiled, result, *inputs)
    else:  # see NOTE [functorch vjp and autograd interaction] in torch
        tensors = _c_apply(compiled, result, *map(_unwrap_if_dead, inputs))
    if result.spec is None:
        return tensors
    if isinstance(tensors, torch.Tensor):
        tensors = (tensors,)
    leaves = list(result.leaves)
    for position, tensor in zip(result.tensor_positions, tensors):
        leaves[position] = tensor
    return tree_unflatten(leaves, result.spec)
