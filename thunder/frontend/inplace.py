"""In-place operations inside traced code, made functional.

NOTE [in-place operations]
``x.add_(1)``, ``x[idx] = v``, ``x += y``, ``F.relu(x, inplace=True)`` and the like are traced as
their out-of-place forms (``ltorch.add``, ``ltorch.setitem``...). The Python object ``x`` the user
holds keeps standing for the tensor: ``Functionalizer.latest`` maps it to the proxy of its
current value, and every use of ``x`` afterwards (by an operator, a data-dependent branch, the
output, the epilogue) reads that proxy. When ``x`` came from outside the function (an argument,
a parameter or buffer), the epilogue copies its final value back into the caller's tensor, so
the caller sees eager's mutation. The trace itself stays functional.

Not supported (an ``UnsupportedOperationError`` naming the line, never a silent result): in-place
updates of a tensor that shares memory with another one in the traced code (a view such as
``x[0]`` or ``x.view(-1)``, or a tensor that has views), of an input that is not a leaf and
requires grad, and random in-place fills (``uniform_``, ``normal_``...).
"""

import torch

import thunder.torch as ltorch
from thunder.core.proxies import Proxy, TensorProxy, tensor_methods
from thunder.frontend.errors import unsupported

# Symbols (by name) whose output may share memory with their first input.
VIEW_OPS = frozenset({
    "view", "view_as", "reshape", "reshape_as", "permute", "transpose", "swapaxes", "swapdims",
    "t", "T", "mT", "H", "mH", "adjoint", "expand", "expand_as", "broadcast_to", "squeeze",
    "unsqueeze", "flatten", "unflatten", "narrow", "select", "split", "split_with_sizes",
    "chunk", "tensor_split", "unbind", "movedim", "moveaxis", "diagonal", "getitem", "detach",
    "contiguous", "to", "type", "type_as", "float", "double", "half", "bfloat16", "int", "long",
    "short", "bool", "byte", "char", "cpu", "cuda", "real", "imag", "view_as_real",
    "view_as_complex", "as_strided", "alias", "hsplit", "vsplit", "dsplit", "atleast_1d",
    "atleast_2d", "atleast_3d", "data",
})

# In-place dunders and the out-of-place method each one becomes.
_INPLACE_DUNDERS = {
    "__iadd__": "add", "__isub__": "sub", "__imul__": "mul", "__itruediv__": "div",
    "__ifloordiv__": "floor_divide", "__imod__": "remainder", "__ipow__": "pow",
    "__iand__": "bitwise_and", "__ior__": "bitwise_or", "__ixor__": "bitwise_xor",
    "__ilshift__": "bitwise_left_shift", "__irshift__": "bitwise_right_shift",
    "__imatmul__": "matmul",
}
_RANDOM_FILLS = frozenset({"uniform_", "normal_", "bernoulli_", "random_", "exponential_",
                           "geometric_", "cauchy_", "log_normal_"})


def _zero(target):
    return ltorch.zeros_like(target)


def _fill(target, value):
    if isinstance(value, TensorProxy):
        return ltorch.expand(ltorch.to(value, target.dtype), target.shape)
    return ltorch.full_like(target, value)


def _copy(target, source, non_blocking=False):
    source = ltorch.to(source, device=target.device, dtype=target.dtype)
    return ltorch.clone(ltorch.expand(source, target.shape))


# In-place methods whose out-of-place form is not a Tensor method of the same name.
FUNCTIONAL_BUILDERS = {"zero_": _zero, "fill_": _fill, "copy_": _copy}


def functional_name(name: str) -> str | None:
    """The out-of-place Tensor method of an in-place one (``add_`` -> ``add``), or None."""
    if name in _INPLACE_DUNDERS:
        return _INPLACE_DUNDERS[name]
    if name == "__setitem__":
        return "setitem"
    if name.endswith("_") and not name.endswith("__") and name not in _RANDOM_FILLS:
        return name[:-1]
    return None


class Functionalizer:
    """The current value of every tensor updated in place during one tracing."""

    def __init__(self, tracker):
        self.tracker = tracker
        self.latest: dict[int, TensorProxy] = {}  # id(proxy the user holds) -> current value
        self.holders: dict[int, TensorProxy] = {}  # keeps the user's proxies alive
        self.view_of: set[int] = set()  # proxies that may share memory with their input
        self.has_views: set[int] = set()  # proxies some view was taken of
        self.mutated_inputs: dict[int, TensorProxy] = {}  # id(input proxy) -> input proxy

    def current(self, x):
        """What ``x`` stands for now (its latest value if it was updated in place)."""
        if isinstance(x, Proxy):
            return self.latest.get(id(x), x)
        if type(x) in (list, tuple) and self.latest:
            return type(x)(self.current(v) for v in x)
        return x

    def note_views(self, name: str, args, output) -> None:
        """After ``name`` ran: remember which outputs may alias which input."""
        if name not in VIEW_OPS or not args or not isinstance(args[0], TensorProxy):
            return
        base = args[0]
        outputs = output if type(output) in (list, tuple) else (output,)
        for out in outputs:
            if isinstance(out, TensorProxy):
                self.view_of.add(id(out))
                self.has_views.add(id(base))
                self.holders[id(out)] = out

    def update(self, target: TensorProxy, value: TensorProxy, what: str) -> None:
        """Record that ``target`` (the proxy the user holds) now has ``value``."""
        if id(target) in self.view_of or id(target) in self.has_views:
            raise unsupported(f"the in-place operation {what} on a tensor that shares memory "
                              f"with another tensor of the function (a view)")
        current = self.current(target)
        if value.shape != current.shape:
            raise RuntimeError(f"output with shape {list(current.shape)} doesn't match the "
                               f"broadcast shape {list(value.shape)}")
        if value.dtype != current.dtype:
            if value.dtype.is_floating_point and not current.dtype.is_floating_point or (
                    value.dtype.is_complex and not current.dtype.is_complex):
                raise RuntimeError(f"result type {_type_name(value.dtype)} can't be cast to the "
                                   f"desired output type {_type_name(current.dtype)}")
            value = tensor_methods["to"](value, current.dtype)
        self.latest[id(target)] = value
        self.holders[id(target)] = target
        self._check_input(target, what)

    def _check_input(self, target, what):
        tracker = self.tracker
        if id(target) not in tracker.input_prov:
            return
        real = next((t for t, p in tracker.tensor_proxies.values() if p is target), None)
        if real is not None and real.requires_grad and torch.is_grad_enabled():
            if real.is_leaf:
                raise RuntimeError("a leaf Variable that requires grad is being used in an "
                                   "in-place operation.")
            raise unsupported(f"the in-place operation {what} on an input that requires grad")
        self.mutated_inputs[id(target)] = target

    def final_inputs(self):
        """(input proxy, its final value) for every input updated in place."""
        return [(p, self.latest[id(p)]) for p in self.mutated_inputs.values()]


def _type_name(dtype) -> str:
    return {torch.float32: "Float", torch.float64: "Double", torch.float16: "Half",
            torch.bfloat16: "BFloat16", torch.int64: "Long", torch.int32: "Int",
            torch.int16: "Short", torch.int8: "Char", torch.uint8: "Byte",
            torch.bool: "Bool", torch.complex64: "ComplexFloat"}.get(dtype, str(dtype))


def batch_norm_updating_stats(functionalizer, input, running_mean, running_var, weight=None,
                              bias=None, training=False, momentum=0.1, eps=1e-05):
    """``F.batch_norm(training=True)`` with running statistics: the output from the batch
    statistics, and the running statistics updated in place as torch does
    (``running = (1 - momentum) * running + momentum * batch``, the variance unbiased)."""
    current = functionalizer.current
    output = ltorch.batch_norm(current(input), None, None, current(weight), current(bias),
                               True, momentum, eps)
    dims = [0] + list(range(2, input.ndim))
    count = input.numel() // input.shape[1]
    stats_input = ltorch.to(current(input), running_mean.dtype) if running_mean is not None \
        else current(input)
    with torch.no_grad():
        if running_mean is not None:
            mean = ltorch.mean(stats_input, dims)
            new_mean = ltorch.add(ltorch.mul(current(running_mean), 1 - momentum),
                                  ltorch.mul(mean, momentum))
            functionalizer.update(running_mean, new_mean, "batch_norm's running_mean update")
        if running_var is not None:
            var = ltorch.var(stats_input, dims, correction=1 if count > 1 else 0)
            new_var = ltorch.add(ltorch.mul(current(running_var), 1 - momentum),
                                 ltorch.mul(var, momentum))
            functionalizer.update(running_var, new_var, "batch_norm's running_var update")
    return output
