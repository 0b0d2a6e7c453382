"""Tests for equitylens.methods.suppress: primary/complementary suppression, the LP audit,
rounding and collapsing."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from equitylens.data import groups
from equitylens.methods import attack
from equitylens.methods import policy as pol
from equitylens.methods import suppress as sup

K = pol.DEFAULT_THRESHOLD


def grid_table(values: np.ndarray, names: tuple[str, ...] = ("r", "c", "s")) -> pd.DataFrame:
    """A tidy table (one row per cell) from a 2-D or 3-D array of counts."""
    dims = names[: values.ndim]
    index = list(itertools.product(*(range(size) for size in values.shape)))
    table = pd.DataFrame(index, columns=list(dims))
    table["n"] = values.reshape(-1).astype(np.int64)
    return table


def dims_of(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if c != "n"]


# --- An independent attacker ----------------------------------------------------------------
#
# The oracle shares no code with suppress or attack: it lays the table out as a dense array
# (missing combinations are published zeros), writes one equation per line (every margin is a
# sum of line totals), fixes the published cells and asks scipy's linprog for each hidden
# cell's minimum and maximum over all non-negative tables. In 2-D the constraint matrix is
# totally unimodular, so these are also the bounds over whole-number tables.


def oracle_ranges(table: pd.DataFrame, dims: list[str], hidden: np.ndarray) -> np.ndarray:
    """(lower, upper) for each hidden row of ``table``, in table order."""
    codes = [pd.factorize(table[d], sort=True)[0] for d in dims]
    shape = tuple(int(c.max()) + 1 for c in codes)
    flat = np.ravel_multi_index(tuple(codes), shape)
    values = np.zeros(int(np.prod(shape)))
    values[flat] = table["n"].to_numpy()
    known = np.ones(values.size, dtype=bool)
    known[flat[hidden]] = False
    ids = np.arange(values.size).reshape(shape)
    rows = []
    for axis in range(len(shape)):
        for line in np.moveaxis(ids, axis, -1).reshape(-1, shape[axis]):
            row = np.zeros(values.size)
            row[line] = 1.0
            rows.append(row)
    a_eq = np.array(rows)
    b_eq = a_eq @ values
    box = [(v, v) if k else (0, None) for v, k in zip(values, known, strict=True)]
    out = []
    for cell in flat[hidden]:
        ends = []
        for sign in (1.0, -1.0):
            cost = np.zeros(values.size)
            cost[cell] = sign
            result = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=box, method="highs")
            assert result.status == 0
            ends.append(sign * result.fun)
        out.append((int(np.ceil(ends[0] - 1e-6)), int(np.floor(ends[1] + 1e-6))))
    return np.array(out, dtype=np.int64).reshape(-1, 2)


def test_oracle_matches_hand_computed_interval() -> None:
    table = grid_table(np.array([[3, 20], [30, 40]]))
    assert oracle_ranges(table, ["r", "c"], np.ones(4, dtype=bool)).tolist() == [[0, 23], [0, 23], [10, 33], [37, 60]]
    assert oracle_ranges(table, ["r", "c"], np.array([True, False, False, False])).tolist() == [[3, 3]]


# --- Presets and primary ------------------------------------------------------------------


def test_presets_have_sources_and_default_is_cms() -> None:
    assert K == 11
    assert pol.THRESHOLD_PRESETS["cms"].threshold == 11
    assert pol.THRESHOLD_PRESETS["cdc_wonder"].threshold == 10
    assert pol.resolve_threshold("cdc_wonder") == 10


@pytest.mark.parametrize("name", sorted(pol.THRESHOLD_PRESETS))
def test_every_preset_is_a_sourced_rule_that_primary_applies(name: str) -> None:
    """What any preset must satisfy, however many there are."""
    preset = pol.THRESHOLD_PRESETS[name]
    assert isinstance(preset.threshold, int) and preset.threshold >= 2
    assert len(preset.source.split()) >= 8 and preset.source.rstrip().endswith("."), "cite where the rule comes from"
    low, high = map(int, preset.suppresses.split("-"))
    assert (low, high) == (1, preset.threshold - 1)
    assert pol.resolve_threshold(name) == preset.threshold
    counts = pd.DataFrame({"g": [f"c{n}" for n in range(preset.threshold + 2)], "n": range(preset.threshold + 2)})
    hidden = counts.loc[sup.primary(counts, threshold=name)["suppressed"], "n"].tolist()
    assert hidden == list(range(low, high + 1))


def test_presets_name_different_thresholds() -> None:
    thresholds = [preset.threshold for preset in pol.THRESHOLD_PRESETS.values()]
    assert len(set(thresholds)) == len(thresholds), "two presets with one threshold is one choice shown twice"


def test_primary_hides_one_to_threshold_minus_one() -> None:
    table = pd.DataFrame({"g": list("abcde"), "n": [0, 1, 10, 11, 500]})
    out = sup.primary(table)
    assert out["suppressed"].tolist() == [False, True, True, False, False]
    assert out["published"].tolist() == [0, pd.NA, pd.NA, 11, 500]
    assert str(out["published"].dtype) == "Int64"
    assert out["reason"].tolist() == ["", "count 1-10 (primary)", "count 1-10 (primary)", "", ""]
    zeros = sup.primary(table, suppress_zeros=True, threshold="cdc_wonder")
    assert zeros["suppressed"].tolist() == [True, True, False, False, False]


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=40),
    threshold=st.integers(min_value=1, max_value=30),
    suppress_zeros=st.booleans(),
)
def test_primary_never_publishes_a_small_count(values: list[int], threshold: int, suppress_zeros: bool) -> None:
    frame = pd.DataFrame({"n": values})
    out = sup.primary(frame, threshold=threshold, suppress_zeros=suppress_zeros)
    published = out["published"].dropna().astype(int)
    assert not ((published > 0) & (published < threshold)).any()
    if suppress_zeros:
        assert not (published == 0).any()
    assert (out.loc[~out["suppressed"], "published"] == out.loc[~out["suppressed"], "n"]).all()


# --- Margins and audit --------------------------------------------------------------------


def test_margins_of_a_two_way_table() -> None:
    table = grid_table(np.array([[1, 2, 3], [10, 20, 30]]))
    out = sup.margins(table, dims=["r", "c"])
    assert out["margin"].tolist() == ["r", "r", "c", "c", "c", "grand total"]
    assert out["n"].tolist() == [6, 60, 11, 22, 33, 66]
    assert out["c"].isna().tolist() == [True, True, False, False, False, True]


def test_margins_of_a_three_way_table() -> None:
    table = grid_table(np.arange(8).reshape(2, 2, 2))
    out = sup.margins(table, dims=["r", "c", "s"])
    counts = out["margin"].value_counts()
    assert counts["r \u00d7 c"] == 4 and counts["r"] == 2 and counts["grand total"] == 1
    assert len(out) == 3 * 4 + 3 * 2 + 1
    assert out["n"].iloc[-1] == 28


def test_primary_only_is_recovered_exactly_by_subtraction() -> None:
    # Row 0 has a single small cell: row total minus the published cells gives it away.
    table = grid_table(np.array([[5, 40, 50], [30, 60, 70], [25, 45, 80]]))
    report = attack.intervals(sup.primary(table), dims=["r", "c"])
    assert len(report) == 1
    row = report.iloc[0]
    assert bool(row["exact"]) and bool(row["at_risk"])
    assert row["lower"] == row["upper"] == row["true_value"] == 5


def test_audit_hand_computed_interval() -> None:
    # Everything hidden: cell (0,0) lies in [max(0, R0 + C0 - N), min(R0, C0)] = [0, 23].
    table = grid_table(np.array([[3, 20], [30, 40]]))
    table["suppressed"] = True
    report = attack.intervals(table, dims=["r", "c"])
    first = report.iloc[0]
    assert (first["lower"], first["upper"], first["width"]) == (0, 23, 23)
    # Rectangle of four hidden cells in a bigger table: (0,0) can move by min(b, c)
    # upwards and min(a, d) downwards.
    table = grid_table(np.array([[3, 20, 50], [30, 40, 60], [70, 80, 90]]))
    table["suppressed"] = table["r"].lt(2) & table["c"].lt(2)
    report = attack.intervals(table, dims=["r", "c"]).set_index(["r", "c"])
    assert report.loc[(0, 0), "lower"] == 0
    assert report.loc[(0, 0), "upper"] == 3 + min(20, 30)
    assert not report["exact"].any()


def test_audit_with_nothing_hidden_is_empty() -> None:
    table = grid_table(np.array([[30, 20], [30, 40]]))
    table["suppressed"] = False
    report = attack.intervals(table, dims=["r", "c"])
    assert report.empty
    assert {"true_value", "lower", "upper", "width", "exact", "at_risk"} <= set(report.columns)


# --- Complementary ------------------------------------------------------------------------


def assert_protected(out: pd.DataFrame, dims: list[str], threshold: int, protection: int) -> None:
    """Checked against the independent oracle, not the code under test."""
    published = out.loc[~out["suppressed"], "n"]
    assert not ((published > 0) & (published < threshold)).any()
    assert out.loc[(out["n"] > 0) & (out["n"] < threshold), "suppressed"].all()
    assert (out.loc[~out["suppressed"], "published"] == published).all()
    assert out.loc[out["suppressed"], "published"].isna().all()
    ranges = oracle_ranges(out, dims, out["suppressed"].to_numpy())
    width = ranges[:, 1] - ranges[:, 0]
    assert (width >= protection).all(), out[out["suppressed"]].assign(lower=ranges[:, 0], upper=ranges[:, 1])
    # With protection >= threshold no hidden cell can be shown to be small.
    assert (ranges[:, 1] >= threshold).all()


def test_complementary_two_way_example() -> None:
    values = np.array([[3, 40, 52, 19], [45, 2, 61, 30], [50, 48, 70, 25], [12, 33, 41, 60]])
    table = grid_table(values)
    out = sup.complementary(table, dims=["r", "c"])
    assert_protected(out, ["r", "c"], K, K)
    assert (out["reason"] == sup.REASON_COMPLEMENT).sum() >= 2
    info = out.attrs["suppression"]
    assert info["primary"] == 2 and info["protection"] == K
    # No row or column holds exactly one hidden cell.
    hidden = out["suppressed"].to_numpy().reshape(values.shape)
    assert not (hidden.sum(axis=0) == 1).any() and not (hidden.sum(axis=1) == 1).any()


def test_complementary_three_way_example() -> None:
    rng = np.random.default_rng(7)
    values = rng.integers(11, 60, size=(3, 3, 2))
    values[0, 0, 0] = 4
    values[2, 1, 1] = 7
    table = grid_table(values)
    out = sup.complementary(table, dims=["r", "c", "s"])
    assert_protected(out, ["r", "c", "s"], K, K)


def test_complementary_keeps_rows_and_other_columns() -> None:
    table = grid_table(np.array([[3, 40, 52], [45, 20, 61], [50, 48, 70]]))
    table["label"] = "keep me"
    out = sup.complementary(table, dims=["r", "c"])
    assert out["label"].eq("keep me").all()
    assert out.index.equals(table.index)


def test_complementary_refuses_a_small_published_margin() -> None:
    table = grid_table(np.array([[3, 4, 2], [45, 20, 61], [50, 48, 70]]))  # row 0 totals 9
    with pytest.raises(ValueError, match="margin"):
        sup.complementary(table, dims=["r", "c"])


def test_best_effort_mode_flags_what_cannot_be_protected() -> None:
    table = grid_table(np.array([[3, 4, 2], [45, 3, 61], [50, 48, 70]]))  # row 0 totals 9
    out = sup.complementary(table, dims=["r", "c"], strict=False)
    assert out.attrs["suppression"]["unprotected"] == 3
    assert out.loc[:2, "reason"].str.endswith("cannot be protected)").all()
    report = attack.intervals(out, dims=["r", "c"]).set_index(["r", "c"])
    assert report.loc[[(0, 0), (0, 1), (0, 2)], "at_risk"].all()  # row total 9 gives them away
    assert not report.drop(index=[(0, 0), (0, 1), (0, 2)])["at_risk"].any()


def test_complementary_raises_when_protection_is_impossible() -> None:
    # Row 0 totals 11: even with every cell hidden, (0,0) is within [0, 11].
    table = grid_table(np.array([[5, 6], [100, 100]]))
    assert sup.complementary(table, dims=["r", "c"], protection=11) is not None
    with pytest.raises(ValueError, match="protection=12"):
        sup.complementary(table, dims=["r", "c"], protection=12)


def test_complementary_single_level_dimension_cannot_be_protected() -> None:
    table = pd.DataFrame({"r": [0, 1, 2], "c": [0, 0, 0], "n": [12, 40, 3]})
    with pytest.raises(ValueError, match=r"margin|only cell|protect"):
        sup.complementary(table, dims=["r", "c"], threshold=5)


def test_missing_combinations_are_known_zeros() -> None:
    table = grid_table(np.array([[3, 40, 52], [45, 20, 61], [50, 48, 70]]))
    table = table[~((table["r"] == 2) & (table["c"] == 2))]
    out = sup.complementary(table, dims=["r", "c"])
    assert_protected(out, ["r", "c"], K, K)


two_way = st.tuples(st.integers(2, 4), st.integers(2, 5)).flatmap(
    lambda shape: st.lists(
        st.one_of(st.integers(0, 10), st.integers(11, 80), st.integers(11, 80)),
        min_size=shape[0] * shape[1],
        max_size=shape[0] * shape[1],
    ).map(lambda cells: np.array(cells).reshape(shape))
)


@st.composite
def three_way(draw: st.DrawFn) -> np.ndarray:
    """A 3-D table of publishable counts with a few small (or zero) cells dropped in."""
    shape = draw(st.tuples(st.integers(2, 3), st.integers(2, 3), st.integers(2, 3)))
    size = int(np.prod(shape))
    cells = draw(st.lists(st.integers(11, 60), min_size=size, max_size=size))
    small = draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, 10)), min_size=1, max_size=4))
    for position, value in small:
        cells[position] = value
    return np.array(cells).reshape(shape)


def has_small_margin(values: np.ndarray, threshold: int) -> bool:
    """Any margin (a sum over one or more axes, the grand total included) from 1 to threshold - 1."""
    for r in range(1, values.ndim + 1):
        for axes in itertools.combinations(range(values.ndim), r):
            totals = values.sum(axis=axes)
            if ((totals > 0) & (totals < threshold)).any():
                return True
    return False


def check_best_effort(table: pd.DataFrame, dims: list[str], threshold: int) -> None:
    """strict=False never refuses; only the cells it flags may be left at risk."""
    out = sup.complementary(table, dims=dims, threshold=threshold, strict=False)
    published = out.loc[~out["suppressed"], "n"]
    assert not ((published > 0) & (published < threshold)).any()
    flagged = out["reason"].str.endswith(sup.REASON_UNPROTECTED_SUFFIX)
    assert flagged.sum() == out.attrs["suppression"]["unprotected"] > 0
    ranges = oracle_ranges(out, dims, out["suppressed"].to_numpy())
    at_risk = ranges[:, 1] - ranges[:, 0] < threshold
    assert not (at_risk & ~flagged[out["suppressed"]].to_numpy()).any()


def check_random_table(values: np.ndarray, threshold: int) -> None:
    table = grid_table(values)
    dims = dims_of(table)
    try:
        out = sup.complementary(table, dims=dims, threshold=threshold)
    except ValueError as error:
        # Only a genuinely unprotectable table may be refused: a small margin, or a small
        # cell that stays too narrow even with every cell hidden.
        small = ((table["n"] > 0) & (table["n"] < threshold)).to_numpy()
        ranges = oracle_ranges(table, dims, np.ones(len(table), dtype=bool))
        hopeless = (ranges[small, 1] - ranges[small, 0] < threshold).any()
        assert has_small_margin(values, threshold) or hopeless, str(error)
        event("refused: unprotectable table")
        check_best_effort(table, dims, threshold)
        return
    event("protected")
    assert_protected(out, dims, threshold, threshold)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=two_way, threshold=st.sampled_from([5, 10, 11]))
def test_complementary_two_way_tables_are_protected(values: np.ndarray, threshold: int) -> None:
    check_random_table(values, threshold)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=three_way(), threshold=st.sampled_from([5, 11]))
def test_complementary_three_way_tables_are_protected(values: np.ndarray, threshold: int) -> None:
    check_random_table(values, threshold)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.one_of(two_way, three_way()), threshold=st.integers(2, 15))
def test_primary_cells_are_never_published(values: np.ndarray, threshold: int) -> None:
    table = grid_table(values)
    out = sup.complementary(table, dims=dims_of(table), threshold=threshold, strict=False)
    small = (table["n"] > 0) & (table["n"] < threshold)
    assert out.loc[small, "suppressed"].all()
    assert out.loc[small, "published"].isna().all()
    assert out.loc[small, "reason"].str.startswith("count 1-").all()


@st.composite
def masked(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """A small 2-D or 3-D table of counts and a random set of hidden cells."""
    values = draw(st.one_of(two_way, three_way()))
    hidden = draw(st.lists(st.booleans(), min_size=values.size, max_size=values.size))
    return values, np.array(hidden)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=masked())
def test_attack_intervals_match_the_oracle(case: tuple[np.ndarray, np.ndarray]) -> None:
    values, hidden = case
    table = grid_table(values).assign(suppressed=hidden)
    report = attack.intervals(table, dims=dims_of(table.drop(columns="suppressed")))
    expected = oracle_ranges(table, dims_of(table.drop(columns="suppressed")), hidden)
    assert report["lower"].tolist() == expected[:, 0].tolist()
    assert report["upper"].tolist() == expected[:, 1].tolist()
    assert (report["true_value"] == values.reshape(-1)[hidden]).all()


# --- Rounding and collapsing --------------------------------------------------------------


def test_round_hud_rule() -> None:
    table = pd.DataFrame({"n": [0, 1, 4, 7, 8, 12, 13, 17, 18, 864, 982]})
    assert sup.round_hud(table)["rounded"].tolist() == [0, 4, 4, 4, 10, 10, 15, 15, 20, 865, 980]


@settings(max_examples=200, deadline=None)
@given(value=st.integers(min_value=1, max_value=5000))
def test_rounding_never_reveals_a_small_count(value: int) -> None:
    shown = int(sup.round_hud(pd.DataFrame({"n": [value]}))["rounded"].iloc[0])
    candidates = pd.DataFrame({"n": range(1, value + 20)})
    same = (sup.round_hud(candidates)["rounded"] == shown).sum()
    assert same >= 5  # at least five possible true values behind every shown value
    if value <= sup.HUD_SMALL_MAX:
        assert shown == sup.HUD_SMALL_VALUE


def test_collapse_combines_and_reports_groups() -> None:
    labels = [*groups.RACE_LABELS, groups.MULTIRACIAL]
    race = pd.Categorical(labels, categories=[*groups.RACE_LABELS, groups.MULTIRACIAL, groups.NOT_REPORTED])
    table = pd.DataFrame({"race_ethnicity": race, "n": [3, 40, 50, 60, 4, 2, 70, 12]})
    small = [
        "American Indian or Alaska Native",
        "Middle Eastern or North African",
        "Native Hawaiian or Pacific Islander",
    ]
    out = sup.collapse(table, dim="race_ethnicity", groups=small)
    assert out["n"].sum() == table["n"].sum()
    assert len(out) == len(table) - 2
    row = out[out["race_ethnicity"] == sup.OTHER_RACE_ETHNICITY].iloc[0]
    assert row["n"] == 9
    assert row["includes"] == "; ".join(small)
    order = list(out["race_ethnicity"].cat.categories)
    assert order.index(sup.OTHER_RACE_ETHNICITY) == order.index(groups.MULTIRACIAL) - 1
    assert out.attrs["collapsed"]["groups"] == small


def test_collapse_within_other_keys() -> None:
    table = pd.DataFrame(
        {"gender": ["g", "g", "g", "b", "b", "b"], "race": ["x", "y", "z"] * 2, "n": [1, 2, 30, 4, 5, 60]}
    )
    out = sup.collapse(table, dim="race", groups=["x", "y"], into="x or y")
    assert sorted(zip(out["gender"], out["race"], out["n"], strict=True)) == [
        ("b", "x or y", 9),
        ("b", "z", 60),
        ("g", "x or y", 3),
        ("g", "z", 30),
    ]


# --- Bad input ----------------------------------------------------------------------------


TABLE = grid_table(np.array([[3, 40], [45, 20]]))


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: sup.primary(TABLE, threshold=0), "threshold"),
        (lambda: sup.primary(TABLE, threshold=-3), "threshold"),
        (lambda: sup.primary(TABLE, threshold="tight"), "threshold"),
        (lambda: sup.primary(TABLE, threshold=2.5), "threshold"),  # type: ignore[arg-type]
        (lambda: sup.primary(TABLE, count="count"), "count"),
        (lambda: sup.primary(TABLE.assign(n=[1, -1, 2, 3]), count="n"), "count"),
        (lambda: sup.primary(TABLE.assign(n=[1.5, 1, 2, 3]), count="n"), "count"),
        (lambda: sup.primary(TABLE.iloc[:0]), "table"),
        (lambda: sup.complementary(TABLE, dims=["r"] * 2), "dims"),
        (lambda: sup.complementary(TABLE, dims=["r", "c", "s", "t"]), "dims"),
        (lambda: sup.complementary(TABLE, dims=["r", "zzz"]), "dims"),
        (lambda: sup.complementary(TABLE, dims=["r", "c"], protection=0), "protection"),
        (lambda: sup.complementary(TABLE, dims=["r", "c"], threshold=0), "threshold"),
        (lambda: sup.complementary(pd.concat([TABLE, TABLE]), dims=["r", "c"]), "dims"),
        (lambda: attack.intervals(TABLE, dims=["r", "c"]), "suppressed"),
        (lambda: attack.intervals(TABLE.assign(suppressed=1), dims=["r", "c"]), "suppressed"),
        (
            lambda: attack.intervals(TABLE.assign(suppressed=True), dims=["r", "c"], protection=0),
            "protection",
        ),
        (lambda: sup.margins(TABLE, dims=["r", "n"]), "dims"),
        (lambda: sup.round_hud(TABLE, count="x"), "count"),
        (lambda: sup.collapse(TABLE, dim="zzz", groups=[0, 1]), "dim"),
        (lambda: sup.collapse(TABLE, dim="r", groups=[0]), "groups"),
        (lambda: sup.collapse(TABLE, dim="r", groups=[0, 9]), "groups"),
        (
            lambda: sup.collapse(
                TABLE.assign(r=["a", "a", "b", "b"])
                .head(3)
                .assign(c=[0, 1, 0])
                .pipe(lambda t: pd.concat([t, pd.DataFrame({"r": ["c"], "c": [0], "n": [1]})])),
                dim="r",
                groups=["a", "b"],
                into="c",
            ),
            "into",
        ),
    ],
)
def test_bad_input_raises_value_error_naming_argument(call: object, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        call()  # type: ignore[operator]
