"""Thunder: a source-to-source trace compiler for PyTorch.

>>> import torch, thunder
>>> jfn = thunder.jit(lambda x: x.sin() + 1)
>>> out = jfn(torch.zeros(3))
>>> print(thunder.last_traces(jfn)[-1])  # doctest: +SKIP

NOTE: inside this package the name ``torch`` refers to the ``thunder.torch`` subpackage (the
torch-level operators), so this module imports PyTorch under no bare name.
"""

import thunder.torch  # noqa: F401  (registers the torch-level operators)
from thunder.executors.extend import (
    Executor,
    OperatorExecutor,
    get_all_executors,
    get_default_executors,
    get_executor,
    register_executor,
    set_default_executors,
)
from thunder.executors import torchex as _torchex
from thunder.executors import torchcompileex as _torchcompileex
from thunder.executors import sdpaex as _sdpaex
from thunder.executors import tritonex as _tritonex
from thunder.executors import nvfuserex as _nvfuserex
from thunder.frontend.api import (
    ThunderFunction,
    ThunderModule,
    cache_hits,
    cache_misses,
    compile_stats,
    jit,
    last_backward_traces,
    last_epilogue_traces,
    last_prologue_traces,
    last_traces,
)
from thunder.frontend.errors import UnsupportedOperationError
from thunder.frontend.examine import examine

# Triton kernels (on CUDA) claim their operators first; on CUDA nvFuser fuses what it can
# translate; the torch.compile executor fuses the rest, attention kernels and matrix products
# included (it pays on CPU: benchmarks/RESULTS.md), with the SDPA executor's gradients; what no
# region takes runs on the SDPA and torch executors.
set_default_executors([*_tritonex.default_executors(), *_nvfuserex.default_executors(),
                       _torchcompileex.ex, _sdpaex.ex, _torchex.ex])


def last_fusions(jfn) -> list:
    """The fusion regions of the last execution traces of ``jfn`` (forward, then backward).

    Each region prints as its body (``print(region)``); ``region.callable`` is what runs it.
    """
    traces = [last_traces(jfn)[-1]]
    backward = last_backward_traces(jfn)
    if backward:
        traces.append(backward[-1])
    return [region for trace in traces for region in trace.regions]


__version__ = "0.1.0"

__all__ = [
    "jit",
    "examine",
    "last_traces",
    "last_backward_traces",
    "last_prologue_traces",
    "last_epilogue_traces",
    "last_fusions",
    "cache_hits",
    "cache_misses",
    "compile_stats",
    "get_default_executors",
    "set_default_executors",
    "get_executor",
    "get_all_executors",
    "register_executor",
    "Executor",
    "OperatorExecutor",
    "ThunderFunction",
    "ThunderModule",
    "UnsupportedOperationError",
]
