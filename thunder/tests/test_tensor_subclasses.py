"""Tensor subclasses, sparse and nested tensors: a call that meets one runs eagerly, with eager's
values, types and side effects, and ``compile_stats``/``examine`` say why (NOTE [exotic
tensors] in thunder/frontend/exotic.py)."""

import pytest
import torch

import thunder
from thunder.frontend.signature import call_key
from thunder.tests.framework import assert_close

pytestmark = [pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors"),
              pytest.mark.filterwarnings("ignore:Sparse CSR tensor support")]


class LoggingTensor(torch.Tensor):
    """Records the name of every torch function called on it."""

    log: list = []

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        cls.log.append(getattr(func, "__name__", str(func)))
        return super().__torch_function__(func, types, args, kwargs or {})


class PlusOneMul(torch.Tensor):
    """Changes results: every multiplication adds one."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        out = super().__torch_function__(func, types, args, kwargs or {})
        if func is torch.Tensor.mul or func is torch.Tensor.__mul__:
            out = out + 1
        return out


class PlainSubclass(torch.Tensor):
    pass


def _stats(jfn):
    stats = thunder.compile_stats(jfn)
    return stats.calls, stats.cache_hits, stats.cache_misses, stats.eager_calls


def _jagged(requires_grad=False):
    torch.manual_seed(0)
    parts = [torch.randn(2, 3), torch.randn(4, 3)]
    return torch.nested.nested_tensor(parts, layout=torch.jagged, requires_grad=requires_grad)


def _elementwise_and_sum(x):
    return (x * 2 + 1).sin().sum(dim=-1)


# -- nested tensors ---------------------------------------------------------------------------
def test_jagged_nested_tensor_input_runs_eagerly_with_eager_result():
    x = _jagged()
    jfn = thunder.jit(_elementwise_and_sum)
    out, expected = jfn(x), _elementwise_and_sum(x)
    assert type(out) is type(expected) and out.is_nested
    assert_close(out.values(), expected.values())
    assert _stats(jfn) == (1, 0, 0, 1)
    assert thunder.compile_stats(jfn).eager_reasons == {
        "args[0] is a nested tensor (jagged layout)"}


def test_strided_nested_tensor_input_runs_eagerly():
    x = torch.nested.nested_tensor([torch.randn(2, 3), torch.randn(4, 3)])
    jfn = thunder.jit(lambda t: (t * 2).sin())
    out = jfn(x)
    for a, b in zip(out.unbind(), (x * 2).sin().unbind()):
        assert_close(a, b)
    assert thunder.compile_stats(jfn).eager_reasons == {
        "args[0] is a nested tensor (strided layout)"}


def test_gradient_through_a_jagged_nested_tensor_input():
    def fn(x):
        return (x * 2 + 1).sin()

    x, y = _jagged(requires_grad=True), _jagged(requires_grad=True)
    thunder.jit(fn)(x).values().sum().backward()
    fn(y).values().sum().backward()
    assert_close(x.grad.values(), y.grad.values())


def test_nested_tensor_made_inside_the_function_runs_eagerly():
    def fn(a, b):
        return torch.nested.nested_tensor([a, b], layout=torch.jagged).sin()

    a, b = torch.randn(2, 3), torch.randn(4, 3)
    jfn = thunder.jit(fn)
    assert_close(jfn(a, b).values(), fn(a, b).values())
    (reason,) = thunder.compile_stats(jfn).eager_reasons
    assert reason.startswith("torch.nested.nested_tensor makes a nested tensor")


# -- sparse tensors ---------------------------------------------------------------------------
def _sparse(shape=(3, 4), requires_grad=False):
    torch.manual_seed(1)
    dense = torch.randn(shape) * (torch.rand(shape) > 0.5)
    return dense.to_sparse().requires_grad_(requires_grad)


def test_sparse_coo_matmul_with_dense_matches_eager():
    def fn(s, d):
        return (s @ d).relu() + 1

    s, d = _sparse(), torch.randn(4, 2)
    jfn = thunder.jit(fn)
    assert_close(jfn(s, d), fn(s, d))
    assert thunder.compile_stats(jfn).eager_reasons == {"args[0] is a sparse_coo tensor"}


def test_torch_sparse_mm_and_sparse_output_match_eager():
    def fn(s, d):
        return torch.sparse.mm(s, d), s * 2

    s, d = _sparse(), torch.randn(4, 2)
    (mm, doubled), (mm_e, doubled_e) = thunder.jit(fn)(s, d), fn(s, d)
    assert_close(mm, mm_e)
    assert doubled.layout is torch.sparse_coo
    assert_close(doubled.to_dense(), doubled_e.to_dense())


def test_sparse_csr_tensor_input_runs_eagerly():
    s = torch.randn(3, 4).to_sparse_csr()
    jfn = thunder.jit(lambda s, d: s @ d)
    d = torch.randn(4, 2)
    assert_close(jfn(s, d), s @ d)
    assert thunder.compile_stats(jfn).eager_reasons == {"args[0] is a sparse_csr tensor"}


def test_gradients_through_a_sparse_input_match_eager():
    def fn(s, d):
        return torch.sparse.mm(s, d).sin().sum()

    s, d = _sparse(requires_grad=True), torch.randn(4, 2, requires_grad=True)
    s_e, d_e = _sparse(requires_grad=True), d.detach().clone().requires_grad_()
    thunder.jit(fn)(s, d).backward()
    fn(s_e, d_e).backward()
    assert s.grad.layout is torch.sparse_coo
    assert_close(s.grad.to_dense(), s_e.grad.to_dense())
    assert_close(d.grad, d_e.grad)


def test_sparse_tensor_made_inside_the_function_runs_eagerly_without_retracing():
    def fn(x, w):
        return torch.sparse.mm(x.to_sparse(), w) * 2

    x, w = torch.randn(3, 4), torch.randn(4, 2)
    jfn = thunder.jit(fn)
    assert_close(jfn(x, w), fn(x, w))
    assert_close(jfn(x, w), fn(x, w))
    assert _stats(jfn) == (2, 0, 0, 2)
    (reason,) = thunder.compile_stats(jfn).eager_reasons
    assert reason.startswith("torch.Tensor.to_sparse makes a sparse tensor")
    assert "test_tensor_subclasses.py:" in reason


def test_sparse_tensor_from_a_closure_runs_eagerly():
    s = _sparse()

    def fn(d):
        return s @ d

    d = torch.randn(4, 2)
    jfn = thunder.jit(fn)
    assert_close(jfn(d), fn(d))
    (reason,) = thunder.compile_stats(jfn).eager_reasons
    assert "closure variable" in reason and "sparse_coo" in reason


def test_sparse_operation_inside_try_is_not_swallowed_by_the_users_except():
    def fn(x):
        try:
            y = x.to_sparse()
        except Exception:
            y = x
        return y * 3

    x = torch.randn(2, 3)
    out = thunder.jit(fn)(x)
    assert out.layout is torch.sparse_coo
    assert_close(out.to_dense(), fn(x).to_dense())


def test_side_effects_happen_once_when_tracing_stops_at_an_exotic_tensor():
    log = []

    def fn(x):
        log.append("called")
        return x.to_sparse() * 2

    jfn = thunder.jit(fn)
    jfn(torch.randn(2))
    jfn(torch.randn(2))
    assert log == ["called", "called"]


# -- __torch_function__ subclasses ------------------------------------------------------------
def _subclass_fn(x, y):
    return (x * y).sin() + torch.cos(y)


def test_torch_function_subclass_sees_the_same_operations_as_in_eager():
    x = torch.randn(3).as_subclass(LoggingTensor)
    y = torch.randn(3)
    LoggingTensor.log.clear()
    expected = _subclass_fn(x, y)
    eager_log = list(LoggingTensor.log)
    LoggingTensor.log.clear()
    out = thunder.jit(_subclass_fn)(x, y)
    assert LoggingTensor.log == eager_log == ["mul", "sin", "add"]  # cos(y): y is plain
    assert type(out) is LoggingTensor
    assert_close(out, expected)


def test_torch_function_subclass_that_changes_results_matches_eager():
    x = torch.randn(3).as_subclass(PlusOneMul)
    jfn = thunder.jit(lambda t: t * 2)
    out = jfn(x)
    assert type(out) is PlusOneMul
    assert_close(out.as_subclass(torch.Tensor), (x * 2).as_subclass(torch.Tensor))
    (reason,) = thunder.compile_stats(jfn).eager_reasons
    assert reason == "args[0] is a PlusOneMul (a torch.Tensor subclass)"


def test_plain_subclass_keeps_its_type():
    x = torch.randn(3).as_subclass(PlainSubclass)
    out = thunder.jit(lambda t: t.exp() - 1)(x)
    assert type(out) is PlainSubclass
    assert_close(out.as_subclass(torch.Tensor), (x.exp() - 1).as_subclass(torch.Tensor))


def test_gradient_through_a_subclass_input_matches_eager():
    x = torch.randn(3).as_subclass(LoggingTensor).requires_grad_()
    x_e = x.detach().clone().requires_grad_()
    y = torch.randn(3)
    thunder.jit(_subclass_fn)(x, y).sum().backward()
    _subclass_fn(x_e, y).sum().backward()
    assert_close(x.grad.as_subclass(torch.Tensor), x_e.grad.as_subclass(torch.Tensor))


def test_subclass_made_inside_the_function_runs_eagerly_and_logs_as_eager():
    def fn(x):
        return x.as_subclass(LoggingTensor).mul(2).exp()

    x = torch.randn(3)
    LoggingTensor.log.clear()
    expected = fn(x)
    eager_log = list(LoggingTensor.log)
    LoggingTensor.log.clear()
    out = thunder.jit(fn)(x)
    assert LoggingTensor.log == eager_log and type(out) is LoggingTensor
    assert_close(out.as_subclass(torch.Tensor), expected.as_subclass(torch.Tensor))


def test_exotic_tensor_inside_a_container_argument_is_never_given_a_dense_entry():
    def fn(xs, scale):
        return [x * scale["k"] for x in xs]

    jfn = thunder.jit(fn)
    dense = [torch.randn(2), torch.randn(2)]
    jfn(dense, {"k": 2.0})
    sparse = [torch.randn(2), torch.randn(2).to_sparse()]
    out = jfn(sparse, {"k": 2.0})
    assert out[1].layout is torch.sparse_coo
    assert_close(out[1].to_dense(), sparse[1].to_dense() * 2)
    assert thunder.compile_stats(jfn).eager_reasons == {"args[0][1] is a sparse_coo tensor"}
    logging = {"k": torch.tensor(2.0).as_subclass(LoggingTensor)}
    assert type(jfn(dense, logging)[0]) is LoggingTensor
    assert "args[1]['k'] is a LoggingTensor (a torch.Tensor subclass)" in \
        thunder.compile_stats(jfn).eager_reasons
    assert _stats(jfn) == (3, 0, 1, 2)


# -- modules ----------------------------------------------------------------------------------
class SparseInputModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(4, 5))
        self.head = torch.nn.Linear(5, 2)

    def forward(self, adjacency):
        return self.head(torch.sparse.mm(adjacency, self.weight).relu())


def test_module_with_a_sparse_input_matches_eager_with_gradients():
    torch.manual_seed(2)
    model = SparseInputModel()
    jmodel = thunder.jit(model)
    s = _sparse()
    out = jmodel(s)
    out.sum().backward()
    grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    expected = model(s)
    expected.sum().backward()
    assert_close(out, expected)
    for got, want in zip(grads, (p.grad for p in model.parameters())):
        assert_close(got, want)
    assert thunder.compile_stats(jmodel).eager_calls == 1


def test_module_holding_a_sparse_buffer_runs_eagerly():
    class WithSparseBuffer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("adjacency", _sparse())
            self.lin = torch.nn.Linear(2, 3)

        def forward(self, x):
            return self.lin(torch.sparse.mm(self.adjacency, x))

    model = WithSparseBuffer()
    jmodel = thunder.jit(model)
    x = torch.randn(4, 2)
    assert_close(jmodel(x), model(x))
    (reason,) = thunder.compile_stats(jmodel).eager_reasons
    assert "WithSparseBuffer object>.adjacency" in reason and "sparse_coo" in reason


# -- the cache and the reports ----------------------------------------------------------------
def test_dense_calls_compile_normally_after_an_exotic_call():
    def fn(x):
        return x.sin() * 2

    jfn = thunder.jit(fn)
    s = _sparse((3,))
    d = s.to_dense()
    assert_close(jfn(s).to_dense(), fn(s).to_dense())
    assert _stats(jfn) == (1, 0, 0, 1)
    assert_close(jfn(d), fn(d))
    assert _stats(jfn) == (2, 0, 1, 1)
    assert jfn(s).layout is torch.sparse_coo  # never the dense entry of the same shape
    assert_close(jfn(d), fn(d))
    assert _stats(jfn) == (4, 1, 1, 2)
    assert call_key((s,), {}) != call_key((d,), {})


def test_meta_tensors_are_dense_and_compile():
    jfn = thunder.jit(lambda x: x * 2 + 1)
    out = jfn(torch.empty(2, 3, device="meta"))
    assert out.is_meta and out.shape == (2, 3)
    assert _stats(jfn) == (1, 0, 1, 0)


def test_strict_mode_raises_for_an_exotic_input_instead_of_running_eagerly():
    jfn = thunder.jit(lambda x: x * 2, strict=True)
    with pytest.raises(thunder.UnsupportedOperationError, match=r"args\[0\] is a sparse_coo"):
        jfn(_sparse())
    with pytest.raises(thunder.UnsupportedOperationError, match="to_sparse"):
        thunder.jit(lambda x: x.to_sparse() * 2, strict=True)(torch.randn(2))


def test_compile_stats_reports_eager_calls_and_reasons():
    jfn = thunder.jit(lambda x: x + 1)
    jfn(torch.randn(2))
    jfn(torch.randn(2).as_subclass(PlainSubclass))
    stats = thunder.compile_stats(jfn)
    assert (stats.calls, stats.eager_calls) == (2, 1)
    assert stats.eager_reasons == {"args[0] is a PlainSubclass (a torch.Tensor subclass)"}
    assert "eager_calls=1" in repr(stats)


def test_last_traces_of_a_function_that_only_ran_eagerly_says_why():
    jfn = thunder.jit(lambda x: x * 2)
    jfn(_sparse((2,)))
    with pytest.raises(RuntimeError, match="only run eagerly.*sparse_coo"):
        thunder.last_traces(jfn)


def test_examine_says_the_function_runs_eagerly_and_why():
    report = thunder.examine(lambda s, d: torch.sparse.mm(s, d), _sparse(), torch.randn(4, 2))
    assert report.eager_reason == "args[0] is a sparse_coo tensor"
    assert report.operations == [] and report.error is None
    text = str(report)
    assert "runs eagerly" in text and "args[0] is a sparse_coo tensor" in text
    inside = thunder.examine(lambda x: x.to_sparse() * 2, torch.randn(2))
    assert inside.eager_reason.startswith("torch.Tensor.to_sparse makes a sparse tensor")
    dense = thunder.examine(lambda x: x * 2, torch.randn(2))
    assert dense.eager_reason is None and "runs eagerly" not in str(dense)


def test_thunder_creation_operation_with_a_sparse_layout_is_a_clear_error():
    with pytest.raises(thunder.UnsupportedOperationError, match="layout=torch.sparse_coo"):
        thunder.jit(lambda x: x + torch.zeros(3, layout=torch.sparse_coo))(torch.randn(3))
