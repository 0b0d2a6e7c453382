"""Chart builders and the two ways a chart is shown.

* **static** (the book, and every committed notebook output): the chart is an
  HTML ``<div>`` plus a few lines that call ``vegaEmbed``, which the page loads
  from its own ``_static`` folder (see ``equitylens.book.assets``). No CDN, and an
  id that depends only on the chart, so re-running a notebook gives the same
  output.
* **live** (JupyterLab, Binder, Colab): Altair's ``JupyterChart`` widget with its
  JavaScript inlined, which works without internet too.

``EQUITYLENS_CHARTS=static|live`` chooses; the default is ``live``, and the book
build and the test suite set ``static``.

Every builder returns an ``alt.Chart`` with a title and a one-sentence
description (read out by screen readers), and uses the one palette below.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import os
import re
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any, Final

import altair as alt
import pandas as pd

from equitylens.data import groups
from equitylens.methods.validation import check_frame, check_table

MODE_VARIABLE: Final = "EQUITYLENS_CHARTS"
RENDERER: Final = "equitylens-static"

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common
# colour-vision deficiencies. None of these colours reads as "better" or "worse".
PALETTE: Final[tuple[str, ...]] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
NEUTRAL: Final = "#0072B2"
# Lending grades are places, not people: one sequential ramp (light to dark).
GRADE_COLOURS: Final[tuple[str, ...]] = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")
FONT: Final = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

# The smallest text a chart may render, in CSS px: at the book's content width, and on a
# 390 px-wide phone (the browser tests measure both: tests/chart_checks.py). Every text size
# below is at least TEXT_PX, and EMBED_SCRIPT reflows charts rather than shrink them.
MIN_TEXT_PX: Final = 10
MIN_PHONE_TEXT_PX: Final = 9
TEXT_PX: Final = 12
# The script that draws a static chart at its column's width (see ``embed.js``).
EMBED_SCRIPT: Final = Path(__file__).with_name("embed.js")

_counter = itertools.count(1)


def mode() -> str:
    """The active chart mode, ``"static"`` or ``"live"``."""
    value = os.environ.get(MODE_VARIABLE, "live")
    if value not in ("static", "live"):
        raise ValueError(f"{MODE_VARIABLE} must be 'static' or 'live', got {value!r}")
    return value


def static_html(spec: dict[str, Any]) -> str:
    """The book's HTML for one chart: a target ``<div>`` and a call to ``vegaEmbed``."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    element = f"equitylens-chart-{digest}-{next(_counter)}"
    title = spec.get("title", {})
    label = title.get("text", "Chart") if isinstance(title, dict) else str(title)
    if isinstance(label, list):
        label = " ".join(label)
    safe_json = text.replace("</", "<\\/")
    spoken = json.dumps(f"{label}. {spec.get('description', '')}".strip()).replace("</", "<\\/")
    return (
        f'<div class="equitylens-chart" id="{element}" role="figure" aria-label="{html.escape(str(label))}"></div>\n'
        "<script>\n"
        "(function () {\n"
        f'  var target = document.getElementById("{element}");\n'
        '  if (typeof vegaEmbed === "undefined") {\n'
        '    target.textContent = "This chart could not load. The data table next to it has the same numbers.";\n'
        "    return;\n"
        "  }\n"
        # equitylensEmbed (EMBED_SCRIPT, served by the book) reflows the chart to its column;
        # without it (slides, other pages) the chart is drawn at its own size.
        "  var embed = window.equitylensEmbed || function (t, s, o, drawn) {\n"
        "    return vegaEmbed(t, s, o)"
        '.then(function (r) { drawn(r); t.setAttribute("data-equitylens-drawn", ""); });\n'
        "  };\n"
        f'  embed(target, {safe_json}, {{"renderer": "svg", "actions": false}}, function (result) {{\n'
        "    window.equitylensViews = window.equitylensViews || {};\n"
        "    window.equitylensViews[target.id] = result.view;\n"
        '    var svg = target.querySelector("svg");\n'
        f'    if (svg) {{ svg.setAttribute("role", "img"); svg.setAttribute("aria-label", {spoken}); }}\n'
        "  })\n"
        "  .catch(function (error) { target.textContent = String(error); });\n"
        "})();\n"
        "</script>"
    )


def _static_renderer(spec: dict[str, Any], **_: Any) -> dict[str, str]:
    return {"text/html": static_html(spec), "text/plain": "<Chart: " + _plain_title(spec) + ">"}


def _plain_title(spec: dict[str, Any]) -> str:
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else str(text)


def activate() -> str:
    """Switch Altair to the renderer for the current mode; returns the mode."""
    current = mode()
    if RENDERER not in alt.renderers.names():
        alt.renderers.register(RENDERER, _static_renderer)
    if current == "static":
        alt.renderers.enable(RENDERER)
    else:
        alt.renderers.enable("jupyter", offline=True)
    return current


def theme() -> dict[str, Any]:
    """A readable default look: larger text, no chart border."""
    return {
        "config": {
            "font": FONT,
            "title": {
                "fontSize": 16,
                "subtitleFontSize": 13,
                "anchor": "start",
                "subtitleColor": "#333",
            },
            "axis": {"labelFontSize": TEXT_PX, "titleFontSize": TEXT_PX + 1, "labelLimit": 260},
            "legend": {"labelFontSize": TEXT_PX, "titleFontSize": TEXT_PX + 1, "labelLimit": 260},
            "header": {"labelFontSize": TEXT_PX, "titleFontSize": TEXT_PX + 1},
            "text": {"fontSize": TEXT_PX},
            "view": {"stroke": None},
            "range": {"category": list(PALETTE)},
        }
    }


def finish(
    chart: Any,
    *,
    title: str,
    description: str,
    subtitle: str | Sequence[str] | None = None,
) -> Any:
    """Give a chart its title, subtitle and screen-reader description."""
    if not title.strip():
        raise ValueError("title must not be empty: every chart needs a title")
    if not description.strip():
        raise ValueError("description must not be empty: screen readers read it out")
    params: dict[str, Any] = {"text": title, "anchor": "start"}
    if subtitle:
        params["subtitle"] = [subtitle] if isinstance(subtitle, str) else list(subtitle)
    return chart.properties(title=alt.TitleParams(**params), description=description).configure(**theme()["config"])


def _order(frame: pd.DataFrame, column: str) -> list[str]:
    values = frame[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna().astype(str))
        return [str(c) for c in values.cat.categories if str(c) in present]
    return [str(v) for v in pd.unique(values.dropna())]


def rate_bars(
    table: pd.DataFrame,
    *,
    category: str,
    rate: str = "rate",
    title: str,
    description: str,
    subtitle: str | Sequence[str] | None = None,
    category_title: str | None = None,
    rate_title: str = "Rate",
    colour: str | None = None,
    interval: tuple[str, str] | None = None,
) -> Any:
    """Horizontal bars of a rate per category, in the table's own category order.

    ``colour`` names a column to colour by (palette above); by default every bar
    is the same colour, so colour does not rank groups. ``interval`` names the
    lower and upper columns of a confidence interval to draw as error bars.
    """
    needed = [category, rate, *([colour] if colour else []), *(interval or ())]
    check_table(table, needed)
    order = _order(table, category)
    # The category axis carries long group names, so its title sits in the tooltip and
    # the subtitle rather than beside the labels, where it would crowd them.
    y = alt.Y(f"{category}:N", sort=order, title=None)
    x = alt.X(f"{rate}:Q", title=rate_title, axis=alt.Axis(format="%"))
    tooltip = [
        alt.Tooltip(f"{category}:N", title=category_title or category),
        alt.Tooltip(f"{rate}:Q", title=rate_title, format=".1%"),
    ]
    if colour:
        colour_order = _order(table, colour)
        bars = (
            alt.Chart(table)
            .mark_bar()
            .encode(
                y=y,
                x=x,
                color=alt.Color(f"{colour}:N", sort=colour_order, title=None, legend=alt.Legend(orient="top")),
                yOffset=alt.YOffset(f"{colour}:N", sort=colour_order),
                tooltip=[*tooltip, alt.Tooltip(f"{colour}:N")],
            )
        )
    else:
        bars = alt.Chart(table).mark_bar(color=NEUTRAL).encode(y=y, x=x, tooltip=tooltip)
    layers: list[Any] = [bars]
    if interval:
        low, high = interval
        offset = {"yOffset": alt.YOffset(f"{colour}:N", sort=_order(table, colour))} if colour else {}
        layers.append(alt.Chart(table).mark_rule(color="#000").encode(y=y, x=f"{low}:Q", x2=f"{high}:Q", **offset))
    chart = alt.layer(*layers).properties(width=320)
    return finish(chart, title=title, description=description, subtitle=subtitle)


def grouped_columns(
    table: pd.DataFrame,
    *,
    x: str,
    group: str,
    rate: str = "rate",
    title: str,
    description: str,
    subtitle: str | Sequence[str] | None = None,
    x_title: str | None = None,
    rate_title: str = "Rate",
) -> Any:
    """Columns of a rate for each ``x`` category, side by side for each ``group``."""
    check_table(table, [x, group, rate])
    group_order = _order(table, group)
    chart = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:N", sort=_order(table, x), title=x_title or x, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset(f"{group}:N", sort=group_order),
            y=alt.Y(f"{rate}:Q", title=rate_title, axis=alt.Axis(format="%")),
            color=alt.Color(f"{group}:N", sort=group_order, title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                alt.Tooltip(f"{x}:N"),
                alt.Tooltip(f"{group}:N"),
                alt.Tooltip(f"{rate}:Q", format=".1%"),
            ],
        )
        .properties(width=420, height=240)
    )
    return finish(chart, title=title, description=description, subtitle=subtitle)


def grade_bars(
    table: pd.DataFrame,
    *,
    rate: str = "rate",
    title: str,
    description: str,
    subtitle: str | Sequence[str] | None = None,
    rate_title: str = "Rate",
) -> Any:
    """Bars of a rate per historical lending grade, A to D, on the grade ramp."""
    check_table(table, ["lending_grade", rate])
    chart = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            x=alt.X(
                "lending_grade:N",
                sort=list(groups.LENDING_GRADES),
                title="Historical lending grade",
            ),
            y=alt.Y(f"{rate}:Q", title=rate_title, axis=alt.Axis(format="%")),
            color=alt.Color(
                "lending_grade:N",
                sort=list(groups.LENDING_GRADES),
                scale=alt.Scale(domain=list(groups.LENDING_GRADES), range=list(GRADE_COLOURS)),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("lending_grade:N", title="Grade"),
                alt.Tooltip(f"{rate}:Q", format=".1%"),
            ],
        )
        .properties(width=320, height=220)
    )
    return finish(chart, title=title, description=description, subtitle=subtitle)


def tile_map(
    table: pd.DataFrame,
    *,
    value: str,
    value_title: str,
    title: str,
    description: str,
    subtitle: str | Sequence[str] | None = None,
    percent: bool = True,
) -> Any:
    """The county as a grid of neighbourhood tiles, shaded by ``value``.

    Expects ``tile_row``, ``tile_col``, ``neighbourhood`` and ``lending_grade``.
    """
    check_table(table, ["tile_row", "tile_col", "neighbourhood", "lending_grade", value])
    fmt = ".0%" if percent else ",.0f"
    base = alt.Chart(table).encode(x=alt.X("tile_col:O", axis=None), y=alt.Y("tile_row:O", axis=None))
    tiles = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            f"{value}:Q",
            title=value_title,
            scale=alt.Scale(scheme="blues"),
            legend=alt.Legend(format=fmt),
        ),
        tooltip=[
            alt.Tooltip("neighbourhood:N", title="Neighbourhood"),
            alt.Tooltip("lending_grade:N", title="Lending grade"),
            alt.Tooltip(f"{value}:Q", title=value_title, format=fmt),
        ],
    )
    labels = base.mark_text(fontSize=13, fontWeight="bold").encode(
        text="lending_grade:N",
        color=alt.condition(alt.datum[value] > table[value].median(), alt.value("white"), alt.value("black")),
    )
    chart = alt.layer(tiles, labels).properties(width=360, height=240)
    return finish(chart, title=title, description=description, subtitle=subtitle)


def data_table_html(table: pd.DataFrame, *, caption: str, percent: Sequence[Hashable] = ()) -> str:
    """The chart's numbers as an accessible HTML table inside a closed ``<details>``.

    ``percent`` columns show as percentages (one decimal); a cell that holds a list shows
    its items joined with "; ".
    """
    if table.empty:
        raise ValueError("table is empty: a data-table alternative needs rows")
    if not isinstance(caption, str) or not caption.strip():
        raise ValueError(f"caption={caption!r} must be a non-empty str: it names the table for screen readers")
    unknown = [c for c in percent if c not in table.columns]
    if unknown:
        raise ValueError(f"percent names column(s) {unknown} that the table does not have")
    shown = table.copy()
    for label in shown.columns:
        if shown[label].dtype == object:
            shown[label] = shown[label].map(_cell_text)
    for column in percent:
        shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
    body = shown.to_html(index=False, border=0, classes="equitylens-table", na_rep="")
    body = body.replace("<table", f'<table aria-label="{html.escape(caption)}"', 1)
    return (
        '<details class="equitylens-data-table"><summary>Show the data table for this chart</summary>\n'
        f"<p>{html.escape(caption)}</p>\n{body}\n</details>"
    )


def _cell_text(value: Any) -> Any:
    return "; ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else value


# Channels that share one axis (or scale) with another: a field on ``x2`` is read on ``x``'s axis.
_SHARED_AXIS: Final[dict[str, str]] = {
    "x": "x",
    "x2": "x",
    "xError": "x",
    "xError2": "x",
    "y": "y",
    "y2": "y",
    "yError": "y",
    "yError2": "y",
    "theta": "theta",
    "theta2": "theta",
    "radius": "radius",
    "radius2": "radius",
    "color": "color",
}
_COMPOSED: Final = ("hconcat", "vconcat", "concat")


def _is_percent(definition: dict[str, Any]) -> bool:
    """True when a field definition shows its values as percentages (a d3 format ending in %)."""
    if definition.get("type") == "temporal" or definition.get("timeUnit") or definition.get("formatType") == "time":
        return False
    guides = [definition, definition.get("axis") or {}, definition.get("legend") or {}]
    return any(isinstance(g, dict) and str(g.get("format", "")).endswith("%") for g in guides)


def _definitions(encoding: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(channel, field definition) for each field of one ``encoding`` (tooltip lists included)."""
    found = []
    for channel, value in encoding.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and isinstance(item.get("field"), str):
                found.append((channel, item))
    return found


def _views(node: Any) -> list[list[dict[str, Any]]]:
    """The spec's encodings, grouped by the axes they share (a layer shares; a concat does not)."""
    if not isinstance(node, dict):
        return []
    if "layer" in node:
        shared = [node.get("encoding") or {}]
        for layer in node["layer"]:
            for group in _views(layer):
                shared.extend(group)
        return [shared]
    groups = [[node["encoding"]]] if isinstance(node.get("encoding"), dict) else []
    for key in _COMPOSED:
        for part in node.get(key, []):
            groups.extend(_views(part))
    if isinstance(node.get("spec"), dict):  # facet and repeat
        groups.extend(_views(node["spec"]))
    return groups


def percent_fields(chart: Any) -> list[str]:
    """The fields a chart shows as percentages: formatted with a d3 ``%`` format, or drawn
    on an axis (or colour scale) whose format is one, such as an interval's ``x2``.

    >>> table = pd.DataFrame({"group": ["a", "b"], "rate": [0.1, 0.2], "lower": [0.05, 0.1], "upper": [0.2, 0.3]})
    >>> percent_fields(rate_bars(table, category="group", interval=("lower", "upper"), title="T", description="D."))
    ['lower', 'rate', 'upper']
    """
    spec = chart.to_dict() if hasattr(chart, "to_dict") else chart
    if not isinstance(spec, dict):
        raise ValueError("chart must be an Altair chart or a Vega-Lite spec (dict)")
    found: set[str] = set()
    for group in _views(spec):
        fields = [pair for encoding in group for pair in _definitions(encoding)]
        axes = {_SHARED_AXIS[c] for c, d in fields if c in _SHARED_AXIS and _is_percent(d)}
        for channel, definition in fields:
            shared = _SHARED_AXIS.get(channel) in axes and definition.get("type") != "temporal"
            if _is_percent(definition) or shared:
                found.add(definition["field"])
    return sorted(found)


def chart_title(chart: Any) -> str:
    """A chart's title as plain text ("" when it has none)."""
    spec = chart.to_dict() if hasattr(chart, "to_dict") else chart
    return _plain_title(spec) if isinstance(spec, dict) else ""


class Figure:
    """A chart with its data-table alternative, shown together in one output.

    ``Figure(chart, table)`` is all a notebook writes: the table's caption is the chart's
    title, and the columns the chart shows as percentages (see :func:`percent_fields`) show
    as percentages in the table too. Give ``caption`` or ``percent`` only when the table
    says more than the chart does (say, a column the chart does not draw).

    >>> table = pd.DataFrame({"group": ["a", "b"], "rate": [0.1, 0.25]})
    >>> figure = Figure(rate_bars(table, category="group", title="Rates by group", description="D."), table)
    >>> figure.caption, figure.percent
    ('Rates by group', ('rate',))
    """

    def __init__(
        self,
        chart: Any,
        table: pd.DataFrame,
        *,
        caption: str | None = None,
        percent: Sequence[Hashable] | None = None,
    ) -> None:
        check_frame(table, "table")
        self.chart = chart
        # One Vega-Lite spec for the caption, the percentages and the static page: Altair
        # validates and serialises the chart's data on every to_dict().
        self.spec: dict[str, Any] = chart.to_dict() if hasattr(chart, "to_dict") else chart
        self.caption: str = chart_title(self.spec) if caption is None else caption
        if not self.caption.strip():
            raise ValueError("caption: the chart has no title to caption its table with; give the chart a title")
        if percent is None:
            shown = set(percent_fields(self.spec))
            percent = [c for c in table.columns if c in shown and pd.api.types.is_numeric_dtype(table[c])]
        self.percent: tuple[Hashable, ...] = tuple(percent)
        self.table_html = data_table_html(table, caption=self.caption, percent=self.percent)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        if mode() == "static":
            return {
                "text/html": static_html(self.spec) + "\n" + self.table_html,
                "text/plain": "<Figure: " + _plain_title(self.spec) + ">",
            }
        from IPython.display import display

        display(self.chart)  # type: ignore[no-untyped-call]
        return {"text/html": self.table_html, "text/plain": "<data table>"}


activate()


_HEX: Final = re.compile(r"#[0-9A-Fa-f]{6}\b")


def _walk(node: Any) -> list[Any]:
    found = [node]
    if isinstance(node, dict):
        for value in node.values():
            found.extend(_walk(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_walk(value))
    return found


def chart_checklist(chart: Any, *, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Check a chart against the kit's accessibility rules; one row per check.

    Checks: a title; a description (read out by screen readers); colours only from the
    colour-blind-safe palette, the lending-grade ramp or greys; no person rows in the
    embedded data (no ``person_id``, at most 5,000 rows); and, if ``table`` is given, a
    data-table alternative with at least one row. Columns: ``check``, ``passed``,
    ``detail``.
    """
    spec = chart.to_dict() if hasattr(chart, "to_dict") else chart
    if not isinstance(spec, dict):
        raise ValueError("chart must be an Altair chart or a Vega-Lite spec (dict)")
    title = spec.get("title", {})
    text = title.get("text", "") if isinstance(title, dict) else title
    text = " ".join(text) if isinstance(text, list) else str(text or "")
    description = str(spec.get("description", "") or "")
    allowed = {c.lower() for c in (*PALETTE, *GRADE_COLOURS, "#000", "#000000", "#ffffff")}
    colours = {m.lower() for node in _walk(spec) if isinstance(node, str) for m in _HEX.findall(node)}
    odd = sorted(c for c in colours if c not in allowed and not _grey(c))
    rows = [r for values in spec.get("datasets", {}).values() for r in values]
    fields = {key for r in rows for key in r}
    person_fields = sorted(fields & {"person_id", "first_name", "last_name", "birth_date"})
    checks = [
        ("Has a title", bool(text.strip()), text),
        ("Has a description for screen readers", bool(description.strip()), description),
        ("Uses the colour-blind-safe palette", not odd, ", ".join(odd) or "only palette, grade ramp or grey colours"),
        (
            "Embeds summaries, not person rows",
            not person_fields and len(rows) <= 5_000,
            f"{len(rows)} rows" + (f"; identifiers {person_fields}" if person_fields else ""),
        ),
    ]
    if table is not None:
        checks.append(("Has a data-table alternative", len(table) > 0, f"{len(table)} rows"))
    return pd.DataFrame(checks, columns=["check", "passed", "detail"])


def _grey(colour: str) -> bool:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return max(r, g, b) - min(r, g, b) <= 8
