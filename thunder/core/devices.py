"""Device helpers: every device in Thunder is a ``torch.device``.

Users may pass devices as strings, ints or ``torch.device``; ``to_device`` normalizes them so
that proxies compare and print uniformly (``cpu``, ``cuda:0``).
"""

import torch


def to_device(device) -> torch.device:
    """Normalize a device given as a string, index or ``torch.device``.

    >>> to_device("cpu")
    device(type='cpu')
    """
    if isinstance(device, torch.device):
        dev = device
    elif isinstance(device, int):
        dev = torch.device("cuda", device)
    else:
        dev = torch.device(device)
    if dev.type == "cuda" and dev.index is None:
        dev = torch.device("cuda", torch.cuda.current_device() if torch.cuda.is_available() else 0)
    return dev


def device_str(device: torch.device) -> str:
    """Printable form used in trace comments."""
    return device.type if device.index is None else f"{device.type}:{device.index}"
