"""``equitylens.book.citations``: pybtex's plugin lookup is remembered, and finds the same plugins."""

from __future__ import annotations

import importlib
from typing import Any

from equitylens.book import citations


def test_each_selection_is_looked_up_once_and_answered_the_same():
    calls: list[dict[str, Any]] = []

    def lookup(**selection: Any) -> tuple[str, ...]:
        calls.append(selection)
        return (selection.get("group", ""), selection.get("name", ""))

    remembered = citations.remembered(lookup)
    assert remembered(group="g", name="a") == ("g", "a")
    assert remembered(name="a", group="g") == ("g", "a")  # the same selection in another order
    assert remembered(group="g", name="b") == ("g", "b")
    assert calls == [{"group": "g", "name": "a"}, {"group": "g", "name": "b"}]
    assert citations.remembered(remembered) is remembered, "wrapping twice must not stack"


def test_pybtex_finds_the_same_plugins_through_the_remembered_lookup():
    plugin = importlib.import_module("pybtex.plugin")
    original = plugin.entry_points
    wanted = [
        ("pybtex.style.formatting", "plain"),
        ("pybtex.style.formatting", "unsrt"),
        ("pybtex.style.labels", None),
        ("pybtex.backends", "html"),
        ("pybtex.database.input", "bibtex"),
    ]
    try:
        plugin.entry_points = getattr(original, "__wrapped__", original)
        before = [plugin.find_plugin(group, name) for group, name in wanted]
        plugin.entry_points = citations.remembered(plugin.entry_points)
        after = [plugin.find_plugin(group, name) for group, name in wanted]
        again = [plugin.find_plugin(group, name) for group, name in wanted]
    finally:
        plugin.entry_points = original
    assert after == before == again
    assert all(isinstance(found, type) for found in after)
