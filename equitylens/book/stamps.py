"""Which notebooks' stored outputs come from the code as it is now.

Each time :mod:`equitylens.book.notebooks` runs a notebook, it stamps the notebook's
metadata with three hashes: the *inputs* fingerprint (every file besides the notebook
that can change an output: the package, the data sets, the content data, the session
plans, the pinned requirements), the *source* hash (the notebook's own cells, without
their outputs) and the *outputs* hash (what that run stored: outputs and ``{eval}``
results). A notebook is fresh when all three still match, so outputs saved from
anywhere else (a JupyterLab session with live charts, a hand edit) make it stale too.
The book renders the stored outputs of fresh notebooks only; ``make book`` runs the
others first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import nbformat
from nbformat.v4.rwbase import rejoin_lines

from equitylens.data import paths

#: Folders and files (relative to the repository root) whose content can change a notebook's output.
INPUTS: tuple[str, ...] = ("equitylens", "datasets", "book/data", "workshops", "requirements.txt", "pyproject.toml")
_SKIPPED_PARTS = {"__pycache__", ".ipynb_checkpoints"}
#: Where a notebook's stamp lives: ``notebook.metadata[KEY]``.
KEY: Final = "equitylens"


def _input_files(root: Path, inputs: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for name in inputs:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(
                item for item in path.rglob("*") if item.is_file() and not _SKIPPED_PARTS.intersection(item.parts)
            )
        else:
            raise ValueError(f"build input {name!r} does not exist under {root}")
    return sorted(files)


def fingerprint(root: Path = paths.ROOT, inputs: Sequence[str] = INPUTS) -> str:
    """A short hash of every file that can change a notebook's output (not the notebooks themselves).

    >>> len(fingerprint())
    16
    """
    digest = hashlib.sha256()
    for path in _input_files(root, inputs):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _text(source: str | Sequence[str]) -> str:
    return source if isinstance(source, str) else "".join(source)


def source_hash(notebook: Mapping[str, Any]) -> str:
    """A short hash of a notebook's cells (type and text), blind to outputs and metadata.

    >>> source_hash({"cells": [{"cell_type": "code", "source": "1 + 1"}]})
    'dfe66c22ca4d47a8'
    """
    cells = [[cell["cell_type"], _text(cell["source"])] for cell in notebook["cells"]]
    return hashlib.sha256(json.dumps(cells).encode()).hexdigest()[:16]


def outputs_hash(notebook: Mapping[str, Any]) -> str:
    """A short hash of what a run stores: code cells' outputs and Markdown cells' ``{eval}`` results."""
    stored = [
        cell.get("outputs", []) if cell["cell_type"] == "code" else cell.get("metadata", {}).get("user_expressions")
        for cell in notebook["cells"]
    ]
    return hashlib.sha256(json.dumps(stored, sort_keys=True).encode()).hexdigest()[:16]


def stamp(notebook: Mapping[str, Any], inputs: str) -> dict[str, str]:
    """The stamp a notebook run now gets: the inputs fingerprint and its cells' and outputs' hashes."""
    return {"inputs": inputs, "source": source_hash(notebook), "outputs": outputs_hash(notebook)}


def is_fresh(notebook: Mapping[str, Any], inputs: str) -> bool:
    """Whether the notebook's stored outputs were made by these inputs and these very cells."""
    stored = notebook.get("metadata", {}).get(KEY, {})
    return bool(stored) and stored == stamp(notebook, inputs)


def stale(notebooks: Sequence[Path], inputs: str) -> list[Path]:
    """The notebooks among ``notebooks`` whose stored outputs are not fresh."""
    return [path for path in notebooks if not is_fresh(read(path), inputs)]


def read(path: Path) -> nbformat.NotebookNode:
    """A notebook as ``nbformat.read`` gives it (multi-line text joined), without validating it."""
    notebook: nbformat.NotebookNode = nbformat.from_dict(  # type: ignore[no-untyped-call]
        json.loads(path.read_text(encoding="utf-8"))
    )
    return rejoin_lines(notebook)  # type: ignore[no-any-return,no-untyped-call]


def book_notebooks(root: Path = paths.ROOT) -> list[Path]:
    """Every notebook of the book (under ``book/``), in path order."""
    return sorted(path for path in (root / "book").rglob("*.ipynb") if not _SKIPPED_PARTS.intersection(path.parts))
