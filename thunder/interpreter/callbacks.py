"""The hooks through which a compiler observes and redirects an interpretation.

:class:`InterpreterCallbacks` implements plain Python semantics; the jit subclasses it to swap
tensors for proxies, record provenance and replace calls. The runtime checks once, when an
interpretation starts, which hooks a subclass overrides and skips the others entirely, so an
un-overridden hook costs nothing per instruction.
"""

__all__ = ["InterpreterCallbacks", "overridden_hooks"]


class InterpreterCallbacks:
    """Default hooks: interpret Python code, call everything else natively, observe nothing.

    >>> from thunder.interpreter import interpret
    >>> class Doubler(InterpreterCallbacks):
    ...     def on_load_global(self, globals_dict, name, value):
    ...         return 2 * value if name == "K" else value
    >>> K = 21
    >>> def f():
    ...     return K
    >>> interpret(f, (), {}, Doubler())
    42
    """

    #: Exception types that ``except`` clauses of interpreted code must not catch.
    uncatchable = ()

    def lookaside(self, fn):
        """Returns a callable to call natively instead of ``fn``, or None to proceed normally."""
        return None

    def on_load_global(self, globals_dict, name, value):
        """Sees a global (or builtin) read; the return value is what the code sees."""
        return value

    def on_load_deref(self, cell, name, value):
        """Sees a read of a closure cell created outside this interpretation."""
        return value

    def on_load_attr(self, obj, name, value):
        """Sees every successful attribute read ``obj.name``."""
        return value

    def on_store_attr(self, obj, name, value):
        """Sees ``obj.name = value`` before it happens; returning True skips the store."""
        return False

    def on_store_global(self, globals_dict, name, value):
        """Sees ``global name; name = value`` before it happens; returning True skips it."""
        return False

    def on_store_deref(self, cell, name, value):
        """Sees a store into a closure cell created outside this interpretation (``nonlocal``)
        before it happens; returning True skips it."""
        return False

    def on_subscr(self, obj, key, value):
        """Sees every subscript read ``value = obj[key]``."""
        return value

    def on_opaque_call(self, fn, args, kwargs):
        """Sees a native call of something neither looked aside nor interpreted; may raise."""

    def on_opaque_result(self, fn, args, kwargs, result):
        """Sees the result of a native call; the return value is what the code sees."""
        return result


_HOOK_NAMES = (
    "lookaside",
    "on_load_global",
    "on_load_deref",
    "on_load_attr",
    "on_store_attr",
    "on_store_global",
    "on_store_deref",
    "on_subscr",
    "on_opaque_call",
    "on_opaque_result",
)


def overridden_hooks(callbacks):
    """Maps each hook name to the bound hook if ``callbacks`` overrides it, else to None.

    >>> overridden_hooks(InterpreterCallbacks())["lookaside"] is None
    True
    """
    cls = type(callbacks)
    hooks = {}
    for name in _HOOK_NAMES:
        overridden = getattr(cls, name) is not getattr(InterpreterCallbacks, name)
        overridden = overridden or name in getattr(callbacks, "__dict__", {})
        hooks[name] = getattr(callbacks, name) if overridden else None
    return hooks
