"""The HTML repairs of ``equitylens.book.a11y`` (the browser scan is in test_accessibility.py)."""

from __future__ import annotations

from types import SimpleNamespace

from markupsafe import Markup

from equitylens.book import a11y


def test_checklist_boxes_get_their_item_as_a_name():
    body = (
        '<li class="task-list-item"><p><input class="task-list-item-checkbox" disabled="disabled" type="checkbox">'
        " Name the <em>groups</em> your suppression hides.</p></li>"
    )
    repaired = a11y.repair_body(body)
    assert 'aria-label="Name the groups your suppression hides."' in repaired
    assert a11y.repair_body(repaired) == repaired  # running twice changes nothing


def test_bibliography_entries_become_list_items():
    body = '<div role="list" class="citation-list"><div class="citation" id="id1" role="doc-biblioentry">A</div></div>'
    assert 'role="doc-biblioentry"' not in a11y.repair_body(body)
    assert 'role="listitem"' in a11y.repair_body(body)


def test_chart_pages_get_the_script_that_quiets_unnamed_marks():
    assert a11y.QUIET_UNNAMED_MARKS in a11y.repair_body('<div class="equitylens-chart" id="c"></div>')
    assert a11y.QUIET_UNNAMED_MARKS not in a11y.repair_body("<p>No chart here.</p>")


def test_sidebar_toggles_are_named_after_their_section():
    navigation = (
        '<li class="toctree-l1 has-children"><a class="reference internal" href="p.html">Stage 1: Planning</a>'
        '<details><summary><span class="toctree-toggle" role="presentation"></span></summary><ul></ul></details></li>'
    )
    labelled = a11y.label_toggles(navigation)
    assert '<summary aria-label="Show or hide the pages in Stage 1: Planning">' in labelled
    wrapped = a11y._labelled(lambda **kwargs: Markup(navigation))
    assert isinstance(wrapped(kind="sidebar"), Markup)
    assert "aria-label" in wrapped(kind="sidebar")


def test_each_script_is_written_once():
    thebe = SimpleNamespace(filename=None, priority=500, attributes={"body": "const THEBE_JS_URL = 1"})
    again = SimpleNamespace(filename="", priority=500, attributes={"body": "const THEBE_JS_URL = 1"})
    other = SimpleNamespace(filename="_static/x.js", priority=500, attributes={})
    context = {"body": "", "script_files": [thebe, other, again]}
    a11y._repair_page(None, "page", "page.html", context, None)  # type: ignore[arg-type]
    assert context["script_files"] == [thebe, other]
