"""Small-cell protection: primary and complementary suppression, rounding and collapsing.

Suppressing the small cells of a table is not enough when its totals are published: a
hidden cell can often be recomputed by subtraction. :func:`complementary` hides enough
extra cells that it cannot; :func:`equitylens.methods.attack.intervals` checks that claim
the way an attacker would, by linear programming over everything that was published.

Tables are tidy: one row per cell, the cell's coordinates in ``dims`` columns and its
count in ``count``.

>>> import pandas as pd
>>> table = pd.DataFrame({"group": ["a", "b", "c"], "n": [0, 4, 120]})
>>> out = primary(table, threshold=11)
>>> out["published"].tolist()
[0, <NA>, 120]
>>> out["reason"].tolist()
['', 'count 1-10 (primary)', '']
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from equitylens.data import groups as group_labels
from equitylens.methods.attack import _ERR_DIMS, Attacker, Grid, build_grid, check_dims, components, plain_value
from equitylens.methods.policy import DEFAULT_THRESHOLD, resolve_threshold
from equitylens.methods.validation import (
    _ERR_DUPLICATE_COLUMNS,
    _ERR_UNKNOWN_COLUMNS,
    check_counts,
    check_frame,
    check_whole_number,
    require_columns,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


# Census Bureau Disclosure Review Board rounding for special tabulations (Census 2000,
# rules of 29 January 2004), as applied in HUD's CHAS data ("Rounding", huduser.gov):
# 0 stays 0, 1-7 rounds to 4, everything else to the nearest multiple of 5.
HUD_SMALL_MAX: Final = 7
HUD_SMALL_VALUE: Final = 4
HUD_BASE: Final = 5

OTHER_RACE_ETHNICITY: Final = "Another race or ethnicity"
TIMES: Final = " \u00d7 "  # joins dim names in margin labels

REASON_PRIMARY: Final = "count 1-{top} (primary)"
REASON_ZERO: Final = "zero (primary, suppress_zeros=True)"
REASON_COMPLEMENT: Final = "complementary"
REASON_UNPROTECTED_SUFFIX: Final = "; cannot be protected)"

# --- Error messages ---------------------------------------------------------------------

__all__ = [
    "collapse",
    "complementary",
    "margins",
    "primary",
    "round_hud",
]

_ERR_PROTECTION: Final = (
    "protection={value!r} must be a whole number >= 1 (the narrowest range, in people, an "
    "attacker may be left with for a hidden cell); default: the threshold"
)
_ERR_SMALL_MARGIN: Final = (
    "the published margin {where} totals {total}, below threshold={threshold}: margins are "
    "always published, so this would disclose a small count. Combine small groups first "
    "(collapse()) or use coarser dims."
)
_ERR_IMPOSSIBLE: Final = (
    "cannot protect cell {where} (count {value}): even with every cell suppressed, an "
    "attacker who knows the margins can narrow it to {lower}-{upper}, narrower than "
    "protection={protection}. Combine small groups first (collapse()) or use coarser dims."
)
_ERR_NO_COMPLEMENT: Final = (
    "cannot protect cell {where} (count {value}): an attacker can narrow it to "
    "{lower}-{upper}, narrower than protection={protection}, and no published cell is left "
    "whose suppression could widen that. Combine small groups first (collapse()) or use "
    "coarser dims."
)
_ERR_ALONE_IN_LINE: Final = (
    "cannot protect cell {where} (count {value}): it is the only cell in its line along "
    "{dim!r}, so it equals a published margin. Combine groups (collapse()) or drop that "
    "dimension."
)
_ERR_GROUPS: Final = "groups={value!r} must list at least two distinct values of {dim!r}; available values: {allowed}"
_ERR_INTO: Final = "into={value!r} is already a value of {dim!r} that is not being combined; choose a new label"
_ERR_RESERVED: Final = "{argument}={value!r} clashes with an output column name; rename it"


# --- Validation helpers -----------------------------------------------------------------


def _resolve_protection(protection: int | None, threshold: int) -> int:
    if protection is None:
        return threshold
    try:
        return check_whole_number(protection, "protection", minimum=1)
    except ValueError:
        raise ValueError(_ERR_PROTECTION.format(value=protection)) from None


def _check_reserved(argument: str, value: str) -> None:
    if value in ("suppressed", "published", "reason"):
        raise ValueError(_ERR_RESERVED.format(argument=argument, value=value))


# --- Primary suppression ----------------------------------------------------------------


def primary(
    table: pd.DataFrame,
    *,
    count: str = "n",
    threshold: int | str = DEFAULT_THRESHOLD,
    suppress_zeros: bool = False,
) -> pd.DataFrame:
    """Hide every count from 1 to ``threshold - 1`` (primary suppression).

    Parameters
    ----------
    table
        One row per cell, with a whole-number ``count`` column.
    count
        Name of the count column.
    threshold
        Smallest publishable count (default 11, the CMS rule), or a name from
        ``THRESHOLD_PRESETS``.
    suppress_zeros
        Also hide zeros. Most policies publish zeros (CMS does); hiding them can matter
        when "nobody here had the outcome" is itself sensitive.

    Returns
    -------
    DataFrame
        The same rows with ``suppressed`` (bool), ``published`` (nullable ``Int64``; NA
        where suppressed) and ``reason`` ("" when published).

    Primary suppression alone is not safe when totals are published: see
    :func:`complementary` and :func:`equitylens.methods.attack.intervals`.
    """
    table = check_frame(table)
    values = check_counts(table, count)
    _check_reserved("count", count)
    k = resolve_threshold(threshold)
    small = (values > 0) & (values < k)
    zero = (values == 0) & bool(suppress_zeros)
    hidden = small | zero
    out = table.copy()
    out["suppressed"] = hidden
    out["published"] = pd.array(values, dtype="Int64")
    out.loc[hidden, "published"] = pd.NA
    reason = np.where(small, REASON_PRIMARY.format(top=k - 1), np.where(zero, REASON_ZERO, ""))
    out["reason"] = pd.array(reason.astype(str), dtype="str")
    out.attrs["suppression"] = {"threshold": k, "primary": int(hidden.sum())}
    return out


# --- Margins ------------------------------------------------------------------


def margins(table: pd.DataFrame, *, dims: Sequence[str], count: str = "n") -> pd.DataFrame:
    """All marginal totals of a table: what an attacker is assumed to know.

    For a 2-D table: row totals, column totals and the grand total; for 3-D: every 2-D
    margin, every 1-D margin and the grand total.

    Returns
    -------
    DataFrame
        Columns ``margin`` (which dims are kept, e.g. ``"race_ethnicity \u00d7 gender"`` or
        ``"grand total"``), the ``dims`` columns (missing where summed over) and
        ``count``. Highest-order margins first.
    """
    table = check_frame(table)
    columns = check_dims(table, dims, count)
    values = check_counts(table, count)
    work = table[columns].copy()
    work[count] = values
    parts: list[pd.DataFrame] = []
    for r in range(len(columns) - 1, -1, -1):
        for keep in itertools.combinations(columns, r):
            if keep:
                part = work.groupby(list(keep), observed=True, sort=True)[count].sum().reset_index()
            else:
                part = pd.DataFrame({count: [int(values.sum())]})
            part.insert(0, "margin", TIMES.join(keep) if keep else "grand total")
            parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    for column in columns:
        if column not in out.columns:  # pragma: no cover - every dim is kept somewhere
            out[column] = pd.NA
        dtype = table[column].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            out[column] = pd.Categorical(out[column], dtype=dtype)
        elif pd.api.types.is_integer_dtype(dtype):
            out[column] = out[column].astype("Int64")
    out[count] = out[count].astype(np.int64)
    return out[["margin", *columns, count]]


def _check_small_margins(table: pd.DataFrame, dims: list[str], count: str, k: int) -> None:
    totals = margins(table, dims=dims, count=count)
    small = totals[(totals[count] > 0) & (totals[count] < k)]
    if len(small):
        row = small.iloc[0]
        kept = [d for d in dims if not pd.isna(row[d])]
        where = ", ".join(f"{d}={plain_value(row[d])!r}" for d in kept) or "grand total"
        raise ValueError(_ERR_SMALL_MARGIN.format(where=f"({where})", total=int(row[count]), threshold=k))


# --- Complementary suppression ----------------------------------------------------------


def _candidate_key(grid: Grid, line_hidden: IntArray, cell: int, gap: int) -> tuple[int, int, int, int]:
    value = int(grid.values[cell])
    opens = int((line_hidden[grid.cell_lines[cell]] == 0).sum())
    return (int(value < gap), opens, value, cell)


def _best_candidate(grid: Grid, hidden: BoolArray, line_hidden: IntArray, pool: IntArray, gap: int) -> int | None:
    pool = pool[~hidden[pool] & grid.eligible[pool]]
    if len(pool) == 0:
        return None
    keys = [_candidate_key(grid, line_hidden, int(c), gap) for c in np.unique(pool)]
    return min(keys)[3]


def _hide(grid: Grid, hidden: BoolArray, line_hidden: IntArray, cell: int) -> None:
    hidden[cell] = True
    line_hidden[grid.cell_lines[cell]] += 1


def _release(grid: Grid, hidden: BoolArray, line_hidden: IntArray, cell: int) -> None:
    """Publish a complementary cell again and never pick it again."""
    hidden[cell] = False
    line_hidden[grid.cell_lines[cell]] -= 1
    grid.eligible[cell] = False


def _fill_single_lines(
    grid: Grid,
    hidden: BoolArray,
    line_hidden: IntArray,
    is_primary: BoolArray,
    hopeless: BoolArray,
    protection: int,
    strict: bool = True,
) -> bool:
    """Make sure no line holds exactly one hidden cell (it would equal margin - rest).

    Returns True if a complementary cell had to be published again (a lone complement
    with nothing left to pair it with is not sensitive, so it is released instead).
    Cells already known to be unprotectable (``hopeless``, non-strict mode only) are
    left alone. A lone primary cell with nothing to pair it with raises ValueError
    when ``strict``, and is marked hopeless otherwise.
    """
    released = False
    queue: list[int] = [int(v) for v in np.flatnonzero(line_hidden == 1)]
    while queue:
        line = queue.pop()
        if line_hidden[line] != 1:
            continue
        cells = grid.cells_of(line)
        lonely = int(cells[hidden[cells]][0])
        if hopeless[lonely]:
            continue
        choice = _best_candidate(grid, hidden, line_hidden, cells, protection)
        if choice is None and not is_primary[lonely]:
            _release(grid, hidden, line_hidden, lonely)
            released = True
            queue.extend(int(x) for x in grid.cell_lines[lonely] if line_hidden[x] == 1)
            continue
        if choice is None and not strict:
            hopeless[lonely] = True
            continue
        if choice is None:
            raise ValueError(
                _ERR_ALONE_IN_LINE.format(
                    where=f"({grid.where(lonely)})",
                    value=int(grid.values[lonely]),
                    dim=grid.dims[int(grid.line_dim[line])],
                )
            )
        _hide(grid, hidden, line_hidden, choice)
        queue.extend(int(x) for x in grid.cell_lines[choice] if line_hidden[x] == 1)
    return released


def _component_pool(grid: Grid, hidden: BoolArray, cell: int) -> IntArray:
    """Cells sharing a line with any hidden cell connected to ``cell``."""
    hidden_idx, component = components(grid, hidden)
    mine = component[np.searchsorted(hidden_idx, cell)]
    members = hidden_idx[component == mine]
    lines = np.unique(grid.cell_lines[members].reshape(-1))
    return np.concatenate([grid.cells_of(int(line)) for line in lines])


def _prune(
    grid: Grid,
    attacker: Attacker,
    hidden: BoolArray,
    is_primary: BoolArray,
    hopeless: BoolArray,
    protection: int,
) -> None:
    """Publish again any complementary cell that turns out not to be needed.

    Greedy choices can overshoot. Try the complements largest first (the costliest to
    lose): un-hide one, keep it published if no line is left with a lone hidden cell and
    every hidden cell it was connected to still has a range at least ``protection`` wide.
    """
    extra = np.flatnonzero(hidden & ~is_primary)
    for cell in extra[np.argsort(-grid.values[extra], kind="stable")].tolist():
        lines = grid.cell_lines[cell]
        hidden_idx, component = components(grid, hidden)
        mine = component[np.searchsorted(hidden_idx, cell)]
        members = hidden_idx[(component == mine) & (hidden_idx != cell) & ~hopeless[hidden_idx]]
        hidden[cell] = False
        if (grid.incidence[lines] @ hidden.astype(np.float64) == 1).any():
            hidden[cell] = True
            continue
        if len(members) == 0:  # linked to no other hidden cell: not protecting anything
            continue
        lower, upper = attacker.bounds(hidden, members, enough=protection, stop_below=protection)
        if ((upper - lower) < protection).any():
            hidden[cell] = True


def _complement_for(
    grid: Grid,
    hidden: BoolArray,
    line_hidden: IntArray,
    cell: int,
    lines: set[int],
    gap: int,
) -> int | None:
    """Best cell to hide for an at-risk ``cell``: from its own lines first, then from the
    lines of the hidden cells connected to it, then from anywhere in the table."""
    own = np.concatenate([grid.cells_of(line) for line in lines])
    choice = _best_candidate(grid, hidden, line_hidden, own, gap)
    if choice is None:
        pool = _component_pool(grid, hidden, cell)
        choice = _best_candidate(grid, hidden, line_hidden, pool, gap)
    if choice is None:
        everywhere = np.arange(len(hidden), dtype=np.int64)
        choice = _best_candidate(grid, hidden, line_hidden, everywhere, gap)
    return choice


def complementary(
    table: pd.DataFrame,
    *,
    dims: Sequence[str],
    count: str = "n",
    threshold: int | str = DEFAULT_THRESHOLD,
    protection: int | None = None,
    suppress_zeros: bool = False,
    strict: bool = True,
) -> pd.DataFrame:
    """Primary suppression plus enough complementary suppressions to be safe.

    Parameters
    ----------
    table
        One row per cell: the ``dims`` columns and a whole-number ``count`` column.
        Combinations of ``dims`` missing from the table are treated as known zeros.
    dims
        The table's dimensions: one, two or three column names.
    count, threshold, suppress_zeros
        As in :func:`primary`.
    protection
        The narrowest range (in people) an attacker may be left with for any hidden
        cell; default: the threshold.
    strict
        Refuse (ValueError) tables that cannot be protected (default), or do the best
        possible and flag what could not be protected (see below).

    Assumes **all margins are published** (row and column totals and the grand total;
    in 3-D every 2-D and 1-D margin too) and only inner cells are ever hidden.

    *Protected* means: an attacker who knows every published cell, every margin, and
    that counts are non-negative (see :func:`equitylens.methods.attack.intervals`) cannot narrow any hidden cell to a
    range narrower than ``protection`` people (default: the threshold). Because a range
    starts at 0 or more, a width of at least the threshold also means the attacker can
    never prove a hidden cell is small (its upper bound reaches the threshold), let
    alone recover it. Every hidden cell is protected, complementary ones included.

    How complements are chosen (greedy, to lose as little as possible):

    1. No line (row, column, or 3-D line) may hold exactly one hidden cell, since it
       would equal the line total minus the rest. For each such line, hide one more
       cell of it, preferring (in order) a cell whose count is at least the protection
       still needed, a cell whose other lines already hold a hidden cell (so no new
       lone cells are created), and then the smallest count.
    2. Audit with the LP. For each hidden cell still narrower than ``protection``
       (narrowest first) hide one more cell from its lines by the same preferences
       (widening the search to its connected hidden cells' lines, then the whole table,
       only if those are exhausted), repeat step 1, and re-audit only the cells still at
       risk plus the new ones (hiding more can only widen ranges). Stop when none is
       at risk. A complementary cell that nothing can protect is not sensitive itself,
       so it is published again and never chosen again (then everything is re-audited).
       Cells lying in a line whose total is below ``protection`` are never chosen as
       complements: no suppression pattern could protect them.
    3. Prune: try publishing each complementary cell again, largest first, and keep it
       published if every hidden cell stays protected (greedy steps overshoot; on small
       random 2-D tables this removes about a quarter of the complements).

    The result is safe by construction (the last audit found nothing at risk) but not
    guaranteed minimal: optimal cell suppression is NP-hard.

    Raises
    ------
    ValueError
        For bad arguments; and, when ``strict`` (the default): when a published margin
        is itself between 1 and ``threshold - 1`` (margins are always published, so the
        table cannot be made safe: combine groups first); when even hiding every cell
        would leave a primary cell narrower than ``protection`` (checked up front: e.g.
        a line with a single cell, or whose other cells are too few); or, rarely, when
        the greedy search runs out of cells that could still widen a primary cell's
        range.

    With ``strict=False`` nothing is refused: small margins are published anyway,
    primary cells that cannot be protected are still hidden (reason ends "cannot be
    protected") but no complements are spent on them, and every other cell is protected
    as usual. Use it to *show* why a table is unsafe (then :func:`equitylens.methods.attack.intervals` reports those
    cells as at risk), never to publish one.

    Returns
    -------
    DataFrame
        The same rows with ``suppressed``, ``published`` (``Int64``, NA where hidden) and
        ``reason`` (primary or ``"complementary"``). ``attrs["suppression"]`` records
        the threshold, protection, the number and total of hidden cells and how many
        primary cells could not be protected (always 0 when ``strict``).
    """
    table = check_frame(table)
    columns = check_dims(table, dims, count)
    _check_reserved("count", count)
    k = resolve_threshold(threshold)
    p = _resolve_protection(protection, k)
    grid = build_grid(table, columns, count, p)
    if strict:
        _check_small_margins(table, columns, count, k)

    first = primary(table, count=count, threshold=k, suppress_zeros=suppress_zeros)
    is_primary = first["suppressed"].to_numpy(dtype=bool)
    hidden = is_primary.copy()
    hopeless = np.zeros(len(hidden), dtype=bool)

    if is_primary.any():
        everything = np.ones(len(hidden), dtype=bool)
        targets = np.flatnonzero(is_primary)
        lower, upper = Attacker(grid).bounds(everything, targets, enough=p)
        short = np.flatnonzero(upper - lower < p)
        hopeless[targets[short]] = not strict
        if len(short) and strict:
            cell = int(targets[short[0]])
            raise ValueError(
                _ERR_IMPOSSIBLE.format(
                    where=f"({grid.where(cell)})",
                    value=int(grid.values[cell]),
                    lower=int(lower[short[0]]),
                    upper=int(upper[short[0]]),
                    protection=p,
                )
            )

    line_hidden = (grid.incidence @ hidden.astype(np.float64)).astype(np.int64)
    _fill_single_lines(grid, hidden, line_hidden, is_primary, hopeless, p, strict)
    pending = np.flatnonzero(hidden & ~hopeless)
    attacker = Attacker(grid)
    while len(pending):
        lower, upper = attacker.bounds(hidden, pending, enough=p)
        width = upper - lower
        risky = width < p
        if not risky.any():
            break
        order = np.lexsort((pending[risky], width[risky]))
        at_risk = pending[risky][order]
        gaps = (p - width[risky])[order]
        before = hidden.copy()
        touched: set[int] = set()
        released = False
        for cell, gap in zip(at_risk.tolist(), gaps.tolist(), strict=True):
            lines = set(grid.cell_lines[cell].tolist())
            if lines & touched:
                continue
            choice = _complement_for(grid, hidden, line_hidden, cell, lines, gap)
            if choice is None and (released or (hidden != before).any()):
                continue  # its range was measured before this round's changes: re-audit
            if choice is None and not is_primary[cell]:
                # A complement nothing can protect is not sensitive itself: publish it
                # again, never reuse it, and re-audit everything it was shielding.
                _release(grid, hidden, line_hidden, cell)
                touched |= lines
                released = True
                continue
            if choice is None and not strict:
                hopeless[cell] = True
                continue
            if choice is None:
                where = np.flatnonzero(pending == cell)[0]
                raise ValueError(
                    _ERR_NO_COMPLEMENT.format(
                        where=f"({grid.where(cell)})",
                        value=int(grid.values[cell]),
                        lower=int(lower[where]),
                        upper=int(upper[where]),
                        protection=p,
                    )
                )
            _hide(grid, hidden, line_hidden, choice)
            touched |= lines | set(grid.cell_lines[choice].tolist())
        released |= _fill_single_lines(grid, hidden, line_hidden, is_primary, hopeless, p, strict)
        if released:
            pending = np.flatnonzero(hidden)
        else:
            pending = np.union1d(at_risk[hidden[at_risk]], np.flatnonzero(hidden & ~before))
        pending = pending[~hopeless[pending]]

    _prune(grid, attacker, hidden, is_primary, hopeless, p)

    out = first
    complement = hidden & ~is_primary
    out["suppressed"] = hidden
    out.loc[hidden, "published"] = pd.NA
    out.loc[complement, "reason"] = REASON_COMPLEMENT
    out.loc[hopeless, "reason"] = out.loc[hopeless, "reason"].str.replace(")", REASON_UNPROTECTED_SUFFIX, regex=False)
    out.attrs["suppression"] = {
        "threshold": k,
        "protection": p,
        "primary": int(is_primary.sum()),
        "complementary": int(complement.sum()),
        "hidden_total": int(grid.values[hidden].sum()),
        "unprotected": int(hopeless.sum()),
    }
    return out


# --- Rounding and collapsing ------------------------------------------------------------


def round_hud(table: pd.DataFrame, *, count: str = "n") -> pd.DataFrame:
    """Round counts the way HUD's CHAS tables (Census special tabulations) do.

    0 stays 0; 1-7 becomes 4; everything else goes to the nearest multiple of 5 (so
    8-12 all become 10). A small count's exact value is never shown. Cells and totals
    are rounded independently, so rounded cells need not add up to the rounded total:
    say so beside the table. Source: Census Bureau Disclosure Review Board rules for
    special tabulations (2004), as documented in HUD's CHAS "Rounding" note.

    Returns
    -------
    DataFrame
        The same rows with a ``rounded`` column.

    >>> import pandas as pd
    >>> round_hud(pd.DataFrame({"n": [0, 3, 7, 8, 12, 13, 864]}))["rounded"].tolist()
    [0, 4, 4, 10, 10, 15, 865]
    """
    table = check_frame(table)
    values = check_counts(table, count)
    nearest = HUD_BASE * ((values + HUD_BASE // 2) // HUD_BASE)
    rounded = np.where(values == 0, 0, np.where(values <= HUD_SMALL_MAX, HUD_SMALL_VALUE, nearest))
    out = table.copy()
    out["rounded"] = rounded.astype(np.int64)
    return out


def collapse(
    table: pd.DataFrame,
    *,
    dim: str,
    groups: Sequence[object],
    into: str = OTHER_RACE_ETHNICITY,
    count: str | Sequence[str] = "n",
) -> pd.DataFrame:
    """Combine small groups of ``dim`` into one category, and say which ones.

    Every column other than ``dim`` and the count column(s) is treated as a key (cells
    are combined within each key combination), so pass a plain count table, not the
    output of :func:`primary`.

    Returns
    -------
    DataFrame
        The key columns, ``dim``, the summed count column(s) and ``includes`` (the
        groups behind each row, "; "-joined: readers must be told who was combined).
        A categorical ``dim`` keeps its order, with ``into`` placed after the remaining
        named groups and before the multiracial and not-reported categories.
        ``attrs["collapsed"]`` lists the combined groups.

    Combining hides the combined groups' own rates: it is a last resort after asking the
    community which combination (if any) it accepts.
    """
    table = check_frame(table)
    counts = [count] if isinstance(count, str) else list(count)
    if not counts or len(set(counts)) != len(counts):
        raise ValueError(_ERR_DUPLICATE_COLUMNS.format(argument="count", value=count))
    if not isinstance(dim, str):
        raise ValueError(
            _ERR_UNKNOWN_COLUMNS.format(argument="dim", missing=[dim], allowed=list(map(str, table.columns)))
        )
    require_columns(table, [dim], "dim")
    if dim in counts:
        raise ValueError(_ERR_DIMS.format(value=dim, allowed="1"))
    for column in counts:
        check_counts(table, column)
    present = list(pd.unique(table[dim].dropna()))
    chosen = [groups] if isinstance(groups, str) else list(groups)
    if len(chosen) < 2 or len(set(map(str, chosen))) != len(chosen) or any(g not in present for g in chosen):
        raise ValueError(_ERR_GROUPS.format(value=groups, dim=dim, allowed=present))
    if into in present and into not in chosen:
        raise ValueError(_ERR_INTO.format(value=into, dim=dim))

    original = table[dim].dtype
    if isinstance(original, pd.CategoricalDtype):
        order = [c for c in original.categories if c not in chosen]
        tail = [c for c in order if c in (group_labels.MULTIRACIAL, group_labels.NOT_REPORTED)]
        head = [c for c in order if c not in tail]
        chosen = [c for c in original.categories if c in chosen]
        categories = [*head, into, *tail]
    else:
        first_seen = [g for g in present if g in chosen]
        chosen = first_seen
        categories = [*[g for g in present if g not in chosen], into]
    new_dim = table[dim].astype(object).where(~table[dim].isin(chosen), into)
    keys = [c for c in table.columns if c != dim and c not in counts]
    work = table[keys].copy()
    work[dim] = pd.Categorical(new_dim, categories=categories)
    for column in counts:
        work[column] = table[column]
    out = work.groupby([*keys, dim], observed=True, sort=True, dropna=False)[counts].sum().reset_index()
    if not isinstance(original, pd.CategoricalDtype):
        out[dim] = out[dim].astype(object)
    combined = "; ".join(map(str, chosen))
    out["includes"] = [combined if v == into else str(v) for v in out[dim]]
    out.attrs["collapsed"] = {"dim": dim, "into": into, "groups": list(chosen)}
    return out
