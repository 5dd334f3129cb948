"""Entry point of the bytecode interpreter tests (``thunder.interpreter``), with or without torch.

The tests live in ``test_interpreter_*.py``, one file per family of Python constructs (basics,
control flow, generators, classes, callbacks and error paths), with their shared helpers in
``interpreter_helpers.py``. They import only ``thunder.interpreter``, which does not need torch,
and pass on CPython 3.11 and 3.12.

``thunder/__init__.py`` imports torch, so where torch is missing (the 3.12 environment) pytest
cannot import the test files on its own. Run them as a script instead:

    python thunder/tests/test_interpreter.py -q

This loads the torch-free interpreter package under a bare ``thunder`` package and then runs
every ``test_interpreter_*.py`` file; extra arguments go to pytest. Under pytest this module
holds no tests.
"""

import sys
import types
from pathlib import Path

import pytest

TEST_FILES = sorted(Path(__file__).resolve().parent.glob("test_interpreter_*.py"))


def load_interpreter_without_torch():
    """Makes ``import thunder.interpreter`` work where torch is missing, by registering a bare
    ``thunder`` package (without running ``thunder/__init__.py``) if the real one fails."""
    try:
        import thunder.interpreter  # noqa: F401
    except ImportError:  # pragma: no cover - depends on whether torch is installed
        for name in [name for name in sys.modules if name.split(".")[0] == "thunder"]:
            del sys.modules[name]
        package = types.ModuleType("thunder")
        package.__path__ = [str(Path(__file__).resolve().parents[1])]
        sys.modules["thunder"] = package


if __name__ == "__main__":
    load_interpreter_without_torch()
    sys.exit(pytest.main([*map(str, TEST_FILES), *sys.argv[1:]]))
