"""The one disclosure policy, and the old rates -> disparities -> protect pipelines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitylens.methods import compare, disaggregate
from equitylens.methods.policy import DEFAULT_POLICY, NO_PROTECTION, THRESHOLD_PRESETS, DisclosurePolicy, as_policy
from equitylens.stages import publish

K = DEFAULT_POLICY.k


def test_defaults_come_from_the_cms_preset_and_nchs() -> None:
    assert DEFAULT_POLICY.threshold == THRESHOLD_PRESETS["cms"].threshold
    assert DEFAULT_POLICY.protection == DEFAULT_POLICY.threshold
    assert DEFAULT_POLICY.suppress_zeros is False
    assert (DEFAULT_POLICY.min_numerator, DEFAULT_POLICY.max_rse) == (20, 0.30)
    assert "Medicare" in DEFAULT_POLICY.source()
    assert f"1 to {K - 1}" in DEFAULT_POLICY.rule()


def test_presets_resolve_and_keep_their_name() -> None:
    policy = DisclosurePolicy(threshold="cdc_wonder")
    assert policy.threshold == THRESHOLD_PRESETS["cdc_wonder"].threshold
    assert policy.preset == "cdc_wonder"
    assert "WONDER" in policy.source()
    assert DisclosurePolicy(threshold=7).source().startswith("A threshold of 7")


def test_the_one_masking_rule() -> None:
    x = np.array([0, 1, K - 1, K, 50, 0])
    n = np.array([100, 100, 100, 100, 100, K - 1])
    assert DEFAULT_POLICY.small(x, n).tolist() == [False, True, True, False, False, True]
    assert DEFAULT_POLICY.small_count(x).tolist() == [False, True, True, False, False, False]
    zeros = DisclosurePolicy(suppress_zeros=True)
    assert zeros.small_count([0, K]).tolist() == [True, False]
    assert NO_PROTECTION.small([1, 2], [3, 4]).tolist() == [False, False]


def test_reliability_rule() -> None:
    policy = DisclosurePolicy(min_numerator=5, max_rse=0.5)
    assert policy.reliable([4, 5, 5], [0.1, 0.6, 0.5]).tolist() == [False, False, True]


def test_with_threshold_moves_protection_along_unless_set_apart() -> None:
    assert DEFAULT_POLICY.with_threshold(20).protection == 20
    assert DisclosurePolicy(protection=3).with_threshold(20).protection == 3
    assert DEFAULT_POLICY.with_threshold(None) is DEFAULT_POLICY
    assert as_policy(None, "cdc_wonder").threshold == THRESHOLD_PRESETS["cdc_wonder"].threshold


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": "nope"}, "threshold='nope'"),
        ({"threshold": 0}, "threshold=0"),
        ({"protection": 0}, "protection=0"),
        ({"suppress_zeros": "yes"}, "suppress_zeros='yes'"),
        ({"min_numerator": -1}, "min_numerator=-1"),
        ({"max_rse": 0}, "max_rse=0"),
    ],
)
def test_bad_settings_raise_naming_the_argument(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DisclosurePolicy(**kwargs)  # type: ignore[arg-type]


def test_as_policy_refuses_other_objects() -> None:
    with pytest.raises(ValueError, match="DisclosurePolicy"):
        as_policy(11)  # type: ignore[arg-type]


def test_policy_is_frozen() -> None:
    with pytest.raises(AttributeError):
        DEFAULT_POLICY.threshold = 5  # type: ignore[misc]


# --- the old pipelines ------------------------------------------------------------------

GROUPS = pd.DataFrame(
    {
        "group": ["A", "B", "C", "D"],
        "numerator": [40, 4, 60, 30],
        "denominator": [400, 415, 500, 300],
    }
)


def people(table: pd.DataFrame) -> pd.DataFrame:
    rows = [
        (g, i < x) for g, x, n in table[["group", "numerator", "denominator"]].itertuples(index=False) for i in range(n)
    ]
    return pd.DataFrame(rows, columns=["group", "y"])


@pytest.mark.parametrize("reference", ["total", "others", "best", ("group", "A"), ("group", "B"), ("target", 0.1)])
def test_disparities_then_protect_does_not_leak(reference: compare.Reference) -> None:
    rates = disaggregate.rates(people(GROUPS), by="group", outcome="y")
    out = publish.protect_rates(compare.disparities(rates, group="group", reference=reference))
    hidden = out["status"] != publish.STATUS_PUBLISHED
    small = GROUPS["numerator"].between(1, K - 1).to_numpy()
    assert hidden[small].all()
    derived = [*publish.RATE_COLUMNS, *publish.COMPARISON_COLUMNS]
    assert out.loc[hidden, [c for c in derived if c in out.columns]].isna().all().all()
    assert out.loc[hidden, "rank"].isna().all()
    true_rate = 4 / 415
    back = np.concatenate(
        [
            (out["ratio"] * out["reference_rate"]).to_numpy(dtype=float),
            (out["difference"] + out["reference_rate"]).to_numpy(dtype=float),
            out["reference_rate"].to_numpy(dtype=float),
        ]
    )
    assert not np.isclose(back, true_rate).any()
    if reference in ("total", "others"):  # the total is published: one more row hidden
        assert hidden.sum() >= 2
    if reference == ("group", "B"):  # the reference itself is hidden: no comparison survives
        assert out[list(publish.COMPARISON_COLUMNS)].isna().all().all()


def test_protect_then_disparities_refuses_and_says_what_to_do() -> None:
    rates = disaggregate.rates(people(GROUPS), by="group", outcome="y")
    protected = publish.protect_rates(rates)
    with pytest.raises(ValueError, match="protect last"):
        compare.disparities(protected, group="group", reference="total")


def test_protect_rates_refuses_an_already_protected_table() -> None:
    protected = publish.protect_rates(disaggregate.rates(people(GROUPS), by="group", outcome="y"))
    with pytest.raises(ValueError, match="already protected"):
        publish.protect_rates(protected)


def test_rates_count_missing_outcomes() -> None:
    frame = pd.DataFrame({"g": ["a", "a", "a", "b"], "y": [1.0, np.nan, 0.0, np.nan]})
    out = disaggregate.rates(frame, by="g", outcome="y").set_index("g")
    assert out["missing"].tolist() == [1, 1]
    assert out["denominator"].tolist() == [2, 0]
    total = disaggregate.rates(frame, by=[], outcome="y")
    assert int(total["missing"].iloc[0]) == 2


def test_headline_reads_favourable_from_the_column_after_a_round_trip(tmp_path) -> None:
    t = pd.DataFrame({"group": ["A", "B"], "numerator": [60, 20], "denominator": [200, 200]})
    result = compare.disparities(t, group="group", reference="total", favourable="high")
    path = tmp_path / "d.csv"
    result.to_csv(path, index=False)
    again = pd.read_csv(path)
    assert again.attrs == {}
    assert compare.headline(again, group="group") == compare.headline(result)
