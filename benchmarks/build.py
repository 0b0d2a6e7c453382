"""Time building the book and (optionally) the test suite; print a table. Never asserted.

    python benchmarks/build.py [--suite] [--output DIR]

Every build runs ``make book``'s command (``python -m equitylens.book.build``) into a
folder of its own (``EQUITYLENS_BUILD_DIR``), so the checkout's ``_build`` is untouched:

* cold: an empty build folder (the venv is already installed); as from a fresh clone,
  only notebooks that are not fresh run (see ``equitylens.book.stamps``), none on main;
* warm, nothing changed: no notebook runs and Sphinx reuses its environment;
* warm after a Markdown edit: one line added to a start page (then restored);
* warm after a notebook edit: a comment added to one code cell of a small notebook
  (then its exact bytes restored), so that notebook, and only it, runs again;
* page weight: the largest built page and the total of all pages;
* with ``--suite``: ``make test`` and ``make check`` themselves, each with its own
  build folder; in a clone where mypy has no cache yet, ``make check`` twice: the first
  run fills the cache (mypy checks every stub it reads), the second is the inner loop;
* the machine's speed before and after: one core's time for a fixed loop. On a shared
  machine it varies by a third from minute to minute, and every figure above with it,
  so compare figures only beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MARKDOWN_PAGE = ROOT / "book" / "start" / "how-to-use.md"
SMALL_NOTEBOOK = ROOT / "book" / "stages" / "planning" / "history.ipynb"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, result.returncode, result.stdout + result.stderr


def build_command() -> list[str]:
    return [str(BIN / "python"), "-m", "equitylens.book.build", "--keep-going"]


@contextmanager
def edited(path: Path, change: str) -> Iterator[None]:
    """Change ``path`` for the duration of the block, then put back its exact bytes."""
    original = path.read_bytes()
    try:
        if path.suffix == ".ipynb":
            notebook = json.loads(original)
            cell = next(c for c in notebook["cells"] if c["cell_type"] == "code")
            cell["source"] = [*cell["source"], f"\n# {change}"] if isinstance(cell["source"], list) else cell["source"]
            path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        else:
            path.write_bytes(original + f"\n<!-- {change} -->\n".encode())
        yield
    finally:
        path.write_bytes(original)


def page_weights(html: Path) -> tuple[int, float, str, float]:
    pages = [p for p in html.rglob("*.html") if not {"_static", "_sources"} & set(p.relative_to(html).parts)]
    heaviest = max(pages, key=lambda p: p.stat().st_size)
    total = sum(p.stat().st_size for p in pages)
    return len(pages), total / 1e6, heaviest.relative_to(html).as_posix(), heaviest.stat().st_size / 1e6


def core_speed() -> float:
    """Seconds one core takes for a fixed pure-Python loop (best of three): lower is faster."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        sum(number * number for number in range(5_000_000))
        best = min(best, time.perf_counter() - start)
    return best


def status(code: int) -> str:
    return "ok" if code == 0 else f"exit {code}"


def suite_row(label: str, command: list[str], env: dict[str, str]) -> tuple[str, str, str]:
    folder = Path(tempfile.mkdtemp(prefix="equitylens-suite-"))
    try:
        seconds, code, log = timed(command, {**env, "EQUITYLENS_BUILD_DIR": str(folder)})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    summary = next((line for line in reversed(log.splitlines()) if " passed" in line or " failed" in line), "")
    return label, f"{seconds:8.1f} s", summary.strip("= ")[:70] or f"exit {code}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="store_true", help="also time make test and make check (slow)")
    parser.add_argument("--output", type=Path, help="build folder (default: a fresh temporary folder)")
    args = parser.parse_args()
    output = args.output or Path(tempfile.mkdtemp(prefix="equitylens-bench-"))
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    env = {**os.environ, "EQUITYLENS_CHARTS": "static", "EQUITYLENS_BUILD_DIR": str(output)}
    rows: list[tuple[str, str, str]] = [("machine speed, before", f"{core_speed():8.2f} s", "one core, fixed loop")]

    seconds, code, _ = timed(build_command(), env)
    rows.append(("make book, cold (empty build folder)", f"{seconds:8.1f} s", status(code)))
    seconds, code, _ = timed(build_command(), env)
    rows.append(("make book, warm, nothing changed", f"{seconds:8.1f} s", status(code)))
    with edited(MARKDOWN_PAGE, "benchmark edit"):
        seconds, code, _ = timed(build_command(), env)
    rows.append(("make book, warm, after a Markdown edit", f"{seconds:8.1f} s", status(code)))
    with edited(SMALL_NOTEBOOK, "benchmark edit"):
        seconds, code, _ = timed(build_command(), env)
    rows.append((f"make book, warm, after editing {SMALL_NOTEBOOK.name}", f"{seconds:8.1f} s", status(code)))
    timed(build_command(), env)  # bring the build back in step with the restored notebook

    html = output / "_build" / "html"
    if html.is_dir():
        count, total, heaviest, weight = page_weights(html)
        rows.append((f"pages built: {count}", f"{total:8.2f} MB", "all pages together"))
        rows.append(("heaviest page", f"{weight:8.2f} MB", heaviest))

    if args.suite:
        make = ["make", "--no-print-directory", "-s"]
        rows.append(suite_row("make test (pytest + nbval, 2 workers)", [*make, "test"], env))
        # mypy keeps its cache in the checkout: the first `make check` in a fresh clone checks
        # every stub from scratch; every later one, the inner loop, rechecks only what changed.
        if (ROOT / ".mypy_cache").is_dir():
            rows.append(suite_row("make check (lint + unit tests, 2 workers)", [*make, "check"], env))
        else:
            rows.append(suite_row("make check, first in this clone (mypy cold)", [*make, "check"], env))
            rows.append(suite_row("make check again (the inner loop)", [*make, "check"], env))

    rows.append(("machine speed, after", f"{core_speed():8.2f} s", "one core, fixed loop"))
    if args.output is None:
        shutil.rmtree(output, ignore_errors=True)
    width = max(len(row[0]) for row in rows)
    print(f"{'what':<{width}}  {'time/size':>11}  note")
    for what, value, note in rows:
        print(f"{what:<{width}}  {value:>11}  {note}")


if __name__ == "__main__":
    main()
