"""Data-quality checks."""

from __future__ import annotations

import pandas as pd
import pytest

from equitylens.data import groups, load
from equitylens.methods import quality


@pytest.fixture(scope="module")
def tables():
    return {name: load.table(name) for name in groups.AGENCIES}


def test_missing_race_counts_blank_and_unknown_codes(tables):
    missing = quality.missing_race(tables)
    assert list(missing["agency"]) == [quality.AGENCY_NAMES[a] for a in groups.AGENCIES]
    assert missing["share_missing"].between(0, 1).all()


def test_hispanic_only_answer_is_not_missing():
    frame = pd.DataFrame({"race_code": ["U", "U", "W"], "hispanic_code": ["Y", "U", "N"]})
    tables = {a: pd.DataFrame({quality.RACE_FIELDS[a][0]: ["x"]}) for a in groups.AGENCIES}
    tables["education"]["ethnicity"] = "Not Hispanic or Latino"
    tables["child_welfare"] = frame
    result = quality.missing_race(tables).set_index("agency")
    assert result.loc["Child welfare", "missing"] == 1


def test_race_codes_and_undocumented_fields(tables):
    codes = quality.race_codes(tables)
    assert codes["distinct_values"].min() >= 3
    assert codes["has_mena_category"].sum() == 1
    assert list(quality.undocumented_fields()["field"]) == ["hh_cd"]


def test_composition_shares_sum_to_one():
    county = load.county()
    shares = quality.composition(county, of="race_ethnicity", within="lending_grade")
    assert shares.groupby("race_ethnicity", observed=True)["share"].sum().round(9).eq(1).all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: quality.missing_race({}), "missing"),
        (lambda: quality.composition(pd.DataFrame(), of="a", within="b"), "empty"),
        (lambda: quality.composition(pd.DataFrame({"a": [1]}), of="a", within="zzz"), "zzz"),
        (lambda: quality.composition(pd.DataFrame({"a": [1]}), of="a", within="a"), "different"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
