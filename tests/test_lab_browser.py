"""The trainer's path: JupyterLab on loopback, the lab notebook, run all, move every control.

Starts JupyterLab on 127.0.0.1 (random port and token) with a temporary copy of the kit's
offline settings (the same as ``make lab``: no news pop-up, no extension manager), opens a
temporary copy of ``book/labs/choices.ipynb`` in headless chromium, runs every cell with
live charts, changes each live control and waits for its chart to redraw, checks that no
Markdown cell shows an unrendered role, and fails on any request that leaves loopback.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from equitylens.book import numbers
from equitylens.book.eval_role import plain_text
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS, ROOT, outside_event_loop, record_off_machine

pytestmark = pytest.mark.browser

NOTEBOOK = ROOT / "book" / "labs" / "choices.ipynb"
# The same plugins `make lab` disables and locks.
OFFLINE = ("@jupyterlab/apputils-extension:announcements", "@jupyterlab/extensionmanager-extension")
STARTUP_SECONDS = 60
RUN_ALL_MS = 120_000
REDRAW_MS = 15_000
# Check a waited-for condition every POLL_MS rather than on every animation frame: polling per
# frame makes the browser draw frames all the time, which takes CPU from the kernel it waits on.
POLL_MS = 100

CONTROLS = ".widget-slider, .widget-dropdown, .widget-radio, .widget-toggle-buttons"
# A fingerprint of what every live chart in one output area shows (SVG markup or canvas pixels).
CHART_PRINT = """(area) => Array.from(area.querySelectorAll('.vega-embed svg, .vega-embed canvas'))
    .map(el => el.tagName === 'CANVAS' ? el.toDataURL() : el.outerHTML).join('|')"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    if not CHROMIUM.exists():
        pytest.skip("browser tests skipped: Debian's chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="browser tests skipped: playwright missing")
    home = tmp_path_factory.mktemp("lab")
    work = home / "work" / "labs"
    work.mkdir(parents=True)
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)
    config = home / "config"
    (config / "labconfig").mkdir(parents=True)
    page_config = {
        "disabledExtensions": dict.fromkeys(OFFLINE, True),
        "lockedExtensions": dict.fromkeys(OFFLINE, True),
        "exposeAppInBrowser": True,
    }
    (config / "labconfig" / "page_config.json").write_text(json.dumps(page_config), encoding="utf-8")
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "EQUITYLENS_CHARTS": "live",
        "PYTHONPATH": str(ROOT),
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={home / 'work'}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start: {(home / 'lab.log').read_text()[-2000:]}")
                time.sleep(0.2)
        yield f"{base}/lab/tree/labs/{NOTEBOOK.name}?token={token}", home
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _change(control, page) -> str:
    """Change one ipywidgets control the way a person would; return what was changed."""
    classes = control.get_attribute("class") or ""
    if "widget-dropdown" in classes:
        select = control.locator("select")
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.options[s.selectedIndex].text")
        target = next(option for option in options if option != current)
        select.select_option(label=target)
        return f"dropdown → {target}"
    if "widget-radio" in classes:
        radio = control.locator("input[type=radio]:not(:checked)").first
        radio.check()
        return f"radio → {radio.evaluate('r => r.value')}"
    if "widget-toggle-buttons" in classes:
        button = control.locator("button:not(.mod-active)").first
        button.click()
        return "toggle button"
    handle = control.locator(".noUi-handle").first
    handle.focus()
    # To the far end (or the near one, when already there): a change large enough to show.
    at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
    page.keyboard.press("Home" if at_max else "End")
    return f"slider → {handle.get_attribute('aria-valuenow')}"


def test_trainer_runs_the_lab_and_every_control_redraws_its_chart(lab):
    outside_event_loop(_trainer_path, lab)


def _trainer_path(lab: tuple[str, Path]) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    url, _ = lab
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert any(numbers.expressions(cell.source) for cell in notebook.cells), "the lab shows no computed numbers"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            off_machine = record_off_machine(page)
            page.goto(url)
            page.wait_for_selector(".jp-Notebook .jp-MarkdownCell", timeout=STARTUP_SECONDS * 1000)
            page.wait_for_function(
                "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                " && window.jupyterapp.shell.currentWidget.sessionContext"
                " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
                timeout=STARTUP_SECONDS * 1000,
                polling=POLL_MS,
            )
            page.evaluate(
                """async () => {
                    const panel = window.jupyterapp.shell.currentWidget;
                    await panel.sessionContext.ready;
                    await window.jupyterapp.commands.execute('notebook:run-all-cells');
                }"""
            )
            # Every code cell has run (a number in its prompt) and the kernel is idle.
            page.wait_for_function(
                """() => {
                    const panel = window.jupyterapp.shell.currentWidget;
                    const cells = panel.content.widgets.filter(c => c.model.type === 'code');
                    return panel.sessionContext.session.kernel.status === 'idle'
                        && cells.every(c => c.model.executionCount !== null);
                }""",
                timeout=RUN_ALL_MS,
                polling=POLL_MS,
            )
            tracebacks = page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']")
            assert tracebacks.count() == 0, "a cell raised in JupyterLab"

            # Prose: every role rendered, and each {eval} shows the number the book shows.
            # (jupyterlab-myst renders an unknown role such as {glue:text} as its bare key, so the
            # check compares the shown text with the stored results, not just for raw braces.)
            cells = page.locator(".jp-Notebook .jp-Cell")
            assert cells.count() == len(notebook.cells)
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "markdown":
                    continue
                shown = cells.nth(index)
                shown.scroll_into_view_if_needed()
                text = shown.locator(".myst, .jp-RenderedMarkdown").first.inner_text()
                for raw in ("{glue", "{eval}", "{cite", "{doc}"):
                    assert raw not in text, f"Markdown cell {index} shows an unrendered role: {text[:200]!r}"
                for expression, stored in numbers.stored_results(cell.metadata).items():
                    assert stored is not None and plain_text(stored) in " ".join(text.split()), (
                        f"Markdown cell {index}: {{eval}}`{expression}` does not show {stored!r} in JupyterLab"
                    )

            # Every live form: change each control and wait until its chart redraws.
            forms = page.locator(f".jp-OutputArea-output:has(.vega-embed):has({CONTROLS})")
            assert forms.count() >= 4, f"expected the lab's four live forms, found {forms.count()}"
            changed = []
            for index in range(forms.count()):
                form = forms.nth(index)
                form.scroll_into_view_if_needed()
                page.wait_for_function(
                    f"(area) => ({CHART_PRINT})(area).length > 0",
                    arg=form.element_handle(),
                    timeout=REDRAW_MS,
                    polling=POLL_MS,
                )
                controls = form.locator(CONTROLS)
                assert controls.count() > 0
                for number in range(controls.count()):
                    before = form.evaluate(CHART_PRINT)
                    what = _change(controls.nth(number), page)
                    try:
                        page.wait_for_function(
                            f"([area, before]) => ({CHART_PRINT})(area) !== before",
                            arg=[form.element_handle(), before],
                            timeout=REDRAW_MS,
                            polling=POLL_MS,
                        )
                    except PlaywrightTimeout:
                        pytest.fail(f"form {index}: the chart did not redraw after {what}")
                    changed.append(f"form {index}: {what}")
            assert len(changed) >= forms.count()
        finally:
            browser.close()
    assert not off_machine, f"requests left the machine: {off_machine[:5]}"
