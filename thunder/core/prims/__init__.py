"""The primitives: a small closed set of operations (members of ``PrimIDs``) with meta functions.

Each family module defines its prims next to their meta functions and torch implementations;
this package re-exports them so that traces print them as ``prims.<name>``. See
NOTE [prim registries] in ``definition.py``.
"""

from thunder.core.prims.ids import PrimIDs
from thunder.core.prims.definition import make_prim, prims_by_id
from thunder.core.prims.elementwise import *  # noqa: F401,F403
from thunder.core.prims.shape import *  # noqa: F401,F403
from thunder.core.prims.shape import slice_prim as slice  # noqa: F401
from thunder.core.prims.reductions import *  # noqa: F401,F403
from thunder.core.prims.creation import *  # noqa: F401,F403
from thunder.core.prims.linalg import *  # noqa: F401,F403
from thunder.core.prims.convolution_pooling import *  # noqa: F401,F403
from thunder.core.prims.matrix import *  # noqa: F401,F403
from thunder.core.prims.fft import *  # noqa: F401,F403
from thunder.core.prims.special import *  # noqa: F401,F403
