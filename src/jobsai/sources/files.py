"""Ads from a local file (``jobsai load FILE``): a saved snapshot, a stream dump or JSON Lines.

The file may be a JSON array or JSON Lines, optionally gzipped (detected from the bytes).
Every failure becomes a :class:`SourceError` that names the file and says what is wrong.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jobsai.errors import SourceError
from jobsai.sources.jsonstream import iter_json_objects


def iter_file_items(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Yield every JSON object in an ad file, in bounded memory.

    Raises :class:`SourceError` up front for a missing, non-regular or unreadable file, and
    while iterating for content that is not JSON; a JSON array cut short raises
    :class:`~jobsai.errors.IncompleteSnapshotError` (a ``SourceError``) after the objects that
    parsed, so a loader must not treat the file as a complete snapshot.
    """
    p = Path(path)
    _check_readable(p)
    return _iter(p)


def _check_readable(p: Path) -> None:
    """Fail before any work starts, so ``load`` reports a bad path at once."""
    try:
        st = p.stat()
    except FileNotFoundError:
        raise SourceError(f"{p}: no such file") from None
    except OSError as exc:
        raise SourceError(f"{p}: cannot access the file ({exc.strerror or exc})") from None
    if p.is_dir():
        raise SourceError(f"{p} is a directory, not an ad file")
    if not p.is_file():
        raise SourceError(f"{p} is not a regular file")
    if st.st_size == 0:
        return
    try:
        with p.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise SourceError(f"{p}: cannot read the file ({exc.strerror or exc})") from None


def _iter(p: Path) -> Iterator[dict[str, Any]]:
    try:
        yield from iter_json_objects(p, name=str(p))
    except OSError as exc:
        raise SourceError(f"{p}: reading failed ({exc.strerror or exc})") from None
