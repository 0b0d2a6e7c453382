"""Equity Lens: shared computations for the curriculum notebooks.

One way in: ``import equitylens`` gives you the methods, the plain functions a notebook
calls to count, compare and protect (``equitylens.rates``, ``equitylens.disparities``,
``equitylens.primary`` ...). They are listed in ``equitylens.__all__`` and loaded on
first use, so importing the package stays quick and pulls in no chart or widget library.

Where each kind of thing lives (each layer may import only the layers above it):

``equitylens.data``
    The synthetic county: group labels (``groups``), the seeded generator (``synth``),
    loading the written tables (``load``), the book's YAML content (``content``) and
    repository paths (``paths``).
``equitylens.methods``
    Pure computations on tables: disaggregation and intervals (``disaggregate``),
    comparisons with a chosen reference (``compare``), small-cell suppression
    (``suppress``), data quality (``quality``), record linkage (``linkage``),
    re-identification risk (``reidentify``), reading grade (``readability``) and the
    shared input checks (``validation``).
``equitylens.stages``
    One module per life-cycle stage task: planning, access, the algorithm audit,
    interpreting results, messages, the story map, and publishing protected rates
    (``publish.protect_rates``).
``equitylens.viz``
    Accessible charts (``charts``) and the static explorables (``explorables``).
``equitylens.explore``
    The tables behind each explorable (``scenarios``) and the live widget forms (``forms``).
``equitylens.kit``
    The facilitation and teaching kit: workshops, printing, check-ins, self-assessment,
    assignments, grading and rubrics.
``equitylens.book``
    Building the book: running notebooks, the page renderer and Sphinx directives.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

__version__ = "0.1.0"

# Public name -> the methods module that defines it. Kept in step with each module's
# ``__all__`` by tests/test_public_api.py.
_EXPORTS: Final[dict[str, str]] = {
    **dict.fromkeys(
        ("disparities", "headline", "summary_indices"),
        "equitylens.methods.compare",
    ),
    **dict.fromkeys(
        (
            "describe_simpson",
            "proportion_interval",
            "race_ethnicity",
            "rates",
            "rates_from_counts",
            "simpson_check",
        ),
        "equitylens.methods.disaggregate",
    ),
    **dict.fromkeys(
        ("bigrams", "dice", "encode", "link", "link_quality", "normalise", "threshold_table"),
        "equitylens.methods.linkage",
    ),
    **dict.fromkeys(
        (
            "coding_vs_self_report",
            "composition",
            "field_risk",
            "integrity_issues",
            "missing_race",
            "race_codes",
            "recorded_race",
            "undocumented_fields",
        ),
        "equitylens.methods.quality",
    ),
    **dict.fromkeys(
        (
            "grade",
            "hardest_sentences",
            "prose_of_file",
            "prose_of_markdown",
            "prose_of_notebook",
            "sentences",
            "syllables",
        ),
        "equitylens.methods.readability",
    ),
    **dict.fromkeys(
        ("equivalence_classes", "risk_scenarios", "uniqueness"),
        "equitylens.methods.reidentify",
    ),
    "intervals": "equitylens.methods.attack",
    **dict.fromkeys(("complement_rows", "equity_table", "published"), "equitylens.methods.equity"),
    **dict.fromkeys(
        ("DisclosurePolicy", "ThresholdPreset", "as_policy", "resolve_threshold"), "equitylens.methods.policy"
    ),
    **dict.fromkeys(
        ("accuracy", "post_process", "release", "sample", "scale_for", "secure_release"),
        "equitylens.methods.noise",
    ),
    **dict.fromkeys(
        (
            "collapse",
            "complementary",
            "margins",
            "primary",
            "round_hud",
        ),
        "equitylens.methods.suppress",
    ),
    **dict.fromkeys(
        (
            "as_columns",
            "check_choice",
            "check_confidence",
            "check_counts",
            "check_frame",
            "check_probability",
            "check_table",
            "check_whole_number",
            "require_columns",
        ),
        "equitylens.methods.validation",
    ),
}

__all__ = [
    "DisclosurePolicy",
    "ThresholdPreset",
    "accuracy",
    "as_columns",
    "as_policy",
    "bigrams",
    "check_choice",
    "check_confidence",
    "check_counts",
    "check_frame",
    "check_probability",
    "check_table",
    "check_whole_number",
    "coding_vs_self_report",
    "collapse",
    "complement_rows",
    "complementary",
    "composition",
    "describe_simpson",
    "dice",
    "disparities",
    "encode",
    "equity_table",
    "equivalence_classes",
    "field_risk",
    "grade",
    "hardest_sentences",
    "headline",
    "integrity_issues",
    "intervals",
    "link",
    "link_quality",
    "margins",
    "missing_race",
    "normalise",
    "post_process",
    "primary",
    "proportion_interval",
    "prose_of_file",
    "prose_of_markdown",
    "prose_of_notebook",
    "published",
    "race_codes",
    "race_ethnicity",
    "rates",
    "rates_from_counts",
    "recorded_race",
    "release",
    "require_columns",
    "resolve_threshold",
    "risk_scenarios",
    "round_hud",
    "sample",
    "scale_for",
    "secure_release",
    "sentences",
    "simpson_check",
    "summary_indices",
    "syllables",
    "threshold_table",
    "undocumented_fields",
    "uniqueness",
]


def __getattr__(name: str) -> Any:
    """Load a public function from its methods module the first time it is used."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'equitylens' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # for type checkers and editors; at run time __getattr__ loads these
    from equitylens.methods.attack import intervals
    from equitylens.methods.compare import disparities, headline, summary_indices
    from equitylens.methods.disaggregate import (
        describe_simpson,
        proportion_interval,
        race_ethnicity,
        rates,
        rates_from_counts,
        simpson_check,
    )
    from equitylens.methods.equity import complement_rows, equity_table, published
    from equitylens.methods.linkage import bigrams, dice, encode, link, link_quality, normalise, threshold_table
    from equitylens.methods.noise import accuracy, post_process, release, sample, scale_for, secure_release
    from equitylens.methods.policy import DisclosurePolicy, ThresholdPreset, as_policy, resolve_threshold
    from equitylens.methods.quality import (
        coding_vs_self_report,
        composition,
        field_risk,
        integrity_issues,
        missing_race,
        race_codes,
        recorded_race,
        undocumented_fields,
    )
    from equitylens.methods.readability import (
        grade,
        hardest_sentences,
        prose_of_file,
        prose_of_markdown,
        prose_of_notebook,
        sentences,
        syllables,
    )
    from equitylens.methods.reidentify import equivalence_classes, risk_scenarios, uniqueness
    from equitylens.methods.suppress import (
        collapse,
        complementary,
        margins,
        primary,
        round_hud,
    )
    from equitylens.methods.validation import (
        as_columns,
        check_choice,
        check_confidence,
        check_counts,
        check_frame,
        check_probability,
        check_table,
        check_whole_number,
        require_columns,
    )
