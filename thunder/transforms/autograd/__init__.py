"""Autograd: gradient rules (``vjp_rules``) and the forward/backward split.

Importing this package registers every rule (elementwise, shape, reduction and torch-level
rules). ``split_forward_backward(trace)`` is the transform ``thunder.jit`` applies when an
input requires grad (see ``thunder.frontend.pipeline``).
"""

from thunder.transforms.autograd.rules import (NoVJPRuleError, VJPRule, def_elementwise_vjp,
                                               def_vjp, vjp_rules)
from thunder.transforms.autograd import elementwise_rules  # noqa: F401  (registers rules)
from thunder.transforms.autograd import shape_rules  # noqa: F401
from thunder.transforms.autograd import reduction_rules  # noqa: F401
from thunder.transforms.autograd import nn_rules  # noqa: F401
from thunder.transforms.autograd import conv_pool_rules  # noqa: F401
from thunder.transforms.autograd import special_rules  # noqa: F401
from thunder.transforms.autograd import matrix_rules  # noqa: F401
from thunder.transforms.autograd import fft_rules  # noqa: F401
from thunder.transforms.autograd.split import differentiable_outputs, split_forward_backward

__all__ = ["split_forward_backward", "differentiable_outputs", "vjp_rules", "VJPRule", "def_vjp", "def_elementwise_vjp",
           "NoVJPRuleError"]
