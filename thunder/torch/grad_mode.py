"""Global autograd state inside a traced function: ``torch.no_grad()``, ``enable_grad()``.

``torch.no_grad().__enter__`` ends in ``torch._C._set_grad_enabled(False)``; the interpreter's
lookaside sends that call here. ``set_grad_enabled`` is recorded in the trace (so the
computation switches grad mode at the same point eager would) and is applied at trace time too
(so the proxies made inside the block have ``requires_grad=False``, as torch's tensors would).
"""

import torch

from thunder.torch.registry import torchsymbol


@torchsymbol(torch._C._set_grad_enabled, name="set_grad_enabled")
def set_grad_enabled(mode):
    torch._C._set_grad_enabled(mode)
