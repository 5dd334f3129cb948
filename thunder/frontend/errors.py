"""Errors the jit raises while tracing, each naming the operation and the user's source line.

"The user's source line" is the innermost interpreted frame that is not PyTorch's or Thunder's
own code: an error met inside ``torch.functional.stft`` is reported at the user's call of
``torch.stft``, with the library location added.
"""

import os

import torch

from thunder.interpreter.state import current_runtime

_LIBRARY_DIRS = tuple(
    os.path.dirname(os.path.abspath(m.__file__)) + os.sep
    for m in (torch, __import__("thunder"))
)
_USER_DIRS = tuple(d + sub + os.sep for d in _LIBRARY_DIRS[1:] for sub in ("tests", "models"))


def _is_library(filename) -> bool:
    filename = str(filename)
    return filename.startswith(_LIBRARY_DIRS) and not filename.startswith(_USER_DIRS)


class UnsupportedOperationError(NotImplementedError):
    """The traced function used an operation Thunder cannot trace.

    The message names the operation and the file:line of the user's code that called it.
    """


def _frames():
    runtime = current_runtime()
    return [] if runtime is None else runtime.frames


def user_location():
    """(filename, lineno, function) of the innermost user frame being interpreted, or None."""
    frames = _frames()
    for frame in reversed(frames):
        loc = frame.location()
        if loc is not None and not _is_library(loc[0]):
            return loc
    return frames[-1].location() if frames else None


def where() -> str:
    loc = user_location()
    if loc is None:
        return "(unknown location)"
    text = f"{loc[0]}:{loc[1]} in {loc[2]}"
    frames = _frames()
    inner = frames[-1].location() if frames else None
    if inner is not None and inner[:2] != loc[:2]:
        text += f", inside {inner[0]}:{inner[1]} in {inner[2]}"
    return text


def unsupported(what: str, hint: str = "") -> UnsupportedOperationError:
    message = f"{what} is not supported by Thunder (called at {where()})"
    if hint:
        message = f"{message}. {hint}"
    return UnsupportedOperationError(message)
