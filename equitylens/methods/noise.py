"""Noise instead of holes: a differentially private release of a table of counts.

Suppression hides small cells. Differential privacy publishes every cell with
noise whose size is set by a privacy budget ``epsilon`` (smaller means more
private and noisier). This module does four things:

* **calibration** with OpenDP: the noise scale that gives ``epsilon`` for a
  release in which one person can change ``contributions`` counts by one each
  (:func:`scale_for`), and the half-width of the interval that holds 95% of the
  noise (:func:`accuracy`);
* **seeded draws** from the same distributions with numpy (:func:`sample`), so the
  book's figures are reproducible. OpenDP's own sampler cannot be seeded; a real
  release uses it (:func:`secure_release`);
* **post-processing** a learner can see (:func:`post_process`): as measured, negatives
  set to zero, or zero floor and whole numbers that add up to the published totals;
* **a noisy table** (:func:`release`): cells, column totals and group sizes
  measured once, with rates computed from the noisy numbers.

Post-processing uses only the noisy numbers, so it costs no privacy.

>>> scale_for(1.0, mechanism="laplace", contributions=11)
11.0
>>> round(accuracy(11.0, mechanism="laplace"), 1)
33.4
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from equitylens.methods.validation import (
    check_choice,
    check_confidence,
    check_counts,
    check_table,
    check_whole_number,
)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

MECHANISMS: Final[dict[str, str]] = {
    "laplace": "Discrete Laplace (geometric)",
    "gaussian": "Discrete Gaussian",
}
POST_PROCESSING: Final[dict[str, str]] = {
    "none": "As measured (can be negative)",
    "clamp": "Negatives set to zero",
    "consistent": "Zero floor, adding up to the totals",
}
DEFAULT_DELTA: Final = 1e-6  # the Gaussian's (epsilon, delta): chance the epsilon bound fails
DEFAULT_CONFIDENCE: Final = 0.95

_ERR_EPSILON: Final = "epsilon={value!r} must be a number greater than 0, e.g. 1.0"
_ERR_DELTA: Final = "delta={value!r} must be a number strictly between 0 and 1, e.g. 1e-6"
_ERR_SCALE: Final = "scale={value!r} must be a number greater than 0"
_ERR_TOTALS: Final = "totals must have one value per column of cells ({columns}), got {got}"
_ERR_NEEDS_TOTALS: Final = "method='consistent' needs totals: the published total of each column"


__all__ = ["accuracy", "post_process", "release", "sample", "scale_for", "secure_release"]


def _check_positive(value: object, message: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(message.format(value=value))
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(message.format(value=value))
    return number


def _opendp() -> Any:
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


def _measurement(dp: Any, mechanism: str, scale: float, delta: float) -> Any:
    """An OpenDP measurement over a vector of whole-number counts."""
    domain = dp.vector_domain(dp.atom_domain(T=int))
    if mechanism == "laplace":
        return dp.m.make_laplace(domain, dp.l1_distance(T=int), scale=scale)
    gaussian = dp.m.make_gaussian(domain, dp.l2_distance(T=float), scale=scale)
    return dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(gaussian), delta)


def _sensitivity(mechanism: str, contributions: int) -> float | int:
    # Each person changes at most ``contributions`` counts, each by one: the L1
    # distance is that number, the L2 distance its square root.
    return contributions if mechanism == "laplace" else math.sqrt(contributions)


def scale_for(
    epsilon: float,
    *,
    mechanism: str = "laplace",
    contributions: int = 1,
    delta: float = DEFAULT_DELTA,
) -> float:
    """The noise scale that OpenDP certifies for privacy budget ``epsilon``.

    ``contributions`` is how many published counts one person can change, by one
    each. For the Gaussian the guarantee is (``epsilon``, ``delta``). The scale is
    found by OpenDP's binary search over its own privacy map.
    """
    eps = _check_positive(epsilon, _ERR_EPSILON)
    check_choice(mechanism, list(MECHANISMS), "mechanism")
    contributions = check_whole_number(contributions, "contributions", minimum=1)
    if isinstance(delta, bool) or not isinstance(delta, (int, float)) or not 0 < float(delta) < 1:
        raise ValueError(_ERR_DELTA.format(value=delta))
    return _calibrate(eps, mechanism, contributions, float(delta))


@functools.lru_cache(maxsize=256)
def _calibrate(epsilon: float, mechanism: str, contributions: int, delta: float) -> float:
    dp = _opendp()
    d_in = _sensitivity(mechanism, contributions)
    d_out: Any = epsilon if mechanism == "laplace" else (epsilon, delta)
    scale = dp.binary_search_param(lambda s: _measurement(dp, mechanism, s, delta), d_in=d_in, d_out=d_out)
    return float(scale)


def accuracy(scale: float, *, mechanism: str = "laplace", confidence: float = DEFAULT_CONFIDENCE) -> float:
    """Half-width of the interval that holds ``confidence`` of the noise (OpenDP).

    A noisy count lands within this distance of the true count with probability
    at least ``confidence``.
    """
    size = _check_positive(scale, _ERR_SCALE)
    check_choice(mechanism, list(MECHANISMS), "mechanism")
    level = check_confidence(confidence)
    import opendp.accuracy as opendp_accuracy

    _opendp()
    if mechanism == "laplace":
        return float(opendp_accuracy.discrete_laplacian_scale_to_accuracy(size, 1 - level))
    return float(opendp_accuracy.discrete_gaussian_scale_to_accuracy(size, 1 - level))


def sample(
    shape: int | Sequence[int], *, scale: float, mechanism: str = "laplace", rng: np.random.Generator
) -> IntArray:
    """Seeded draws of whole-number noise from the same distribution OpenDP uses.

    Discrete Laplace: the difference of two geometric draws, P(x) proportional to
    exp(-|x| / scale). Discrete Gaussian: P(x) proportional to exp(-x^2 / (2 scale^2)),
    drawn by inverting its distribution function over a range that holds all but
    a negligible tail. For illustration only: numpy's generator is not a secure
    sampler.
    """
    size = _check_positive(scale, _ERR_SCALE)
    check_choice(mechanism, list(MECHANISMS), "mechanism")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy Generator, e.g. np.random.default_rng(0); got {type(rng).__name__}")
    if mechanism == "laplace":
        p = -math.expm1(-1.0 / size)
        return (rng.geometric(p, size=shape) - rng.geometric(p, size=shape)).astype(np.int64)
    reach = math.ceil(12 * size) + 2
    support = np.arange(-reach, reach + 1)
    weights = np.exp(-(support.astype(np.float64) ** 2) / (2 * size * size))
    cdf = np.cumsum(weights / weights.sum())
    cdf[-1] = 1.0
    return support[np.searchsorted(cdf, rng.random(size=shape), side="right")].astype(np.int64)


def secure_release(
    counts: Sequence[int] | IntArray,
    *,
    epsilon: float,
    mechanism: str = "laplace",
    contributions: int = 1,
    delta: float = DEFAULT_DELTA,
) -> IntArray:
    """A real release: OpenDP's secure sampler adds the noise. Not reproducible by design."""
    values = np.asarray(counts)
    if values.ndim != 1 or len(values) == 0 or not np.issubdtype(values.dtype, np.integer) or (values < 0).any():
        raise ValueError("counts must be a non-empty list of whole numbers >= 0")
    scale = scale_for(epsilon, mechanism=mechanism, contributions=contributions, delta=delta)
    measurement = _measurement(_opendp(), mechanism, scale, float(delta))
    released: IntArray = np.asarray(measurement([int(v) for v in values]), dtype=np.int64)
    return released


def _project_columns(cells: FloatArray, totals: FloatArray) -> FloatArray:
    """Closest non-negative cells (least squares) whose columns add up to ``totals``.

    ``cells`` has groups on axis -2 and columns on axis -1; leading axes are draws.
    The Euclidean projection onto the simplex (Duchi et al. 2008): every cell in a
    column moves by the same amount, and cells that would go below zero stop at zero.
    """
    values = np.moveaxis(cells, -2, -1)  # (..., columns, groups)
    ordered = -np.sort(-values, axis=-1)
    cumulative = np.cumsum(ordered, axis=-1) - totals[..., None]
    steps = np.arange(1, values.shape[-1] + 1)
    fits = ordered - cumulative / steps > 0
    last = values.shape[-1] - 1 - np.argmax(fits[..., ::-1], axis=-1)
    last = np.where(fits.any(axis=-1), last, 0)  # a total of zero: every cell goes to zero
    shift = np.take_along_axis(cumulative, last[..., None], axis=-1) / (last[..., None] + 1)
    return np.moveaxis(np.maximum(values - shift, 0.0), -1, -2)


def _round_keeping_sums(cells: FloatArray, totals: IntArray) -> IntArray:
    """Whole numbers by largest remainder, so each column still adds up to its total."""
    floors = np.floor(cells)
    short = totals - floors.sum(axis=-2).astype(np.int64)  # (..., columns)
    remainders = cells - floors
    order = np.argsort(-remainders, axis=-2, kind="stable")
    ranks = np.argsort(order, axis=-2, kind="stable")
    bump = ranks < short[..., None, :]
    rounded: IntArray = (floors + bump).astype(np.int64)
    return rounded


def post_process(cells: npt.ArrayLike, *, method: str, totals: npt.ArrayLike | None = None) -> IntArray:
    """Apply one post-processing choice to noisy counts.

    ``cells`` has groups on the second-to-last axis and columns (e.g. services) on
    the last; any leading axes are separate draws. ``"none"`` returns the counts as
    measured; ``"clamp"`` sets negatives to zero; ``"consistent"`` also makes each
    column add up to its published total (``totals``, set to zero if negative),
    moving every cell by the same amount and rounding so the sums hold.
    """
    check_choice(method, list(POST_PROCESSING), "method")
    values = np.asarray(cells)
    if values.ndim < 2 or not np.issubdtype(values.dtype, np.integer):
        raise ValueError("cells must be whole numbers with groups and columns as the last two axes")
    if method == "none":
        return values.astype(np.int64)
    if method == "clamp":
        clamped: IntArray = np.maximum(values, 0).astype(np.int64)
        return clamped
    if totals is None:
        raise ValueError(_ERR_NEEDS_TOTALS)
    target = np.asarray(totals)
    if target.shape != values.shape[:-2] + values.shape[-1:] or not np.issubdtype(target.dtype, np.integer):
        raise ValueError(_ERR_TOTALS.format(columns=values.shape[:-2] + values.shape[-1:], got=target.shape))
    target = np.maximum(target, 0).astype(np.int64)
    projected = _project_columns(values.astype(np.float64), target.astype(np.float64))
    return _round_keeping_sums(projected, target)


def release(
    counts: pd.DataFrame,
    *,
    population: pd.Series,
    epsilon: float,
    mechanism: str = "laplace",
    method: str = "clamp",
    rows: str = "race_ethnicity",
    columns: str = "service",
    count: str = "n",
    seed: int = 0,
    delta: float = DEFAULT_DELTA,
) -> pd.DataFrame:
    """One noisy release of a table of counts, its column totals and its group sizes.

    One person is in one group and can be counted once in every column, so they
    change up to ``2 * columns + 1`` published counts (their cells, the column
    totals and their group size): that sets the noise scale for ``epsilon``. The
    draw is seeded for the book; a real release uses :func:`secure_release`.
    Returns the cells with ``noisy`` (after ``method``), ``noisy_rate``
    (noisy count over noisy group size, at least 1) and ``scale``.
    """
    check_table(counts, [rows, columns, count], "counts")
    check_counts(counts, count, "count")
    check_whole_number(seed, "seed")
    wide = counts.pivot_table(index=rows, columns=columns, values=count, aggfunc="sum", observed=True)
    if wide.isna().any().any():
        raise ValueError(f"counts must have one row for every {rows} and {columns}")
    missing = [g for g in wide.index if g not in population.index]
    if missing:
        raise ValueError(f"population has no size for group(s) {missing}")
    sizes = population.reindex(wide.index).to_numpy(dtype=np.int64)
    true = wide.to_numpy(dtype=np.int64)
    n_groups, n_columns = true.shape
    scale = scale_for(epsilon, mechanism=mechanism, contributions=2 * n_columns + 1, delta=delta)
    check_choice(method, list(POST_PROCESSING), "method")
    rng = np.random.default_rng(seed)
    noise = sample(n_groups * n_columns + n_columns + n_groups, scale=scale, mechanism=mechanism, rng=rng)
    cells = true + noise[: n_groups * n_columns].reshape(n_groups, n_columns)
    totals = true.sum(axis=0) + noise[n_groups * n_columns : n_groups * n_columns + n_columns]
    noisy_sizes = np.maximum(sizes + noise[-n_groups:], 1)
    published = post_process(cells, method=method, totals=totals)
    out = pd.DataFrame(
        {
            rows: np.repeat(wide.index.astype(str), n_columns),
            columns: np.tile(wide.columns.astype(str), n_groups),
            "noisy": published.ravel(),
            "noisy_rate": (published / noisy_sizes[:, None]).ravel(),
        }
    )
    out["scale"] = scale
    return out
