"""Stage 2 additions to quality: the five integrity issues, coding against self-report,
field risk and the generated metadata record."""

from __future__ import annotations

import pandas as pd
import pytest

from equitylens.data import groups, load, metadata
from equitylens.methods import quality

FLAGS = list(groups.RACE_FLAGS)


def person(pid: str, *selected: str) -> dict[str, object]:
    return {"person_id": pid, **{flag: flag in selected for flag in FLAGS}}


@pytest.fixture()
def tiny():
    """Three people, one record each in every agency, written as the agencies' forms would."""
    people = pd.DataFrame(
        [person("P1", "race_mena"), person("P2", "race_hispanic"), person("P3", "race_black", "race_white")]
    )
    ids = ["P1", "P2", "P3"]
    tables = {
        "child_welfare": pd.DataFrame(
            {"person_id": ids, "race_code": ["W", "U", "M"], "hispanic_code": ["N", "Y", "N"]}
        ),
        "education": pd.DataFrame(
            {
                "person_id": ids,
                "race": ["White", "", "Two or more races"],
                "ethnicity": ["Not Hispanic or Latino", "Hispanic or Latino", "Not Hispanic or Latino"],
            }
        ),
        "juvenile_justice": pd.DataFrame({"person_id": ids, "race": ["W", "W", ""]}),
        "homelessness": pd.DataFrame({"person_id": ids, "race_cd": ["7", "6", "3;5"]}),
        "benefits": pd.DataFrame({"person_id": ids, "race_text": ["Other", "Latino", "Multi"]}),
    }
    return tables, people


def test_recorded_race_reads_each_form_back(tiny):
    tables, _ = tiny
    recorded = quality.recorded_race(tables).set_index(["agency", "person_id"])["recorded"].astype(str)
    assert recorded[("child_welfare", "P1")] == "White"
    assert recorded[("child_welfare", "P2")] == "Hispanic or Latino"
    assert recorded[("homelessness", "P1")] == "Middle Eastern or North African"
    assert recorded[("homelessness", "P3")] == groups.MULTIRACIAL
    assert recorded[("benefits", "P1")] == quality.OTHER
    assert recorded[("juvenile_justice", "P3")] == quality.UNKNOWN


def test_integrity_issues_on_a_hand_built_example(tiny):
    tables, people = tiny
    issues = quality.integrity_issues(tables, people).set_index(["agency", "issue"])["value"]
    assert set(quality.ISSUES) == {issue for _, issue in issues.index}
    # Child welfare: P1 (MENA) written White is wrong; P2 and P3 are right -> 1 of 3.
    assert issues[("Child welfare", "inaccurate")] == pytest.approx(1 / 3)
    # Juvenile justice: P1 and P2 written White are wrong; P3 is missing -> 2 of 2 known.
    assert issues[("Juvenile justice", "inaccurate")] == pytest.approx(1.0)
    assert issues[("Juvenile justice", "incomplete")] == pytest.approx(1 / 3)
    # Benefits folds P1 into Other: a fold, not an error.
    assert issues[("Public benefits", "inaccurate")] == 0
    # Homelessness keeps every answer; everyone else records P1 as White or Other.
    assert issues[("Homelessness services", "inconsistent")] == pytest.approx(2 / 3)
    assert issues[("Homelessness services", "undocumented")] == 1
    assert issues[("Homelessness services", "unavailable")] == 1
    assert issues[("Juvenile justice", "unavailable")] == 4


def test_coding_vs_self_report_shares_sum_to_one(tiny):
    tables, people = tiny
    coded = quality.coding_vs_self_report(tables, people)
    sums = coded.groupby(["agency", "self_report"], observed=True)["share"].sum()
    assert sums.round(9).eq(1).all()
    assert set(coded["verdict"]) <= set(quality.VERDICTS)


def test_unknown_person_is_an_error(tiny):
    tables, people = tiny
    with pytest.raises(ValueError, match="person_id"):
        quality.integrity_issues(tables, people.iloc[:2])


def test_county_audit_finds_the_planted_defects():
    tables = {name: load.table(name) for name in groups.AGENCIES}
    issues = quality.integrity_issues(tables, load.table("people")).set_index(["agency", "issue"])["value"]
    inaccurate = issues.xs("inaccurate", level="issue")
    assert inaccurate.idxmax() == "Juvenile justice"
    assert issues[("Homelessness services", "inaccurate")] == 0
    incomplete = issues.xs("incomplete", level="issue")
    assert incomplete.idxmax() == "Homelessness services"


def test_field_risk_covers_every_field_once():
    risk = quality.field_risk()
    assert not risk.duplicated(["table", "field"]).any()
    tier = risk.set_index(["table", "field"])["tier"]
    assert tier[("child_welfare", "sexual_orientation")] == quality.ELEVATED
    assert tier[("people", "last_name")] == quality.DIRECT
    with pytest.raises(ValueError, match="unknown table"):
        quality.field_risk(["nope"])


def test_metadata_record_is_generated_from_the_package():
    record = metadata.metadata_record("homelessness")
    assert tuple(dict.fromkeys(record["dimension"])) == metadata.METADATA_DIMENSIONS
    values = dict(zip(record["item"], record["value"], strict=True))
    assert values["checksum"].startswith("sha256:")
    assert "hh_cd" in values["known gaps"]
    assert "CC0" in values["licence"]


def test_metadata_record_follows_a_changed_package():
    package = {
        "title": "Test",
        "licenses": [{"name": "ODbL-1.0"}],
        "resources": [
            {
                "name": "people",
                "path": "p.csv",
                "hash": "sha256:abc",
                "schema": {"fields": [{"name": "x", "type": "string"}]},
            }
        ],
    }
    values = dict(zip(*metadata.metadata_record("people", package=package)[["item", "value"]].T.values, strict=True))
    assert values["licence"].startswith("ODbL")
    assert values["fields"] == "x"
    with pytest.raises(ValueError, match="unknown table"):
        metadata.metadata_record("nope")
    with pytest.raises(ValueError, match="no resource"):
        metadata.metadata_record("education", package=package)
