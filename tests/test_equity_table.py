"""equity_table / published: one entry point, protection applied last to every column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from equitylens.methods import equity
from equitylens.methods.policy import DEFAULT_POLICY, DisclosurePolicy

K = DEFAULT_POLICY.k
DERIVED = ["rate", "lower", "upper", "rse", *equity.COMPARISON_COLUMNS]


def people(cells: dict[tuple[str, ...], tuple[int, int]], columns: list[str]) -> pd.DataFrame:
    """One row per person from {(keys): (people, events)}."""
    rows = [(*key, i < x) for key, (n, x) in cells.items() for i in range(n)]
    return pd.DataFrame(rows, columns=[*columns, "y"])


SITE = people({("A",): (400, 40), ("B",): (415, 4), ("C",): (500, 60), ("D",): (300, 30)}, ["group"])


def test_small_group_and_its_complement_lose_every_number() -> None:
    out = equity.published(equity.equity_table(SITE, by="group", outcome="y", reference="total"))
    hidden = out["status"] == equity.STATUS_SUPPRESSED
    assert hidden.sum() == 2 and bool(hidden[out["group"] == "B"].all())
    assert out.loc[hidden, DERIVED].isna().all().all()
    assert out.loc[hidden, ["numerator", "denominator", "rank"]].isna().all().all()
    assert "B" not in out["headline"].iloc[0]
    assert "reason" not in out.columns  # naming complements would narrow the hidden cells


def test_a_hidden_reference_hides_every_comparison() -> None:
    out = equity.published(equity.equity_table(SITE, by="group", outcome="y", reference=("group", "B")))
    assert out[list(equity.COMPARISON_COLUMNS)].isna().all().all()
    assert out["rank"].isna().all()
    assert "hidden to protect small counts" in out["headline"].iloc[0]


def test_without_published_totals_only_the_small_group_is_hidden() -> None:
    full = equity.equity_table(SITE, by="group", outcome="y", reference=("group", "A"), publish_totals=False)
    out = equity.published(full)
    assert (out["status"] == equity.STATUS_SUPPRESSED).tolist() == [False, True, False, False]
    assert out.loc[out["group"] == "A", "ratio"].iloc[0] == 1.0


def test_zero_reference_rate_is_flagged_by_name() -> None:
    frame = people({("A",): (100, 0), ("B",): (100, 30)}, ["group"])
    full = equity.equity_table(frame, by="group", outcome="y", reference=("group", "A"))
    assert full["warning"].str.contains("reference rate is 0 (compared with A)", regex=False).all()


def test_missing_outcomes_are_counted_and_warned_about() -> None:
    frame = SITE.copy()
    frame["y"] = frame["y"].astype("boolean")
    frame.loc[frame.index[:40], "y"] = pd.NA  # 40 of group A's 400
    full = equity.equity_table(frame, by="group", outcome="y", reference="total")
    assert int(full.loc[full["group"] == "A", "missing"].iloc[0]) == 40
    assert int(full.loc[full["group"] == "A", "denominator"].iloc[0]) == 360
    out = equity.published(full)
    assert "no recorded outcome (A)" in out["headline"].iloc[0]


def test_a_small_missing_count_is_not_published() -> None:
    frame = SITE.copy()
    frame["y"] = frame["y"].astype("boolean")
    frame.loc[frame.index[:3], "y"] = pd.NA
    out = equity.published(equity.equity_table(frame, by="group", outcome="y", reference="total"))
    assert out["missing"].isna().iloc[0]


def test_several_columns_strata_and_favourable_as_a_column(tmp_path) -> None:
    cells = {
        (s, g, h): (120 + 10 * i, 30 + 3 * i)
        for i, (s, g, h) in enumerate((s, g, h) for s in ("north", "south") for g in ("a", "b") for h in ("x", "y"))
    }
    frame = people(cells, ["area", "g", "h"])
    full = equity.equity_table(
        frame, by=["g", "h"], strata="area", outcome="y", reference=("group", ("a", "x")), favourable="high"
    )
    assert set(full["stratum"]) == {"north", "south"}
    assert full.groupby("stratum")["is_reference"].sum().tolist() == [1, 1]
    assert (full["favourable"] == "high").all()
    path = tmp_path / "t.csv"
    equity.published(full).to_csv(path, index=False)
    assert (pd.read_csv(path)["favourable"] == "high").all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reference": "White"}, "no default"),
        ({"reference": "total", "strata": "group"}, "share column"),
        ({"reference": "total", "by": []}, "at least one column"),
        ({"reference": "total", "favourable": "up"}, "favourable"),
        ({"reference": "total", "policy": 11}, "DisclosurePolicy"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs: dict[str, object], message: str) -> None:
    options: dict[str, object] = {"by": "group", "outcome": "y", **kwargs}
    with pytest.raises(ValueError, match=message):
        equity.equity_table(SITE, **options)  # type: ignore[arg-type]


def test_published_refuses_other_tables() -> None:
    with pytest.raises(ValueError, match="equity_table"):
        equity.published(SITE)


def test_an_unprotectable_total_raises_with_the_fix() -> None:
    frame = people({("A",): (100, 3), ("B",): (100, 2)}, ["group"])
    with pytest.raises(ValueError, match="publish_totals=False"):
        equity.equity_table(frame, by="group", outcome="y", reference="total")


# --- property: nothing derived from a small numerator survives --------------------------

group_counts = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 200)).map(lambda t: (min(t), max(t))),
    min_size=3,
    max_size=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    counts=group_counts,
    reference=st.sampled_from(["total", "others", "best", "first", "target"]),
    threshold=st.sampled_from([5, 11, 20]),
)
def test_no_derived_column_reveals_a_suppressed_numerator(
    counts: list[tuple[int, int]], reference: str, threshold: int
) -> None:
    cells = {(f"g{i}",): (n, x) for i, (x, n) in enumerate(counts) if n > 0}
    frame = people(cells, ["group"])
    if frame["group"].nunique() < 2:
        return
    policy = DisclosurePolicy(threshold=threshold)
    ref = {
        "first": ("group", "g0" if "g0" in set(frame["group"]) else frame["group"].iloc[0]),
        "target": ("target", 0.2),
    }
    chosen = ref.get(reference, reference)
    try:
        out = equity.published(equity.equity_table(frame, by="group", outcome="y", reference=chosen, policy=policy))
    except ValueError as error:  # refusing is allowed only for the documented reasons
        assert "cannot be published safely" in str(error) or "no group has a reliable rate" in str(error)
        return

    # Oracle: counts straight from the people, with a plain groupby (no masking code).
    truth = frame.groupby("group")["y"].agg(["sum", "count"])
    without = truth["count"] - truth["sum"]
    small = (
        ((truth["sum"] > 0) & (truth["sum"] < threshold))
        | ((without > 0) & (without < threshold))
        | (truth["count"] < threshold)
    )
    table = out.set_index("group")
    for group in truth.index[small]:
        assert table.loc[group, DERIVED].isna().all(), group
        assert pd.isna(table.loc[group, "numerator"]) and pd.isna(table.loc[group, "rank"])
    hidden_rates = (truth["sum"] / truth["count"])[small].to_numpy()
    # If the hidden groups share one rate, any pool of them has it too, and a pool large enough to
    # publish (e.g. "others" for a shown group) shows it. Strictly between 0 and 1 that is a
    # coincidence nobody can see. At 1 (every hidden person had the outcome) or 0 (none did) the
    # pool does tell each group's rate: a known limit, reported; an attacker needs no count.
    one_rate = len(hidden_rates) > 0 and np.allclose(hidden_rates, hidden_rates[0])
    pooled_reveals = one_rate and (len(hidden_rates) >= 2 or hidden_rates[0] in (0.0, 1.0))
    shown = ~table["rate"].isna()
    published_rates = table.loc[shown, "rate"].to_numpy()
    candidates = np.concatenate(
        [
            (table["ratio"] * table["reference_rate"]).to_numpy(dtype=float),
            (table["difference"] + table["reference_rate"]).to_numpy(dtype=float),
            table["reference_rate"].to_numpy(dtype=float),
        ]
    )
    candidates = candidates[np.isfinite(candidates)]
    for rate in [] if pooled_reveals else hidden_rates:
        if np.isclose(rate, published_rates).any() or (reference == "target" and np.isclose(rate, 0.2)):
            continue  # the same value is published honestly for another group
        assert not np.isclose(candidates, rate).any(), rate
    hidden = table["status"] == equity.STATUS_SUPPRESSED
    if hidden.any():
        # With the total published, a lone hidden group would come back by subtraction,
        # and the hidden ones together must leave the attacker a range of `threshold`.
        assert hidden.sum() >= 2
        assert truth.loc[hidden[hidden].index, "sum"].sum() >= threshold or not small[truth["sum"] > 0].any()
