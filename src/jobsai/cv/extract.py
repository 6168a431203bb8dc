"""Turn an uploaded CV file (PDF, DOCX, plain text) or pasted text into clean text.

The upload is untrusted: its type is decided from its content (never its name), its
size is checked before any parsing, page and unpacked sizes are capped, and every
failure becomes a :class:`~jobsai.errors.CVError` subclass whose message tells a job
seeker what to do. The CV text itself is never logged.

This module is the public entry point; each step lives in a module of its own:
:mod:`~jobsai.cv.sniff` (what the file is), :mod:`~jobsai.cv.pdf` with
:mod:`~jobsai.cv.pdf_layout` (PDF text in reading order), :mod:`~jobsai.cv.docx` with
:mod:`~jobsai.cv.safezip` (Word documents, bounded unzip and XML),
:mod:`~jobsai.cv.plaintext` (text encodings) and :mod:`~jobsai.cv.clean` (one normal form
for all of them). The limits below are read when a file is read, so tests and callers can
change them here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from jobsai.cv.clean import clean_text, count_words
from jobsai.cv.docx import extract_docx
from jobsai.cv.language import Language, detect_language
from jobsai.cv.messages import OR_PASTE, megabytes
from jobsai.cv.messages import subject as _subject
from jobsai.cv.pdf import content_bytes as _content_bytes  # noqa: F401  (tests measure pages with it)
from jobsai.cv.pdf import extract_pdf
from jobsai.cv.plaintext import decode_text
from jobsai.cv.sniff import sniff
from jobsai.errors import FileTooLargeError, TextTooShortError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MIN_WORDS",
    "MAX_PDF_CONTENT_BYTES",
    "MAX_PDF_PAGES",
    "MAX_TEXT_CHARS",
    "MAX_UNPACKED_BYTES",
    "MAX_XML_BYTES",
    "MAX_XML_DEPTH",
    "MAX_ZIP_ENTRIES",
    "CVText",
    "Kind",
    "clean_text",
    "count_words",
    "cv_text_from_paste",
    "extract_cv_text",
]

logger = logging.getLogger(__name__)

Kind = Literal["pdf", "docx", "txt", "paste"]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MIN_WORDS = 20
MAX_PDF_PAGES = 50
"""A CV longer than this is not a CV; also bounds the work a hostile PDF can cause."""
MAX_PDF_CONTENT_BYTES = 4 * 1024 * 1024
"""Unpacked page content (drawing instructions) read from one PDF, all pages together; a form
counts each time a page draws it."""
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
"""Total size of a DOCX's parts, as declared and as actually inflated; guards against ZIP bombs."""
MAX_XML_BYTES = 20 * 1024 * 1024
"""One XML part of a DOCX, inflated (a long CV's document.xml is well under 2 MB)."""
MAX_XML_DEPTH = 100
"""Element nesting in a DOCX part (a text box in a table in a table is about 35 deep)."""
MAX_ZIP_ENTRIES = 2000
MAX_TEXT_CHARS = 2_000_000
"""Extracted text beyond this is dropped (about 300 000 words, far more than any CV)."""


@dataclass(frozen=True, slots=True)
class CVText:
    """Clean CV text plus what the upload was, for matching and for the user's feedback."""

    text: str = field(repr=False)  # kept out of repr so it cannot leak into logs
    kind: Kind
    language: Language
    words: int
    pages: int | None = None


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
            f"{subject} is {megabytes(len(data))}, and the limit is {megabytes(max_bytes)}. "
            f"Upload a smaller file (a CV without large photos is usually well under 1 MB), {OR_PASTE}."
        )
    data = bytes(data)
    if not data.strip():
        raise TextTooShortError(f"{subject} is empty. Upload your CV again, {OR_PASTE}.")

    kind = sniff(data, subject)
    pages: int | None = None
    if kind == "pdf":
        raw, pages = extract_pdf(
            data,
            subject,
            min_words=min_words,
            max_pages=max_pages,
            content_budget=MAX_PDF_CONTENT_BYTES,
            max_chars=MAX_TEXT_CHARS,
        )
    elif kind == "docx":
        raw = extract_docx(
            data,
            subject,
            max_unpacked=MAX_UNPACKED_BYTES,
            max_entries=MAX_ZIP_ENTRIES,
            max_part=MAX_XML_BYTES,
            max_depth=MAX_XML_DEPTH,
        )
    else:
        raw = decode_text(data, subject)

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


def _require_words(words: int, min_words: int, subject: str) -> None:
    if words < min_words:
        found = "no words" if words == 0 else f"only {words} word{'s' if words != 1 else ''}"
        raise TextTooShortError(
            f"{subject} has {found}; we need at least {min_words} to match you with jobs. "
            "Add your experience, education and skills, and try again."
        )

