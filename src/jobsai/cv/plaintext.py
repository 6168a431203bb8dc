"""Decode an uploaded plain-text CV: a BOM wins, then UTF-8, then Windows-1252."""

from __future__ import annotations

import codecs
import re
import unicodedata

from jobsai.cv.messages import ACCEPTED, OR_PASTE, unsupported
from jobsai.errors import UnsupportedFileTypeError

_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_MARKUP_START = re.compile(r"\s*<(?:!doctype\s+html|html|\?xml)", re.IGNORECASE)


def decode_text(data: bytes, subject: str) -> str:
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
                raise unsupported(subject, "a web page or XML file")
            return text
    raise UnsupportedFileTypeError(
        f"{subject} is not a PDF, a Word (.docx) document or readable text. "
        f"{ACCEPTED} — save your CV in one of those formats, {OR_PASTE}."
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
