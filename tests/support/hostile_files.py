"""Hostile CV uploads, generated cheaply: the files of issue 14 ("denial of service through one upload").

Each one is small on the wire and expensive to parse: a PDF whose forms draw each other hundreds
of times, PDFs with a huge page tree (plain and in compressed object streams), a DOCX holding ~95 MB
of honest XML, a DOCX zip bomb, a DOCX of tables nested hundreds deep, a PDF that is only a JPEG.
Shared by ``tests/test_abuse.py`` and ``bench/abuse.py``. Everything is streamed or built from
repeated strings, so making a file costs far less memory than the file unpacks to.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
_DOC_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W_NS}"><w:body>'
_DOC_TAIL = "</w:body></w:document>"
_PARAGRAPH = (
    "<w:p><w:r><w:t>Undersköterska med erfarenhet av hemtjänst, demensvård och dokumentation i Treserva."
    "</w:t></w:r></w:p>"
)


# -------------------------------------------------------------------------------------- PDF


class _PdfWriter:
    """The few PDF objects these files need, with a correct cross-reference table or stream."""

    def __init__(self) -> None:
        self.objects: dict[int, bytes] = {}

    def add(self, num: int, body: bytes) -> None:
        self.objects[num] = body

    @staticmethod
    def stream(dictionary: bytes, data: bytes, *, deflate: bool = False) -> bytes:
        if deflate:
            data = zlib.compress(data, 9)
            dictionary += b" /Filter /FlateDecode"
        return b"<< " + dictionary + b" /Length " + str(len(data)).encode() + b" >>\nstream\n" + data + b"\nendstream"

    def build(self, root: int, *, compressed: dict[int, tuple[int, int]] | None = None) -> bytes:
        """The file; ``compressed`` maps object numbers kept in object streams to (stream, index)."""
        out = io.BytesIO()
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets: dict[int, int] = {}
        for num in sorted(self.objects):
            offsets[num] = out.tell()
            out.write(f"{num} 0 obj\n".encode() + self.objects[num] + b"\nendobj\n")
        size = max([*self.objects, *(compressed or {})]) + 1
        if compressed is None:
            xref = out.tell()
            out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
            for num in range(1, size):
                out.write(f"{offsets[num]:010d} 00000 n \n".encode() if num in offsets else b"0000000000 65535 f \n")
            out.write(f"trailer\n<< /Size {size} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
            return out.getvalue()
        xref_num = size
        size += 1
        xref = out.tell()
        offsets[xref_num] = xref
        rows = bytearray(struct.pack(">BIH", 0, 0, 65535))
        for num in range(1, size):
            if num in offsets:
                rows += struct.pack(">BIH", 1, offsets[num], 0)
            elif num in compressed:
                rows += struct.pack(">BIH", 2, *compressed[num])
            else:
                rows += struct.pack(">BIH", 0, 0, 0)
        body = self.stream(f"/Type /XRef /Size {size} /W [1 4 2] /Root {root} 0 R".encode(), bytes(rows), deflate=True)
        out.write(f"{xref_num} 0 obj\n".encode() + body + f"\nendobj\nstartxref\n{xref}\n%%EOF\n".encode())
        return out.getvalue()


def _text_content(words: str) -> bytes:
    return f"BT /F1 11 Tf 40 800 Td ({words}) Tj ET".encode("latin-1")


def form_xobject_pdf(depth: int = 2, fanout: int = 100, form_kb: int = 256) -> bytes:
    """A page that draws a form ``fanout`` times, which draws the next form ``fanout`` times, ``depth`` deep.

    The innermost form holds ``form_kb`` kB of text operators (deflated to a few kB). A content
    budget that counts each form once sees ~260 kB, but text extraction parses a form's content at
    every ``Do``: up to pypdf's 5,000 invocations per page, i.e. gigabytes of operators from 2 kB.
    """
    w = _PdfWriter()
    font = 3
    w.add(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    w.add(2, b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>")
    w.add(font, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    first_form = 10
    draws = b"q /X Do Q\n" * fanout
    line = b"BT /F1 11 Tf 40 800 Td (Underskoterska hemtjanst demensvard) Tj ET\n"
    text = line * max(1, form_kb * 1024 // len(line))
    w.add(5, w.stream(b"", draws, deflate=True))
    w.add(4, f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R "
             f"/Resources << /XObject << /X {first_form} 0 R >> /Font << /F1 {font} 0 R >> >> >>".encode())
    for level in range(depth):
        num = first_form + level
        last = level == depth - 1
        resources = f"/Font << /F1 {font} 0 R >>" + ("" if last else f" /XObject << /X {num + 1} 0 R >>")
        w.add(num, w.stream(f"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << {resources} >>".encode(),
                            text if last else draws, deflate=True))
    return w.build(1)


def many_pages_pdf(pages: int, *, object_streams: bool = False, count: int | None = None) -> bytes:
    """A page tree of ``pages`` pages that share one tiny content stream (resources are inherited).

    Plain, 99,000 pages make a 9 MB file, like the one in the issue; with ``object_streams`` the
    page dictionaries sit in deflated object streams (PDF 1.5) and the same tree is under 1 MB.
    ``count`` is the page total the tree claims (default: the truth); a lie defeats a cheap check
    of ``/Count``, so only walking the tree finds the pages.
    """
    w = _PdfWriter()
    font, content = 3, 4
    first_page = 10
    w.add(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = b" ".join(f"{first_page + i} 0 R".encode() for i in range(pages))
    w.add(font, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    w.add(content, w.stream(b"", _text_content("Sida"), deflate=True))
    tree = (b"<</Type/Pages/Kids[" + kids + b"]/Count " + str(pages if count is None else count).encode()
            + f"/MediaBox[0 0 595 842]/Resources<</Font<</F1 {font} 0 R>>>>>>".encode())
    page = f"<</Type/Page/Parent 2 0 R/Contents {content} 0 R>>".encode()
    if not object_streams:
        w.add(2, tree)
        for i in range(pages):
            w.add(first_page + i, page)
        return w.build(1)
    compressed: dict[int, tuple[int, int]] = {}
    per_stream = 5000
    stream_num = first_page + pages
    members = [(2, tree)] + [(first_page + i, page) for i in range(pages)]
    for start in range(0, len(members), per_stream):
        chunk = members[start:start + per_stream]
        header = io.BytesIO()
        body = io.BytesIO()
        for index, (num, obj) in enumerate(chunk):
            header.write(f"{num} {body.tell()} ".encode())
            body.write(obj + b"\n")
            compressed[num] = (stream_num, index)
        head = header.getvalue()
        w.add(stream_num, w.stream(f"/Type /ObjStm /N {len(chunk)} /First {len(head)}".encode(),
                                   head + body.getvalue(), deflate=True))
        stream_num += 1
    return w.build(1, compressed=compressed)


def jpeg_only_pdf(pages: int = 1) -> bytes:
    """A 'scanned' CV: each page draws one JPEG (a DCTDecode image) and has no text layer."""
    from PIL import Image, ImageDraw

    picture = Image.new("L", (620, 877), 255)
    draw = ImageDraw.Draw(picture)
    for y in range(60, 820, 18):  # lines of "text" as a scanner sees them: pixels, not characters
        draw.rectangle((50, y, 50 + (y * 37) % 480 + 60, y + 8), fill=30)
    jpeg = io.BytesIO()
    picture.save(jpeg, "JPEG", quality=70)
    w = _PdfWriter()
    w.add(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    w.add(3, w.stream(b"/Type /XObject /Subtype /Image /Width 620 /Height 877 /ColorSpace /DeviceGray "
                      b"/BitsPerComponent 8 /Filter /DCTDecode", jpeg.getvalue()))
    kids = []
    for i in range(pages):
        num = 10 + 2 * i
        kids.append(f"{num} 0 R".encode())
        w.add(num + 1, w.stream(b"", b"q 595 0 0 842 0 0 cm /Im Do Q", deflate=True))
        w.add(num, f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {num + 1} 0 R "
                   "/Resources << /XObject << /Im 3 0 R >> >> >>".encode())
    w.add(2, b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count " + str(pages).encode() + b" >>")
    return w.build(1)


# ------------------------------------------------------------------------------------- DOCX


def _docx(parts: Callable[[zipfile.ZipFile], None]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        parts(zf)
    return buf.getvalue()


def _stream_document(zf: zipfile.ZipFile, chunks: Iterator[str]) -> None:
    with zf.open("word/document.xml", "w", force_zip64=True) as fh:
        for chunk in chunks:
            fh.write(chunk.encode("utf-8"))


def honest_xml_docx(megabytes: float = 95.0) -> bytes:
    """A DOCX whose document.xml is ``megabytes`` of ordinary paragraphs (under the 100 MB unpack cap)."""
    block = _PARAGRAPH * 1000
    n = max(1, int(megabytes * 1024 * 1024 / len(block.encode("utf-8"))))

    def chunks() -> Iterator[str]:
        yield _DOC_HEAD
        for _ in range(n):
            yield block
        yield _DOC_TAIL

    return _docx(lambda zf: _stream_document(zf, chunks()))


def zip_bomb_docx(megabytes: int = 128) -> bytes:
    """A DOCX whose document.xml inflates ~1000-fold, to ``megabytes`` MB of spaces (over the 100 MB unpack cap)."""
    spaces = " " * (1024 * 1024)

    def chunks() -> Iterator[str]:
        yield _DOC_HEAD + _PARAGRAPH
        for _ in range(megabytes):
            yield spaces
        yield _DOC_TAIL

    return _docx(lambda zf: _stream_document(zf, chunks()))


def nested_tables_docx(depth: int = 2000) -> bytes:
    """A table in a cell of a table in a cell … ``depth`` deep, a paragraph of text at the bottom."""
    opening = "<w:tbl><w:tr><w:tc>"
    closing = "<w:p/></w:tc></w:tr></w:tbl>"
    xml = _DOC_HEAD + opening * depth + _PARAGRAPH * 3 + closing * depth + _DOC_TAIL
    return _docx(lambda zf: zf.writestr("word/document.xml", xml))


# ------------------------------------------------------------------------------- the set


@dataclass(frozen=True, slots=True)
class HostileFile:
    name: str
    """File name as a browser would send it."""
    make: Callable[[], bytes]
    what: str


def hostile_files(*, pages: int = 99_000) -> tuple[HostileFile, ...]:
    """Every hostile file of the issue; fewer ``pages`` make the page-tree PDFs quicker to refuse in tests."""
    return (
        HostileFile("forms.pdf", form_xobject_pdf, "a form drawn 100x by a form drawn 100x (256 kB of text each)"),
        HostileFile("pages.pdf", lambda: many_pages_pdf(pages), f"{pages:,} pages, plain page tree"),
        HostileFile("objstm.pdf", lambda: many_pages_pdf(pages, object_streams=True, count=1),
                    f"{pages:,} pages in object streams, /Count says 1"),
        HostileFile("scan.pdf", jpeg_only_pdf, "one JPEG, no text layer"),
        HostileFile("honest.docx", honest_xml_docx, "95 MB of honest XML"),
        HostileFile("bomb.docx", zip_bomb_docx, "zip bomb: 128 MB of spaces"),
        HostileFile("nested.docx", nested_tables_docx, "tables nested 2000 deep"),
    )
