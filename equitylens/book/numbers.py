"""Numbers in prose, from one source: named facts a notebook computes, shown by ``{eval}`` roles.

A notebook computes its facts in a code cell (tagged ``remove-cell``: it is plumbing)::

    facts = Facts()
    facts.add("gap", 2.345)

and its Markdown shows them with the MyST inline role ``{eval}`facts["gap:.1f"]```, where
the key is ``name`` or ``name:format_spec`` (the same keys as myst-nb's ``{glue:text}``).

* In JupyterLab, jupyterlab-myst evaluates the expression in the kernel and shows the text.
* ``python -m equitylens.book.notebooks execute`` evaluates every expression after the
  cells above it and stores the result in the cell's ``metadata.user_expressions``
  (jupyterlab-myst's format), so a notebook shows its numbers before a kernel runs.
* The book renders ``{eval}`` from those stored results (:mod:`equitylens.book.eval_role`).

A :class:`Fact` is a ``str`` whose ``repr`` is itself, so the kernel's ``text/plain`` is the
ready-to-print text, with no quotes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from equitylens.methods.policy import DEFAULT_POLICY, DisclosurePolicy

__all__ = ["EVAL_ROLE", "Fact", "Facts", "expressions", "format_value", "stored_results"]

EVAL_ROLE: Final = re.compile(r"\{eval\}`(?P<expression>[^`]+)`")
_INT_TYPES: Final = frozenset("bcdoxX")
_FLOAT_TYPES: Final = frozenset("eEfFgGn%")


class Fact(str):
    """A ready-to-print piece of prose; its ``repr`` is the text itself (no quotes)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def format_value(value: Any, spec: str = "") -> Fact:
    """Format ``value`` with a format spec, converting as myst-nb's ``{glue:text}`` does.

    A :class:`Fact` shows as its text, with no quotes (so ``{eval}`` prints it as is):

    >>> format_value(0.1234, ".1%")
    12.3%
    >>> format_value(1234, ",")
    1,234
    """
    if not isinstance(spec, str):
        raise ValueError(f"format spec must be a str, got {type(spec).__name__}")
    try:
        if spec == "":
            return Fact(value)
        if spec[-1] == "s":
            value = str(value)
        elif spec[-1] in _INT_TYPES:
            value = int(value)
        elif spec[-1] in _FLOAT_TYPES:
            value = float(value)
        return Fact(format(value, spec))
    except (TypeError, ValueError) as error:
        raise ValueError(f"cannot format {value!r} with spec {spec!r}: {error}") from error


class Facts(Mapping[str, Fact]):
    """A page's named values; ``facts["name"]`` or ``facts["name:spec"]`` is ready-to-print text.

    Every page starts with the disclosure policy's numbers, under the names content text
    uses for them (``policy.placeholders()``): ``k``, the smallest count a table may show,
    and ``largest_hidden``. They come from ``policy`` (default ``DEFAULT_POLICY``) and
    cannot be replaced, so a page's prose always states the rule its tables were protected by.

    >>> Facts()["k"], Facts()["largest_hidden"]
    (11, 10)
    """

    def __init__(self, policy: DisclosurePolicy | None = None) -> None:
        rule = DEFAULT_POLICY if policy is None else policy
        if not isinstance(rule, DisclosurePolicy):
            raise ValueError(f"policy must be a DisclosurePolicy, got {type(rule).__name__}")
        self._policy_names = frozenset(rule.placeholders())
        self._values: dict[str, Any] = dict(rule.placeholders())

    def add(self, name: str, value: Any) -> None:
        """Store (or replace) the value called ``name`` (not one of the policy's)."""
        if not isinstance(name, str) or not name.strip() or ":" in name:
            raise ValueError(f"a fact's name must be a non-empty str without ':', got {name!r}")
        if name in self._policy_names:
            raise ValueError(
                f"the fact {name!r} comes from the disclosure policy; for another rule, use Facts(policy=...)"
            )
        self._values[name] = value

    def __getitem__(self, key: str) -> Fact:
        if not isinstance(key, str):
            raise ValueError(f"a fact key must be a str, got {type(key).__name__}")
        name, _, spec = key.partition(":")
        if name not in self._values:
            known = ", ".join(sorted(self._values)) or "none yet"
            raise KeyError(f"no fact named {name!r} (known: {known})")
        return format_value(self._values[name], spec)

    def __iter__(self) -> Any:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Facts({', '.join(sorted(self._values))})"


def expressions(markdown: str) -> list[str]:
    """The ``{eval}`` expressions of a Markdown text, in order, each once.

    >>> expressions('A {eval}`facts["a"]` and {eval}`1 + 1` and {eval}`facts["a"]`.')
    ['facts["a"]', '1 + 1']
    """
    if not isinstance(markdown, str):
        raise ValueError(f"markdown must be a str, got {type(markdown).__name__}")
    return list(dict.fromkeys(match.group("expression") for match in EVAL_ROLE.finditer(markdown)))


def stored_results(metadata: Mapping[str, Any]) -> dict[str, str | None]:
    """Each stored expression's ``text/plain`` (``None`` when it failed or is missing)."""
    results: dict[str, str | None] = {}
    for entry in metadata.get("user_expressions") or []:
        result = entry.get("result") or {}
        text = (result.get("data") or {}).get("text/plain") if result.get("status") == "ok" else None
        results[str(entry.get("expression"))] = text
    return results
