"""Privacy-preserving record linkage: encodings, Dice, and link quality by group."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata

import numpy as np
import pandas as pd
import pytest

from equitylens.data import load
from equitylens.methods import linkage
from equitylens.viz import privacy

KEY = b"a-test-key-of-32-bytes-length!!!"


def records(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["record_id", "person_id", "first_name", "last_name", "birth_date"])


def test_same_identifiers_give_the_same_filter_and_the_key_matters():
    frame = records(
        [("R1", "P1", "Ana", "García López", "2010-03-05"), ("R2", "P1", "ANA", "Garcia-Lopez", "2010-03-05")]
    )
    filters = linkage.encode(frame, key=KEY)
    assert filters.shape == (2, linkage.BITS)
    assert (filters[0] == filters[1]).all()  # case, accents and hyphens are normalised away
    other = linkage.encode(frame, key=b"another-key-of-32-bytes-length!!")
    assert not (filters[0] == other[0]).all()
    assert linkage.dice(filters[:1], filters[1:])[0, 0] == pytest.approx(1.0)


def test_dropping_half_a_compound_surname_lowers_dice():
    frame = records(
        [
            ("R1", "P1", "Ana", "García López", "2010-03-05"),
            ("R2", "P1", "Ana", "García", "2010-03-05"),
            ("R3", "P1", "Ana", "Garcia Lopes", "2010-03-05"),
        ]
    )
    filters = linkage.encode(frame, key=KEY)
    scores = linkage.dice(filters[:1], filters[1:])[0]
    assert 0 < scores[0] < 1 and 0 < scores[1] < 1


def _reference_filter(record: pd.Series, *, key: bytes, hashes: dict[str, int], bits: int) -> np.ndarray:
    """One record's Bloom filter, written out from the method's description (no code shared)."""
    out = np.zeros(bits, dtype=bool)
    for field, count in hashes.items():
        value = record[field]
        text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
        letters = "".join(
            c for c in unicodedata.normalize("NFKD", text).lower() if c.isalnum() and not unicodedata.combining(c)
        )
        padded = f"_{letters}_"
        for gram in (padded[i : i + 2] for i in range(len(padded) - 1)) if letters else ():
            digest = hmac.new(key, f"{field}:{gram}".encode(), hashlib.sha256).digest()
            first, second = int.from_bytes(digest[:8], "big"), int.from_bytes(digest[8:16], "big") | 1
            for i in range(count):
                out[(first + i * second) % bits] = True
    return out


def test_encode_sets_each_records_bits_as_the_method_describes():
    """Records that repeat a name or a date, a missing value and an empty one: each row is the
    filter of that record alone, whatever the other rows hold."""
    frame = records(
        [
            ("R1", "P1", "Ana", "García López", "2010-03-05"),
            ("R2", "P2", "Ana", "Li", "2010-03-05"),
            ("R3", "P3", "José", "Li", "2011-12-01"),
            ("R4", "P4", "", "Nguyen", "2011-12-01"),
            ("R5", "P5", "Ana", "García López", "2009-01-30"),
        ]
    )
    frame.loc[3, "birth_date"] = None
    for hashes in (linkage.FIELD_HASHES, 7):
        per_field = dict.fromkeys(linkage.FIELDS, hashes) if isinstance(hashes, int) else hashes
        filters = linkage.encode(frame, key=KEY, hashes=hashes, bits=256)
        expected = np.array(
            [_reference_filter(row, key=KEY, hashes=per_field, bits=256) for _, row in frame.iterrows()]
        )
        assert filters.dtype == bool and np.array_equal(filters, expected)


def test_encode_rejects_a_short_key_and_missing_fields():
    frame = records([("R1", "P1", "Ana", "Li", "2010-03-05")])
    with pytest.raises(ValueError, match="key"):
        linkage.encode(frame, key=b"short")
    with pytest.raises(ValueError, match=r"records: column\(s\) \['last_name'\] not found"):
        linkage.encode(frame.drop(columns="last_name"), key=KEY)


def test_link_finds_the_best_record_in_the_block():
    left = records([("L1", "P1", "Ana", "Li", "2010-03-05"), ("L2", "P2", "Omar", "Haddad", "2011-01-02")])
    right = records(
        [
            ("R1", "P1", "Ana", "Lee", "2010-03-05"),
            ("R2", "P3", "Zoe", "Park", "2010-07-07"),
            ("R3", "P4", "Omar", "Haddad", "2012-01-02"),  # another birth year: a different block
        ]
    )
    matches = linkage.link(left, right, key=KEY).set_index("record_id")
    assert matches.loc["L1", "best_record"] == "R1"
    assert bool(matches.loc["L1", "correct"]) and bool(matches.loc["L1", "match_exists"])
    assert pd.isna(matches.loc["L2", "best_record"]) and matches.loc["L2", "score"] == 0
    assert not bool(matches.loc["L2", "match_exists"])


def test_link_quality_on_a_hand_built_example():
    matches = pd.DataFrame(
        {
            "score": [0.95, 0.85, 0.92, 0.99, 0.50],
            "match_exists": [True, True, False, True, False],
            "correct": [True, True, False, False, False],
            "group": ["A", "A", "A", "B", "B"],
        }
    )
    quality = linkage.link_quality(matches, threshold=0.9, by="group").set_index("group")
    assert quality.loc["Everyone", ["true_matches", "links", "correct"]].tolist() == [3, 3, 1]
    assert quality.loc["A", "precision"] == pytest.approx(0.5)
    assert quality.loc["A", "recall"] == pytest.approx(0.5)
    assert quality.loc["B", "precision"] == 0 and quality.loc["B", "recall"] == 0
    assert quality.loc["B", "false_links"] == 1 and quality.loc["B", "missed"] == 1
    with pytest.raises(ValueError, match="threshold"):
        linkage.link_quality(matches, threshold=1.5)


def test_threshold_table_trades_missed_for_false_links():
    matches = pd.DataFrame(
        {
            "score": np.linspace(0.7, 1.0, 40),
            "match_exists": [True] * 40,
            "correct": [i % 2 == 0 for i in range(40)],
            "group": ["A"] * 40,
        }
    )
    table = linkage.threshold_table(matches, by="group", thresholds=(0.75, 0.95))
    missed = table[(table["group"] == "A") & (table["measure"] == linkage.MISSED)].set_index("threshold")["share"]
    assert missed[0.95] > missed[0.75]
    spec = privacy.linkage_chart(table).to_dict()
    assert spec["params"][0]["bind"]["input"] == "range"


@pytest.fixture(scope="module")
def county_matches():
    identity = load.table("identity_records")
    matches = linkage.link(
        identity[identity["agency"] == "child_welfare"], identity[identity["agency"] == "benefits"], key=KEY
    )
    people = load.table("people").set_index("person_id")
    matches["compound_surname"] = matches["person_id"].map(people["last_name"].str.contains(" "))
    return matches.merge(load.county()[["person_id", "race_ethnicity"]], on="person_id")


def test_on_the_county_compound_surnames_link_less_often(county_matches):
    quality = linkage.link_quality(county_matches, by="compound_surname").set_index("group")
    assert quality.loc["True", "recall"] < quality.loc["False", "recall"] - 0.05
    overall = linkage.link_quality(county_matches).iloc[0]
    assert overall["precision"] > 0.8 and overall["recall"] > 0.8


def test_on_the_county_recall_differs_by_group(county_matches):
    quality = linkage.link_quality(county_matches, by="race_ethnicity").set_index("group")
    assert quality.loc["Hispanic or Latino", "recall"] < quality.loc["White", "recall"]
    assert quality.loc["Asian", "recall"] < quality.loc["Black or African American", "recall"]
