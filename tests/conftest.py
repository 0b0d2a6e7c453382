"""Shared fixtures: the repository root and a built book (built once per session)."""

from __future__ import annotations

import concurrent.futures
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import pytest

from tests.chart_checks import DESKTOP

ROOT = Path(__file__).resolve().parent.parent
# EQUITYLENS_BUILD_DIR lets two checkouts (or two people) build without sharing _build.
OUTPUT = Path(os.environ.get("EQUITYLENS_BUILD_DIR", ROOT))
BUILD = OUTPUT / "_build" / "html"

os.environ.setdefault("EQUITYLENS_CHARTS", "static")

T = TypeVar("T")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built_book() -> dict[str, object]:
    """Build the book with warnings as errors; return the exit code, log and output folder.

    The build renders the notebooks' committed outputs, as ``make book`` does once every
    notebook is fresh: nbval re-runs every notebook in this suite and checks those outputs
    are what the code gives today, and ``tests/test_build.py`` checks every notebook is
    fresh, so running them here would only double the suite's time.

    Under ``pytest -n 2`` (``make test``) each worker asks for this fixture; a file lock
    lets the first build while the other waits, and then reads the first one's result,
    so the book is built once per run.
    """
    import fcntl
    import json

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")
    saved = OUTPUT / "_build" / "test-build.json"
    saved.parent.mkdir(parents=True, exist_ok=True)
    with open(OUTPUT / "_build" / "test-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if run and saved.exists():
            earlier = json.loads(saved.read_text(encoding="utf-8"))
            if earlier.get("run") == run:
                return {"returncode": earlier["returncode"], "log": earlier["log"], "html": BUILD}
        result = _build_book()
        if run:
            saved.write_text(json.dumps({"run": run, **result}), encoding="utf-8")
        return {**result, "html": BUILD}


def _build_book() -> dict[str, object]:
    from equitylens.book import build

    config_path = build.write_config(ROOT, OUTPUT / "_build")
    command = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(ROOT),
        "-W",
        "-n",
        "--keep-going",
        "--path-output",
        str(OUTPUT),
        "--config",
        str(config_path),
    ]
    env = {**os.environ, "EQUITYLENS_CHARTS": "static"}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=1800)
    return {"returncode": result.returncode, "log": result.stdout + result.stderr}


def outside_event_loop(function: Callable[..., T], *args: Any) -> T:
    """Run ``function(*args)`` in a thread of its own and return its result.

    Playwright's sync API refuses a thread whose asyncio loop is running, and under
    ``pytest -n 2`` another browser fixture of the same worker may hold one.
    """
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


CHROMIUM = Path("/usr/bin/chromium")


def _closed_port() -> int:
    """A loopback port nothing listens on (free a moment ago; nothing here serves on it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The browser tests cut the network in Chromium itself: every request for another host goes
# to a proxy on a closed loopback port and fails at once (Chromium never sends loopback to a
# proxy, and a fixed proxy has no fallback to a direct connection). Chromium does the blocking,
# so no request waits on Python; `record_off_machine` lists the requests that tried to leave.
PROXY_ERROR = "net::ERR_PROXY_CONNECTION_FAILED"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    f"--proxy-server=http://127.0.0.1:{_closed_port()}",
]
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
LOCAL_SCHEMES = frozenset({"data", "blob", "file", "about"})


def leaves_the_machine(url: str) -> bool:
    """Whether a request for ``url`` would go to another host (not loopback, data, blob or a file)."""
    parsed = urlparse(url)
    return parsed.scheme not in LOCAL_SCHEMES and parsed.hostname not in LOOPBACK


def record_off_machine(page: Any) -> list[str]:
    """Listen to every request and websocket of a Playwright page; return the list, filled as
    they happen, of the URLs that tried to leave the machine.

    Events arrive with the next call into Playwright: read the list after one.
    """
    off_machine: list[str] = []

    def on_attempt(attempt: Any) -> None:
        if leaves_the_machine(attempt.url):
            off_machine.append(attempt.url)

    page.on("request", on_attempt)
    page.on("websocket", on_attempt)
    return off_machine


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: needs Debian's chromium (skipped, with a message, without it)")
    config.addinivalue_line("markers", "book: needs the built book (added to every test that uses built_book)")
    config.addinivalue_line(
        "markers",
        "slow: end to end (a browser, a kernel, JupyterLab, otter, the CLI as a subprocess, every data file "
        "through frictionless): run by `make test`, left out of `make check` (browser tests get it too)",
    )


# The longest units of work for `make test`'s two workers (--dist loadscope with
# --no-loadscope-reorder: a module, or a class, runs on one worker), measured with
# `pytest --durations=0`. Handing them out first, one to each worker, keeps a long one
# from starting last while the other worker sits idle; the notebooks, many short units,
# fill in at the end. The first needs the built book (that worker builds it); the
# second does not, so the other worker starts at once instead of waiting for the build.
LONGEST_FIRST: tuple[str, ...] = (
    "tests/test_accessibility.py::TestFirstHalfOfThePages",
    "tests/test_lab_browser.py",
    "tests/test_accessibility.py::TestSecondHalfOfThePages",
    "tests/test_synth.py",
    "tests/test_instructor_kit.py",
    "tests/test_explorables_browser.py",
    "tests/test_book.py",
    "tests/test_room.py",
)


def _unit(item: pytest.Item) -> str:
    """The unit of work ``--dist loadscope`` gives one worker: the test's class, else its file."""
    parts = item.nodeid.split("::")
    return "::".join(parts[:2]) if len(parts) > 2 else parts[0]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that needs the built book, so ``make check`` can leave them out; longest units first."""
    for item in items:
        if "built_book" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.book)
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
    rank = {unit: index for index, unit in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(_unit(item), len(rank)))


@pytest.fixture(scope="session")
def browser_page(built_book):
    """A local static server for _build/html and a Chromium page that may not leave the machine.

    Yields ``(base_url, page)``; ``page.offsite_requests`` lists every request that tried.
    """
    if not CHROMIUM.exists():
        pytest.skip("browser tests skipped: Debian's chromium is not installed (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="browser tests skipped: playwright missing")
    import functools
    import http.server
    import threading

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(QuietHandler, directory=str(built_book["html"]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        offsite = record_off_machine(page)
        page.offsite_requests = offsite  # type: ignore[attr-defined]
        yield base, page
        browser.close()
    server.shutdown()
