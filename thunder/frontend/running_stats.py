"""Instance normalization that updates running statistics, made functional.

``F.instance_norm(x, running_mean, running_var, use_input_stats=True)`` (``nn.InstanceNorm*d``
with ``track_running_stats=True`` in train mode) normalizes with each sample's statistics and
updates the running statistics in place. Like ``batch_norm_updating_stats`` (``inplace.py``,
NOTE [in-place operations]) the output is traced out of place and the new running values are
recorded as the buffers' latest values, which the epilogue copies back into the caller's
tensors. The update is eager's: torch runs batch norm over a ``(1, N * C, *)`` view with the
running statistics repeated ``N`` times, then stores the mean over the batch of the ``N``
updated copies, so

    running = mean over n of ((1 - momentum) * running + momentum * stat[n])

with ``stat`` each sample's per-channel mean, or its unbiased variance.

>>> import torch, thunder
>>> norm = torch.nn.InstanceNorm1d(2, track_running_stats=True)
>>> _ = thunder.jit(norm)(torch.randn(3, 2, 5))
>>> bool(norm.running_mean.abs().sum() > 0)
True
"""

import torch

import thunder.torch as ltorch

_PARAMETERS = ("input", "running_mean", "running_var", "weight", "bias", "use_input_stats",
               "momentum", "eps")


def instance_norm_updates_stats(args, kwargs) -> bool:
    """Does this ``F.instance_norm`` call update running statistics in place?"""
    bound = {"use_input_stats": True, **dict(zip(_PARAMETERS, args)), **kwargs}
    return bool(bound["use_input_stats"]) and (bound.get("running_mean") is not None or
                                               bound.get("running_var") is not None)


def instance_norm_updating_stats(functionalizer, input, running_mean=None, running_var=None,
                                 weight=None, bias=None, use_input_stats=True, momentum=0.1,
                                 eps=1e-05):
    """The output from each sample's statistics; the running statistics updated as eager."""
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be "
                         "None")
    current = functionalizer.current
    x = current(input)
    output = ltorch.instance_norm(x, None, None, current(weight), current(bias), True,
                                  momentum, eps)
    dims = list(range(2, input.ndim))
    with torch.no_grad():
        for running, what in ((running_mean, "running_mean"), (running_var, "running_var")):
            stats_input = ltorch.to(x, running.dtype)
            if what == "running_mean":
                stat = ltorch.mean(stats_input, dims)
            else:
                stat = ltorch.var(stats_input, dims, correction=1)
            updated = ltorch.add(ltorch.mul(current(running), 1 - momentum),
                                 ltorch.mul(stat, momentum))  # (N, C): one copy per sample
            functionalizer.update(running, ltorch.mean(updated, 0),
                                  f"instance_norm's {what} update")
    return output
