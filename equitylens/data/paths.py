"""Where the kit's files live: the one module that knows the repository's folders.

The package reads its content (``book/data``), the synthetic county (``datasets``) and the session
plans (``workshops``) from a checkout of the repository. By default that is the checkout the
package was imported from; set ``EQUITYLENS_ROOT`` to point a regular (non-editable) install at a
checkout elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

ROOT_VARIABLE: Final = "EQUITYLENS_ROOT"


def _root() -> Path:
    override = os.environ.get(ROOT_VARIABLE)
    if override:
        return Path(override).expanduser().resolve()
    return Path(__file__).resolve().parents[2]


ROOT: Final[Path] = _root()
BOOK_DIR: Final[Path] = ROOT / "book"
CONTENT_DIR: Final[Path] = BOOK_DIR / "data"
DATASETS_DIR: Final[Path] = ROOT / "datasets"
WORKSHOPS_DIR: Final[Path] = ROOT / "workshops"
BUILD_DIR: Final[Path] = ROOT / "_build"
