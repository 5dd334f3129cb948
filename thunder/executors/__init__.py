"""Executors: what runs the symbols of a trace.

An executor claims bound symbols it can run (``OperatorExecutor`` maps one symbol to one
kernel; fusion executors, added later, turn regions into one callable). The ordered list of
executors given to ``thunder.jit`` decides who gets each symbol first; the torch executor can
run everything and is always last.
"""
