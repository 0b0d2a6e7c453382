"""The instructor kit end to end: source -> student edition -> checks -> grading.

Builds the student edition of every assignment (otter assign, in-process), proves that no
example answer and no hidden check survives in it, then grades one assignment locally
with ``otter run`` (no Docker): the example answers earn full marks, and a table with a
small count showing fails with the check's teaching message.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from equitylens.kit import assignments, grading
from tests.conftest import ROOT

GRADED = "access"

# End to end (otter builds the student edition and grades notebooks): in `make test`, not `make check`.
pytestmark = pytest.mark.slow


def raw_marker(cell: nbformat.NotebookNode) -> str:
    return cell.source.strip().splitlines()[0] if cell.cell_type == "raw" and cell.source.strip() else ""


def solution_and_hidden_cells(path: Path) -> tuple[list[nbformat.NotebookNode], list[str]]:
    """The solution cells (in order) and the hidden test sources of a source notebook."""
    notebook = nbformat.read(path, as_version=4)
    solutions, hidden, block = [], [], None
    for cell in notebook.cells:
        marker = raw_marker(cell)
        if marker in ("# BEGIN SOLUTION", "# BEGIN TESTS"):
            block = marker
        elif marker in ("# END SOLUTION", "# END TESTS"):
            block = None
        elif block == "# BEGIN SOLUTION":
            solutions.append(cell)
        elif block == "# BEGIN TESTS" and cell.source.lstrip().startswith("# HIDDEN"):
            hidden.append(cell.source)
    return solutions, hidden


def statements(source: str) -> set[str]:
    """Each top-level statement, normalised (otter rewrites quotes and spacing)."""
    return {ast.unparse(node) for node in ast.parse(source).body}


def messages(source: str) -> list[str]:
    """The failure messages of a test's asserts."""
    asserts = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Assert)]
    return [n.msg.value for n in asserts if isinstance(n.msg, ast.Constant) and isinstance(n.msg.value, str)]


def doctest_source(code: str) -> str:
    return "\n".join(line[4:] for line in code.splitlines() if line.startswith((">>> ", "... ")))


def meaningful_lines(source: str) -> list[str]:
    lines = [line.replace("# SOLUTION", "").strip() for line in source.splitlines()]
    return [line for line in lines if len(line) > 20 and not line.startswith(("#", "```", ":class:"))]


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    output = tmp_path_factory.mktemp("student")
    manifest = assignments.build(output=output)
    return output, manifest


def test_every_assignment_is_a_source_and_on_the_map(edition):
    _, manifest = edition
    names = {Path(p).stem for p in manifest["source"]}
    assert names == {Path(a["file"]).stem for a in assignments.load_assignments()}
    assert len(names) == 7
    table = assignments.assignment_map()
    assert table["minutes"].between(30, 90).all()
    assert "{doc}`" in assignments.assignment_map_markdown()


def test_student_edition_holds_no_solution_and_no_hidden_test(edition):
    output, manifest = edition
    for source in manifest["source"]:
        path = Path(source)
        solutions, hidden = solution_and_hidden_cells(path)
        assert solutions and hidden, f"{path.name}: every assignment needs solutions and hidden tests"
        student = nbformat.read(output / "notebooks" / path.name, as_version=4)
        text = "\n".join(cell.source for cell in student.cells) + json.dumps(student.metadata)
        for cell in solutions:
            for line in meaningful_lines(cell.source):
                assert line not in text, f"{path.name}: solution text left in the student edition: {line!r}"
        questions = student.metadata["otter"]["tests"].values()
        cases = [case for q in questions for suite in q["suites"] for case in suite["cases"]]
        assert not any(case["hidden"] for case in cases), f"{path.name}: a hidden case is in the student notebook"
        public = {statement for case in cases for statement in statements(doctest_source(case["code"]))}
        for test in hidden:
            for statement in statements(test):
                assert statement not in public, f"{path.name}: hidden test left in the student edition: {statement}"
            for literal in messages(test):
                assert literal not in text, f"{path.name}: hidden test message left in the student edition: {literal!r}"
        assert not any(cell.outputs for cell in student.cells if cell.cell_type == "code")
        assert any("grader.check(" in cell.source for cell in student.cells), "public checks are kept"
        with zipfile.ZipFile(output / "autograder" / f"{path.stem}-autograder.zip") as bundle:
            tests = "".join(bundle.read(n).decode() for n in bundle.namelist() if n.startswith("tests/"))
        assert "'hidden': True" in tests, f"{path.name}: the autograder bundle must hold the hidden tests"


def fill_in(student: Path, source: Path, target: Path, *, replace: dict[str, str] | None = None) -> Path:
    """Copy the example answers from the source into the student notebook's answer cells."""
    solutions, _ = solution_and_hidden_cells(source)
    notebook = nbformat.read(student, as_version=4)
    answers = [c for c in notebook.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    assert len(answers) == len(solutions), "one answer cell per solution cell"
    for cell, solution in zip(answers, solutions, strict=True):
        cell.source = solution.source
        for old, new in (replace or {}).items():
            if cell.source.startswith(old):
                cell.source = new
    nbformat.write(notebook, target)
    return target


def grade(bundle: Path, submission: Path, out: Path) -> dict:
    out.mkdir()
    otter = str(Path(sys.executable).with_name("otter"))
    env = {**os.environ, "EQUITYLENS_CHARTS": "static"}
    result = subprocess.run(
        [otter, "run", "-a", str(bundle), "-o", str(out), str(submission)],
        capture_output=True,
        text=True,
        env=env,
        cwd=submission.parent,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((out / "results.json").read_text())


def scores(results: dict) -> tuple[float, float]:
    scored = [t for t in results["tests"] if t.get("max_score") is not None]
    return sum(t["score"] for t in scored), sum(t["max_score"] for t in scored)


def test_reference_answers_earn_full_marks_and_a_small_cell_fails(edition, tmp_path):
    output, _ = edition
    source = ROOT / "book" / "assignments" / f"{GRADED}.ipynb"
    student = output / "notebooks" / f"{GRADED}.ipynb"
    bundle = output / "autograder" / f"{GRADED}-autograder.zip"

    good = fill_in(student, source, tmp_path / f"{GRADED}.ipynb")
    score, possible = scores(grade(bundle, good, tmp_path / "good"))
    assert possible > 0 and score == possible

    wrong_dir = tmp_path / "wrong"
    wrong_dir.mkdir()
    small_cell_shown = {"published =": "published = counts.copy()"}
    wrong = fill_in(student, source, wrong_dir / f"{GRADED}.ipynb", replace=small_cell_shown)
    results = grade(bundle, wrong, tmp_path / "wrong-results")
    score, possible = scores(results)
    assert score < possible
    published = next(t for t in results["tests"] if t["name"] == "published")
    assert published["score"] == 0
    assert "A count this small can point to a real person" in published["output"]
    assert "Fix:" in published["output"]


def test_checks_message_is_what_students_see():
    """The teaching message names the cell, the threshold and the fix."""
    import pandas as pd

    table = pd.DataFrame({"group": ["a", "b"], "n": [3, 50]})
    with pytest.raises(AssertionError) as info:
        grading.check_published_table(table, dims=["group"], count="n")
    assert "group=a" in str(info.value) and "threshold=11" in str(info.value)


def test_grading_page_shows_the_checks_real_message():
    """book/instructors/grading.md renders the message itself, so it shows the policy's threshold."""
    from equitylens.book.instructor_directives import raw_counts_message
    from equitylens.methods.policy import DEFAULT_POLICY

    message = raw_counts_message(width=100)
    assert f"a count from 1 to {DEFAULT_POLICY.largest_hidden} can still be seen" in message
    assert f"threshold={DEFAULT_POLICY.k}" in message
    assert max(len(line) for line in message.splitlines()) <= 100
    page = (ROOT / "book" / "instructors" / "grading.md").read_text(encoding="utf-8")
    assert "```{published-table-message}" in page


def test_governance_assignment_grades_end_to_end(edition, tmp_path):
    """The governance assignment: example answers earn full marks; a table with small cells fails."""
    output, _ = edition
    source = ROOT / "book" / "assignments" / "governance.ipynb"
    student = output / "notebooks" / "governance.ipynb"
    bundle = output / "autograder" / "governance-autograder.zip"

    good = fill_in(student, source, tmp_path / "governance.ipynb")
    score, possible = scores(grade(bundle, good, tmp_path / "good"))
    assert possible > 0 and score == possible

    wrong_dir = tmp_path / "wrong"
    wrong_dir.mkdir()
    raw_table = {"published =": "published = table.copy()"}
    wrong = fill_in(student, source, wrong_dir / "governance.ipynb", replace=raw_table)
    results = grade(bundle, wrong, tmp_path / "wrong-results")
    published = next(t for t in results["tests"] if t["name"] == "published")
    assert published["score"] == 0
    assert "A count this small can point to a real person" in published["output"]
