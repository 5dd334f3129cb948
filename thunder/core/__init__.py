"""Core data structures: dtypes, devices, proxies, symbols, traces and primitives.

Nothing in ``thunder.core`` depends on the interpreter, the transforms or the executors: the
import graph points one way (prims <- traces <- interpreter <- transforms <- executors <- API).
"""
