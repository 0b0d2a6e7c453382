"""The synthetic county: determinism, committed files, and the planted patterns."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from equitylens.data import groups, load, synth, writer
from equitylens.methods import disaggregate

SMALL = 5_000


@pytest.fixture(scope="module")
def small_county() -> dict[str, pd.DataFrame]:
    return synth.generate(seed=7, people=SMALL)


def test_same_seed_gives_byte_identical_files(tmp_path):
    first = writer.write(tmp_path / "a", seed=11, people=SMALL)
    second = writer.write(tmp_path / "b", seed=11, people=SMALL)
    assert first == second
    for table in synth.TABLES:
        name = writer.file_name(table)
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_different_seeds_give_different_people(tmp_path):
    first = writer.write(tmp_path / "a", seed=1, people=SMALL)
    second = writer.write(tmp_path / "b", seed=2, people=SMALL)
    assert first["people"] != second["people"]


@pytest.mark.slow
def test_committed_datasets_are_exactly_what_the_default_seed_writes(tmp_path, root):
    hashes = writer.write(tmp_path)
    for table, digest in hashes.items():
        committed = root / "datasets" / writer.file_name(table)
        assert hashlib.sha256(committed.read_bytes()).hexdigest() == digest, (
            f"{committed.name} differs from the generator's output: run `make data` and commit"
        )
    assert (tmp_path / "datapackage.json").read_text() == (root / "datasets" / "datapackage.json").read_text()


def test_committed_datasets_stay_small(root):
    total = sum(p.stat().st_size for p in (root / "datasets").iterdir())
    assert total < 25 * 1024 * 1024


@pytest.mark.slow
def test_data_package_validates_with_frictionless(tmp_path):
    """frictionless checks what the writer writes: types, constraints, keys, foreign keys.

    It checks a county of ``SMALL`` people from the same writer and schema as the
    committed one, which the test above holds byte-identical to the writer's output.
    (The committed 200,000 people took 35 s of the suite: frictionless reads ``people``
    again for every foreign key.)
    """
    frictionless = pytest.importorskip("frictionless")
    writer.write(tmp_path, seed=3, people=SMALL)
    report = frictionless.Package(str(tmp_path / "datapackage.json")).validate()
    errors = [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors[:3]]
    assert report.valid, "\n".join(errors)


def test_every_table_has_a_schema_and_foreign_keys_point_at_people(root):
    package = json.loads((root / "datasets" / "datapackage.json").read_text())
    names = [r["name"] for r in package["resources"]]
    assert names == list(synth.TABLES)
    place_tables = ("neighbourhoods", "people", "neighbourhood_history")  # keyed by place, not by person
    for resource in package["resources"]:
        if resource["name"] not in place_tables:
            assert resource["schema"]["foreignKeys"][0]["reference"]["resource"] == "people"
        elif resource["name"] == "neighbourhood_history":
            assert resource["schema"]["foreignKeys"][0]["reference"]["resource"] == "neighbourhoods"
    assert "no real person" in package["description"]


def test_tables_have_the_schema_columns(small_county):
    from equitylens.data import schema

    for table, frame in small_county.items():
        assert list(frame.columns) == [f["name"] for f in schema.fields(table)], table


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"people": 10}, "people"),
        ({"people": -5}, "people"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        synth.generate(**kwargs)


def test_records_fall_inside_each_persons_life_and_age_limits(small_county):
    born = small_county["people"].set_index("person_id")["birth_date"].pipe(pd.to_datetime)
    for table, column, low, high in (
        ("child_welfare", "report_date", 0, 18),
        ("juvenile_justice", "referral_date", 10, 18),
        ("homelessness", "entry_date", 0, 25),
        ("benefits", "start_date", 0, 25),
    ):
        frame = small_county[table]
        age = (pd.to_datetime(frame[column]) - frame["person_id"].map(born)).dt.days / 365.25
        assert age.min() >= low - 0.01 and age.max() < high, table
        assert pd.to_datetime(frame[column]).between("2019-01-01", "2024-06-30").all(), table


def test_multiple_selection_and_small_groups(small_county):
    people = small_county["people"]
    flags = people[list(groups.RACE_FLAGS)].to_numpy()
    assert (flags.sum(axis=1) > 1).any(), "some people select more than one group"
    assert (flags.sum(axis=1) == 0).any(), "some people decline the question"
    for small in ("race_aian", "race_nhpi", "race_mena"):
        assert 0 < people[small].mean() < 0.05


def test_sogie_only_in_child_welfare_after_start_and_from_age_ten(small_county):
    welfare = small_county["child_welfare"].merge(small_county["people"][["person_id", "birth_date"]])
    asked = welfare["sexual_orientation"] != "Not asked"
    assert asked.any()
    assert (welfare.loc[asked, "report_date"] >= groups.SOGIE_START).all()
    age = (pd.to_datetime(welfare["report_date"]) - pd.to_datetime(welfare["birth_date"])).dt.days / 365.25
    assert (age[asked] >= 10).all()
    for table, frame in small_county.items():
        if table != "child_welfare":
            assert "sexual_orientation" not in frame.columns


# --- the planted patterns, checked on the committed county --------------------------


@pytest.fixture(scope="module")
def county() -> pd.DataFrame:
    return load.county()


def test_poverty_rises_with_lending_grade(county):
    rates = disaggregate.rates(county, by="lending_grade", outcome="household_poverty")["rate"].to_numpy()
    assert np.all(np.diff(rates) > 0)


def test_need_is_the_same_for_every_group_given_poverty(county):
    children = county[county["age"] < 18]
    table = disaggregate.rates(children, by=["household_poverty", "race_ethnicity"], outcome="needs_support")
    reliable = table[table["reliable"]]
    for _, rows in reliable.groupby("household_poverty"):
        assert rows["rate"].max() - rows["rate"].min() < 0.05


def test_reports_differ_by_more_than_need(county):
    children = county[county["age"] < 18]
    need = disaggregate.rates(children, by="race_ethnicity", outcome="needs_support").set_index("race_ethnicity")
    seen = disaggregate.rates(children, by="race_ethnicity", outcome="cw_reported").set_index("race_ethnicity")
    black, white = "Black or African American", "White"
    need_ratio = need.loc[black, "rate"] / need.loc[white, "rate"]
    report_ratio = seen.loc[black, "rate"] / seen.loc[white, "rate"]
    assert report_ratio > need_ratio * 1.15


def test_simpsons_paradox_in_chronic_absence(county):
    result = disaggregate.simpson_check(
        county[county["student"]],
        outcome="chronically_absent",
        group="race_ethnicity",
        compare=("Black or African American", "White"),
        stratum="lending_grade",
    )
    assert (result["verdict"] == "every").all()


def test_missing_race_differs_by_agency():
    from equitylens.methods import quality

    missing = quality.missing_race({name: load.table(name) for name in groups.AGENCIES})
    assert missing["share_missing"].max() > 3 * missing["share_missing"].min()


def test_linkage_variants_hit_some_groups_more(county):
    records = load.table("identity_records").merge(county[["person_id", "race_ethnicity"]], on="person_id")
    varied = records["variant"] != "none"
    share = varied.groupby(records["race_ethnicity"], observed=True).mean()
    assert share["Hispanic or Latino"] > 2 * share["White"]
    assert share["Middle Eastern or North African"] > 2 * share["White"]


def test_writer_and_file_names_reject_bad_input():
    import pandas as pd

    with pytest.raises(ValueError, match="unknown table"):
        writer.file_name("nope")
    with pytest.raises(ValueError, match="no columns"):
        writer.to_bytes(pd.DataFrame())
