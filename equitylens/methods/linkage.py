"""Stage 3, data access: privacy-preserving record linkage with Bloom filters, and who it misses.

Each agency encodes its own identifiers before anything is shared. A record's
name and birth-date pieces (character bigrams) are hashed with a secret key
(HMAC-SHA256) into the bits of one long bit array, a *Bloom filter*: a
cryptographic long-term key in the sense of Schnell, Bachteler and Reiher (2009,
2011). The linking party compares bit arrays, never names. Similar names give
similar arrays, so the Dice coefficient of two arrays scores how alike two
records are; pairs above a threshold are linked.

Linkage errors are not spread evenly. ``link_quality`` measures precision and
recall by group against the true ``person_id`` (known here because the county is
synthetic); ``threshold_table`` does it for many thresholds, for the static chart.

Known weakness, stated honestly: Bloom-filter encodings can be attacked by
frequency and pattern mining, which re-identify common names from how often bit
patterns appear (Kuzu et al. 2011; Christen et al. 2019). Keep the key secret,
limit who holds the encodings, and prefer hardened variants for real use.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from equitylens.methods.policy import DEFAULT_POLICY
from equitylens.methods.validation import check_probability, check_table, require_columns

__all__ = [
    "bigrams",
    "dice",
    "encode",
    "link",
    "link_quality",
    "normalise",
    "threshold_table",
]

BITS: Final = 1000  # Bloom filter length; Schnell et al. (2009) used 1000 bits
HASHES: Final = 20  # bits set per bigram
# Bits per bigram by field: the birth date gets more, so that two people with a common name
# born in the same year score lower than one person whose name was keyed two ways.
FIELD_HASHES: Final[dict[str, int]] = {"first_name": 20, "last_name": 20, "birth_date": 40}
FIELDS: Final[tuple[str, ...]] = ("first_name", "last_name", "birth_date")
DEFAULT_THRESHOLD: Final = 0.90
THRESHOLDS: Final[tuple[float, ...]] = tuple(round(0.70 + 0.01 * i, 2) for i in range(30))  # 0.70 to 0.99
MISSED: Final = "Missed links (share of true matches)"
FALSE: Final = "False links (share of links made)"

BoolArray = npt.NDArray[np.bool_]


def normalise(text: object) -> str:
    """Lower case, accents removed, letters and digits only.

    >>> normalise("García-López")
    'garcialopez'
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed.lower() if c.isalnum() and not unicodedata.combining(c))


def bigrams(text: str) -> list[str]:
    """Character bigrams of a text padded with a blank at each end.

    >>> bigrams("ana")
    ['_a', 'an', 'na', 'a_']
    """
    padded = f"_{text}_"
    return [padded[i : i + 2] for i in range(len(padded) - 1)] if text else []


def _positions(token: str, key: bytes, bits: int, hashes: int) -> npt.NDArray[np.int64]:
    """The bit positions of one token: double hashing from one keyed HMAC-SHA256 digest."""
    digest = hmac.new(key, token.encode("utf-8"), hashlib.sha256).digest()
    first = int.from_bytes(digest[:8], "big")
    second = int.from_bytes(digest[8:16], "big") | 1
    return np.array([(first + i * second) % bits for i in range(hashes)], dtype=np.int64)


def encode(
    records: pd.DataFrame,
    *,
    key: bytes,
    fields: Sequence[str] = FIELDS,
    bits: int = BITS,
    hashes: int | dict[str, int] = FIELD_HASHES,
) -> BoolArray:
    """Encode each record's identifiers into one Bloom filter (a row of ``bits`` booleans).

    Each field's value is normalised and cut into bigrams; each bigram is prefixed
    with its field's name (so "an" in a first name and in a family name set
    different bits) and hashed ``hashes`` times with the secret ``key`` (a number,
    or one per field: more bits give a field more weight in the Dice score).
    """
    if not isinstance(key, bytes) or len(key) < 16:
        raise ValueError("key must be a secret of at least 16 bytes")
    per_field = {f: hashes for f in fields} if isinstance(hashes, int) else dict(hashes)
    if bits < 64 or any(f not in per_field or per_field[f] < 1 for f in fields):
        raise ValueError(f"bits must be at least 64 and hashes at least 1 for every field, got {bits}, {hashes}")
    check_table(records, fields, "records")
    filters = np.zeros((len(records), bits), dtype=bool)
    for field in fields:
        # Names and dates repeat: each distinct value is normalised and hashed once, then
        # every record holding it gets its bits.
        codes, values = pd.factorize(records[field].astype("string").fillna(""))
        positions: dict[str, npt.NDArray[np.int64]] = {}
        bits_of_value = np.zeros((len(values), bits), dtype=bool)
        for index, value in enumerate(values):
            for gram in bigrams(normalise(value)):
                token = f"{field}:{gram}"
                if token not in positions:
                    positions[token] = _positions(token, key, bits, per_field[field])
                bits_of_value[index, positions[token]] = True
        if len(values):
            filters |= bits_of_value[codes]
    return filters


def dice(a: BoolArray, b: BoolArray) -> npt.NDArray[np.float64]:
    """Dice similarity of every row of ``a`` with every row of ``b``: 2|A∩B| / (|A|+|B|).

    >>> a = np.array([[1, 1, 0, 0]], dtype=bool)
    >>> dice(a, np.array([[1, 0, 1, 0], [1, 1, 0, 0]], dtype=bool)).tolist()
    [[0.5, 1.0]]
    """
    left, right = a.astype(np.float32), b.astype(np.float32)
    shared = left @ right.T
    sizes = left.sum(axis=1)[:, None] + right.sum(axis=1)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(sizes > 0, 2 * shared / sizes, 0.0)
    return score.astype(np.float64)


def link(
    left: pd.DataFrame,
    right: pd.DataFrame,
    *,
    key: bytes,
    block: str = "birth_year",
    fields: Sequence[str] = FIELDS,
    hashes: int | dict[str, int] = FIELD_HASHES,
) -> pd.DataFrame:
    """For each ``left`` record, its best-scoring ``right`` record in the same block.

    Both frames need ``record_id``, ``person_id`` (the truth, used only to score
    the result, never to link) and the ``fields``. ``block`` is a column of both,
    or ``"birth_year"`` (the first four characters of ``birth_date``, which a
    day-month swap leaves alone). ``hashes`` is passed to :func:`encode`.
    Returns one row per left record: ``record_id``, ``person_id``, ``best_record``,
    ``best_person``, ``score`` (Dice), ``match_exists`` (the person is in ``right``
    at all) and ``correct`` (the best record is theirs).
    """
    for name, frame in (("left", left), ("right", right)):
        needed = ["record_id", "person_id", *fields] + ([] if block == "birth_year" else [block])
        check_table(frame, needed, name)
    left_blocks = _block_keys(left, block)
    right_blocks = _block_keys(right, block)
    left_filters = encode(left, key=key, fields=fields, hashes=hashes)
    right_filters = encode(right, key=key, fields=fields, hashes=hashes)
    best_index = np.full(len(left), -1, dtype=np.int64)
    best_score = np.zeros(len(left))
    right_groups = pd.Series(np.arange(len(right))).groupby(right_blocks.to_numpy()).indices
    for value, rows in pd.Series(np.arange(len(left))).groupby(left_blocks.to_numpy()).indices.items():
        candidates = right_groups.get(value)
        if candidates is None or len(candidates) == 0:
            continue
        scores = dice(left_filters[rows], right_filters[candidates])
        top = scores.argmax(axis=1)
        best_index[rows] = candidates[top]
        best_score[rows] = scores[np.arange(len(rows)), top]
    found = best_index >= 0
    right_ids = right["record_id"].to_numpy()
    right_people = right["person_id"].to_numpy()
    out = pd.DataFrame(
        {
            "record_id": left["record_id"].to_numpy(),
            "person_id": left["person_id"].to_numpy(),
            "best_record": pd.Series(right_ids[np.maximum(best_index, 0)]).where(found),
            "best_person": pd.Series(right_people[np.maximum(best_index, 0)]).where(found),
            "score": best_score,
        }
    )
    out["match_exists"] = out["person_id"].isin(set(right_people))
    out["correct"] = out["best_person"].eq(out["person_id"]).fillna(False).astype(bool)
    return out


def _block_keys(frame: pd.DataFrame, block: str) -> pd.Series:
    if block == "birth_year":
        return frame["birth_date"].astype("string").str[:4].fillna("")
    return frame[block].astype("string").fillna("")


def link_quality(matches: pd.DataFrame, *, threshold: float = DEFAULT_THRESHOLD, by: str | None = None) -> pd.DataFrame:
    """Precision and recall of the links made at ``threshold``, overall and by group.

    ``matches`` comes from :func:`link` (plus a ``by`` column if given). A record
    is *linked* if its best score reaches the threshold. Returns ``group``,
    ``records``, ``true_matches`` (records whose person is in the other file),
    ``links``, ``correct``, ``false_links``, ``missed``, ``precision`` (correct
    / links), ``recall`` (correct / true matches), ``missed_share`` (1 - recall)
    and ``false_share`` (1 - precision). Everyone comes first.
    """
    if check_probability(threshold, "threshold") == 0:
        raise ValueError("threshold=0 would link every pair; choose a threshold above 0 and at most 1")
    require_columns(matches, ["score", "match_exists", "correct"], "matches (build it with link())")
    if by:
        require_columns(matches, [by], "by")
    linked = matches["score"].to_numpy() >= threshold
    exists = matches["match_exists"].to_numpy(dtype=bool)
    right = matches["correct"].to_numpy(dtype=bool) & linked
    base = pd.DataFrame({"true_matches": exists, "links": linked, "correct": right})
    parts = [base.assign(group="Everyone")]
    if by:
        parts.append(base.assign(group=matches[by].astype("string").fillna("<missing>").to_numpy()))
    long = pd.concat(parts, ignore_index=True)
    out = long.groupby("group", sort=False).agg(
        records=("links", "size"),
        true_matches=("true_matches", "sum"),
        links=("links", "sum"),
        correct=("correct", "sum"),
    )
    if by and isinstance(matches[by].dtype, pd.CategoricalDtype):
        order = ["Everyone", *[str(c) for c in matches[by].cat.categories if str(c) in out.index]]
        out = out.reindex(order)
    out = out.astype(int)
    out["false_links"] = out["links"] - out["correct"]
    out["missed"] = out["true_matches"] - out["correct"]
    out["precision"] = out["correct"] / out["links"].where(out["links"] > 0)
    out["recall"] = out["correct"] / out["true_matches"].where(out["true_matches"] > 0)
    out["missed_share"] = 1 - out["recall"]
    out["false_share"] = 1 - out["precision"]
    return out.reset_index()


def threshold_table(
    matches: pd.DataFrame,
    *,
    by: str,
    thresholds: Sequence[float] = THRESHOLDS,
    min_people: int = DEFAULT_POLICY.k,
) -> pd.DataFrame:
    """Missed-link and false-link shares by group for every threshold, for the chart.

    Groups with fewer than ``min_people`` true matches are left out (their shares
    would rest on a handful of people). Returns ``threshold``, ``group``,
    ``measure`` (``MISSED`` or ``FALSE``), ``share`` and ``true_matches`` (drop it
    before you publish the table: with the shares it gives counts back).
    """
    if not thresholds:
        raise ValueError("thresholds must hold at least one value")
    parts = []
    for threshold in thresholds:
        quality = link_quality(matches, threshold=threshold, by=by)
        quality = quality[quality["true_matches"] >= min_people]
        for measure, column in ((MISSED, "missed_share"), (FALSE, "false_share")):
            parts.append(
                quality[["group", "true_matches"]].assign(
                    threshold=float(threshold), measure=measure, share=quality[column].fillna(0.0)
                )
            )
    return pd.concat(parts, ignore_index=True)[["threshold", "group", "measure", "share", "true_matches"]]
