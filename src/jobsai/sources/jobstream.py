"""JobStream client: download the snapshot or a change window to disk, verified and retried.

Why to disk: the snapshot is one ~400 MB JSON array that takes minutes to arrive, and the
server has been seen to end slow transfers *cleanly* in the middle of the array. So the body
is streamed to a ``.part`` file, checked to be complete JSON (closing ``]`` present, last
JSON line whole) by a full syntax pass, and only then renamed to its destination. Any
failure (429, 5xx, connection error, timeout, truncated body) retries the whole download
with exponential backoff and jitter; other 4xx fail at once with a readable message.
Callers parse the verified file with :mod:`jobsai.sources.jsonstream`.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import math
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from jobsai import __version__
from jobsai.config import Settings
from jobsai.errors import ConfigError, IncompleteSnapshotError, SourceError
from jobsai.sources.jsonstream import JsonCheck, check_json_file, iter_json_objects
from jobsai.timeutil import ensure_utc, to_local_param, utcnow

log = logging.getLogger(__name__)

USER_AGENT = f"jobsai/{__version__}"
ACCEPT_JSON = "application/json"
ACCEPT_JSONL = "application/x-ndjson, application/jsonl;q=0.9, application/json;q=0.5"
"""Ask for JSON Lines where the server offers it; the parser accepts either shape anyway."""

_ERROR_SNIPPET = 300


@dataclass(frozen=True, slots=True)
class DownloadInfo:
    """What the last successful download was: for logs and sync statistics."""

    what: str
    path: str
    attempts: int
    bytes: int
    items: int
    """Top-level items with an ``id`` (ads plus removal records)."""
    format: str
    seconds: float


class _AttemptFailed(Exception):
    """One attempt failed in a way worth retrying."""

    def __init__(self, reason: str, *, retry_after: float | None = None, incomplete: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.incomplete = incomplete


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or utcnow())).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


class JobStreamClient:
    """Talks to JobStream (v2 by default, v1 on request); use as a context manager.

    ``transport`` lets tests or proxies replace the network layer; ``sleep`` is the
    function used between retries (tests pass a recorder); ``progress`` is called with the
    number of bytes received so far in the current attempt (it restarts at 0 on a retry).
    """

    def __init__(
        self,
        settings: Settings,
        transport: httpx.BaseTransport | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        progress: Callable[[int], None] | None = None,
        accept: str = ACCEPT_JSON,
        rng: random.Random | None = None,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
        self._progress = progress
        self._rng = rng or random.Random()
        self.last_download: DownloadInfo | None = None
        headers = {"accept": accept, "user-agent": USER_AGENT}
        if settings.jobstream_api_key:
            headers["api-key"] = settings.jobstream_api_key
        base_url = settings.jobstream_url.strip().rstrip("/")
        try:
            scheme = httpx.URL(base_url).scheme
        except httpx.InvalidURL:
            scheme = ""
        if scheme not in ("http", "https"):
            raise ConfigError(
                f"JOBSAI_JOBSTREAM_URL must be an http(s) URL such as "
                f"https://jobstream.api.jobtechdev.se, not {settings.jobstream_url!r}"
            )
        t = settings.http_timeout_s
        self._client = httpx.Client(
            base_url=base_url,
            transport=transport,
            headers=headers,
            timeout=httpx.Timeout(connect=t, read=t, write=t, pool=t),
            follow_redirects=True,
        )

    def __enter__(self) -> JobStreamClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    @property
    def max_attempts(self) -> int:
        """The first try plus ``http_max_retries`` retries."""
        return max(0, self._settings.http_max_retries) + 1

    # -- requests -------------------------------------------------------------------------

    def snapshot_request(self) -> tuple[str, dict[str, str]]:
        """Path and query parameters of the snapshot call for the configured API version."""
        return ("/snapshot" if self._settings.jobstream_api_version == "v1" else "/v2/snapshot"), {}

    def stream_request(self, updated_after: datetime, updated_before: datetime) -> tuple[str, dict[str, str]]:
        """Path and parameters of a change-window call (times as Swedish local, no offset)."""
        after, before = to_local_param(updated_after), to_local_param(updated_before)
        if self._settings.jobstream_api_version == "v1":
            return "/stream", {"date": after, "updated-before-date": before}
        return "/v2/stream", {"updated-after": after, "updated-before": before}

    # -- downloads ------------------------------------------------------------------------

    def download_snapshot(self, dest: Path) -> Path:
        """Download every current ad to ``dest``; returns it only once it is verified complete."""
        path, params = self.snapshot_request()
        return self._download("snapshot", path, params, Path(dest))

    def download_stream(self, updated_after: datetime, updated_before: datetime, dest: Path) -> Path:
        """Download the ads changed and removed in ``[updated_after, updated_before]`` to ``dest``."""
        if ensure_utc(updated_after) > ensure_utc(updated_before):
            raise ValueError("updated_after is later than updated_before")
        path, params = self.stream_request(updated_after, updated_before)
        return self._download("stream", path, params, Path(dest))

    def iter_snapshot(self, work_dir: Path | None = None) -> Iterator[dict[str, Any]]:
        """Download the snapshot to a temporary file in ``work_dir`` and yield its objects.

        The download starts at the first ``next()``; the file is deleted when the iterator is
        exhausted or closed. ``work_dir`` defaults to ``settings.data_dir`` (~400 MB needed).
        """
        return self._iter_download("snapshot", self.download_snapshot, work_dir)

    def iter_stream(
        self, updated_after: datetime, updated_before: datetime, work_dir: Path | None = None
    ) -> Iterator[dict[str, Any]]:
        """Like :meth:`iter_snapshot` for a change window (ads and removal records)."""
        if ensure_utc(updated_after) > ensure_utc(updated_before):
            raise ValueError("updated_after is later than updated_before")
        return self._iter_download(
            "stream", lambda dest: self.download_stream(updated_after, updated_before, dest), work_dir
        )

    def _iter_download(
        self, what: str, download: Callable[[Path], Path], work_dir: Path | None
    ) -> Iterator[dict[str, Any]]:
        directory = Path(work_dir) if work_dir is not None else self._settings.data_dir
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f"jobstream-{what}-", suffix=".json", dir=directory)
        os.close(fd)
        tmp = Path(name)
        try:
            download(tmp)
            yield from iter_json_objects(tmp, name=f"JobStream {what}")
        finally:
            tmp.unlink(missing_ok=True)

    def _download(self, what: str, path: str, params: dict[str, str], dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        attempts = self.max_attempts
        started = time.monotonic()
        last: _AttemptFailed | None = None
        for attempt in range(1, attempts + 1):
            log.info("JobStream %s: GET %s attempt %d/%d", what, path, attempt, attempts)
            try:
                nbytes, check = self._attempt(what, path, params, part)
            except _AttemptFailed as exc:
                last = exc
            else:
                os.replace(part, dest)
                seconds = time.monotonic() - started
                self.last_download = DownloadInfo(
                    what, path, attempt, nbytes, check.items, check.format, round(seconds, 3)
                )
                log.info(
                    "JobStream %s: %d bytes, %d items (%s) in %.1f s after %d attempt(s)",
                    what,
                    nbytes,
                    check.items,
                    check.format,
                    seconds,
                    attempt,
                )
                return dest
            finally:
                if part.exists():
                    part.unlink()
            if attempt < attempts:
                delay = self._delay(attempt, last.retry_after)
                log.warning(
                    "JobStream %s attempt %d/%d failed: %s; retrying in %.1f s",
                    what,
                    attempt,
                    attempts,
                    last.reason,
                    delay,
                )
                self._sleep(delay)
        assert last is not None
        log.error("JobStream %s failed after %d attempts: %s", what, attempts, last.reason)
        error = IncompleteSnapshotError if last.incomplete else SourceError
        raise error(f"JobStream unreachable after {attempts} attempts: {last.reason}")

    def _attempt(self, what: str, path: str, params: dict[str, str], part: Path) -> tuple[int, JsonCheck]:
        """One GET streamed into ``part`` and verified; raises _AttemptFailed to retry."""
        nbytes = 0
        try:
            with self._client.stream("GET", path, params=params) as resp:
                status = resp.status_code
                if status == 429 or status >= 500:
                    raise _AttemptFailed(
                        f"HTTP {status}{_snippet(resp)}",
                        retry_after=parse_retry_after(resp.headers.get("retry-after")),
                    )
                if not 200 <= status < 300:
                    raise SourceError(self._http_error(status, path, resp))
                try:
                    out = part.open("wb")
                except OSError as exc:
                    raise SourceError(f"cannot write {part}: {exc.strerror or exc}") from None
                with out:
                    for chunk in resp.iter_bytes():
                        try:
                            out.write(chunk)
                        except OSError as exc:
                            raise SourceError(f"cannot write {part}: {exc.strerror or exc}") from None
                        nbytes += len(chunk)
                        if self._progress is not None:
                            self._progress(nbytes)
        except httpx.TimeoutException as exc:
            raise _AttemptFailed(f"timed out after {nbytes} bytes ({type(exc).__name__})") from None
        except httpx.UnsupportedProtocol as exc:
            raise SourceError(f"JobStream request failed: {exc}") from None
        except httpx.TooManyRedirects as exc:
            raise SourceError(f"JobStream redirects in a loop: {exc}") from None
        except httpx.RequestError as exc:
            # Connection refused/reset, protocol errors (body cut off), bad content encoding.
            raise _AttemptFailed(f"{type(exc).__name__} after {nbytes} bytes: {exc}") from None
        if nbytes == 0:
            raise _AttemptFailed("empty response body", incomplete=True)
        try:
            check = check_json_file(part, name=f"JobStream {what} response")
        except IncompleteSnapshotError as exc:
            raise _AttemptFailed(str(exc), incomplete=True) from None
        except SourceError as exc:
            raise _AttemptFailed(str(exc)) from None
        if check.format == "empty":
            raise _AttemptFailed("response body holds only whitespace", incomplete=True)
        return nbytes, check

    def _http_error(self, status: int, path: str, resp: httpx.Response) -> str:
        if status == 401:
            if self._settings.jobstream_api_key:
                return (
                    "JobStream rejected the API key (HTTP 401); check JOBSAI_JOBSTREAM_API_KEY "
                    "(keys come from apirequest.jobtechdev.se)"
                )
            return (
                "JobStream requires an API key (HTTP 401); set JOBSAI_JOBSTREAM_API_KEY "
                "(keys come from apirequest.jobtechdev.se)"
            )
        if status == 403:
            return f"JobStream refused access to {path} (HTTP 403){_snippet(resp)}"
        if status == 404:
            return (
                f"JobStream has no {path} (HTTP 404); check JOBSAI_JOBSTREAM_URL and "
                f"JOBSAI_JOBSTREAM_API_VERSION (now {self._settings.jobstream_api_version})"
            )
        return f"JobStream rejected the request to {path} (HTTP {status}){_snippet(resp)}"

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Retry-After when the server sent one, else exponential backoff with equal jitter."""
        cap = self._settings.http_backoff_max_s
        if retry_after is not None:
            return min(retry_after, cap)
        backoff = min(cap, self._settings.http_backoff_base_s * 2 ** (attempt - 1))
        return backoff / 2 + self._rng.uniform(0, backoff / 2)


def _snippet(resp: httpx.Response) -> str:
    """The start of an error body on one line, for the message (never the whole body)."""
    data = b""
    with contextlib.suppress(httpx.HTTPError):
        for chunk in resp.iter_bytes():
            data += chunk
            if len(data) >= _ERROR_SNIPPET:
                break
    text = " ".join(data[:_ERROR_SNIPPET].decode("utf-8", "replace").split())
    return f": {text}" if text else ""
