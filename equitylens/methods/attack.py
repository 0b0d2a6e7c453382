"""The attacker's view of a suppressed table: how tightly can each hidden cell be pinned down?

An attacker who knows every published cell, every margin (row, column and grand totals; in
3-D every 2-D and 1-D margin too) and that counts are never negative can bound each hidden
cell by linear programming. :func:`intervals` reports those bounds; :func:`bounds` is the
engine that :mod:`equitylens.methods.suppress` calls while it chooses cells to hide.

Tables are tidy: one row per cell, the cell's coordinates in ``dims`` columns and its count
in ``count``.

>>> import pandas as pd
>>> table = pd.DataFrame({"r": [0, 0, 1, 1], "c": [0, 1, 0, 1], "n": [3, 20, 30, 40]})
>>> table["suppressed"] = [True, False, False, False]
>>> intervals(table, dims=["r", "c"])[["lower", "upper", "exact"]].values.tolist()
[[3, 3, True]]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import highspy
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from equitylens.methods.validation import as_columns, check_counts, check_frame, check_whole_number, require_columns

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

ALLOWED_DIMS: Final[tuple[int, ...]] = (1, 2, 3)
# Tolerance when turning LP optima into whole-number bounds.
LP_TOLERANCE: Final = 1e-6

ERR_DIMS: Final = (
    "dims={value!r} must name {allowed} distinct columns (the table's dimensions), not including the count column"
)
ERR_DIM_MISSING: Final = "dims column {value!r} has missing values; label them before suppressing"
ERR_DUPLICATE_CELLS: Final = (
    "table has {rows} row(s) repeating a cell of dims={dims!r}; aggregate it to one row per cell first"
)
ERR_SUPPRESSED: Final = (
    "suppressed={value!r} must be a boolean column with no missing values (e.g. from primary() or complementary())"
)


def check_dims(table: pd.DataFrame, dims: str | Sequence[str], count: str) -> list[str]:
    """Return ``dims`` as a list of 1-3 distinct columns of ``table`` without missing values."""
    try:
        columns = as_columns(dims, "dims")
    except ValueError:
        columns = []
    if len(columns) not in ALLOWED_DIMS or count in columns:
        raise ValueError(ERR_DIMS.format(value=dims, allowed=" or ".join(map(str, ALLOWED_DIMS))))
    require_columns(table, columns, "dims")
    for column in columns:
        if table[column].isna().any():
            raise ValueError(ERR_DIM_MISSING.format(value=column))
    return columns


def plain_value(value: object) -> object:
    """A numpy scalar as the Python value it holds, for readable messages."""
    return value.item() if isinstance(value, np.generic) else value


# --- Table structure: cells and lines ---------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """A table as cells and lines (sets of cells differing in exactly one dimension).

    Every published margin of a d-dimensional table is a sum of line totals, so the line
    totals carry all the information the margins do.
    """

    dims: list[str]
    labels: list[tuple[object, ...]]  # each cell's coordinates, for messages
    values: IntArray  # true counts, one per cell
    cell_lines: IntArray  # (cells, d): the line id of each cell along each dimension
    line_dim: IntArray  # which dimension varies along each line
    line_ptr: IntArray  # CSR pointers: cells of line l are line_cells[ptr[l]:ptr[l+1]]
    line_cells: IntArray
    incidence: sparse.csr_array  # (lines, cells) 0/1 matrix
    eligible: BoolArray  # cells that could ever be protected, so may serve as complements

    @property
    def n_lines(self) -> int:
        return int(self.line_dim.shape[0])

    def cells_of(self, line: int) -> IntArray:
        return self.line_cells[self.line_ptr[line] : self.line_ptr[line + 1]]

    def where(self, cell: int) -> str:
        return ", ".join(f"{d}={plain_value(v)!r}" for d, v in zip(self.dims, self.labels[cell], strict=True))


def build_grid(table: pd.DataFrame, dims: list[str], count: str, protection: int = 1) -> Grid:
    """Cells and lines of a checked table (see :class:`Grid`); repeated cells raise ValueError."""
    values = check_counts(table, count)
    n = len(table)
    codes = np.empty((n, len(dims)), dtype=np.int64)
    sizes: list[int] = []
    for j, column in enumerate(dims):
        col_codes, uniques = pd.factorize(table[column], sort=True)
        codes[:, j] = col_codes
        sizes.append(max(len(uniques), 1))
    flat = np.ravel_multi_index(tuple(codes.T), tuple(sizes))
    repeated = n - len(np.unique(flat))
    if repeated:
        raise ValueError(ERR_DUPLICATE_CELLS.format(rows=repeated, dims=dims))

    cell_lines = np.empty((n, len(dims)), dtype=np.int64)
    line_dim_parts: list[IntArray] = []
    offset = 0
    for j in range(len(dims)):
        others = [i for i in range(len(dims)) if i != j]
        if others:
            key = np.ravel_multi_index(tuple(codes[:, i] for i in others), tuple(sizes[i] for i in others))
        else:
            key = np.zeros(n, dtype=np.int64)
        _, inverse = np.unique(key, return_inverse=True)
        inverse = inverse.reshape(-1).astype(np.int64)
        n_j = int(inverse.max()) + 1
        cell_lines[:, j] = inverse + offset
        line_dim_parts.append(np.full(n_j, j, dtype=np.int64))
        offset += n_j
    line_dim = np.concatenate(line_dim_parts)
    rows = cell_lines.reshape(-1)
    cols = np.repeat(np.arange(n, dtype=np.int64), len(dims))
    incidence = sparse.csr_array((np.ones(rows.shape[0]), (rows, cols)), shape=(offset, n))
    incidence.sort_indices()
    labels = list(table[dims].itertuples(index=False, name=None))
    # A cell can never be narrowed less than its smallest line total allows.
    line_total = incidence @ values.astype(np.float64)
    cap = line_total[cell_lines].min(axis=1)
    return Grid(
        dims=dims,
        labels=labels,
        values=values,
        cell_lines=cell_lines,
        line_dim=line_dim,
        line_ptr=incidence.indptr.astype(np.int64),
        line_cells=incidence.indices.astype(np.int64),
        incidence=incidence,
        eligible=cap >= protection,
    )


def components(grid: Grid, hidden: BoolArray) -> tuple[IntArray, IntArray]:
    """The hidden cells and, for each, the id of its connected component (hidden cells
    linked through shared lines; the attacker's problems of different components are
    independent)."""
    hidden_idx = np.flatnonzero(hidden)
    sub = grid.incidence[:, hidden_idx].tocsr()
    _, component = connected_components((sub.T @ sub).tocsr(), directed=False)
    return hidden_idx, component.astype(np.int64)


# --- The attacker's LP ------------------------------------------------------------------


class _Attacker:
    """One HiGHS model of a component: ``block @ x == rhs, x >= 0``; only the objective
    changes between solves, so each solve starts from the previous optimal basis."""

    def __init__(self, block: sparse.csc_array, rhs: FloatArray) -> None:
        self.size = int(block.shape[1])
        lp = highspy.HighsLp()
        lp.num_col_ = self.size
        lp.num_row_ = int(block.shape[0])
        lp.col_cost_ = np.zeros(self.size)
        lp.col_lower_ = np.zeros(self.size)
        lp.col_upper_ = np.full(self.size, highspy.kHighsInf)
        lp.row_lower_ = rhs
        lp.row_upper_ = rhs
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = block.indptr.astype(np.int32)
        lp.a_matrix_.index_ = block.indices.astype(np.int32)
        lp.a_matrix_.value_ = block.data.astype(np.float64)
        # The solver core without highspy.Highs's callback wrapper, which prints a banner.
        self.highs = highspy._core._Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("presolve", "off")
        self.highs.passModel(lp)
        self.costed = -1

    def solve(self, target: int, sign: float) -> tuple[float, FloatArray]:
        """Minimum of ``sign * x[target]`` (times ``sign``) and the optimal ``x``."""
        if self.costed >= 0:
            self.highs.changeColCost(self.costed, 0.0)
        self.highs.changeColCost(target, sign)
        self.costed = target
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:  # pragma: no cover - the true table is feasible
            raise RuntimeError(f"attack LP failed: {self.highs.modelStatusToString(status)}")
        x = np.asarray(self.highs.getSolution().col_value, dtype=np.float64)
        return float(x[target]), x


def bounds(
    grid: Grid,
    hidden: BoolArray,
    targets: IntArray,
    *,
    enough: int | None = None,
    stop_below: int | None = None,
) -> tuple[IntArray, IntArray]:
    """Whole-number min and max an attacker can prove for each target (hidden) cell.

    Unknowns are the hidden cells; each line containing one gives the equation "hidden
    cells in this line sum to the line total minus its published cells". Each connected
    component of hidden cells is one HiGHS model, solved twice per target with only the
    objective changed. Every optimal solution is a table the attacker cannot rule out, so
    it widens the known range of *every* cell of the component for free.

    With ``enough``, a target whose known range is already at least ``enough`` wide is
    not solved: its returned bounds are then an inner approximation (the true range is at
    least as wide). Ranges narrower than ``enough`` are always exact. With ``stop_below``,
    return as soon as one target is found narrower than it (the remaining targets are
    then reported with the width of their known range, possibly too narrow).
    """
    lower = grid.values[targets].astype(np.int64)
    upper = lower.copy()
    if len(targets) == 0:
        return lower, upper
    hidden_idx, component = components(grid, hidden)
    position = np.full(len(hidden), -1, dtype=np.int64)
    position[hidden_idx] = np.arange(len(hidden_idx))
    sub = grid.incidence[:, hidden_idx].tocsc()
    rhs_all = grid.incidence[:, hidden_idx] @ grid.values[hidden_idx].astype(np.float64)
    line_nnz = np.diff(sub.tocsr().indptr)
    pinned = np.zeros(len(hidden_idx), dtype=bool)  # alone in a line: equals what it leaves
    alone = np.flatnonzero(line_nnz == 1)
    if len(alone):
        pinned[sub.tocsr()[alone].indices] = True

    target_pos = position[targets]
    order = np.argsort(component[target_pos], kind="stable")
    comp_of = component[target_pos][order]
    starts = np.flatnonzero(np.r_[True, comp_of[1:] != comp_of[:-1]])
    ends = np.r_[starts[1:], len(order)]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        items = order[start:end]
        members = np.flatnonzero(component == comp_of[start])
        if len(members) == 1 or pinned[target_pos[items]].all():
            if stop_below is not None and len(items):
                return lower, upper  # a pinned target has width 0
            continue
        local = np.full(len(hidden_idx), -1, dtype=np.int64)
        local[members] = np.arange(len(members))
        block = sub[:, members]
        rows_used = np.diff(block.tocsr().indptr) > 0
        block = sparse.csc_array(block.tocsr()[rows_used])
        attacker = _Attacker(block, rhs_all[rows_used])
        seen_low = grid.values[hidden_idx[members]].astype(np.float64)
        seen_high = seen_low.copy()

        def known(j: int) -> tuple[int, int]:
            return math.ceil(seen_low[j] - LP_TOLERANCE), math.floor(seen_high[j] + LP_TOLERANCE)  # noqa: B023

        for i in items.tolist():
            j = int(local[target_pos[i]])
            if pinned[target_pos[i]]:
                if stop_below is not None:
                    return lower, upper
                continue
            low, high = known(j)
            if enough is None or high - low < enough:
                value, x = attacker.solve(j, -1.0)
                np.minimum(seen_low, x, out=seen_low)
                np.maximum(seen_high, x, out=seen_high)
                high = math.floor(value + LP_TOLERANCE)
                low = known(j)[0]
            if enough is None or high - low < enough:
                value, x = attacker.solve(j, 1.0)
                np.minimum(seen_low, x, out=seen_low)
                np.maximum(seen_high, x, out=seen_high)
                low = math.ceil(value - LP_TOLERANCE)
            lower[i], upper[i] = low, high
            if stop_below is not None and high - low < stop_below:
                return lower, upper
        # Targets solved before later solves widened their known range: report the widest.
        for i in items.tolist():
            low, high = known(int(local[target_pos[i]]))
            if enough is not None and upper[i] - lower[i] >= enough:
                lower[i], upper[i] = min(lower[i], low), max(upper[i], high)
    return lower, upper


# --- The attack as a table --------------------------------------------------------------


def intervals(
    table: pd.DataFrame,
    *,
    dims: Sequence[str],
    count: str = "n",
    suppressed: str = "suppressed",
    protection: int = 11,
) -> pd.DataFrame:
    """Play the attacker: the interval each hidden cell can be narrowed to.

    The attacker knows every published cell, every margin, that counts are never
    negative, and which cells are hidden. For each hidden cell two linear programs
    (HiGHS) find the smallest and largest value consistent with all of that.
    Combinations of ``dims`` absent from the table are treated as known zeros (the
    attacker's strongest reading).

    This is the LP relaxation: bounds are rounded inward to whole numbers, which is
    exact for 1-D and 2-D tables; in 3-D an attacker using integer programming could
    occasionally do slightly better.

    Returns
    -------
    DataFrame
        One row per hidden cell: the ``dims`` columns, ``true_value``, ``lower``,
        ``upper``, ``width`` (upper - lower), ``exact`` (lower == upper: recovered) and
        ``at_risk`` (width < ``protection``).
    """
    table = check_frame(table)
    columns = check_dims(table, dims, count)
    require_columns(table, [suppressed], "suppressed")
    flags = table[suppressed]
    if not pd.api.types.is_bool_dtype(flags) or flags.isna().any():
        raise ValueError(ERR_SUPPRESSED.format(value=suppressed))
    limit = check_whole_number(protection, "protection", minimum=1)
    grid = build_grid(table, columns, count)
    hidden = flags.to_numpy(dtype=bool)
    targets = np.flatnonzero(hidden)
    lower, upper = bounds(grid, hidden, targets)
    out = table.iloc[targets][columns].reset_index(drop=True)
    out["true_value"] = grid.values[targets]
    out["lower"] = lower
    out["upper"] = upper
    out["width"] = upper - lower
    out["exact"] = lower == upper
    out["at_risk"] = (upper - lower) < limit
    return out
