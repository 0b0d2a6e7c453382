"""The one disclosure policy: which numbers may be published, and which are reliable.

Every function in the kit that publishes a number (a count, a rate, a ratio, a
headline sentence) takes a :class:`DisclosurePolicy` and asks it, never a literal
threshold. The rule the kit teaches is one rule, written once here:

* a **count** is *small* when it is from 1 to ``threshold - 1`` (and also when it is
  0, if ``suppress_zeros``);
* a **rate** is *small* when its numerator is small, when the people without the
  outcome (denominator minus numerator) are a small count, or when its denominator is
  below the threshold (the counts of a tiny denominator can be worked out);
* anything computed from a small rate (its interval, RSE, any ratio or difference
  that uses it on either side, its rank, a headline) is hidden with it.

Reliability is a separate question (a published rate may still be too unstable to
interpret): a rate is *reliable* when its numerator is at least ``min_numerator`` and
its relative standard error at most ``max_rse``.

>>> policy = DisclosurePolicy()
>>> policy.threshold, policy.protection, policy.suppress_zeros
(11, 11, False)
>>> policy.small([0, 4, 40], [100, 100, 5]).tolist()
[False, True, True]
>>> DisclosurePolicy(threshold="cdc_wonder").threshold
10
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np
import numpy.typing as npt

from equitylens.methods.validation import check_whole_number

BoolArray = npt.NDArray[np.bool_]

__all__ = ["DisclosurePolicy", "ThresholdPreset", "as_policy", "resolve_threshold"]


@dataclass(frozen=True)
class ThresholdPreset:
    """A named small-cell rule: counts from 1 to ``threshold - 1`` are suppressed."""

    threshold: int
    suppresses: str
    source: str


# CMS cell size suppression policy: no cell (beneficiaries, events) of 1 to 10 may be
# displayed, directly or by subtraction, so the smallest publishable count is 11.
DEFAULT_THRESHOLD: Final = 11

THRESHOLD_PRESETS: Final[dict[str, ThresholdPreset]] = {
    "cms": ThresholdPreset(
        threshold=11,
        suppresses="1-10",
        source=(
            "Centers for Medicare & Medicaid Services, cell size suppression policy: no cell "
            "of 1 to 10 may be displayed, nor be derivable from other published figures."
        ),
    ),
    "cdc_wonder": ThresholdPreset(
        threshold=10,
        suppresses="1-9",
        source=("CDC WONDER / NCHS data use restrictions: sub-national counts of 9 or fewer (1-9) are suppressed."),
    ),
    "nchs_reliability": ThresholdPreset(
        threshold=20,
        suppresses="1-19",
        source=(
            "NCHS / NVSS reliability standard: rates based on fewer than 20 events are "
            "unreliable. A statistical-reliability rule, not a confidentiality rule: use it "
            "to hide figures too unstable to interpret."
        ),
    ),
    "small_numbers_5": ThresholdPreset(
        threshold=5,
        suppresses="1-4",
        source=(
            "A minimum cell size of 5, found in some data-sharing agreements and state "
            "small-numbers guidelines. Weaker than the federal rules above: use it only if "
            "your agreement names it."
        ),
    ),
}

_ERR_THRESHOLD: Final = (
    "threshold={value!r} must be a whole number >= 1 (counts 1 to threshold-1 are "
    "suppressed) or a preset name: {allowed}"
)


def resolve_threshold(threshold: int | str) -> int:
    """Return the whole-number threshold for an int or a ``THRESHOLD_PRESETS`` name.

    >>> resolve_threshold("cdc_wonder")
    10
    """
    if isinstance(threshold, str):
        if threshold in THRESHOLD_PRESETS:
            return THRESHOLD_PRESETS[threshold].threshold
        raise ValueError(_ERR_THRESHOLD.format(value=threshold, allowed=list(THRESHOLD_PRESETS)))
    try:
        return check_whole_number(threshold, "threshold", minimum=1)
    except ValueError:
        raise ValueError(_ERR_THRESHOLD.format(value=threshold, allowed=list(THRESHOLD_PRESETS))) from None


# The default preset: the Centers for Medicare & Medicaid Services cell size
# suppression policy (no cell of 1 to 10 may be displayed, directly or by
# subtraction). Its number lives in ``THRESHOLD_PRESETS`` below.
DEFAULT_PRESET: Final = "cms"

# NCHS / NVSS: rates based on fewer than 20 events (deaths, births) are flagged as
# unreliable, because their relative standard error is 23% or more (1/sqrt(20) = 0.224).
# Source: NCHS, National Vital Statistics Reports, "Deaths: Final Data", technical notes.
MIN_RELIABLE_NUMERATOR: Final = 20
# NCHS: estimates whose relative standard error exceeds 30% are flagged as unreliable
# (e.g. NHIS Early Release and Health, United States data presentation notes).
MAX_RELIABLE_RSE: Final = 0.30

_ERR_POLICY: Final = "policy={value!r} must be a DisclosurePolicy (e.g. policy.DEFAULT_POLICY)"
_ERR_PROTECTION: Final = (
    "protection={value!r} must be a whole number >= 1 (the narrowest range, in people, an "
    "attacker may be left with for a hidden cell), or None for the threshold"
)
_ERR_ZEROS: Final = "suppress_zeros={value!r} must be True or False"
_ERR_MIN_NUMERATOR: Final = "min_numerator={value!r} must be a whole number >= 0"
_ERR_MAX_RSE: Final = "max_rse={value!r} must be a number > 0, e.g. 0.30 for 30%"
_ERR_LENGTHS: Final = "numerator and denominator must have the same length, got {a} and {b}"


def _whole(value: object, minimum: int) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, np.integer)) and int(value) >= minimum


@dataclass(frozen=True)
class DisclosurePolicy:
    """What may be published, and what is reliable enough to interpret.

    Parameters
    ----------
    threshold
        Smallest publishable count, or a preset name from
        ``THRESHOLD_PRESETS`` (default ``"cms"``: counts 1-10 are hidden;
        source: CMS cell size suppression policy). Stored resolved, as a whole number;
        ``preset`` keeps the name when one was given.
    protection
        The narrowest range (in people) an attacker who knows every published cell
        and margin may be left with for a hidden cell (complementary suppression).
        Default (None): the threshold, so a hidden cell can never be proved small.
    suppress_zeros
        Also hide zero counts (default False: CMS publishes zeros). Hide them when
        "nobody here had the outcome" is itself sensitive.
    min_numerator, max_rse
        The reliability rule (defaults: NCHS, 20 events and 30% relative standard
        error). Unreliable rates are published with a flag, not hidden.
    """

    threshold: int | str = DEFAULT_PRESET
    protection: int | None = None
    suppress_zeros: bool = False
    min_numerator: int = MIN_RELIABLE_NUMERATOR
    max_rse: float = MAX_RELIABLE_RSE
    preset: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        raw = self.threshold
        k = resolve_threshold(raw)  # raises ValueError naming the presets
        object.__setattr__(self, "threshold", k)
        if isinstance(raw, str):
            object.__setattr__(self, "preset", raw)
        if self.protection is None:
            object.__setattr__(self, "protection", k)
        elif not _whole(self.protection, 1):
            raise ValueError(_ERR_PROTECTION.format(value=self.protection))
        else:
            object.__setattr__(self, "protection", int(self.protection))
        if not isinstance(self.suppress_zeros, (bool, np.bool_)):
            raise ValueError(_ERR_ZEROS.format(value=self.suppress_zeros))
        if not _whole(self.min_numerator, 0):
            raise ValueError(_ERR_MIN_NUMERATOR.format(value=self.min_numerator))
        rse = self.max_rse
        if isinstance(rse, bool) or not isinstance(rse, (int, float)) or not np.isfinite(rse) or rse <= 0:
            raise ValueError(_ERR_MAX_RSE.format(value=rse))

    # --- the one masking rule ---------------------------------------------------------

    @property
    def k(self) -> int:
        """The threshold as a whole number (counts below it, except 0, are small)."""
        return int(self.threshold)

    @property
    def width(self) -> int:
        """The protection as a whole number."""
        return int(self.protection)  # type: ignore[arg-type]

    @property
    def largest_hidden(self) -> int:
        """The largest count that is never published (``threshold - 1``)."""
        return self.k - 1

    def placeholders(self) -> dict[str, int]:
        """The values content text may name as ``{k}`` and ``{largest_hidden}`` (``str.format`` keys).

        >>> "counts under {k}".format(**DEFAULT_POLICY.placeholders())
        'counts under 11'
        """
        return {"k": self.k, "largest_hidden": self.largest_hidden}

    def small_count(self, counts: npt.ArrayLike) -> BoolArray:
        """True for each count that must not be published: 1 to ``threshold - 1``
        (and 0 when ``suppress_zeros``). Missing values are not small."""
        x = np.asarray(counts, dtype=np.float64)
        small = (x > 0) & (x < self.k)
        if self.suppress_zeros:
            small |= x == 0
        return np.asarray(small, dtype=bool)

    def small(self, numerator: npt.ArrayLike, denominator: npt.ArrayLike | None = None) -> BoolArray:
        """True for each rate that must not be published: its numerator is small, the
        people *without* the outcome (denominator - numerator) are a small count, or its
        denominator is below the threshold. With the denominator published, either count
        comes back by subtraction, so both must be safe.

        >>> DEFAULT_POLICY.small([5, 40, 95, 100], [100, 100, 100, 100]).tolist()
        [True, False, True, False]
        """
        small = self.small_count(numerator)
        if denominator is None:
            return small
        n = np.asarray(denominator, dtype=np.float64)
        if n.shape != small.shape:
            raise ValueError(_ERR_LENGTHS.format(a=small.shape, b=n.shape))
        without = self.small_count(n - np.asarray(numerator, dtype=np.float64))
        return np.asarray(small | without | (n < self.k), dtype=bool)

    def reliable(self, numerator: npt.ArrayLike, rse: npt.ArrayLike) -> BoolArray:
        """True for each rate reliable enough to interpret (numerator and RSE rule)."""
        x = np.asarray(numerator, dtype=np.float64)
        r = np.asarray(rse, dtype=np.float64)
        return np.asarray((x >= self.min_numerator) & np.isfinite(r) & (r <= self.max_rse), dtype=bool)

    # --- describing it ---------------------------------------------------------------

    def with_threshold(self, threshold: int | str | None) -> DisclosurePolicy:
        """This policy with another threshold (protection follows it unless set apart);
        ``None`` returns the policy unchanged."""
        if threshold is None:
            return self
        same_width = self.protection == self.k
        return replace(self, threshold=threshold, protection=None if same_width else self.protection, preset=None)

    def rule(self) -> str:
        """The rule in plain words, for captions and report footers."""
        zeros = " Zeros are hidden too." if self.suppress_zeros else ""
        return (
            f"Counts from 1 to {self.largest_hidden} are never published, directly or by subtraction, "
            f"and neither is any rate, ratio or difference built on one.{zeros}"
        )

    def source(self) -> str:
        """Where the threshold comes from (the preset's source, when it is a preset)."""
        for name, preset in THRESHOLD_PRESETS.items():
            if (self.preset == name) or (self.preset is None and preset.threshold == self.k):
                return preset.source
        return f"A threshold of {self.k} set by the user (not a named preset)."


DEFAULT_POLICY: Final = DisclosurePolicy()
# No protection at all (every count from 1 up is publishable): only for *showing* what an
# unprotected table would disclose, never for publishing one.
NO_PROTECTION: Final = DisclosurePolicy(threshold=1)


def as_policy(policy: DisclosurePolicy | None = None, threshold: int | str | None = None) -> DisclosurePolicy:
    """The policy to use: ``policy`` (default ``DEFAULT_POLICY``), with ``threshold``
    overriding its threshold when given (for functions that still take one)."""
    chosen = DEFAULT_POLICY if policy is None else policy
    if not isinstance(chosen, DisclosurePolicy):
        raise ValueError(_ERR_POLICY.format(value=chosen))
    return chosen.with_threshold(threshold)
