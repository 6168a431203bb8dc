"""Build real CV files (PDF, scanned PDF, encrypted PDF, DOCX) for tests.

Shared by the CV extraction tests and the web team's browser tests, so that uploads are
exercised with files made by real writers (fpdf2, pypdf, python-docx), not hand-made bytes.

Use from a test module (``tests/`` is on ``sys.path`` through its ``conftest.py``)::

    from support.cv_files import make_cv_pdf
    pdf_path = make_cv_pdf("Anna Svensson\\nSjuksköterska ...", tmp_path / "cv.pdf")
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import docx
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

PAGE_BREAK = "\f"
"""Put this in the text given to :func:`make_cv_pdf` to start a new page."""

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "C:/Windows/Fonts/arial.ttf",
)
# Core PDF fonts only know Latin-1; map the common typography that is outside it.
_LATIN1_FALLBACKS = str.maketrans(
    {"–": "-", "—": "-", "•": "-", "’": "'", "‘": "'", "”": '"', "“": '"', "…": "..."}
)


@lru_cache(maxsize=1)
def find_unicode_font() -> Path | None:
    """A TrueType font with å/ä/ö and typographic dashes, or None if the machine has none."""
    for candidate in _FONT_CANDIDATES:
        path = Path(candidate)
        if path.is_file():
            return path
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listing = subprocess.run(
            [fc_list, ":lang=sv:fontformat=TrueType", "file"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in sorted(listing.splitlines()):
        path = Path(line.split(":")[0].strip())
        if path.suffix.lower() == ".ttf" and path.is_file():
            return path
    return None


class _CVPDF(FPDF):
    """FPDF with an optional running header/footer and the best available font."""

    def __init__(self, header: str | None = None, footer: str | None = None) -> None:
        super().__init__(format="A4")
        self._running_header = header
        self._running_footer = footer
        font = find_unicode_font()
        self.unicode_font = font is not None
        if font is not None:
            self.add_font("CVSans", fname=str(font))
            self.family_name = "CVSans"
        else:
            self.family_name = "Helvetica"
        self.set_auto_page_break(auto=True, margin=20)

    def fit(self, text: str) -> str:
        """Text the current font can draw."""
        return _fit(text, self.unicode_font)

    def header(self) -> None:
        if self._running_header:
            self.set_font(self.family_name, size=9)
            self.cell(0, 6, self.fit(self._running_header), new_x="LMARGIN", new_y="NEXT")
            self.ln(2)

    def footer(self) -> None:
        if self._running_footer:
            self.set_y(-15)
            self.set_font(self.family_name, size=9)
            text = self._running_footer.replace("{page}", str(self.page_no()))
            self.cell(0, 6, self.fit(text), align="C")


def _fit(text: str, unicode_font: bool) -> str:
    if unicode_font:
        return text
    return text.translate(_LATIN1_FALLBACKS).encode("latin-1", "replace").decode("latin-1")


def make_cv_pdf(
    text: str,
    path: Path | str,
    *,
    header: str | None = None,
    footer: str | None = None,
    font_size: float = 10.5,
) -> Path:
    """Write ``text`` as a text-layer PDF (one line per line, ``\\f`` = new page).

    Long lines wrap at spaces like a word processor would. ``header``/``footer`` are
    repeated on every page; ``{page}`` in them becomes the page number. Uses a Unicode
    TrueType font when the machine has one (so å/ä/ö and dashes survive) and falls
    back to the built-in Helvetica with Latin-1 text otherwise.
    """
    path = Path(path)
    pdf = _CVPDF(header, footer)
    for page_text in text.split(PAGE_BREAK):
        pdf.add_page()
        pdf.set_font(pdf.family_name, size=font_size)
        for line in page_text.strip("\n").split("\n"):
            if line.strip():
                pdf.multi_cell(0, font_size * 0.5, pdf.fit(line), align="L", new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.ln(font_size * 0.5)
    pdf.output(str(path))
    return path


def png_bytes(width: int = 240, height: int = 120) -> bytes:
    """A small greyscale PNG with a striped pattern, made with zlib only."""
    rows = b"".join(
        b"\x00" + bytes(0 if (x // 6 + y // 4) % 3 == 0 else 255 for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload))
            + kind
            + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def make_scanned_pdf(path: Path | str, *, pages: int = 1, caption: str | None = None) -> Path:
    """A PDF whose pages are only images, like a scan; ``caption`` adds a tiny text layer."""
    path = Path(path)
    pdf = _CVPDF()
    image = png_bytes()
    for _ in range(pages):
        pdf.add_page()
        pdf.image(io.BytesIO(image), x=10, y=10, w=190)
        if caption:
            pdf.set_font(pdf.family_name, size=6)
            pdf.set_y(-25)
            pdf.cell(0, 4, pdf.fit(caption))
    pdf.output(str(path))
    return path


def make_encrypted_pdf(
    text: str,
    path: Path | str,
    *,
    user_password: str = "hemligt",
    owner_password: str = "ägare",
    algorithm: str = "RC4-128",
) -> Path:
    """A text PDF encrypted with pypdf. An empty ``user_password`` opens without asking.

    RC4 needs no extra package; AES algorithms need ``cryptography`` installed.
    """
    path = Path(path)
    plain = make_cv_pdf(text, path.with_suffix(".plain.pdf"))
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm=algorithm)
    with path.open("wb") as fh:
        writer.write(fh)
    plain.unlink()
    return path


def make_cv_docx(
    path: Path | str,
    paragraphs: Sequence[str],
    *,
    heading: str | None = None,
    bullets: Sequence[str] = (),
    table: Sequence[Sequence[str]] = (),
    after_table: Sequence[str] = (),
    header: str | None = None,
    footer: str | None = None,
) -> Path:
    """A Word document: heading, paragraphs, a bulleted list, a table, more paragraphs."""
    path = Path(path)
    document = docx.Document()
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    if heading:
        document.add_heading(heading, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    for item in bullets:
        document.add_paragraph(item, style="List Bullet")
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(row) for row in table))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    for paragraph in after_table:
        document.add_paragraph(paragraph)
    document.save(str(path))
    return path
