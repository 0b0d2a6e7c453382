"""Which pages the book has: the files named in ``_toc.yml`` and the HTML pages it builds.

Shared by the accessibility, links and readability tests, so each covers whatever
chapters are in the table of contents when it runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

SOURCE_SUFFIXES = (".md", ".ipynb", ".rst", ".myst")


def _entries(node: Any) -> Iterator[tuple[str, str]]:
    """Every ``file:``, ``root:`` and ``glob:`` value in a jupyter-book table of contents."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("file", "root", "glob") and isinstance(value, str):
                yield key, value
            else:
                yield from _entries(value)
    elif isinstance(node, list):
        for item in node:
            yield from _entries(item)


def toc_entries(root: Path) -> list[str]:
    """The files named in ``_toc.yml``, as written there (usually without a suffix).

    A ``glob:`` entry stands for the source files it matches; one that matches
    nothing is kept as written, so that a check for missing files reports it.
    """
    entries: list[str] = []
    for key, value in _entries(yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))):
        if key != "glob":
            entries.append(value)
            continue
        matches = sorted(
            path.relative_to(root).as_posix()
            for suffix in SOURCE_SUFFIXES
            for path in root.glob(value + suffix)
            if path.is_file() and ".ipynb_checkpoints" not in path.parts
        )
        entries.extend(matches or [value])
    return entries


def resolve(root: Path, entry: str) -> Path | None:
    """The source file a table-of-contents entry names, or None if there is none."""
    path = root / entry
    if path.suffix in SOURCE_SUFFIXES and path.is_file():
        return path
    for suffix in SOURCE_SUFFIXES:
        candidate = path.with_name(path.name + suffix)
        if candidate.is_file():
            return candidate
    return None


def toc_files(root: Path) -> list[Path]:
    """The source files of every page in the table of contents (entries that resolve)."""
    return [path for entry in toc_entries(root) if (path := resolve(root, entry)) is not None]


def built_pages(html: Path) -> list[Path]:
    """Every HTML page a reader can open: all ``*.html`` outside ``_static`` and ``_sources``.

    The generated pages (``genindex.html``, ``search.html`` and the ``index.html``
    redirect) are included on purpose: a reader reaches them from the search box
    and the theme's navigation, and they share every page's header and sidebar.
    """
    return sorted(
        p
        for p in html.rglob("*.html")
        if not {"_static", "_sources", "_downloads", "_images"} & set(p.relative_to(html).parts)
    )
