"""Stage 4: the early-warning model, its fairlearn audit, review and the Social Impact Statement."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, false_negative_rate, false_positive_rate, selection_rate
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import precision_score

from equitylens.data import groups
from equitylens.stages import fairness, impact, review, risk_model
from equitylens.viz import algorithms


@pytest.fixture(scope="module")
def kids() -> pd.DataFrame:
    """A small stand-in for risk_model.children(): features, label and need for 4,000 children."""
    rng = np.random.default_rng(3)
    n = 4_000
    frame = pd.DataFrame(
        {
            "person_id": [f"P{i:06d}" for i in range(n)],
            "race_ethnicity": pd.Categorical(
                rng.choice(["Black or African American", "White"], n), categories=list(groups.RACE_LABELS)
            ),
            "gender": rng.choice(list(groups.GENDERS[:2]), n),
        }
    )
    for column in risk_model.FEATURES:
        frame[column] = rng.random(n)
    frame[risk_model.NEED] = rng.random(n) < 0.1
    frame[risk_model.LABEL] = frame[risk_model.NEED] & (rng.random(n) < frame["reporter_density"])
    return frame


@pytest.fixture(scope="module")
def scored(kids: pd.DataFrame) -> pd.DataFrame:
    return risk_model.flag(risk_model.risk_scores(kids, size=None), share=0.2)


def test_children_fills_features_and_keeps_under_18():
    county = pd.DataFrame(
        {
            "person_id": ["P1", "P2", "P3"],
            "age": [5, 17, 19],
            "race_ethnicity": ["White", "Asian", "White"],
            "gender": ["Girl or woman"] * 3,
            risk_model.LABEL: [True, False, False],
            risk_model.NEED: [True, False, True],
            **{c: [1, None, 2] for c in risk_model.FEATURES if c != "age"},
        }
    )
    out = risk_model.children(county)
    assert out["person_id"].tolist() == ["P1", "P2"]
    assert out["school_moves"].tolist() == [1.0, 0.0]


def test_risk_scores_are_deterministic_and_held_out(kids):
    first = risk_model.risk_scores(kids, size=None)
    second = risk_model.risk_scores(kids, size=None)
    pd.testing.assert_frame_equal(first, second)
    assert 0.4 * len(kids) < len(first) < 0.6 * len(kids)
    assert first["score"].between(0, 1).all()
    assert list(first.columns) == ["person_id", "race_ethnicity", "gender", "label", "need", "score"]
    assert len(risk_model.risk_scores(kids, size=500)) == 500


def test_risk_weights_find_the_planted_feature(kids):
    weights = risk_model.risk_weights(kids)
    assert weights.loc[0, "feature"] == "reporter_density"
    assert set(weights["feature"]) == set(risk_model.FEATURES)


def test_flag_takes_the_top_share():
    scores = pd.DataFrame({"score": [0.9, 0.1, 0.5, 0.7, 0.5]})
    out = risk_model.flag(scores, share=0.4)
    assert out["flagged"].tolist() == [True, False, False, True, False]
    assert out.attrs["cutoff"] == 0.7


@pytest.mark.parametrize("share", [0, 1, 1.5, -0.1, True, "10%"])
def test_flag_rejects_bad_share(share):
    with pytest.raises(ValueError, match="share"):
        risk_model.flag(pd.DataFrame({"score": [0.1]}), share=share)


def test_audit_numbers_match_the_confusion_counts(scored):
    table = fairness.fairness_audit(scored, n_boot=0, threshold=1)
    for group, part in scored.groupby("race_ethnicity", observed=True):
        y, p = part["label"], part["flagged"]
        expected = {
            "selection_rate": p.mean(),
            "false_positive_rate": (p & ~y).sum() / (~y).sum(),
            "false_negative_rate": (~p & y).sum() / y.sum(),
            "precision": (p & y).sum() / p.sum(),
        }
        got = table[table["race_ethnicity"] == group].set_index("metric")["value"]
        for metric, value in expected.items():
            assert got[metric] == pytest.approx(value), (group, metric)


def test_audit_has_intervals_and_keeps_group_order(scored):
    table = fairness.fairness_audit(scored, n_boot=20, threshold=1)
    assert list(dict.fromkeys(table["race_ethnicity"])) == ["Black or African American", "White"]
    assert list(dict.fromkeys(table["metric"])) == list(fairness.METRICS)
    assert (table["lower"] <= table["value"] + 1e-9).all() and (table["value"] <= table["upper"] + 1e-9).all()


def _fairlearn_directly(frame: pd.DataFrame, by: list[str], truth: str, n_boot: int, seed: int) -> pd.DataFrame:
    """The audit's numbers straight from a bootstrapped fairlearn MetricFrame on the rows (the slow way).

    The oracle for :func:`fairness.fairness_audit`'s counted bootstrap; it shares no code
    with it. One row per group present in ``frame`` and metric. A group that no resample
    drew has no row in fairlearn's intervals; here its interval is NaN.
    """
    metrics = {
        "selection_rate": selection_rate,
        "false_positive_rate": false_positive_rate,
        "false_negative_rate": false_negative_rate,
        "precision": functools.partial(precision_score, zero_division=np.nan),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN quantiles
        mf = MetricFrame(
            metrics=metrics,
            y_true=frame[truth].to_numpy(dtype=bool),
            y_pred=frame["flagged"].to_numpy(dtype=bool),
            sensitive_features=frame[by],
            n_boot=n_boot,
            ci_quantiles=[0.025, 0.975],
            random_state=seed,
        )
    present = frame[by].drop_duplicates()
    index = pd.MultiIndex.from_frame(present) if len(by) > 1 else pd.Index(present[by[0]], name=by[0])
    parts = {
        "value": mf.by_group,
        "lower": mf.by_group_ci[0],
        "upper": mf.by_group_ci[1],
    }
    long = [part.reindex(index).stack(future_stack=True).rename(name) for name, part in parts.items()]
    out = pd.concat(long, axis=1).reset_index()
    return out.rename(columns={out.columns[len(by)]: "metric"})


def _compare_with_fairlearn(frame: pd.DataFrame, by: list[str], truth: str, n_boot: int, seed: int) -> None:
    audit = fairness.fairness_audit(frame, truth=truth, by=by, n_boot=n_boot, seed=seed, threshold=1)
    expected = _fairlearn_directly(frame, by, truth, n_boot, seed)
    both = expected.merge(audit, on=[*by, "metric"], how="outer", suffixes=("_fairlearn", ""), indicator=True)
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"]
    # With threshold=1 only a share of nobody is hidden: no negatives (false positive
    # rate), no positives (false negative rate) or nobody flagged (precision).
    truths, flags = frame[truth].astype(bool), frame["flagged"].astype(bool)
    people = {
        "selection_rate": frame.groupby(by)[truth].size(),
        "false_positive_rate": (~truths).groupby([frame[c] for c in by]).sum(),
        "false_negative_rate": truths.groupby([frame[c] for c in by]).sum(),
        "precision": flags.groupby([frame[c] for c in by]).sum(),
    }
    keys = list(both[by].itertuples(index=False, name=None)) if len(by) > 1 else list(both[by[0]])
    nobody = np.array([people[m].loc[k] == 0 for m, k in zip(both["metric"], keys, strict=True)])
    assert (both["suppressed"].to_numpy() == nobody).all()
    shown = both[~nobody]
    for column in ["value", "lower", "upper"]:
        np.testing.assert_allclose(
            shown[column].to_numpy(float), shown[f"{column}_fairlearn"].to_numpy(float), rtol=0, atol=1e-12
        )


@st.composite
def _small_audits(draw: st.DrawFn) -> pd.DataFrame:
    """A few small groups: some of one child, some with one or no positives, negatives or flags."""
    parts = []
    for i in range(draw(st.integers(1, 4))):
        size = draw(st.integers(1, 10))
        positives = draw(st.integers(0, size))
        flagged_positives = draw(st.integers(0, positives))
        flagged_negatives = draw(st.integers(0, size - positives))
        label = [True] * positives + [False] * (size - positives)
        flagged = [True] * flagged_positives + [False] * (positives - flagged_positives)
        flagged += [True] * flagged_negatives + [False] * (size - positives - flagged_negatives)
        parts.append(pd.DataFrame({"race_ethnicity": f"Group {i}", "label": label, "flagged": flagged}))
    frame = pd.concat(parts, ignore_index=True)
    return frame.sample(frac=1, random_state=draw(st.integers(0, 2**31 - 1))).reset_index(drop=True)


@settings(max_examples=25, deadline=None)
@given(frame=_small_audits(), n_boot=st.integers(1, 4), seed=st.integers(0, 2**31 - 1))
def test_audit_matches_fairlearn_bootstrap_on_small_data(frame, n_boot, seed):
    _compare_with_fairlearn(frame, ["race_ethnicity"], "label", n_boot, seed)


def test_audit_matches_fairlearn_bootstrap_by_two_columns(scored):
    _compare_with_fairlearn(scored, ["race_ethnicity", "gender"], "need", 4, 11)


def test_audit_keeps_a_group_no_resample_drew():
    frame = pd.DataFrame(
        {
            "race_ethnicity": ["Big"] * 39 + ["One"],
            "label": [True, False] * 20,
            "flagged": [True, False, False, True] * 10,
        }
    )
    missed = 0
    for seed in range(20):
        table = fairness.fairness_audit(frame, n_boot=1, seed=seed, threshold=1)
        one = table[table["race_ethnicity"] == "One"]
        assert len(one) == len(fairness.METRICS)
        missed += bool(one["lower"].isna().all())
    assert missed  # about a third of single resamples leave out the one child


def test_audit_against_need_and_by_two_columns(scored):
    table = fairness.fairness_audit(scored, truth="need", by=["race_ethnicity", "gender"], n_boot=0)
    assert len(table) == 2 * 2 * len(fairness.METRICS)
    with pytest.raises(ValueError, match="truth"):
        fairness.fairness_audit(scored, truth="substantiated", n_boot=0)


def test_audit_hides_metrics_on_small_denominators(scored):
    table = fairness.fairness_audit(scored, n_boot=0, threshold=10_000)
    assert table["suppressed"].all()
    assert table["value"].isna().all() and (table["denominator"] == 0).all()


def test_sweep_and_gaps(scored):
    sweep = fairness.threshold_sweep(scored, shares=[0.1, 0.2, 0.3], threshold=1)
    assert sorted(sweep["share"].unique()) == [0.1, 0.2, 0.3]
    assert sweep.groupby("share")["cutoff"].nunique().eq(1).all()
    gaps = fairness.sweep_gaps(sweep)
    assert len(gaps) == 3 * len(fairness.METRICS)
    assert (gaps["gap"] >= 0).all()
    with pytest.raises(ValueError, match="shares"):
        fairness.threshold_sweep(scored, shares=[])


def test_review_with_perfect_judgement_lifts_every_false_flag(scored):
    out = review.review(scored, skill=1.0, deference=0.0, reach=1.0)
    assert not (out["reviewed"] & ~out["need"]).any()
    assert out.loc[out["need"], "reviewed"].all()
    assert set(out["override"]) <= {"", "kept", "lifted", "added"}
    rubber_stamp = review.review(scored, skill=0.0, deference=1.0)
    assert rubber_stamp["reviewed"].equals(rubber_stamp["flagged"])
    with pytest.raises(ValueError, match="skill"):
        review.review(scored, skill=2)


def test_flag_outcomes_count_and_suppress(scored):
    out = review.flag_outcomes(scored, threshold=1)
    black = out[out["race_ethnicity"] == "Black or African American"].set_index("outcome")
    part = scored[scored["race_ethnicity"] == "Black or African American"]
    assert black.loc["false_flag", "count"] == (part["flagged"] & ~part["need"]).sum()
    assert black.loc["missed", "per_1000"] == pytest.approx(1000 * (~part["flagged"] & part["need"]).mean())
    hidden = review.flag_outcomes(scored, threshold=10_000)
    assert hidden["suppressed"].all() and hidden["count"].isna().all()


def test_uses_give_each_outcome_a_consequence(scored):
    table = review.uses(review.flag_outcomes(scored))
    assert set(table["use"]) == {u["label"] for u in review.USES.values()}
    assert table["what_happens"].notna().all()


def test_impact_template_and_statement():
    questions = impact.impact_questions()
    principles = [p["name"] for p in impact.impact_template()]
    assert principles == ["Responsibility", "Explainability", "Accuracy", "Auditability", "Fairness"]
    first = questions.loc[0, "key"]
    text = impact.impact_statement({first: "The deputy director."}, system="Early warning score", owner="Agency")
    assert text.startswith("# Social Impact Statement: Early warning score\n")
    assert "The deputy director." in text
    assert "## Still open" in text and impact.NOT_ANSWERED in text
    complete = impact.impact_statement(dict.fromkeys(questions["key"], "Yes."), system="Tool")
    assert "Still open" not in complete
    evidence = pd.DataFrame({"group": ["A"], "value": [0.25]})
    assert "| A | 0.250 |" in impact.impact_statement({}, system="Tool", evidence=evidence)


def test_impact_statement_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown key"):
        impact.impact_statement({"nope": "x"}, system="Tool")
    with pytest.raises(ValueError, match="system"):
        impact.impact_statement({}, system=" ")
    with pytest.raises(ValueError, match="person rows"):
        impact.impact_statement({}, system="Tool", evidence=pd.DataFrame({"person_id": ["P1"]}))


def test_charts_have_titles_and_a_bound_slider(scored):
    sweep = fairness.threshold_sweep(scored, shares=[0.1, 0.2], threshold=1)
    spec = algorithms.threshold_chart(sweep).to_dict()
    assert spec["title"]["text"] and spec["description"]
    assert spec["params"][0]["name"] == "percent" and "bind" in spec["params"][0]
    assert "bind" not in algorithms.threshold_chart(sweep, bind=False).to_dict()["params"][0]
    table = fairness.fairness_audit(scored, n_boot=0)
    spec = algorithms.audit_chart(table, title="Audit", description="Dots.").to_dict()
    assert spec["title"]["text"] == "Audit"


def test_audit_by_two_columns_skips_a_combination_with_nobody_in_it():
    """fairlearn crosses the `by` columns in full; a race with no children of one gender has no rows."""
    rng = np.random.default_rng(0)
    size = 400
    scores = pd.DataFrame(
        {
            "race_ethnicity": rng.choice(["A", "B"], size),
            "gender": rng.choice(["F", "M"], size),
            "label": rng.random(size) < 0.3,
            "flagged": rng.random(size) < 0.2,
        }
    )
    scores = scores[~((scores["race_ethnicity"] == "B") & (scores["gender"] == "M"))]
    audit = fairness.fairness_audit(scores, truth="label", by=["race_ethnicity", "gender"], n_boot=5, threshold=1)
    seen = set(zip(audit["race_ethnicity"].astype(str), audit["gender"].astype(str), strict=True))
    assert seen == {("A", "F"), ("A", "M"), ("B", "F")}
    assert (audit.groupby(["race_ethnicity", "gender"], observed=True).size() == len(fairness.METRICS)).all()
