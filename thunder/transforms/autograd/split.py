"""``split_forward_backward``: a computation trace -> (forward trace, backward trace).

The forward trace computes the outputs and returns ``(outputs, saved)``, where ``saved`` are
the tensors the backward needs. The backward trace takes ``(*saved, *cotangents)`` (one
cotangent per differentiable output tensor, in order, named ``cotangent<i>`` after the
tensor's position) and returns one gradient per argument of
the computation trace (``None`` for arguments that need none).

NOTE [differentiating at the highest level]
Each bound symbol of the computation trace is differentiated at the highest level that has a
rule (``vjp_rules``): a torch-level op with a rule stays whole in the forward trace. One without
a rule stays whole too when its decomposition is cheap (``rematerialize.is_cheap``): its
backward then recomputes the decomposition's intermediates and differentiates its prims.
Otherwise it is replaced, in the forward, by its subsymbols, each handled the same way. A prim
without a rule is an error naming the prim and the concern ("no VJP rule").

Which values get gradients: a trace argument that requires grad, and every floating output of
a symbol with such an input whose proxy ``requires_grad`` (so ``torch.no_grad()`` regions and
``detach`` produce values that stop the gradient). ``set_grad_enabled`` symbols are dropped:
the forward trace always runs with grad mode off.

>>> import torch, thunder
>>> from thunder.transforms.autograd import split_forward_backward
>>> jfn = thunder.jit(lambda x: x.sin())
>>> _ = jfn(torch.ones(2, requires_grad=True))
>>> forward, backward = split_forward_backward(thunder.last_traces(jfn)[0])  # doctest: +SKIP
"""

from dataclasses import dataclass

import thunder.core.prims as prims
import thunder.torch as ltorch
from thunder.core.proxies import Proxy, TensorProxy
from thunder.core.pytree import tree_flatten, tree_map, tree_unflatten
from thunder.core.symbol import BoundSymbol
from thunder.core.trace import TraceCtx, from_trace
from thunder.core.tracectx import tracectx
from thunder.transforms.autograd.rules import (NoVJPRuleError, VJPRule, canonical_call,
                                               gradients_needed_for, is_differentiable,
                                               vjp_rules)
from thunder.transforms.dce import dce
from thunder.transforms.rematerialize import is_cheap


@dataclass
class _TapeEntry:
    bsym: BoundSymbol
    output: object  # the forward's output structure (after an augmented forward, its proxies)
    rule: VJPRule | None  # None: a cheap composite differentiated through its decomposition
    saved: object = None
    args: tuple = ()
    kwargs: dict | None = None


def split_forward_backward(trace: TraceCtx, executors=()) -> tuple[TraceCtx, TraceCtx]:
    """Split ``trace`` into a forward trace that saves what the backward needs and a backward
    trace; both are dead-code eliminated. ``executors`` (in priority order) may differentiate
    the symbols they run with their own kernels (NOTE [executor gradients] in
    thunder/executors/extend.py)."""
    builder = _Builder(trace, executors)
    forward = builder.build_forward()
    backward = builder.build_backward(forward)
    return builder.finish(forward, backward)


class _Builder:
    def __init__(self, trace: TraceCtx, executors=()):
        self.trace = trace
        self.executors = tuple(executors)
        self.active = {a.name for a in trace.args
                       if is_differentiable(a) and a.requires_grad}
        self.differentiable_args = set(self.active)
        self.swap: dict[str, Proxy] = {}
        self.tape: list[_TapeEntry] = []
        self.defined: set = {a.name for a in trace.args if isinstance(a, Proxy)}
        self.grads: dict[str, TensorProxy] = {}

    # -- forward ------------------------------------------------------------------------------
    def build_forward(self) -> TraceCtx:
        self.forward = from_trace(self.trace, "forward (autograd split)")
        with tracectx(self.forward):
            for bsym in self.trace.bound_symbols:
                if bsym.sym is ltorch.set_grad_enabled:
                    continue
                self._visit(self._renamed(bsym))
        self.forward.output = tree_map(self._swap, self.trace.output)
        return self.forward

    def _visit(self, bsym: BoundSymbol) -> None:
        if not self._needs_grad(bsym):
            self._emit(bsym)
            return
        args, kwargs = (bsym.args, bsym.kwargs) if bsym.sym.is_prim else \
            canonical_call(bsym.sym, bsym.args, bsym.kwargs)
        rule = _executor_rule(self.executors, bsym, args, kwargs) or vjp_rules.get(bsym.sym)
        if rule is not None and rule.applies_to(args, kwargs):
            self._apply_rule(bsym, rule, args, kwargs)
        elif bsym.subsymbols and is_cheap(bsym):
            self._emit(bsym)
            self._mark_active(bsym.output, bsym.output)
            self.tape.append(_TapeEntry(bsym, bsym.output, None))
        elif bsym.subsymbols:
            for sub in bsym.subsymbols:
                self._visit(self._renamed(sub))
        else:
            raise NoVJPRuleError(_missing_rule_message(bsym))

    def _apply_rule(self, bsym, rule, args, kwargs):
        if rule.forward is None:
            self._emit(bsym)
            output, saved = bsym.output, bsym.output
        else:
            output, saved = rule.forward(*args, **kwargs)
            self.defined.update(p.name for p in _proxies(output))
            self.defined.update(p.name for p in _proxies(saved))
            for old, new in zip(tree_flatten(bsym.output)[0], tree_flatten(output)[0]):
                if isinstance(old, Proxy) and isinstance(new, Proxy) and old.name != new.name:
                    self.swap[old.name] = new
        self._mark_active(bsym.output, output)
        self.tape.append(_TapeEntry(bsym, output, rule, saved, args, kwargs))

    def _emit(self, bsym):
        self.forward.bound_symbols.append(bsym)
        self.defined.update(p.name for p in bsym.flat_proxy_outs())

    def _needs_grad(self, bsym) -> bool:
        if not any(p.name in self.active for p in bsym.flat_proxy_args()):
            return False
        return any(is_differentiable(o) and o.requires_grad for o in bsym.flat_proxy_outs())

    def _mark_active(self, original, output):
        for old, new in zip(tree_flatten(original)[0], tree_flatten(output)[0]):
            if is_differentiable(old) and old.requires_grad and isinstance(new, Proxy):
                self.active.add(new.name)

    def _swap(self, x):
        return self.swap.get(x.name, x) if isinstance(x, Proxy) else x

    def _renamed(self, bsym):
        if not self.swap:
            return bsym
        return bsym.with_sym(
            bsym.sym, args=tree_map(self._swap, bsym.args),
            kwargs=tree_map(self._swap, bsym.kwargs),
            subsymbols=tuple(self._renamed(sub) for sub in bsym.subsymbols))

    # -- backward -----------------------------------------------------------------------------
    def build_backward(self, forward: TraceCtx) -> TraceCtx:
        backward = from_trace(forward, "backward (autograd split)")
        backward.name = "backward"
        self.backward = backward
        cotangents = []
        with tracectx(backward):
            tensors = [x for x in tree_flatten(forward.output)[0] if isinstance(x, TensorProxy)]
            for i, leaf in enumerate(tensors):
                if leaf.name in self.active:
                    name = cotangent_name(i)
                    backward.add_name(name)
                    g = TensorProxy(name, shape=leaf.shape, dtype=leaf.dtype, device=leaf.device)
                    cotangents.append(g)
                    self._accumulate(leaf, g, None)
            for entry in reversed(self.tape):
                self._backward(entry)
        backward.args = cotangents
        backward.output = tuple(self.grads.get(a.name) if a.name in self.differentiable_args
                                else None for a in self.trace.args)
        return backward

    def _backward(self, entry: _TapeEntry):
        leaves, spec = tree_flatten(entry.output)
        cotangents = [self.grads.get(x.name) if isinstance(x, Proxy) else None for x in leaves]
        if all(g is None for g in cotangents):
            return
        if entry.rule is None:
            self._backward_composite(entry.bsym)
            return
        g = cotangents[0] if isinstance(entry.output, Proxy) else \
            tree_unflatten(cotangents, spec)
        with gradients_needed_for(self.active):
            grads = entry.rule.backward(g, entry.saved, *entry.args, **entry.kwargs)
        for arg, grad in zip(entry.args, grads):
            self._accumulate(arg, grad, entry.bsym)
        if len(grads) > len(entry.args) and isinstance(grads[-1], dict):
            for name, grad in grads[-1].items():  # the keyword arguments' gradients
                self._accumulate(entry.kwargs[name], grad, entry.bsym)

    def _backward_composite(self, bsym: BoundSymbol):
        """Recompute the intermediates of a cheap composite, then differentiate its parts."""
        parts = list(_differentiable_parts(bsym))
        for part in parts:
            if any(o.name not in self.defined for o in part.flat_proxy_outs()):
                self.backward.bound_symbols.append(part)
        local = []
        for part in parts:
            if self._needs_grad(part):
                rule = vjp_rules.get(part.sym)
                if rule is None:
                    raise NoVJPRuleError(_missing_rule_message(part))
                self._mark_active(part.output, part.output)
                local.append(part)
        for part in reversed(local):
            args, kwargs = (part.args, part.kwargs) if part.sym.is_prim else \
                canonical_call(part.sym, part.args, part.kwargs)
            self._backward(_TapeEntry(part, part.output, vjp_rules[part.sym], part.output,
                                      args, kwargs))

    def _accumulate(self, arg, grad, bsym):
        if grad is None:
            return
        if isinstance(arg, (list, tuple)):
            for a, g in zip(arg, grad):
                self._accumulate(a, g, bsym)
            return
        if not isinstance(arg, TensorProxy) or arg.name not in self.active:
            return
        if tuple(grad.shape) != tuple(arg.shape):
            where = bsym.sym.print_name if bsym is not None else "the output"
            raise RuntimeError(f"autograd: the VJP rule of {where} gave a gradient of shape "
                               f"{grad.shape} for {arg.name} of shape {arg.shape}")
        if grad.dtype != arg.dtype:
            grad = prims.convert_element_type(grad, arg.dtype)
        previous = self.grads.get(arg.name)
        self.grads[arg.name] = grad if previous is None else ltorch.add(previous, grad)

    # -- saved tensors ------------------------------------------------------------------------
    def finish(self, forward, backward):
        backward = dce(backward)
        defined = {a.name for a in backward.args}
        needed: dict[str, Proxy] = {}
        for bsym in backward.bound_symbols:
            for p in bsym.flat_proxy_args():
                if p.name not in defined:
                    needed.setdefault(p.name, p)
            defined.update(p.name for p in bsym.flat_proxy_outs())
        for p in _proxies(backward.output):
            if p.name not in defined:
                needed.setdefault(p.name, p)
        order = {a.name: i for i, a in enumerate(self.trace.args) if isinstance(a, Proxy)}
        for bsym in forward.bound_symbols:
            for p in bsym.flat_proxy_outs():
                order.setdefault(p.name, len(order))
        saved = tuple(sorted(needed.values(), key=lambda p: order.get(p.name, len(order))))
        forward.output = (forward.output, saved)
        forward = dce(forward)
        forward.pass_name = "forward (autograd split)"
        backward.args = list(saved) + list(backward.args)
        backward.pass_name = "backward (autograd split)"
        return forward, backward


def cotangent_name(position: int) -> str:
    """The backward argument for the cotangent of the forward's ``position``-th output tensor
    (outputs that get no gradient have none)."""
    return f"cotangent{position}"


def differentiable_outputs(forward: TraceCtx, backward: TraceCtx) -> tuple:
    """Per output tensor of ``forward``: does ``backward`` take a cotangent for it?"""
    outputs, _ = forward.output
    names = {a.name for a in backward.args}
    count = sum(isinstance(x, TensorProxy) for x in tree_flatten(outputs)[0])
    return tuple(cotangent_name(i) in names for i in range(count))


def _executor_rule(executors, bsym, args, kwargs):
    """The gradient of the first executor that has one for ``bsym`` or can run it whole with a
    kernel of its own (a fusion executor fuses whatever the rule emits, so it does not stop the
    search: the SDPA executor's fused kernels still serve attention fused by torch.compile)."""
    for executor in executors:
        rule = executor.grad_rule(bsym.sym, args, kwargs)
        if rule is not None:
            return rule
        if executor.can_execute(bsym) and not executor.fuses_regions:
            return None
    return None


def _differentiable_parts(bsym):
    """The subsymbols of ``bsym`` at the highest level with a rule (or prims)."""
    for sub in bsym.subsymbols:
        rule = vjp_rules.get(sub.sym)
        if rule is not None and rule.forward is None and not sub.sym.is_prim:
            args, kwargs = canonical_call(sub.sym, sub.args, sub.kwargs)
            if rule.applies_to(args, kwargs):
                yield sub
                continue
        if sub.subsymbols:
            yield from _differentiable_parts(sub)
        else:
            yield sub


def _proxies(x):
    return [p for p in tree_flatten(x)[0] if isinstance(p, Proxy)]


def _missing_rule_message(bsym) -> str:
    where = ""
    if bsym.source is not None:
        where = f" (called at {bsym.source[0]}:{bsym.source[1]})"
    return (f"{bsym.sym.print_name} has no VJP rule and no decomposition, so its gradient "
            f"cannot be computed{where}; add one with "
            f"thunder.transforms.autograd.rules.def_vjp({bsym.sym.print_name})")
