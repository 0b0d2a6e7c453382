"""Citations without the wait: pybtex finds each plugin once per build, not once per citation.

sphinxcontrib-bibtex asks pybtex for its style plugins each time it resolves a
citation, and pybtex answers by reading the entry points of every installed package
(``entry_points(group=..., name=...)``): about 20 ms a citation, 4 s of a cold build.
The installed packages do not change during a build, so pybtex's own lookup is kept
as it is and its answer for each ``(group, name)`` is remembered. The plugins found
are the same; only the repeated reads are saved.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx

_REMEMBERS = "_equitylens_remembers_answers"


def remembered(lookup: Callable[..., Any]) -> Callable[..., Any]:
    """``lookup(**selection)``, called once for each distinct selection and then answered from memory."""
    if getattr(lookup, _REMEMBERS, False):
        return lookup

    @functools.cache
    def answer(selection: tuple[tuple[str, Any], ...]) -> Any:
        return lookup(**dict(selection))

    @functools.wraps(lookup)
    def remembering(**selection: Any) -> Any:
        return answer(tuple(sorted(selection.items())))

    setattr(remembering, _REMEMBERS, True)
    return remembering


def setup(app: Sphinx) -> None:
    """Make pybtex's plugin lookup remember its entry points."""
    plugin: Any = importlib.import_module("pybtex.plugin")
    plugin.entry_points = remembered(plugin.entry_points)
