"""The three explorables: scenario tables, static and live forms agree, errors are plain."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from equitylens.data import groups, load
from equitylens.explore import forms, scenarios, views
from equitylens.methods.policy import DEFAULT_THRESHOLD


@pytest.fixture(scope="module")
def county() -> pd.DataFrame:
    return load.county()


@pytest.fixture(scope="module")
def disaggregation() -> pd.DataFrame:
    return scenarios.disaggregation(load.child_welfare_youth(), outcome="placed")


@pytest.fixture(scope="module")
def suppression(county) -> pd.DataFrame:
    return scenarios.suppression(scenarios.service_counts(county))


@pytest.fixture(scope="module")
def comparison(county) -> pd.DataFrame:
    return scenarios.comparison(county)


def without_bindings(spec: dict) -> dict:
    spec = dict(spec)
    spec["params"] = [{k: v for k, v in p.items() if k != "bind"} for p in spec["params"]]
    return spec


@pytest.mark.parametrize("name", ["disaggregation", "suppression", "comparison"])
def test_live_and_static_forms_share_one_table_and_encoding(name, request):
    table = request.getfixturevalue(name)
    build = getattr(views, f"{name}_chart")
    options = {"outcome_label": "Placed"} if name == "disaggregation" else {}
    static = build(table, **options).to_dict()
    live_chart = build(table, bind=False, **options).to_dict()
    assert without_bindings(static) == live_chart
    assert all("bind" in p for p in static["params"])
    form = getattr(forms, f"live_{name}")(table, **options)
    assert isinstance(form, forms.Explorer)
    for control_name, control in form.controls.items():
        assert getattr(form.chart.params, control_name) == control.value


def test_moving_a_live_control_sets_the_chart_parameter(suppression):
    form = forms.live_suppression(suppression)
    form.controls["k"].value = 15
    form.controls["method"].value = 2
    assert (form.chart.params.k, form.chart.params.method) == (15, 2)


def test_live_forms_show_a_message_not_a_traceback():
    message = forms.live_disaggregation(pd.DataFrame(), outcome_label="x")
    assert "Cannot draw" in message.value and "empty" in message.value


def test_disaggregation_table_never_carries_a_small_cells_numbers(disaggregation):
    hidden = disaggregation["status"] == scenarios.STATUS_SUPPRESSED
    assert hidden.any()
    assert disaggregation.loc[hidden, ["numerator", "denominator", "rate"]].isna().all().all()
    shown = disaggregation[~hidden]
    small = (shown["numerator"] > 0) & (shown["numerator"] < DEFAULT_THRESHOLD)
    assert not small.any()
    assert (shown["denominator"] >= DEFAULT_THRESHOLD).all()


def test_finer_levels_cost_more_cells(disaggregation):
    summary = scenarios.disaggregation_summary(disaggregation)
    alone = summary[summary["rule"] == scenarios.RULE_LABELS["alone"]]
    share_hidden = (alone["suppressed"] / alone["cells"]).to_numpy()
    assert np.all(np.diff(share_hidden) >= 0)
    assert alone["widest_gap"].iloc[1] > 1.2  # race reveals what the county total hid


def test_ladder_counts_cells_suppression_and_reliability():
    """A hand-counted frame: 45 Black, 30 White, 5 AIAN people; two genders."""
    flags = list(groups.RACE_FLAGS)
    selections = ["race_black"] * 45 + ["race_white"] * 30 + ["race_aian"] * 5
    frame = pd.DataFrame({flag: [flag == s for s in selections] for flag in flags})
    frame["gender"] = (
        [groups.GENDERS[0]] * 23 + [groups.GENDERS[1]] * 22 + [groups.GENDERS[0]] * 15 + [groups.GENDERS[1]] * 15
    ) + [groups.GENDERS[0]] * 5
    # Black: 25 with the outcome and 20 without (both safe); White: 3 events; AIAN: 2 of 5.
    frame["y"] = [True] * 25 + [False] * 20 + [True] * 3 + [False] * 27 + [True] * 2 + [False] * 3
    ladder = (("County total", ()), ("Race", ("race_ethnicity",)), ("Race x gender", ("race_ethnicity", "gender")))
    cells = scenarios.disaggregation(frame, outcome="y", rules=["alone"], ladder=ladder, threshold=11)
    summary = scenarios.disaggregation_summary(cells)
    assert summary["level"].tolist() == ["County total", "Race", "Race x gender"]
    assert summary["cells"].tolist() == [1, 3, 5]
    race = summary.iloc[1]
    assert race["suppressed"] == 2  # White has 3 events; AIAN has 2 events among 5 people
    assert race["unreliable"] == 0  # the only cell left (Black: 25 of 45) is reliable
    assert math.isnan(race["widest_gap"])  # one reliable cell: no gap to show
    shown = cells[(cells["level"] == "Race") & (cells["status"] != scenarios.STATUS_SUPPRESSED)]
    assert shown["race_ethnicity"].tolist() == [groups.RACE_FLAGS["race_black"]]
    assert shown[["numerator", "denominator"]].to_numpy().tolist() == [[25, 45]]


def test_a_rate_is_hidden_when_the_people_without_the_outcome_are_few():
    """20 of 30 with the outcome leaves 10 without: published with 30, it comes back by subtraction."""
    flags = list(groups.RACE_FLAGS)
    selections = ["race_black"] * 30 + ["race_white"] * 40
    frame = pd.DataFrame({flag: [flag == s for s in selections] for flag in flags})
    frame["gender"] = groups.GENDERS[0]
    frame["y"] = [True] * 20 + [False] * 10 + [True] * 20 + [False] * 20
    ladder = (("Race", ("race_ethnicity",)),)
    cells = scenarios.disaggregation(frame, outcome="y", rules=["alone"], ladder=ladder, threshold=11)
    status = cells.set_index("race_ethnicity")["status"]
    assert status[groups.RACE_FLAGS["race_black"]] == scenarios.STATUS_SUPPRESSED
    assert status[groups.RACE_FLAGS["race_white"]] != scenarios.STATUS_SUPPRESSED


def test_ladder_needs_its_columns():
    frame = load.child_welfare_youth().drop(columns="gender")
    with pytest.raises(ValueError, match="gender"):
        scenarios.disaggregation(frame, outcome="placed")


def test_suppression_scenarios_tell_the_attack_story(suppression):
    summary = scenarios.suppression_summary(suppression).set_index(["threshold", "method"])
    primary_only = summary.loc[(11, scenarios.METHODS[1])]
    protected = summary.loc[(11, scenarios.METHODS[2])]
    assert primary_only["recovered"] > 0
    assert protected["recovered"] == 0 and protected["narrowed"] == 0
    assert protected["hidden"] >= primary_only["hidden"]


def test_protected_tables_publish_no_small_cell(suppression):
    for method in scenarios.METHODS[1:3]:
        rows = suppression[(suppression["method"] == method) & (suppression["state"] == scenarios.CELL_PUBLISHED)]
        values = pd.to_numeric(rows["shown"])
        assert ((values == 0) | (values >= rows["threshold"])).all(), method


def test_comparison_never_defaults_to_white(comparison):
    spec = views.comparison_chart(comparison).to_dict()
    reference = next(p for p in spec["params"] if p["name"] == "reference")
    assert "White" not in reference["value"]
    assert comparison.groupby("reference")["headline"].apply(lambda h: h.str.startswith("Compared with").all()).all()


def test_headline_changes_with_the_reference(comparison):
    reports = comparison[comparison["outcome"] == "Reported to child welfare"]
    assert reports["headline"].nunique() >= 3


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: scenarios.disaggregation(pd.DataFrame(), outcome="placed"), "empty"),
        (lambda: scenarios.disaggregation(load.child_welfare_youth(), outcome="nope"), "nope"),
        (lambda: scenarios.disaggregation(load.child_welfare_youth(), outcome="placed", threshold=0), "threshold"),
        (lambda: scenarios.disaggregation(load.child_welfare_youth(), outcome="placed", rules=["any"]), "rules"),
        (lambda: scenarios.suppression(pd.DataFrame({"a": [1]})), "race_ethnicity"),
        (lambda: scenarios.suppression(scenarios.service_counts(load.county()), thresholds=[0]), "thresholds"),
        (lambda: views.suppression_chart(pd.DataFrame()), "empty"),
        (lambda: views.comparison_chart(pd.DataFrame({"x": [1]})), "outcome"),
    ],
)
def test_bad_input_raises_a_named_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
