"""Charts for the governance pages: how far each project's queries drift from its approval."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from equitylens.methods.validation import check_table
from equitylens.viz import charts


def drift_lines(table: pd.DataFrame, *, title: str, description: str, subtitle: str | None = None) -> Any:
    """One line per project: the share of its queries each month that go beyond its approval.

    ``table`` is :func:`equitylens.stages.use_audit.monthly`: ``project``, ``month``,
    ``share_outside``. Lines differ by colour and by dash, so they do not rely on colour.
    """
    check_table(table, ["project", "month", "share_outside"], "table")
    order = charts._order(table, "project")
    dashes = [[1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [4, 4], [10, 4], [3, 6], [1, 4]]
    chart = (
        alt.Chart(table)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6)),
            y=alt.Y(
                "share_outside:Q",
                title="Share of queries beyond the approval",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color("project:N", sort=order, title="Project", legend=alt.Legend(orient="top", columns=2)),
            strokeDash=alt.StrokeDash(
                "project:N", sort=order, legend=None, scale=alt.Scale(domain=order, range=dashes[: len(order)])
            ),
            tooltip=[
                alt.Tooltip("project:N", title="Project"),
                alt.Tooltip("month:T", title="Month", format="%B %Y"),
                alt.Tooltip("share_outside:Q", title="Beyond the approval", format=".0%"),
            ],
        )
        .properties(width=420, height=240)
    )
    return charts.finish(chart, title=title, description=description, subtitle=subtitle)
