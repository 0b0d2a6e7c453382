"""Time building the book and (optionally) the whole test suite; print a table. Never asserted.

    python benchmarks/build.py [--suite] [--output DIR]

* cold build: ``make book``'s command into a fresh ``--path-output`` folder, so every
  notebook is executed and the Vega bundle is written again;
* warm build: the same command into the same folder again (Sphinx reuses its
  environment; notebooks still run, since ``execute_notebooks: force``);
* page weight: the largest built page and the total of all pages;
* suite (with ``--suite``, slow): ``make test``'s pytest command, with its own
  build folder so it does not reuse the one timed above.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, result.returncode, result.stdout + result.stderr


def build_command(output: Path) -> list[str]:
    # the command `make book` runs, into a folder of our own
    return [str(BIN / "jupyter-book"), "build", str(ROOT), "--keep-going", "--path-output", str(output)]


def page_weights(html: Path) -> tuple[int, float, str, float]:
    pages = [p for p in html.rglob("*.html") if not {"_static", "_sources"} & set(p.relative_to(html).parts)]
    heaviest = max(pages, key=lambda p: p.stat().st_size)
    total = sum(p.stat().st_size for p in pages)
    return len(pages), total / 1e6, heaviest.relative_to(html).as_posix(), heaviest.stat().st_size / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="store_true", help="also time the whole test suite (slow)")
    parser.add_argument("--output", type=Path, help="build folder (default: a fresh temporary folder)")
    args = parser.parse_args()
    env = {**os.environ, "EQUITYLENS_CHARTS": "static"}
    output = args.output or Path(tempfile.mkdtemp(prefix="equitylens-bench-"))
    if output.exists():
        shutil.rmtree(output)
    rows: list[tuple[str, str, str]] = []

    seconds, code, log = timed(build_command(output), env)
    rows.append(("cold make book (fresh folder)", f"{seconds:8.1f} s", "ok" if code == 0 else f"exit {code}"))
    seconds, code, log = timed(build_command(output), env)
    rows.append(("warm make book (same folder)", f"{seconds:8.1f} s", "ok" if code == 0 else f"exit {code}"))
    html = output / "_build" / "html"
    if html.is_dir():
        count, total, heaviest, weight = page_weights(html)
        rows.append((f"pages built: {count}", f"{total:8.2f} MB", "all pages together"))
        rows.append(("heaviest page", f"{weight:8.2f} MB", heaviest))
        bundle = html / "_static" / "equitylens" / "vega-bundle.js"
        if bundle.is_file():
            rows.append(("vega bundle (loaded on chart pages)", f"{bundle.stat().st_size / 1e6:8.2f} MB", "cached"))

    if args.suite:
        suite_dir = Path(tempfile.mkdtemp(prefix="equitylens-suite-"))
        notebooks = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True)
        command = [
            str(BIN / "python"),
            "-m",
            "pytest",
            "tests",
            *notebooks.stdout.split(),
            "--nbval",
            "--nbval-sanitize-with",
            "tests/nbval_sanitize.cfg",
            "-p",
            "no:cacheprovider",
            "-q",
        ]
        seconds, code, log = timed(command, {**env, "EQUITYLENS_BUILD_DIR": str(suite_dir)})
        summary = next((line for line in reversed(log.splitlines()) if " passed" in line or " failed" in line), "")
        rows.append(("make test (pytest + nbval)", f"{seconds:8.1f} s", summary.strip("= ")[:60] or f"exit {code}"))
        shutil.rmtree(suite_dir, ignore_errors=True)

    if args.output is None:
        shutil.rmtree(output, ignore_errors=True)
    width = max(len(row[0]) for row in rows)
    print(f"{'what':<{width}}  {'time/size':>11}  note")
    for what, value, note in rows:
        print(f"{what:<{width}}  {value:>11}  {note}")


if __name__ == "__main__":
    main()
