"""Transforms: pure functions from trace to trace, each in its own module and named.

``thunder.jit`` runs them in the order listed in ``thunder.frontend.pipeline``.
"""
