"""The demo (``python -m thunder.demo``) runs: it prints the trace, the fusion region bodies and a
timing line, after checking the jitted GPT against eager."""

from thunder import demo


def test_demo_prints_the_trace_the_regions_and_a_timing_line(capsys):
    demo.main()
    out = capsys.readouterr().out
    assert "def computation(" in out  # the final trace
    assert "# Constructed by fusion region torchcompile0" in out  # a region's body
    timing = out.strip().splitlines()[-1]
    assert timing.startswith("GPT (2 layers") and timing.endswith("outputs match eager")
    assert "torchcompile0 compiled" in timing or "torchcompile0 kept unfused" in timing
