"""Python constructs inside jitted functions, on tensors, compared with eager."""

import contextlib
import dataclasses

import torch
import torch.nn as nn

import thunder
from thunder.tests.framework import assert_close


def _check(fn, *args, **kwargs):
    assert_close(thunder.jit(fn)(*args, **kwargs), fn(*args, **kwargs))


def test_closures_and_nonlocal():
    def fn(x):
        total = x

        def add(y):
            nonlocal total
            total = total + y
            return total

        add(x)
        add(2 * x)
        return total

    _check(fn, torch.randn(3))


def test_comprehensions_and_generators():
    def gen(xs):
        for i, x in enumerate(xs):
            yield x * i

    def wrapped(xs):
        yield from gen(xs)

    def fn(x):
        parts = [x + i for i in range(3)]
        squares = {i: p * p for i, p in enumerate(parts)}
        total = sum(t.sum() for t in parts)
        return list(wrapped(parts)), squares, total

    _check(fn, torch.randn(2))


def test_try_except_finally():
    def fn(x):
        log = []
        try:
            try:
                raise ValueError("boom")
            except ValueError as e:
                log.append(str(e))
                x = x + 1
            finally:
                x = x * 2
        except Exception:
            x = x - 100
        return x, log

    _check(fn, torch.randn(3))


def test_with_statement_and_contextmanager():
    events = []

    @contextlib.contextmanager
    def scope(name):
        events.append(f"enter {name}")
        yield 2
        events.append(f"exit {name}")

    def fn(x):
        with scope("a") as k:
            x = x * k
        return x

    _check(fn, torch.randn(2))
    assert events == ["enter a", "exit a", "enter a", "exit a"]


def test_star_args_and_kwargs():
    def inner(a, *rest, scale=1, **extra):
        return (a + sum(rest)) * scale + extra.get("bias", 0)

    def fn(x, y):
        args = (x, y, y)
        kwargs = {"scale": 3, "bias": 1}
        return inner(*args, **kwargs)

    _check(fn, torch.randn(2), torch.randn(2))


def test_super_properties_and_descriptors():
    class Base(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 3)

        def forward(self, x):
            return self.lin(x)

    class Child(Base):
        @property
        def factor(self):
            return 2.0

        @staticmethod
        def shift(x):
            return x + 1

        def forward(self, x):
            return self.shift(super().forward(x) * self.factor)

    torch.manual_seed(0)
    model = Child()
    x = torch.randn(2, 3)
    assert_close(thunder.jit(model)(x), model(x))


@dataclasses.dataclass
class _Pair:
    first: torch.Tensor
    second: torch.Tensor

    def total(self):
        return self.first + self.second


def test_dataclasses_and_fstrings():
    def fn(x):
        pair = _Pair(x, x * 3)
        label = f"{x.shape[0]:>4}|{'ok'!r}"
        return pair.total(), label

    _check(fn, torch.randn(5))


def test_module_containers_and_forward_hooks():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.ModuleList([nn.Linear(4, 2)])[0])
    calls = []

    def pre_hook(module, args):
        calls.append("pre")
        return (args[0] * 2,)

    def hook(module, args, output):
        calls.append("post")
        return output + 1

    model[0].register_forward_pre_hook(pre_hook)
    model[0].register_forward_hook(hook)
    x = torch.randn(3, 4)
    jmodel = thunder.jit(model)
    assert_close(jmodel(x), model(x))
    assert calls == ["pre", "post", "pre", "post"]


def test_registering_a_hook_after_the_first_call_is_seen():
    model = nn.Linear(3, 3)
    jmodel = thunder.jit(model)
    x = torch.randn(2, 3)
    assert_close(jmodel(x), model(x))
    handle = model.register_forward_hook(lambda m, a, out: out * 10)
    assert_close(jmodel(x), model(x))
    handle.remove()
    assert_close(jmodel(x), model(x))
