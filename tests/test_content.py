"""Tests for the curated content (practices, glossary, sites) and its renderers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pybtex.database import parse_file

from equitylens.data import content

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
DATA = BOOK / "data"

LIFE_CYCLE = ["planning", "collection", "access", "algorithms", "analysis", "reporting"]
WORKGROUP_TERMS = {
    "administrative data reuse",
    "bias",
    "community",
    "community engagement",
    "consent",
    "data",
    "data ethics",
    "data governance",
    "data privacy",
    "equity",
    "racial equity",
    "individual racism",
    "institutional racism",
    "structural racism",
    "social justice",
}
# MyST roles: {term}`text <target>` or {term}`target`; {cite:p}`a,b` and friends.
TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def _book_markdown() -> list[Path]:
    return sorted(p for p in BOOK.rglob("*.md") if "_build" not in p.parts)


def _pairs(stage: dict) -> list[dict]:
    return [pair for section in stage["sections"] for pair in section["pairs"]]


@pytest.fixture(scope="module")
def practices() -> dict:
    return content.load_practices()


# --- practices.yml -----------------------------------------------------------------


def test_stage_ids_once_each_in_life_cycle_order(practices: dict) -> None:
    ids = [stage["id"] for stage in practices["stages"]]
    assert ids == LIFE_CYCLE
    assert list(content.STAGE_IDS) == LIFE_CYCLE


def test_every_pair_has_a_side_and_a_why(practices: dict) -> None:
    for stage in practices["stages"]:
        for pair in _pairs(stage):
            assert pair["positive"] or pair["problematic"], stage["id"]
            assert pair["why"].strip(), stage["id"]


def test_each_stage_has_at_least_three_pairs(practices: dict) -> None:
    for stage in practices["stages"]:
        assert len(_pairs(stage)) >= 3, stage["id"]


def test_row_counts_match_the_paper(practices: dict) -> None:
    # Tables 1-6 of Hawn Nelson & Zanti (2020).
    counts = {stage["id"]: len(_pairs(stage)) for stage in practices["stages"]}
    assert counts == {
        "planning": 4,
        "collection": 5,
        "access": 6,
        "algorithms": 4,
        "analysis": 5,
        "reporting": 4,
    }


def test_access_has_the_three_tiers(practices: dict) -> None:
    access = content.get_stage("access", practices)
    assert [s["title"] for s in access["sections"]] == [
        "Open data",
        "Restricted data",
        "Unavailable data",
    ]


def test_sub_items_are_kept_as_lists(practices: dict) -> None:
    collection = content.get_stage("collection", practices)
    with_items = [p for p in _pairs(collection) if "positive_items" in p]
    assert len(with_items) == 1
    assert "provenance" in with_items[0]["positive_items"]
    assert "inconsistent" in with_items[0]["problematic_items"]


def test_encouraged_discouraged_and_gare(practices: dict) -> None:
    assert len(practices["encouraged"]) == 3
    assert len(practices["discouraged"]) == 4
    assert [g["word"] for g in practices["gare"]] == ["normalize", "operationalize", "organize"]


# --- glossary.yml ------------------------------------------------------------------


def test_glossary_has_the_workgroup_terms_and_no_duplicates() -> None:
    terms = [entry["term"].casefold() for entry in content.load_glossary()]
    assert set(terms) >= WORKGROUP_TERMS
    assert {t.casefold() for t in content.WORKGROUP_TERMS} == WORKGROUP_TERMS
    assert len(terms) == len(set(terms))
    assert terms == sorted(terms)


def test_glossary_file_is_sorted_and_sources_valid() -> None:
    raw = yaml.safe_load((DATA / "glossary.yml").read_text(encoding="utf-8"))
    terms = [entry["term"].casefold() for entry in raw]
    assert terms == sorted(terms)
    assert {entry["source"] for entry in raw} <= {"paper", "kit"}


# --- sites.yml ---------------------------------------------------------------------


def test_sites_cover_each_stage_once() -> None:
    sites = content.load_sites()
    assert [site["stage"] for site in sites] == LIFE_CYCLE


def test_site_cite_keys_exist() -> None:
    keys = set(parse_file(str(BOOK / "references.bib")).entries)
    for site in content.load_sites():
        assert site["cite"] in keys
        for key in site.get("see_also", []):
            assert key in keys


# --- renderers ---------------------------------------------------------------------


def test_practices_markdown_renders_a_pipe_table() -> None:
    md = content.practices_markdown("planning")
    assert "| Positive practice | Problematic practice |" in md
    assert "| --- | --- |" in md
    assert "token “representation”" in md
    assert md.count("```{table}") == 1


def test_practices_markdown_one_table_per_access_tier() -> None:
    md = content.practices_markdown("access")
    assert md.count("```{table}") == 3
    assert "restricted data" in md


def test_practices_markdown_inlines_sub_items() -> None:
    md = content.practices_markdown("collection")
    assert "description; provenance; technical specifications" in md
    for line in md.splitlines():
        if line.startswith("|"):
            # Two columns: three unescaped pipes per row.
            assert len(re.findall(r"(?<!\\)\|", line)) == 3, line


def test_pipes_in_text_are_escaped(tmp_path: Path) -> None:
    data = yaml.safe_load((DATA / "practices.yml").read_text(encoding="utf-8"))
    data["stages"][0]["sections"][0]["pairs"][0]["positive"] = "left | right"
    path = tmp_path / "practices.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    md = content.practices_markdown("planning", path)
    assert "left \\| right" in md


def test_glossary_markdown_format() -> None:
    md = content.glossary_markdown()
    lines = md.splitlines()
    assert lines[0] == "```{glossary}"
    assert lines[-1] == "```"
    assert "Racial equity" in lines
    i = lines.index("Racial equity")
    assert lines[i + 1].startswith("   ") and lines[i + 1].strip()
    assert lines[i - 1] == ""


# --- bad input ---------------------------------------------------------------------


def test_unknown_stage_id_raises() -> None:
    with pytest.raises(ValueError, match="unknown stage id 'budgeting'"):
        content.practices_markdown("budgeting")


def test_practices_missing_field_raises(tmp_path: Path) -> None:
    data = yaml.safe_load((DATA / "practices.yml").read_text(encoding="utf-8"))
    del data["stages"][2]["sections"][0]["pairs"][0]["why"]
    path = tmp_path / "practices.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=r"missing field.*why"):
        content.load_practices(path)


def test_practices_unknown_stage_in_file_raises(tmp_path: Path) -> None:
    data = yaml.safe_load((DATA / "practices.yml").read_text(encoding="utf-8"))
    data["stages"][0]["id"] = "dreaming"
    path = tmp_path / "practices.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown stage id 'dreaming'"):
        content.load_practices(path)


def test_practices_empty_pair_raises(tmp_path: Path) -> None:
    data = yaml.safe_load((DATA / "practices.yml").read_text(encoding="utf-8"))
    pair = data["stages"][0]["sections"][0]["pairs"][0]
    pair["positive"] = None
    pair["problematic"] = None
    path = tmp_path / "practices.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="both positive and problematic are empty"):
        content.load_practices(path)


def test_glossary_duplicate_term_raises(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yml"
    path.write_text(
        "- {term: Bias, definition: One., source: kit}\n- {term: bias, definition: Two., source: kit}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="duplicate term 'bias'"):
        content.load_glossary(path)


def test_glossary_missing_field_raises(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yml"
    path.write_text("- {term: Bias, source: kit}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"missing field.*definition"):
        content.load_glossary(path)


def test_sites_missing_field_raises(tmp_path: Path) -> None:
    sites = yaml.safe_load((DATA / "sites.yml").read_text(encoding="utf-8"))
    del sites[3]["place"]
    path = tmp_path / "sites.yml"
    path.write_text(yaml.safe_dump(sites, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=r"missing field.*place"):
        content.load_sites(path)


def test_sites_unknown_stage_raises(tmp_path: Path) -> None:
    sites = yaml.safe_load((DATA / "sites.yml").read_text(encoding="utf-8"))
    sites[0]["stage"] = "funding"
    path = tmp_path / "sites.yml"
    path.write_text(yaml.safe_dump(sites, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown stage id 'funding'"):
        content.load_sites(path)


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="file not found"):
        content.load_glossary(tmp_path / "nope.yml")


# --- cross-references in the book --------------------------------------------------


def test_every_term_role_resolves_to_a_glossary_term() -> None:
    terms = {entry["term"].casefold() for entry in content.load_glossary()}
    used = 0
    for page in _book_markdown():
        for raw in TERM_ROLE.findall(page.read_text(encoding="utf-8")):
            target = re.search(r"<([^>]+)>\s*$", raw)
            name = (target.group(1) if target else raw).strip()
            assert name.casefold() in terms, f"{page.relative_to(ROOT)}: unknown term {name!r}"
            used += 1
    assert used > 0


def test_every_cite_key_is_in_the_bibliography() -> None:
    keys = set(parse_file(str(BOOK / "references.bib")).entries)
    assert {"hawnnelson2020framework", "aisp2020toolkit", "omb2024spd15"} <= keys
    used = 0
    for page in _book_markdown():
        for group in CITE_ROLE.findall(page.read_text(encoding="utf-8")):
            for key in (k.strip() for k in group.split(",")):
                assert key in keys, f"{page.relative_to(ROOT)}: unknown cite key {key!r}"
                used += 1
    assert used > 0


def test_practice_table_directives_name_real_stages() -> None:
    page = (BOOK / "start" / "practices.md").read_text(encoding="utf-8")
    used = re.findall(r"```\{practice-table\}\s+(\S+)", page)
    assert used == LIFE_CYCLE
