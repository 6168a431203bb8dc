"""Typed errors that carry a message a person can act on.

Every layer raises a subclass of :class:`JobsAIError`; the CLI and the web layer turn
these into readable messages and exit codes. Error text is never passed on as data.
"""

from __future__ import annotations


class JobsAIError(Exception):
    """Base class: ``str(err)`` is a message fit to show a user."""


class ConfigError(JobsAIError):
    """The configuration is invalid or incomplete."""


class AdParseError(JobsAIError):
    """One ad record is malformed; the caller skips it and counts it."""


class SourceError(JobsAIError):
    """An ad source (JobStream, a file) failed in a way that retries did not fix."""


class IncompleteSnapshotError(SourceError):
    """A snapshot ended before its closing bracket; it must not be treated as complete."""


class StoreError(JobsAIError):
    """The system-of-record database failed or is in an unexpected state."""


class ModelError(JobsAIError):
    """The embedding model could not be loaded, converted or verified."""


class VectorIndexError(JobsAIError):
    """The vector index failed or is unusable."""


class IndexModelMismatchError(VectorIndexError):
    """The index was built by another model than the one asked to query it."""


class IndexBusyError(VectorIndexError):
    """The embedded index is open in another process (only one may open it)."""


class CVError(JobsAIError):
    """A CV could not be turned into usable text (scanned, encrypted, corrupt, …)."""


class UnsupportedFileTypeError(CVError):
    """The uploaded file is not a PDF, DOCX or plain text."""


class FileTooLargeError(CVError):
    """The uploaded file is over the configured size limit."""


class UnpackTooLargeError(FileTooLargeError):
    """The file is within the size limit, but what it holds unpacks past a cap.

    A zip bomb (a DOCX that inflates past the unpacked cap), an XML part over its cap or nested too
    deep, a PDF whose pages' drawing instructions inflate past their budget. Still a
    :class:`FileTooLargeError` (HTTP 413), but the person is told that the file *unpacks* too large,
    not that it is over the upload size, which it is not. Raised with the message only, so that it
    crosses the parse pool's process boundary as the same type.
    """


class ScannedPDFError(CVError):
    """The PDF has no text layer (it looks scanned)."""


class EncryptedPDFError(CVError):
    """The PDF is encrypted and cannot be read."""


class CorruptFileError(CVError):
    """The file is damaged or not what its content claims to be."""


class TextTooShortError(CVError):
    """The text is too short to match on."""


class ParseLimitError(CVError):
    """Reading the file took more CPU time, memory or wall-clock time than the server allows."""


class NoDataError(JobsAIError):
    """There are no ads to match against yet."""


class UnknownFilterValueError(JobsAIError):
    """A filter names a place, field or type that no live ad has."""
