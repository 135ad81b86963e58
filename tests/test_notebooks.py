"""Every notebook in notebooks/ runs top to bottom in a fresh kernel and ends by showing a widget."""
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def test_there_are_notebooks():
    assert any(path.name == "explainer.ipynb" for path in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code and all(not cell.outputs and cell.execution_count is None for cell in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_and_shows_a_widget(path):
    nb = nbformat.read(path, as_version=4)
    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == sys.executable  # this venv's Python
    # "python3" is the kernel spec conftest.py wrote for the interpreter running the tests.
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    last = [cell for cell in nb.cells if cell.cell_type == "code"][-1]
    assert [out.output_type for out in last.outputs] == ["execute_result"], last.outputs
    assert WIDGET_MIME in last.outputs[0].data
    assert last.outputs[0].data[WIDGET_MIME]["model_id"]
