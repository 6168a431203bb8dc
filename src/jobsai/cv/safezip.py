"""Read members of an untrusted ZIP archive (a DOCX) and parse them as XML, with hard bounds.

A ZIP's directory states each member's sizes, and they may lie. Here a member is inflated in
chunks through :meth:`zipfile.ZipFile.open` with a running byte count that stops at the cap,
whatever the directory claims (the declared uncompressed size is not used as the stopping
point, so a member claiming 1 kB that inflates to 300 MB is refused after the cap, not read
to its end or trusted). XML is parsed incrementally from those bytes with entity expansion
and network access off, and with its element nesting depth bounded while it is parsed.

Every refusal is raised through the callables the caller passes, so the messages name the
upload and say what to do.
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_CHUNK = 64 * 1024
_ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError)
"""What :mod:`zipfile` and the decompressors raise on a damaged or unsupported archive."""


class TooLarge(Exception):
    """A member or the archive inflates past a cap, or XML nests deeper than allowed."""


class Damaged(Exception):
    """The archive or one of its XML members can't be read."""


@dataclass(slots=True)
class BoundedZip:
    """An opened archive plus the bytes still allowed to be inflated from it."""

    archive: zipfile.ZipFile
    budget: int
    """Bytes that may still be inflated from this archive, all members together."""
    max_member: int
    max_depth: int

    @classmethod
    def open(cls, data: bytes, *, max_unpacked: int, max_entries: int, max_member: int, max_depth: int) -> BoundedZip:
        """Open ``data``; refuse too many members or a declared total over ``max_unpacked``."""
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = archive.infolist()
        except _ZIP_ERRORS as exc:
            raise Damaged(str(exc)) from exc
        if len(infos) > max_entries or sum(i.file_size for i in infos) > max_unpacked:
            raise TooLarge("the archive declares too many or too large members")
        return cls(archive, max_unpacked, max_member, max_depth)

    def names(self) -> set[str]:
        return set(self.archive.namelist())

    def read(self, name: str) -> bytes:
        """A member's bytes, inflated in chunks and refused as soon as a cap is passed."""
        try:
            info = self.archive.getinfo(name)
        except KeyError as exc:
            raise Damaged(f"no member {name!r}") from exc
        if info.flag_bits & 0x1:
            raise Damaged("encrypted member")
        cap = min(self.max_member, self.budget)
        if info.file_size > cap:
            raise TooLarge("member declares more bytes than allowed")
        # zipfile stops inflating at the size the directory declares. Declare more than the cap
        # instead, so that a member that lies about its size is stopped by the running count below
        # at the cap (not cut at the lie and reported as a checksum error).
        probe = copy.copy(info)
        probe.file_size = cap + 2 * _CHUNK + 1  # past the cap by more than one read
        chunks: list[bytes] = []
        total = 0
        try:
            with self.archive.open(probe) as member:
                while chunk := member.read(_CHUNK):
                    total += len(chunk)
                    if total > cap:
                        raise TooLarge("member inflates past the cap")
                    chunks.append(chunk)
        except TooLarge:
            raise
        except _ZIP_ERRORS as exc:
            raise Damaged(str(exc)) from exc
        self.budget -= total
        return b"".join(chunks)

    def parse(self, name: str, on_element: Callable[[Any, int], None] | None = None, *, walked: bool = True) -> Any:
        """Parse member ``name`` as XML and return its root element.

        ``on_element(element, depth)`` is called as each element ends (the root has depth 1),
        so a caller can read a large part block by block and free what it has read. A part
        that is not ``walked`` (recursively, like a document body) is parsed in one go, bounded
        by libxml2's own nesting limit (256 levels) instead of ``max_depth``: four times faster
        for a large styles part.
        """
        data = self.read(name)
        if walked or on_element is not None:
            return parse_xml(data, max_depth=self.max_depth, on_element=on_element)
        return parse_xml_whole(data)

    def close(self) -> None:
        self.archive.close()


def _parser_options() -> dict[str, Any]:
    return {
        "resolve_entities": False,
        "load_dtd": False,
        "no_network": True,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
    }


def parse_xml_whole(data: bytes) -> Any:
    """Parse ``data`` in one go: no entities expanded, no DTD or network, libxml2's size limits."""
    from lxml import etree

    try:
        root = etree.fromstring(data, etree.XMLParser(**_parser_options()))
    except etree.XMLSyntaxError as exc:
        if "depth" in str(exc).lower():
            raise TooLarge("XML nests deeper than allowed") from exc
        raise Damaged(str(exc)) from exc
    if root.getroottree().docinfo.doctype:
        raise Damaged("XML with a document type declaration")  # Office never writes one
    return root


def parse_xml(data: bytes, *, max_depth: int, on_element: Callable[[Any, int], None] | None = None) -> Any:
    """Incrementally parse ``data``: no entities expanded, no DTD or network, depth bounded."""
    from lxml import etree

    parser = etree.XMLPullParser(events=("start", "end"), **_parser_options())
    depth = 0

    def drain() -> None:
        nonlocal depth
        for event, element in parser.read_events():
            if event == "start":
                depth += 1
                if depth > max_depth:
                    raise TooLarge("XML nests deeper than allowed")
            else:
                if on_element is not None:
                    on_element(element, depth)
                depth -= 1

    view = memoryview(data)
    try:
        for offset in range(0, len(view), _CHUNK):
            parser.feed(bytes(view[offset : offset + _CHUNK]))
            drain()
        root = parser.close()
        drain()  # events still queued by close()
    except etree.XMLSyntaxError as exc:
        if "depth" in str(exc).lower():  # libxml2's own nesting limit, met within one chunk
            raise TooLarge("XML nests deeper than allowed") from exc
        raise Damaged(str(exc)) from exc
    if root.getroottree().docinfo.doctype:
        raise Damaged("XML with a document type declaration")  # Office never writes one
    return root
