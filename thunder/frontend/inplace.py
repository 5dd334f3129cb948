"""In-place operations inside traced code, made functional.

NOTE [in-place operations]
``x.add_(1)``, ``x[idx] = v``, ``x += y``, ``F.relu(x, inplace=True)`` and the like are traced as
their out-of-place forms (``ltorch.add``, ``ltorch.setitem``...). The Python object ``x`` the user
holds keeps standing for the tensor: ``Functionalizer.latest`` maps it to the proxy of its
current value, and every use of ``x`` afterwards (by an operator, a data-dependent branch, the
output, the epilogue) reads that proxy. When ``x`` came from outside the function (an argument,
a parameter or buffer), the epilogue copies its final value back into the caller's tensor, so
the caller sees eager's mutation. The trace itself stays functional.

Views. Every tensor that may share memory with another one is a *view* of a *base* (a tensor
that is not a view): ``Functionalizer.views`` records, for each view proxy, its base and the
steps (``getitem``, ``t``, ``diagonal``, ``view``...) that derive it from the base. Whether an
operation returns a view, the tensor itself or a copy is eager's decision: the operation is
replayed on a "meta" tensor (no data) with eager's layout of its input, and its output is a view
when it shares that tensor's storage (``reshape`` of a transposed input copies, ``x.float()`` of
a float tensor is ``x``, ``F.dropout(x, training=False)`` is ``x``). Then:

- updating a view in place computes the view's new value, and the base's new value by writing
  it back: the steps are replayed on ``arange(base.numel())`` to learn which elements of the
  base the view holds, and one ``index_put`` writes them (a view made only by reshapes is
  simply reshaped back). The base gets a new version;
- a view whose base has a newer version than the view's value is derived again from the base's
  current value when it is next used, so every alias (earlier views, the base, views of views)
  sees the update, as in eager. Gradients follow the functional program, so they are eager's;
- an update autograd does not see (in ``no_grad`` mode, or through ``.detach()``/``.data``)
  of a tensor that requires grad gives the new values the old gradient path:
  ``detach(new) + (old - detach(old))``, exact unless ``old`` holds infinities or NaNs;
- eager's errors are kept: in-place on a view of a leaf that requires grad, on an output of
  ``unbind``/``split``/``chunk`` that requires grad, on a view made in ``no_grad`` mode of a
  tensor that requires grad, (for ops other than ``fill_``/``zero_``) on a view whose elements
  overlap in memory (``expand``), and an operand that overlaps the updated memory in part
  (``x.add_(x[0])``, ``check_operands``). Eager's errors in the backward for a tensor saved
  by autograd and then updated are not reproduced: the functional program has its gradient.

The meta tensor of an input has the input's real strides; its strides are checked by the
prologue when a layout-dependent operation (``reshape``, ``view``, ``contiguous``...) was taken
of it in a function that updates something in place. A tensor computed inside the function is
assumed to have eager's default contiguous layout; that is eager's layout except for results of
elementwise operations on transposed or permuted views, where ``reshape``/``flatten`` of the
result may copy in eager but is treated as a view here.

Inputs that share memory. The same tensor passed twice is one proxy (the prologue checks the
two arguments are still the same object). Distinct input tensors that share memory (``x`` and
``x[0]``) are handled when one of them is first updated: all inputs on that storage become views
of one more input, the *storage* (``torch.as_strided`` of the covered range, read by the
prologue), so an update through one is seen through the others, and the epilogue writes the
storage back. Such an entry checks in its prologue that the inputs still share memory with the
same strides and offsets. An entry that updates inputs in place checks instead that they share
no memory with its other inputs. A call with another aliasing pattern fails that check and is
traced as its own cache entry, so a result is never computed under the wrong assumption. (These
checks exist only in entries that update an input: the cached path of other entries is
unchanged.)

Not supported (an ``UnsupportedOperationError`` naming the line, never a silent result): updates
through views that reinterpret the data (``view(dtype)``, ``view_as_real``, ``.real`` of a
complex tensor), that an eager-fallback operation made (``unfold``, ``as_strided``), or that a
0-d index tensor made, and reading such a view after its base changed; updates of an input that
is not a leaf and requires grad (except through ``.detach()``/``.data``), or of inputs sharing
memory where one requires grad; an input that shares memory with an updated one and is first
read after the update; in-place ops that change metadata (``t_``, ``squeeze_``...); random
in-place fills (``uniform_``, ``normal_``...). Views returned from the function are new tensors,
not views of each other or of the inputs.
"""

from dataclasses import dataclass

import torch

import thunder.torch as ltorch
from thunder.core.proxies import Proxy, TensorProxy, tensor_methods
from thunder.core.tracectx import get_tracectx
from thunder.frontend.errors import unsupported
from thunder.frontend.fallback import is_fallback
from thunder.frontend.prologue import STORAGE

# Symbols (by name) whose output may share memory with their first input; eager decides which
# outputs do (NOTE [in-place operations]).
VIEW_OPS = frozenset({
    "view", "view_as", "reshape", "reshape_as", "permute", "transpose", "swapaxes", "swapdims",
    "t", "T", "mT", "H", "mH", "adjoint", "expand", "expand_as", "broadcast_to", "squeeze",
    "unsqueeze", "flatten", "unflatten", "narrow", "select", "split", "split_with_sizes",
    "chunk", "tensor_split", "unbind", "movedim", "moveaxis", "diagonal", "getitem", "detach",
    "contiguous", "to", "type", "type_as", "float", "double", "half", "bfloat16", "int", "long",
    "short", "bool", "byte", "char", "cpu", "cuda", "real", "imag", "view_as_real",
    "view_as_complex", "as_strided", "alias", "hsplit", "vsplit", "dsplit", "atleast_1d",
    "atleast_2d", "atleast_3d", "data", "unfold", "positive", "ravel", "dropout",
    "alpha_dropout", "feature_alpha_dropout", "conj", "resolve_conj", "resolve_neg",
})
# Conversions: the tensor itself when they change nothing (eager returns ``self``).
_CONVERSIONS = frozenset({"to", "type", "type_as", "float", "double", "half", "bfloat16", "int",
                          "long", "short", "bool", "byte", "char", "cpu", "cuda"})
# Views that may change the dtype: their elements are not the base's elements.
_REINTERPRETING = frozenset({"view", "view_as_real", "view_as_complex", "real", "imag"})
# Whether these return a view depends on the strides of their input.
_LAYOUT_DEPENDENT = frozenset({"view", "view_as", "reshape", "reshape_as", "flatten", "ravel",
                               "contiguous"})
# Views whose elements are the base's in the same (row-major) order: written back by a reshape.
_RESHAPES = frozenset({"view", "view_as", "reshape", "reshape_as", "flatten", "unflatten",
                       "squeeze", "unsqueeze", "atleast_1d", "atleast_2d", "atleast_3d",
                       "ravel", "detach", "contiguous", "alias", "positive"})
# Operations returning several views, as eager names them in its error message.
_MULTI_OUTPUT = {"unbind": "Unbind", "split": "Split", "chunk": "Split",
                 "split_with_sizes": "SplitWithSizes", "tensor_split": "TensorSplit",
                 "hsplit": "Split", "vsplit": "Split", "dsplit": "Split"}
# Builtins that run natively and iterate or compute with the tensors they are given.
_NATIVE_READERS = frozenset({list, tuple, set, frozenset, enumerate, zip, map, filter, sorted,
                             reversed, sum, min, max, any, all, iter})
# In-place operations that change a tensor's shape or strides, not its values.
_METADATA_INPLACE = frozenset({"t_", "transpose_", "swapaxes_", "swapdims_", "squeeze_",
                               "unsqueeze_", "as_strided_", "resize_", "resize_as_", "set_"})

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
# In-place operations eager allows on a tensor whose elements overlap in memory.
_OVERLAP_ALLOWED = frozenset({"zero_", "fill_"})

_OVERLAP_ERROR = ("unsupported operation: more than one element of the written-to tensor refers "
                  "to a single memory location. Please clone() the tensor before performing the "
                  "operation.")
_NO_GRAD_VIEW_ERROR = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block (if "
    "you don't want the inplace to be tracked) or both outside (if you want the inplace to be "
    "tracked).")


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
    if name.endswith("_") and not name.endswith("__") and name not in _RANDOM_FILLS and \
            name not in _METADATA_INPLACE:
        return name[:-1]
    return None


@dataclass(eq=False)
class _View:
    """How a view proxy derives from its base (see NOTE [in-place operations])."""

    base: TensorProxy
    steps: tuple | None  # (fn, args, kwargs, output index or None) from the base; None: unknown
    meta: torch.Tensor | None  # a meta tensor with eager's layout of the view
    version: int  # the version of the base the view's current value was derived from
    made_by: str
    multi_output: str = ""  # "Output 0 of Unbind" for an output of unbind/split requiring grad
    no_grad: bool = False  # made in no_grad mode of a tensor that requires grad
    detached: bool = False  # made through detach() or .data


class Functionalizer:
    """The current value of every tensor updated in place during one tracing."""

    def __init__(self, tracker):
        self.tracker = tracker
        self.latest: dict[int, TensorProxy] = {}  # id(proxy the user holds) -> current value
        self.holders: dict[int, TensorProxy] = {}  # keeps the user's proxies alive
        self.views: dict[int, _View] = {}  # id(view proxy) -> how it derives from its base
        self.versions: dict[int, int] = {}  # id(base) -> number of updates so far
        self.metas: dict[int, torch.Tensor] = {}  # id(base) -> meta tensor with its layout
        self.mutated_inputs: dict[int, TensorProxy] = {}  # id(input proxy) -> input proxy
        self.layout_inputs: dict[int, TensorProxy] = {}  # inputs a layout-dependent op saw
        self.storage_groups: dict[int, list] = {}  # id(storage input) -> inputs viewing it
        self._checked_storage: set[int] = set()  # inputs whose storage was grouped
        self._reals: dict[int, torch.Tensor] = {}  # id(input proxy) -> the caller's tensor
        self._native_start = None  # where the trace was when a native builtin started

    # -- reading ---------------------------------------------------------------------------
    def current(self, x):
        """What ``x`` stands for now (its latest value if it was updated in place)."""
        if isinstance(x, Proxy):
            view = self.views.get(id(x))
            if view is not None and view.version != self.versions.get(id(view.base), 0):
                return self._derive_again(x, view)
            return self.latest.get(id(x), x)
        if type(x) in (list, tuple) and self.latest:
            return type(x)(self.current(v) for v in x)
        return x

    def _derive_again(self, proxy, view):
        """A view whose base was updated: its value derived from the base's current value."""
        if view.steps is None:
            raise unsupported(f"using a view made by {view.made_by} after the tensor it views "
                              f"was updated in place")
        value = _replay(view.steps, self.current(view.base))
        self.latest[id(proxy)] = value
        self.holders[id(proxy)] = proxy
        view.version = self.versions.get(id(view.base), 0)
        return value

    # -- recording views -------------------------------------------------------------------
    def note_views(self, sym, held_args, args, kwargs, output) -> None:
        """After ``sym`` ran on ``args`` (the current values of ``held_args``, the proxies the
        user holds): record which outputs are views of the first argument."""
        name = sym.name
        fallback = is_fallback(sym)
        if name not in VIEW_OPS and not fallback:
            return
        if not args or not isinstance(args[0], TensorProxy):
            return
        held = held_args[0] if isinstance(held_args[0], TensorProxy) else args[0]
        parent = self.views.get(id(held))
        base = held if parent is None else parent.base
        parent_meta = self._meta_of(held, parent)
        several = type(output) in (list, tuple)
        grad_base = args[0].requires_grad
        for index, out in enumerate(output if several else (output,)):
            if not isinstance(out, TensorProxy):
                continue
            position = index if several else None
            kind, meta = self._aliasing(sym, args, kwargs, position, parent_meta, out, base)
            if kind is None:
                continue
            steps = () if parent is None else parent.steps
            if kind == "opaque" or steps is None or (fallback and kind == "view"):
                steps, meta = None, None
            elif kind == "view":
                steps = steps + ((sym, args[1:], kwargs, position),)
            multi = "" if parent is None else parent.multi_output
            if not multi and several and grad_base and torch.is_grad_enabled():
                multi = f"Output {index} of {_MULTI_OUTPUT.get(name, name.title())}"
            no_grad = (parent is not None and parent.no_grad) or (
                grad_base and not torch.is_grad_enabled())
            detached = (parent is not None and parent.detached) or name == "detach"
            self.views[id(out)] = _View(base, steps, meta, self.versions.get(id(base), 0),
                                        name, multi, no_grad, detached)
            self.holders[id(out)] = out

    def before_native_call(self, fn, args) -> None:
        """Before a builtin reads tensors natively (``list(x)``, ``zip(x, y)``, ``sum(xs)``):
        reject tensors updated in place, whose old value it would read."""
        if not _reads_natively(fn):
            return
        for arg in _leaves(args):
            if isinstance(arg, TensorProxy) and self.current(arg) is not arg:
                name = getattr(fn, "__name__", type(fn).__name__)
                raise unsupported(f"{name}() of a tensor updated in place (it runs natively "
                                  f"and would read the value from before the update)",
                                  "iterate it with a for loop, or use x.unbind(0)")
        self._native_start = len(get_tracectx().bound_symbols)

    def after_native_call(self, fn) -> None:
        """After it: the rows it took of tensors (``list(x)``) are views of them."""
        start, self._native_start = self._native_start, None
        if start is None or not _reads_natively(fn):
            return
        for bsym in get_tracectx().bound_symbols[start:]:
            outputs = bsym.output if type(bsym.output) in (list, tuple) else (bsym.output,)
            if bsym.sym.name in ("unbind", "getitem") and outputs and \
                    isinstance(bsym.args[0], TensorProxy) and id(outputs[0]) not in self.views:
                self.note_views(bsym.sym, bsym.args, bsym.args, bsym.kwargs, bsym.output)

    def _aliasing(self, sym, args, kwargs, index, parent_meta, out, base):
        """("view" | "same" | "opaque" | None for a copy, meta tensor of the output)."""
        name, source = sym.name, args[0]
        if out.dtype != source.dtype or out.device != source.device:
            return ("opaque", None) if name in _REINTERPRETING else (None, None)
        if parent_meta is None:
            return "opaque", None
        if name in _CONVERSIONS:
            if kwargs.get("copy"):
                return None, None
            fmt = kwargs.get("memory_format", torch.preserve_format)
            if fmt is not torch.preserve_format:
                self._note_layout_dependent(base)
            meta = parent_meta.to(memory_format=fmt)
        else:
            if name in _LAYOUT_DEPENDENT:
                self._note_layout_dependent(base)
            if any(isinstance(a, TensorProxy) and a.dtype is torch.bool
                   for a in _leaves((args, kwargs))):
                return None, None  # boolean-mask indexing copies
            try:
                meta = sym.impl(parent_meta, *_metas(args[1:]), **_metas(kwargs))
                if index is not None:
                    meta = meta[index]
            except Exception:  # eager rejects it (``view`` of a transposed tensor) or cannot
                return "opaque", None  # tell without data: an update through it is an error
        if not isinstance(meta, torch.Tensor):
            return "opaque", None
        if meta is parent_meta:
            return "same", meta
        if _same_storage(meta, parent_meta):
            return "view", meta
        return None, None

    def _note_layout_dependent(self, base):
        if id(base) in self.tracker.input_prov and id(base) not in self.storage_groups:
            self.layout_inputs[id(base)] = base

    def _meta_of(self, proxy, view):
        """A meta tensor with eager's layout of ``proxy`` (None for an unknown view)."""
        if view is not None:
            return view.meta
        meta = self.metas.get(id(proxy))
        if meta is None:
            real = self._real(proxy)
            if real is not None:
                meta = torch.empty_strided(real.shape, real.stride(), dtype=real.dtype,
                                           device="meta")
            else:
                meta = torch.empty(proxy.shape, dtype=proxy.dtype, device="meta")
            self.metas[id(proxy)] = meta
            self.holders[id(proxy)] = proxy
        return meta

    def _real(self, proxy):
        """The caller's tensor behind an input proxy, or None."""
        tensors = self.tracker.tensor_proxies
        if len(self._reals) != len(tensors):
            self._reals = {id(p): t for t, p in tensors.values()}
        return self._reals.get(id(proxy))

    # -- updating --------------------------------------------------------------------------
    def update(self, target: TensorProxy, value: TensorProxy, what: str) -> None:
        """Record that ``target`` (the proxy the user holds) now has ``value``."""
        view = self._view_for_update(target)
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
        if view is None:
            if id(target) in self.tracker.input_prov:
                _check_overlap(self._meta_of(target, None), what)
            self._set(target, value)
            self._check_input(target, what, "a leaf Variable")
            return
        self._check_view_update(view, what)
        base = view.base
        tracked = not view.detached
        if view.steps:
            new_base = _write_back(self.current(base), view.steps, value)
        else:  # the tensor itself under another name
            new_base = value
        self._set(base, new_base, seen_by_autograd=tracked)
        if value.requires_grad or not self.current(base).requires_grad:
            self.latest[id(target)] = value
            self.holders[id(target)] = target
            view.version = self.versions[id(base)]
        # else (an update in no_grad mode) the view is derived again, with its gradient path
        self._check_input(base, what, "a view of a leaf Variable" if tracked else None)

    def check_operands(self, target, operands, what) -> None:
        """Eager's error for an in-place update that reads memory it writes in part
        (``x.add_(x[0])``, ``x.copy_(x.t())``, ``a.add_(b)`` for inputs ``x[:2]``, ``x[1:]``)."""
        self._view_for_update(target)
        if not self.views:
            return
        written = self._layout(target)
        for operand in _leaves(operands):
            read = self._layout(operand) if isinstance(operand, TensorProxy) else None
            if written is not None and read is not None and read[0] is written[0] and \
                    _partial_overlap(written[1], read[1]):
                raise RuntimeError(f"unsupported operation: some elements of the input tensor "
                                   f"and the written-to tensor refer to a single memory "
                                   f"location. Please clone() the tensor before performing the "
                                   f"operation. ({what})")

    def _layout(self, proxy):
        """(base, meta tensor with eager's layout of ``proxy`` in the base's memory) or None."""
        view = self.views.get(id(proxy))
        if view is None:
            meta = self.metas.get(id(proxy))
            return None if meta is None else (proxy, meta)
        return None if view.meta is None else (view.base, view.meta)

    def _set(self, proxy, value, *, seen_by_autograd=True):
        old = self.current(proxy)
        if old.requires_grad and not (seen_by_autograd and torch.is_grad_enabled()):
            value = _with_gradient_path_of(old, value)
        self.latest[id(proxy)] = value
        self.holders[id(proxy)] = proxy
        self.versions[id(proxy)] = self.versions.get(id(proxy), 0) + 1

    def _view_for_update(self, target):
        """The view record of ``target`` (None for a base), after grouping inputs that share
        memory with the updated one."""
        view = self.views.get(id(target))
        root = target if view is None else view.base
        if id(root) in self.tracker.input_prov and id(root) not in self._checked_storage:
            self._checked_storage.add(id(root))
            self._group_shared_storage(root)
            view = self.views.get(id(target))
        return view

    def _check_view_update(self, view, what):
        if view.steps is None:
            raise unsupported(f"the in-place operation {what} on a view made by "
                              f"{view.made_by}")
        _check_overlap(view.meta, what)
        if not torch.is_grad_enabled():
            return
        if view.multi_output:
            raise RuntimeError(f"{view.multi_output} is a view and is being modified inplace. "
                               f"This view is the output of a function that returns multiple "
                               f"views. Such functions do not allow the output views to be "
                               f"modified inplace. You should replace the inplace operation by "
                               f"an out-of-place one.")
        if view.no_grad:
            raise RuntimeError(_NO_GRAD_VIEW_ERROR)

    def _check_input(self, target, what, leaf):
        """An input updated: eager's error for a leaf that requires grad (``leaf`` names it;
        None for an update autograd does not see, through ``.detach()``/``.data``)."""
        tracker = self.tracker
        if id(target) not in tracker.input_prov:
            return
        real = self._real(target)
        if real is not None and real.requires_grad and torch.is_grad_enabled() and leaf:
            if real.is_leaf:
                raise RuntimeError(f"{leaf} that requires grad is being used in an in-place "
                                   f"operation.")
            raise unsupported(f"the in-place operation {what} on an input that requires grad")
        self.mutated_inputs[id(target)] = target

    # -- inputs that share memory ------------------------------------------------------------
    def _group_shared_storage(self, root):
        """Before the first update of input ``root``: make it and every other input on its
        storage views of one storage input (NOTE [in-place operations])."""
        tracker = self.tracker
        key = _storage_key(self._real(root))
        if key is None:
            return
        members = [(p, t) for t, p in tracker.tensor_proxies.values()
                   if id(p) in tracker.input_prov and _storage_key(t) == key]
        if len(members) < 2:
            return
        where = ", ".join(tracker.input_prov[id(p)].describe() for p, _ in members)
        if any(id(p) in self.mutated_inputs or id(p) in self._checked_storage
               for p, _ in members if p is not root):
            raise unsupported(f"updating in place inputs that share memory ({where}) when one "
                              f"of them was read first after another was updated")
        if len({t.dtype for _, t in members}) > 1:
            raise unsupported(f"updating in place inputs of different dtypes that share memory "
                              f"({where})")
        if torch.is_grad_enabled() and any(t.requires_grad for _, t in members):
            raise unsupported(f"updating in place inputs that share memory ({where}) when one "
                              f"requires grad")
        low = min(t.storage_offset() for _, t in members)
        high = max(t.storage_offset() + _extent(t) for _, t in members)
        first, first_real = members[0]
        first_prov = tracker.input_prov[id(first)]
        with torch.no_grad():
            storage_real = torch.as_strided(first_real, (high - low,), (1,), low)
        storage = tracker.tensor_proxy(
            storage_real, tracker.child(first_prov, STORAGE, (high - low, low)))
        self._checked_storage.add(id(storage))
        storage_meta = torch.empty(high - low, dtype=first.dtype, device="meta")
        self.metas[id(storage)] = storage_meta
        self.holders[id(storage)] = storage
        self.storage_groups[id(storage)] = [p for p, _ in members]
        for proxy, real in members:
            self._checked_storage.add(id(proxy))
            self.layout_inputs.pop(id(proxy), None)
            shape, stride, offset = tuple(real.shape), real.stride(), real.storage_offset()
            if real.is_contiguous() and offset == low and real.numel() == high - low:
                steps = ((ltorch.reshape, (shape,), {}, None),)
            else:
                steps = ((_strided, (shape, stride, offset - low), {}, None),)
            meta = storage_meta.as_strided(shape, stride, offset - low)
            self._reroot(proxy, storage, steps, storage_meta, offset - low)
            self.views[id(proxy)] = _View(storage, steps, meta, 0, "an input sharing memory")
            self.holders[id(proxy)] = proxy
            tracker.guard("layout", tracker.input_prov[id(proxy)],
                          (first_prov, stride, offset))

    def _reroot(self, member, storage, steps, storage_meta, offset):
        """Views of ``member`` (at ``offset`` in the storage) become views of ``storage``."""
        for view in self.views.values():
            if view.base is member:
                view.base = storage
                view.steps = None if view.steps is None else steps + view.steps
                if view.meta is not None:
                    view.meta = storage_meta.as_strided(
                        view.meta.shape, view.meta.stride(), view.meta.storage_offset() + offset)

    # -- the end of tracing -------------------------------------------------------------------
    def final_inputs(self):
        """(input proxy, its final value) for every input updated in place; adds the prologue
        checks on memory sharing and strides these updates rely on."""
        if self.versions:
            self._guard_layouts()
        return [(p, self.latest[id(p)]) for p in self.mutated_inputs.values()]

    def _guard_layouts(self):
        tracker = self.tracker
        for proxy in self.layout_inputs.values():
            tracker.guard("strides", tracker.input_prov[id(proxy)], self._real(proxy).stride())
        mutated = [p for p in self.mutated_inputs.values()
                   if p.numel() > 0 and p.device.type != "meta"]
        if not mutated:
            return
        grouped = {id(m) for members in self.storage_groups.values() for m in members}
        keys = {_storage_key(self._real(p)): p for p in mutated}
        others = []
        for proxy, prov in tracker.inputs:
            if id(proxy) in self.mutated_inputs or id(proxy) in grouped or \
                    proxy.device.type == "meta":
                continue
            updated = keys.get(_storage_key(self._real(proxy)))
            if updated is not None:
                raise unsupported(
                    f"the in-place update of {tracker.input_prov[id(updated)].describe()}, "
                    f"which shares memory with {prov.describe()}, read after the update",
                    "pass tensors that do not share memory, or read both before updating")
            others.append(tracker.input_prov[id(proxy)])
        if len(mutated) == 1 and not others:
            return
        tracker.guard("distinct", tracker.input_prov[id(mutated[0])],
                      (tuple(tracker.input_prov[id(p)] for p in mutated), tuple(others)))


def _with_gradient_path_of(old, new):
    """``new``'s values with ``old``'s gradient path: an update in ``no_grad`` mode of a tensor
    that requires grad, which autograd does not see (exact unless ``old`` has infinities)."""
    with torch.enable_grad():
        return ltorch.add(ltorch.detach(new), ltorch.sub(old, ltorch.detach(old)))


def _reads_natively(fn) -> bool:
    try:
        return fn in _NATIVE_READERS
    except TypeError:  # unhashable
        return False


def _replay(steps, value):
    for fn, args, kwargs, index in steps:
        value = fn(value, *args, **kwargs)
        if index is not None:
            value = value[index]
    return value


def _write_back(base, steps, value):
    """The base's new value after its view (``steps`` from the base) was set to ``value``."""
    if all(getattr(fn, "name", None) in _RESHAPES for fn, _, _, _ in steps):
        return ltorch.reshape(value, base.shape)
    positions = ltorch.reshape(ltorch.arange(base.numel(), device=base.device), base.shape)
    positions = _replay(steps, positions)
    flat = ltorch.index_put(ltorch.reshape(base, (-1,)), (ltorch.reshape(positions, (-1,)),),
                            ltorch.reshape(value, (-1,)))
    return ltorch.reshape(flat, base.shape)


def _strided(storage, shape, stride, offset):
    """The elements of a 1-D ``storage`` a tensor of ``shape``/``stride``/``offset`` views."""
    positions = ltorch.full((), offset, dtype=torch.int64, device=storage.device)
    for dim, (size, step) in enumerate(zip(shape, stride)):
        along = ltorch.mul(ltorch.arange(size, device=storage.device), step)
        view_shape = [1] * len(shape)
        view_shape[dim] = size
        positions = ltorch.add(positions, ltorch.reshape(along, tuple(view_shape)))
    positions = ltorch.reshape(ltorch.expand(positions, shape), (-1,))
    return ltorch.reshape(ltorch.index_select(storage, 0, positions), shape)


def _check_overlap(meta, what):
    """Eager's check that an in-place update does not write one memory location twice."""
    if meta is None or what in _OVERLAP_ALLOWED:
        return
    dims = sorted((abs(step), size) for size, step in zip(meta.shape, meta.stride()) if size > 1)
    if any(step == 0 for step, _ in dims):
        raise RuntimeError(_OVERLAP_ERROR)
    span = 0  # elements spanned by the dims of smaller strides
    for step, size in dims:
        if step <= span:  # windows that may overlap (``unfold``)
            raise unsupported(f"the in-place operation {what} on a view whose elements may "
                              f"share memory")
        span += (size - 1) * step


def _partial_overlap(a, b) -> bool:
    """Eager's test: dense tensors on one memory covering overlapping, not equal, ranges."""
    if a.shape == b.shape and a.stride() == b.stride() and \
            a.storage_offset() == b.storage_offset():
        return False
    if a.numel() == 0 or b.numel() == 0 or not (_dense(a) and _dense(b)):
        return False  # eager does not decide these either
    a_start, b_start = a.storage_offset(), b.storage_offset()
    return a_start < b_start + b.numel() and b_start < a_start + a.numel()


def _dense(t) -> bool:
    """Are the elements of ``t`` a contiguous range of memory, each once?"""
    expected = 1
    for step, size in sorted((step, size) for size, step in zip(t.shape, t.stride())
                             if size != 1):
        if step != expected:
            return False
        expected *= size
    return True


def _extent(t) -> int:
    """How many elements of its storage, from its offset, a tensor spans."""
    if t.numel() == 0:
        return 0
    return 1 + sum((size - 1) * abs(step) for size, step in zip(t.shape, t.stride()))


def _storage_key(t):
    """What identifies a tensor's memory (None for no memory to share)."""
    if t is None or t.device.type == "meta":
        return None
    storage = t.untyped_storage()
    if storage.nbytes() == 0:
        return None
    return (t.device, storage.data_ptr())


def _same_storage(a, b) -> bool:
    return a.untyped_storage()._cdata == b.untyped_storage()._cdata


def _leaves(values):
    if type(values) in (list, tuple):
        for v in values:
            yield from _leaves(v)
    elif type(values) is dict:
        yield from _leaves(list(values.values()))
    else:
        yield values


def _metas(values):
    """Proxies among ``values`` replaced by meta tensors of the same shape and dtype."""
    if isinstance(values, TensorProxy):
        return torch.empty(values.shape, dtype=values.dtype, device="meta")
    if type(values) in (list, tuple):
        return type(values)(_metas(v) for v in values)
    if type(values) is dict:
        return {k: _metas(v) for k, v in values.items()}
    return values


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
