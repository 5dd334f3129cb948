"""Python-level attribute lookup and assignment (``obj.name``, ``obj.name = v``, ``del``).

For objects of static C types the native ``getattr``/``setattr`` is used. For instances of
Python classes the interpreter applies Python's rules itself so that every piece of user code
involved runs interpreted: a Python ``__getattribute__`` override; data descriptors on the MRO
(property getters, Python ``__get__``); the instance ``__dict__``; non-data descriptors
(functions become bound methods, classmethod, staticmethod); class attributes; and finally a
Python ``__getattr__`` after an AttributeError. C descriptors (slots, getsets, C methods) are
applied natively: they are part of the lookup machinery, not user code.

The ``on_load_attr`` hook sees every successful read; ``on_store_attr`` sees every write first.
"""

from types import FunctionType, MethodType

from thunder.interpreter.lookup import HEAPTYPE, MISSING, lookup_type

__all__ = ["load_attr", "store_attr", "delete_attr", "has_attr"]

_OBJECT_GETATTRIBUTE = object.__dict__["__getattribute__"]
_OBJECT_SETATTR = object.__dict__["__setattr__"]
_OBJECT_DELATTR = object.__dict__["__delattr__"]
_get_instance_attribute = object.__getattribute__


def load_attr(rt, obj, name):
    """``obj.name`` with Python's lookup rules, user code interpreted, hooks applied."""
    cls = type(obj)
    if cls.__flags__ & HEAPTYPE:
        value = _python_getattr(rt, obj, cls, name)
    else:
        value = getattr(obj, name)
    hook = rt.on_load_attr
    if hook is not None:
        value = hook(obj, name, value)
    return value


def has_attr(rt, obj, name):
    """``hasattr(obj, name)`` through :func:`load_attr`."""
    try:
        load_attr(rt, obj, name)
    except AttributeError:
        return False
    return True


def _python_getattr(rt, obj, cls, name):
    getattribute = lookup_type(cls, "__getattribute__")
    if getattribute is _OBJECT_GETATTRIBUTE:
        try:
            return _generic_getattr(rt, obj, cls, name)
        except AttributeError:
            fallback = lookup_type(cls, "__getattr__")
            if fallback is MISSING:
                raise
        return _call_bound(rt, fallback, obj, (name,))
    if type(getattribute) is not FunctionType:
        return getattr(obj, name)
    try:
        return rt.call(MethodType(getattribute, obj), (name,), {})
    except AttributeError:
        fallback = lookup_type(cls, "__getattr__")
        if fallback is MISSING:
            raise
    return _call_bound(rt, fallback, obj, (name,))


def _call_bound(rt, method, obj, args):
    if type(method) is FunctionType:
        return rt.call(MethodType(method, obj), args, {})
    return method.__get__(obj, type(obj))(*args)


def _instance_dict(obj):
    try:
        return _get_instance_attribute(obj, "__dict__")
    except AttributeError:
        return None


def _is_data_descriptor(attr_type):
    return lookup_type(attr_type, "__set__") is not MISSING or (
        lookup_type(attr_type, "__delete__") is not MISSING
    )


def _descriptor_get(rt, getter, descriptor, obj, cls):
    if type(getter) is FunctionType:
        return rt.call(MethodType(getter, descriptor), (obj, cls), {})
    return getter(descriptor, obj, cls)


def _generic_getattr(rt, obj, cls, name):
    attr = lookup_type(cls, name)
    attr_type = type(attr)
    if attr is not MISSING and attr_type is not FunctionType:
        if attr_type is property:
            if attr.fget is None:
                message = f"property '{name}' of '{cls.__qualname__}' object has no getter"
                raise AttributeError(message, name=name, obj=obj)
            return rt.call(attr.fget, (obj,), {})
        if attr_type is not staticmethod and attr_type is not classmethod:
            getter = lookup_type(attr_type, "__get__")
            if getter is not MISSING and _is_data_descriptor(attr_type):
                return _descriptor_get(rt, getter, attr, obj, cls)
    namespace = _instance_dict(obj)
    if namespace is not None:
        value = namespace.get(name, MISSING)
        if value is not MISSING:
            return value
    if attr is MISSING:
        message = f"'{cls.__name__}' object has no attribute '{name}'"
        raise AttributeError(message, name=name, obj=obj)
    if attr_type is FunctionType:
        return MethodType(attr, obj)
    if attr_type is staticmethod:
        return attr.__func__
    if attr_type is classmethod and type(attr.__func__) is FunctionType:
        return MethodType(attr.__func__, cls)
    getter = lookup_type(attr_type, "__get__")
    if getter is MISSING:
        return attr
    return _descriptor_get(rt, getter, attr, obj, cls)


def store_attr(rt, obj, name, value):
    """``obj.name = value`` with Python's rules; ``on_store_attr`` may take the store over."""
    hook = rt.on_store_attr
    if hook is not None and hook(obj, name, value):
        return
    cls = type(obj)
    if not cls.__flags__ & HEAPTYPE:
        setattr(obj, name, value)
        return
    setter = lookup_type(cls, "__setattr__")
    if setter is not _OBJECT_SETATTR:
        if type(setter) is FunctionType:
            rt.call(MethodType(setter, obj), (name, value), {})
        else:
            setattr(obj, name, value)
        return
    attr = lookup_type(cls, name)
    if attr is not MISSING:
        attr_type = type(attr)
        if attr_type is property:
            if attr.fset is None:
                message = f"property '{name}' of '{cls.__qualname__}' object has no setter"
                raise AttributeError(message, name=name, obj=obj)
            rt.call(attr.fset, (obj, value), {})
            return
        if attr_type is not FunctionType:
            descriptor_set = lookup_type(attr_type, "__set__")
            if type(descriptor_set) is FunctionType:
                rt.call(MethodType(descriptor_set, attr), (obj, value), {})
                return
            if descriptor_set is not MISSING:
                descriptor_set(attr, obj, value)
                return
    _OBJECT_SETATTR(obj, name, value)


def delete_attr(rt, obj, name):
    """``del obj.name``: Python ``__delattr__`` overrides and property deleters run interpreted."""
    cls = type(obj)
    if not cls.__flags__ & HEAPTYPE:
        delattr(obj, name)
        return
    deleter = lookup_type(cls, "__delattr__")
    if deleter is not _OBJECT_DELATTR:
        if type(deleter) is FunctionType:
            rt.call(MethodType(deleter, obj), (name,), {})
        else:
            delattr(obj, name)
        return
    attr = lookup_type(cls, name)
    if type(attr) is property and attr.fdel is not None:
        rt.call(attr.fdel, (obj,), {})
        return
    delattr(obj, name)
