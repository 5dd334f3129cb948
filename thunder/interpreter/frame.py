"""The state of one interpreted activation: locals, cells, value stack and position.

A :class:`Frame` mirrors CPython's ``_PyInterpreterFrame``: ``localsplus`` holds the fast locals,
then the cells and free variables, in the order the bytecode's slot indices use. A slot that holds
nothing holds :data:`NULL` (never ``None``, which is a value). The value stack is a plain list whose
identity never changes while the frame lives (handlers may keep a reference to it).
"""

__all__ = ["NULL", "Frame"]


class _Null:
    """The 'no value' marker of fast-local slots and of the call protocol's method slot."""

    __slots__ = ()

    def __repr__(self):
        return "<NULL>"

    def __bool__(self):
        return False


NULL = _Null()


class Frame:
    """One activation of a code object being interpreted.

    ``lasti`` is the index (into the decoded instruction list) of the instruction executing now
    or, for a suspended generator, of the ``YIELD_VALUE`` it is suspended at; a fresh frame has -1.
    ``locals`` is the namespace dict of class bodies and ``exec``'d code, None in functions.
    """

    __slots__ = (
        "rt",
        "info",
        "localsplus",
        "stack",
        "globals",
        "builtins",
        "locals",
        "func",
        "lasti",
        "kw_names",
        "retval",
        "suspended",
    )

    def __init__(self, rt, info, localsplus, globals_dict, builtins_dict, locals_dict, func):
        self.rt = rt
        self.info = info
        self.localsplus = localsplus
        self.stack = []
        self.globals = globals_dict
        self.builtins = builtins_dict
        self.locals = locals_dict
        self.func = func
        self.lasti = -1
        self.kw_names = ()
        self.retval = None
        self.suspended = False

    def location(self):
        """The ``(filename, lineno, function name)`` of the current instruction."""
        info = self.info
        index = self.lasti if self.lasti >= 0 else 0
        lineno = info.instructions[index].lineno if info.instructions else info.code.co_firstlineno
        return (info.code.co_filename, lineno, info.code.co_name)

    def __repr__(self):
        filename, lineno, name = self.location()
        return f"<interpreted frame of {name} at {filename}:{lineno}>"
