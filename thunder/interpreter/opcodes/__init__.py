"""Opcode handlers, one small function per opcode, grouped by family in the modules of this
package, and the dispatch table of the running Python version.

:data:`DISPATCH` is a list indexed by opcode number; entries of opcodes the running version's
table (``py311.TABLE``, ``py312.TABLE``) does not list raise an "unsupported opcode" error that
names the user's source line. Supporting another Python version means writing its table.
"""

import dis
import sys

from thunder.interpreter.opcodes.common import unknown_opcode

__all__ = ["DISPATCH", "TABLE"]

if sys.version_info[:2] == (3, 11):
    from thunder.interpreter.opcodes.py311 import TABLE
elif sys.version_info[:2] == (3, 12):
    from thunder.interpreter.opcodes.py312 import TABLE
else:
    raise ImportError(
        f"thunder.interpreter supports Python 3.11 and 3.12, not {sys.version.split()[0]}"
    )

DISPATCH = [unknown_opcode] * 256
for _name, _handler in TABLE.items():
    DISPATCH[dis.opmap[_name]] = _handler
