"""Decide what an upload is from its bytes, never its name; refuse unknown formats by name."""

from __future__ import annotations

import io
import zipfile
from typing import Literal

from jobsai.cv.messages import damaged_docx, unsupported

FileKind = Literal["pdf", "docx", "txt"]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (_OLE, "an old Word (.doc) or other Office 97-2003 file"),
    (b"{\\rtf", "a Rich Text (.rtf) document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a compressed (gzip) archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program file"),
    (b"\x00\x00\x01\x00", "an icon image"),
)
_FTYP_BRANDS = {
    b"heic": "a HEIC photo",
    b"heix": "a HEIC photo",
    b"mif1": "a HEIC photo",
    b"avif": "an AVIF image",
}
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_ZIP_KINDS: tuple[tuple[str, str], ...] = (
    ("xl/workbook.xml", "an Excel spreadsheet"),
    ("ppt/presentation.xml", "a PowerPoint presentation"),
    ("Index/Document.iwa", "an Apple Pages document"),
)
_ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "an OpenDocument text file (.odt)",
    "application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet (.ods)",
    "application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation (.odp)",
    "application/epub+zip": "an e-book (EPUB)",
}
DOCX_MAIN = "word/document.xml"


def sniff(data: bytes, subject: str) -> FileKind:
    """Decide the kind from magic bytes; unknown binary formats are refused by name."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        return _sniff_zip(data, subject)
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            raise unsupported(subject, what)
    if data[4:8] == b"ftyp" and data[8:12] in _FTYP_BRANDS:
        raise unsupported(subject, _FTYP_BRANDS[data[8:12]])
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        raise unsupported(subject, "a WebP image")
    if data.startswith(b"BM") and b"\x00" in data[:64]:
        raise unsupported(subject, "a bitmap (BMP) image")
    return "txt"


def _sniff_zip(data: bytes, subject: str) -> FileKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if DOCX_MAIN in names:
                return "docx"
            mimetype = ""
            if "mimetype" in names and zf.getinfo("mimetype").file_size < 200:
                with zf.open("mimetype") as member:  # read at most 200 bytes whatever it claims
                    mimetype = member.read(200).decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        # RuntimeError: encrypted member; NotImplementedError: unknown compression.
        if DOCX_MAIN.encode() in data:
            raise damaged_docx(subject) from exc
        raise unsupported(subject, "a damaged ZIP archive") from exc
    if mimetype in _ODF_MIMETYPES:
        raise unsupported(subject, _ODF_MIMETYPES[mimetype])
    for marker, what in _ZIP_KINDS:
        if marker in names:
            raise unsupported(subject, what)
    raise unsupported(subject, "a ZIP archive")
