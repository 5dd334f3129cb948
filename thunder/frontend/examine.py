"""``thunder.examine``: which operations a program uses, and who runs each.

It jits the program, runs it once on the given inputs, and reports every torch operation the
trace recorded: supported by Thunder (and which executor claimed it) or run by eager fallback
(see ``fallback.py``); an operation a fusion executor claimed is reported as that executor's
only if it ended up in one of its regions. An operation that can neither be traced nor fall back is reported with
the error that names it. A call that runs the original function eagerly (a tensor subclass, a
sparse or a nested tensor: NOTE [exotic tensors] in ``exotic.py``) is reported with the reason.
"""

from collections import Counter
from dataclasses import dataclass, field

from thunder.executors.fusion import FusionExecutor
from thunder.executors.naming import operation_name
from thunder.frontend.api import jit, last_traces, _function
from thunder.frontend.errors import UnsupportedOperationError
from thunder.frontend.fallback import is_fallback


@dataclass
class OperationReport:
    name: str  # the torch callable, e.g. "torch.nn.functional.gelu"
    count: int
    supported: bool  # False: ran by eager fallback
    executor: str  # the executor that claimed it, or "eager fallback"


@dataclass
class ExamineReport:
    operations: list = field(default_factory=list)
    error: str | None = None  # an operation that could not run at all
    eager_reason: str | None = None  # why the whole call ran eagerly (not compiled)

    @property
    def fallbacks(self) -> list:
        return [op.name for op in self.operations if not op.supported]

    def __str__(self):
        if self.eager_reason is not None:
            return (f"The function runs eagerly, not compiled by Thunder: {self.eager_reason}. "
                    f"Thunder compiles dense torch.Tensors only.")
        lines = [f"{'operation':<48} {'count':>5}  {'status':<16} executor"]
        for op in self.operations:
            status = "supported" if op.supported else "eager fallback"
            lines.append(f"{op.name:<48} {op.count:>5}  {status:<16} {op.executor}")
        supported = sum(op.supported for op in self.operations)
        lines.append(f"{supported} of {len(self.operations)} distinct operations are supported "
                     f"by Thunder; the others run eagerly.")
        if self.error:
            lines.append(f"Could not run: {self.error}")
        return "\n".join(lines)


def examine(fn, *args, **kwargs) -> ExamineReport:
    """Report each operation ``fn(*args, **kwargs)`` uses, whether it is supported, and by whom.

    >>> import torch, thunder
    >>> report = thunder.examine(lambda x: torch.stft(x, 4, return_complex=True).abs(),
    ...                          torch.randn(16))  # doctest: +SKIP
    >>> report.fallbacks  # doctest: +SKIP
    ['torch.stft']
    """
    jfn = jit(fn)
    report = ExamineReport()
    try:
        jfn(*args, **kwargs)
    except UnsupportedOperationError as e:
        report.error = str(e)
        return report
    stats = _function(jfn).stats
    if stats.eager_calls:
        report.eager_reason = "; ".join(sorted(stats.eager_reasons))
        return report
    executors = _function(jfn).executors
    fused = {(region.executor.name, b.sym.name) for region in last_traces(jfn)[-1].regions
             for b in region.bound_symbols}
    counts, first = Counter(), {}
    for bsym in last_traces(jfn)[0].bound_symbols:
        name = operation_name(bsym.sym)
        counts[name] += 1
        first.setdefault(name, bsym)
    for name, count in counts.items():
        bsym = first[name]
        if is_fallback(bsym.sym):
            report.operations.append(OperationReport(name, count, False, "eager fallback"))
            continue
        claimer = next((e.name for e in executors if e.can_execute(bsym) and (
            not isinstance(e, FusionExecutor) or (e.name, bsym.sym.name) in fused)),
            "decomposed")
        report.operations.append(OperationReport(name, count, True, claimer))
    return report
