"""Names and constants are always escaped: nothing the user passes can become code."""

import torch

import thunder
from thunder.core.codeutils import to_source
from thunder.tests.framework import assert_close

HOSTILE = [
    "it's",
    'say "hi"',
    "back\\slash",
    "new\nline",
    "x'); import os; os._exit(3); ('",
    '"""; raise SystemExit; """',
    "\r\n# comment\nraise SystemExit",
]


def test_to_source_round_trips_hostile_strings():
    for s in HOSTILE:
        assert eval(to_source(s)) == s
        assert eval(to_source({s: (s, [s])})) == {s: (s, [s])}


def test_hostile_keyword_argument_names_never_become_code():
    def fn(**kwargs):
        return {k: v * 2 for k, v in kwargs.items()}

    jfn = thunder.jit(fn)
    kwargs = {name: torch.randn(2) for name in HOSTILE}
    assert_close(jfn(**kwargs), fn(**kwargs))
    for trace in thunder.last_traces(jfn) + thunder.last_prologue_traces(jfn):
        compile(str(trace), "<trace>", "exec")


def test_hostile_dict_keys_never_become_code():
    def fn(d):
        return [d[k] + 1 for k in d]

    jfn = thunder.jit(fn)
    d = {name: torch.randn(2) for name in HOSTILE}
    assert_close(jfn(d), fn(d))
    assert_close(jfn(d), fn(d))
    assert thunder.cache_hits(jfn) == 1


def test_hostile_string_constants_and_attribute_names_never_become_code():
    class Holder:
        pass

    holder = Holder()
    for i, name in enumerate(HOSTILE):
        setattr(holder, name, torch.full((2,), float(i)))

    def fn(x):
        total = x
        for name in HOSTILE:
            total = total + getattr(holder, name)
        return total, HOSTILE[4]

    jfn = thunder.jit(fn)
    x = torch.randn(2)
    assert_close(jfn(x), fn(x))
    assert_close(jfn(x), fn(x))
    for trace in thunder.last_traces(jfn) + thunder.last_prologue_traces(jfn):
        compile(str(trace), "<trace>", "exec")
