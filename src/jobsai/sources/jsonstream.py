"""Incremental reading of JobStream bodies and ad files, in bounded memory.

A JobStream snapshot is one JSON array on one line (~400 MB), some clients get JSON Lines
instead, and people keep files gzipped; all three are read here with ijson, one object at a
time, so memory is bounded by the largest single ad rather than by the file. The format is
detected from the content (first non-whitespace byte), never from a file name.

An array that stops before its closing ``]`` raises :class:`IncompleteSnapshotError` after
the objects that did parse were yielded: the caller must then not treat the data as a full
snapshot (e.g. it must not delete ads that were absent from it).
"""

from __future__ import annotations

import gzip
import io
import logging
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal, Protocol

import ijson

from jobsai.errors import IncompleteSnapshotError, SourceError

log = logging.getLogger(__name__)

JsonFormat = Literal["array", "jsonl", "empty"]
"""``array``: ``[ {...}, ... ]``; ``jsonl``: one object per line; ``empty``: only whitespace."""

DEFAULT_BUF_SIZE = 256 * 1024
_WHITESPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
_GZIP_MAGIC = b"\x1f\x8b"

IJSON_BACKEND: str = ijson.backend
"""The ijson backend in use (``yajl2_c`` when the C extension is installed)."""


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Reader:
    """A byte stream with push-back (for sniffing) that counts the bytes handed out."""

    def __init__(self, stream: _Readable) -> None:
        self._stream = stream
        self._pending = b""
        self.consumed = 0
        self.eof = False
        """Set once the underlying stream has reported its end."""

    def unread(self, data: bytes) -> None:
        self._pending = data + self._pending
        self.consumed -= len(data)

    def seek(self, offset: int, /) -> int:
        """Streams are read once, front to back; gzip only seeks to rewind, which we never do."""
        raise io.UnsupportedOperation("a JSON stream cannot seek")

    def read(self, size: int = -1, /) -> bytes:
        if self._pending:
            if size is None or size < 0:
                data, self._pending = self._pending + self._stream.read(), b""
                self.eof = True
            else:
                data, self._pending = self._pending[:size], self._pending[size:]
        else:
            data = self._stream.read(size)
            if not data and size != 0:
                self.eof = True
        self.consumed += len(data)
        return data


def _read_exact(reader: _Reader, size: int) -> bytes:
    """Up to ``size`` bytes, fewer only at the end of the data (streams may return short reads)."""
    data = b""
    while len(data) < size:
        chunk = reader.read(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


@dataclass(frozen=True, slots=True)
class JsonCheck:
    """What a full validation pass found: the format and the number of top-level items."""

    format: JsonFormat
    items: int


_DECODE_ERRORS = (ijson.JSONError, EOFError, gzip.BadGzipFile, zlib.error)


def _open_source(stream: _Readable, name: str) -> tuple[_Reader, JsonFormat]:
    """Unwrap gzip if the magic bytes say so, skip BOM and whitespace, detect the format."""
    try:
        return _sniff(stream, name)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise _parse_error(exc, name, "empty", 0, _Reader(stream)) from None


def _sniff(stream: _Readable, name: str) -> tuple[_Reader, JsonFormat]:
    outer = _Reader(stream)
    head = _read_exact(outer, len(_GZIP_MAGIC))
    outer.unread(head)
    reader = outer
    if head == _GZIP_MAGIC:
        reader = _Reader(gzip.GzipFile(fileobj=outer, mode="rb"))

    first = _read_exact(reader, len(_BOM))
    if first != _BOM:
        reader.unread(first)
    while True:
        chunk = reader.read(64 * 1024)
        if not chunk:
            return reader, "empty"
        stripped = chunk.lstrip(_WHITESPACE)
        if stripped:
            reader.unread(stripped)
            break
    lead = stripped[:1]
    if lead == b"[":
        return reader, "array"
    if lead == b"{":
        return reader, "jsonl"
    raise SourceError(
        f"{name} is neither a JSON array nor JSON Lines (it starts with {lead.decode('latin-1')!r})"
    )


def _parse_error(exc: Exception, name: str, fmt: JsonFormat, items: int, reader: _Reader) -> SourceError:
    """Turn an ijson/gzip failure into our error; only the first line of ijson's text is kept
    (the rest quotes the document, which may hold personal data)."""
    if isinstance(exc, EOFError):
        return IncompleteSnapshotError(
            f"{name}: the gzip data ends early after {items} items; the file is truncated"
        )
    if isinstance(exc, (gzip.BadGzipFile, zlib.error)):
        return SourceError(f"{name}: corrupt gzip data ({exc})")
    raw = exc.args[0] if exc.args else ""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    first_line = (text.strip().splitlines() or [""])[0]
    # A parse error raised only after the data ran out means the data stopped mid-value
    # (yajl reports a token cut at the end, e.g. half a UTF-8 character or "tru", as a
    # lexical error, not as "premature EOF"); errors inside the data come before the end.
    if reader.eof or "premature EOF" in first_line:
        if fmt == "array":
            return IncompleteSnapshotError(
                f"{name} ended before its closing ']' after {items} complete items "
                f"({reader.consumed} bytes): the data is truncated"
            )
        return IncompleteSnapshotError(
            f"{name}: the last JSON line is incomplete after {items} complete items "
            f"({reader.consumed} bytes): the data is truncated"
        )
    return SourceError(
        f"{name}: invalid JSON after {items} items (within the first {reader.consumed} bytes): {first_line}"
    )


def iter_json_stream(
    stream: _Readable | BinaryIO, *, name: str = "<stream>", buf_size: int = DEFAULT_BUF_SIZE
) -> Iterator[dict[str, Any]]:
    """Yield each top-level object of a binary stream holding a JSON array or JSON Lines.

    Numbers come back as ``int``/``float`` (never ``Decimal``). Non-object items are logged
    and skipped. Raises :class:`IncompleteSnapshotError` on truncated data (after yielding
    what parsed) and :class:`SourceError` on anything that is not valid JSON.
    """
    reader, fmt = _open_source(stream, name)
    if fmt == "empty":
        return
    prefix, multiple = ("item", False) if fmt == "array" else ("", True)
    items = 0
    try:
        for value in ijson.items(reader, prefix, use_float=True, multiple_values=multiple, buf_size=buf_size):
            items += 1
            if isinstance(value, dict):
                yield value
            else:
                kind = type(value).__name__
                log.warning("%s: item %d is a %s, not a JSON object; skipped", name, items, kind)
    except _DECODE_ERRORS as exc:
        raise _parse_error(exc, name, fmt, items, reader) from None


def iter_json_objects(
    source: str | os.PathLike[str] | _Readable | BinaryIO,
    *,
    name: str | None = None,
    buf_size: int = DEFAULT_BUF_SIZE,
) -> Iterator[dict[str, Any]]:
    """Yield the objects of a file (path) or binary stream: JSON array or JSON Lines, maybe gzip.

    A path is opened lazily and closed when the iterator finishes or is closed; ``OSError``
    from opening it propagates unchanged (callers word it for their context).
    """
    if isinstance(source, (str, os.PathLike)):
        label = name or os.fspath(source)
        with open(source, "rb") as fh:
            yield from iter_json_stream(fh, name=label, buf_size=buf_size)
    else:
        yield from iter_json_stream(source, name=name or "<stream>", buf_size=buf_size)


def check_json_file(
    path: str | os.PathLike[str], *, name: str | None = None, buf_size: int = DEFAULT_BUF_SIZE
) -> JsonCheck:
    """Validate a whole file in one pass without building ad objects.

    Used after a download to prove it is complete before anyone trusts it. The count is of
    top-level items that have an ``id`` (for logs, not control flow). Raises
    :class:`IncompleteSnapshotError` when truncated, :class:`SourceError` when malformed.
    """
    label = name or os.fspath(path)
    with open(path, "rb") as fh:
        reader, fmt = _open_source(fh, label)
        if fmt == "empty":
            return JsonCheck("empty", 0)
        # Only the ids are materialised; the C backend still parses (and checks) every byte.
        prefix, multiple = ("item.id", False) if fmt == "array" else ("id", True)
        count = 0
        try:
            for _ in ijson.items(reader, prefix, multiple_values=multiple, buf_size=buf_size):
                count += 1
        except _DECODE_ERRORS as exc:
            raise _parse_error(exc, label, fmt, count, reader) from None
    return JsonCheck(fmt, count)
