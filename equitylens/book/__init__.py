"""The book layer: the one Sphinx extension the book build loads (``equitylens.book``).

``_config.yml`` names only this package; :func:`setup` sets up each part in turn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, Any]:
    """Set up chart assets, directives, workshop pages, a11y fixes, ``{eval}``, ``{policy}`` and citations."""
    # Imported here, so that importing ``equitylens.book.notebooks`` does not pull in Sphinx.
    from equitylens.book import (
        a11y,
        assets,
        citations,
        directives,
        eval_role,
        instructor_directives,
        policy_role,
        workshop_pages,
    )

    for part in (assets, directives, instructor_directives, workshop_pages, a11y, eval_role, policy_role, citations):
        part.setup(app)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
