"""Thunder: a source-to-source trace compiler for PyTorch (provisional entry point)."""

import torch as pytorch  # NOTE: "torch" in this namespace is the thunder.torch package

from thunder.core.proxies import TensorProxy, proxy_for_tensor
from thunder.core.pytree import tree_flatten, tree_unflatten
from thunder.core.trace import TraceCtx
from thunder.core.tracectx import tracectx
import thunder.torch  # noqa: F401  (registers the torch-level operators)


def jit(fn):
    """Provisional: traces by calling ``fn`` on proxies, runs the trace eagerly."""

    def wrapper(*args, **kwargs):
        trace = TraceCtx()
        with tracectx(trace):
            leaves, spec = tree_flatten((args, kwargs))
            proxies = [proxy_for_tensor(x) if isinstance(x, pytorch.Tensor) else x for x in leaves]
            trace.args = [p for p in proxies if isinstance(p, TensorProxy)]
            pargs, pkwargs = tree_unflatten(proxies, spec)
            trace.output = fn(*pargs, **pkwargs)
        tensors = [x for x in leaves if isinstance(x, pytorch.Tensor)]
        return trace.python_callable()(*tensors)

    return wrapper
