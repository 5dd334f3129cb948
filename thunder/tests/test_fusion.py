"""Fusion executors: region formation over the dataflow graph and the torch.compile executor.

Every test compares the jitted function with eager (values, printed output, random draws) and
checks a specific fact about the regions formed (``thunder.last_fusions``).
"""

import pytest
import torch

import thunder
from thunder.executors.fusion import FusionExecutor
from thunder.executors.torchcompileex import TorchCompileExecutor
from thunder.executors.torchex import ex as torch_executor
from thunder.executors.fusion import region_trace
from thunder.tests.framework import assert_close


class RecordingFusion(FusionExecutor):
    """Fuses the symbols whose torch name is in ``names``; runs each region's torch body and
    counts the calls."""

    def __init__(self, name, names):
        super().__init__(name)
        self.names = set(names)
        self.calls = 0

    def can_fuse(self, bsym):
        return bsym.sym.name in self.names

    def compile_region(self, region):
        region.trace = region_trace(region.name, region.bound_symbols, region.inputs,
                                    region.outputs, torch_executor.claim)
        body = region.trace.python_callable()

        def run(*args):
            self.calls += 1
            return body(*args)

        run.__name__ = region.name
        return run


def _region_names(region):
    return [b.sym.name for b in region.bound_symbols]


def test_independent_symbols_around_an_unfused_one_form_one_region():
    fusion = RecordingFusion("recording", {"sin", "cos", "mul", "add"})

    def f(x, y):
        a = x.sin()
        b = torch.tanh(y)  # not fusible: stays outside, between the two halves
        c = y.cos() * 2
        return a + c, b

    jf = thunder.jit(f, executors=[fusion])
    x, y = torch.randn(3, 4), torch.randn(3, 4)
    for actual, expected in zip(jf(x, y), f(x, y)):
        assert_close(actual, expected)
    (region,) = thunder.last_fusions(jf)
    assert sorted(_region_names(region)) == ["add", "cos", "mul", "sin"]
    assert fusion.calls == 1


def test_a_region_never_contains_a_path_through_an_outside_symbol():
    fusion = RecordingFusion("recording", {"sin", "cos", "exp"})

    def f(x):
        a = x.sin()
        b = torch.tanh(a)  # outside: reads a region value, feeds another
        c = b.cos()
        d = x.exp()
        return c, d

    jf = thunder.jit(f, executors=[fusion])
    x = torch.randn(5)
    for actual, expected in zip(jf(x), f(x)):
        assert_close(actual, expected)
    regions = thunder.last_fusions(jf)
    for region in regions:
        names = _region_names(region)
        assert not ("sin" in names and "cos" in names)
    assert sorted(n for r in regions for n in _region_names(r)) == ["cos", "exp", "sin"]


def test_regions_of_two_executors_never_form_a_cycle():
    # a -> b and c -> n, with a, n for one executor and b, c for the other: putting a and n
    # together and b and c together would make the two regions depend on each other.
    first = RecordingFusion("first", {"sin", "exp"})
    second = RecordingFusion("second", {"cos", "tanh"})

    def f(x, y):
        a = x.sin()
        b = a.cos()
        c = y.tanh()
        n = c.exp()
        return b, n

    jf = thunder.jit(f, executors=[first, second])
    x, y = torch.randn(4), torch.randn(4)
    for actual, expected in zip(jf(x, y), f(x, y)):
        assert_close(actual, expected)
    trace = thunder.last_traces(jf)[-1]
    position = {}
    for i, bsym in enumerate(trace.bound_symbols):
        for out in bsym.flat_proxy_outs():
            position[out.name] = i
    for i, bsym in enumerate(trace.bound_symbols):  # every input is made before it is read
        assert all(position.get(a.name, -1) < i for a in bsym.flat_proxy_args())


def test_a_region_never_returns_a_view_of_its_input():
    fusion = RecordingFusion("recording", {"view", "reshape", "sin", "mul", "transpose"})

    def f(x):
        v = x.view(-1)  # a view of an input: not fused
        return v.sin() * 2, x.transpose(0, 1)

    jf = thunder.jit(f, executors=[fusion])
    x = torch.randn(2, 3)
    out = jf(x)
    for actual, expected in zip(out, f(x)):
        assert_close(actual, expected)
    (region,) = thunder.last_fusions(jf)
    assert _region_names(region) == ["sin", "mul"]
    assert out[1]._base is x  # the transpose is a view of x, as in eager


def test_effects_keep_their_order_and_random_ops_match_eager(capsys):
    executor = TorchCompileExecutor("tc_effects", compile_after=0, min_symbols=1)

    def f(x):
        print("before", x.shape[0])
        y = torch.nn.functional.dropout(x.sin() * 2, p=0.5, training=True)
        print("after")
        return y.cos() + 1

    jf = thunder.jit(f, executors=[executor])
    x = torch.randn(64)
    torch.manual_seed(0)
    actual = jf(x)
    jitted_output = capsys.readouterr().out
    torch.manual_seed(0)
    expected = f(x)
    assert jitted_output == capsys.readouterr().out == "before 64\nafter\n"
    assert_close(actual, expected)
    names = [n for r in thunder.last_fusions(jf) for n in _region_names(r)]
    assert "dropout" not in names and "sin" in names


def test_torch_compile_executor_matches_eager_and_compiles_after_the_threshold():
    executor = TorchCompileExecutor("tc_tiered", compile_after=2, min_symbols=2)

    def f(x, w):
        h = torch.nn.functional.gelu(x @ w)
        return torch.softmax(h * 0.5 + 1, dim=-1).sum(0)

    jf = thunder.jit(f, executors=[executor])
    x, w = torch.randn(8, 16), torch.randn(16, 16)
    states = []
    for call in range(6):
        assert_close(jf(x, w), f(x, w))
        (region,) = thunder.last_fusions(jf)
        states.append(region.callable.state)
    # two timed calls of the torch body, compiled at the third, timed for three calls, decided
    assert states[:5] == ["unfused", "unfused", "measuring", "measuring", "measuring"]
    tiered = region.callable
    if tiered.compiled_seconds < tiered.body_seconds:
        assert states[5] == "compiled" and tiered.compiled is not None
    else:
        assert states[5] == "kept unfused" and tiered.compiled is None
    assert "gelu" not in str(region) or "matmul" not in str(region)  # matmul stays outside
    assert "softmax" in str(region)


@pytest.mark.parametrize("compiled_is_faster", [True, False])
def test_the_faster_of_torch_body_and_compiled_body_is_kept(monkeypatch, compiled_is_faster):
    import time

    def slow(fn):
        def run(*args):
            time.sleep(0.002)
            return fn(*args)
        return run

    executor = TorchCompileExecutor("tc_choice", compile_after=1, min_symbols=1)
    original_compile_region = executor.compile_region

    def compile_region(region):
        tiered = original_compile_region(region)
        if not compiled_is_faster:
            return tiered
        fast = tiered.body
        tiered.body = slow(fast)  # the torch body is the slow one, its "compiled" form fast
        tiered.body.fast = fast
        return tiered

    monkeypatch.setattr(executor, "compile_region", compile_region)
    if not compiled_is_faster:
        monkeypatch.setattr(torch, "compile", lambda fn, **kwargs: slow(fn))
    else:
        monkeypatch.setattr(torch, "compile", lambda fn, **kwargs: fn.fast)

    def f(x):
        return (x.sin() * 2 + 1).exp()

    jf = thunder.jit(f, executors=[executor])
    x = torch.randn(16)
    for _ in range(6):
        assert_close(jf(x), f(x))
    (region,) = thunder.last_fusions(jf)
    assert region.callable.state == ("compiled" if compiled_is_faster else "kept unfused")


def test_torch_compile_executor_gradients_match_eager():
    executor = TorchCompileExecutor("tc_grad", compile_after=0, min_symbols=1)

    def f(x, w):
        return (torch.tanh(x @ w) * x).sum()

    x = torch.randn(4, 4, requires_grad=True)
    w = torch.randn(4, 4, requires_grad=True)
    jf = thunder.jit(f, executors=[executor])
    loss = jf(x, w)
    grads = torch.autograd.grad(loss, (x, w))
    expected = f(x, w)
    expected_grads = torch.autograd.grad(expected, (x, w))
    assert_close(loss, expected)
    for g, e in zip(grads, expected_grads):
        assert_close(g, e)
    backward_regions = thunder.last_backward_traces(jf)[-1].regions
    assert backward_regions and all(r.callable.compiled is not None for r in backward_regions)


def test_small_regions_are_left_to_the_torch_executor():
    jf = thunder.jit(lambda x: (x * 2 + 1).relu())  # default executors
    x = torch.randn(8)
    assert_close(jf(x), (x * 2 + 1).relu())
    assert thunder.last_fusions(jf) == []
    assert "torch.mul" in str(thunder.last_traces(jf)[-1])


def test_default_executors_fuse_a_large_enough_region():
    assert any(isinstance(e, TorchCompileExecutor) for e in thunder.get_default_executors())

    def f(x):
        for _ in range(4):
            x = (x * 1.5 + 0.5).tanh()
        return x

    jf = thunder.jit(f)
    x = torch.randn(16)
    assert_close(jf(x), f(x))
    (region,) = thunder.last_fusions(jf)
    assert len(region.bound_symbols) == 12
    assert region.callable.compiled is None  # tiered: compiled only once it runs repeatedly


def test_a_region_inductor_cannot_compile_runs_unfused(monkeypatch):
    executor = TorchCompileExecutor("tc_failing", compile_after=0, min_symbols=1)

    def broken_compile(fn, **kwargs):
        def fail(*args):
            raise RuntimeError("inductor exploded")
        return fail

    monkeypatch.setattr(torch, "compile", broken_compile)
    jf = thunder.jit(lambda x: x.sin() + x.cos(), executors=[executor])
    x = torch.randn(3)
    with pytest.warns(UserWarning, match="could not compile fusion region"):
        assert_close(jf(x), x.sin() + x.cos())
    assert_close(jf(x), x.sin() + x.cos())  # and keeps running unfused, silently
