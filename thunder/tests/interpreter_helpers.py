"""Shared helpers of the interpreter tests (``thunder/tests/test_interpreter_*.py``).

Most interpreter tests run a small function natively and through ``interpret`` and compare the
outcomes (value, or exception type and message) with ``assert_same``. The sample classes and
functions below are used by more than one test file, so they live here rather than in one of
them.

Like the tests, this module imports only ``thunder.interpreter``, which does not need torch.
Where torch is missing (the 3.12 environment) run the tests through
``python thunder/tests/test_interpreter.py``, which loads the interpreter under a bare
``thunder`` package first.
"""

import dataclasses

from thunder.interpreter import InterpreterCallbacks, interpret


def outcome(fn, *args, callbacks=None, **kwargs):
    """('value', result) or ('raises', type, message) of running ``fn`` (natively if
    ``callbacks`` is the string 'native', else interpreted)."""
    try:
        if callbacks == "native":
            return ("value", fn(*args, **kwargs))
        return ("value", interpret(fn, args, kwargs, callbacks or InterpreterCallbacks()))
    except Exception as error:  # noqa: BLE001 - the outcome is what is compared
        return ("raises", type(error), str(error))


def assert_same(fn, *args, **kwargs):
    """Runs ``fn`` natively and interpreted; asserts equal outcomes; returns the outcome."""
    native = outcome(fn, *args, callbacks="native", **kwargs)
    interpreted = outcome(fn, *args, **kwargs)
    assert interpreted == native
    return interpreted


# Sample user code shared by several test files ------------------------------------------------


class Vec:
    def __init__(self, x):
        self.x = x

    def __add__(self, other):
        if isinstance(other, Vec):
            return Vec(self.x + other.x)
        if isinstance(other, int):
            return Vec(self.x + other)
        return NotImplemented

    def __radd__(self, other):
        return Vec(other * 100 + self.x)

    def __mul__(self, other):
        return Vec(self.x * other)

    def __neg__(self):
        return Vec(-self.x)

    def __eq__(self, other):
        return isinstance(other, Vec) and self.x == other.x

    def __lt__(self, other):
        return self.x < other.x

    def __matmul__(self, other):
        return self.x * other.x

    def __repr__(self):
        return f"Vec({self.x})"


class Truthy:
    def __init__(self, value):
        self.value = value

    def __bool__(self):
        return self.value


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


class Base:
    registry = []

    def __init__(self, x):
        self.x = x

    def describe(self):
        return f"Base({self.x})"

    @classmethod
    def make(cls, x):
        return cls(x)

    @staticmethod
    def helper(value):
        return value * 10


class Derived(Base):
    def __init__(self, x, y):
        super().__init__(x)
        self.y = y

    def describe(self):
        return "Derived+" + super().describe()

    @classmethod
    def make(cls, x):
        return super().make(x) if cls is not Derived else cls(x, 0)


@dataclasses.dataclass
class Point:
    x: int
    y: int = 0
    tags: list = dataclasses.field(default_factory=list)

    def norm2(self):
        return self.x * self.x + self.y * self.y
