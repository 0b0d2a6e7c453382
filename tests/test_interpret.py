"""Stage 5: participatory interpretation prompts as data, and the analyses they lead to."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from equitylens.data import load
from equitylens.stages import interpret


@pytest.fixture(scope="module")
def county() -> pd.DataFrame:
    return load.county()


def test_prompts_load_and_name_three_readers():
    prompts = interpret.load_prompts()
    assert interpret.readers(prompts) == ["youth", "caseworkers", "analysts"]
    table = interpret.questions(prompts)
    assert list(table.columns) == ["reader", "question", "why", "analysis"]
    assert set(table["reader"]) == {"Youth investigators", "Caseworkers", "Analysts"}


def test_who_is_in_the_room_changes_the_next_questions(county):
    youth = interpret.follow_up(county, who=["youth"])
    analysts = interpret.follow_up(county, who="analysts")
    assert set(youth["question"]).isdisjoint(set(analysts["question"]))
    everyone = interpret.follow_up(county)
    assert set(everyone["question"]) == set(youth["question"]) | set(analysts["question"]) | set(
        interpret.follow_up(county, who=["caseworkers"])["question"]
    )


def test_follow_up_never_shows_a_small_count(county):
    table = interpret.follow_up(county)
    shown = table["numerator"].dropna()
    assert not ((shown > 0) & (shown < 11)).any()
    assert (table["denominator"].dropna() >= 11).all()
    assert (table.loc[table["status"] == "suppressed", "rate"].isna()).all()


def test_finding_table(county):
    table = interpret.finding_table(county)
    assert "race_ethnicity" in table.columns and table["rate"].notna().any()


def test_unknown_reader_and_population_are_named(county, tmp_path):
    with pytest.raises(ValueError, match="unknown reader"):
        interpret.follow_up(county, who=["mayor"])
    with pytest.raises(ValueError, match="population"):
        interpret.population(county, "adults")
    bad = interpret.load_prompts()
    bad["readers"][0]["questions"][0]["population"] = "adults"
    path = tmp_path / "prompts.yml"
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(ValueError, match="adults"):
        interpret.load_prompts(path)
