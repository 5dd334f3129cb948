"""Test helpers: trace a function and run it either as torch-level ops or fully decomposed.

``run_decomposed`` executes only the prims a function's torch-level operators decompose into,
which checks the decompositions (and the prims' meta functions) against eager torch, while
``thunder.jit`` normally runs whole torch-level ops through torch.
"""

import torch

from thunder.core.proxies import Proxy, TensorProxy, proxy_for_tensor
from thunder.core.pytree import tree_flatten, tree_unflatten
from thunder.core.trace import TraceCtx, from_trace
from thunder.core.tracectx import tracectx
import thunder.torch  # noqa: F401


def trace_directly(fn, args, kwargs):
    """Call ``fn`` on proxies (no interpreter) and return (trace, flat tensor inputs)."""
    trace = TraceCtx()
    with tracectx(trace):
        leaves, spec = tree_flatten((args, kwargs))
        proxies = [proxy_for_tensor(x) if isinstance(x, torch.Tensor) else x for x in leaves]
        trace.args = [p for p in proxies if isinstance(p, TensorProxy)]
        pargs, pkwargs = tree_unflatten(proxies, spec)
        trace.output = fn(*pargs, **pkwargs)
    tensors = [x for x in leaves if isinstance(x, torch.Tensor)]
    return trace, tensors


def flatten_to_prims(trace):
    """A trace whose bound symbols are all prims (composites replaced by their subsymbols)."""
    new = from_trace(trace, "flatten to prims")

    def visit(bsym):
        if bsym.sym.is_prim:
            new.bound_symbols.append(bsym)
        elif not bsym.subsymbols and bsym.output is not None and _forwards(bsym):
            return
        else:
            for sub in bsym.subsymbols:
                visit(sub)

    for bsym in trace.bound_symbols:
        visit(bsym)
    return new


def _forwards(bsym):
    """A composite without subsymbols returns one of its inputs (e.g. a no-op reshape)."""
    ins = {id(a) for a in bsym.flat_proxy_args()}
    return all(id(o) in ins for o in bsym.flat_proxy_outs())


def run_decomposed(fn, *args, **kwargs):
    """Run ``fn`` through its prim decomposition; returns what ``fn`` would return."""
    trace, tensors = trace_directly(fn, args, kwargs)
    return flatten_to_prims(trace).python_callable()(*tensors)


def assert_close(actual, expected, **kwargs):
    """torch.testing.assert_close over nested outputs, also comparing dtypes and Python values."""
    a_leaves, a_spec = tree_flatten(actual)
    e_leaves, e_spec = tree_flatten(expected)
    assert a_spec == e_spec, f"output structures differ: {a_spec} vs {e_spec}"
    for a, e in zip(a_leaves, e_leaves):
        if isinstance(e, torch.Tensor):
            assert isinstance(a, torch.Tensor), f"expected a tensor, got {type(a)}"
            torch.testing.assert_close(a, e, equal_nan=True, **kwargs)
        else:
            assert not isinstance(a, Proxy), f"a proxy escaped: {a}"
            assert a == e or (a != a and e != e), f"{a!r} != {e!r}"
