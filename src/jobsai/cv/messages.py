"""Pieces of the messages a job seeker reads when an upload can't be used.

Every refusal names the file (cleaned, since the name came from a browser) and says what to do
instead, so the wording is shared by the readers of each file type.
"""

from __future__ import annotations

import re

from jobsai.errors import CorruptFileError, EncryptedPDFError, UnsupportedFileTypeError

ACCEPTED = "We can read PDF, Word (.docx) and plain-text files"
OR_PASTE = "or paste the text of your CV instead"


def subject(filename: str | None) -> str:
    """'The file "cv.pdf"' for messages; the name is cleaned since it came from a browser."""
    if not filename:
        return "The file"
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in "\"'<>`")[:80].strip()
    return f'The file "{name}"' if name else "The file"


def pdf_subject(subject: str) -> str:
    return "This PDF" if subject == "The file" else subject


def megabytes(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:.0f} MB" if mb >= 10 or mb == int(mb) else f"{mb:.1f} MB"


def unsupported(subject: str, what: str) -> UnsupportedFileTypeError:
    return UnsupportedFileTypeError(
        f"{subject} looks like {what}. {ACCEPTED} — save your CV as PDF or .docx and upload "
        f"it again, {OR_PASTE}."
    )


def damaged_docx(subject: str) -> CorruptFileError:
    return CorruptFileError(
        f"{subject} looks like a Word document, but it is damaged and can't be opened. "
        f"Save it again from Word (or export it as PDF) and upload that, {OR_PASTE}."
    )


def encrypted_pdf(subject: str) -> EncryptedPDFError:
    return EncryptedPDFError(
        f"{subject} is password-protected or encrypted, so we can't read it. Open it, save or "
        f"print it as a new PDF without a password and upload that, {OR_PASTE}."
    )
