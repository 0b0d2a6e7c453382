"""k-anonymity measures and the access tiers data file."""

from __future__ import annotations

import pandas as pd
import pytest

from equitylens.methods import reidentify
from equitylens.stages import access
from equitylens.viz import privacy


def tiny() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "neighbourhood_id": ["N1", "N1", "N1", "N2"],
            "lending_grade": ["A", "A", "A", "D"],
            "age": [10, 10, 11, 10],
            "age_band": ["10-14"] * 4,
            "race_ethnicity": ["Asian", "Asian", "White", "Asian"],
            "gender": ["Girl or woman"] * 4,
        }
    )


def test_equivalence_classes_and_uniqueness_by_hand():
    frame = tiny()
    assert reidentify.equivalence_classes(frame, quasi=["neighbourhood_id", "age"]).tolist() == [2, 2, 1, 1]
    assert reidentify.equivalence_classes(frame, quasi=[]).tolist() == [4, 4, 4, 4]
    result = reidentify.uniqueness(frame, quasi=["neighbourhood_id", "age"], k=3, by="race_ethnicity")
    result = result.set_index("group")
    assert result.loc["Everyone", "share_unique"] == pytest.approx(0.5)
    assert result.loc["Everyone", "share_under_k"] == pytest.approx(1.0)
    assert result.loc["Asian", "share_unique"] == pytest.approx(1 / 3)
    assert result.loc["White", "share_unique"] == pytest.approx(1.0)


def test_uniqueness_rejects_bad_arguments():
    with pytest.raises(ValueError, match="k=1 must be a whole number >= 2"):
        reidentify.uniqueness(tiny(), quasi=["age"], k=1)
    with pytest.raises(ValueError, match="quasi lists a column more than once"):
        reidentify.uniqueness(tiny(), quasi=["age", "age"])
    with pytest.raises(ValueError, match=r"\['postcode'\] not found"):
        reidentify.uniqueness(tiny(), quasi=["postcode"])


def test_risk_scenarios_grow_with_detail():
    table = reidentify.risk_scenarios(tiny(), thresholds=(2,))
    everyone = table[table["group"] == reidentify.EVERYONE]
    coarse = everyone[(everyone["geography"] == 0) & (everyone["age"] == 0) & ~everyone["race"] & ~everyone["gender"]]
    fine = everyone[(everyone["geography"] == 2) & (everyone["age"] == 2) & everyone["race"] & everyone["gender"]]
    assert coarse["share_unique"].item() == 0
    assert fine["share_unique"].item() > 0
    assert len(everyone) == 3 * 3 * 2 * 2
    spec = privacy.risk_chart(table, population="Tiny").to_dict()
    assert {p["name"] for p in spec["params"]} == {"geography", "age", "race", "gender", "k"}


def test_risk_scenarios_rows_are_uniqueness_for_each_release_and_threshold():
    """Every threshold of every release is what ``uniqueness`` says for that release and threshold alone."""
    frame = pd.concat([tiny()] * 3, ignore_index=True).assign(age=lambda f: f["age"] + f.index % 4)
    table = reidentify.risk_scenarios(frame, thresholds=(2, 3, 5))
    for (geography, age, race, gender, k), rows in table.groupby(["geography", "age", "race", "gender", "k"]):
        columns = [list(reidentify.GEOGRAPHY.values())[geography], list(reidentify.AGE.values())[age]]
        quasi = [c for c in columns if c] + (["race_ethnicity"] if race else []) + (["gender"] if gender else [])
        alone = reidentify.uniqueness(frame, quasi=quasi, k=k, by="race_ethnicity")
        expected = alone[["group", "people", "share_unique", "share_under_k"]]
        pd.testing.assert_frame_equal(rows[expected.columns].reset_index(drop=True), expected, check_dtype=False)


def test_access_tiers_file_is_complete_and_checked(tmp_path):
    table = access.tiers_table()
    assert set(table["tier"].astype(str)) == set(access.TIERS)
    assert access.unclassified_tables() == []
    unavailable = table[table["tier"] == "Unavailable"]
    assert unavailable["reason_kind"].isin(access.UNAVAILABLE_REASONS).all()
    assert "<table" in access.tiers_html()
    bad = tmp_path / "tiers.yml"
    bad.write_text(
        "tiers: [{tier: Open}, {tier: Restricted}, {tier: Unavailable}]\n"
        "items: [{item: x, table: people, tier: Unavailable, reason_kind: because, reason: y}]\n"
    )
    with pytest.raises(ValueError, match="reason_kind"):
        access.load_tiers(bad)
