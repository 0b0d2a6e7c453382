"""Time data generation and the explorables; print a table. Never asserted in tests.

    python benchmarks/explorables.py [--browser]

* generation: ``synth.generate()`` for the default 200,000 people;
* scenario tables: building each explorable's table from the county (the
  "recompute" a live form would need if it did not read a precomputed table);
* live update: setting one control of each live form, median of 50 (the form only
  sets a chart parameter; the chart redraws in the browser);
* browser update: with ``--browser``, Vega's redraw after a parameter change on
  the built lab page in headless Chromium, median of 50;
* ratio: each figure divided by a bare pandas ``groupby(...).mean()`` on the same
  200,000 rows, for scale.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from equitylens.data import load, synth  # noqa: E402
from equitylens.explore import forms, scenarios  # noqa: E402
from equitylens.explore import noise as explore_noise  # noqa: E402


def median_seconds(action: Callable[[], object], repeat: int = 50) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def browser_updates(repeat: int = 50) -> dict[str, float]:
    """Median Vega redraw time per explorable on the built lab page, in milliseconds."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    html = ROOT / "_build" / "html"
    if not (html / "book" / "labs" / "choices.html").exists():
        raise SystemExit("build the book first: make book")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    moves = {
        "disaggregation": ("level", ["Race and ethnicity", "Race \u00d7 gender", "+ neighbourhood"]),
        "suppression": ("k", [5, 11, 20]),
        "comparison": ("reference", list(scenarios.REFERENCE_CHOICES.values())),
        "noise": ("epsilon", [0.1, 1.0, 10.0]),
    }
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/book/labs/choices.html", wait_until="networkidle")
        page.wait_for_function(f"window.equitylensViews && Object.keys(window.equitylensViews).length >= {len(moves)}")
        for index, (name, (signal, values)) in enumerate(moves.items()):
            timings = page.evaluate(
                """async ([index, signal, values, repeat]) => {
                    const view = Object.values(window.equitylensViews)[index];
                    const out = [];
                    for (let i = 0; i < repeat; i++) {
                        const start = performance.now();
                        await view.signal(signal, values[i % values.length]).runAsync();
                        out.push(performance.now() - start);
                    }
                    return out;
                }""",
                [index, signal, values, repeat],
            )
            results[name] = statistics.median(timings)
        browser.close()
    server.shutdown()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--browser", action="store_true", help="also time Vega redraws in headless Chromium")
    args = parser.parse_args()

    rows: list[tuple[str, float]] = []
    start = time.perf_counter()
    synth.generate()
    rows.append(("generate the county (200,000 people)", time.perf_counter() - start))

    county = load.county()
    youth = load.child_welfare_youth()
    baseline = median_seconds(lambda: county.groupby("race_ethnicity", observed=True)["cw_reported"].mean())
    rows.append(("bare pandas groupby(...).mean(), median of 50", baseline))

    builders = {
        "disaggregation": lambda: scenarios.disaggregation(youth, outcome="placed"),
        "suppression": lambda: scenarios.suppression(scenarios.service_counts(county)),
        "comparison": lambda: scenarios.comparison(county),
        "noise": lambda: explore_noise.scenario_table(
            scenarios.service_counts(county), population=explore_noise.group_sizes(county)
        ),
    }
    tables = {}
    for name, build in builders.items():
        start = time.perf_counter()
        tables[name] = build()
        rows.append((f"scenario table: {name}", time.perf_counter() - start))

    live_forms = {
        "disaggregation": (forms.live_disaggregation(tables["disaggregation"], outcome_label="Placed"), "level"),
        "suppression": (forms.live_suppression(tables["suppression"]), "k"),
        "comparison": (forms.live_comparison(tables["comparison"]), "reference"),
        "noise": (explore_noise.live_form(tables["noise"]), "epsilon"),
    }
    for name, (form, control_name) in live_forms.items():
        control = form.controls[control_name]
        options = list(getattr(control, "options", [])) or list(range(control.min, control.max + 1))
        values = [o[1] if isinstance(o, tuple) else o for o in options]
        counter = iter(range(10**6))

        def move(control=control, values=values, counter=counter) -> None:
            control.value = values[next(counter) % len(values)]

        rows.append((f"live update: {name}, median of 50", median_seconds(move)))

    if args.browser:
        for name, milliseconds in browser_updates().items():
            rows.append((f"browser (Vega) update: {name}, median of 50", milliseconds / 1000))

    width = max(len(label) for label, _ in rows)
    print(f"{'measure'.ljust(width)}  {'ms':>10}  {'x groupby':>10}")
    for label, seconds in rows:
        print(f"{label.ljust(width)}  {seconds * 1000:10.2f}  {seconds / baseline:10.1f}")


if __name__ == "__main__":
    main()
