"""The text layer of an uploaded PDF, in reading order, refusing encrypted, scanned and broken files.

Two libraries, each for what it does best:

* **pypdf** (pure Python) opens the file first and checks everything that must be refused
  before any page is parsed: a user password, the page count, and the unpacked size of the
  drawing instructions of every page (forms drawn by forms counted as often as they are
  drawn). Parsing page content is where a small hostile file costs the most.
* **PDFium** (``pypdfium2``, Chrome's PDF engine) then reads the characters and their boxes.
  It puts the spaces between words back where a file has none (LaTeX, many CV builders),
  which pypdf often does not: "DevOpsEngineer". :mod:`jobsai.cv.pdf_layout` turns the
  boxes into lines in reading order, so a sidebar does not interleave with the main column.
  Icon fonts (Font Awesome and friends) and private-use glyphs are dropped; a hyphen that
  PDFium marks as a line-end hyphenation is kept as ``-`` at the line end for
  :func:`~jobsai.cv.clean.dehyphenate`.

If PDFium is missing or refuses a file or page that pypdf could open, pypdf's own text
extraction reads it, as before. PDFium is not thread-safe: one lock serialises its use.
"""

from __future__ import annotations

import ctypes
import io
import logging
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from jobsai.cv.clean import PAGE_NUMBER_LINE, PUA_BULLETS, clean_text, count_words, dehyphenate
from jobsai.cv.messages import OR_PASTE, encrypted_pdf, megabytes, pdf_subject
from jobsai.cv.pdf_layout import FragmentBuilder, page_lines
from jobsai.errors import (
    CorruptFileError,
    EncryptedPDFError,
    FileTooLargeError,
    ScannedPDFError,
    UnpackTooLargeError,
)

_EDGE_LINES = 3
"""How many lines at the top and bottom of a page can be a running header or footer."""
_MAX_FORM_DEPTH = 12
"""Forms drawn by forms drawn by forms …: deeper than this no CV goes, and the file is refused."""
_DO_OPERATOR = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do\b")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_HYPHENS = frozenset({0x02, 0xFFFE, 0x2010, 0x2011})
"""PDFium's marks for a line-end hyphen (U+0002 per character, U+FFFE in its page text), and the
hyphen characters XeTeX and LuaTeX write."""
_TYPESETTERS = re.compile(r"(?i)tex\b|tex-|dvipdf|typst")
"""Producers that hyphenate words by themselves (pdfTeX, XeTeX, LuaTeX, xdvipdfmx, Typst)."""
_ICON_FONT = re.compile(
    r"(?i)awesome|academicons|material ?(?:icons|symbols)|materialdesign|ionicons|glyphicons|icomoon|"
    r"fontello|bootstrap-?icons|lineicons|remixicon|simple-?icons|entypo|typicons|octicons|boxicons|"
    r"tabler-?icons|phosphor|feather|marvosym|^(?:[A-Z]{6}\+)?fa[0-9]?-?(?:solid|regular|brands|light)"
)
"""Fonts whose glyphs are pictures (a phone, an envelope, the GitHub cat), not letters."""


class _SilencedLogger:
    """Mutes a library logger while any thread is inside :meth:`silenced`.

    pypdf's warnings about malformed files quote the bytes around the problem, which
    can be the CV's own text, so they must not reach the application's logs.
    """

    def __init__(self, name: str) -> None:
        self._logger = logging.getLogger(name)
        self._lock = threading.Lock()
        self._users = 0
        self._saved_level = logging.NOTSET

    @contextmanager
    def silenced(self) -> Iterator[None]:
        with self._lock:
            if self._users == 0:
                self._saved_level = self._logger.level
                self._logger.setLevel(logging.CRITICAL + 1)
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    self._logger.setLevel(self._saved_level)


PYPDF_LOGS = _SilencedLogger("pypdf")


@dataclass(frozen=True, slots=True)
class PageText:
    """A page's lines in reading order, and which of them sit at the page's top or bottom edge."""

    lines: list[str]
    edges: frozenset[int]

    @classmethod
    def from_text(cls, text: str) -> PageText:
        """Lines of a text in reading order from top to bottom: the first and last lines are the edges."""
        lines = [line for line in text.splitlines() if line.strip()]
        n = len(lines)
        return cls(lines, frozenset(range(min(_EDGE_LINES, n))) | frozenset(range(max(0, n - _EDGE_LINES), n)))

    @property
    def chars(self) -> int:
        return sum(len(line) + 1 for line in self.lines)
_PDFIUM_LOCK = threading.Lock()


def extract_pdf(
    data: bytes,
    subject: str,
    *,
    min_words: int,
    max_pages: int,
    content_budget: int,
    max_chars: int,
) -> tuple[str, int]:
    """Text and page count of a PDF; refuses encrypted, scanned, oversized and broken files."""
    with PYPDF_LOGS.silenced():
        return _extract_pdf(
            data, subject, min_words=min_words, max_pages=max_pages, content_budget=content_budget, max_chars=max_chars
        )


def _extract_pdf(
    data: bytes, subject: str, *, min_words: int, max_pages: int, content_budget: int, max_chars: int
) -> tuple[str, int]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    truncated = b"%%EOF" not in data[-16384:]
    damaged = (
        f"{subject} looks like a PDF, but it seems incomplete (the end of the file is missing — "
        "maybe an upload or download was cut off)"
        if truncated
        else f"{subject} looks like a PDF, but it is damaged and can't be opened"
    ) + f". Export or download it again and upload the new file, {OR_PASTE}."
    too_many_pages = (
        f"{subject} has {{pages}} pages; we read CVs of up to {max_pages} pages. Upload just your CV, {OR_PASTE}."
    )

    declared = _pdfium_page_count(data)  # PDFium reads the page tree's /Count in milliseconds
    if declared is not None and declared > max_pages:
        raise FileTooLargeError(too_many_pages.format(pages=declared))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            _unlock_pdf(reader, subject)
        declared = _declared_page_count(reader)
        if declared is not None and declared > max_pages:  # before pypdf walks a huge page tree
            raise FileTooLargeError(too_many_pages.format(pages=declared))
        n_pages = len(reader.pages)
    except (EncryptedPDFError, FileTooLargeError, MemoryError):
        raise
    except DependencyError as exc:
        raise encrypted_pdf(subject) from exc
    except Exception as exc:  # pypdf raises many types on malformed input
        raise CorruptFileError(damaged) from exc
    if n_pages == 0:
        raise CorruptFileError(damaged)
    if n_pages > max_pages:
        raise FileTooLargeError(too_many_pages.format(pages=n_pages))

    # Every page's drawing instructions are measured before any page is parsed for text.
    # pypdf parses text operators at roughly 3 s per MB, PDFium builds an object per text
    # run, and a 50 kB file can inflate to hundreds of MB. Real CV pages hold 5-50 kB each.
    budget = content_budget
    usable: list[bool] = []
    for page in reader.pages:
        try:
            budget -= content_bytes(page, budget)
            usable.append(True)
        except DependencyError as exc:
            raise encrypted_pdf(subject) from exc
        except MemoryError:
            raise
        except Exception:
            usable.append(False)
        if budget < 0:
            raise UnpackTooLargeError(
                f"{pdf_subject(subject)} holds more drawing instructions than we can read "
                f"(over {megabytes(content_budget)} unpacked). Export a plainer PDF from "
                f"Word or Google Docs, {OR_PASTE}."
            )

    page_texts = _pdfium_page_texts(data, usable, max_chars)
    failed = 0
    chars = 0
    texts: list[PageText] = []
    for index, page in enumerate(reader.pages):
        page_text = page_texts[index] if page_texts is not None and index < len(page_texts) else None
        if page_text is None and usable[index]:
            plain = _pypdf_page_text(page, subject)
            page_text = PageText.from_text(plain) if plain is not None else None
        if page_text is None:
            failed += 1
            page_text = PageText([], frozenset())
        texts.append(page_text)
        chars += page_text.chars
        if chars > max_chars:
            break
    if failed == n_pages:
        raise CorruptFileError(damaged)

    text = dehyphenate(join_pdf_pages(texts), typeset=_typeset(reader))
    words = count_words(clean_text(text))
    if words < min_words:
        if truncated:
            raise CorruptFileError(damaged)
        if words == 0 or (words < 5 * n_pages and _has_images(reader)):
            raise ScannedPDFError(
                f"{pdf_subject(subject)} has no text layer — it looks scanned (or saved as a picture), "
                "so there is no text for us to read. Upload the original document, or a PDF exported "
                f"from Word or Google Docs, {OR_PASTE}."
            )
    return text, n_pages


def _declared_page_count(reader: Any) -> int | None:
    """The page tree's own /Count: read without walking the tree (it may lie, so it only refuses)."""
    try:
        count = reader.trailer["/Root"].get_object()["/Pages"].get_object()["/Count"]
        return int(count)
    except Exception:
        return None


def _pypdf_page_text(page: Any, subject: str) -> str | None:
    from pypdf.errors import DependencyError

    try:
        return page.extract_text() or ""
    except DependencyError as exc:
        raise encrypted_pdf(subject) from exc
    except MemoryError:
        raise
    except Exception:
        return None


# ------------------------------------------------------------------------- size checks


def content_bytes(page: Any, budget: int) -> int:
    """Unpacked size of a page's drawing instructions, a form counted each time it is drawn.

    Stops counting once past ``budget``. A form that draws itself, or forms nested deeper than
    any CV needs, count as over budget.
    """
    contents = page.get_contents()
    data = contents.get_data() if contents is not None else b""
    return _drawn_bytes(data, page.get("/Resources"), budget, 0, {}, set())


def _drawn_bytes(
    data: bytes, resources: Any, budget: int, depth: int, sizes: dict[int, int], drawing: set[int]
) -> int:
    used = len(data)
    if used > budget or resources is None:
        return used
    xobjects = resources.get_object().get("/XObject")
    if xobjects is None:
        return used
    xobjects = xobjects.get_object()
    names = Counter(_name(match.group(1)) for match in _DO_OPERATOR.finditer(data))
    for name, times in names.items():
        ref = xobjects.get("/" + name)
        if ref is None:
            continue
        xobject = ref.get_object()
        if xobject.get("/Subtype") != "/Form":
            continue
        key = id(xobject) if getattr(ref, "idnum", None) is None else ref.idnum
        if key not in sizes:
            if key in drawing or depth >= _MAX_FORM_DEPTH:
                return budget + 1
            drawing.add(key)
            sizes[key] = _drawn_bytes(
                xobject.get_data(), xobject.get("/Resources") or resources, budget, depth + 1, sizes, drawing
            )
            drawing.discard(key)
        used += times * sizes[key]
        if used > budget:
            return used
    return used


def _name(raw: bytes) -> str:
    """A PDF name as pypdf keys it: ``#xx`` escapes decoded (else ``/F#6fo Do`` would escape the count)."""
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("utf-8", "replace")


def _unlock_pdf(reader: Any, subject: str) -> None:
    """Open a PDF protected only by an owner password; a user password means we can't."""
    from pypdf import PasswordType

    if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise encrypted_pdf(subject)


def _has_images(reader: Any) -> bool:
    """True when some page draws an image: a scan, or a text layer too thin to use."""
    for page in reader.pages:
        try:
            if len(page.images) > 0:
                return True
        except Exception:  # a broken image dictionary still says "there is an image"
            return True
    return False


def _typeset(reader: Any) -> bool:
    """Made by a program that hyphenates words at line ends by itself (TeX, Typst)."""
    try:
        info = reader.metadata or {}
        return bool(_TYPESETTERS.search(f"{info.get('/Producer', '')} {info.get('/Creator', '')}"))
    except Exception:
        return False


# ---------------------------------------------------------------------------- PDFium


@contextmanager
def _pdfium_document(data: bytes) -> Iterator[tuple[Any, Any] | None]:
    """(the pypdfium2 module, the open document) under the PDFium lock, or None when PDFium can't
    open the file; PDFium is not thread-safe, so every use of it happens inside this."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - a declared dependency; pypdf still reads the file
        yield None
        return
    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            yield None
            return
        try:
            yield pdfium, document
        finally:
            document.close()


def _pdfium_page_count(data: bytes) -> int | None:
    """The page count PDFium sees (from the page tree's /Count), or None if it can't open the file."""
    with _pdfium_document(data) as opened:
        return None if opened is None else len(opened[1])


def _pdfium_page_texts(data: bytes, usable: list[bool], max_chars: int) -> list[PageText | None] | None:
    """Each page's text through PDFium (None for a page it can't read, or that was not measured);
    None if it can't open the file."""
    with _pdfium_document(data) as opened:
        if opened is None:
            return None
        pdfium, document = opened
        if len(document) != len(usable):  # the two readers disagree about a broken file: use pypdf
            return None
        texts: list[PageText | None] = []
        chars = 0
        for index, measured in enumerate(usable):
            if not measured:
                texts.append(None)
                continue
            try:
                page = document[index]
            except pdfium.PdfiumError:
                texts.append(None)
                continue
            try:
                text = _pdfium_page_text(page)
            finally:
                page.close()
            texts.append(text)
            chars += text.chars
            if chars > max_chars:
                break
        return texts


def _pdfium_page_text(page: Any) -> PageText:
    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    try:
        handle = textpage.raw
        builder = FragmentBuilder()
        box = pdfium_c.FS_RECTF()
        icon_fonts: dict[int | None, bool] = {}
        last_object: int | None = -1
        in_icon = False
        for index in range(pdfium_c.FPDFText_CountChars(handle)):
            code = pdfium_c.FPDFText_GetUnicode(handle, index)
            if code in (0x0D, 0x0A):
                builder.line_break()
                continue
            if pdfium_c.FPDFText_IsGenerated(handle, index) or code in (0x20, 0x09, 0xA0):
                builder.space()  # a space in the file, or one PDFium inferred from a gap
                continue
            text_object = pdfium_c.FPDFText_GetTextObject(handle, index)
            address = ctypes.cast(text_object, ctypes.c_void_p).value
            if address != last_object:
                last_object = address
                in_icon = address is not None and _is_icon_font(pdfium_c, text_object, icon_fonts)
            if in_icon:
                char = " "  # an icon: no text, but it takes up room on its line
            elif code in _HYPHENS or pdfium_c.FPDFText_IsHyphen(handle, index):
                char = "-"  # at a line end, clean.dehyphenate decides whether to join the word
            else:
                char = chr(code)
                if code < 0x20 or (0xE000 <= code <= 0xF8FF and char not in PUA_BULLETS):
                    char = " "  # control codes, and icons of fonts we don't know by name
            angle = pdfium_c.FPDFText_GetCharAngle(handle, index)
            if 0.05 < angle < 6.23:  # radians; text drawn at an angle is read on its own
                builder.add_rotated(char)
                continue
            if not pdfium_c.FPDFText_GetLooseCharBox(handle, index, box):
                continue
            size = pdfium_c.FPDFText_GetFontSize(handle, index)
            height = box.top - box.bottom
            if not 0.5 * height <= size <= 2 * height:  # a size scaled by the text matrix, not by Tf
                size = height
            builder.add(char, box.left, box.right, box.bottom, box.top, size)
        lines = page_lines(builder.finish())
        by_height = sorted(range(len(lines)), key=lambda i: -lines[i].top)
        edges = frozenset(by_height[:_EDGE_LINES] + by_height[-_EDGE_LINES:])
        rotated = " ".join("".join(builder.rotated).split())
        return PageText([line.text for line in lines] + ([rotated] if rotated else []), edges)
    finally:
        textpage.close()


def _is_icon_font(pdfium_c: Any, text_object: Any, cache: dict[int | None, bool]) -> bool:
    font = pdfium_c.FPDFTextObj_GetFont(text_object)
    key = ctypes.cast(font, ctypes.c_void_p).value
    if key not in cache:
        name = ""
        if key is not None:
            buffer = ctypes.create_string_buffer(256)
            length = pdfium_c.FPDFFont_GetBaseFontName(font, buffer, len(buffer))
            if 0 < length <= len(buffer):
                name = buffer.value.decode("utf-8", "replace")
        cache[key] = bool(_ICON_FONT.search(name))
    return cache[key]


# --------------------------------------------------------------------- joining pages


def _edge_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def join_pdf_pages(pages: list[PageText]) -> str:
    """Join pages, dropping page numbers and headers/footers repeated on later pages.

    A running line is one found at the top or bottom edge of at least half the pages (and
    of two or more). Its first occurrence is kept: a name or contact line in a header is
    still useful once.
    """
    edges = [{_edge_key(page.lines[i]) for i in page.edges} for page in pages]
    counts = Counter(key for keys in edges for key in keys)
    needed = max(2, (len(pages) + 1) // 2)
    running = {key for key, n in counts.items() if n >= needed}

    seen: set[str] = set()
    out: list[str] = []
    for page in pages:
        for i, line in enumerate(page.lines):
            at_edge = i in page.edges
            if at_edge and PAGE_NUMBER_LINE.match(line.strip()):
                continue
            key = _edge_key(line)
            if at_edge and key in running:
                if key in seen:
                    continue
                seen.add(key)
            out.append(line)
    return "\n".join(out)
