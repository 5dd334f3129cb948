"""Executors: what runs the symbols of a trace.

An executor claims bound symbols it can run (``OperatorExecutor`` maps one symbol to one
kernel; fusion executors (``fusion.py``) turn regions into one callable). The ordered list of
executors given to ``thunder.jit`` decides who gets each symbol first; the torch executor can
run everything and is always last.

The executors, registered by name when their modules are imported (``thunder/__init__.py``
imports them all and sets the defaults): ``"sdpa"`` (``sdpaex``: fused attention, forward and
backward), ``"triton"`` (``tritonex``: Triton kernels for CUDA tensors, in the defaults only where
Triton and CUDA are available), ``"nvfuser"`` (``nvfuserex``: regions fused by nvFuser, in the
defaults only where it imports and CUDA is available), ``"torchcompile"`` (``torchcompileex``:
regions compiled by Inductor), ``"torch"`` and ``"torch_prims"`` (``torchex``). An operator
executor may also differentiate what it runs with its own kernels (NOTE [executor gradients] in
``extend.py``).
"""
