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


def test_inplace_on_a_view_is_an_error_not_a_silent_result():
    def fn(x):
        y = x * 1
        y[0].zero_()
        return y

    with pytest.raises(thunder.UnsupportedOperationError, match="view"):
        thunder.jit(fn)(torch.randn(2, 2))


def test_functionalized_trace_is_visible_in_last_traces():
    jfn = thunder.jit(lambda x: (x * 1).add_(1))
    jfn(torch.ones(2))
    text = str(thunder.last_traces(jfn)[0])
    assert "ltorch.add(" in text and "ltorch.add_" not in text and "torch.Tensor.add_" not in text
