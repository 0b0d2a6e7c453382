"""Tests for equitylens.methods.disaggregate: counting rules, rates, intervals, Simpson, ladder."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from equitylens.data import groups
from equitylens.methods import disaggregate as dis

FLAGS = list(groups.RACE_FLAGS)
LABEL = dict(groups.RACE_FLAGS)


def people(selections: Sequence[Iterable[str]], **columns: Sequence[object]) -> pd.DataFrame:
    """A person-level frame from each person's selected flag columns."""
    frame = pd.DataFrame({flag: [flag in set(s) for s in selections] for flag in FLAGS})
    frame.insert(0, "person_id", range(len(selections)))
    for name, values in columns.items():
        frame[name] = list(values)
    return frame


def from_cells(cells: Sequence[tuple[str, str, int, int]]) -> pd.DataFrame:
    """Person rows from (stratum, group, events, people) cells."""
    rows = [(s, g, i < x) for s, g, x, n in cells for i in range(n)]
    return pd.DataFrame(rows, columns=["lending_grade", "group", "y"])


# --- race_ethnicity -----------------------------------------------------------------------


MIXED = [
    ["race_black"],
    ["race_black", "race_hispanic"],
    [],
    ["race_white"],
    ["race_white", "race_mena"],
    ["race_hispanic"],
]


def test_alone_rule_assigns_one_group_each() -> None:
    out = dis.race_ethnicity(people(MIXED), rule="alone")
    assert out["race_ethnicity"].tolist() == [
        LABEL["race_black"],
        groups.MULTIRACIAL,
        groups.NOT_REPORTED,
        LABEL["race_white"],
        groups.MULTIRACIAL,
        LABEL["race_hispanic"],
    ]
    assert out["person_id"].tolist() == list(range(6))


def test_alone_or_in_combination_counts_every_selection() -> None:
    out = dis.race_ethnicity(people(MIXED), rule="alone_or_in_combination")
    assert len(out) == 1 + 2 + 1 + 1 + 2 + 1
    black = out[out["race_ethnicity"] == LABEL["race_black"]]["person_id"].tolist()
    assert black == [0, 1]
    assert groups.MULTIRACIAL not in set(out["race_ethnicity"])


def test_hispanic_any_race_puts_hispanic_first() -> None:
    out = dis.race_ethnicity(people(MIXED), rule="hispanic_any_race")
    assert out["race_ethnicity"].tolist() == [
        LABEL["race_black"],
        LABEL["race_hispanic"],
        groups.NOT_REPORTED,
        LABEL["race_white"],
        groups.MULTIRACIAL,
        LABEL["race_hispanic"],
    ]


def test_category_order_is_deliberate_and_unordered() -> None:
    out = dis.race_ethnicity(people(MIXED))
    dtype = out["race_ethnicity"].dtype
    assert isinstance(dtype, pd.CategoricalDtype)
    assert list(dtype.categories) == [*groups.RACE_LABELS, groups.MULTIRACIAL, groups.NOT_REPORTED]
    assert not dtype.ordered


def test_not_reported_can_be_dropped() -> None:
    out = dis.race_ethnicity(people(MIXED), include_not_reported=False)
    assert len(out) == 5
    assert groups.NOT_REPORTED not in set(out["race_ethnicity"])


def test_missing_flags_count_as_not_selected() -> None:
    frame = people(MIXED)
    frame["race_black"] = pd.array([True, pd.NA, False, False, False, False], dtype="boolean")
    out = dis.race_ethnicity(frame)
    assert out["race_ethnicity"].iloc[1] == LABEL["race_hispanic"]


# --- intervals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "n", "lower", "upper"),
    [  # Newcombe (1998), Stat Med 17:857-872, Table I, method 3 (Wilson score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0),
    ],
)
def test_wilson_matches_textbook(x: int, n: int, lower: float, upper: float) -> None:
    lo, hi = dis.proportion_interval([x], [n], method="wilson")
    assert round(float(lo[0]), 4) == lower
    assert round(float(hi[0]), 4) == upper


@pytest.mark.parametrize(("x", "n"), [(0, 10), (1, 10), (5, 37), (37, 37), (120, 4000)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_clopper_pearson_matches_scipy(x: int, n: int, confidence: float) -> None:
    lo, hi = dis.proportion_interval([x], [n], method="clopper-pearson", confidence=confidence)
    ci = stats.binomtest(x, n).proportion_ci(confidence_level=confidence, method="exact")
    assert lo[0] == pytest.approx(ci.low, abs=1e-10)
    assert hi[0] == pytest.approx(ci.high, abs=1e-10)


SCIPY_METHOD = {"wilson": "wilson", "clopper-pearson": "exact"}


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=1_000_000),
    share=st.floats(min_value=0, max_value=1),
    method=st.sampled_from(dis.INTERVAL_METHODS),
    confidence=st.floats(min_value=0.5, max_value=0.999),
)
def test_intervals_match_scipy(n: int, share: float, method: str, confidence: float) -> None:
    """scipy is the oracle: the kit's Wilson and Clopper-Pearson bounds are scipy's."""
    x = round(share * n)
    lo, hi = dis.proportion_interval([x], [n], method=method, confidence=confidence)  # type: ignore[arg-type]
    ci = stats.binomtest(x, n).proportion_ci(confidence_level=confidence, method=SCIPY_METHOD[method])
    assert lo[0] == pytest.approx(ci.low, abs=1e-9)
    assert hi[0] == pytest.approx(ci.high, abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=1_000_000),
    share=st.floats(min_value=0, max_value=1),
    confidence=st.floats(min_value=0.5, max_value=0.999),
)
def test_quantiles_are_exactly_scipy_stats(n: int, share: float, confidence: float) -> None:
    """The package takes its quantiles from scipy.special (quick to import); they are scipy.stats' to the bit."""
    x = float(round(share * n))
    alpha = 1.0 - confidence
    assert dis._z_value(confidence) == float(stats.norm.ppf(0.5 + confidence / 2.0))
    lo, hi = dis._clopper_pearson(np.array([x]), np.array([float(n)]), confidence)
    if x > 0:
        assert lo[0] == stats.beta.ppf(alpha / 2.0, x, n - x + 1.0)
    if x < n:
        assert hi[0] == stats.beta.ppf(1.0 - alpha / 2.0, x + 1.0, n - x)


# --- rates --------------------------------------------------------------------------------


def test_rates_columns_and_category_order() -> None:
    grade = pd.Categorical(["B", "A", "B", "A", "B"], categories=["C", "B", "A"])
    frame = pd.DataFrame({"grade": grade, "y": [True, False, True, True, False]})
    out = dis.rates(frame, by="grade", outcome="y")
    assert list(out.columns) == [
        "grade",
        "numerator",
        "denominator",
        "missing",
        "rate",
        "lower",
        "upper",
        "rse",
        "reliable",
        "flag",
    ]
    assert out["grade"].tolist() == ["B", "A"]  # observed only, category order
    assert out["numerator"].tolist() == [2, 1]
    assert out["denominator"].tolist() == [3, 2]


def test_rates_with_no_by_gives_one_total_row() -> None:
    frame = pd.DataFrame({"y": [True, False, False, True]})
    out = dis.rates(frame, by=[], outcome="y")
    assert len(out) == 1
    assert out.loc[0, "rate"] == 0.5


def test_rates_keep_people_with_a_missing_group() -> None:
    frame = pd.DataFrame({"g": ["a", None, "a"], "y": [True, True, False]})
    out = dis.rates(frame, by="g", outcome="y")
    assert out["denominator"].tolist() == [2, 1]
    assert pd.isna(out["g"].iloc[1])


def test_rates_drop_missing_outcomes_from_both_counts() -> None:
    frame = pd.DataFrame({"g": ["a"] * 4, "y": pd.array([True, None, False, True], "boolean")})
    out = dis.rates(frame, by="g", outcome="y")
    assert (out.loc[0, "numerator"], out.loc[0, "denominator"]) == (2, 3)


def test_rse_and_reliability_flags() -> None:
    counts = pd.DataFrame(
        {"g": ["small", "noisy", "none", "solid"], "numerator": [19, 2, 0, 400], "denominator": [1000, 4, 50, 1000]}
    )
    out = dis.rates_from_counts(counts, by="g").set_index("g")
    assert out.loc["small", "flag"] == "numerator under 20"
    assert out.loc["small", "rse"] == pytest.approx(math.sqrt((1 - 0.019) / 19))
    assert out.loc["noisy", "flag"] == "numerator under 20; RSE over 30%"
    assert out.loc["noisy", "rse"] == pytest.approx(0.5)
    assert math.isnan(out.loc["none", "rse"])
    assert "no events" in out.loc["none", "flag"]
    assert out.loc["solid", "flag"] == ""
    assert out["reliable"].tolist() == [False, False, False, True]
    relaxed = dis.rates_from_counts(counts, by="g", min_numerator=1).set_index("g")
    assert relaxed.loc["noisy", "flag"] == "RSE over 30%"
    assert bool(relaxed.loc["small", "reliable"])


def test_rates_from_counts_rolls_up_and_matches_rates() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {"a": rng.choice(["x", "y", "z"], 500), "b": rng.choice(["p", "q"], 500), "y": rng.random(500) < 0.3}
    )
    fine = dis.rates(frame, by=["a", "b"], outcome="y")
    rolled = dis.rates_from_counts(fine, by="a")
    direct = dis.rates(frame, by="a", outcome="y")
    pd.testing.assert_frame_equal(rolled, direct)


def test_rates_zero_denominator_cell() -> None:
    counts = pd.DataFrame({"g": ["a", "b"], "numerator": [0, 5], "denominator": [0, 50]})
    out = dis.rates_from_counts(counts, by="g")
    assert out.loc[0, "flag"] == dis.FLAG_NO_PEOPLE
    assert math.isnan(out.loc[0, "lower"])


@settings(max_examples=60, deadline=None)
@given(
    matrix=st.lists(st.lists(st.booleans(), min_size=7, max_size=7), min_size=1, max_size=60),
    outcomes=st.lists(st.booleans(), min_size=60, max_size=60),
)
def test_partition_rules_sum_to_total_and_combination_exceeds(matrix: list[list[bool]], outcomes: list[bool]) -> None:
    frame = pd.DataFrame(matrix, columns=FLAGS)
    frame["y"] = outcomes[: len(frame)]
    for rule in ("alone", "hispanic_any_race"):
        table = dis.rates(dis.race_ethnicity(frame, rule=rule), by="race_ethnicity", outcome="y")
        assert table["denominator"].sum() == len(frame)
        assert table["numerator"].sum() == frame["y"].sum()
    combined = dis.rates(dis.race_ethnicity(frame, rule="alone_or_in_combination"), by="race_ethnicity", outcome="y")
    assert combined["denominator"].sum() >= len(frame)


# --- Simpson ------------------------------------------------------------------------------


PARADOX = [("A", "X", 1, 20), ("A", "Y", 10, 100), ("D", "X", 40, 100), ("D", "Y", 5, 10)]


def test_simpson_reversal_in_every_stratum() -> None:
    result = dis.simpson_check(
        from_cells(PARADOX), outcome="y", group="group", compare=("X", "Y"), stratum="lending_grade"
    )
    assert set(result["verdict"]) == {"every"}
    within = result[result["scope"] == "within"]
    assert within["reverses"].all()
    overall = result[result["scope"] == "overall"].set_index("group")["rate"]
    assert overall["X"] == pytest.approx(41 / 120)
    assert dis.describe_simpson(result) == (
        "Across the county, the X group has a higher rate than the Y group (34.2% vs 13.6%), "
        "but within every lending grade the X group has the lower rate."
    )


def test_simpson_most_and_none() -> None:
    cells = [
        *PARADOX,
        ("B", "X", 30, 100),
        ("B", "Y", 2, 10),  # X higher here: no reversal
        ("C", "X", 3, 10),
        ("C", "Y", 40, 100),
    ]
    result = dis.simpson_check(
        from_cells(cells), outcome="y", group="group", compare=("X", "Y"), stratum="lending_grade"
    )
    assert result.attrs["simpson"]["verdict"] == "most"
    text = dis.describe_simpson(result)
    assert "within 3 of 4 lending grades (A, C and D)" in text

    plain = [("A", "X", 20, 100), ("A", "Y", 10, 100), ("B", "X", 30, 100), ("B", "Y", 20, 100)]
    result = dis.simpson_check(
        from_cells(plain), outcome="y", group="group", compare=("X", "Y"), stratum="lending_grade"
    )
    assert result.attrs["simpson"]["verdict"] == "none"
    assert "no Simpson's paradox" in dis.describe_simpson(result)


def test_simpson_some() -> None:
    cells = [
        ("A", "X", 1, 20),
        ("A", "Y", 10, 100),
        ("B", "X", 30, 100),
        ("B", "Y", 2, 10),
        ("C", "X", 40, 100),
        ("C", "Y", 1, 10),
    ]
    result = dis.simpson_check(
        from_cells(cells), outcome="y", group="group", compare=("X", "Y"), stratum="lending_grade"
    )
    assert result.attrs["simpson"]["verdict"] == "some"
    assert "reverses within 1 of 3 lending grades (A) but holds in the rest" in (dis.describe_simpson(result))


def test_describe_simpson_needs_a_simpson_result() -> None:
    with pytest.raises(ValueError, match="simpson_check"):
        dis.describe_simpson(pd.DataFrame({"a": [1]}))


# --- Ladder -------------------------------------------------------------------------------


def test_default_ladder_levels() -> None:
    assert dis.LADDER[0][0] == "County total"
    assert dis.LADDER[0][1] == ()
    assert dis.LADDER[-1][1][-1] == "neighbourhood_id"
    for (_, shorter), (_, longer) in zip(dis.LADDER, dis.LADDER[1:], strict=False):
        assert tuple(longer[: len(shorter)]) == tuple(shorter)


# --- Bad input ----------------------------------------------------------------------------


FRAME = people(MIXED, y=[True, False, True, False, True, False], g=list("aabbcc"))


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: dis.race_ethnicity(FRAME, rule="largest_group"), "rule"),  # type: ignore[arg-type]
        (lambda: dis.race_ethnicity(FRAME.drop(columns="race_white")), "race_white"),
        (lambda: dis.race_ethnicity(FRAME.iloc[:0]), "frame"),
        (lambda: dis.race_ethnicity("people"), "frame"),  # type: ignore[arg-type]
        (lambda: dis.rates(FRAME, by="nope", outcome="y"), "by"),
        (lambda: dis.rates(FRAME, by="g", outcome="nope"), "outcome"),
        (lambda: dis.rates(FRAME, by="g", outcome="g"), "outcome"),
        (lambda: dis.rates(FRAME, by=["g", "g"], outcome="y"), "by"),
        (lambda: dis.rates(FRAME, by="g", outcome="y", method="wald"), "method"),  # type: ignore[arg-type]
        (lambda: dis.rates(FRAME, by="g", outcome="y", confidence=1.0), "confidence"),
        (lambda: dis.rates(FRAME, by="g", outcome="y", confidence=0), "confidence"),
        (lambda: dis.rates(FRAME, by="g", outcome="y", confidence=95), "confidence"),
        (lambda: dis.rates(FRAME, by="g", outcome="y", min_numerator=-1), "min_numerator"),
        (lambda: dis.rates(FRAME, by="g", outcome="y", max_rse=0), "max_rse"),
        (lambda: dis.rates(FRAME.iloc[:0], by="g", outcome="y"), "frame"),
        (lambda: dis.rates(FRAME.assign(y=[2, 0, 1, 0, 1, 0]), by="g", outcome="y"), "outcome"),
        (
            lambda: dis.rates_from_counts(pd.DataFrame({"g": ["a"], "numerator": [5], "denominator": [3]}), by="g"),
            "numerator",
        ),
        (
            lambda: dis.rates_from_counts(pd.DataFrame({"g": ["a"], "numerator": [-1], "denominator": [3]}), by="g"),
            "numerator",
        ),
        (
            lambda: dis.rates_from_counts(pd.DataFrame({"g": ["a"], "k": [1]}), by="g"),
            "numerator",
        ),
        (
            lambda: dis.simpson_check(FRAME, outcome="y", group="g", compare=("a", "z"), stratum="race_white"),
            "compare",
        ),
        (
            lambda: dis.simpson_check(FRAME, outcome="y", group="g", compare=("a", "a"), stratum="race_white"),
            "compare",
        ),
        (
            lambda: dis.simpson_check(FRAME, outcome="y", group="g", compare=("a", "b"), stratum="nope"),
            "stratum",
        ),
    ],
)
def test_bad_input_raises_value_error_naming_argument(call: object, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        call()  # type: ignore[operator]
