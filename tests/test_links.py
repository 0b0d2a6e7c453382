"""Every file the table of contents names exists, and every local link in the built book resolves.

The ``-W -n`` build already fails on a broken cross-reference. These checks cover
what Sphinx does not: plain relative ``href``/``src`` attributes written into the
pages (the theme's buttons, raw HTML, notebook outputs), links to notebooks, and
``{download}`` files copied into ``_downloads``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.book_pages import built_pages, resolve, toc_entries, toc_files

DOWNLOAD_ROLE = re.compile(r"\{download\}`([^`]+)`")


class _Links(HTMLParser):
    """Every ``href`` and ``src`` in a page, with the tag and the classes it sits on."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, classes, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src"):
            url = values.get(name)
            if url:
                self.links.append((tag, values.get("class") or "", url))


def links_of(page: Path) -> list[tuple[str, str, str]]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def local_target(page: Path, url: str) -> Path | None:
    """The file a relative URL points at, or None for off-site, in-page and scheme links."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None  # https:, mailto:, data:, javascript:, //host, or "#fragment" alone
    target = (page.parent / unquote(parts.path)).resolve()
    return target / "index.html" if target.is_dir() else target


def test_every_file_in_the_toc_exists(root):
    entries = toc_entries(root)
    assert entries, "_toc.yml names no files"
    missing = [entry for entry in entries if resolve(root, entry) is None]
    assert not missing, "_toc.yml names files that do not exist:\n" + "\n".join(missing)


def test_every_relative_link_in_every_page_resolves(built_book):
    html = Path(str(built_book["html"])).resolve()
    broken = []
    for page in built_pages(html):
        for tag, _, url in links_of(page):
            target = local_target(page, url)
            if target is None:
                continue
            if not target.is_file():
                broken.append(f"{page.relative_to(html)}: <{tag}> {url}")
            elif html not in target.parents:
                broken.append(f"{page.relative_to(html)}: <{tag}> {url} leaves the built book")
    assert not broken, f"{len(broken)} links point at nothing:\n" + "\n".join(sorted(set(broken)))


def test_notebook_links_resolve(built_book, root):
    """Every link to a notebook resolves, and each notebook's page offers its own .ipynb to download."""
    html = Path(str(built_book["html"])).resolve()
    broken = []
    for page in built_pages(html):
        for _, _, url in links_of(page):
            target = local_target(page, url)
            if target is not None and target.suffix == ".ipynb" and not target.is_file():
                broken.append(f"{page.relative_to(html)}: {url}")
    for notebook in (path for path in toc_files(root) if path.suffix == ".ipynb"):
        page = html / notebook.relative_to(root).with_suffix(".html")
        if not page.is_file():
            broken.append(f"{notebook.relative_to(root)}: no built page")
            continue
        own = [
            url
            for _, _, url in links_of(page)
            if (target := local_target(page, url)) is not None and target.name == notebook.name and target.is_file()
        ]
        if not own:
            broken.append(f"{page.relative_to(html)}: no working link to download {notebook.name}")
    assert not broken, "notebook links that do not work:\n" + "\n".join(broken)


def test_download_links_resolve(built_book, root):
    """Every ``{download}`` role in a page's source becomes a link into ``_downloads`` that resolves."""
    html = Path(str(built_book["html"])).resolve()
    problems = []
    for source in toc_files(root):
        roles = DOWNLOAD_ROLE.findall(source.read_text(encoding="utf-8"))
        if not roles:
            continue
        page = html / source.relative_to(root).with_suffix(".html")
        if not page.is_file():
            problems.append(f"{source.relative_to(root)}: no built page {page.relative_to(html)}")
            continue
        downloads = [
            url for tag, classes, url in links_of(page) if "download" in classes.split() or "_downloads/" in url
        ]
        if len(downloads) < len(roles):
            problems.append(f"{page.relative_to(html)}: {len(roles)} download roles, {len(downloads)} download links")
        for url in downloads:
            target = local_target(page, url)
            if target is None or not target.is_file():
                problems.append(f"{page.relative_to(html)}: download {url} points at nothing")
    for page in built_pages(html):
        for _, _, url in links_of(page):
            if "_downloads/" in url and ((target := local_target(page, url)) is None or not target.is_file()):
                problems.append(f"{page.relative_to(html)}: {url}")
    assert not problems, "\n".join(sorted(set(problems)))
