"""Live forms (ipywidgets) for the explorables, for Jupyter, Binder and JupyterHub.

Each form shows the same chart as the book's static page (the same table and encoding,
from ``equitylens.explore.views`` and the chart modules in ``equitylens.viz``) with
ipywidgets controls linked to its parameters. Bad input shows a plain message instead of
a traceback. Every live form of the book's stages lives here; the facilitators' forms
are in ``equitylens.kit.forms``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt
import ipywidgets as w
import numpy as np
import pandas as pd

from equitylens.explore import scenarios, views
from equitylens.methods.policy import DEFAULT_POLICY
from equitylens.stages import planning
from equitylens.viz import charts, committee


class Explorer(w.VBox):  # type: ignore[misc]
    """Controls linked to the parameters of one live chart.

    The chart is Altair's ``JupyterChart`` (its JavaScript inlined, so it works
    offline), built from the same scenario table and the same encoding as the
    book's static chart; moving a control sets the chart's parameter and Vega
    redraws in the browser, with no recomputation in Python.
    """

    def __init__(self, chart: Any, controls: dict[str, w.ValueWidget], title: str):
        inline_chart_scripts()
        self.chart = alt.JupyterChart(chart)
        self.controls = controls
        self.message = w.HTML()
        for name, control in controls.items():
            if name not in self.chart.params.trait_names():
                raise ValueError(f"the chart has no parameter {name!r}")
            w.link((control, "value"), (self.chart.params, name))
        header = w.HTML(f"<strong>{title}</strong>")
        super().__init__([header, *controls.values(), self.message, self.chart])

    def choices(self) -> dict[str, Any]:
        """The current value of every control."""
        return {name: control.value for name, control in self.controls.items()}


def inline_chart_scripts() -> None:
    """Make live charts carry their JavaScript, so they draw with no internet (``make lab``).

    vl-convert bundles it, about 2 s once per kernel. The static mode (the book build,
    nbval) skips it: no browser runs these widgets then, since the book has no kernel
    and the notebooks keep no widget state.
    """
    if charts.mode() == "live":
        alt.JupyterChart.enable_offline(True)


def _guarded(build: Callable[[], Explorer]) -> Explorer | w.HTML:
    """Build a form; on bad input, return a message in place of a traceback."""
    try:
        return build()
    except ValueError as error:
        return w.HTML(f'<p role="alert" style="color:#a00">Cannot draw this explorable: {error}</p>')


def live_disaggregation(table: pd.DataFrame, *, outcome_label: str) -> Explorer | w.HTML:
    """The disaggregation explorer as a live form."""

    def build() -> Explorer:
        chart = views.disaggregation_chart(table, outcome_label=outcome_label, bind=False)
        values = {p["name"]: p["value"] for p in chart.to_dict()["params"]}
        controls = {
            "level": w.Dropdown(
                options=list(dict.fromkeys(table["level"])), value=values["level"], description="Level of detail"
            ),
            "rule": w.RadioButtons(
                options=list(dict.fromkeys(table["rule"])), value=values["rule"], description="Count 2+ groups"
            ),
        }
        return Explorer(chart, controls, "Choices that change conclusions: disaggregation")

    return _guarded(build)


def live_suppression(table: pd.DataFrame) -> Explorer | w.HTML:
    """The suppression explorer as a live form: a threshold slider and a method choice."""

    def build() -> Explorer:
        chart = views.suppression_chart(table, bind=False)
        thresholds = sorted(int(k) for k in table["threshold"].dropna().unique())
        controls = {
            "k": w.IntSlider(
                value=DEFAULT_POLICY.k if DEFAULT_POLICY.k in thresholds else thresholds[0],
                min=thresholds[0],
                max=thresholds[-1],
                description="Threshold",
            ),
            "method": w.RadioButtons(
                options=[(label, index) for index, label in enumerate(scenarios.METHODS)],
                value=1,
                description="Protection",
            ),
        }
        return Explorer(chart, controls, "Choices that change conclusions: suppression")

    return _guarded(build)


def live_comparison(table: pd.DataFrame) -> Explorer | w.HTML:
    """The comparison explorer as a live form: outcome, reference and measure."""

    def build() -> Explorer:
        chart = views.comparison_chart(table, bind=False)
        values = {p["name"]: p["value"] for p in chart.to_dict()["params"]}
        controls = {
            "outcome": w.Dropdown(
                options=list(dict.fromkeys(table["outcome"])), value=values["outcome"], description="Outcome"
            ),
            "reference": w.RadioButtons(
                options=list(dict.fromkeys(table["reference"])), value=values["reference"], description="Compared with"
            ),
            "measure": w.RadioButtons(
                options=list(dict.fromkeys(table["measure"])), value=values["measure"], description="Measure"
            ),
        }
        return Explorer(chart, controls, "Choices that change conclusions: comparison")

    return _guarded(build)


def live_committee(county: pd.DataFrame, *, system: str = "cw_reported", system_label: str) -> w.VBox:
    """A live form: three seat sliders, one per role, redraw the committee chart.

    The chart is Altair's ``JupyterChart`` (JavaScript inlined, works offline); a
    slider change rebuilds the small table and swaps the chart in place.
    """
    start = planning.PRESETS["A third from the community"]
    sliders = {role: w.IntSlider(value=start[role], min=0, max=12, description=role[:16]) for role in planning.ROLES}
    message = w.HTML()

    def build() -> Any:
        seats = {role: int(s.value) for role, s in sliders.items()}
        if sum(seats.values()) == 0:
            seats = {**seats, planning.COMMUNITY: 1}
            message.value = "<p role='alert'>A committee needs at least one seat; showing one community seat.</p>"
        else:
            message.value = ""
        bars, summary = planning.committee_scenarios(county, system=system, presets={"Your committee": seats})
        return committee.committee_chart(bars, summary, system_label=system_label, bind=False)

    inline_chart_scripts()
    view = alt.JupyterChart(build())

    def redraw(_: Any = None) -> None:
        view.chart = build()

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    return w.VBox([w.HTML("<strong>Build your own committee</strong>"), *sliders.values(), message, view])


def live_threshold(sweep: pd.DataFrame) -> Explorer | w.HTML:
    """The threshold chart as a live form (ipywidgets slider), for Jupyter."""
    # Imported here: it brings fairlearn and scikit-learn (a second to import), which the other forms never need.
    from equitylens.viz import algorithms

    def build() -> Explorer:
        chart = algorithms.threshold_chart(sweep, bind=False)
        points, _ = algorithms.sweep_points(sweep)
        percents = sorted(int(p) for p in points["percent"].unique())
        step = int(np.diff(percents).min()) if len(percents) > 1 else 1
        value = next(p["value"] for p in chart.to_dict()["params"] if p["name"] == "percent")
        slider = w.IntSlider(value=value, min=percents[0], max=percents[-1], step=step, description="Flagged (%)")
        return Explorer(chart, {"percent": slider}, "Move the cut-off")

    return _guarded(build)
