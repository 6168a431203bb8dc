"""Turn an uploaded CV file (PDF, DOCX, plain text) or pasted text into clean text.

The upload is untrusted: its type is decided from its content (never its name), its
size is checked before any parsing, page and unpacked sizes are capped, and every
failure becomes a :class:`~jobsai.errors.CVError` subclass whose message tells a job
seeker what to do. The CV text itself is never logged.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import threading
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from jobsai.cv.language import Language, detect_language
from jobsai.errors import (
    CorruptFileError,
    EncryptedPDFError,
    FileTooLargeError,
    ScannedPDFError,
    TextTooShortError,
    UnsupportedFileTypeError,
)

logger = logging.getLogger(__name__)

Kind = Literal["pdf", "docx", "txt", "paste"]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MIN_WORDS = 20
MAX_PDF_PAGES = 50
"""A CV longer than this is not a CV; also bounds the work a hostile PDF can cause."""
MAX_PDF_CONTENT_BYTES = 4 * 1024 * 1024
"""Unpacked page content (drawing instructions) read from one PDF, all pages together."""
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
"""Total declared size of a DOCX's parts; guards against ZIP decompression bombs."""
MAX_ZIP_ENTRIES = 2000
MAX_TEXT_CHARS = 2_000_000
"""Extracted text beyond this is dropped (about 300 000 words, far more than any CV)."""

_ACCEPTED = "We can read PDF, Word (.docx) and plain-text files"
_OR_PASTE = "or paste the text of your CV instead"


@dataclass(frozen=True, slots=True)
class CVText:
    """Clean CV text plus what the upload was, for matching and for the user's feedback."""

    text: str = field(repr=False)  # kept out of repr so it cannot leak into logs
    kind: Kind
    language: Language
    words: int
    pages: int | None = None


# --------------------------------------------------------------------------- public API


def extract_cv_text(
    data: bytes,
    *,
    filename: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    min_words: int = DEFAULT_MIN_WORDS,
    max_pages: int = MAX_PDF_PAGES,
) -> CVText:
    """Read an uploaded CV, detecting PDF, DOCX or text from its bytes.

    ``filename`` is used only to name the file in error messages: people rename files,
    and a ``.pdf`` that is really text should still work.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("extract_cv_text expects the file's bytes")
    subject = _subject(filename)
    if len(data) > max_bytes:  # before anything looks inside the file
        raise FileTooLargeError(
            f"{subject} is {_megabytes(len(data))}, and the limit is {_megabytes(max_bytes)}. "
            f"Upload a smaller file (a CV without large photos is usually well under 1 MB), {_OR_PASTE}."
        )
    data = bytes(data)
    if not data.strip():
        raise TextTooShortError(f"{subject} is empty. Upload your CV again, {_OR_PASTE}.")

    kind = _sniff(data, subject)
    pages: int | None = None
    if kind == "pdf":
        with _PYPDF_LOGS.silenced():
            raw, pages = _extract_pdf(data, subject, min_words=min_words, max_pages=max_pages)
    elif kind == "docx":
        raw = _extract_docx(data, subject)
    else:
        raw = _decode_text(data, subject)

    text = clean_text(raw[:MAX_TEXT_CHARS])
    words = count_words(text)
    _require_words(words, min_words, subject)
    result = CVText(text=text, kind=kind, language=detect_language(text), words=words, pages=pages)
    logger.debug(
        "read CV upload: kind=%s pages=%s words=%d language=%s",
        result.kind,
        result.pages,
        result.words,
        result.language,
    )
    return result


def cv_text_from_paste(text: str, min_words: int = DEFAULT_MIN_WORDS) -> CVText:
    """Clean text pasted into the web form or given on the command line."""
    if not isinstance(text, str):
        raise TypeError("cv_text_from_paste expects a string")
    cleaned = clean_text(text[:MAX_TEXT_CHARS])
    words = count_words(cleaned)
    _require_words(words, min_words, "The pasted text")
    return CVText(text=cleaned, kind="paste", language=detect_language(cleaned), words=words)


# ------------------------------------------------------------------------- text cleaning

_CHAR_MAP = {
    # Typographic ligatures that PDF text layers often keep.
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
    # Unusual spaces and breaks.
    "\t": " ",
    "\u00a0": " ",
    "\u1680": " ",
    **{chr(c): " " for c in range(0x2000, 0x200B)},
    "\u202f": " ",
    "\u205f": " ",
    "\u3000": " ",
    "\u2028": "\n",
    "\u2029": "\n\n",
    "\x0b": "\n",
    "\x0c": "\n",
    "\x85": "\n",
    # Bullet glyphs from Symbol/Wingdings fonts land in the private use area.
    "\uf0b7": "•",
    "\uf0a7": "•",
    "\uf0d8": "•",
    "\uf076": "•",
    "\uf0fc": "•",
    "\uf0e8": "•",
    "\uf02d": "•",
    "\u2212": "-",  # minus sign
}
_CHAR_TABLE = str.maketrans(_CHAR_MAP)
# Control and format characters, private use, surrogates, soft hyphen, BOM/zero-width.
_JUNK = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffc\ue000-\uf8ff\ud800-\udfff\U000f0000-\U0010ffff]"
)
_BULLET_LINE = re.compile(r"(?m)^[ ]*(?:[•◦▪▫●○■□►▶▸▹➢➣➤➔→✓✔✗❖◆◇⦿⁃‣∙]+[ ]*|(?:[-*·–—]|o)[ ]+)(?=\S)")
_SPACES = re.compile(r"[ ]{2,}")
_LINE_EDGE_SPACES = re.compile(r"(?m)^[ ]+|[ ]+$")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_WORD = re.compile(r"\S*[^\W\d_]\S*")


def clean_text(text: str) -> str:
    """Normalise text so the same CV gives the same text from any file type.

    NFC, ligatures and odd spaces mapped, control/format characters dropped, bullet
    glyphs turned into ``"- "``, runs of spaces collapsed and at most one blank line
    kept between paragraphs (paragraph breaks carry structure for the matcher).
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_CHAR_TABLE)
    text = _JUNK.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _LINE_EDGE_SPACES.sub("", text)
    text = _BULLET_LINE.sub("- ", text)
    text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip()


def count_words(text: str) -> int:
    """Whitespace-separated tokens that contain a letter: what a person calls words."""
    return len(_WORD.findall(text))


def _require_words(words: int, min_words: int, subject: str) -> None:
    if words < min_words:
        found = "no words" if words == 0 else f"only {words} word{'s' if words != 1 else ''}"
        raise TextTooShortError(
            f"{subject} has {found}; we need at least {min_words} to match you with jobs. "
            "Add your experience, education and skills, and try again."
        )


# ---------------------------------------------------------------------- type detection

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
_DOCX_MAIN = "word/document.xml"


def _sniff(data: bytes, subject: str) -> Kind:
    """Decide the kind from magic bytes; unknown binary formats are refused by name."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(_ZIP_MAGIC):
        return _sniff_zip(data, subject)
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            raise _unsupported(subject, what)
    if data[4:8] == b"ftyp" and data[8:12] in _FTYP_BRANDS:
        raise _unsupported(subject, _FTYP_BRANDS[data[8:12]])
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        raise _unsupported(subject, "a WebP image")
    if data.startswith(b"BM") and b"\x00" in data[:64]:
        raise _unsupported(subject, "a bitmap (BMP) image")
    return "txt"


def _sniff_zip(data: bytes, subject: str) -> Kind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if _DOCX_MAIN in names:
                return "docx"
            mimetype = ""
            if "mimetype" in names and zf.getinfo("mimetype").file_size < 200:
                mimetype = zf.read("mimetype").decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        # RuntimeError: encrypted member; NotImplementedError: unknown compression.
        if _DOCX_MAIN.encode() in data:
            raise CorruptFileError(
                f"{subject} looks like a Word document, but it is damaged and can't be opened. "
                f"Save it again from Word (or export it as PDF) and upload that, {_OR_PASTE}."
            ) from exc
        raise _unsupported(subject, "a damaged ZIP archive") from exc
    if mimetype in _ODF_MIMETYPES:
        raise _unsupported(subject, _ODF_MIMETYPES[mimetype])
    for member, what in _ZIP_KINDS:
        if member in names:
            raise _unsupported(subject, what)
    raise _unsupported(subject, "a ZIP archive")


def _unsupported(subject: str, what: str) -> UnsupportedFileTypeError:
    return UnsupportedFileTypeError(
        f"{subject} looks like {what}. {_ACCEPTED} — save your CV as PDF or .docx and upload "
        f"it again, {_OR_PASTE}."
    )


# ------------------------------------------------------------------------- plain text

_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_MARKUP_START = re.compile(r"\s*<(?:!doctype\s+html|html|\?xml)", re.IGNORECASE)


def _decode_text(data: bytes, subject: str) -> str:
    """Decode plain text: a BOM wins, then UTF-8, then Windows-1252 if it reads as text."""
    if data.startswith(_UTF32_BOMS):
        candidates: tuple[str, ...] = ("utf-32",)
    elif data.startswith(codecs.BOM_UTF8):
        candidates = ("utf-8-sig",)
    elif data.startswith(_UTF16_BOMS):
        candidates = ("utf-16",)
    else:
        head = data[:4096]
        odd_nuls, even_nuls = head[1::2].count(0), head[0::2].count(0)
        if odd_nuls > len(head) // 4 and even_nuls == 0:
            candidates = ("utf-16-le",)
        elif even_nuls > len(head) // 4 and odd_nuls == 0:
            candidates = ("utf-16-be",)
        else:
            candidates = ("utf-8", "cp1252")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            if _MARKUP_START.match(text):
                raise _unsupported(subject, "a web page or XML file")
            return text
    raise UnsupportedFileTypeError(
        f"{subject} is not a PDF, a Word (.docx) document or readable text. "
        f"{_ACCEPTED} — save your CV in one of those formats, {_OR_PASTE}."
    )


def _looks_like_text(text: str) -> bool:
    """Binary data decodes to control characters and symbol soup, prose to letters."""
    sample = text[:20000]
    visible = [ch for ch in sample if not ch.isspace()]
    if not visible:
        return True
    controls = sum(
        1 for ch in sample if ch == "\ufffd" or (unicodedata.category(ch) == "Cc" and not ch.isspace())
    )
    if controls > max(2, len(sample) // 200):
        return False
    alphanumeric = sum(1 for ch in visible if ch.isalnum())
    return alphanumeric >= 0.5 * len(visible)


# -------------------------------------------------------------------------------- PDF

_PAGE_NUMBER_LINE = re.compile(
    r"(?i)^(?:[-–—(\[]\s*)?(?:(?:sida|page|sid|s\.|p\.)\s*)?\d{1,3}"
    r"(?:\s*(?:av|of|/|\|)\s*\d{1,3})?(?:\s*[-–—)\]])?$"
)
_EDGE_LINES = 3
"""How many lines at the top and bottom of a page can be a running header or footer."""
_SUSPENDED_HYPHEN_WORDS = frozenset(
    {"och", "eller", "samt", "respektive", "resp", "till", "som", "men", "and", "or", "nor", "to"}
)
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ ]*\n[ ]*(?=([^\W\d_]+))")
_HYPHENATED_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SOFT_HYPHEN_BREAK = re.compile(r"\u00ad[ \t]*\n[ \t]*")


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


_PYPDF_LOGS = _SilencedLogger("pypdf")


def _extract_pdf(data: bytes, subject: str, *, min_words: int, max_pages: int) -> tuple[str, int]:
    """Extract the text layer of a PDF, refusing encrypted, scanned and broken files."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    truncated = b"%%EOF" not in data[-16384:]
    damaged = (
        f"{subject} looks like a PDF, but it seems incomplete (the end of the file is missing — "
        "maybe an upload or download was cut off)"
        if truncated
        else f"{subject} looks like a PDF, but it is damaged and can't be opened"
    ) + f". Export or download it again and upload the new file, {_OR_PASTE}."

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            _unlock_pdf(reader, subject)
        n_pages = len(reader.pages)
    except (EncryptedPDFError, MemoryError):
        raise
    except DependencyError as exc:
        raise _encrypted(subject) from exc
    except Exception as exc:  # pypdf raises many types on malformed input
        raise CorruptFileError(damaged) from exc
    if n_pages == 0:
        raise CorruptFileError(damaged)
    if n_pages > max_pages:
        raise FileTooLargeError(
            f"{subject} has {n_pages} pages; we read CVs of up to {max_pages} pages. "
            f"Upload just your CV, {_OR_PASTE}."
        )

    page_texts: list[str] = []
    failed = 0
    chars = 0
    content_budget = MAX_PDF_CONTENT_BYTES
    for page in reader.pages:
        try:
            # pypdf parses text operators at roughly 3 s per MB, and a 50 kB file can
            # inflate to hundreds of MB, so the unpacked size is checked before parsing.
            # Real CV pages hold 5-50 kB each.
            content_budget -= _content_bytes(page, content_budget)
            if content_budget < 0:
                raise FileTooLargeError(
                    f"{_pdf_subject(subject)} holds more drawing instructions than we can read "
                    f"(over {_megabytes(MAX_PDF_CONTENT_BYTES)} unpacked). Export a plainer PDF from "
                    f"Word or Google Docs, {_OR_PASTE}."
                )
            page_text = page.extract_text() or ""
        except FileTooLargeError:
            raise
        except DependencyError as exc:
            raise _encrypted(subject) from exc
        except MemoryError:
            raise
        except Exception:
            failed += 1
            page_text = ""
        page_texts.append(page_text)
        chars += len(page_text)
        if chars > MAX_TEXT_CHARS:
            break
    if failed == n_pages:
        raise CorruptFileError(damaged)

    text = _dehyphenate(_join_pdf_pages(page_texts))
    words = count_words(clean_text(text))
    if words < min_words:
        if truncated:
            raise CorruptFileError(damaged)
        if words == 0 or (words < 5 * n_pages and _has_images(reader)):
            raise ScannedPDFError(
                f"{_pdf_subject(subject)} has no text layer — it looks scanned (or saved as a picture), "
                "so there is no text for us to read. Upload the original document, or a PDF exported "
                f"from Word or Google Docs, {_OR_PASTE}."
            )
    return text, n_pages


def _content_bytes(page: Any, budget: int) -> int:
    """Unpacked size of a page's content streams and the forms it draws (stops past ``budget``)."""
    contents = page.get_contents()
    used = len(contents.get_data()) if contents is not None else 0
    pending = [(page.get("/Resources"), 0)]
    while pending and used <= budget:
        resources, depth = pending.pop()
        if resources is None or depth > 3:
            continue
        xobjects = resources.get_object().get("/XObject")
        if xobjects is None:
            continue
        for ref in xobjects.get_object().values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Form":
                used += len(xobject.get_data())
                pending.append((xobject.get("/Resources"), depth + 1))
                if used > budget:
                    break
    return used


def _unlock_pdf(reader: Any, subject: str) -> None:
    """Open a PDF protected only by an owner password; a user password means we can't."""
    from pypdf import PasswordType

    if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise _encrypted(subject)


def _encrypted(subject: str) -> EncryptedPDFError:
    return EncryptedPDFError(
        f"{subject} is password-protected or encrypted, so we can't read it. Open it, save or "
        f"print it as a new PDF without a password and upload that, {_OR_PASTE}."
    )


def _has_images(reader: Any) -> bool:
    """True when some page draws an image: a scan, or a text layer too thin to use."""
    for page in reader.pages:
        try:
            if len(page.images) > 0:
                return True
        except Exception:  # a broken image dictionary still says "there is an image"
            return True
    return False


def _edge_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def _join_pdf_pages(page_texts: list[str]) -> str:
    """Join pages, dropping page numbers and headers/footers repeated on later pages.

    A running line is one found among the first or last few lines of at least half the
    pages (and of two or more). Its first occurrence is kept: a name or contact line in
    a header is still useful once.
    """
    pages = [[ln for ln in t.splitlines() if ln.strip()] for t in page_texts]
    edges: list[set[str]] = []
    for lines in pages:
        zone = lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]
        edges.append({_edge_key(ln) for ln in zone})
    counts = Counter(key for keys in edges for key in keys)
    needed = max(2, (len(pages) + 1) // 2)
    running = {key for key, n in counts.items() if n >= needed}

    seen: set[str] = set()
    out: list[str] = []
    for lines in pages:
        n = len(lines)
        for i, line in enumerate(lines):
            at_edge = i < _EDGE_LINES or i >= n - _EDGE_LINES
            if at_edge and _PAGE_NUMBER_LINE.match(line.strip()):
                continue
            key = _edge_key(line)
            if at_edge and key in running:
                if key in seen:
                    continue
                seen.add(key)
            out.append(line)
    return "\n".join(out)


def _dehyphenate(text: str) -> str:
    r"""Join words split at a line end: "utveck-\nlare" -> "utvecklare".

    A hyphen at a line end is either a syllable break (LaTeX, InDesign) or a real hyphen
    that Word wrapped after ("cross-\nfunctional", "HR-\nchef", "e-\npost"). Words the
    document also spells elsewhere decide; otherwise Swedish, whose compounds are written
    closed, drops the hyphen and English keeps it. "hem- och villa" style suspended
    hyphens (followed by och/eller/and/or ...) keep their space.
    """
    text = _SOFT_HYPHEN_BREAK.sub("", text)
    if "-" not in text:
        return text
    vocabulary = set(_HYPHENATED_WORD.findall(text.lower()))
    closed_by_default = detect_language(text) != "en"

    def join(match: re.Match[str]) -> str:
        start = match.start()
        fragment_start = start
        while fragment_start > 0 and match.string[fragment_start - 1].isalpha():
            fragment_start -= 1
        fragment = match.string[fragment_start:start]
        following = match.group(1)
        if following.lower() in _SUSPENDED_HYPHEN_WORDS:
            return "- "
        if not (fragment[-1].islower() and following[0].islower()) or len(fragment) <= 2:
            return "-"
        if (fragment + following).lower() in vocabulary:
            return ""
        if f"{fragment}-{following}".lower() in vocabulary:
            return "-"
        return "" if closed_by_default else "-"

    return _LINE_END_HYPHEN.sub(join, text)


# ------------------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_SKIPPED_IN_PARAGRAPH = frozenset(
    _W + tag for tag in ("pPr", "rPr", "del", "moveFrom", "instrText", "delText", "fldData")
)
_BLOCK_WRAPPERS = frozenset(_W + tag for tag in ("sdtContent", "customXml", "ins", "moveTo", "smartTag"))


def _extract_docx(data: bytes, subject: str) -> str:
    """Headers, then the body in document order (tables, text boxes), then footers."""
    import docx

    damaged = (
        f"{subject} looks like a Word document, but it is damaged and can't be opened. "
        f"Save it again from Word (or export it as PDF) and upload that, {_OR_PASTE}."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise CorruptFileError(damaged) from exc
    if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise FileTooLargeError(
            f"{subject} unpacks to more than {_megabytes(MAX_UNPACKED_BYTES)} — far more than a CV needs. "
            f"Remove large pictures or save it as PDF, {_OR_PASTE}."
        )

    try:
        document = docx.Document(io.BytesIO(data))
        walker = _DocxText(_list_style_ids(document))
        body_lines: list[str] = []
        walker.block_lines(document.element.body, body_lines)
        header_lines, footer_lines = _header_footer_lines(document, walker)
    except MemoryError:
        raise
    except ValueError as exc:
        if "not a Word file" in str(exc):
            raise _unsupported(subject, "a Word template or macro-enabled document") from exc
        raise CorruptFileError(damaged) from exc
    except Exception as exc:  # python-docx/lxml raise many types on malformed input
        raise CorruptFileError(damaged) from exc
    return "\n".join(header_lines + body_lines + footer_lines)


def _header_footer_lines(document: Any, walker: _DocxText) -> tuple[list[str], list[str]]:
    """Text of every defined header and footer once, without page-number fields."""
    seen: set[str] = set()
    headers: list[str] = []
    footers: list[str] = []
    for section in document.sections:
        for target, parts in (
            (headers, (section.first_page_header, section.header, section.even_page_header)),
            (footers, (section.first_page_footer, section.footer, section.even_page_footer)),
        ):
            for part in parts:
                if part.is_linked_to_previous:  # no definition of its own
                    continue
                lines: list[str] = []
                walker.block_lines(part.part.element, lines)
                for line in lines:
                    key = " ".join(line.split())
                    if not key or key in seen or _PAGE_NUMBER_LINE.match(key):
                        continue
                    seen.add(key)
                    target.append(line)
    return headers, footers


def _list_style_ids(document: Any) -> frozenset[str]:
    """Paragraph styles that number or bullet their paragraphs (e.g. "List Bullet")."""
    styles = {}
    for style in document.styles.element.iterchildren(_W + "style"):
        style_id = style.get(_W + "styleId")
        if not style_id:
            continue
        ppr = style.find(_W + "pPr")
        based_on = style.find(_W + "basedOn")
        styles[style_id] = (
            ppr is not None and ppr.find(_W + "numPr") is not None,
            based_on.get(_W + "val") if based_on is not None else None,
        )
    listed: set[str] = set()
    for style_id in styles:
        current: str | None = style_id
        for _ in range(10):  # basedOn chains are short; a cycle must not hang us
            if current is None or current not in styles:
                break
            has_numbering, current = styles[current]
            if has_numbering:
                listed.add(style_id)
                break
    return frozenset(listed)


class _DocxText:
    """Walks WordprocessingML in document order, one line per paragraph or table row.

    Works on the XML rather than python-docx's paragraph/table objects so that text
    boxes, content controls and tracked insertions are read, and text duplicated in
    ``mc:Fallback`` branches or deleted revisions is not.
    """

    def __init__(self, list_styles: frozenset[str]) -> None:
        self.list_styles = list_styles

    def block_lines(self, container: Any, out: list[str]) -> None:
        """Append the lines of every paragraph and table directly under ``container``."""
        for child in container:
            tag = child.tag
            if tag == _W + "p":
                self.paragraph_lines(child, out)
            elif tag == _W + "tbl":
                self.table_lines(child, out)
            elif tag == _W + "sdt":
                content = child.find(_W + "sdtContent")
                if content is not None:
                    self.block_lines(content, out)
            elif tag == _MC + "AlternateContent":
                self.block_lines(_alternate_choice(child), out)
            elif tag in _BLOCK_WRAPPERS:
                self.block_lines(child, out)

    def paragraph_lines(self, paragraph: Any, out: list[str]) -> None:
        parts: list[str] = []
        boxes: list[Any] = []
        self.inline_text(paragraph, parts, boxes)
        text = "".join(parts)
        if text.strip() and self.is_list_item(paragraph):
            text = "- " + text.lstrip()  # the bullet or number itself is not in the text
        out.append(text)
        for box in boxes:  # text boxes anchored in this paragraph
            self.block_lines(box, out)

    def is_list_item(self, paragraph: Any) -> bool:
        ppr = paragraph.find(_W + "pPr")
        if ppr is None:
            return False
        if ppr.find(_W + "numPr") is not None:
            return True
        style = ppr.find(_W + "pStyle")
        return style is not None and style.get(_W + "val") in self.list_styles

    def inline_text(self, element: Any, parts: list[str], boxes: list[Any]) -> None:
        for child in element:
            tag = child.tag
            if tag == _W + "t":
                parts.append(child.text or "")
            elif tag in (_W + "tab", _W + "ptab"):
                parts.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                parts.append("\n")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")
            elif tag == _W + "txbxContent":
                boxes.append(child)
            elif tag == _MC + "AlternateContent":
                self.inline_text(_alternate_choice(child), parts, boxes)
            elif tag in _SKIPPED_IN_PARAGRAPH or not isinstance(tag, str):
                continue
            else:  # runs, hyperlinks, fields, drawings (which may hold text boxes) ...
                self.inline_text(child, parts, boxes)

    def table_lines(self, table: Any, out: list[str]) -> None:
        """Data tables become "a | b | c" rows; layout tables (multi-line cells) stay lines."""
        for row in _wrapped_children(table, _W + "tr"):
            cells: list[list[str]] = []
            for cell in _wrapped_children(row, _W + "tc"):
                lines: list[str] = []
                self.block_lines(cell, lines)
                lines = [ln for ln in lines if ln.strip()]
                if lines:
                    cells.append(lines)
            if not cells:
                continue
            if all(len(lines) == 1 and "\n" not in lines[0] for lines in cells):
                out.append(" | ".join(lines[0].strip() for lines in cells))
            else:
                for lines in cells:
                    out.extend(lines)
                    out.append("")


def _alternate_choice(element: Any) -> Any:
    """The first branch of mc:AlternateContent; the fallback repeats the same content."""
    for branch in element:
        return branch
    return element


def _wrapped_children(element: Any, tag: str) -> Any:
    """Children with ``tag``, looking through content controls and custom-XML wrappers."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
            yield from _wrapped_children(child, tag)


# ----------------------------------------------------------------------------- helpers


def _subject(filename: str | None) -> str:
    """'The file "cv.pdf"' for messages; the name is cleaned since it came from a browser."""
    if not filename:
        return "The file"
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in "\"'<>`")[:80].strip()
    return f'The file "{name}"' if name else "The file"


def _pdf_subject(subject: str) -> str:
    return "This PDF" if subject == "The file" else subject


def _megabytes(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:.0f} MB" if mb >= 10 or mb == int(mb) else f"{mb:.1f} MB"
