"""Charts for the explorables, built once for two uses.

Each builder takes a scenario table (``equitylens.explore.scenarios``) and the learner's
choices. With choices left as ``None`` it returns the **static** form: Altair
parameters bound to dropdowns, radio buttons and sliders, so Vega filters the
same table in the page with no kernel. With choices given it returns the chart
for that one combination, which the **live** widget shows. Same table, same
encoding: the two forms cannot disagree.
"""

from __future__ import annotations

from typing import Any, Final

import altair as alt
import pandas as pd

from equitylens.data import groups
from equitylens.explore import scenarios
from equitylens.methods import disaggregate
from equitylens.methods.policy import DEFAULT_POLICY
from equitylens.methods.validation import check_table
from equitylens.viz import charts

GROUP_ORDER: Final[list[str]] = [scenarios.ALL_GROUPS, *disaggregate.RACE_ETHNICITY_ORDER]
STATUS_COLOURS: Final[dict[str, str]] = {
    scenarios.STATUS_RELIABLE: charts.PALETTE[0],
    scenarios.STATUS_UNRELIABLE: charts.PALETTE[1],
    scenarios.STATUS_SUPPRESSED: "#767676",
}


def _param(
    name: str, options: list[Any], value: Any, label: str, *, bind: bool, kind: str = "select", **extra: Any
) -> Any:
    """A named chart parameter, bound to a page control when ``bind`` is true."""
    if not bind:
        return alt.param(name=name, value=value)
    binding: Any
    if kind == "radio":
        binding = alt.binding_radio(options=options, name=label)
    elif kind == "range":
        binding = alt.binding_range(name=label, **extra)
    else:
        binding = alt.binding_select(options=options, name=label)
    return alt.param(name=name, value=value, bind=binding)


# --- 1. disaggregation ----------------------------------------------------------------


def disaggregation_views(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Split a disaggregation scenario table into what the chart draws: the visible
    cells, the count of suppressed cells per group, and a one-line summary per choice."""
    visible = table[table["status"] != scenarios.STATUS_SUPPRESSED]
    hidden = (
        table[table["status"] == scenarios.STATUS_SUPPRESSED]
        .groupby(["rule", "level", "race_ethnicity"], sort=False)
        .size()
        .rename("suppressed")
        .reset_index()
    )
    summary = scenarios.disaggregation_summary(table)
    summary["text"] = summary.apply(_summary_sentence, axis=1)
    columns = [
        "rule",
        "level",
        "race_ethnicity",
        "cell",
        "numerator",
        "denominator",
        "rate",
        "lower",
        "upper",
        "status",
    ]
    return visible[columns], hidden, summary[["rule", "level", "text"]]


def _summary_sentence(row: pd.Series) -> str:
    reliable = row["cells"] - row["unreliable"] - row["suppressed"]
    gap = "" if pd.isna(row["widest_gap"]) else f"; widest gap between reliable cells: {row['widest_gap']:.1f} times"
    return (
        f"{row['cells']} cells: {reliable} reliable, {row['unreliable']} unreliable, "
        f"{row['suppressed']} suppressed{gap}."
    )


def disaggregation_chart(table: pd.DataFrame, *, outcome_label: str, bind: bool = True) -> Any:
    """The disaggregation explorer: each dot is one cell of the chosen level.

    Two parameters, ``level`` (level of detail) and ``rule`` (how people who chose
    two or more groups are counted), filter the table in the page. With ``bind``
    they get a dropdown and radio buttons in the page; without, the live form's
    ipywidgets drive them.
    """
    check_table(table, ["rule", "level", "race_ethnicity", "status", "rate"], "table")
    visible, hidden, summary = disaggregation_views(table)
    levels = list(dict.fromkeys(summary["level"]))
    rules = list(dict.fromkeys(summary["rule"]))
    present = set(visible["race_ethnicity"]) | set(hidden["race_ethnicity"])
    order = [g for g in GROUP_ORDER if g in present]
    level_param = _param("level", levels, levels[1], "Level of detail: ", bind=bind)
    rule_param = _param("rule", rules, rules[0], "Count people who chose 2+ groups: ", bind=bind, kind="radio")
    params = [level_param, rule_param]
    chosen = (alt.datum.level == level_param) & (alt.datum.rule == rule_param)

    y = alt.Y("race_ethnicity:N", sort=order, title=None, scale=alt.Scale(domain=order))
    status_scale = alt.Scale(domain=list(STATUS_COLOURS)[:2], range=list(STATUS_COLOURS.values())[:2])
    base = alt.Chart(visible).transform_filter(chosen)
    dots = base.mark_point(filled=True, size=60, opacity=0.85).encode(
        y=y,
        x=alt.X("rate:Q", title=outcome_label, axis=alt.Axis(format="%")),
        color=alt.Color(
            "status:N", scale=status_scale, title="Cell", legend=alt.Legend(orient="bottom", direction="vertical")
        ),
        shape=alt.Shape(
            "status:N", scale=alt.Scale(domain=list(STATUS_COLOURS)[:2], range=["circle", "triangle"]), legend=None
        ),
        tooltip=[
            alt.Tooltip("race_ethnicity:N", title="Race and ethnicity"),
            alt.Tooltip("cell:N", title="Also split by"),
            alt.Tooltip("numerator:Q", title="Events", format=","),
            alt.Tooltip("denominator:Q", title="People", format=","),
            alt.Tooltip("rate:Q", title="Rate", format=".1%"),
            alt.Tooltip("status:N", title="Cell"),
        ],
    )
    intervals = (
        base.transform_filter(alt.datum.status == scenarios.STATUS_RELIABLE)
        .mark_rule(color=charts.PALETTE[0], opacity=0.5)
        .encode(y=y, x="lower:Q", x2="upper:Q")
    )
    left = alt.layer(intervals, dots).properties(width=300, height=alt.Step(26))
    right = (
        alt.Chart(hidden)
        .transform_filter(chosen)
        .mark_bar(color=STATUS_COLOURS[scenarios.STATUS_SUPPRESSED])
        .encode(
            y=alt.Y("race_ethnicity:N", sort=order, title=None, scale=alt.Scale(domain=order), axis=None),
            x=alt.X("suppressed:Q", title="Cells suppressed"),
            tooltip=[
                alt.Tooltip("race_ethnicity:N", title="Race and ethnicity"),
                alt.Tooltip("suppressed:Q", title="Cells suppressed"),
            ],
        )
        .properties(width=120, height=alt.Step(26))
    )
    note = (
        alt.Chart(summary)
        .transform_filter(chosen)
        .mark_text(align="left", fontSize=13, fontWeight="bold")
        .encode(text="text:N", x=alt.value(0), y=alt.value(8))
        .properties(width=440, height=16)
    )
    chart = alt.vconcat(note, alt.hconcat(left, right, spacing=8), spacing=6).add_params(*params)
    return charts.finish(
        chart,
        title=f"The finer you cut, the more you see, and the more you must hide: {outcome_label.lower()}",
        description=(
            "Dot plot of the chosen level's cells by race and ethnicity, with a bar for each group's "
            "count of suppressed cells; a summary line counts reliable, unreliable and suppressed cells."
        ),
        subtitle=(
            "Each dot is one cell. Orange triangles are unreliable (under "
            f"{DEFAULT_POLICY.min_numerator} events or RSE over {DEFAULT_POLICY.max_rse:.0%}); "
            f"suppressed cells (fewer than {DEFAULT_POLICY.k}) are counted at right, not drawn."
        ),
    )


# --- 2. suppression -------------------------------------------------------------------

STATE_COLOURS: Final[dict[str, str]] = {
    scenarios.CELL_PUBLISHED: "#f2f2f2",
    scenarios.CELL_SMALL_SHOWN: charts.PALETTE[5],
    scenarios.CELL_ROUNDED: "#cfe6f5",
    scenarios.CELL_PROTECTED: charts.PALETTE[2],
    scenarios.CELL_NARROWED: charts.PALETTE[1],
    scenarios.CELL_RECOVERED: charts.PALETTE[3],
}
_DARK_STATES: Final = [scenarios.CELL_SMALL_SHOWN, scenarios.CELL_PROTECTED, scenarios.CELL_RECOVERED]


def suppression_views(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The grid cells (short labels, the text a reader sees, state) and one summary
    line per threshold and method."""
    check_table(table, ["threshold", "method", "race_ethnicity", "service", "shown", "state"], "table")
    grid = table.copy()
    grid["group"] = grid["race_ethnicity"].replace(groups.RACE_SHORT)
    grid["text"] = grid["shown"].astype(str)
    recovered = grid["state"] == scenarios.CELL_RECOVERED
    narrowed = grid["state"] == scenarios.CELL_NARROWED
    grid.loc[grid["state"] == scenarios.CELL_PROTECTED, "text"] = "hidden"
    grid.loc[narrowed, "text"] = grid.loc[narrowed].apply(lambda r: f"{r['lower']:.0f}-{r['upper']:.0f}", axis=1)
    grid.loc[recovered, "text"] = grid.loc[recovered, "lower"].map(lambda v: f"= {v:.0f}")
    grid["m"] = grid["method"].map({m: i for i, m in enumerate(scenarios.METHODS)})
    # Thresholds as nullable integers: "no threshold" becomes null, not NaN, in the page's JSON.
    grid = grid.rename(columns={"threshold": "k"})[["k", "m", "group", "service", "text", "state"]]
    grid["k"] = grid["k"].astype("Int64")
    summary = scenarios.suppression_summary(table)
    summary["text"] = summary.apply(_suppression_sentence, axis=1)
    summary["m"] = summary["method"].map({m: i for i, m in enumerate(scenarios.METHODS)})
    summary = summary.rename(columns={"threshold": "k"})[["k", "m", "text"]]
    summary["k"] = summary["k"].astype("Int64")
    return grid, summary


def _short(names: list[str]) -> str:
    return ", ".join(groups.RACE_SHORT.get(n, n) for n in names)


def _suppression_sentence(row: pd.Series) -> str:
    if row["method"] == scenarios.METHODS[0]:
        return f"{row['small_shown']} cells under {DEFAULT_POLICY.k} are printed as they are: anyone can read them."
    if row["method"] == scenarios.METHODS[3]:
        return (
            "No cell is hidden and no small count is exact; totals are rounded on their own, so cells need not add up."
        )
    parts = []
    if row["hidden"]:
        parts.append(f"{row['hidden']} cells hidden")
        if row["recovered"]:
            parts.append(f"the attack recovers {row['recovered']} exactly")
        if row["narrowed"]:
            parts.append(f"and narrows {row['narrowed']} below the threshold")
        if not row["recovered"] and not row["narrowed"]:
            parts.append("the attack cannot pin any down")
        parts.append(f"groups losing cells: {_short(row['groups_losing_cells'])}")
    if row["combined"]:
        parts.append(f"combined into one row: {_short(row['combined'])}")
    return ("; ".join(parts) or "Nothing needs hiding at this threshold") + "."


def suppression_chart(table: pd.DataFrame, *, bind: bool = True) -> Any:
    """The suppression explorer: a published table of counts by group and service.

    Parameters ``k`` (the threshold, a slider from the table's smallest to largest
    threshold) and ``method`` (radio buttons) pick which version of the table shows.
    Totals are always published; for hidden cells the text shows what the attacker
    learns from the totals.
    """
    grid, summary = suppression_views(table)
    thresholds = sorted(int(k) for k in grid["k"].dropna().unique())
    if not thresholds:
        raise ValueError("table has no thresholds: build it with scenarios.suppression")
    default_k = DEFAULT_POLICY.k if DEFAULT_POLICY.k in thresholds else thresholds[0]
    k = _param(
        "k",
        thresholds,
        default_k,
        "Threshold (smallest count you may publish): ",
        bind=bind,
        kind="range",
        min=thresholds[0],
        max=thresholds[-1],
        step=1,
    )
    methods = list(range(len(scenarios.METHODS)))
    if bind:
        method = alt.param(
            name="method",
            value=1,
            bind=alt.binding_radio(options=methods, labels=list(scenarios.METHODS), name="Protection: "),
        )
    else:
        method = alt.param(name="method", value=1)
    chosen = (alt.datum.m == method) & (alt.expr.isValid(alt.datum.k) == False) | (  # noqa: E712
        (alt.datum.m == method) & (alt.datum.k == k)
    )
    present_groups = list(dict.fromkeys(grid["group"]))
    total = scenarios.TOTAL
    rows = [g for g in present_groups if g != total] + [total]
    services = [s for s in dict.fromkeys(grid["service"]) if s != total] + [total]
    base = (
        alt.Chart(grid)
        .transform_filter(chosen)
        .encode(
            x=alt.X("service:N", sort=services, title=None, axis=alt.Axis(orient="top", labelAngle=0)),
            y=alt.Y("group:N", sort=rows, title=None),
        )
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "state:N",
            title="Cell",
            scale=alt.Scale(domain=list(STATE_COLOURS), range=list(STATE_COLOURS.values())),
            legend=alt.Legend(orient="bottom", columns=2),
        ),
        tooltip=[
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip("service:N", title="Service"),
            alt.Tooltip("text:N", title="Shows"),
            alt.Tooltip("state:N", title="Cell"),
        ],
    )
    labels = base.mark_text(fontSize=12).encode(
        text="text:N",
        color=alt.condition(
            alt.FieldOneOfPredicate(field="state", oneOf=_DARK_STATES), alt.value("white"), alt.value("black")
        ),
    )
    grid_chart = alt.layer(cells, labels).properties(width=alt.Step(92), height=alt.Step(26))
    note = (
        alt.Chart(summary)
        .transform_filter(chosen)
        .mark_text(align="left", fontSize=13, fontWeight="bold", limit=640)
        .encode(text="text:N", x=alt.value(0), y=alt.value(8))
        .properties(width=560, height=16)
    )
    chart = alt.vconcat(note, grid_chart, spacing=6).add_params(k, method)
    return charts.finish(
        chart,
        title="Hiding small cells is not enough when totals are published",
        description=(
            "Table of young people in contact with five services by race and ethnicity, with row and column totals; "
            "cells are coloured by whether they are published, hidden, or recovered by an attacker from the totals."
        ),
        subtitle=[
            "Young people (0-24) in contact with each service. Short group names: AIAN, NHPI, MENA.",
            "For hidden cells, the text shows what an attacker can prove from the totals.",
        ],
    )


# --- 3. comparison --------------------------------------------------------------------

SUPPRESSED_LABEL: Final = scenarios.STATUS_SUPPRESSED


def comparison_chart(table: pd.DataFrame, *, bind: bool = True) -> Any:
    """The comparison explorer: each group's ratio (or difference) against the chosen
    reference, ranked furthest-first, with the headline sentence that choice produces.

    Parameters ``outcome``, ``reference`` and ``measure`` pick the view. Every choice
    is written into the chart (the reference in the headline, the measure on the
    axis), as Keppel et al. (2005) ask of any disparity statement.
    """
    check_table(table, ["outcome", "reference", "measure", "race_ethnicity", "value", "headline", "rank"], "table")
    outcomes = list(dict.fromkeys(table["outcome"]))
    references = list(dict.fromkeys(table["reference"]))
    measures = list(dict.fromkeys(table["measure"]))
    outcome = _param("outcome", outcomes, outcomes[0], "Outcome: ", bind=bind)
    # The default shown is the total population, never White.
    default_reference = next(r for r in references if "total" in r.lower())
    reference = _param("reference", references, default_reference, "Compared with: ", bind=bind, kind="radio")
    measure = _param("measure", measures, measures[0], "Measure: ", bind=bind, kind="radio")
    chosen = (alt.datum.outcome == outcome) & (alt.datum.reference == reference) & (alt.datum.measure == measure)
    hidden = (
        table["status"] == scenarios.STATUS_SUPPRESSED
        if "status" in table.columns
        else pd.Series(False, index=table.index)
    )
    data = table.assign(
        # Suppressed groups keep their row, at the bottom, marked "suppressed".
        rank=table["rank"].astype(float).fillna(0).where(~hidden, len(table) + 1),
        role=table["is_reference"].map({True: "Reference group", False: "Compared group"}),
        reliability=table["reliable"]
        .map({True: "Reliable", False: "Unreliable (interpret with care)"})
        .where(~hidden, SUPPRESSED_LABEL),
        axis_value=table.apply(lambda r: r["value"] * (100 if r["measure"] == MEASURE_DIFFERENCE else 1), axis=1),
        axis_lower=table.apply(lambda r: r["lower"] * (100 if r["measure"] == MEASURE_DIFFERENCE else 1), axis=1),
        axis_upper=table.apply(lambda r: r["upper"] * (100 if r["measure"] == MEASURE_DIFFERENCE else 1), axis=1),
        no_gap=table["measure"].map(lambda m: 0 if m == MEASURE_DIFFERENCE else 1),
    )[
        [
            "outcome",
            "reference",
            "measure",
            "race_ethnicity",
            "rate",
            "axis_value",
            "axis_lower",
            "axis_upper",
            "rank",
            "role",
            "reliability",
            "no_gap",
        ]
    ]
    headlines = table.drop_duplicates(["outcome", "reference", "measure"])[
        ["outcome", "reference", "measure", "headline"]
    ]
    base = alt.Chart(data).transform_filter(chosen)
    y = alt.Y("race_ethnicity:N", sort=alt.EncodingSortField(field="rank", order="ascending"), title=None)
    x_title = "Rate ratio (1 = no gap) or rate difference in percentage points (0 = no gap)"
    bars = base.mark_bar().encode(
        y=y,
        x=alt.X("axis_value:Q", title=x_title),
        x2=alt.X2("no_gap:Q"),
        color=alt.Color(
            "reliability:N",
            title=None,
            legend=alt.Legend(orient="bottom"),
            scale=alt.Scale(
                domain=["Reliable", "Unreliable (interpret with care)", SUPPRESSED_LABEL],
                range=[charts.PALETTE[0], charts.PALETTE[4], STATUS_COLOURS[scenarios.STATUS_SUPPRESSED]],
            ),
        ),
        tooltip=[
            alt.Tooltip("race_ethnicity:N", title="Group"),
            alt.Tooltip("rate:Q", title="Rate", format=".2%"),
            alt.Tooltip("axis_value:Q", title="Ratio or difference", format=".2f"),
            alt.Tooltip("axis_lower:Q", title="95% CI from", format=".2f"),
            alt.Tooltip("axis_upper:Q", title="95% CI to", format=".2f"),
            alt.Tooltip("role:N", title="Role"),
        ],
    )
    whiskers = base.mark_rule(color="black").encode(y=y, x="axis_lower:Q", x2="axis_upper:Q")
    marked = (
        base.transform_filter(alt.datum.reliability == SUPPRESSED_LABEL)
        .mark_text(align="left", dx=4, fontSize=12, color=STATUS_COLOURS[scenarios.STATUS_SUPPRESSED])
        .encode(y=y, x="no_gap:Q", text=alt.value("suppressed (small count)"))
    )
    no_gap = base.mark_rule(color="black", strokeDash=[4, 3]).encode(x="no_gap:Q")
    panel = alt.layer(bars, whiskers, no_gap, marked).properties(width=380, height=alt.Step(24))
    headline = (
        alt.Chart(headlines)
        .transform_filter(chosen)
        .mark_text(align="left", fontSize=13, fontWeight="bold", lineBreak="\n")
        .encode(text="wrapped:N", x=alt.value(0), y=alt.value(0))
        .transform_calculate(
            wrapped=alt.expr.replace(alt.datum.headline, alt.expr.regexp(r"(.{1,90})(\s|$)", "g"), "$1\n")
        )
        .properties(width=560, height=48)
    )
    # Keppel et al. (2005): say every choice behind a disparity. This line restates them.
    stated = (
        alt.Chart(headlines)
        .transform_filter(chosen)
        .transform_calculate(
            choices=(
                "'Outcome: ' + datum.outcome + '  ·  Reference: ' + datum.reference + '  ·  Measure: ' + datum.measure"
            )
        )
        .mark_text(align="left", fontSize=12, color="#333")
        .encode(text="choices:N", x=alt.value(0), y=alt.value(0))
        .properties(width=560, height=14)
    )
    chart = alt.vconcat(stated, headline, panel, spacing=8).add_params(outcome, reference, measure)
    return charts.finish(
        chart,
        title="Compared with whom? The reference you choose changes the story",
        description=(
            "Bar chart of each race and ethnicity group's rate ratio or rate difference against the chosen reference, "
            "ranked from the furthest above; the headline sentence above it names the reference."
        ),
        subtitle=[
            "Children under 18 (students for school outcomes); race and ethnicity counted alone.",
            "Groups are ranked by their ratio to the reference; the dashed line marks no gap.",
        ],
    )


MEASURE_DIFFERENCE: Final = scenarios.MEASURES["difference"]
