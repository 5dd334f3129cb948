"""Assignments to outside objects inside a jitted function happen at every call, as in eager."""

import torch

import thunder
from thunder.tests.framework import assert_close


class _Recorder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(2, 2)
        self.calls = 0

    def forward(self, x):
        h = self.lin(x)
        self.last = h * 2
        self.calls += 1
        self.tag = "done"
        return h + self.last


def test_attributes_assigned_in_forward_are_set_on_the_module():
    torch.manual_seed(0)
    eager, jitted_model = _Recorder(), _Recorder()
    jitted_model.load_state_dict(eager.state_dict())
    jmodel = thunder.jit(jitted_model)
    x = torch.randn(3, 2)
    for _ in range(3):
        assert_close(jmodel(x), eager(x))
        assert_close(jitted_model.last, eager.last)
        assert jitted_model.calls == eager.calls
        assert jitted_model.tag == eager.tag
    # the counter is read and replayed at every call: NOTE [runtime numbers]
    assert "p0.calls = n0" in str(thunder.last_epilogue_traces(jmodel)[0])
    assert thunder.cache_misses(jmodel) == 1


def test_tracing_leaves_no_proxy_on_the_module():
    model = _Recorder()
    thunder.jit(model)(torch.randn(1, 2))
    assert isinstance(model.last, torch.Tensor)


def test_attribute_written_then_read_in_the_same_call():
    class Holder:
        pass

    holder = Holder()
    holder.scale = 1.0

    def fn(x):
        holder.scale = holder.scale * 2
        return x * holder.scale

    jfn = thunder.jit(fn)
    x = torch.ones(2)
    assert_close(jfn(x), x * 2)
    assert holder.scale == 2.0
    assert_close(jfn(x), x * 4)
    assert holder.scale == 4.0


_LOG = []


def test_mutations_of_outside_containers_happen_at_every_call():
    cache = {}

    def fn(x, out):
        _LOG.append(x.sum())
        cache["last"] = x * 2
        out += [x.mean()]
        out[0] = out[0] + 1
        return x + 1

    jfn = thunder.jit(fn)
    mine, expected_out = [], []
    for scale in (1.0, 3.0, 3.0):
        x = torch.ones(2) * scale
        jfn(x, mine)
    jit_log, jit_cache = list(_LOG), dict(cache)
    _LOG.clear()
    cache.clear()
    for scale in (1.0, 3.0, 3.0):
        fn(torch.ones(2) * scale, expected_out)
    assert_close(jit_log, _LOG)
    assert_close(jit_cache, cache)
    assert_close(mine, expected_out)
    _LOG.clear()


def test_print_runs_at_every_call_with_runtime_values(capsys):
    def fn(x):
        print("total", x.sum(), f"{x.mean():.1f}")
        return x * 2

    jfn = thunder.jit(fn)
    jfn(torch.ones(2))
    jfn(torch.ones(2) * 3)
    assert capsys.readouterr().out.splitlines() == ["total tensor(2.) 1.0",
                                                    "total tensor(6.) 3.0"]
