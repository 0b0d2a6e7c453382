"""What a room needs on the day: the card deck, the Spanish edition and the slide decks.

The first tests need no browser: every string has a Spanish translation, the Spanish reads as
plainly as the kit asks of its English, and the cards carry the numbers the session plans name.
The rest print PDFs and open the decks in headless Chromium (skipped, with a message, without it).
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Any

import pytest

from equitylens.data import content
from equitylens.kit import cards, checkin, i18n, sheets, slides, translate, workshops
from equitylens.viz import charts
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS, outside_event_loop, record_off_machine

PLACEHOLDER = re.compile(r"\{\w+\}")
PLAN_CARDS = re.compile(r"cards (\d+) to (\d+) of the deck")
# The kit's plain-language bar (tests/test_readability.py) is a median Flesch-Kincaid grade of
# 10 or below and no page above 12. On the Fernández-Huerta scale, 60-70 reads as "normal"
# (about grades 7-8) and 50-60 as "fairly difficult" (some secondary school): the same bar.
FH_MEDIAN_AT_LEAST = 60.0
FH_EACH_AT_LEAST = 50.0
PROJECTOR = {"width": 1280, "height": 720}


# --- Without a browser --------------------------------------------------------------------


def test_every_string_has_a_spanish_translation():
    missing = translate.untranslated("es")
    assert not missing, (
        f"{len(missing)} string(s) without a translation; "
        "run `python -m equitylens.kit.translate update es` and fill in:\n" + "\n".join(missing[:20])
    )


def test_translations_keep_their_placeholders_and_the_catalog_has_no_stale_strings():
    catalog = i18n.read_catalog("es")
    current = {i18n.normalise(text) for text, _ in translate.messages()}
    ids = {i18n.normalise(str(m.id)) for m in catalog if m.id}
    assert ids == current, f"stale: {sorted(ids - current)[:5]}; new: {sorted(current - ids)[:5]}"
    for message in catalog:
        if message.id:
            assert set(PLACEHOLDER.findall(str(message.id))) == set(PLACEHOLDER.findall(str(message.string))), (
                message.id
            )


def test_a_missing_translation_falls_back_to_english_and_is_reported(tmp_path):
    file = i18n.update("es", [("A sentence nobody translated.", "test")], folder=tmp_path)
    assert file.is_file()
    t = i18n.translator("es", folder=tmp_path)
    assert t("A sentence nobody translated.") == "A sentence nobody translated."
    assert t.missing == {"A sentence nobody translated."}
    with pytest.raises(ValueError, match="lang='xx'"):
        i18n.translator("xx")


def _spanish_prose(messages: list[tuple[str, str]]) -> str:
    t = i18n.translator("es")
    lines = [t(text) for text, _ in dict.fromkeys(messages)]
    return " ".join(line if line.endswith((".", "?", ":", "!")) else line + "." for line in lines if " " in line)


def test_the_spanish_edition_is_plain_language():
    import textstat

    groups: dict[str, list[tuple[str, str]]] = {"cards": cards.messages()}
    for text, where in sheets.messages():
        key = where.split()[0]
        key = Path(key).stem if key.startswith("workshops/") else "survey and self-assessment"
        groups.setdefault(key, []).append((text, where))
    textstat.set_lang("es")
    try:
        scores = {name: textstat.fernandez_huerta(_spanish_prose(found)) for name, found in groups.items()}
    finally:
        textstat.set_lang("en_US")  # textstat's default: "en" hyphenates differently (tests/test_readability.py)
    table = "\n".join(f"  {score:5.1f}  {name}" for name, score in sorted(scores.items(), key=lambda kv: kv[1]))
    assert len(scores) >= 9
    assert statistics.median(scores.values()) >= FH_MEDIAN_AT_LEAST, table
    assert min(scores.values()) >= FH_EACH_AT_LEAST, table


def test_card_numbers_match_the_session_plans():
    deck = cards.deck()
    assert deck["number"].tolist() == list(range(1, len(deck) + 1))
    for plan in workshops.load_plans():
        if plan.stage is None:
            continue
        named = [PLAN_CARDS.search(m) for m in plan.meta["materials"]]
        first, last = next(map(int, m.groups()) for m in named if m)
        mine = deck[deck["stage"] == plan.stage]
        assert (int(mine["number"].min()), int(mine["number"].max())) == (first, last), plan.path.name
        assert set(mine["session"]) == {plan.meta["session"]}


def test_cards_have_stage_colour_and_name_on_both_sides_and_mirrored_backs():
    assert list(cards.STAGE_COLOURS.values()) == list(charts.PALETTE[: len(content.STAGE_IDS)])
    markup = cards.deck_html(paper="letter")
    sheets_ = re.findall(r'<section class="sheet">(.*?)</section>', markup, re.S)
    assert len(sheets_) == cards.sheets_needed(len(cards.deck()))
    fronts = re.findall(r"Card (\d+)</span>", sheets_[0])
    backs = re.findall(r"Card (\d+)</span>", sheets_[1])
    assert fronts == [str(n) for n in range(1, 10)]
    assert backs == ["3", "2", "1", "6", "5", "4", "9", "8", "7"]
    first_front, first_back = sheets_[0].split('class="card ')[1], sheets_[1].split('class="card ')[3]
    for side in (first_front, first_back):
        assert "Planning" in side and cards.STAGE_COLOURS["planning"] in side
    assert "From the paper, Table 1" in first_front and "Kit&#x27;s note" in first_back
    assert markup.count('class="cut v"') == 2 * (cards.COLUMNS + 1) * len(sheets_)
    with pytest.raises(ValueError, match="paper='legal'"):
        cards.deck_html(paper="legal")


def test_slides_come_from_the_plan():
    plan = workshops.get_plan("access")
    deck = slides.plan_slides(plan)
    titles = [s.title for s in deck]
    assert titles[0] == f"Session 3: {plan.title}"
    text = " ".join(s.body + s.notes for s in deck)
    for goal in plan.meta["goals"]:
        assert goal in text
    assert "Birth through Eight Strategy for Tulsa" in text  # the Work in Action site of the stage
    assert "Cards 19 to 30 of the deck" in text
    assert any("vegaEmbed" in s.body for s in deck if s.kind == "explore")
    assert plan.subsection(workshops.SCENARIO_HEADING).splitlines()[2][:40] in text
    for statement in checkin.QUESTIONS.values():
        assert statement in text
    assert all(s.notes for s in deck if s.kind in ("frame", "explore", "cards", "scenario"))
    custom = slides.session_slides(workshops.build_session(stages=["analysis", "access"], minutes=120))
    kinds = [s.kind for s in custom]
    assert kinds[:2] == ["title", "agenda"] and kinds.count("frame") == 2 and "survey" in kinds
    with pytest.raises(ValueError, match="stages and minutes"):
        slides.make_slides("unused", plans=[], stages="access", pdf=False)


# --- Printed and shown (need Chromium) ------------------------------------------------------


@pytest.fixture(scope="module")
def pdf():
    if not CHROMIUM.exists():
        pytest.skip("PDF tests skipped: Debian's chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="PDF tests skipped: playwright missing")
    return pytest.importorskip("pypdf", reason="PDF tests skipped: pypdf missing")


def _text(reader: Any) -> str:
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.mark.browser
def test_spanish_cards_print_on_letter_and_a4(pdf, tmp_path):
    from equitylens.kit import printing

    pages = cards.sheets_needed(len(cards.deck()))
    # The English deck's pages, sizes and words are checked in tests/test_workshops.py.
    spanish = printing.make_cards(printing.edition_folder(tmp_path, "es"), lang="es")
    assert [p.name for p in spanish] == ["cards-letter.pdf", "cards-a4.pdf"] and spanish[0].parent.name == "es"
    for path, size in zip(spanish, [(612, 792), (595, 842)], strict=True):
        reader = pdf.PdfReader(path)
        assert len(reader.pages) == pages
        assert tuple(round(float(v)) for v in reader.pages[0].mediabox[2:]) == size
    es = _text(pdf.PdfReader(spanish[0]))
    for word in (
        "tarjeta 1",
        "del artículo, tabla 1",
        "práctica problemática",
        "nota del kit",
        "planificación",
        "pequeños",
        "borrador de traducción para revisión",
    ):
        assert word in es.lower(), word


@pytest.mark.browser
def test_spanish_handouts_survey_and_self_assessment(pdf, tmp_path):
    from equitylens.kit import printing

    plan = workshops.get_plan("access")
    [handout] = printing.render_pdfs([(sheets.handout_html(plan, lang="es"), tmp_path / "03-access.pdf", "letter")])
    forms = printing.make_forms(tmp_path, lang="es")
    reader = pdf.PdfReader(handout)
    assert 1 <= len(reader.pages) <= 2
    text = _text(reader)
    t = i18n.translator("es")
    for word in (
        "Sesión 3",
        "Ideas clave",
        "Para llevar al trabajo",
        t(plan.meta["goals"][0]),
        "Borrador de traducción",
    ):
        assert word in text, word
    survey = pdf.PdfReader(forms[0])
    assert len(survey.pages) == 1
    assert "En esta sesión pude decir lo que pienso." in _text(survey) and "Muy de acuerdo" in _text(survey)
    self_assessment = pdf.PdfReader(forms[1])
    assert 1 <= len(self_assessment.pages) <= 4
    assert "Todavía no" in _text(self_assessment) and "Recolección de datos" in _text(self_assessment)


@pytest.fixture(scope="module")
def decks(pdf, tmp_path_factory):
    folder = tmp_path_factory.mktemp("slides")
    written = slides.make_slides(folder, plans=["access"], stages="access", minutes=60, pdf=False)
    return {p.stem: p for p in written}


@pytest.mark.browser
def test_each_deck_loads_offline_and_passes_axe(decks):
    outside_event_loop(_check_decks, decks)


def _check_decks(decks: dict[str, Path]) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    axe = Axe()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport=PROJECTOR)
        offsite = record_off_machine(page)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        for name, path in decks.items():
            page.goto(path.as_uri(), wait_until="load")
            charts_ = page.evaluate("document.querySelectorAll('.equitylens-chart').length")
            page.wait_for_function(
                "document.querySelectorAll('.equitylens-chart svg[role=img]').length === "
                "document.querySelectorAll('.equitylens-chart').length",
                timeout=30_000,
            )
            # Every slide at once (as the print view shows them) for axe and the chart text check.
            page.evaluate("document.querySelectorAll('section.slide').forEach(s => { s.hidden = false; })")
            response = axe.run(page, options={"resultTypes": ["violations"]}).response
            findings = [
                f"{name}: {v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']][:3]}"
                for v in response["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            small = page.evaluate(
                """() => Array.from(document.querySelectorAll('.equitylens-chart svg text'))
                .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
                .map(t => { const svg = t.ownerSVGElement; const r = svg.getBoundingClientRect();
                  const scale = r.width / svg.width.baseVal.value;
                  return parseFloat(getComputedStyle(t).fontSize) * scale; })
                .filter(px => px < 10)"""
            )
            assert not small, f"{name}: chart text under 10 px at projector size: {small[:5]}"
            assert not findings, "\n".join(findings)
            # Keys move through the deck and N shows the facilitator script.
            page.evaluate("window.equitylensDeck.show(0)")
            page.keyboard.press("ArrowRight")
            assert page.evaluate(
                "document.querySelectorAll('section.slide:not([hidden])')[0].getAttribute('aria-label')"
            ) != page.evaluate("document.querySelector('section.slide').getAttribute('aria-label')")
            page.keyboard.press("n")
            assert page.evaluate("!document.getElementById('notes').hidden")
            if name == "03-access":
                assert charts_ >= 1
                page.evaluate("window.equitylensDeck.show(0)")
                assert "equity choice" in page.inner_text("#notes")
        browser.close()
    assert not offsite, offsite
    assert not errors, errors


@pytest.mark.browser
def test_a_deck_prints_one_page_per_slide(decks, pdf):
    [printed] = slides.render_pdfs([decks["03-access"]])
    reader = pdf.PdfReader(printed)
    assert len(reader.pages) == len(slides.plan_slides(workshops.get_plan("access")))
    assert tuple(round(float(v)) for v in reader.pages[0].mediabox[2:]) == (960, 540)
    assert "Session 3" in reader.pages[0].extract_text()
