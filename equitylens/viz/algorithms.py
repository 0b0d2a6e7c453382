"""Stage 4 charts: the fairness audit's dot plot and the threshold slider.

Both draw summary tables from :mod:`equitylens.stages.fairness`, never person rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from equitylens.methods.validation import check_table
from equitylens.stages import fairness
from equitylens.viz import charts


def audit_chart(
    table: pd.DataFrame,
    *,
    group: str = "race_ethnicity",
    title: str,
    description: str,
    subtitle: str | Sequence[str] | None = None,
) -> Any:
    """One panel per metric: a dot per group with its bootstrap interval.

    ``table`` is :func:`equitylens.stages.fairness.fairness_audit` output for one ``by`` column (use a combined
    label column for race by gender). Suppressed rows are left out of the chart.
    """
    check_table(table, [group, "metric_label", "value", "lower", "upper"])
    shown = table.dropna(subset=["value"])[[group, "metric_label", "value", "lower", "upper"]]
    order = list(dict.fromkeys(table[group]))
    y = alt.Y(f"{group}:N", sort=order, title=None)
    base = alt.Chart().encode(y=y)
    dots = base.mark_circle(size=70, color=charts.NEUTRAL).encode(
        x=alt.X("value:Q", title="Share", axis=alt.Axis(format="%")),
        tooltip=[
            alt.Tooltip(f"{group}:N", title="Group"),
            alt.Tooltip("metric_label:N", title="Measure"),
            alt.Tooltip("value:Q", title="Value", format=".1%"),
            alt.Tooltip("lower:Q", title="95% interval from", format=".1%"),
            alt.Tooltip("upper:Q", title="95% interval to", format=".1%"),
        ],
    )
    whiskers = base.mark_rule(color="#000").encode(x="lower:Q", x2="upper:Q")
    chart = (
        alt.layer(dots, whiskers, data=shown)
        .properties(width=150, height=alt.Step(18))
        .facet(column=alt.Column("metric_label:N", sort=list(fairness.METRICS.values()), title=None))
        .resolve_scale(x="independent")
    )
    return charts.finish(chart, title=title, description=description, subtitle=subtitle)


def sweep_points(sweep: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The threshold chart's two small tables: each group's values, and the gaps, by per cent flagged."""
    check_table(sweep, ["share", "metric_label", "value"], "sweep")
    group = fairness.group_column(sweep)
    points = sweep.dropna(subset=["value"]).assign(percent=lambda t: (t["share"] * 100).round().astype(int))
    points = points[["percent", group, "metric_label", "value"]].rename(columns={group: "group"})
    gaps = fairness.sweep_gaps(sweep).assign(percent=lambda t: (t["share"] * 100).round().astype(int))
    return points, gaps[["percent", "metric_label", "gap", "highest", "lowest"]]


def threshold_chart(sweep: pd.DataFrame, *, bind: bool = True, value: int = 10) -> Any:
    """The threshold slider: move the cut-off and watch every error-rate gap move.

    Top: the gap between the highest and lowest group on each measure, for every
    share flagged, with a rule at the chosen share. Bottom: each group's value on each
    measure at the chosen share. One parameter, ``percent`` (share of children flagged,
    in per cent), is bound to a slider in the page or driven by the live form.
    """
    points, gaps = sweep_points(sweep)
    percents = sorted(points["percent"].unique())
    if value not in percents:
        value = int(percents[len(percents) // 2])
    step = int(np.diff(percents).min()) if len(percents) > 1 else 1
    if bind:
        binding = alt.binding_range(
            min=int(percents[0]), max=int(percents[-1]), step=step, name="Share of children flagged (%): "
        )
        percent = alt.param(name="percent", value=value, bind=binding)
    else:
        percent = alt.param(name="percent", value=value)
    metric_order = list(fairness.METRICS.values())
    colour = alt.Color("metric_label:N", sort=metric_order, title=None, legend=alt.Legend(orient="top", columns=2))
    lines = (
        alt.Chart(gaps)
        .mark_line(point=True)
        .encode(
            x=alt.X("percent:Q", title="Share of children flagged (%)"),
            y=alt.Y("gap:Q", title="Gap, highest minus lowest group", axis=alt.Axis(format="%")),
            color=colour,
            strokeDash=alt.StrokeDash("metric_label:N", sort=metric_order, legend=None),
            tooltip=[
                alt.Tooltip("percent:Q", title="Flagged (%)"),
                alt.Tooltip("metric_label:N", title="Measure"),
                alt.Tooltip("gap:Q", title="Gap", format=".1%"),
                alt.Tooltip("highest:N", title="Highest"),
                alt.Tooltip("lowest:N", title="Lowest"),
            ],
        )
    )
    rule = (
        alt.Chart(gaps)
        .mark_rule(color="#000", strokeDash=[4, 3])
        .encode(x="p:Q")
        .transform_calculate(p=percent.name)
        .transform_aggregate(p="max(p)")
    )
    top = alt.layer(lines, rule).properties(width=520, height=200)
    order = list(dict.fromkeys(points["group"]))
    bottom = (
        alt.Chart(points)
        .transform_filter(alt.datum.percent == percent)
        .mark_circle(size=70)
        .encode(
            x=alt.X("value:Q", title="Share", axis=alt.Axis(format="%")),
            y=alt.Y("group:N", sort=order, title=None),
            color=alt.Color("metric_label:N", sort=metric_order, legend=None),
            column=alt.Column("metric_label:N", sort=metric_order, title=None),
            tooltip=[
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("metric_label:N", title="Measure"),
                alt.Tooltip("value:Q", title="Value", format=".1%"),
            ],
        )
        .properties(width=120, height=alt.Step(16))
        .resolve_scale(x="independent")
    )
    chart = alt.vconcat(top, bottom, spacing=16).add_params(percent)
    return charts.finish(
        chart,
        title="Move the cut-off: the gaps move, and they never all close",
        description=(
            "Line chart of the gap between the highest and lowest group on four measures (share flagged, false "
            "positive rate, false negative rate, precision) for each share of children flagged, above dot plots of "
            "each group's value on each measure at the chosen share."
        ),
        subtitle=[
            "Held-out children in the audit sample. Groups too small to publish are left out.",
            "Use the slider under the chart to change the share of children flagged.",
        ],
    )
