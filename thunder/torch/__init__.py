"""Torch-level operators (``ltorch``): torch's API written as compositions of prims.

Each family module declares its operators with ``@torchsymbol`` (see ``registry.py``); this
package re-exports them so traces print them as ``ltorch.<name>``.
"""

from thunder.torch.registry import torch_to_thunder, torchsymbol  # noqa: F401
from thunder.torch.elementwise import *  # noqa: F401,F403
from thunder.torch.linalg import *  # noqa: F401,F403
from thunder.torch.grad_mode import *  # noqa: F401,F403
from thunder.torch.shape import *  # noqa: F401,F403
from thunder.torch.nn import *  # noqa: F401,F403
from thunder.torch.losses import *  # noqa: F401,F403
from thunder.torch.reductions import *  # noqa: F401,F403
from thunder.torch.conversion import *  # noqa: F401,F403
from thunder.torch.creation import *  # noqa: F401,F403
from thunder.torch.indexing import *  # noqa: F401,F403
from thunder.torch.convolution import *  # noqa: F401,F403
from thunder.torch.pooling import *  # noqa: F401,F403
from thunder.torch.padding import *  # noqa: F401,F403
from thunder.torch.misc import *  # noqa: F401,F403
from thunder.torch.matrix import *  # noqa: F401,F403
from thunder.torch.fft import *  # noqa: F401,F403
from thunder.torch.special import *  # noqa: F401,F403
from thunder.torch.aten import *  # noqa: F401,F403
