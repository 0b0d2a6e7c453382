"""Sphinx extension: small repairs to the theme's HTML so every page passes axe-core.

``tests/test_accessibility.py`` runs axe-core on every built page. Three findings
came from HTML that neither our pages nor CSS can change; this extension fixes
them as each page is written (``html-page-context``):

* **Checklists** (MyST's ``tasklist``) render ``<input type="checkbox" disabled>``
  with no label, so a screen reader announces "checkbox, unchecked" and nothing
  else (axe ``label``, critical). Each box gets ``aria-label`` = its item's text.
* **The bibliography**: docutils writes ``<div role="list">`` whose entries have
  ``role="doc-biblioentry"``, a role ARIA has deprecated and that a list may not
  hold (axe ``aria-required-children``, critical). The entries become
  ``role="listitem"``.
* **The sidebar's section toggles**: the theme writes ``<summary>`` elements that
  hold only a decorative chevron, so they have no name (axe ``summary-name``,
  serious). Each gets ``aria-label`` naming the section it opens.
* **Unnamed marks inside a chart**: the chart's ``<svg>`` is one image whose name
  is the chart's title and description (``equitylens.viz.charts``), but Vega also
  gives some marks their own graphic role; a mark with no description (such as a
  reference line drawn from one constant) is then a nameless image (axe
  ``svg-img-alt``, serious). On chart pages a small script hides such unnamed
  marks from assistive technology, as Vega-Lite's ``aria=False`` would; the
  chart's name, description and data table still say what the mark shows.
* **sphinx-thebe's inline script twice**: sphinx-thebe 0.3.1 registers its
  configuration script with ``app.add_js_file(None, body=...)``; Sphinx 7.4 adds
  registry entries again before writing as ``""``, which no longer equals
  ``None``, so each page declared ``const THEBE_JS_URL`` twice and the second
  copy threw a ``SyntaxError``. The page's script list is de-duplicated.
  (It is not caused by the launch buttons, and no ``_config.yml`` setting avoids it
  short of replacing jupyter-book's whole extension list.)
"""

from __future__ import annotations

import html
import re
from typing import Any, Final

from markupsafe import Markup
from sphinx.application import Sphinx

_CHECKBOX: Final = re.compile(
    r'<input class="task-list-item-checkbox"(?P<attrs>[^>]*?)\s*/?>(?P<text>.*?)(?=</p>|</li>|<ul|<ol)', re.S
)
_TAG: Final = re.compile(r"<[^>]+>")
_BIBLIOENTRY: Final = 'role="doc-biblioentry"'


def _label_checkbox(match: re.Match[str]) -> str:
    attrs, text = match.group("attrs"), match.group("text")
    if "aria-label" in attrs:
        return match.group(0)
    spoken = " ".join(html.unescape(_TAG.sub("", text)).split()) or "Checklist item"
    return f'<input class="task-list-item-checkbox"{attrs} aria-label="{html.escape(spoken)}">{text}'


# Runs on chart pages: unnamed graphic roles inside a chart's svg are hidden from assistive technology.
QUIET_UNNAMED_MARKS: Final = """<script>
(function () {
  var unnamed = '.equitylens-chart svg [role="img"], .equitylens-chart svg [role="graphics-symbol"], '
    + '.equitylens-chart svg [role="graphics-document"]';
  function quiet() {
    document.querySelectorAll(unnamed).forEach(function (mark) {
      if (!mark.getAttribute("aria-label") && !mark.getAttribute("aria-labelledby")) {
        mark.setAttribute("aria-hidden", "true");
      }
    });
  }
  new MutationObserver(quiet).observe(document.documentElement, {childList: true, subtree: true});
})();
</script>
"""


def repair_body(body: str) -> str:
    """The page body with labelled checklist boxes, list-item bibliography entries and quiet chart marks."""
    if "task-list-item-checkbox" in body:
        body = _CHECKBOX.sub(_label_checkbox, body)
    if 'class="equitylens-chart"' in body:
        body += QUIET_UNNAMED_MARKS
    return body.replace(_BIBLIOENTRY, 'role="listitem"')


_TOGGLE: Final = re.compile(
    r'(?:<a class="[^"]*reference[^"]*" href="[^"]*">(?P<title>(?:(?!</a>).)*)</a>\s*)?'
    r'(?P<open><details(?: open="open")?>\s*)<summary>'
    r'(?P<inner>\s*(?:<p class="caption[^"]*"[^>]*>(?P<caption>.*?)</p>)?)',
    re.S,
)


def _label_toggle(match: re.Match[str]) -> str:
    name = match.group("title") or match.group("caption") or ""
    spoken = " ".join(html.unescape(_TAG.sub("", name)).split())
    label = f"Show or hide the pages in {spoken}" if spoken else "Show or hide the pages in this section"
    before = match.group(0)[: match.start("open") - match.start(0)]
    return f'{before}{match.group("open")}<summary aria-label="{html.escape(label)}">{match.group("inner")}'


def label_toggles(navigation: str) -> str:
    """Navigation HTML whose section toggles (``<summary>``) have an accessible name."""
    return _TOGGLE.sub(_label_toggle, navigation)


def _labelled(generate: Any) -> Any:
    def generate_labelled(*args: Any, **kwargs: Any) -> Any:
        result = generate(*args, **kwargs)  # a str or a BeautifulSoup tree
        text = str(result)
        return Markup(label_toggles(text)) if "<summary>" in text else result

    return generate_labelled


def _script_key(script: Any) -> tuple[str, int, tuple[tuple[str, str], ...]]:
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {}) or {}
    return (str(filename), int(getattr(script, "priority", 500)), tuple(sorted(attributes.items())))


def _repair_page(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if isinstance(context.get("body"), str):
        context["body"] = repair_body(context["body"])
    if callable(context.get("generate_toctree_html")):
        context["generate_toctree_html"] = _labelled(context["generate_toctree_html"])
    scripts = context.get("script_files")
    if isinstance(scripts, list):
        seen: set[tuple[str, int, tuple[tuple[str, str], ...]]] = set()
        unique = []
        for script in scripts:
            key = _script_key(script)
            if key not in seen:
                seen.add(key)
                unique.append(script)
        context["script_files"] = unique


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx (late, so the other handlers have run)."""
    app.connect("html-page-context", _repair_page, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
