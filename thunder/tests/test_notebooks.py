"""The tutorials in notebooks/ run from top to bottom, and are stored with outputs cleared.

Each notebook is executed in a fresh ``python3`` Jupyter kernel (from ``ipykernel``) with
``nbclient``; a cell that raises fails the test and names the notebook and the cell. The kernel
starts in the repository root with the root on ``PYTHONPATH``, so the notebooks import this
checkout's ``thunder`` whether or not it is installed.

Executing them takes a few tens of seconds, so it sits behind the ``notebooks`` marker
(``python -m pytest -q -m notebooks``, which ``.ci/run`` runs). The check that outputs are
cleared is cheap and runs in the default test run.
"""

import json
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]
CELL_TIMEOUT_SECONDS = 120


def test_there_are_at_least_five_notebooks():
    assert len(NOTEBOOKS) >= 5, IDS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_stored_with_outputs_cleared(path):
    notebook = json.loads(path.read_text())
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        assert cell.get("outputs") == [], f"{path.name}: cell {index} has outputs"
        assert cell.get("execution_count") is None, f"{path.name}: cell {index} was run"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_runs_without_errors(path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, kernel_name="python3",
                                     timeout=CELL_TIMEOUT_SECONDS,
                                     resources={"metadata": {"path": str(ROOT)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"{path.name}: a cell raised:\n{error}", pytrace=False)
