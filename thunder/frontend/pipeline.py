"""The compiler on one screen: from a traced call to the callables a cache entry runs.

    computation trace (as interpreted)
      -> dead code elimination
      -> common subexpression elimination
      -> transform_for_execution (executors claim every symbol)
      -> dead code elimination
      -> python callable

Each step is a function ``Trace -> Trace`` from ``thunder.transforms`` or
``thunder.executors``; every intermediate trace is kept for ``thunder.last_traces``.
"""

from dataclasses import dataclass, field

from thunder.executors.passes import transform_for_execution
from thunder.frontend.prologue import build_prologue, prologue_callable
from thunder.transforms.cse import cse
from thunder.transforms.dce import dce


@dataclass
class CacheEntry:
    prologue: object
    computation: object
    prologue_traces: list
    computation_traces: list
    hits: int = 0
    extra: dict = field(default_factory=dict)


def compile_entry(computation, tracker, executors) -> CacheEntry:
    """Run the passes over a traced call and compile its prologue and computation."""
    traces = [computation]
    for step in (dce, cse):
        traces.append(step(traces[-1]))
    traces.append(transform_for_execution(traces[-1], executors))
    traces.append(dce(traces[-1]))
    traces[-1].pass_name = "execution trace (after " + traces[-2].pass_name + ", dce)"
    prologue = build_prologue(tracker, computation)
    return CacheEntry(
        prologue=prologue_callable(prologue),
        computation=traces[-1].python_callable(),
        prologue_traces=[prologue],
        computation_traces=traces,
    )
