"""Interpreter tests of classes: ``super``, properties and descriptors, attribute hooks,
dataclasses, namedtuples, metaclasses, class bodies and PEP 695 type parameters.

Each test runs a small function natively and through ``interpret`` and compares the outcomes
(see ``thunder/tests/interpreter_helpers.py``). Where torch is missing, run these tests through
``python thunder/tests/test_interpreter.py``.
"""

import collections
import dataclasses
import functools
import sys

import pytest

from thunder.tests.interpreter_helpers import Base, Derived, Point, assert_same


# Classes and attributes -----------------------------------------------------------------------


def zero_arg_super_in_init():
    d = Derived(1, 2)
    return d.x, d.y, d.describe(), Derived.make(5).describe(), d.helper(2), Base.helper(3)


def test_zero_arg_super_in_init_and_methods_matches_python():
    assert_same(zero_arg_super_in_init)


def diamond_inheritance():
    log = []

    class A:
        def hello(self):
            log.append("A")

    class B(A):
        def hello(self):
            log.append("B")
            super().hello()

    class C(A):
        def hello(self):
            log.append("C")
            super().hello()

    class D(B, C):
        def hello(self):
            log.append("D")
            super().hello()

    D().hello()
    return log, [k.__name__ for k in D.__mro__]


def test_zero_arg_super_follows_the_mro_in_classes_defined_inside_the_function():
    assert_same(diamond_inheritance)


def properties_and_descriptors():
    log = []

    class Positive:
        def __set_name__(self, owner, name):
            self.name = "_" + name

        def __get__(self, obj, owner=None):
            if obj is None:
                return self
            return getattr(obj, self.name)

        def __set__(self, obj, value):
            if value < 0:
                raise ValueError("negative")
            setattr(obj, self.name, value)

    class Thing:
        size = Positive()

        def __init__(self):
            self._area = 0
            self.size = 3

        @property
        def area(self):
            log.append("get area")
            return self._area

        @area.setter
        def area(self, value):
            log.append("set area")
            self._area = value

        @functools.cached_property
        def expensive(self):
            log.append("computed")
            return 42

    thing = Thing()
    thing.area = 7
    log.append(thing.area)
    log.append(thing.size)
    try:
        thing.size = -1
    except ValueError as error:
        log.append(str(error))
    log.append((thing.expensive, thing.expensive))
    log.append(type(Thing.size).__name__)
    return log


def test_properties_cached_property_and_data_descriptors_match_python():
    assert_same(properties_and_descriptors)


def read_only_property():
    class Frozen:
        @property
        def value(self):
            return 1

    Frozen().value = 2


def test_assigning_property_without_setter_raises_attribute_error():
    assert assert_same(read_only_property)[1] is AttributeError


def attribute_hooks():
    log = []

    class Dynamic:
        def __init__(self):
            self.real = 1

        def __getattr__(self, name):
            log.append(("getattr", name))
            if name.startswith("x"):
                return name.upper()
            raise AttributeError(name)

    class Recording:
        def __setattr__(self, name, value):
            log.append(("setattr", name, value))
            object.__setattr__(self, name, value * 2)

        def __getattribute__(self, name):
            log.append(("getattribute", name))
            return object.__getattribute__(self, name)

    dynamic = Dynamic()
    log.append((dynamic.real, dynamic.xyz, hasattr(dynamic, "nope"), getattr(dynamic, "q", "d")))
    recording = Recording()
    recording.value = 4
    setattr(recording, "other", 1)
    log.append(recording.value)
    return log


def test_getattr_fallback_getattribute_and_setattr_overrides_match_python():
    assert_same(attribute_hooks)


def dataclasses_use():
    @dataclasses.dataclass(frozen=True, order=True)
    class Version:
        major: int
        minor: int = 0

    p = Point(3, 4)
    versions = sorted([Version(1, 2), Version(1, 0), Version(0, 9)])
    try:
        versions[0].major = 5
    except dataclasses.FrozenInstanceError:
        frozen = True
    return (p, p.norm2(), Point(1) == Point(1), dataclasses.asdict(p),
            [(v.major, v.minor) for v in versions], frozen, repr(Version(2)).split(".")[-1])


def test_dataclasses_at_module_level_and_inside_function_match_python():
    assert_same(dataclasses_use)


Pair = collections.namedtuple("Pair", ["left", "right"])


def namedtuples_use():
    Triple = collections.namedtuple("Triple", "a b c", defaults=[0])
    pair = Pair(1, right=2)
    left, right = pair
    return pair, left + right, pair._replace(left=9), pair._asdict(), tuple(Triple(1, 2)), str(
        Triple(1, 2, 3)
    )


def test_namedtuples_match_python():
    assert_same(namedtuples_use)


def metaclasses_and_init_subclass():
    log = []

    class Meta(type):
        def __new__(mcs, name, bases, namespace, **kwargs):
            namespace["created_by"] = "Meta"
            return super().__new__(mcs, name, bases, namespace)

        def __call__(cls, *args, **kwargs):
            log.append(("meta call", cls.__name__))
            return super().__call__(*args, **kwargs)

    class Plugin:
        plugins = []

        def __init_subclass__(cls, key=None, **kwargs):
            super().__init_subclass__(**kwargs)
            cls.key = key
            Plugin.plugins.append(key)

    class WithMeta(metaclass=Meta):
        def __init__(self, v):
            self.v = v

    class One(Plugin, key="one"):
        pass

    class Singleton:
        _instance = None

        def __new__(cls):
            if cls._instance is None:
                cls._instance = super().__new__(cls)
            return cls._instance

    obj = WithMeta(3)
    return (log, obj.v, WithMeta.created_by, One.key, Plugin.plugins,
            Singleton() is Singleton())


def test_metaclasses_init_subclass_and_custom_new_match_python():
    assert_same(metaclasses_and_init_subclass)


def class_body_features():
    factor = 3

    class Config:
        scale = factor * 2
        names = [n for n in ("a", "b")]
        annotated: int = 5

        def get(self):
            return self.scale

    return Config().get(), Config.names, Config.__annotations__, Config.__qualname__


def test_class_body_reads_enclosing_scope_and_annotations():
    assert_same(class_body_features)


@pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 695 syntax is new in 3.12")
def test_type_parameter_syntax_matches_python():
    namespace = {}
    exec(
        "def generics():\n"
        "    def first[T](items: list[T]) -> T:\n"
        "        return items[0]\n"
        "    class Box[T]:\n"
        "        def __init__(self, value: T):\n"
        "            self.value = value\n"
        "    return first([3]), Box(4).value, [p.__name__ for p in Box.__type_params__]\n",
        namespace,
    )
    assert_same(namespace["generics"])
