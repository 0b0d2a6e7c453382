"""A metadata record for each county table, along the paper's six dimensions.

Everything comes from the table's schema and the data package descriptor that
:mod:`equitylens.data.writer` writes; nothing is typed by hand.
"""

from __future__ import annotations

import json
from typing import Any, Final

import pandas as pd

from equitylens.data import schema, writer

METADATA_DIMENSIONS: Final[tuple[str, ...]] = (
    "description",
    "provenance",
    "technical specifications",
    "rights",
    "preservation",
    "citation",
)


def metadata_record(table: str, *, package: dict[str, Any] | None = None) -> pd.DataFrame:
    """A metadata record for one county table along the paper's six dimensions.

    Everything is read from the table's schema (``equitylens.data.schema``) and the data
    package descriptor (``datasets/datapackage.json``, or ``package`` if given);
    nothing is typed by hand. Returns ``dimension`` (``METADATA_DIMENSIONS``),
    ``item`` and ``value``.
    """
    if table not in schema.SCHEMAS:
        raise ValueError(f"unknown table {table!r}; choose one of {sorted(schema.SCHEMAS)}")
    if package is None:
        path = writer.DATASETS_DIR / writer.PACKAGE_FILE
        if not path.exists():
            raise ValueError(f"no {path}; run `python -m equitylens.data.writer` to write the county")
        package = json.loads(path.read_text(encoding="utf-8"))
    resources = package.get("resources", [])
    resource = next((r for r in resources if isinstance(r, dict) and r.get("name") == table), None)
    if resource is None:
        raise ValueError(f"the data package has no resource named {table!r}")
    spec = resource["schema"]
    fields = spec["fields"]
    types = pd.Series([f["type"] for f in fields]).value_counts()
    undocumented = [f["name"] for f in fields if str(f.get("description", "")).lower().startswith("undocumented")]
    links = []
    for key in spec.get("foreignKeys", []):
        columns = [key["fields"]] if isinstance(key["fields"], str) else list(key["fields"])
        links.append(f"{', '.join(columns)} -> {key['reference']['resource']}")
    licences = package.get("licenses", [])
    licence = ", ".join(f"{lic['name']} ({lic.get('path', '')})" for lic in licences if isinstance(lic, dict))
    rows = [
        ("description", "title", f"{package.get('title', '')}: {table}"),
        ("description", "what a row is", str(resource.get("description", ""))),
        ("description", "fields", ", ".join(f["name"] for f in fields)),
        ("provenance", "how it was made", str(package.get("description", ""))),
        ("provenance", "links to", "; ".join(links) or "none"),
        ("provenance", "known gaps", "undocumented field(s): " + ", ".join(undocumented) if undocumented else "none"),
        (
            "technical specifications",
            "format",
            f"{resource.get('format')} ({resource.get('mediatype')}), "
            f"{resource.get('encoding')}, compressed {resource.get('compression')}",
        ),
        ("technical specifications", "field types", ", ".join(f"{n} {t}" for t, n in types.items())),
        ("technical specifications", "primary key", ", ".join(spec.get("primaryKey", [])) or "none"),
        ("rights", "licence", licence or "not stated"),
        ("rights", "who may use it", "anyone: every record is synthetic" if "CC0" in licence else "see the licence"),
        ("preservation", "file", str(resource.get("path", ""))),
        ("preservation", "checksum", str(resource.get("hash", ""))),
        (
            "preservation",
            "how to rebuild",
            "python -m equitylens.data.writer (the same seed gives byte-identical files)",
        ),
        (
            "citation",
            "cite as",
            f"{package.get('title', '')}, table '{table}' [data set]. "
            f"Resource {resource.get('path', '')}, {resource.get('hash', '')}.",
        ),
    ]
    return pd.DataFrame(rows, columns=["dimension", "item", "value"])
