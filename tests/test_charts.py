"""Chart builders: accessible by construction, offline, deterministic."""

from __future__ import annotations

import pandas as pd
import pytest

from equitylens.viz import charts

TABLE = pd.DataFrame(
    {
        "group": pd.Categorical(
            ["Asian", "White", "Black or African American"],
            categories=["Asian", "Black or African American", "White"],
            ordered=True,
        ),
        "rate": [0.1, 0.2, 0.3],
        "lower": [0.05, 0.15, 0.25],
        "upper": [0.15, 0.25, 0.35],
    }
)


def bars(**overrides):
    options = {"category": "group", "title": "A title", "description": "A description."}
    options.update(overrides)
    return charts.rate_bars(TABLE, **options)


def test_chart_has_title_description_and_deliberate_order():
    spec = bars(interval=("lower", "upper")).to_dict()
    assert spec["title"]["text"] == "A title"
    assert spec["description"] == "A description."
    y = spec["layer"][0]["encoding"]["y"]
    assert y["sort"] == ["Asian", "Black or African American", "White"]


def test_static_html_is_offline_and_deterministic():
    spec = bars().to_dict()
    first, second = charts.static_html(spec), charts.static_html(spec)
    assert "http" not in first.split("embed(target")[0]
    assert "cdn" not in first.lower()
    assert '"renderer": "svg"' in first
    # the id is the chart's hash plus a counter, so a re-run notebook gives the same output
    assert first.split('id="')[1][:30] == second.split('id="')[1][:30]


def test_figure_carries_a_data_table():
    figure = charts.Figure(bars(), TABLE, caption="Rates", percent=["rate"])
    bundle = figure._repr_mimebundle_()
    assert "<details" in bundle["text/html"] and "30.0%" in bundle["text/html"]
    assert "equitylens-chart" in bundle["text/html"]
    assert "<p>Rates</p>" in bundle["text/html"] and "25.0%" not in bundle["text/html"], "only the named columns"


def test_figure_takes_caption_and_percentages_from_the_chart():
    """Figure(chart, table): the chart's title captions the table; what the chart shows as % the table does too."""
    figure = charts.Figure(bars(interval=("lower", "upper"), title="Rates by group"), TABLE)
    assert figure.caption == "Rates by group"
    assert figure.percent == ("rate", "lower", "upper"), "x2 on a percent axis is a percentage too, in table order"
    page = figure._repr_mimebundle_()["text/html"]
    assert 'aria-label="Rates by group"' in page and "<p>Rates by group</p>" in page
    table = page.split("<details")[1]
    assert "35.0%" in table and "0.35" not in table
    plain = charts.Figure(bars(), TABLE.assign(group_size=[10, 20, 30]), caption="Own caption", percent=[])
    assert plain.caption == "Own caption" and plain.percent == ()


def test_percent_fields_read_formats_axes_and_layers_not_dates():
    import altair as alt

    frame = pd.DataFrame({"month": pd.to_datetime(["2024-01-01", "2024-02-01"]), "share": [0.1, 0.2], "n": [3, 4]})
    lines = alt.Chart(frame).mark_line().encode(x=alt.X("month:T", axis=alt.Axis(format="%b %Y")), y="share:Q")
    dots = alt.Chart(frame).mark_point().encode(x="month:T", y=alt.Y("share:Q", axis=alt.Axis(format="%")))
    tips = alt.Chart(frame).mark_text().encode(text=alt.Text("n:Q", format=".0%"), tooltip=["n:Q"])
    assert charts.percent_fields(alt.layer(lines, dots)) == ["share"], "a shared y axis, and a time format is no %"
    assert charts.percent_fields(alt.hconcat(lines, tips)) == ["n"], "concatenated charts do not share axes"
    assert charts.percent_fields(lines) == []
    with pytest.raises(ValueError, match="Altair chart"):
        charts.percent_fields("not a chart")


def test_table_cells_that_hold_lists_read_as_text():
    table = pd.DataFrame({"method": ["a", "b"], "groups": [["Asian", "White"], []]})
    page = charts.data_table_html(table, caption="Groups")
    assert "<td>Asian; White</td>" in page and "[" not in page


def test_a_figure_needs_a_caption_it_can_find():
    import altair as alt

    untitled = alt.Chart(TABLE).mark_bar().encode(x="rate:Q", y="group:N")
    with pytest.raises(ValueError, match="no title"):
        charts.Figure(untitled, TABLE)
    with pytest.raises(ValueError, match="caption"):
        charts.data_table_html(TABLE, caption=" ")
    assert charts.Figure(untitled, TABLE, caption="Rates").caption == "Rates"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: bars(title=" "), "title"),
        (lambda: bars(description=""), "description"),
        (lambda: bars(category="nope"), "nope"),
        (
            lambda: charts.rate_bars(TABLE.iloc[0:0], category="group", title="t", description="d"),
            "empty",
        ),
        (lambda: charts.data_table_html(TABLE, caption="c", percent=["nope"]), "nope"),
        (lambda: charts.grade_bars(TABLE, title="t", description="d"), "lending_grade"),
    ],
)
def test_bad_input_raises_a_named_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_mode_is_checked(monkeypatch):
    monkeypatch.setenv(charts.MODE_VARIABLE, "sparkly")
    with pytest.raises(ValueError, match="static"):
        charts.mode()


def test_other_builders():
    grades = pd.DataFrame({"lending_grade": list("ABCD"), "rate": [0.1, 0.2, 0.3, 0.4]})
    assert charts.grade_bars(grades, title="t", description="d").to_dict()["description"] == "d"
    places = pd.DataFrame(
        {
            "tile_row": [0, 0],
            "tile_col": [0, 1],
            "neighbourhood": ["a", "b"],
            "lending_grade": ["A", "D"],
            "poverty_rate": [0.1, 0.4],
        }
    )
    tiles = charts.tile_map(places, value="poverty_rate", value_title="p", title="t", description="d").to_dict()
    assert (tiles["title"]["text"], tiles["description"]) == ("t", "d")
    rect, text = tiles["layer"]
    assert rect["mark"]["type"] == "rect"
    assert rect["encoding"]["color"]["field"] == "poverty_rate"
    assert (rect["encoding"]["x"]["field"], rect["encoding"]["y"]["field"]) == ("tile_col", "tile_row")
    assert text["mark"]["type"] == "text" and text["mark"]["fontSize"] >= 10
    assert text["encoding"]["text"]["field"] == "lending_grade"
    assert _values(tiles) == places.to_dict("records")

    long = pd.DataFrame({"x": ["a", "a"], "g": ["u", "v"], "rate": [0.1, 0.2]})
    columns = charts.grouped_columns(long, x="x", group="g", title="t", description="d").to_dict()
    assert (columns["title"]["text"], columns["description"]) == ("t", "d")
    assert columns["mark"]["type"] == "bar"
    encoding = columns["encoding"]
    assert (encoding["x"]["field"], encoding["xOffset"]["field"], encoding["y"]["field"]) == ("x", "g", "rate")
    assert encoding["color"]["field"] == "g" and encoding["color"]["sort"] == ["u", "v"]
    assert encoding["y"]["axis"]["format"] == "%"
    assert _values(columns) == long.to_dict("records")


def _values(spec: dict) -> list[dict]:
    """The rows a Vega-Lite spec carries (altair stores them under ``datasets``)."""
    return spec["datasets"][spec["data"]["name"]]
