"""Noise instead of holes: calibration, seeded draws, post-processing, the scenario table and its chart."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from equitylens.data import load
from equitylens.explore import forms, scenarios
from equitylens.explore import noise as explore_noise
from equitylens.methods import noise
from equitylens.methods.policy import DEFAULT_THRESHOLD
from equitylens.viz import noise as viz_noise


@pytest.fixture(scope="module")
def county() -> pd.DataFrame:
    return load.county()


@pytest.fixture(scope="module")
def counts(county) -> pd.DataFrame:
    return scenarios.service_counts(county)


@pytest.fixture(scope="module")
def sizes(county) -> pd.Series:
    return explore_noise.group_sizes(county)


@pytest.fixture(scope="module")
def table(counts, sizes) -> pd.DataFrame:
    return explore_noise.scenario_table(counts, population=sizes, epsilons=(0.5, 1.0, 5.0), draws=60)


# --- calibration and accuracy (OpenDP) ---------------------------------------------------


def test_laplace_scale_is_sensitivity_over_epsilon():
    assert noise.scale_for(1.0, mechanism="laplace", contributions=11) == pytest.approx(11.0, rel=1e-6)
    assert noise.scale_for(0.5, mechanism="laplace", contributions=1) == pytest.approx(2.0, rel=1e-6)


def test_more_budget_means_less_noise():
    for mechanism in noise.MECHANISMS:
        scales = [noise.scale_for(e, mechanism=mechanism, contributions=3) for e in (0.1, 1.0, 10.0)]
        assert scales[0] > scales[1] > scales[2] > 0
        spreads = [noise.accuracy(s, mechanism=mechanism) for s in scales]
        assert spreads[0] > spreads[1] > spreads[2]


@pytest.mark.parametrize("mechanism", list(noise.MECHANISMS))
@pytest.mark.parametrize("epsilon", [0.1, 1.0, 10.0])
def test_seeded_draws_match_opendp_accuracy(mechanism, epsilon):
    """About 95% of the seeded noise lies inside OpenDP's 95% accuracy bound, and the
    bound is tight: one step inside it, more than 5% of draws lie outside."""
    scale = noise.scale_for(epsilon, mechanism=mechanism, contributions=11)
    bound = noise.accuracy(scale, mechanism=mechanism)
    draws = np.abs(noise.sample(200_000, scale=scale, mechanism=mechanism, rng=np.random.default_rng(7)))
    outside = (draws >= bound).mean()
    assert outside <= 0.05 + 0.004
    assert (draws >= np.ceil(bound) - 1).mean() > 0.05 - 0.004
    if mechanism == "gaussian":  # the discrete Gaussian's spread is close to its scale
        signed = noise.sample(200_000, scale=scale, mechanism=mechanism, rng=np.random.default_rng(8))
        assert signed.std() == pytest.approx(scale, rel=0.02)
    else:  # discrete Laplace: P(0) = tanh(1 / (2 scale))
        signed = noise.sample(200_000, scale=scale, mechanism=mechanism, rng=np.random.default_rng(8))
        assert (signed == 0).mean() == pytest.approx(np.tanh(1 / (2 * scale)), abs=0.005)
    assert abs(signed.mean()) < 0.02 * scale + 0.01


def test_seeded_draws_are_reproducible():
    first = noise.sample(50, scale=3.0, mechanism="gaussian", rng=np.random.default_rng(1))
    again = noise.sample(50, scale=3.0, mechanism="gaussian", rng=np.random.default_rng(1))
    other = noise.sample(50, scale=3.0, mechanism="gaussian", rng=np.random.default_rng(2))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert first.dtype == np.int64


def test_secure_release_uses_opendp_and_keeps_shape():
    released = noise.secure_release([0, 5, 120], epsilon=1.0, mechanism="laplace")
    assert released.shape == (3,)
    assert released.dtype == np.int64


# --- post-processing ----------------------------------------------------------------------

cells_strategy = hnp.arrays(np.int64, st.tuples(st.integers(1, 6), st.integers(1, 4)), elements=st.integers(-50, 200))


@settings(max_examples=60, deadline=None)
@given(cells=cells_strategy)
def test_clamped_counts_are_never_negative(cells):
    clamped = noise.post_process(cells, method="clamp")
    assert (clamped >= 0).all()
    assert np.array_equal(clamped[cells >= 0], cells[cells >= 0])


@settings(max_examples=60, deadline=None)
@given(cells=cells_strategy, data=st.data())
def test_consistent_counts_add_up_to_the_totals(cells, data):
    totals = data.draw(hnp.arrays(np.int64, (cells.shape[1],), elements=st.integers(-20, 500)))
    out = noise.post_process(cells, method="consistent", totals=totals)
    assert (out >= 0).all()
    assert out.dtype == np.int64
    assert np.array_equal(out.sum(axis=0), np.maximum(totals, 0))


def test_consistent_keeps_order_within_a_column():
    cells = np.array([[100], [40], [3], [-6]])
    out = noise.post_process(cells, method="consistent", totals=np.array([130]))
    assert out.sum() == 130
    assert list(out[:, 0]) == sorted(out[:, 0], reverse=True)
    assert out[3, 0] == 0


def test_as_measured_changes_nothing():
    cells = np.array([[3, -2], [0, 7]])
    assert np.array_equal(noise.post_process(cells, method="none"), cells)


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: noise.scale_for(0), "epsilon=0"),
        (lambda: noise.scale_for(-1.0), "epsilon=-1.0"),
        (lambda: noise.scale_for("1"), "epsilon='1'"),
        (lambda: noise.scale_for(1.0, mechanism="uniform"), "mechanism='uniform'"),
        (lambda: noise.scale_for(1.0, contributions=0), "contributions=0"),
        (lambda: noise.scale_for(1.0, mechanism="gaussian", delta=2), "delta=2"),
        (lambda: noise.accuracy(0.0), "scale=0.0"),
        (lambda: noise.accuracy(1.0, confidence=95), "confidence=95"),
        (lambda: noise.sample(3, scale=1.0, rng=1), "rng must be a numpy Generator"),
        (lambda: noise.post_process(np.array([[1, 2]]), method="round"), "method='round'"),
        (lambda: noise.post_process(np.array([[1, 2]]), method="consistent"), "needs totals"),
        (lambda: noise.post_process(np.array([[1, 2]]), method="consistent", totals=np.array([1])), "totals must"),
        (lambda: noise.post_process(np.array([1.5, 2.0]), method="clamp"), "whole numbers"),
        (lambda: noise.secure_release([1, -2], epsilon=1.0), "counts must"),
    ],
)
def test_bad_input_raises_a_plain_value_error(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_scenario_table_rejects_bad_choices(counts, sizes):
    with pytest.raises(ValueError, match="epsilons"):
        explore_noise.scenario_table(counts, population=sizes, epsilons=(0.0,))
    with pytest.raises(ValueError, match="headline='Dental'"):
        explore_noise.scenario_table(counts, population=sizes, headline="Dental")
    with pytest.raises(ValueError, match="population has no size"):
        explore_noise.scenario_table(counts, population=sizes.iloc[:3])
    with pytest.raises(ValueError, match="draws=5"):
        explore_noise.scenario_table(counts, population=sizes, draws=5)


def test_release_is_seeded_and_noisy(counts, sizes):
    one = noise.release(counts, population=sizes, epsilon=1.0, seed=3)
    again = noise.release(counts, population=sizes, epsilon=1.0, seed=3)
    pd.testing.assert_frame_equal(one, again)
    assert (one["noisy"] >= 0).all()
    assert len(one) == len(counts)
    assert not np.array_equal(one["noisy"].to_numpy(), counts["n"].to_numpy())


# --- the scenario table -------------------------------------------------------------------


def test_scenario_table_is_identical_from_run_to_run(counts, sizes, table):
    again = explore_noise.scenario_table(counts, population=sizes, epsilons=(0.5, 1.0, 5.0), draws=60)
    pd.testing.assert_frame_equal(table, again)


def test_scenario_table_covers_every_choice(table, counts):
    groups = counts["race_ethnicity"].nunique()
    services = counts["service"].nunique()
    assert len(table) == 3 * len(noise.MECHANISMS) * len(noise.POST_PROCESSING) * groups * (services + 1)


def test_small_true_counts_leave_no_trace(table, counts):
    """A cell with a true count of 1 to 10 shows only a noisy count: no summary over draws,
    and the table has no column of true counts."""
    assert "n" not in table.columns
    small = counts[(counts["n"] > 0) & (counts["n"] < DEFAULT_THRESHOLD)]
    assert len(small) > 0
    keys = set(zip(small["race_ethnicity"].astype(str), small["service"].astype(str), strict=True))
    rows = table[[(g, s) in keys for g, s in zip(table["race_ethnicity"], table["service"], strict=True)]]
    assert rows["rel_error"].isna().all()
    assert rows["rate_rel_error"].isna().all()
    true = {(str(r.race_ethnicity), str(r.service)): r.n for r in small.itertuples()}
    matches = [row.published == true[(row.race_ethnicity, row.service)] for row in rows.itertuples()]
    assert np.mean(matches) < 0.5, "the published small cells should be noisy, not the true counts"


def test_noise_weighs_most_on_small_groups(table, sizes):
    chosen = table[
        (table["epsilon"] == 1.0)
        & (table["service"] == explore_noise.ALL_SERVICES)
        & (table["post"] == noise.POST_PROCESSING["clamp"])
    ]
    for _, part in chosen.groupby("mechanism"):
        errors = part.set_index("race_ethnicity")["rel_error"]
        assert errors[sizes.idxmin()] > 10 * errors[sizes.idxmax()]


def test_suppression_view_matches_the_suppression_explorable(table, counts):
    cells = scenarios.suppression(counts, thresholds=(DEFAULT_THRESHOLD,))
    summary = scenarios.suppression_summary(cells)
    both = summary[summary["method"] == scenarios.METHODS[2]].iloc[0]
    groups = table[(table["service"] == explore_noise.ALL_SERVICES)].drop_duplicates("race_ethnicity")
    assert int(groups["cells_hidden"].sum()) == both["hidden"]
    assert set(groups.loc[groups["cells_hidden"] > 0, "race_ethnicity"]) == set(both["groups_losing_cells"])


def test_intervals_widen_as_epsilon_shrinks(table):
    rows = table[(table["service"] == explore_noise.ALL_SERVICES) & (table["post"] == noise.POST_PROCESSING["none"])]
    width = (rows["ratio_upper"] - rows["ratio_lower"]).groupby(rows["epsilon"]).mean()
    assert width[0.5] > width[1.0] > width[5.0]


# --- the chart and the live form ----------------------------------------------------------


def without_bindings(spec: dict) -> dict:
    spec = dict(spec)
    spec["params"] = [{k: v for k, v in p.items() if k != "bind"} for p in spec["params"]]
    return spec


def test_chart_spec_has_params_title_description_and_readable_text(table):
    spec = viz_noise.noise_chart(table).to_dict()
    assert [p["name"] for p in spec["params"]] == ["epsilon", "mechanism", "post"]
    assert all("bind" in p for p in spec["params"])
    assert spec["params"][0]["value"] == 1.0
    assert spec["title"]["text"] and spec["description"]
    assert without_bindings(spec) == viz_noise.noise_chart(table, bind=False).to_dict()
    text = json.dumps(spec)
    sizes = [int(v) for v in re.findall(r'"(?:fontSize|labelFontSize|titleFontSize)":\s*(\d+)', text)]
    assert sizes and min(sizes) >= 10


def test_chart_data_hold_no_true_small_counts(table, counts):
    spec = viz_noise.noise_chart(table).to_dict()
    rows = [row for values in spec["datasets"].values() for row in values]
    fields = {key for row in rows for key in row}
    assert not fields & {"n", "true", "count", "numerator"}
    small = counts[(counts["n"] > 0) & (counts["n"] < DEFAULT_THRESHOLD)]
    short = {g: viz_noise.groups.RACE_SHORT.get(g, g) for g in small["race_ethnicity"].astype(str)}
    for cell in small.itertuples():
        shown = [
            r for r in rows if r.get("group") == short[str(cell.race_ethnicity)] and r.get("service") == cell.service
        ]
        assert shown, "every small cell keeps its place, with a noisy count"
        assert all(r["rel_error"] is None for r in shown)
        assert set(shown[0]) == {"epsilon", "m", "p", "group", "service", "published", "rel_error", "rate_rel_error"}


def test_live_form_drives_the_chart_params(table):
    form = explore_noise.live_form(table)
    assert isinstance(form, forms.Explorer)
    form.controls["epsilon"].value = 5.0
    form.controls["post"].value = 2
    assert (form.chart.params.epsilon, form.chart.params.post) == (5.0, 2)


def test_live_form_shows_a_message_not_a_traceback():
    out = explore_noise.live_form(pd.DataFrame({"x": [1]}))
    assert "Cannot draw this explorable" in out.value
