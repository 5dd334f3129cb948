"""Instructions of module-level and class-level code: imports, annotations, PRINT_EXPR.

Imports call the frame's ``__import__`` natively: importing runs module code, which is not part
of the user's computation.
"""

import sys

__all__ = ["import_name", "import_from", "import_star", "import_star_into", "setup_annotations",
           "print_expr"]


def import_name(frame, inst):
    stack = frame.stack
    fromlist = stack.pop()
    level = stack.pop()
    importer = frame.builtins["__import__"]
    stack.append(importer(inst.argval, frame.globals, frame.locals, fromlist, level))


def import_from(frame, inst):
    stack = frame.stack
    module = stack[-1]
    name = inst.argval
    try:
        stack.append(getattr(module, name))
        return
    except AttributeError:
        pass
    module_name = getattr(module, "__name__", None)
    if isinstance(module_name, str):
        submodule = sys.modules.get(f"{module_name}.{name}")
        if submodule is not None:
            stack.append(submodule)
            return
    raise ImportError(f"cannot import name '{name}' from '{module_name}'", name=module_name)


def import_star_into(frame, module):
    """``from module import *`` into the frame's namespace dict."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [name for name in vars(module) if not name.startswith("_")]
    for name in names:
        frame.locals[name] = getattr(module, name)


def import_star(frame, inst):
    """IMPORT_STAR (3.11)."""
    import_star_into(frame, frame.stack.pop())


def setup_annotations(frame, inst):
    namespace = frame.locals
    if type(namespace) is dict:
        namespace.setdefault("__annotations__", {})
        return
    try:
        namespace["__annotations__"]
    except KeyError:
        namespace["__annotations__"] = {}


def print_expr(frame, inst):
    """PRINT_EXPR (3.11, interactive mode)."""
    sys.displayhook(frame.stack.pop())
