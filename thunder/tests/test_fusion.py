"""Fusion executors: region formation over the dataflow graph and the torch.compile executor.

Every test compares the jitted function with eager (values, printed output, random draws) and
checks a specific fact about the regions formed (``thunder.last_fusions``).
"""

import statistics

import pytest
import torch

import thunder
from thunder.executors.fusion import FusionExecutor
from thunder.executors import torchcompileex
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
    for call in range(9):
        assert_close(jf(x, w), f(x, w))
        (region,) = thunder.last_fusions(jf)
        states.append(region.callable.state)
    # two calls of the torch body, compiled at the third, then five calls that time both
    # bodies, then decided
    assert states[:8] == ["unfused", "unfused"] + ["measuring"] * 5 + [states[7]]
    tiered = region.callable
    assert len(tiered.body_times) == len(tiered.compiled_times) == 5
    if statistics.median(tiered.compiled_times) < statistics.median(tiered.body_times):
        assert states[7] == states[8] == "compiled" and tiered.compiled is not None
    else:
        assert states[7] == states[8] == "kept unfused" and tiered.compiled is None
    assert _region_names(region) == ["matmul", "gelu", "mul", "add", "softmax", "sum"]


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
        monkeypatch.setattr(torchcompileex, "compile_with_inductor",
                            lambda body, args: slow(body))
    else:
        monkeypatch.setattr(torchcompileex, "compile_with_inductor",
                            lambda body, args: body.fast)

    def f(x):
        return (x.sin() * 2 + 1).exp()

    jf = thunder.jit(f, executors=[executor])
    x = torch.randn(16)
    for _ in range(8):
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

    def broken_compile(body, args):
        raise RuntimeError("inductor exploded")

    monkeypatch.setattr(torchcompileex, "compile_with_inductor", broken_compile)
    jf = thunder.jit(lambda x: x.sin() + x.cos(), executors=[executor])
    x = torch.randn(3)
    with pytest.warns(UserWarning, match="could not compile fusion region"):
        assert_close(jf(x), x.sin() + x.cos())
    assert_close(jf(x), x.sin() + x.cos())  # and keeps running unfused, silently


def test_a_compiled_region_called_with_other_strides_runs_its_torch_body():
    executor = TorchCompileExecutor("tc_strides", compile_after=0, min_symbols=1)

    def f(x):
        return (x.sin() * 2 + 1).exp()

    jf = thunder.jit(f, executors=[executor])
    x = torch.randn(8, 8)
    assert_close(jf(x), f(x))
    (region,) = thunder.last_fusions(jf)
    assert region.callable.state == "compiled"
    transposed = torch.randn(8, 8).t()  # same shape and dtype, other strides
    assert_close(jf(transposed), f(transposed))
    assert thunder.cache_misses(jf) == 1


def test_dropout_that_draws_nothing_is_fused_and_leaves_the_generator_alone():
    executor = TorchCompileExecutor("tc_dropout", compile_after=0, min_symbols=1)

    def f(x):
        h = torch.nn.functional.dropout(x.sin() * 2, p=0.0, training=True)
        return torch.nn.functional.dropout(h.cos(), p=0.3, training=False) + 1

    jf = thunder.jit(f, executors=[executor])
    x = torch.randn(16)
    torch.manual_seed(0)
    actual, after = jf(x), torch.rand(3)
    torch.manual_seed(0)
    expected, expected_after = f(x), torch.rand(3)
    assert_close(actual, expected)
    assert_close(after, expected_after)  # no random numbers were drawn
    (region,) = thunder.last_fusions(jf)
    assert _region_names(region).count("dropout") == 2


def test_attention_and_matrix_products_fuse_and_keep_the_sdpa_gradient():
    from thunder.models.gpt import GPT, GPTConfig

    torch.manual_seed(0)
    gpt = GPT(GPTConfig(n_layer=1, n_head=2, n_embd=16, block_size=8, vocab_size=32))
    idx = torch.randint(0, 32, (2, 8))
    jgpt = thunder.jit(gpt)  # default executors: torchcompile, sdpa, torch
    _, loss = jgpt(idx, idx)
    assert_close(loss, gpt(idx, idx)[1])
    loss.backward()  # its gradients match eager's: test_sdpaex.py, with the same executors
    forward_regions = thunder.last_traces(jgpt)[-1].regions
    backward_regions = thunder.last_backward_traces(jgpt)[-1].regions
    assert len(forward_regions) == 1  # the whole forward: no random op splits it
    forward_names = _region_names(forward_regions[0])
    assert {"linear", "native_layer_norm"} <= set(forward_names)
    assert "executors.sdpaex._flash_cpu_forward" in forward_names
    backward_names = {n for r in backward_regions for n in _region_names(r)}
    assert {"matmul", "executors.sdpaex._flash_cpu_backward"} <= backward_names


def test_backward_regions_keep_at_most_the_budget_of_saved_tensors_alive():
    from thunder.executors.passes import HELD_FRACTION, MIN_HELD_BYTES

    executor = TorchCompileExecutor("tc_memory", compile_after=100, min_symbols=1)

    def f(x, ws):
        for w in ws:
            x = torch.tanh(x @ w) * 0.5 + x
        return x.sum()

    torch.manual_seed(0)
    x = torch.randn(512, 512, requires_grad=True)  # 1 MiB per activation
    ws = [(torch.randn(512, 512) / 32).requires_grad_() for _ in range(6)]
    jf = thunder.jit(f, executors=[executor])
    jf(x, ws).backward()
    expected_grads = torch.autograd.grad(f(x, ws), [x, *ws])
    for got, expected in zip([x.grad, *(w.grad for w in ws)], expected_grads):
        assert_close(got, expected, atol=1e-4, rtol=1e-4)

    trace = thunder.last_backward_traces(jf)[-1]
    saved, *_ = trace.args
    (unpack, *_) = trace.bound_symbols
    nbytes = lambda p: p.numel() * p.dtype.itemsize  # noqa: E731
    budget = max(MIN_HELD_BYTES, HELD_FRACTION * sum(nbytes(p) for p in unpack.flat_proxy_outs()))
    last_read = {}
    for i, bsym in enumerate(trace.bound_symbols):
        for a in bsym.flat_proxy_args():
            last_read[a.name] = i
    assert len(trace.regions) >= 2  # one region would hold every activation to the end
    for region in trace.regions:
        outputs = {o.name for o in region.outputs}
        (position,) = [i for i, b in enumerate(trace.bound_symbols)
                       if {o.name for o in b.flat_proxy_outs()} == outputs]
        dying = [p for p in region.inputs if last_read[p.name] == position]
        assert sum(nbytes(p) for p in dying) <= budget, region.name


def test_dropout_in_a_training_step_draws_eager_masks_when_fused():
    # With grad, dropout becomes a mask kernel and a multiplication: the mask's draw stays
    # out of the regions, so Inductor does not replace eager's random numbers with its own.
    executor = TorchCompileExecutor("tc_dropout_grad", compile_after=0, min_symbols=0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.Dropout(0.5), torch.nn.Tanh())
    jmodel = thunder.jit(model, executors=[executor])
    x = torch.randn(16, 8)
    for seed in range(3):
        torch.manual_seed(seed)
        actual = jmodel(x)
        torch.manual_seed(seed)
        assert_close(actual, model(x))
    names = [n for r in thunder.last_fusions(jmodel) for n in _region_names(r)]
    assert names and "dropout_mask" not in names


def test_an_operator_whose_decomposition_draws_stays_out_of_regions():
    executor = TorchCompileExecutor("tc_sdpa_dropout", compile_after=0, min_symbols=0)

    def f(q):
        attended = torch.nn.functional.scaled_dot_product_attention(q.sin(), q, q, dropout_p=0.5)
        return attended.cos()

    jf = thunder.jit(f, executors=[executor])
    q = torch.randn(1, 2, 8, 4)
    torch.manual_seed(0)
    actual = jf(q)
    torch.manual_seed(0)
    assert_close(actual, f(q))  # eager's own dropout draw, not Inductor's
    names = [n for r in thunder.last_fusions(jf) for n in _region_names(r)]
    assert "scaled_dot_product_attention" not in names and {"sin", "cos"} <= set(names)
