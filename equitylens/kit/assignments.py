"""The instructor kit: the assignment map and the student edition.

Every exercise notebook is written once, in otter-grader's assign format (``# BEGIN
QUESTION`` / ``# BEGIN SOLUTION`` / ``# BEGIN TESTS`` raw cells). From that one source,
``python -m equitylens.kit.assignments student`` (``make student``) runs ``otter assign`` for
each notebook and writes::

    _build/student/
        notebooks/<name>.ipynb            prompts and public checks; no solutions, no hidden tests
        autograder/<name>-autograder.zip  every test, for ``otter run`` (local) or Gradescope
        autograder/<name>.ipynb           the reference notebook otter made (solutions kept)

The map of assignments to stages, objectives and minutes lives in
``book/data/assignments.yml``; :func:`assignment_map` renders it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import nbformat
import pandas as pd

from equitylens.data import content, paths
from equitylens.kit import rubrics

BOOK: Final[Path] = paths.BOOK_DIR
ASSIGNMENTS_FILE: Final = "assignments.yml"
DEFAULT_OUTPUT: Final[Path] = paths.BUILD_DIR / "student"
CONFIG_MARKER: Final = "# ASSIGNMENT CONFIG"
# Tags that only steer the book's rendering; the student notebook does not need them.
BOOK_TAGS: Final[frozenset[str]] = frozenset({"hide-cell", "hide-input", "remove-cell", "remove-input"})

ERR_NOT_SOURCE: Final = "{path} is not an assignment source: its first cells hold no raw '# ASSIGNMENT CONFIG' cell"


def load_assignments(path: Path | str | None = None) -> list[dict[str, Any]]:
    """Load and validate ``assignments.yml``: one ready-made assignment per stage."""
    file = Path(path) if path is not None else content.DATA_DIR / ASSIGNMENTS_FILE
    data = content.read_yaml(file)
    if not isinstance(data, list) or not data:
        raise ValueError(f"{file}: expected a non-empty list of assignments")
    known = set(rubrics.load_rubrics())
    fields = ("id", "stage", "file", "title", "minutes", "site", "rubric", "objectives", "questions")
    for i, entry in enumerate(data):
        where = f"{file}: assignment {i}"
        content._require(entry, fields, where)
        content._check_stage_id(entry["stage"], where)
        if not isinstance(entry["minutes"], int) or entry["minutes"] <= 0:
            raise ValueError(f"{where}.minutes must be a whole number of minutes > 0")
        if entry["rubric"] not in known:
            raise ValueError(f"{where}.rubric {entry['rubric']!r} is not in rubrics.yml")
        if not isinstance(entry["objectives"], list) or not entry["objectives"]:
            raise ValueError(f"{where}.objectives must be a non-empty list")
    return list(data)


def assignment_map(path: Path | str | None = None) -> pd.DataFrame:
    """One row per assignment: stage, title, file, minutes, objectives, rubric."""
    stages = {s["id"]: s["title"] for s in content.load_practices()["stages"]}
    rows = [
        {
            "stage": stages[a["stage"]],
            "assignment": a["title"],
            "file": a["file"],
            "minutes": a["minutes"],
            "objectives": list(a["objectives"]),
            "questions": len(a["questions"]),
            "rubric": a["rubric"],
        }
        for a in load_assignments(path)
    ]
    return pd.DataFrame(rows)


def assignment_map_markdown(path: Path | str | None = None) -> str:
    """The assignment map as a MyST table, linking each notebook with ``{doc}``."""
    table = assignment_map(path)
    lines = [
        "| Stage | Assignment | Learning objectives | Time | Questions |",
        "|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        doc = "/book/" + str(row.file).removesuffix(".ipynb")
        objectives: list[str] = list(row.objectives)  # type: ignore[arg-type]
        goals = "<br>".join(f"{i}. {goal}" for i, goal in enumerate(objectives, start=1))
        lines.append(
            f"| {row.stage} | {{doc}}`{row.assignment} <{doc}>` | {goals} | {row.minutes} min | {row.questions} |"
        )
    total = int(table["minutes"].sum())
    return "\n".join(lines) + f"\n\nAll six take about {total} minutes of student time in all.\n"


def is_source(path: Path | str) -> bool:
    """True when a notebook is written in otter's assign format (has an ASSIGNMENT CONFIG cell)."""
    notebook = nbformat.read(Path(path), as_version=4)  # type: ignore[no-untyped-call]
    return any(cell.cell_type == "raw" and cell.source.lstrip().startswith(CONFIG_MARKER) for cell in notebook.cells)


def sources(book: Path | str = BOOK) -> list[Path]:
    """Every exercise notebook in the book written in the assign format, sorted."""
    found = (p for p in Path(book).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts and "_build" not in p.parts)
    return sorted(p for p in found if is_source(p))


def _clean_student(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    for cell in notebook.cells:
        tags = [t for t in cell.metadata.get("tags", []) if t not in BOOK_TAGS]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
    nbformat.write(notebook, path)  # type: ignore[no-untyped-call]


def build_one(source: Path | str, output: Path | str) -> dict[str, Path]:
    """Run ``otter assign`` on one source notebook; file its outputs under ``output``.

    Returns the paths of the ``student`` notebook, the ``autograder`` zip and the
    ``reference`` notebook.
    """
    source = Path(source).resolve()
    if not is_source(source):
        raise ValueError(ERR_NOT_SOURCE.format(path=source))
    output = Path(output)
    name = source.stem
    with tempfile.TemporaryDirectory(prefix="equitylens-assign-") as tmp:
        dist = Path(tmp) / "dist"
        from otter.assign import main as otter_assign  # slow to import: only when building

        here = os.getcwd()
        try:
            otter_assign(str(source), str(dist))
        finally:
            os.chdir(here)
        (output / "notebooks").mkdir(parents=True, exist_ok=True)
        (output / "autograder").mkdir(parents=True, exist_ok=True)
        student = output / "notebooks" / f"{name}.ipynb"
        shutil.copyfile(dist / "student" / f"{name}.ipynb", student)
        _clean_student(student)
        bundle = output / "autograder" / f"{name}-autograder.zip"
        shutil.copyfile(next((dist / "autograder").glob(f"{name}-autograder*.zip")), bundle)
        reference = output / "autograder" / f"{name}.ipynb"
        shutil.copyfile(dist / "autograder" / f"{name}.ipynb", reference)
    return {"student": student, "autograder": bundle, "reference": reference}


def build(paths: Iterable[Path | str] | None = None, *, output: Path | str = DEFAULT_OUTPUT) -> pd.DataFrame:
    """Build the student edition of every source notebook (default: all of them in the book)."""
    chosen = [Path(p) for p in paths] if paths is not None else sources()
    if not chosen:
        raise ValueError("paths: no assignment-format notebooks found")
    rows = [{"source": str(p), **{k: str(v) for k, v in build_one(p, output).items()}} for p in chosen]
    manifest = pd.DataFrame(rows)
    Path(output, "manifest.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: Iterable[str] | None = None) -> None:
    """``python -m equitylens.kit.assignments student [--output DIR] [NOTEBOOK ...]``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    student = commands.add_parser("student", help="write the student edition and autograder bundles")
    student.add_argument("paths", nargs="*")
    student.add_argument("--output", default=str(DEFAULT_OUTPUT))
    args = parser.parse_args(list(argv) if argv is not None else None)
    manifest = build(args.paths or None, output=args.output)
    for row in manifest.itertuples():
        print(f"{row.source}\n  student:    {row.student}\n  autograder: {row.autograder}")


if __name__ == "__main__":
    main()
