"""Autocast inside traced code: explicit casts recorded where ``torch.autocast`` would cast.

When a ``with torch.autocast(...)`` block is interpreted, its ``__enter__`` sets torch's real
autocast state for the duration of tracing. For each torch-level operator called while autocast
is enabled for its device, ``autocast_arguments`` converts the operator's floating-point tensor
arguments as torch's autocast would (the lower-precision list to the autocast dtype, the
float32 list to float32; float64 tensors are never cast), and the casts are recorded in the
trace as ``prims.convert_element_type``. The computation then gives autocast's numerics whether
or not autocast is enabled when it runs.
"""

import torch

from thunder.core import prims
from thunder.core.proxies import TensorProxy

# Operators torch's autocast runs in the lower-precision dtype, per device type (torch's
# documented autocast op lists, by the names of Thunder's torch-level operators).
_LOWER_COMMON = {"matmul", "mm", "bmm", "addmm", "addbmm", "baddbmm", "linear", "conv1d",
                 "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
                 "prelu"}
LOWER_PRECISION = {
    "cpu": frozenset(_LOWER_COMMON | {"scaled_dot_product_attention", "linalg_vecdot"}),
    "cuda": frozenset(_LOWER_COMMON | {"mv", "addmv", "addr", "chain_matmul", "multi_dot"}),
}

# Operators torch's autocast runs in float32, per device type.
FLOAT32 = {
    "cpu": frozenset({
        "prod", "mse_loss", "nll_loss", "smooth_l1_loss", "cross_entropy", "l1_loss",
        "huber_loss", "kl_div", "binary_cross_entropy", "binary_cross_entropy_with_logits",
        "cdist", "trace", "inverse", "pinverse", "cholesky", "quantile", "nanquantile",
    }),
    "cuda": frozenset({
        "acos", "asin", "cosh", "erfinv", "exp", "expm1", "log", "log10", "log2", "log1p",
        "reciprocal", "rsqrt", "sinh", "tan", "pow", "softplus", "layer_norm", "group_norm",
        "norm", "normalize", "cosine_similarity", "cross_entropy", "nll_loss", "mse_loss",
        "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "binary_cross_entropy_with_logits",
        "softmax", "log_softmax", "softmin", "cumsum", "cumprod", "prod", "sum", "dist", "cdist",
        "renorm",
    }),
}


def is_enabled() -> bool:
    return torch._C._is_any_autocast_enabled()


def autocast_arguments(name: str, args: tuple, kwargs: dict):
    """(args, kwargs) with the casts autocast would apply to operator ``name``."""
    device = _first_device(args, kwargs)
    if device is None or not torch.is_autocast_enabled(device.type):
        return args, kwargs
    if name in LOWER_PRECISION.get(device.type, ()):
        mode = "lower"
    elif name in FLOAT32.get(device.type, ()):
        mode = "float32"
    else:
        return args, kwargs
    target = torch.get_autocast_dtype(device.type) if mode == "lower" else torch.float32

    def cast(x):
        if isinstance(x, TensorProxy) and x.dtype.is_floating_point and \
                x.dtype is not torch.float64 and x.dtype is not target:
            if mode == "float32" and x.dtype is torch.float32:
                return x
            return prims.convert_element_type(x, target)
        if type(x) in (list, tuple):
            return type(x)(cast(v) for v in x)
        return x

    return tuple(cast(a) for a in args), {k: cast(v) for k, v in kwargs.items()}


def _first_device(args, kwargs):
    for x in (*args, *kwargs.values()):
        if isinstance(x, TensorProxy):
            return x.device
    return None
