"""Build the book quickly, and never with outputs from older code.

``python -m equitylens.book.build`` runs ``jupyter-book build`` with notebook
execution in *cache* mode. jupyter-cache keys each notebook on its code cells;
this module adds the second key: the cache folder is named after a fingerprint
of everything else that can change an output (the package's source, the data
sets, the content data, the session plans and the pinned requirements). So:

- editing a Markdown page re-runs no notebook;
- editing a notebook re-runs that notebook only;
- changing the package or the data re-runs every notebook, in a fresh cache.

Old cache folders are removed, so the cache never grows past one fingerprint.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

import yaml

from equitylens.data import paths

#: Folders and files (relative to the repository root) whose content can change a notebook's output.
INPUTS: tuple[str, ...] = ("equitylens", "datasets", "book/data", "workshops", "requirements.txt", "pyproject.toml")
_SKIPPED_PARTS = {"__pycache__", ".ipynb_checkpoints"}


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


#: Set to build somewhere else than the checkout (``<folder>/_build/html``), as the tests do.
OUTPUT_VARIABLE: Final = "EQUITYLENS_BUILD_DIR"


def output_root(root: Path = paths.ROOT) -> Path:
    """The folder that receives ``_build/``: ``$EQUITYLENS_BUILD_DIR`` or the checkout."""
    override = os.environ.get(OUTPUT_VARIABLE)
    return Path(override).expanduser().resolve() if override else root


def write_config(root: Path = paths.ROOT, output: Path | None = None) -> Path:
    """Write the build's config: ``_config.yml`` with execution cached under the current fingerprint.

    ``output`` is the ``_build`` folder (default: under :func:`output_root`).
    """
    output = output if output is not None else output_root(root) / "_build"
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    caches = output / ".jupyter_cache"
    current = caches / fingerprint(root)
    if caches.is_dir():
        for old in caches.iterdir():
            if old != current:
                shutil.rmtree(old, ignore_errors=True)
    config.setdefault("execute", {})
    config["execute"]["execute_notebooks"] = "cache"
    config["execute"]["cache"] = str(current)
    path = output / "book-config.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def build(root: Path = paths.ROOT, extra_args: Sequence[str] = ()) -> int:
    """Build the book into ``_build/html``; return jupyter-book's exit code."""
    destination = output_root(root)
    config = write_config(root, destination / "_build")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(root), "--config", str(config), *extra_args]
    if destination != root:
        command += ["--path-output", str(destination)]
    env = {**os.environ, "EQUITYLENS_CHARTS": "static"}
    return subprocess.run(command, cwd=root, env=env, check=False).returncode


def main(argv: Iterable[str] | None = None) -> int:
    """Command line entry point: extra arguments go to ``jupyter-book build``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    _, extra = parser.parse_known_args(list(argv) if argv is not None else None)
    return build(extra_args=extra)


if __name__ == "__main__":
    raise SystemExit(main())
