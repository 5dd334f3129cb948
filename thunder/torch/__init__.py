"""Torch-level operators (``ltorch``): torch's API written as compositions of prims.

Each family module declares its operators with ``@torchsymbol`` (see ``registry.py``); this
package re-exports them so traces print them as ``ltorch.<name>``.
"""

from thunder.torch.registry import torch_to_thunder, torchsymbol  # noqa: F401
from thunder.torch.elementwise import *  # noqa: F401,F403
