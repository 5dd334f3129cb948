"""In-place operations: traced functionally, with eager's results and mutations of the caller's
tensors (NOTE [in-place operations] in thunder/frontend/inplace.py)."""

import pytest
import torch
import torch.nn.functional as F

import thunder
from thunder.tests.framework import assert_close


def _compare(fn, *make_args):
    """Run fn eagerly and jitted on identical fresh inputs; compare outputs and the inputs."""
    jfn = thunder.jit(fn)
    for _ in range(2):
        torch.manual_seed(0)
        eager_args = [make() for make in make_args]
        torch.manual_seed(0)
        jit_args = [make() for make in make_args]
        assert_close(jfn(*jit_args), fn(*eager_args))
        assert_close(jit_args, eager_args)
    return jfn


def test_inplace_methods_on_tensors_made_inside():
    def fn(x):
        y = x * 2
        y.add_(1).mul_(3)
        y.clamp_(min=0.5)
        y.zero_() if False else y.sub_(x)
        return y

    _compare(fn, lambda: torch.randn(4))


@pytest.mark.parametrize("key", [0, -1, slice(1, 3), (slice(None), 0), (Ellipsis, 1),
                                 (None, 1), (slice(None, None, 2), slice(1, None))],
                         ids=["int", "negative", "slice", "tuple", "ellipsis", "none", "steps"])
def test_setitem_with_every_basic_index_kind(key):
    def fn(x, v):
        y = x.clone()
        y[key] = v
        return y

    _compare(fn, lambda: torch.randn(4, 3), lambda: torch.tensor(7.0))


def test_setitem_with_index_tensors_and_scalars():
    def fn(x, idx):
        y = x + 0
        y[idx] = 0.0
        y[1, 2] = 4
        return y

    _compare(fn, lambda: torch.randn(4, 3), lambda: torch.tensor([0, 2]))


def test_augmented_assignment_and_inplace_flag():
    def fn(x):
        y = x * 1
        y += 1
        y *= x
        y -= 0.5
        F.relu(y, inplace=True)
        return F.leaky_relu(y - 2, 0.1, True)

    _compare(fn, lambda: torch.randn(5))


def test_inplace_on_an_input_is_seen_by_the_caller():
    def fn(x, y):
        x.mul_(2)
        y[0] = x.sum()
        return x + y

    jfn = _compare(fn, lambda: torch.randn(3), lambda: torch.zeros(3))
    assert thunder.cache_misses(jfn) == 1
    assert ".copy_(" in str(thunder.last_epilogue_traces(jfn)[0])


def test_same_tensor_passed_twice_and_mutated():
    def fn(a, b):
        a.add_(1)
        return a + b

    x1, x2 = torch.zeros(2), torch.zeros(2)
    jfn = thunder.jit(fn)
    assert_close(jfn(x1, x1), fn(x2, x2))
    assert_close(x1, x2)


def test_batchnorm_in_train_mode_updates_running_statistics():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4),
                                torch.nn.ReLU(inplace=True))
    reference = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4),
                                    torch.nn.ReLU(inplace=True))
    reference.load_state_dict(model.state_dict())
    jmodel = thunder.jit(model)
    for _ in range(3):
        x = torch.randn(2, 3, 8, 8)
        assert_close(jmodel(x), reference(x))
    for name, buffer in reference.named_buffers():
        assert_close(dict(model.named_buffers())[name], buffer)
    assert thunder.cache_misses(jmodel) == 1
    model.eval()
    reference.eval()
    x = torch.randn(2, 3, 8, 8)
    assert_close(jmodel(x), reference(x))


def test_gradients_through_inplace_ops_match_eager():
    w = torch.randn(3, requires_grad=True)

    def fn(x):
        y = x * w
        y.mul_(2)
        y[0] = y[1] * 3
        return y.sum()

    x = torch.randn(3)
    (grad_jit,) = torch.autograd.grad(thunder.jit(fn)(x), w)
    (grad_eager,) = torch.autograd.grad(fn(x), w)
    assert_close(grad_jit, grad_eager)


def test_inplace_on_a_leaf_that_requires_grad_raises_like_eager():
    def fn(x):
        x.add_(1)
        return x

    x = torch.randn(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        fn(x)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        thunder.jit(fn)(x)


def test_functionalized_trace_is_visible_in_last_traces():
    jfn = thunder.jit(lambda x: (x * 1).add_(1))
    jfn(torch.ones(2))
    text = str(thunder.last_traces(jfn)[0])
    assert "ltorch.add(" in text and "ltorch.add_" not in text and "torch.Tensor.add_" not in text


# -- views (NOTE [in-place operations]) ------------------------------------------------------
def _compare_calls(fn, make_args, calls=2):
    """Like ``_compare``, for a factory that builds all the arguments at once (so that they can
    share memory: ``lambda: (x := torch.randn(3), x[0])``)."""
    jfn = thunder.jit(fn)
    for _ in range(calls):
        torch.manual_seed(0)
        eager_args = make_args()
        torch.manual_seed(0)
        jit_args = make_args()
        assert_close(jfn(*jit_args), fn(*eager_args))
        assert_close(jit_args, eager_args)
    return jfn


def _write_row(x):
    x[0].zero_()


def _fill_through_flat_view(x):
    x.view(-1)[1:3].fill_(7)


def _add_through_transpose(x):
    x.t().add_(1)


def _mul_column(x):
    x[:, 1].mul_(2)


def _fill_diagonal(x):
    x.diagonal().fill_(0)


def _add_through_unsqueeze_squeeze(x):
    x.unsqueeze(0).squeeze(0).add_(1)


def _copy_into_narrow(x):
    x.narrow(0, 1, 2).copy_(torch.arange(4.0).reshape(2, 2)[:, :1])


def _set_through_mask(x):
    x[x > 0] = -1.0


def _mul_through_property_t(x):
    x.T.mul_(3)


def _sub_through_movedim_and_ellipsis(x):
    x.movedim(0, 1)[..., 1].sub_(1)


def _clamp_through_none_and_ellipsis(x):
    x[None, ..., 1:].clamp_(min=0)


def _augmented_assignment_on_view(x):
    x.view(2, -1)[1] += 1


def _copy_between_unbound_rows(x):
    a, b = x.unbind(0)[:2]
    a.copy_(b)
    b.zero_()


def _zero_split_and_chunk(x):
    x.split(1)[0].zero_()
    x.chunk(2, dim=1)[1].mul_(2)


def _strided_view_of_reshape(x):
    x.reshape(-1)[::2].add_(1)


def _setitem_through_permute(x):
    x.permute(1, 0)[0, 1] = 100.0


def _view_of_view_of_view(x):
    x[1:][0][::2].add_(5)


def _same_tensor_under_other_names(x):
    x.float().add_(1)  # x is float: float() returns x itself, as F.dropout does in eval
    F.dropout(x, 0.5, training=False).mul_(2)


def _rows_while_iterating(x):
    for row in x:
        row.mul_(2)


def _rows_from_builtins(x):
    rows = list(x)
    rows[0].add_(1)
    for i, row in enumerate(x):
        row.mul_(i)
    for a, b in zip(x, tuple(x)[::-1]):
        a.sub_(b)
    row = x[1]
    x.add_(1)
    list(row)[0].mul_(sum(x)[0])  # after the update


def _detached_and_data_views(x):
    x.detach()[0].fill_(1)
    x.data[1].add_(1)


VIEW_UPDATES = [_write_row, _fill_through_flat_view, _add_through_transpose, _mul_column,
                _fill_diagonal, _add_through_unsqueeze_squeeze, _copy_into_narrow,
                _set_through_mask, _mul_through_property_t, _sub_through_movedim_and_ellipsis,
                _clamp_through_none_and_ellipsis, _augmented_assignment_on_view,
                _copy_between_unbound_rows, _zero_split_and_chunk, _strided_view_of_reshape,
                _setitem_through_permute, _view_of_view_of_view, _same_tensor_under_other_names,
                _rows_while_iterating, _rows_from_builtins, _detached_and_data_views]


@pytest.mark.parametrize("update", VIEW_UPDATES, ids=[u.__name__[1:] for u in VIEW_UPDATES])
def test_inplace_on_view_of_input_is_seen_by_caller(update):
    def fn(x):
        update(x)
        return x * 1

    jfn = _compare(fn, lambda: torch.randn(4, 4))
    assert thunder.cache_misses(jfn) == 1


@pytest.mark.parametrize("update", VIEW_UPDATES, ids=[u.__name__[1:] for u in VIEW_UPDATES])
def test_inplace_on_view_of_intermediate_updates_its_base(update):
    def fn(x):
        y = x * 2
        update(y)
        return y

    _compare(fn, lambda: torch.randn(4, 4))


def test_update_of_base_is_seen_through_earlier_views():
    def fn(x):
        y = x * 2
        row, col, flat = y[0], y[:, 1], y.view(-1)
        corner = row[:2]
        y.add_(1)
        row.mul_(3)  # and seen again through the other views
        return row, col, flat, corner, y

    _compare(fn, lambda: torch.randn(3, 3))


def test_views_that_copy_in_eager_do_not_alias():
    def fn(x, index):
        x.double().add_(1)  # another dtype: a copy
        x[index].add_(1)  # advanced indexing: a copy
        x[x > 0].zero_()  # a boolean mask: a copy
        x.t().reshape(-1).add_(1)  # a transposed tensor reshaped: a copy
        x.clone()[0].zero_()
        return x * 1

    _compare(fn, lambda: torch.randn(3, 3), lambda: torch.tensor([0, 2]))


def test_reshape_of_an_input_aliases_as_its_strides_decide():
    def fn(x):
        x.reshape(-1).add_(1)  # a view of a contiguous x, a copy of a transposed one
        return x * 1

    jfn = thunder.jit(fn)
    for make in (lambda: torch.zeros(3, 2), lambda: torch.zeros(2, 3).t(),
                 lambda: torch.zeros(3, 2)):
        x, expected = make(), make()
        assert_close(jfn(x), fn(expected))
        assert_close(x, expected)
    assert thunder.cache_misses(jfn) == 2 and thunder.cache_hits(jfn) == 1


def test_update_through_a_view_eager_rejects_is_an_error():
    def fn(x):
        x.t().view(-1).add_(1)  # eager: "view size is not compatible with input tensor's size"
        return x

    with pytest.raises(RuntimeError, match="view size is not compatible"):
        fn(torch.zeros(3, 2))
    with pytest.raises(thunder.UnsupportedOperationError):
        thunder.jit(fn)(torch.zeros(3, 2))


# -- inputs that share memory --------------------------------------------------------------
def _bump_first_read_second(a, b):
    a.add_(1)
    return b * 2


def test_same_tensor_passed_twice_sees_the_update_through_both_names():
    def make():
        x = torch.randn(3)
        return [x, x]

    _compare_calls(_bump_first_read_second, make)


@pytest.mark.parametrize("make", [
    lambda: (x := torch.randn(2, 3), x[0]),
    lambda: ((x := torch.randn(2, 3))[0], x),
    lambda: ((x := torch.randn(2, 3))[:, 0], x[1]),
    lambda: (x := torch.randn(4), x[1:3].view(2, 1)),
    lambda: ((x := torch.randn(2, 3))[0], x[1]),
    lambda: (x := torch.randn(2, 3), x[0], x[1], x.t()),
], ids=["base-and-row", "row-and-base", "column-and-row", "reshaped-slice", "disjoint-rows",
        "three-more-views"])
def test_inputs_sharing_memory_see_each_others_updates(make):
    def fn(a, b, *rest):
        a.add_(1)
        b.mul_(2)
        return a + 0, b + 0, [r * 1 for r in rest]

    _compare_calls(fn, lambda: list(make()))


def test_an_entry_for_distinct_inputs_is_not_used_for_aliasing_inputs():
    jfn = thunder.jit(_bump_first_read_second)
    calls = [lambda: [torch.zeros(3), torch.zeros(3)],
             lambda: (lambda x: [x, x])(torch.zeros(3)),
             lambda: (lambda x: [x, x[0]])(torch.zeros(2, 3)),
             lambda: (lambda x: [x[0], x])(torch.zeros(2, 3)),
             lambda: [torch.zeros(3), torch.zeros(3)],
             lambda: (lambda x: [x, x[0]])(torch.zeros(2, 3))]
    for make in calls:
        jit_args, eager_args = make(), make()
        assert_close(jfn(*jit_args), _bump_first_read_second(*eager_args))
        assert_close(jit_args, eager_args)
    assert thunder.cache_misses(jfn) == 4 and thunder.cache_hits(jfn) == 2
    assert "untyped_storage" in str(thunder.last_prologue_traces(jfn)[0])


def test_entries_that_update_no_input_check_no_memory_sharing():
    jfn = thunder.jit(lambda x: (x * 2).add_(1)[0])
    jfn(torch.ones(2, 2))
    assert "untyped_storage" not in str(thunder.last_prologue_traces(jfn)[0])


def test_input_sharing_memory_with_an_updated_one_read_later_is_an_error():
    shared = torch.zeros(2, 3)
    holder = {"row": shared[0]}

    def fn(x):
        x.add_(1)
        return holder["row"] * 1  # read from outside only after x was updated

    with pytest.raises(thunder.UnsupportedOperationError, match="shares memory"):
        thunder.jit(fn)(shared)


# -- module buffers --------------------------------------------------------------------------
class _Cache(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("cache", torch.zeros(2, 5, 3))
        self.register_buffer("count", torch.zeros(2))
        self.lin = torch.nn.Linear(3, 3)

    def forward(self, x, pos):
        k = self.lin(x)
        self.cache.narrow(1, pos, 1).copy_(k.detach().unsqueeze(1))
        self.cache[:, pos + 1].add_(1)
        self.count.view(-1)[0] += 1
        self.count[1:].add_(self.count[0])
        return self.cache.sum(1) + k


def test_module_buffers_updated_through_views():
    torch.manual_seed(0)
    model, reference = _Cache(), _Cache()
    reference.load_state_dict(model.state_dict())
    jmodel = thunder.jit(model)
    for pos in (0, 0, 2, 1):
        x = torch.randn(2, 3)
        out, expected = jmodel(x, pos), reference(x, pos)
        assert_close(out, expected)
        out.sum().backward()
        expected.sum().backward()
        assert_close(dict(model.named_buffers()), dict(reference.named_buffers()))
        assert_close(model.lin.weight.grad, reference.lin.weight.grad)
    assert thunder.cache_misses(jmodel) == 3


# -- autograd --------------------------------------------------------------------------------
def _grad_scale_row_of_clone(x):
    y = x.clone()
    y[0].mul_(2)
    return y


def _grad_mul_transposed_row(x):
    y = x * 1
    y.t()[1].mul_(x[0])
    return y


def _grad_view_read_after_base_update(x):
    y = x * 1
    v = y[0]
    y.mul_(3)
    return v * y


def _grad_overlapping_views(x):
    y = x.clone()
    a, b = y.select(1, 0), y.narrow(1, 0, 2)
    a.fill_(3)
    b.mul_(2)
    return y, a, b


def _grad_copy_into_zeros(x):
    y = torch.zeros(3, 3)
    y[1].copy_(x[0])
    y.view(-1)[::4].mul_(x.diagonal())
    return y


def _grad_update_in_no_grad_mode(x):
    y = x * 2
    with torch.no_grad():
        y[0].zero_()
        y.add_(1)
    return y * x


def _grad_update_through_detach(x):
    y = x * 2
    y.detach()[1].zero_()
    return y * x


GRADIENT_CASES = [_grad_scale_row_of_clone, _grad_mul_transposed_row,
                  _grad_view_read_after_base_update, _grad_overlapping_views,
                  _grad_copy_into_zeros, _grad_update_in_no_grad_mode,
                  _grad_update_through_detach]


@pytest.mark.parametrize("fn", GRADIENT_CASES, ids=[f.__name__[6:] for f in GRADIENT_CASES])
def test_gradients_through_inplace_on_views_match_eager(fn):
    torch.manual_seed(0)
    x = torch.randn(3, 3, requires_grad=True)
    x_eager = x.detach().clone().requires_grad_()
    out, expected = thunder.jit(fn)(x), fn(x_eager)
    assert_close(out, expected)
    (grad,) = torch.autograd.grad(sum(o.sum() for o in _as_tuple(out)), x)
    (grad_eager,) = torch.autograd.grad(sum(o.sum() for o in _as_tuple(expected)), x_eager)
    assert_close(grad, grad_eager)


def _as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


def test_leaf_parameter_updated_without_grad_keeps_its_gradient():
    def fn(w, x):
        with torch.no_grad():
            w[0].mul_(2)
        w.data.add_(1)
        return x @ w

    w = torch.randn(3, 3, requires_grad=True)
    w_eager = w.detach().clone().requires_grad_()
    x = torch.randn(2, 3)
    out, expected = thunder.jit(fn)(w, x), fn(w_eager, x)
    assert_close(out, expected)
    assert_close(w.detach(), w_eager.detach())
    out.sum().backward()
    expected.sum().backward()
    assert_close(w.grad, w_eager.grad)


def _leaf_view(x):
    x[0].add_(1)


def _output_of_unbind(x):
    x.mul(2).unbind(0)[0].add_(1)


def _output_of_chunk(x):
    x.mul(2).chunk(3)[1][0] = 1.0


def _view_made_in_no_grad_mode(x):
    y = x * 2
    with torch.no_grad():
        row = y[0]
    row.add_(1)


def _expanded_view(x):
    x.detach().clone()[:1].expand(3, 3).add_(1)


EAGER_ERRORS = [(_leaf_view, "a view of a leaf Variable"),
                (_output_of_unbind, "returns multiple views"),
                (_output_of_chunk, "returns multiple views"),
                (_view_made_in_no_grad_mode, "created in no_grad mode"),
                (_expanded_view, "more than one element of the written-to tensor")]


@pytest.mark.parametrize("fn,message", EAGER_ERRORS, ids=[f.__name__[1:] for f, _ in EAGER_ERRORS])
def test_inplace_on_view_raises_like_eager(fn, message):
    with pytest.raises(RuntimeError, match=message):
        fn(torch.randn(3, 3, requires_grad=True))
    with pytest.raises(RuntimeError, match=message):
        thunder.jit(fn)(torch.randn(3, 3, requires_grad=True))


@pytest.mark.parametrize("update,raises", [
    (lambda x: x.add_(x[0]), True),
    (lambda x: x.copy_(x.t()), True),
    (lambda x: x[0:2].add_(x[1:3]), True),
    (lambda x: x[0].add_(x[1]), False),
    (lambda x: x[:, 0].add_(x[:, 1]), False),  # not dense: eager does not check
    (lambda x: x.view(-1).mul_(x.view(-1)), False),  # the same memory, the same layout
], ids=["base-and-row", "transposed-copy", "shifted-rows", "other-row", "columns", "same"])
def test_operand_overlapping_the_updated_memory_in_part_raises_like_eager(update, raises):
    def fn(x):
        update(x)
        return x * 1

    if raises:
        for run in (fn, thunder.jit(fn)):
            with pytest.raises(RuntimeError, match="some elements of the input tensor"):
                run(torch.randn(3, 3))
    else:
        _compare(fn, lambda: torch.randn(3, 3))


def test_inputs_overlapping_in_part_raise_like_eager():
    def fn(a, b):
        a.add_(b)
        return a * 1

    x = torch.randn(3, 3)
    for run in (fn, thunder.jit(fn)):
        with pytest.raises(RuntimeError, match="some elements of the input tensor"):
            run(x[:2], x[1:])
    _compare_calls(fn, lambda: [(x := torch.randn(4, 3))[:2], x[2:]])


def test_fill_of_an_expanded_view_is_allowed_like_eager():
    def fn(x):
        x.expand(3, 2).fill_(4.0)
        x[:, :1].expand(1, 5).zero_()
        return x * 1

    _compare(fn, lambda: torch.randn(1, 2))


def _through_view_as_dtype(x):
    x.view(torch.int32).add_(1)


def _through_real_of_complex(x):
    x.to(torch.complex64).real.add_(1)


def _through_unfold(x):
    x.unfold(0, 2, 2).mul_(3)


def _through_zero_dim_index(x):
    x[torch.tensor(1)].add_(1)


def _read_unknown_view_after_update(x):
    windows = x.unfold(0, 2, 2)
    x.add_(1)
    return windows * 1


def _metadata_inplace(x):
    x.t_()


def _builtin_reading_an_updated_view(x):
    row = x[0]
    x.add_(1)
    return sorted(row)  # sorted() runs natively: it would read the row from before the update


UNSUPPORTED = [_through_view_as_dtype, _through_real_of_complex, _through_unfold,
               _through_zero_dim_index, _read_unknown_view_after_update, _metadata_inplace,
               _builtin_reading_an_updated_view]


@pytest.mark.parametrize("fn", UNSUPPORTED, ids=[f.__name__[1:] for f in UNSUPPORTED])
def test_unsupported_view_updates_are_errors_not_silent_results(fn):
    with pytest.raises(thunder.UnsupportedOperationError):
        thunder.jit(fn)(torch.randn(4, 4))


def test_view_update_is_functional_in_last_traces():
    jfn = thunder.jit(lambda x: x[:, 1].mul_(2))
    jfn(torch.ones(3, 3))
    text = str(thunder.last_traces(jfn)[0])
    assert "ltorch.index_put(" in text and "ltorch.mul(" in text
    assert "ltorch.mul_" not in text and "Tensor.mul_" not in text
    assert ".copy_(" in str(thunder.last_epilogue_traces(jfn)[0])
