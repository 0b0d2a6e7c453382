"""Loading the county into typed frames."""

from __future__ import annotations

import pandas as pd
import pytest

from equitylens.data import frame_cache, groups, load, schema, writer


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


# --- the frame cache ------------------------------------------------------------------------


def test_the_cached_county_is_the_assembled_county(monkeypatch):
    """The person frame a process gets from the disk cache is the one the files give, to the byte."""
    monkeypatch.delenv(frame_cache.SWITCH, raising=False)
    from_files = load._assemble_county(str(writer.DATASETS_DIR))
    through_cache = load._county.__wrapped__(str(writer.DATASETS_DIR))
    pd.testing.assert_frame_equal(through_cache, from_files, check_exact=True, check_categorical=True)
    entries = list(frame_cache.CACHE_DIR.glob("county-*.pkl"))
    assert len(entries) == 1, entries
    pd.testing.assert_frame_equal(pd.read_pickle(entries[0]), from_files, check_exact=True)


def test_the_cache_reads_its_entry_and_builds_again_when_an_input_changes(tmp_path, monkeypatch):
    monkeypatch.delenv(frame_cache.SWITCH, raising=False)
    source = tmp_path / "rows.csv"
    source.write_text("n\n1\n2\n", encoding="utf-8")
    store = tmp_path / "cache"
    built: list[int] = []

    def assemble() -> pd.DataFrame:
        built.append(1)
        return pd.read_csv(source)

    first = frame_cache.cached("rows", [source], assemble, directory=store)
    again = frame_cache.cached("rows", [source], assemble, directory=store)
    assert len(built) == 1, "the second call should have read the stored frame"
    pd.testing.assert_frame_equal(first, again)

    source.write_text("n\n1\n2\n3\n", encoding="utf-8")
    changed = frame_cache.cached("rows", [source], assemble, directory=store)
    assert len(built) == 2 and list(changed["n"]) == [1, 2, 3]
    assert len(list(store.glob("rows-*.pkl"))) == 1, "the entry for the old bytes should be gone"

    next(store.glob("rows-*.pkl")).write_bytes(b"not a pickle")
    assert list(frame_cache.cached("rows", [source], assemble, directory=store)["n"]) == [1, 2, 3]
    assert len(built) == 3

    monkeypatch.setenv(frame_cache.SWITCH, "off")
    frame_cache.cached("rows", [source], assemble, directory=store)
    assert len(built) == 4


def test_the_cache_key_follows_the_package_source(tmp_path, monkeypatch):
    source = tmp_path / "rows.csv"
    source.write_text("n\n1\n", encoding="utf-8")
    code = tmp_path / "code"
    code.mkdir()
    (code / "load.py").write_text("A = 1\n", encoding="utf-8")
    monkeypatch.setattr(frame_cache, "_CODE", code)
    before = frame_cache.key([source])
    (code / "load.py").write_text("A = 2\n", encoding="utf-8")
    assert frame_cache.key([source]) != before


def test_a_cache_folder_that_cannot_be_written_only_costs_time(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    frame = frame_cache.cached("rows", [blocked], lambda: pd.DataFrame({"n": [1]}), directory=blocked / "cache")
    assert list(frame["n"]) == [1]


def test_a_cache_entry_name_is_a_plain_word():
    with pytest.raises(ValueError, match="plain word"):
        frame_cache.cached("../county", [], pd.DataFrame)
