"""The book build runs exactly the notebooks whose outputs are not from the current code."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from equitylens.book import build, notebooks, stamps
from tests.conftest import ROOT


def _tiny_repository(root: Path) -> Path:
    """A checkout with every build input and one small notebook under book/."""
    for folder in ("equitylens", "datasets", "book/data", "workshops"):
        (root / folder).mkdir(parents=True)
        (root / folder / "README").write_text("v1\n", encoding="utf-8")
    for name in ("requirements.txt", "pyproject.toml"):
        (root / name).write_text("v1\n", encoding="utf-8")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("total = 2 + 2\ntotal"),
        nbformat.v4.new_markdown_cell("The total is {eval}`total`."),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = root / "book" / "tiny.ipynb"
    nbformat.write(notebook, path)
    return path


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def test_source_hash_ignores_outputs_and_metadata_but_not_cells():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("1 + 1")]
    before = stamps.source_hash(notebook)
    notebook.cells[0].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"})]
    notebook.cells[0].metadata["tags"] = ["remove-input"]
    notebook.metadata["anything"] = True
    assert stamps.source_hash(notebook) == before
    notebook.cells[0].source = "1 + 2"
    assert stamps.source_hash(notebook) != before
    notebook.cells[0].source = "1 + 1"
    notebook.cells.append(nbformat.v4.new_markdown_cell(""))
    assert stamps.source_hash(notebook) != before


def test_fingerprint_follows_every_input_and_names_a_missing_one(tmp_path):
    _tiny_repository(tmp_path)
    first = stamps.fingerprint(tmp_path)
    assert stamps.fingerprint(tmp_path) == first
    for name in ("equitylens/README", "datasets/README", "book/data/README", "workshops/README", "requirements.txt"):
        original = (tmp_path / name).read_bytes()
        (tmp_path / name).write_bytes(original + b"v2\n")
        assert stamps.fingerprint(tmp_path) != first, name
        (tmp_path / name).write_bytes(original)
    (tmp_path / "equitylens" / "new_module.py").write_text("", encoding="utf-8")
    assert stamps.fingerprint(tmp_path) != first, "a new module changes the fingerprint"
    (tmp_path / "equitylens" / "new_module.py").unlink()
    (tmp_path / "book" / "tiny.ipynb").write_text("{}", encoding="utf-8")
    assert stamps.fingerprint(tmp_path) == first, "notebooks are keyed by their own source hash"
    with pytest.raises(ValueError, match="workshops"):
        stamps.fingerprint(tmp_path, inputs=("workshops", "no-such-folder/workshops"))


def _stale(root: Path) -> list[Path]:
    """What ``build.refresh`` would run now: it runs exactly ``stamps.stale`` (checked below)."""
    return stamps.stale(stamps.book_notebooks(root), stamps.fingerprint(root))


@pytest.mark.slow
def test_refresh_runs_only_stale_notebooks_and_stamps_them(tmp_path):
    path = _tiny_repository(tmp_path)
    assert build.refresh(tmp_path, jobs=1) == [path], "an unstamped notebook runs"
    ran = _read(path)
    assert ran.cells[0].outputs[0]["data"]["text/plain"] == "4"
    assert ran.cells[1].metadata["user_expressions"][0]["result"]["data"]["text/plain"] == "4"
    assert stamps.is_fresh(ran, stamps.fingerprint(tmp_path))
    assert build.refresh(tmp_path, jobs=1) == [], "a fresh notebook does not run again"
    fresh = path.read_bytes()

    # Each way a notebook goes stale, one at a time (the notebook's kernel runs once more, at the end).
    edited = _read(path)
    edited.cells[1].source = "Two and two make {eval}`total`."
    nbformat.write(edited, path)
    assert _stale(tmp_path) == [path], "a changed Markdown cell (its numbers) runs it again"
    path.write_bytes(fresh)

    package = tmp_path / "equitylens" / "README"
    package.write_text("v2\n", encoding="utf-8")
    assert _stale(tmp_path) == [path], "a changed package runs every notebook again"
    package.write_text("v1\n", encoding="utf-8")

    saved_elsewhere = _read(path)  # as if JupyterLab saved it after a run with live charts
    saved_elsewhere.cells[0].outputs[0]["data"]["text/plain"] = "'a live chart'"
    nbformat.write(saved_elsewhere, path)
    assert _stale(tmp_path) == [path], "outputs that this code did not store are stale"
    path.write_bytes(fresh)
    assert _stale(tmp_path) == [], "each change above was undone"

    stored = json.loads(path.read_text(encoding="utf-8"))
    stored["cells"][0]["source"] = "total = 2 + 3\ntotal"
    path.write_text(json.dumps(stored), encoding="utf-8")
    assert build.refresh(tmp_path, jobs=1) == [path], "changed code runs it again"
    again = _read(path)
    assert again.cells[0].outputs[0]["data"]["text/plain"] == "5"
    assert again.cells[1].metadata["user_expressions"][0]["result"]["data"]["text/plain"] == "5"
    assert _stale(tmp_path) == []


@pytest.mark.slow
def test_a_failing_notebook_is_named_and_stops_the_build(tmp_path, capsys):
    path = _tiny_repository(tmp_path)
    broken = _read(path)
    broken.cells[0].source = "raise RuntimeError('planted failure')"
    nbformat.write(broken, path)
    with pytest.raises(ValueError, match=r"(?s)tiny\.ipynb: CellExecutionError.*RuntimeError: planted failure"):
        build.refresh(tmp_path, jobs=1)
    assert build.build(tmp_path) == 1
    assert "planted failure" in capsys.readouterr().err
    with pytest.raises(ValueError, match="jobs"):
        notebooks.execute_all([path], jobs=0)


def test_every_committed_notebook_is_fresh():
    """main's notebooks were run by main's code: the book renders them as they are, running none."""
    outdated = stamps.stale(stamps.book_notebooks(ROOT), stamps.fingerprint(ROOT))
    names = [str(path.relative_to(ROOT)) for path in outdated]
    assert not names, (
        f"{len(names)} notebook(s) were not run by the current code (or were edited since): "
        "run `make notebooks` (or `python -m equitylens.book.notebooks execute <notebook>`) and commit them:\n"
        + "\n".join(names)
    )
