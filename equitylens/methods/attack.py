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

from equitylens.methods.policy import DEFAULT_POLICY
from equitylens.methods.validation import as_columns, check_counts, check_frame, check_whole_number, require_columns

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

ALLOWED_DIMS: Final[tuple[int, ...]] = (1, 2, 3)
# Tolerance when turning LP optima into whole-number bounds.
LP_TOLERANCE: Final = 1e-6
# Before solving cell by cell, up to this many pairs of solves push every uncertified cell
# up or down at once, while each pair certifies at least this share of the cells left.
SPREAD_ROUNDS: Final = 8
SPREAD_GAIN: Final = 0.05
# Tables of more than BLOCK_MIN_CELLS cells are first attacked box by box (boxes of about
# BLOCK_SIDE levels a side, every cell outside the box taken as known): a range that is wide
# even then is wide for the real attacker, so only the cells left narrow need the whole table.
BLOCK_MIN_CELLS: Final = 2000
BLOCK_SIDE: Final = 10

__all__ = ["intervals"]

_ERR_DIMS: Final = (
    "dims={value!r} must name {allowed} distinct columns (the table's dimensions), not including the count column"
)
_ERR_DIM_MISSING: Final = "dims column {value!r} has missing values; label them before suppressing"
_ERR_DUPLICATE_CELLS: Final = (
    "table has {rows} row(s) repeating a cell of dims={dims!r}; aggregate it to one row per cell first"
)
_ERR_SUPPRESSED: Final = (
    "suppressed={value!r} must be a boolean column with no missing values (e.g. from primary() or complementary())"
)


def check_dims(table: pd.DataFrame, dims: str | Sequence[str], count: str) -> list[str]:
    """Return ``dims`` as a list of 1-3 distinct columns of ``table`` without missing values."""
    try:
        columns = as_columns(dims, "dims")
    except ValueError:
        columns = []
    if len(columns) not in ALLOWED_DIMS or count in columns:
        raise ValueError(_ERR_DIMS.format(value=dims, allowed=" or ".join(map(str, ALLOWED_DIMS))))
    require_columns(table, columns, "dims")
    for column in columns:
        if table[column].isna().any():
            raise ValueError(_ERR_DIM_MISSING.format(value=column))
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
    blocks: IntArray  # (cells, 2): box ids for two ways of cutting the table into boxes

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
        raise ValueError(_ERR_DUPLICATE_CELLS.format(rows=repeated, dims=dims))

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
        blocks=_blocks(codes, sizes),
    )


def _blocks(codes: IntArray, sizes: list[int]) -> IntArray:
    """Cut every dimension into runs of about ``BLOCK_SIDE`` levels, twice (the second cut
    half a run further on, so a cell at the edge of one box lies inside another)."""
    out = np.empty((codes.shape[0], 2), dtype=np.int64)
    for k, shift in enumerate((0, BLOCK_SIDE // 2)):
        pieces = [max(1, round((size + shift) / BLOCK_SIDE)) for size in sizes]
        chunk = [(codes[:, j] + shift) * pieces[j] // (sizes[j] + shift) for j in range(len(sizes))]
        out[:, k] = np.ravel_multi_index(tuple(chunk), tuple(pieces))
    return out


def components(grid: Grid, hidden: BoolArray) -> tuple[IntArray, IntArray]:
    """The hidden cells and, for each, the id of its connected component (hidden cells
    linked through shared lines; the attacker's problems of different components are
    independent)."""
    hidden_idx = np.flatnonzero(hidden)
    sub = grid.incidence[:, hidden_idx].tocsr()
    _, component = connected_components((sub.T @ sub).tocsr(), directed=False)
    return hidden_idx, component.astype(np.int64)


# --- The attacker's LP ------------------------------------------------------------------


class Attacker:
    """The attacker's LP for one table, kept between questions.

    One HiGHS model over every cell: one equation per line (the line's total), each cell
    ``>= 0``, and each published cell fixed at its value. Hiding or publishing a cell only
    changes that cell's bounds, and asking about another cell only changes the objective,
    so every solve starts from the previous optimal basis.

    Every optimal solution is a table the attacker cannot rule out, so it widens the known
    range of *every* cell for free: the attacker remembers the lowest and highest value
    seen for each cell, valid until a cell is published (hiding more only adds tables).
    """

    def __init__(self, grid: Grid, cells: IntArray | None = None) -> None:
        """The attacker of ``grid``, or of the box of ``cells`` with every other cell known."""
        self.grid = grid
        incidence = grid.incidence if cells is None else grid.incidence[:, cells]
        if cells is not None:
            incidence = incidence[np.diff(incidence.tocsr().indptr) > 0]
        self.cells = cells
        values = grid.values if cells is None else grid.values[cells]
        size = len(values)
        self.truth = values.astype(np.float64)
        lp = highspy.HighsLp()
        lp.num_col_ = size
        lp.num_row_ = int(incidence.shape[0])
        lp.col_cost_ = np.zeros(size)
        lp.col_lower_ = self.truth.copy()
        lp.col_upper_ = self.truth.copy()
        totals = incidence @ self.truth
        lp.row_lower_ = totals
        lp.row_upper_ = totals
        columns = sparse.csc_array(incidence)
        columns.sort_indices()
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = columns.indptr.astype(np.int32)
        lp.a_matrix_.index_ = columns.indices.astype(np.int32)
        lp.a_matrix_.value_ = columns.data.astype(np.float64)
        # The solver core without highspy.Highs's callback wrapper, which prints a banner.
        self.highs = highspy._core._Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("presolve", "off")
        self.highs.setOptionValue("simplex_strategy", 4)  # primal: only costs change between most solves
        self.highs.passModel(lp)
        self.hidden = np.zeros(size, dtype=bool)
        self.costed = np.zeros(0, dtype=np.int32)
        self.seen_low = self.truth.copy()
        self.seen_high = self.truth.copy()
        self.rng = np.random.default_rng(0)  # objectives for spreading solves: seeded

    def _sync(self, hidden: BoolArray) -> None:
        """Make the model's hidden cells those of ``hidden``."""
        opened = np.flatnonzero(hidden & ~self.hidden).astype(np.int32)
        closed = np.flatnonzero(~hidden & self.hidden).astype(np.int32)
        if len(opened):
            self.highs.changeColsBounds(
                len(opened), opened, np.zeros(len(opened)), np.full(len(opened), highspy.kHighsInf)
            )
        if len(closed):
            self.highs.changeColsBounds(len(closed), closed, self.truth[closed], self.truth[closed])
            self.seen_low = self.truth.copy()  # tables seen so far may break the new fixings
            self.seen_high = self.truth.copy()
        self.hidden = hidden.copy()

    def _solve(self, cells: IntArray, costs: FloatArray) -> FloatArray:
        """An optimal table for ``min costs @ x[cells]``; remembers its values."""
        if len(self.costed):
            self.highs.changeColsCost(len(self.costed), self.costed, np.zeros(len(self.costed)))
        self.costed = cells.astype(np.int32)
        self.highs.changeColsCost(len(self.costed), self.costed, costs.astype(np.float64))
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:  # pragma: no cover - the true table is feasible
            raise RuntimeError(f"attack LP failed: {self.highs.modelStatusToString(status)}")
        x = np.asarray(self.highs.getSolution().col_value, dtype=np.float64)
        np.minimum(self.seen_low, x, out=self.seen_low)
        np.maximum(self.seen_high, x, out=self.seen_high)
        return x

    def _by_blocks(self, hidden: BoolArray, targets: IntArray, enough: int) -> None:
        """Widen the known ranges of ``targets`` box by box (see ``BLOCK_MIN_CELLS``)."""
        for blocks in self.grid.blocks.T:
            low, high = self._known(targets)
            wanted = np.zeros(len(hidden), dtype=bool)
            wanted[targets[high - low < enough]] = True
            if wanted.any():
                self._boxes(hidden, blocks, wanted, enough)

    def _boxes(self, hidden: BoolArray, blocks: IntArray, wanted: BoolArray, enough: int) -> None:
        order = np.argsort(blocks, kind="stable")
        starts = np.flatnonzero(np.r_[True, blocks[order][1:] != blocks[order][:-1]])
        for cells in np.split(order, starts[1:]):
            inside = np.flatnonzero(wanted[cells])
            if len(inside) == 0:
                continue
            box = Attacker(self.grid, cells)
            box.bounds(hidden[cells], inside, enough=enough)
            # A box's tables, with every cell outside it at its true value, are tables of
            # the whole problem: what they show is known to the attacker of the whole table.
            self.seen_low[cells] = np.minimum(self.seen_low[cells], box.seen_low)
            self.seen_high[cells] = np.maximum(self.seen_high[cells], box.seen_high)

    def _known(self, cells: IntArray) -> tuple[IntArray, IntArray]:
        low = np.ceil(self.seen_low[cells] - LP_TOLERANCE).astype(np.int64)
        high = np.floor(self.seen_high[cells] + LP_TOLERANCE).astype(np.int64)
        return low, high

    def bounds(
        self,
        hidden: BoolArray,
        targets: IntArray,
        *,
        enough: int | None = None,
        stop_below: int | None = None,
    ) -> tuple[IntArray, IntArray]:
        """Whole-number min and max an attacker can prove for each target (hidden) cell.

        With ``enough``, a target whose known range is already at least ``enough`` wide
        is not solved for: its bounds are then an inner approximation (the true range is
        at least as wide). Ranges narrower than ``enough`` are always exact. With
        ``stop_below``, return as soon as one target is found narrower than it (later
        targets are then reported with their known range, possibly too narrow).
        """
        targets = np.asarray(targets, dtype=np.int64)
        self._sync(hidden)
        if enough is not None and self.cells is None and len(self.grid.values) > BLOCK_MIN_CELLS:
            self._by_blocks(hidden, targets, enough)
        if enough is not None and len(targets) > 1:
            # Spread first: objectives pushing every uncertified target up or down at once
            # certify most wide cells in a few solves.
            for _ in range(SPREAD_ROUNDS):
                low, high = self._known(targets)
                open_ = targets[high - low < enough]
                if len(open_) <= 1:
                    break
                signs = self.rng.choice([-1.0, 1.0], size=len(open_))
                self._solve(open_, signs)
                self._solve(open_, -signs)
                low, high = self._known(open_)
                if (high - low >= enough).mean() < SPREAD_GAIN:
                    break
        lower = np.empty(len(targets), dtype=np.int64)
        upper = np.empty(len(targets), dtype=np.int64)
        for i, cell in enumerate(targets.tolist()):
            one = np.array([cell], dtype=np.int64)
            lo, hi = (int(v[0]) for v in self._known(one))
            if enough is None or hi - lo < enough:
                hi = math.floor(self._solve(one, np.array([-1.0]))[cell] + LP_TOLERANCE)
                lo = int(self._known(one)[0][0])
            if enough is None or hi - lo < enough:
                lo = math.ceil(self._solve(one, np.array([1.0]))[cell] - LP_TOLERANCE)
            lower[i], upper[i] = lo, hi
            if stop_below is not None and hi - lo < stop_below:
                rest = targets[i + 1 :]
                lower[i + 1 :], upper[i + 1 :] = self._known(rest)
                return lower, upper
        if enough is not None:  # later solves may have widened earlier targets' known ranges
            low, high = self._known(targets)
            wide = upper - lower >= enough
            lower[wide] = np.minimum(lower[wide], low[wide])
            upper[wide] = np.maximum(upper[wide], high[wide])
        return lower, upper


def bounds(grid: Grid, hidden: BoolArray, targets: IntArray) -> tuple[IntArray, IntArray]:
    """Exact whole-number min and max an attacker can prove for each target (hidden) cell."""
    return Attacker(grid).bounds(hidden, targets)


# --- The attack as a table --------------------------------------------------------------


def intervals(
    table: pd.DataFrame,
    *,
    dims: Sequence[str],
    count: str = "n",
    suppressed: str = "suppressed",
    protection: int = DEFAULT_POLICY.width,
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
        raise ValueError(_ERR_SUPPRESSED.format(value=suppressed))
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
