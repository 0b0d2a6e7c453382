"""The book's ``{policy}`` role: numbers of the disclosure policy in a Markdown page.

Notebooks show the policy's numbers with ``{eval}`` facts; Markdown pages (``.md``) have no
kernel, so they use this role, which reads :data:`equitylens.methods.policy.DEFAULT_POLICY`
(or a named preset) when the book is built. The page never types the threshold::

    Counts from 1 to {policy}`largest_hidden` are hidden (threshold {policy}`k`).
    CDC WONDER hides {policy}`cdc_wonder.largest_hidden` or fewer.

The role's text is ``field`` or ``preset.field``: ``preset`` is a key of
``THRESHOLD_PRESETS`` and ``field`` one of :data:`FIELDS`. Anything else is a warning, so
``-W`` fails the build.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

from equitylens.methods.policy import DEFAULT_POLICY, THRESHOLD_PRESETS, DisclosurePolicy

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: What a page may show, each as a short plain text.
FIELDS: Final[tuple[str, ...]] = ("k", "largest_hidden", "min_numerator", "max_rse", "rule", "source")
logger = logging.getLogger(__name__)
_ERR_KEY: Final = "{{policy}}`{text}`: expected a field or preset.field; fields: {fields}; presets: {presets}"


def policy_text(key: str, policy: DisclosurePolicy = DEFAULT_POLICY) -> str:
    """The text ``{policy}`key``` shows: a field of ``policy``, or of a named preset.

    >>> policy_text("k"), policy_text("largest_hidden"), policy_text("cdc_wonder.largest_hidden")
    ('11', '10', '9')
    >>> policy_text("max_rse")
    '30%'
    """
    if not isinstance(key, str):
        raise ValueError(f"key must be a str, got {type(key).__name__}")
    preset, _, field = key.strip().rpartition(".")
    if preset:
        if preset not in THRESHOLD_PRESETS:
            raise ValueError(_ERR_KEY.format(text=key, fields=", ".join(FIELDS), presets=", ".join(THRESHOLD_PRESETS)))
        policy = DisclosurePolicy(threshold=preset)
    if field not in FIELDS:
        raise ValueError(_ERR_KEY.format(text=key, fields=", ".join(FIELDS), presets=", ".join(THRESHOLD_PRESETS)))
    if field == "rule":
        return policy.rule()
    if field == "source":
        return policy.source()
    if field == "max_rse":
        return f"{policy.max_rse:.0%}"
    value: int = getattr(policy, field)
    return f"{value:,}"


class PolicyRole(SphinxRole):
    """``{policy}`field```: a number (or the rule, or its source) of the kit's disclosure policy."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        try:
            text = policy_text(self.text)
        except ValueError as error:
            logger.warning(str(error), location=self.get_location(), type="equitylens", subtype="policy")
            return [nodes.problematic(self.rawtext, self.rawtext)], []
        return [nodes.inline(self.rawtext, text, classes=["equitylens-policy"])], []


def setup(app: Sphinx) -> dict[str, Any]:
    """Register ``{policy}``."""
    app.add_role("policy", PolicyRole())
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
