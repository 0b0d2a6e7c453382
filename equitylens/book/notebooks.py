"""Run the book's notebooks and store their outputs, the way nbval expects them.

``python -m equitylens.book.notebooks execute book/**/*.ipynb`` runs each notebook
top to bottom in a fresh kernel (from the notebook's own folder, with charts in
static mode) and writes it back with its outputs. Cell metadata that changes on
every run (timings, widget state) is dropped so that diffs stay readable.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from equitylens.viz import charts

TIMEOUT_SECONDS = 600


def execute(path: Path | str) -> nbformat.NotebookNode:
    """Execute one notebook in place and return it."""
    notebook_path = Path(path)
    if notebook_path.suffix != ".ipynb" or not notebook_path.exists():
        raise ValueError(f"{notebook_path} is not an existing .ipynb file")
    os.environ[charts.MODE_VARIABLE] = "static"
    notebook: nbformat.NotebookNode = nbformat.read(notebook_path, as_version=4)  # type: ignore[no-untyped-call]
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(notebook_path.parent)}},
        store_widget_state=False,
        record_timing=False,
    )
    client.execute()
    tidy(notebook)
    nbformat.write(notebook, notebook_path)  # type: ignore[no-untyped-call]
    return notebook


def tidy(notebook: nbformat.NotebookNode) -> None:
    """Drop metadata that changes from run to run."""
    notebook.metadata.pop("widgets", None)
    notebook.metadata.get("language_info", {}).pop("version", None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)


def main(argv: Iterable[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("execute", help="run notebooks and store their outputs")
    run.add_argument("paths", nargs="+")
    args = parser.parse_args(list(argv) if argv is not None else None)
    for path in args.paths:
        print(f"executing {path}")
        execute(path)


if __name__ == "__main__":
    main()
