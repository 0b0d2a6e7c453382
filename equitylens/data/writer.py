"""Write the synthetic county to ``datasets/`` as a Frictionless data package.

Files are gzip-compressed CSV written with a fixed gzip header (no time stamp,
no file name), so the same tables always give byte-identical files.
Run ``python -m equitylens.data.writer`` to regenerate the committed files.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
from pathlib import Path
from typing import Any, Final

import pandas as pd

from equitylens.data import paths, schema, synth

DATASETS_DIR: Final = paths.DATASETS_DIR
PACKAGE_FILE: Final = "datapackage.json"


def file_name(table: str) -> str:
    """The file a table is stored in, e.g. ``people.csv.gz``."""
    schema.fields(table)  # raises ValueError for an unknown table
    return f"{table}.csv.gz"


def to_bytes(frame: pd.DataFrame) -> bytes:
    """A table as deterministic gzip-compressed CSV."""
    if frame.columns.empty:
        raise ValueError("frame has no columns; there is nothing to write")
    text = frame.to_csv(index=False, lineterminator="\n")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as archive:
        archive.write(text.encode("utf-8"))
    return buffer.getvalue()


def provenance(*, seed: int = synth.DEFAULT_SEED, people: int = synth.DEFAULT_PEOPLE) -> str:
    """Where every record of the county comes from, as a data package's source line.

    >>> provenance(seed=1, people=5000)
    'equitylens.data.synth (seed 1, 5000 young people)'
    """
    return f"equitylens.data.synth (seed {seed}, {people} young people)"


def descriptor(hashes: dict[str, str], *, seed: int, people: int) -> dict[str, Any]:
    """The ``datapackage.json`` descriptor for the written tables."""
    resources = []
    for table, digest in hashes.items():
        spec = schema.SCHEMAS[table]
        resources.append(
            {
                "name": table,
                "path": file_name(table),
                "format": "csv",
                "compression": "gz",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "hash": f"sha256:{digest}",
                "description": spec["description"],
                "schema": spec["schema"],
            }
        )
    return {
        "name": "equity-lens-synthetic-county",
        "title": "Equity Lens synthetic county",
        "description": (
            "A fictional county's integrated data system for teaching. Every record is invented by "
            f"{provenance(seed=seed, people=people)}; no real person is in these data. "
            "See DATASHEET.md."
        ),
        "licenses": [
            {
                "name": "CC0-1.0",
                "title": "CC0 1.0",
                "path": "https://creativecommons.org/publicdomain/zero/1.0/",
            }
        ],
        "resources": resources,
    }


def write(
    directory: Path | str = DATASETS_DIR,
    *,
    seed: int = synth.DEFAULT_SEED,
    people: int = synth.DEFAULT_PEOPLE,
) -> dict[str, str]:
    """Generate the county and write every table plus ``datapackage.json``.

    Returns the SHA-256 of each written table file.
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    tables = synth.generate(seed=seed, people=people)
    hashes: dict[str, str] = {}
    for table, frame in tables.items():
        data = to_bytes(frame)
        (target / file_name(table)).write_bytes(data)
        hashes[table] = hashlib.sha256(data).hexdigest()
    package = descriptor(hashes, seed=seed, people=people)
    (target / PACKAGE_FILE).write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return hashes


def main(argv: list[str] | None = None) -> None:
    """Command line: regenerate the data package."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(DATASETS_DIR), help="folder to write into")
    parser.add_argument("--seed", type=int, default=synth.DEFAULT_SEED)
    parser.add_argument("--people", type=int, default=synth.DEFAULT_PEOPLE)
    args = parser.parse_args(argv)
    for table, digest in write(args.out, seed=args.seed, people=args.people).items():
        print(f"{digest[:12]}  {file_name(table)}")


if __name__ == "__main__":
    main()
