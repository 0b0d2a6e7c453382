"""Build the book quickly, and never with outputs from older code.

``python -m equitylens.book.build`` (``make book``) does two things:

1. It runs every notebook whose stored outputs are not *fresh* (see
   :mod:`equitylens.book.stamps`: a notebook is fresh when it was last run by this very
   package, data and content, and its cells have not changed since), several at once,
   and stores the new outputs in the notebook, as ``make notebooks`` does.
2. It runs ``jupyter-book build`` with notebook execution off: every page shows the
   outputs stored in its notebook, and by then every notebook is fresh.

So a fresh clone runs no notebook (main's notebooks are committed fresh, and a test
checks it); editing a Markdown page runs none; editing a notebook runs that notebook
only; changing the package or the data runs them all. Sphinx's own cache makes the
rest incremental.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

import yaml

from equitylens.book import notebooks, stamps
from equitylens.data import content, paths

#: Set to build somewhere else than the checkout (``<folder>/_build/html``), as the tests do.
OUTPUT_VARIABLE: Final = "EQUITYLENS_BUILD_DIR"


def output_root(root: Path = paths.ROOT) -> Path:
    """The folder that receives ``_build/``: ``$EQUITYLENS_BUILD_DIR`` or the checkout."""
    override = os.environ.get(OUTPUT_VARIABLE)
    return Path(override).expanduser().resolve() if override else root


def write_config(root: Path = paths.ROOT, output: Path | None = None) -> Path:
    """Write the build's config: ``_config.yml`` with notebook execution off.

    ``output`` is the ``_build`` folder (default: under :func:`output_root`).
    """
    output = output if output is not None else output_root(root) / "_build"
    config = content.read_yaml(root / "_config.yml")
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    path = output / "book-config.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def refresh(root: Path = paths.ROOT, *, jobs: int | None = None) -> list[Path]:
    """Run every notebook of the book that is not fresh; return the ones that ran."""
    inputs = stamps.fingerprint(root)
    outdated = stamps.stale(stamps.book_notebooks(root), inputs)
    if outdated:
        print(f"running {len(outdated)} notebook(s) whose outputs are not from the current code", flush=True)
        notebooks.execute_all(outdated, jobs=jobs or os.cpu_count() or 1, inputs=inputs)
    return outdated


def build(root: Path = paths.ROOT, extra_args: Sequence[str] = (), *, jobs: int | None = None) -> int:
    """Refresh stale notebooks, then build the book into ``_build/html``; return the exit code."""
    try:
        refresh(root, jobs=jobs)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    destination = output_root(root)
    config = write_config(root, destination / "_build")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(root), "--config", str(config), *extra_args]
    if destination != root:
        command += ["--path-output", str(destination)]
    env = {**os.environ, "EQUITYLENS_CHARTS": "static"}
    return subprocess.run(command, cwd=root, env=env, check=False).returncode


def main(argv: Iterable[str] | None = None) -> int:
    """Command line entry point: ``--jobs N``; other arguments go to ``jupyter-book build``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", "-j", type=int, default=None, help="notebooks run at once (default: one per core)")
    args, extra = parser.parse_known_args(list(argv) if argv is not None else None)
    return build(extra_args=extra, jobs=args.jobs)


if __name__ == "__main__":
    raise SystemExit(main())
