"""Loading the county into typed frames."""

from __future__ import annotations

import pandas as pd
import pytest

from equitylens.data import groups, load, schema


def test_every_table_loads_with_schema_types():
    for name in schema.SCHEMAS:
        frame = load.table(name)
        assert len(frame) > 0
        for field in schema.fields(name):
            column = frame[field["name"]]
            if field["type"] == "date":
                assert pd.api.types.is_datetime64_any_dtype(column), field["name"]
            elif field["type"] == "boolean":
                assert column.dtype == bool, field["name"]
            elif field.get("constraints", {}).get("enum") and field["type"] == "string":
                assert list(column.cat.categories) == field["constraints"]["enum"], field["name"]


def test_county_frame_has_one_row_per_person_and_ordered_groups():
    county = load.county()
    assert county["person_id"].is_unique
    assert list(county["race_ethnicity"].cat.categories)[: len(groups.RACE_LABELS)] == list(groups.RACE_LABELS)
    assert county["race_ethnicity"].cat.categories[0] != "White"
    assert county.loc[~county["student"], "chronically_absent"].isna().all()
    assert not county.loc[county["age"] >= 24, "cw_reported"].any()  # 18 before the window opened


def test_returned_frames_are_copies():
    first = load.county()
    first["age"] = -1
    assert (load.county()["age"] >= 0).all()


def test_child_welfare_youth_has_sogie_per_person():
    youth = load.child_welfare_youth()
    assert youth["person_id"].is_unique
    assert set(youth["sexual_orientation"].dropna().unique()) <= set(groups.SEXUAL_ORIENTATIONS)


def test_race_label_rules():
    people = pd.DataFrame({c: [False, False, False] for c in groups.RACE_FLAGS})
    people.loc[0, "race_asian"] = True
    people.loc[1, ["race_black", "race_hispanic"]] = True
    labels = groups.race_ethnicity_label(people).astype(str).tolist()
    assert labels == ["Asian", groups.MULTIRACIAL, groups.NOT_REPORTED]


def test_unknown_table_is_named():
    with pytest.raises(ValueError, match="unknown table 'nope'"):
        load.table("nope")


def test_missing_folder_says_how_to_fix(tmp_path):
    with pytest.raises(ValueError, match=r"python -m equitylens\.data\.writer"):
        load.table("people", directory=tmp_path)


def test_race_label_needs_the_flags():
    with pytest.raises(ValueError, match="race flag"):
        groups.race_ethnicity_label(pd.DataFrame({"age": [1]}))


def test_field_table_is_a_codebook():
    book = schema.field_table("people")
    assert {"field", "type", "meaning"} == set(book.columns)
    assert "needs_support" in set(book["field"])
