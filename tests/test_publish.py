"""Publishing: small-cell protection for rate tables and the Frictionless data package."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitylens.methods.policy import DEFAULT_POLICY, DisclosurePolicy
from equitylens.stages import publish


def rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["a", "b", "c", "d"],
            "numerator": [0, 5, 40, 12],
            "denominator": [50, 100, 200, 8],
            "rate": [0.0, 0.05, 0.2, 1.5],
            "lower": [0.0, 0.01, 0.15, 0.5],
        }
    )


def test_protect_rates_hides_small_numerators_and_denominators():
    out = publish.protect_rates(rates())
    assert out["status"].tolist() == ["published", "suppressed", "published", "suppressed"]
    assert out["numerator"].isna().tolist() == [False, True, False, True]
    assert out["rate"].isna().tolist() == [False, True, False, True]
    assert out["lower"].isna().tolist() == [False, True, False, True]
    assert publish.smallest_count(out) == 40


def test_protect_rates_names_missing_columns():
    with pytest.raises(ValueError, match="numerator"):
        publish.protect_rates(pd.DataFrame({"x": [1]}))


def test_data_package_round_trips_and_validates(tmp_path):
    frictionless = pytest.importorskip("frictionless")
    table = publish.protect_rates(rates())
    path = publish.data_package(
        {"rates": table},
        tmp_path,
        name="example",
        title="Example",
        description="Synthetic example.",
        sources=["equitylens synthetic county"],
        descriptions={"rates": {"rate": "Share with the outcome."}},
    )
    descriptor = json.loads(path.read_text())
    assert descriptor["equitylens"]["suppression_threshold"] == DEFAULT_POLICY.k
    fields = {field["name"]: field.get("description") for field in descriptor["resources"][0]["schema"]["fields"]}
    assert fields["rate"] == "Share with the outcome.", "a description given replaces the standard one"
    assert fields["status"] == publish.field_descriptions()["status"]
    assert DEFAULT_POLICY.rule() in fields["status"] and descriptor["equitylens"]["rule"] == DEFAULT_POLICY.rule()
    back = publish.read_package(tmp_path)["rates"]
    assert back["numerator"].isna().sum() == 2
    report = frictionless.Package(str(path)).validate()
    assert report.valid, report.flatten(["type", "message"])


def test_data_package_refuses_a_small_cell(tmp_path):
    with pytest.raises(ValueError, match="the disclosure policy does not allow") as refused:
        publish.data_package({"raw": rates()}, tmp_path, name="raw", title="Raw", description="Unsafe.")
    assert DEFAULT_POLICY.rule() in str(refused.value), "the message states the rule, from the policy"
    assert not (tmp_path / "datapackage.json").exists()


def test_data_package_refuses_a_count_that_comes_back_by_subtraction(tmp_path):
    """95 of 100 with the outcome: the 5 without it are a small count, shown by subtraction."""
    table = pd.DataFrame({"group": ["a", "b"], "numerator": [95, 40], "denominator": [100, 200]})
    found = publish.small_cells(table)
    assert found.to_dict("records") == [{"row": 0, "column": "denominator - numerator", "count": 5}]
    with pytest.raises(ValueError, match=r"holds a count of 5 \(denominator - numerator, row 0\)"):
        publish.data_package({"raw": table}, tmp_path, name="raw", title="Raw", description="Unsafe.")


@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 40), st.one_of(st.none(), st.integers(0, 40))),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from([2, 5, 11]),
)
@settings(max_examples=60, deadline=None)
def test_small_cells_lists_exactly_what_a_reader_could_see_under_the_threshold(rows, k):
    """Oracle, written out here: every shown count from 1 to k - 1, including a denominator
    minus its numerator; missing (suppressed) values show nothing."""
    frame = pd.DataFrame(
        {
            "numerator": pd.array([x for x, _, _ in rows], dtype="Int64"),
            "denominator": pd.array([x + without for x, without, _ in rows], dtype="Int64"),
            "n": pd.array([n for _, _, n in rows], dtype="Int64"),
        }
    )
    expected = set()
    for row, (x, without, n) in enumerate(rows):
        for column, value in (("numerator", x), ("denominator", x + without), ("n", n)):
            if value is not None and 0 < value < k:
                expected.add((row, column, value))
        if 0 < without < k:
            expected.add((row, "denominator - numerator", without))
    found = publish.small_cells(frame, policy=DisclosurePolicy(threshold=k))
    assert set(map(tuple, found[["row", "column", "count"]].itertuples(index=False))) == expected


@pytest.mark.parametrize("name", ["Bad Name", "", "UPPER"])
def test_data_package_checks_names(tmp_path, name):
    with pytest.raises(ValueError, match="name"):
        publish.data_package({"ok": rates().iloc[[2]]}, tmp_path, name=name, title="t", description="d")


def test_the_reporting_chapters_package_has_no_small_cell(tmp_path):
    """The tables the reporting chapter publishes, written and read back: no count from 1 to 10."""
    from equitylens.data import load
    from equitylens.stages import storymap

    tables = storymap.published_tables(load.county())
    publish.data_package(tables, tmp_path, name="published", title="Published", description="Test.")
    back = publish.read_package(tmp_path)
    assert set(back) == set(tables)
    for name, table in back.items():
        for column in ("numerator", "denominator"):
            counts = table[column].dropna()
            assert not ((counts > 0) & (counts < 11)).any(), f"{name}.{column} holds a small count"
        assert (table.loc[table["status"] == "suppressed", ["numerator", "denominator", "rate"]].isna()).all().all()


def test_chart_checklist_passes_kit_charts_and_fails_defaults():
    import altair as alt

    from equitylens.viz import charts

    frame = pd.DataFrame({"group": ["a", "b"], "rate": [0.1, 0.2]})
    good = charts.rate_bars(frame, category="group", title="T", description="D.")
    assert charts.chart_checklist(good, table=frame)["passed"].all()
    bad = charts.chart_checklist(alt.Chart(frame).mark_bar(color="#ff0000").encode(x="rate"))
    assert bad.set_index("check")["passed"].tolist() == [False, False, False, True]
    with pytest.raises(ValueError, match="chart"):
        charts.chart_checklist("not a chart")
