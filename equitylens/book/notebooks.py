"""Run the book's notebooks and store their outputs, the way nbval expects them.

``python -m equitylens.book.notebooks execute book/**/*.ipynb`` runs each notebook
top to bottom in a fresh kernel (from the notebook's own folder, with charts in
static mode) and writes it back with its outputs. Cell metadata that changes on
every run (timings, widget state) is dropped so that diffs stay readable.

Each Markdown cell's ``{eval}`` expressions are evaluated in the kernel after the code
cells above it, and stored in the cell's ``metadata.user_expressions`` in the format
jupyterlab-myst reads and writes (see :mod:`equitylens.book.numbers`).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.util import ensure_async

from equitylens.book.numbers import expressions
from equitylens.viz import charts

TIMEOUT_SECONDS = 600


class _Client(NotebookClient):
    """A notebook client that also stores each Markdown cell's ``{eval}`` results."""

    async def async_execute_cell(
        self, cell: nbformat.NotebookNode, cell_index: int, *args: Any, **kwargs: Any
    ) -> nbformat.NotebookNode:
        if cell.cell_type == "markdown":
            await self._store_user_expressions(cell)
            return cell
        return await super().async_execute_cell(cell, cell_index, *args, **kwargs)

    async def _store_user_expressions(self, cell: nbformat.NotebookNode) -> None:
        wanted = expressions(cell.source)
        if not wanted:
            cell.metadata.pop("user_expressions", None)
            return
        assert self.kc is not None
        request = {str(index): expression for index, expression in enumerate(wanted)}
        msg_id = await ensure_async(self.kc.execute("", silent=True, store_history=False, user_expressions=request))
        reply = await self.async_wait_for_reply(msg_id, cell)
        results = (reply or {}).get("content", {}).get("user_expressions", {})
        cell.metadata["user_expressions"] = [
            {"expression": expression, "result": _plain(results.get(key))} for key, expression in request.items()
        ]


def _plain(result: dict[str, Any] | None) -> dict[str, Any]:
    """Keep a result's status and text (and the error name), drop tracebacks and rich formats."""
    if not result:
        return {"status": "error", "ename": "NoReply", "evalue": "the kernel returned no result"}
    if result.get("status") != "ok":
        return {"status": "error", "ename": result.get("ename", ""), "evalue": result.get("evalue", "")}
    return {"status": "ok", "data": {"text/plain": result.get("data", {}).get("text/plain", "")}, "metadata": {}}


def evaluate(notebook: nbformat.NotebookNode, cwd: Path | str) -> nbformat.NotebookNode:
    """Run ``notebook`` in a fresh kernel (charts static) and store outputs and ``{eval}`` results."""
    os.environ[charts.MODE_VARIABLE] = "static"
    client = _Client(
        notebook,
        timeout=TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
        store_widget_state=False,
        record_timing=False,
    )
    client.execute()
    tidy(notebook)
    return notebook


def execute(path: Path | str) -> nbformat.NotebookNode:
    """Execute one notebook in place and return it."""
    notebook_path = Path(path)
    if notebook_path.suffix != ".ipynb" or not notebook_path.exists():
        raise ValueError(f"{notebook_path} is not an existing .ipynb file")
    notebook: nbformat.NotebookNode = nbformat.read(notebook_path, as_version=4)  # type: ignore[no-untyped-call]
    evaluate(notebook, notebook_path.parent)
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
