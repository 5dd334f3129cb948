"""Binding call arguments to the fast-local slots of a new frame.

Implements CPython's argument rules (positional, positional-only, keyword, keyword-only,
defaults, ``*args``, ``**kwargs``) and its error messages. The common case, an exact positional
call of a function without ``*``/``**``/keyword-only parameters, is a single slice assignment.
"""

from thunder.interpreter.code_info import CO_VARARGS, CO_VARKEYWORDS
from thunder.interpreter.frame import NULL

__all__ = ["bind_arguments"]


def bind_arguments(func, info, args, kwargs):
    """Returns the ``localsplus`` list of a frame for ``func(*args, **kwargs)``.

    >>> from thunder.interpreter.code_info import code_info
    >>> from thunder.interpreter.opcodes import DISPATCH
    >>> def f(a, b=2, *, c):
    ...     pass
    >>> bind_arguments(f, code_info(f.__code__, DISPATCH), (1,), {"c": 3})
    [1, 2, 3]
    """
    localsplus = [NULL] * info.nlocalsplus
    nargs = len(args)
    if nargs == info.argcount and info.simple_args and not kwargs:
        localsplus[:nargs] = args
        return localsplus
    return _bind_general(func, info, localsplus, args, kwargs)


def _bind_general(func, info, localsplus, args, kwargs):
    argcount = info.argcount
    total = argcount + info.kwonlycount
    varnames = info.varnames
    nargs = len(args)
    npositional = min(nargs, argcount)
    localsplus[:npositional] = args[:npositional]
    slot = total
    if info.flags & CO_VARARGS:
        localsplus[slot] = tuple(args[argcount:])
        slot += 1
    elif nargs > argcount:
        raise TypeError(_too_many_positional(func, info, nargs, kwargs))
    extra_keywords = None
    if info.flags & CO_VARKEYWORDS:
        extra_keywords = {}
        localsplus[slot] = extra_keywords
    if kwargs:
        _bind_keywords(func, info, localsplus, kwargs, extra_keywords)
    if npositional < argcount:
        defaults = func.__defaults__ or ()
        first_default = argcount - len(defaults)
        missing = []
        for index in range(npositional, argcount):
            if localsplus[index] is NULL:
                if index >= first_default:
                    localsplus[index] = defaults[index - first_default]
                else:
                    missing.append(varnames[index])
        if missing:
            raise TypeError(_missing(func, missing, "positional"))
    if info.kwonlycount:
        kwdefaults = func.__kwdefaults__ or {}
        missing = []
        for index in range(argcount, total):
            if localsplus[index] is NULL:
                name = varnames[index]
                if name in kwdefaults:
                    localsplus[index] = kwdefaults[name]
                else:
                    missing.append(name)
        if missing:
            raise TypeError(_missing(func, missing, "keyword-only"))
    return localsplus


def _bind_keywords(func, info, localsplus, kwargs, extra_keywords):
    varnames = info.varnames
    first, end = info.posonlycount, info.argcount + info.kwonlycount
    positional_only_passed = []
    for name, value in kwargs.items():
        try:
            index = varnames.index(name, first, end)
        except ValueError:
            if extra_keywords is None:
                if name in varnames[:first]:
                    positional_only_passed.append(name)
                    continue
                if not isinstance(name, str):
                    raise TypeError(f"{func.__qualname__}() keywords must be strings") from None
                message = f"{func.__qualname__}() got an unexpected keyword argument '{name}'"
                raise TypeError(message) from None
            extra_keywords[name] = value
            continue
        if localsplus[index] is not NULL:
            raise TypeError(f"{func.__qualname__}() got multiple values for argument '{name}'")
        localsplus[index] = value
    if positional_only_passed:
        names = ", ".join(positional_only_passed)
        raise TypeError(
            f"{func.__qualname__}() got some positional-only arguments passed as keyword "
            f"arguments: '{names}'"
        )


def _too_many_positional(func, info, nargs, kwargs):
    argcount = info.argcount
    ndefaults = len(func.__defaults__ or ())
    if ndefaults:
        expected = f"from {argcount - ndefaults} to {argcount}"
    else:
        expected = str(argcount)
    plural = "" if argcount == 1 and not ndefaults else "s"
    given = f"{nargs} {'was' if nargs == 1 else 'were'} given"
    nkw = sum(1 for name in kwargs if name in info.varnames[argcount:argcount + info.kwonlycount])
    if nkw:
        given = (f"{nargs} positional argument{'' if nargs == 1 else 's'} "
                 f"(and {nkw} keyword-only argument{'' if nkw == 1 else 's'}) were given")
    return f"{func.__qualname__}() takes {expected} positional argument{plural} but {given}"


def _missing(func, names, kind):
    quoted = [f"'{name}'" for name in names]
    if len(quoted) == 1:
        listed = quoted[0]
    elif len(quoted) == 2:
        listed = f"{quoted[0]} and {quoted[1]}"
    else:
        listed = ", ".join(quoted[:-1]) + f", and {quoted[-1]}"
    plural = "" if len(names) == 1 else "s"
    return f"{func.__qualname__}() missing {len(names)} required {kind} argument{plural}: {listed}"
