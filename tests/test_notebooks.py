"""Every notebook is committed executed, says its data are synthetic, and stays thin."""

from __future__ import annotations

import ast
import subprocess

import nbformat
import pytest

from tests.conftest import ROOT


def notebooks() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    return listed or [str(p.relative_to(ROOT)) for p in ROOT.joinpath("book").rglob("*.ipynb")]


@pytest.fixture(params=notebooks())
def notebook(request):
    return request.param, nbformat.read(ROOT / request.param, as_version=4)


def test_every_code_cell_was_executed_and_ran_clean(notebook):
    name, nb = notebook
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.strip():
            assert cell.execution_count is not None, f"{name}: run `make notebooks` before committing"
            assert not [o for o in cell.outputs if o.output_type == "error"], f"{name}: a cell raised"


def test_notebook_says_its_data_are_synthetic(notebook):
    name, nb = notebook
    opening = " ".join(cell.source for cell in nb.cells[:3]).lower()
    assert "synthetic" in opening, f"{name}: say at the top that the data are synthetic"


def test_notebooks_are_thin(notebook):
    """Logic lives in equitylens: notebooks define no functions or classes."""
    name, nb = notebook
    for cell in nb.cells:
        if cell.cell_type == "code":
            source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
            tree = ast.parse(source)
            defined = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
            assert not defined, f"{name}: move {defined[0].name} into equitylens"


def test_execute_rejects_a_path_that_is_not_a_notebook(tmp_path):
    from equitylens.book import notebooks as runner

    with pytest.raises(ValueError, match=r"\.ipynb"):
        runner.execute(tmp_path / "missing.ipynb")
    with pytest.raises(ValueError, match=r"\.ipynb"):
        runner.execute(tmp_path)
