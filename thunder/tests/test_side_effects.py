"""Python side effects inside a jitted function behave as in eager, at every call.

Random draws from ``random`` and ``numpy.random``, numbers the function updates (counters,
running totals), globals and closure variables, and the global torch state. Every test runs the
same calls eagerly and jitted and compares values, side effects and the number of traces.
"""

import random

import numpy as np
import pytest
import torch

import thunder
from thunder.tests.framework import assert_close


def _compare(fn, calls, seed=None):
    """Run ``fn`` on each argument tuple, jitted then eagerly, from the same random state."""
    jfn = thunder.jit(fn)
    results = {}
    for name, run in (("jitted", jfn), ("eager", fn)):
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)
        results[name] = [run(*args) for args in calls]
        results[name + " state"] = (random.random(), np.random.rand(), torch.rand(()))
    assert_close(results["jitted"], results["eager"])
    assert_close(results["jitted state"], results["eager state"])
    return jfn


# -- Python's random module ----------------------------------------------------------------------
def _python_draws(x):
    y = x * random.random() + random.uniform(-1.0, 1.0)
    y = y + random.randint(1, 6) + random.gauss(0.0, 1.0)
    y = y * random.choice([1.0, 2.0, 3.0]) + random.choice([x, x * 2, -x]).sum()
    parts = [x, x + 1, x + 2]
    random.shuffle(parts)
    return y, torch.stack(parts), random.random()


def test_python_random_draws_fresh_numbers_at_every_call_as_eager():
    jfn = _compare(_python_draws, [(torch.ones(3),)] * 4, seed=0)
    assert thunder.cache_misses(jfn) == 1
    assert "pyrandom.draw" in str(thunder.last_traces(jfn)[-1])


def test_random_instance_methods_draw_from_that_instance():
    eager_rng, jit_rng = random.Random(7), random.Random(7)

    def make(rng):
        def fn(x):
            return x * rng.random() + rng.randint(0, 10), rng.sample([1, 2, 3, 4], 2)
        return fn

    jfn = thunder.jit(make(jit_rng))
    for _ in range(4):
        assert_close(jfn(torch.ones(2)), make(eager_rng)(torch.ones(2)))
    assert thunder.cache_misses(jfn) == 1
    assert jit_rng.getstate() == eager_rng.getstate()


def test_branch_on_a_random_number_follows_each_calls_draw():
    def fn(x):
        if random.random() < 0.5:
            return x * 2
        return x - 1

    jfn = _compare(fn, [(torch.ones(2),)] * 10, seed=3)
    assert thunder.cache_misses(jfn) == 2  # one trace per branch


def test_random_draw_before_a_data_check_is_drawn_once_per_call():
    def fn(x):
        noise = random.random()
        if x.sum() > 0:
            return x + noise
        return x - noise

    calls = [(torch.full((2,), float(s)),) for s in (1, -1, 1, -1, -1, 1)]
    jfn = _compare(fn, calls, seed=5)
    assert thunder.cache_misses(jfn) == 2


def test_random_number_used_as_a_size_is_specialised_and_checked():
    def fn(x):
        return torch.ones(random.randint(1, 3)) * x.sum()

    jfn = _compare(fn, [(torch.ones(2),)] * 8, seed=1)
    assert thunder.cache_misses(jfn) <= 3


def test_choice_among_strings_picks_eagers_element():
    table = {"a": 1.0, "b": 2.0, "c": 3.0}

    def fn(x):
        key = random.choice(sorted(table))
        return x * table[key], key

    jfn = _compare(fn, [(torch.ones(2),)] * 8, seed=2)
    assert thunder.cache_misses(jfn) <= 3


def test_seed_inside_the_function_gives_the_same_numbers_at_every_call():
    def fn(x):
        random.seed(11)
        return x * random.random()

    jfn = _compare(fn, [(torch.ones(2),)] * 3, seed=0)
    assert thunder.cache_misses(jfn) == 1


def test_random_number_stored_on_an_outside_object_and_printed(capsys):
    class Holder:
        pass

    def make(holder):
        def fn(x):
            r = random.random()
            holder.last = r
            print("drew", r)
            return x * r
        return fn

    jit_holder, eager_holder = Holder(), Holder()
    jfn = thunder.jit(make(jit_holder))
    random.seed(4)
    jit_outs = [(jfn(torch.ones(1)), jit_holder.last) for _ in range(3)]
    jit_printed = capsys.readouterr().out
    random.seed(4)
    eager_outs = [(make(eager_holder)(torch.ones(1)), eager_holder.last) for _ in range(3)]
    assert capsys.readouterr().out == jit_printed
    assert_close(jit_outs, eager_outs)
    assert type(jit_holder.last) is float
    assert thunder.cache_misses(jfn) == 1


def test_python_builtins_on_random_numbers():
    import math

    def fn(x):
        r = random.random()
        k = int(r * 10)
        a = max(r, 0.5) + abs(-r) + round(r * 3) + math.floor(r * 4) + float(k) + sum([r, r])
        kinds = (isinstance(r, float), type(k) is int, type(r).__name__)
        return x * a + k, kinds

    jfn = _compare(fn, [(torch.ones(2),)] * 6, seed=9)
    assert thunder.cache_misses(jfn) <= 4  # max() and round(r * 3) select among a few values


def test_random_numbers_appended_to_an_outside_list_and_set_on_a_class():
    class Config:
        last = None

    def make(log):
        def fn(x):
            log.append(random.random())
            Config.last = random.randint(0, 100)
            return x + 1
        return fn

    jit_log, eager_log = [], []
    jfn = thunder.jit(make(jit_log))
    random.seed(6)
    jit_lasts = [(jfn(torch.ones(1)), Config.last)[1] for _ in range(3)]
    random.seed(6)
    eager_lasts = [(make(eager_log)(torch.ones(1)), Config.last)[1] for _ in range(3)]
    assert jit_log == eager_log and jit_lasts == eager_lasts
    assert thunder.cache_misses(jfn) == 1


GENERATOR = random.Random(0)


def _draw_from_global_generator(x):
    return x * GENERATOR.random()


def test_generator_read_from_a_global_is_the_one_drawn_from_at_every_call():
    global GENERATOR
    jfn = thunder.jit(_draw_from_global_generator)
    GENERATOR = random.Random(0)
    first = jfn(torch.ones(1))
    GENERATOR = random.Random(0)  # another object: guarded by identity, so traced again
    assert_close(jfn(torch.ones(1)), first)
    assert thunder.cache_misses(jfn) == 2


def test_print_before_a_data_check_prints_once_per_call(capsys):
    def fn(x):
        r = random.random()
        print("sum", x.sum(), r)
        if x.sum() > 0:
            return x * r
        return x - r

    calls = [(torch.full((2,), float(s)),) for s in (1, -1, -1, 1)]
    _compare(fn, calls, seed=12)
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 8 and printed[:4] == printed[4:]


def test_unsupported_random_uses_raise_a_clear_error():
    class MyRandom(random.Random):
        pass

    def made_by_subclass(x):
        return x * MyRandom(0).random()

    def numpy_state(x):
        np.random.get_state()
        return x

    def python_state(x):
        random.getstate()
        return x

    for fn in (made_by_subclass, numpy_state, python_state):
        with pytest.raises(thunder.UnsupportedOperationError, match="jitted|random"):
            thunder.jit(fn)(torch.ones(1))


# -- numpy.random ----------------------------------------------------------------------------------
def _numpy_draws(x):
    a = torch.tensor(np.random.rand(3))
    b = torch.from_numpy(np.random.randn(3)).float()
    c = torch.as_tensor(np.random.randint(0, 10, size=3))
    d = np.random.normal(0.0, 2.0) + np.random.uniform(size=2).sum() + np.random.random()
    e = np.random.choice([0.5, 1.5])
    return x * a + b + c + d * e


def test_numpy_random_functions_draw_fresh_arrays_at_every_call_as_eager():
    jfn = _compare(_numpy_draws, [(torch.ones(3, dtype=torch.float64),)] * 4, seed=0)
    assert thunder.cache_misses(jfn) == 1


def test_numpy_generators_made_inside_and_outside():
    outside = {"jit": np.random.default_rng(5), "eager": np.random.default_rng(5)}

    def make(rng):
        def fn(x):
            inside = np.random.default_rng(1)
            scale = inside.random() + rng.random()
            noise = torch.tensor(rng.normal(size=2)) * inside.integers(1, 5)
            return x * scale + noise
        return fn

    jfn = thunder.jit(make(outside["jit"]))
    for _ in range(4):
        x = torch.ones(2, dtype=torch.float64)
        assert_close(jfn(x), make(outside["eager"])(x))
    assert thunder.cache_misses(jfn) == 1
    assert outside["jit"].random() == outside["eager"].random()


def test_numpy_array_arithmetic_and_indexing():
    def fn(x):
        a = np.random.rand(4)
        b = (a * 2 - 1)[1:] + a[0]
        return x + torch.tensor(b.tolist()), float(a.mean() > 2)

    _compare(fn, [(torch.zeros(3, dtype=torch.float64),)] * 3, seed=8)


# -- numbers the function updates ------------------------------------------------------------
class _Accumulator(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(2, 2)
        self.calls = 0
        self.total = 0.0
        self.scale = 1.0

    def forward(self, x):
        self.calls += 1
        out = self.lin(x) * self.scale
        self.total += out.sum().item()
        self.scale = self.scale * 0.5
        return out


def test_counter_and_running_total_updated_at_every_call_without_retracing():
    torch.manual_seed(0)
    eager, jitted_model = _Accumulator(), _Accumulator()
    jitted_model.load_state_dict(eager.state_dict())
    jmodel = thunder.jit(jitted_model)
    for i in range(5):
        x = torch.randn(3, 2)
        assert_close(jmodel(x), eager(x))
    assert jitted_model.calls == eager.calls == 5
    assert type(jitted_model.calls) is int and type(jitted_model.total) is float
    assert jitted_model.total == pytest.approx(eager.total)
    assert jitted_model.scale == eager.scale
    assert thunder.cache_misses(jmodel) == 1


def test_counter_model_trains_like_eager():
    torch.manual_seed(0)
    eager, jitted_model = _Accumulator(), _Accumulator()
    jitted_model.load_state_dict(eager.state_dict())
    jmodel = thunder.jit(jitted_model)
    for _ in range(3):
        x = torch.randn(3, 2)
        jmodel(x).square().sum().backward()
        eager(x).square().sum().backward()
    assert_close(jitted_model.lin.weight.grad, eager.lin.weight.grad)
    assert jitted_model.total == pytest.approx(eager.total)
    assert thunder.cache_misses(jmodel) == 1


COUNT = 0


def _count_calls(x):
    global COUNT
    COUNT += 1
    return x * 2


def test_global_counter_incremented_at_every_call():
    global COUNT
    COUNT = 0
    jfn = thunder.jit(_count_calls)
    for _ in range(5):
        jfn(torch.ones(2))
    assert COUNT == 5
    assert thunder.cache_misses(jfn) == 1


def test_closure_counter_incremented_at_every_call():
    def make():
        calls = 0

        def fn(x):
            nonlocal calls
            calls += 1
            return x * calls

        return fn, lambda: calls

    fn, jit_calls = make()
    eager_fn, eager_calls = make()
    jfn = thunder.jit(fn)
    for _ in range(4):
        assert_close(jfn(torch.ones(2)), eager_fn(torch.ones(2)))
    assert jit_calls() == eager_calls() == 4
    assert thunder.cache_misses(jfn) == 1


LAST = None


def _remember_last(x):
    global LAST
    LAST = x * 2
    return x + 1


def test_tensors_assigned_to_a_global_and_a_closure_variable_at_every_call():
    jfn = thunder.jit(_remember_last)
    for scale in (1.0, 3.0):
        jfn(torch.full((2,), scale))
        assert_close(LAST, torch.full((2,), 2 * scale))

    def make():
        total = torch.zeros(2)

        def accumulate(x):
            nonlocal total
            total = total + x
            return total

        return accumulate, lambda: total

    accumulate, jit_total = make()
    jaccumulate = thunder.jit(accumulate)
    for _ in range(3):
        jaccumulate(torch.ones(2))
    assert_close(jit_total(), torch.full((2,), 3.0))
    assert thunder.cache_misses(jfn) == thunder.cache_misses(jaccumulate) == 1


def test_counter_that_selects_a_branch_is_guarded():
    class Alternating(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.step = 0

        def forward(self, x):
            self.step += 1
            if self.step % 2 == 0:
                return x * 2
            return x + 1

    eager, jitted_model = Alternating(), Alternating()
    jmodel = thunder.jit(jitted_model)
    for _ in range(6):
        assert_close(jmodel(torch.ones(2)), eager(torch.ones(2)))
    assert jitted_model.step == 6
    # the branch depends on the counter only: the prologue guards the value read, so a call
    # with another value fails there (cheaply) and is traced for it
    assert thunder.cache_misses(jmodel) == 6


def test_counter_used_as_a_size_stays_guarded():
    class Growing:
        n = 1

    growing = Growing()

    def fn(x):
        growing.n = growing.n + 1
        return torch.ones(growing.n) * x.sum()

    jfn = thunder.jit(fn)
    for expected in (2, 3, 4):
        assert jfn(torch.ones(1)).shape == (expected,)
    assert growing.n == 4


def test_item_in_arithmetic_and_returned():
    def fn(x):
        mean = x.mean().item()
        return x - mean, mean * 2

    jfn = thunder.jit(fn)
    for scale in (1.0, 2.0, 3.0):
        x = torch.arange(3.0) * scale
        out, value = jfn(x)
        expected_out, expected_value = fn(x)
        assert_close(out, expected_out)
        assert value == expected_value and type(value) is float


# -- globals, closures and torch state read by the function ------------------------------------
SCALE = 2.0


def _scaled(x):
    return x * SCALE


def test_changed_global_and_closure_are_seen():
    global SCALE
    jfn = thunder.jit(_scaled)
    SCALE = 2.0
    assert_close(jfn(torch.ones(2)), torch.full((2,), 2.0))
    SCALE = 3.0
    assert_close(jfn(torch.ones(2)), torch.full((2,), 3.0))

    def make(k):
        def fn(x):
            return x + k
        def set_k(value):
            nonlocal k
            k = value
        return fn, set_k

    fn, set_k = make(1)
    jfn = thunder.jit(fn)
    assert_close(jfn(torch.zeros(2)), torch.ones(2))
    set_k(5)
    assert_close(jfn(torch.zeros(2)), torch.full((2,), 5.0))


def test_grad_mode_default_dtype_and_autocast_are_respected():
    def fn(x, w):
        return x @ w + torch.ones(2)

    jfn = thunder.jit(fn)
    x, w = torch.randn(2, 2), torch.randn(2, 2, requires_grad=True)
    assert jfn(x, w).requires_grad
    with torch.no_grad():
        assert not jfn(x, w).requires_grad
    previous = torch.get_default_dtype()
    try:
        torch.set_default_dtype(torch.float64)
        x64, w64 = x.double(), w.detach().double()
        assert jfn(x64, w64).dtype == fn(x64, w64).dtype == torch.float64
    finally:
        torch.set_default_dtype(previous)
    for dtype in (torch.bfloat16, torch.float16):
        with torch.autocast("cpu", dtype=dtype):
            assert jfn(x, w).dtype == fn(x, w).dtype
    assert jfn(x, w).dtype == torch.float32


def test_default_dtype_of_a_factory_inside_the_function_follows_the_global_setting():
    def ones():
        return torch.ones(3)

    jones = thunder.jit(ones)
    previous = torch.get_default_dtype()
    try:
        for dtype in (torch.float32, torch.float64, torch.float32):
            torch.set_default_dtype(dtype)
            assert jones().dtype == ones().dtype == dtype
    finally:
        torch.set_default_dtype(previous)
    assert thunder.cache_misses(jones) == 2


def test_manual_seed_inside_the_function_gives_eagers_numbers_at_every_call():
    def fn(x):
        torch.manual_seed(3)
        return x + torch.rand(3)

    jfn = thunder.jit(fn)
    first = jfn(torch.zeros(3))
    assert_close(first, fn(torch.zeros(3)))
    assert_close(jfn(torch.zeros(3)), first)
    after_jit = torch.rand(2)
    fn(torch.zeros(3))
    assert_close(after_jit, torch.rand(2))
