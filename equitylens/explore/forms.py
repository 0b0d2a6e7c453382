"""Live forms (ipywidgets) for the explorables, for Jupyter, Binder and JupyterHub.

Each form shows the chart from ``equitylens.viz.explorables`` (the same table and
encoding as the book's static chart) with ipywidgets controls linked to its
parameters. Bad input shows a plain message instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt
import ipywidgets as w
import pandas as pd

from equitylens.explore import scenarios
from equitylens.methods.policy import DEFAULT_POLICY
from equitylens.viz import explorables


class Explorer(w.VBox):  # type: ignore[misc]
    """Controls linked to the parameters of one live chart.

    The chart is Altair's ``JupyterChart`` (its JavaScript inlined, so it works
    offline), built from the same scenario table and the same encoding as the
    book's static chart; moving a control sets the chart's parameter and Vega
    redraws in the browser, with no recomputation in Python.
    """

    def __init__(self, chart: Any, controls: dict[str, w.ValueWidget], title: str):
        alt.JupyterChart.enable_offline(True)
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


def _guarded(build: Callable[[], Explorer]) -> Explorer | w.HTML:
    """Build a form; on bad input, return a message in place of a traceback."""
    try:
        return build()
    except ValueError as error:
        return w.HTML(f'<p role="alert" style="color:#a00">Cannot draw this explorable: {error}</p>')


def live_disaggregation(table: pd.DataFrame, *, outcome_label: str) -> Explorer | w.HTML:
    """The disaggregation explorer as a live form."""

    def build() -> Explorer:
        chart = explorables.disaggregation_chart(table, outcome_label=outcome_label, bind=False)
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
        chart = explorables.suppression_chart(table, bind=False)
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
        chart = explorables.comparison_chart(table, bind=False)
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
