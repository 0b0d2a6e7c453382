"""Run the book's notebooks and store their outputs, the way nbval expects them.

``python -m equitylens.book.notebooks execute book/**/*.ipynb`` runs each notebook
top to bottom in a fresh kernel (from the notebook's own folder, with charts in
static mode) and writes it back with its outputs and a stamp (see
:mod:`equitylens.book.stamps`), several at once with ``--jobs``. Cell metadata that
changes on every run (timings, widget state) is dropped so that diffs stay readable.

Each Markdown cell's ``{eval}`` expressions are evaluated in the kernel after the code
cells above it, and stored in the cell's ``metadata.user_expressions`` in the format
jupyterlab-myst reads and writes (see :mod:`equitylens.book.numbers`).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.util import ensure_async

from equitylens.book import stamps
from equitylens.book.numbers import expressions
from equitylens.viz import charts

TIMEOUT_SECONDS = 600
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


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


def execute(path: Path | str, inputs: str | None = None) -> nbformat.NotebookNode:
    """Execute one notebook in place, stamp it and return it.

    ``inputs`` is the fingerprint to stamp (default: :func:`equitylens.book.stamps.fingerprint`, now).
    """
    notebook_path = Path(path)
    if notebook_path.suffix != ".ipynb" or not notebook_path.exists():
        raise ValueError(f"{notebook_path} is not an existing .ipynb file")
    notebook: nbformat.NotebookNode = nbformat.read(notebook_path, as_version=4)  # type: ignore[no-untyped-call]
    evaluate(notebook, notebook_path.parent)
    notebook.metadata[stamps.KEY] = stamps.stamp(notebook, inputs or stamps.fingerprint())
    nbformat.write(notebook, notebook_path)  # type: ignore[no-untyped-call]
    return notebook


def _execute_one(path: str, inputs: str) -> str:
    execute(path, inputs)
    return path


def execute_all(paths: Sequence[Path | str], *, jobs: int = 1, inputs: str | None = None) -> None:
    """Execute ``paths`` in place, ``jobs`` at a time, printing each as it finishes.

    ``inputs`` is the fingerprint to stamp (default: the checkout's, now). Raises
    ``ValueError`` naming the notebooks that failed, after the others have run.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    inputs = inputs or stamps.fingerprint()
    failed: list[str] = []
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        running = {pool.submit(_execute_one, str(path), inputs): str(path) for path in paths}
        for done in concurrent.futures.as_completed(running):
            try:
                print(f"executed {done.result()}", flush=True)
            except Exception as error:  # a failing cell: report it with the others
                message = _ANSI.sub("", str(error)).strip()[-2000:]
                failed.append(f"{running[done]}: {type(error).__name__}: {message}")
    if failed:
        raise ValueError(f"{len(failed)} notebook(s) failed to run:\n" + "\n".join(failed))


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
    run.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="notebooks run at once")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        execute_all(args.paths, jobs=args.jobs)
    except ValueError as error:
        raise SystemExit(f"error: {error}") from None


if __name__ == "__main__":
    main()
