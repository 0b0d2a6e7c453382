"""Tests for equitylens.methods.compare: references, ratio and difference intervals, indices,
headlines."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitylens.data import groups
from equitylens.methods import compare as cmp
from equitylens.methods import disaggregate as dis

Z = 1.959963984540054  # standard normal 97.5% quantile


def table(numerators: list[int], denominators: list[int], names: list[str] | None = None) -> pd.DataFrame:
    names = names or [f"g{i}" for i in range(len(numerators))]
    return pd.DataFrame({"group": names, "numerator": numerators, "denominator": denominators})


TWO = table([30, 10], [100, 100], ["A", "B"])


def test_log_wald_ratio_against_hand_computation() -> None:
    out = cmp.disparities(TWO, group="group", reference=("group", "B")).set_index("group")
    # Katz: SE(log RR) = sqrt(1/30 - 1/100 + 1/10 - 1/100) = sqrt(0.113333...)
    se = math.sqrt(1 / 30 - 1 / 100 + 1 / 10 - 1 / 100)
    assert out.loc["A", "ratio"] == pytest.approx(3.0)
    assert out.loc["A", "ratio_lower"] == pytest.approx(3.0 * math.exp(-Z * se))
    assert out.loc["A", "ratio_upper"] == pytest.approx(3.0 * math.exp(Z * se))
    assert out.loc["A", "ratio_lower"] == pytest.approx(1.5508, abs=1e-4)
    assert out.loc["A", "ratio_upper"] == pytest.approx(5.8033, abs=1e-4)
    # Wald difference: 0.2 +/- 1.96 sqrt(0.3*0.7/100 + 0.1*0.9/100)
    half = Z * math.sqrt(0.3 * 0.7 / 100 + 0.1 * 0.9 / 100)
    assert out.loc["A", "difference"] == pytest.approx(0.2)
    assert out.loc["A", "difference_lower"] == pytest.approx(0.2 - half)
    assert out.loc["A", "difference_upper"] == pytest.approx(0.2 + half)
    # The reference row compares B with itself.
    assert bool(out.loc["B", "is_reference"])
    assert out.loc["B", "ratio"] == 1.0 and out.loc["B", "difference"] == 0.0
    assert math.isnan(out.loc["B", "ratio_lower"])
    assert pd.isna(out.loc["B", "rank"]) and out.loc["A", "rank"] == 1
    assert out.loc["A", "reference_label"] == "compared with B"


def test_others_reference_uses_everyone_else() -> None:
    t = table([30, 10, 20], [100, 100, 200])
    out = cmp.disparities(t, group="group", reference="others").set_index("group")
    # g0 vs g1+g2: 30/100 vs 30/300
    assert out.loc["g0", "reference_rate"] == pytest.approx(0.1)
    assert out.loc["g0", "ratio"] == pytest.approx(3.0)
    se = math.sqrt(1 / 30 - 1 / 100 + 1 / 30 - 1 / 300)
    assert out.loc["g0", "ratio_upper"] == pytest.approx(3.0 * math.exp(Z * se))
    assert out["reference_label"].eq("compared with all other groups combined").all()


def test_total_reference_accounts_for_overlap() -> None:
    t = table([30, 10, 20], [100, 100, 200])
    total = cmp.disparities(t, group="group", reference="total").set_index("group")
    others = cmp.disparities(t, group="group", reference="others").set_index("group")
    assert total.loc["g0", "reference_rate"] == pytest.approx(60 / 400)
    assert total.loc["g0", "ratio"] == pytest.approx(0.3 / 0.15)
    # p - p_total = (1 - w)(p - p_others), and so is its Wald interval.
    w_other = 300 / 400
    for column in ("difference", "difference_lower", "difference_upper"):
        assert total.loc["g0", column] == pytest.approx(w_other * others.loc["g0", column])
    # Delta-method log-ratio SE, written out by hand.
    p, po, pt = 0.3, 0.1, 0.15
    var = (1 / p - 0.25 / pt) ** 2 * p * (1 - p) / 100 + (w_other / pt) ** 2 * po * (1 - po) / 300
    assert total.loc["g0", "ratio_upper"] == pytest.approx(2.0 * math.exp(Z * math.sqrt(var)))
    # Narrower than pretending the total were an independent sample.
    naive = math.sqrt(1 / 30 - 1 / 100 + 1 / 60 - 1 / 400)
    assert math.log(total.loc["g0", "ratio_upper"] / 2.0) < Z * naive


def test_best_reference_picks_the_most_favourable_reliable_group() -> None:
    t = dis.rates_from_counts(table([30, 50, 1], [100, 400, 50]), by="group")
    out = cmp.disparities(t, group="group", reference="best")
    best = out[out["is_reference"]]["group"].tolist()
    assert best == ["g1"]  # g2 has a lower rate but only 1 event: unreliable
    assert out["reference_label"].iloc[0] == "compared with the lowest group rate (g1, 12.5%)"
    high = cmp.disparities(t, group="group", reference="best", favourable="high")
    assert high[high["is_reference"]]["group"].tolist() == ["g0"]
    assert "highest group rate" in high["reference_label"].iloc[0]


def test_target_reference_has_no_variance() -> None:
    out = cmp.disparities(TWO, group="group", reference=("target", 0.2)).set_index("group")
    se = math.sqrt(1 / 30 - 1 / 100)
    assert out.loc["A", "ratio"] == pytest.approx(1.5)
    assert out.loc["A", "ratio_lower"] == pytest.approx(1.5 * math.exp(-Z * se))
    half = Z * math.sqrt(0.3 * 0.7 / 100)
    assert out.loc["A", "difference_upper"] == pytest.approx(0.1 + half)
    assert out.loc["A", "reference_label"] == "compared with the target of 20.0%"


def test_rank_follows_the_unfavourable_direction() -> None:
    t = table([10, 40, 20], [100, 100, 100])
    low = cmp.disparities(t, group="group", reference="total")
    assert low.set_index("group")["rank"].to_dict() == {"g0": 3, "g1": 1, "g2": 2}
    high = cmp.disparities(t, group="group", reference="total", favourable="high")
    assert high.set_index("group")["rank"].to_dict() == {"g0": 1, "g1": 3, "g2": 2}


def test_zero_rate_gives_no_interval() -> None:
    out = cmp.disparities(table([0, 10], [50, 100]), group="group", reference="total")
    assert out.loc[0, "ratio"] == 0.0
    assert math.isnan(out.loc[0, "ratio_lower"])


def test_output_keeps_category_dtype_and_reliability() -> None:
    race = pd.Categorical(["Asian", "White"], categories=list(groups.RACE_LABELS))
    t = dis.rates_from_counts(
        pd.DataFrame({"race_ethnicity": race, "numerator": [30, 40], "denominator": [300, 800]}),
        by="race_ethnicity",
    )
    out = cmp.disparities(t, group="race_ethnicity", reference="total")
    assert isinstance(out["race_ethnicity"].dtype, pd.CategoricalDtype)
    assert {"reliable", "flag"} <= set(out.columns)


# --- Summary indices ----------------------------------------------------------------------


def test_pearcy_keppel_and_between_group_variance_tiny_example() -> None:
    t = table([10, 20, 30], [100, 100, 100], ["a", "b", "c"])
    out = cmp.summary_indices(t, group="group", reference="total").set_index("measure")
    # Rates 10%, 20%, 30%; total 20%: mean |deviation| = 0.2/3; / 0.2 -> 33.3%.
    assert out.loc["index_of_disparity", "value"] == pytest.approx(100 / 3)
    # Equal thirds: (1/3)(0.01 + 0 + 0.01).
    assert out.loc["between_group_variance", "value"] == pytest.approx(0.02 / 3)
    # Against group a (10%): b and c only, (0.1 + 0.2)/2 / 0.1 = 150%.
    versus_a = cmp.summary_indices(t, group="group", reference=("group", "a"))
    assert versus_a.set_index("measure").loc["index_of_disparity", "value"] == pytest.approx(150)
    assert list(out.columns) == ["value", "description"]
    assert "total population" in out.loc["index_of_disparity", "description"]


def test_between_group_variance_weights_by_population() -> None:
    t = table([10, 300], [100, 1000])
    value = cmp.summary_indices(t, group="group", reference=("target", 0.1))
    total = 310 / 1100
    expected = (100 / 1100) * (0.1 - total) ** 2 + (1000 / 1100) * (0.3 - total) ** 2
    assert value.set_index("measure").loc["between_group_variance", "value"] == pytest.approx(expected)


# --- Headline -----------------------------------------------------------------------------


def test_headline_names_the_reference_and_interval() -> None:
    t = table([60, 20, 20], [200, 200, 200], ["Black or African American", "Asian", "White"])
    out = cmp.disparities(t, group="group", reference="total")
    text = cmp.headline(out, noun="youth")
    assert text.startswith("Compared with the total population, Black or African American youth")
    assert "1.8 times the rate (95% CI" in text
    versus_white = cmp.headline(cmp.disparities(t, group="group", reference=("group", "White")))
    assert versus_white.startswith("Compared with White, ")


def test_headline_when_no_group_is_worse() -> None:
    out = cmp.disparities(TWO, group="group", reference=("target", 0.5))
    text = cmp.headline(out)
    assert text.startswith("Compared with the target of 50.0%, no group has a higher rate")


def test_headline_warns_about_unreliable_rates() -> None:
    t = dis.rates_from_counts(table([5, 100], [10, 1000]), by="group")
    text = cmp.headline(cmp.disparities(t, group="group", reference="total"))
    assert "This rate is unreliable (numerator under 20" in text


REFERENCE_CHOICES = st.sampled_from(["total", "best", "others", "group", "target"])


@settings(max_examples=150, deadline=None)
@given(
    data=st.lists(st.tuples(st.integers(1, 500), st.integers(0, 100)), min_size=2, max_size=8),
    kind=REFERENCE_CHOICES,
    favourable=st.sampled_from(cmp.FAVOURABLE),
    target=st.floats(min_value=0.01, max_value=1.0),
)
def test_a_disparity_table_always_names_its_reference(
    data: list[tuple[int, int]], kind: str, favourable: str, target: float
) -> None:
    denominators = [n for n, _ in data]
    numerators = [min(x, n) for n, x in data]
    t = table(numerators, denominators)
    reference: cmp.Reference = ("group", "g1") if kind == "group" else ("target", target) if kind == "target" else kind
    out = cmp.disparities(t, group="group", reference=reference, favourable=favourable)  # type: ignore[arg-type]
    labels = out["reference_label"].unique()
    assert len(labels) == 1 and labels[0].startswith("compared with ")
    text = cmp.headline(out)
    assert text.startswith(labels[0][0].upper() + labels[0][1:])
    # Ratio intervals, where defined, contain the ratio.
    defined = out["ratio_lower"].notna()
    assert (out.loc[defined, "ratio_lower"] <= out.loc[defined, "ratio"] * (1 + 1e-12)).all()
    assert (out.loc[defined, "ratio"] <= out.loc[defined, "ratio_upper"] * (1 + 1e-12)).all()
    assert np.isfinite(out["difference"]).all()


# --- Bad input ----------------------------------------------------------------------------


def test_there_is_no_default_reference() -> None:
    with pytest.raises(TypeError, match="reference"):
        cmp.disparities(TWO, group="group")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match=r"reference=None.*no default"):
        cmp.disparities(TWO, group="group", reference=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: cmp.disparities(TWO, group="group", reference="White"), "reference"),
        (lambda: cmp.disparities(TWO, group="group", reference=("group", "C")), "reference"),
        (lambda: cmp.disparities(TWO, group="group", reference=("target", 0)), "reference"),
        (lambda: cmp.disparities(TWO, group="group", reference=("target", 1.5)), "reference"),
        (lambda: cmp.disparities(TWO, group="group", reference=("best", 1)), "reference"),
        (lambda: cmp.disparities(TWO, group="nope", reference="total"), "group"),
        (
            lambda: cmp.disparities(
                TWO,
                group="group",
                reference="total",
                favourable="up",  # type: ignore[arg-type]
            ),
            "favourable",
        ),
        (lambda: cmp.disparities(TWO, group="group", reference="total", confidence=1.2), "confidence"),
        (lambda: cmp.disparities(TWO.iloc[:0], group="group", reference="total"), "rates_table"),
        (lambda: cmp.disparities(TWO.drop(columns="numerator"), group="group", reference="total"), "numerator"),
        (lambda: cmp.disparities(TWO.assign(numerator=[300, 1]), group="group", reference="total"), "denominator"),
        (
            lambda: cmp.disparities(
                TWO.assign(denominator=[0, 100], numerator=[0, 1]), group="group", reference="total"
            ),
            "denominator",
        ),
        (lambda: cmp.disparities(pd.concat([TWO, TWO]), group="group", reference="total"), "group"),
        (lambda: cmp.disparities(TWO.head(1), group="group", reference="others"), "others"),
        (lambda: cmp.disparities(TWO.assign(reliable=[False, False]), group="group", reference="best"), "best"),
        (lambda: cmp.summary_indices(TWO, group="group", reference="others"), "reference"),
        (lambda: cmp.summary_indices(TWO, group="group", reference="x"), "reference"),
        (lambda: cmp.headline(TWO), "disparities_frame"),
        (lambda: cmp.headline(TWO.iloc[:0]), "disparities_frame"),
    ],
)
def test_bad_input_raises_value_error_naming_argument(call: object, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        call()  # type: ignore[operator]
