"""The compiler on one screen: from a traced call to the callables a cache entry runs.

    computation trace (as interpreted)
      -> dead code elimination
      -> common subexpression elimination
      without grad:                            with an input requiring grad (grad mode on):
      -> transform_for_execution               -> split_forward_backward
      -> dead code elimination                 -> rematerialization
      -> del_last_used                         -> for forward and backward each:
      -> python callable                            transform_for_execution, dce, del_last_used
                                               -> ThunderAutogradFunction (torch autograd)

Each step is a function ``Trace -> Trace`` from ``thunder.transforms`` or
``thunder.executors``; every intermediate trace is kept for ``thunder.last_traces`` (and
``thunder.last_backward_traces``).
"""

from dataclasses import dataclass, field
from functools import partial

import torch

from thunder.core.proxies import TensorProxy
from thunder.executors.passes import transform_for_execution
from thunder.executors.torch_autograd import CompiledAutograd, run_with_autograd
from thunder.frontend.prologue import build_prologue, prologue_callable
from thunder.transforms.autograd import differentiable_outputs, split_forward_backward
from thunder.transforms.cse import cse
from thunder.transforms.dce import dce
from thunder.transforms.del_last_used import del_last_used
from thunder.transforms.rematerialize import rematerialize


@dataclass
class CacheEntry:
    prologue: object
    computation: object
    prologue_traces: list
    computation_traces: list
    hits: int = 0
    extra: dict = field(default_factory=dict)
    backward_traces: list = field(default_factory=list)


def compile_entry(computation, tracker, executors) -> CacheEntry:
    """Run the passes over a traced call and compile its prologue and computation."""
    traces = [computation]
    for step in (dce, cse):
        traces.append(step(traces[-1]))
    prologue = build_prologue(tracker, computation)
    entry = CacheEntry(prologue=prologue_callable(prologue), computation=None,
                       prologue_traces=[prologue], computation_traces=traces)
    if _needs_autograd(traces[-1]):
        _compile_autograd(entry, traces[-1], executors)
    else:
        traces.extend(_execution_passes(traces[-1], executors))
        entry.computation = traces[-1].python_callable()
    return entry


def _execution_passes(trace, executors, *, consume_args=False) -> list:
    claimed = transform_for_execution(trace, executors, owns_args=consume_args)
    cleaned = dce(claimed)
    cleaned.pass_name = f"dce (after {claimed.pass_name})"
    final = del_last_used(cleaned, consume_args=consume_args)
    final.pass_name = f"execution trace (after {claimed.pass_name}, dce, del_last_used)"
    return [claimed, cleaned, final]


def _needs_autograd(trace) -> bool:
    return torch.is_grad_enabled() and any(
        isinstance(a, TensorProxy) and a.requires_grad for a in trace.args)


def _compile_autograd(entry: CacheEntry, trace, executors) -> None:
    forward, backward = split_forward_backward(trace, executors)
    entry.computation_traces.append(forward)
    entry.backward_traces.append(backward)
    forward, backward = rematerialize(forward, backward)
    entry.computation_traces.append(forward)
    entry.backward_traces.append(backward)
    entry.computation_traces.extend(_execution_passes(forward, executors))
    entry.backward_traces.extend(_execution_passes(backward, executors, consume_args=True))
    differentiable = differentiable_outputs(forward, backward)
    compiled = CompiledAutograd(
        forward=entry.computation_traces[-1].python_callable(),
        backward=entry.backward_traces[-1].python_callable(),
        differentiable_outputs=differentiable)
    entry.computation = partial(_call_autograd, compiled)


def _call_autograd(compiled, *inputs):
    return run_with_autograd(compiled, inputs)
