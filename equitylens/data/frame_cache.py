"""Assembled frames kept on disk, so that each new process does not assemble them again.

Reading, typing and joining the county's seven files takes most of a second, and every
kernel, test worker and script paid it. A pickled copy loads in a twentieth of that.
An entry's file name holds a hash of everything the frame is made from: the bytes of its
input files, the source of ``equitylens/data`` (the code that reads and joins them) and
the Python, pandas and numpy versions. A change to any of them names a new entry, so a
frame from older files or older code is never read. Entries live in ``_build/cache``
(``make clean`` removes them); set ``EQUITYLENS_FRAME_CACHE=off`` to assemble every time.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from equitylens.data import paths

CACHE_DIR: Final[Path] = paths.BUILD_DIR / "cache"
SWITCH: Final = "EQUITYLENS_FRAME_CACHE"
_CODE: Final[Path] = Path(__file__).resolve().parent


def key(inputs: Sequence[Path]) -> str:
    """A hash of the input files' bytes, the source of ``equitylens/data`` and the library versions."""
    digest = hashlib.sha256()
    for version in (sys.version, pd.__version__, np.__version__):
        digest.update(version.encode() + b"\0")
    for path in [*sorted(_CODE.glob("*.py")), *inputs]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def cached(
    name: str, inputs: Sequence[Path], assemble: Callable[[], pd.DataFrame], *, directory: Path = CACHE_DIR
) -> pd.DataFrame:
    """The frame ``assemble()`` gives for these ``inputs``, from ``directory`` if it holds it.

    Otherwise it is assembled and stored, replacing older entries of the same ``name``.
    A damaged entry is assembled again; a folder that cannot be written only costs the time.
    """
    if not name or not name.isidentifier():
        raise ValueError(f"cache entry name must be a plain word, got {name!r}")
    if os.environ.get(SWITCH, "").strip().lower() in ("off", "0", "no", "false"):
        return assemble()
    path = directory / f"{name}-{key(inputs)}.pkl"
    if path.is_file():
        try:
            frame = pd.read_pickle(path)
        except Exception:  # a damaged or partly written entry is assembled again
            frame = None
        if isinstance(frame, pd.DataFrame):
            return frame
    frame = assemble()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f"{path.name}.{os.getpid()}.part")
        frame.to_pickle(part)
        os.replace(part, path)  # atomic: a process reading at the same time sees the whole file or none
        for older in directory.glob(f"{name}-*.pkl"):
            if older != path:
                older.unlink(missing_ok=True)
    except OSError:
        pass
    return frame
