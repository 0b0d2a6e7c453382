"""Sphinx extension: serve the chart libraries from the book itself.

Altair's usual HTML loads Vega, Vega-Lite and Vega-Embed from a CDN, so in a
room without internet the charts stay blank. This extension writes one bundle
of the three (made by ``vl_convert.javascript_bundle``, so no third-party code is
committed) into the book's ``_static/equitylens/`` folder and adds it only to the
pages that hold a chart, with ``equitylens.viz.charts.EMBED_SCRIPT``, which draws each
chart at its column's width (stacked panels, narrower plots, wrapped lines) instead of
letting the browser shrink it and its text. It also makes notebooks executed by the build use the
static chart mode (see ``equitylens.viz.charts``), and provides the notebook
renderer that keeps widget state out of the pages.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final

from myst_nb.core.render import NbElementRenderer
from sphinx.application import Sphinx

from equitylens.viz import charts

BUNDLE_NAME: Final = "vega-bundle.js"
EMBED_NAME: Final = "embed.js"
STYLE_NAME: Final = "equitylens.css"
STATIC_SUBDIR: Final = "equitylens"
VEGA_LITE_VERSION: Final = "6.4"  # the Vega-Lite minor version Altair 6.3 writes

_STYLE: Final = """\
.equitylens-chart { margin: 0.5rem 0; max-width: 100%; overflow-x: auto; }
.equitylens-chart svg, .equitylens-chart canvas { max-width: 100%; height: auto; }
.equitylens-data-table { margin: 0.5rem 0 1.5rem; }
.equitylens-data-table summary { cursor: pointer; font-weight: 600; }
.equitylens-table { border-collapse: collapse; font-size: 0.9rem; }
.equitylens-table th, .equitylens-table td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #ccc; }
.vega-bindings { margin: 0.5rem 0; }
.vega-bind { margin: 0.25rem 0; }
.vega-bind-name { display: inline-block; min-width: 12rem; font-weight: 600; }
/* Dark theme: notebook HTML outputs keep a light background, so their tables and captions
   take the output's dark text instead of the theme's light (muted) text. */
html[data-theme="dark"] .output.text_html table, html[data-theme="dark"] .output.text_html caption { color: inherit; }
"""


def bundle_text() -> str:
    """Vega, Vega-Lite and Vega-Embed in one script that defines ``window.vegaEmbed``."""
    import vl_convert

    text: str = vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION)  # type: ignore[call-arg]
    # The bundle declares top-level constants (``_``, ``n`` ...) that would clash with
    # the theme's own scripts in the page's shared scope: give it a scope of its own.
    return "(function () {\n" + text + "\n})();\n"


def _write_static(app: Sphinx) -> None:
    folder = Path(app.outdir).parent / ".equitylens-static" / STATIC_SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    bundle = folder / BUNDLE_NAME
    if not bundle.exists():
        bundle.write_text(bundle_text(), encoding="utf-8")
    (folder / STYLE_NAME).write_text(_STYLE, encoding="utf-8")
    (folder / EMBED_NAME).write_text(charts.EMBED_SCRIPT.read_text(encoding="utf-8"), encoding="utf-8")
    app.config.html_static_path.append(str(folder.parent))
    app.add_css_file(f"{STATIC_SUBDIR}/{STYLE_NAME}")


def _add_bundle_where_needed(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "equitylens-chart" in context.get("body", ""):
        app.add_js_file(f"{STATIC_SUBDIR}/{BUNDLE_NAME}")
        app.add_js_file(f"{STATIC_SUBDIR}/{EMBED_NAME}")  # reflows each chart to its column


class StaticPageRenderer(NbElementRenderer):  # type: ignore[misc]
    """myst-nb's renderer, minus the ipywidgets state.

    Executing a notebook stores the state of every widget it made (the live
    explorables' charts carry about a megabyte of JavaScript each) and myst-nb
    would copy that into the page, together with a widget manager from a CDN.
    Without a kernel those widgets cannot work anyway: the book shows the static
    charts instead, so the state is left out. Selected with ``nb_render_plugin``.
    """

    def render_nb_finalise(self, metadata: dict[str, Any]) -> None:
        """Add nothing: no widget state and no widget manager in the page."""


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    os.environ[charts.MODE_VARIABLE] = "static"  # notebooks executed by the build inherit this
    app.connect("builder-inited", _write_static)
    app.connect("html-page-context", _add_bundle_where_needed)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
