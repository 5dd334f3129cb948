"""The coverage report (``thunder/coverage.py``) and the operator database's completeness."""

import torch

from thunder.core.proxies import tensor_methods
from thunder.coverage import coverage_report, is_operator, main, torch_surface
from thunder.tests.opinfos import load_op_db
from thunder.torch.registry import torch_to_thunder


def _covered_ids():
    return {id(obj) for record in load_op_db() for obj in record.covers}


def test_every_supported_torch_function_has_a_database_record():
    covered = _covered_ids()
    missing = sorted(str(fn) for fn in torch_to_thunder if id(fn) not in covered)
    assert not missing, f"supported but without an OpInfo record: {missing}"


def test_every_supported_tensor_method_has_a_database_record():
    covered = _covered_ids()
    missing = sorted(name for name in tensor_methods
                     if hasattr(torch.Tensor, name) and id(getattr(torch.Tensor, name))
                     not in covered)
    assert not missing, f"Tensor methods without an OpInfo record: {missing}"


def test_surface_is_enumerated_from_torch_and_lists_what_thunder_lacks():
    surface = {(namespace, name) for namespace, name, _ in torch_surface()}
    assert ("torch", "add") in surface and ("torch.Tensor", "__radd__") in surface
    assert ("torch.Tensor", "add_") in surface  # in-place variants count
    report = coverage_report()
    unsupported = set(report["unsupported_names"])
    # a torch function Thunder has no symbol for shows up as unsupported
    lacking = [f"{ns}.{name}" for ns, name, obj in torch_surface()
               if ns == "torch" and obj not in torch_to_thunder]
    assert lacking and set(lacking) <= unsupported


def test_utilities_classes_and_modules_are_not_operators():
    assert not is_operator("torch", "save", torch.save)
    assert not is_operator("torch", "manual_seed", torch.manual_seed)
    assert not is_operator("torch", "is_tensor", torch.is_tensor)
    assert not is_operator("torch", "Tensor", torch.Tensor)
    assert not is_operator("torch", "nn", torch.nn)
    assert is_operator("torch.nn.functional", "relu", torch.nn.functional.relu)
    assert is_operator("torch.Tensor", "__iadd__", torch.Tensor.__iadd__)


def test_report_numbers_are_consistent():
    report = coverage_report()
    namespaces = report["namespaces"].values()
    assert report["total"] == sum(e["total"] for e in namespaces) == len(torch_surface())
    assert report["supported"] == sum(len(e["supported"]) for e in namespaces)
    assert report["supported"] + len(report["unsupported_names"]) == report["total"]
    assert report["recorded"] <= report["supported"]
    assert report["recorded"] == report["supported"] - len(report["supported_without_record"])
    assert report["supported"] >= 400


def test_main_prints_the_summary_line(capsys):
    main([])
    out = capsys.readouterr().out
    report = coverage_report()
    assert (f"Supported: {report['supported']} of {report['total']} torch callables "
            f"({report['recorded']} with database records)") in out
