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

set_default_executors([_torchex.ex])

__version__ = "0.1.0"

__all__ = [
    "jit",
    "examine",
    "last_traces",
    "last_backward_traces",
    "last_prologue_traces",
    "last_epilogue_traces",
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
