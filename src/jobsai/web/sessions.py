"""Match sessions held in memory, so feedback can only ever store that session's own CV.

The original app kept one process-wide "current CV": a feedback click stored whichever CV
was uploaded last, by anyone. Here every match creates a session under a random id; the
session keeps the **redacted** CV text (the raw text is never kept after matching), the
CV's encoded form for re-ranking under new filters (:class:`~jobsai.match.matcher.PreparedCV`:
vectors, BM25 query and redacted texts, never the raw text), the results that were shown
(rank, score, filters) and the secret deletion token. A feedback call names only the session
and the ad; the CV it may store is looked up here, so a client can neither send someone
else's CV nor attach its own CV to someone else's session without knowing that session's
random id.

Several replicas: what feedback, consent and deletion need (the redacted CV, the ads shown, the
token's hash, the expiry) is also written to the database (:mod:`jobsai.store.sessions`), which is
what those calls read, so any replica can take them. This store is then a per-process cache of
what only re-ranking needs (the encoded CV) and of the token itself; each process forgets the
sessions another replica deleted at its next sweep.

The store is bounded by count and by bytes (a CV may be two million characters: 2,000 of
those would be gigabytes), least recently used sessions go first, and sessions expire after
a TTL, so memory stays flat and personal data does not linger.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jobsai.match.matcher import PreparedCV

SHOWN_ENTRY_BYTES = 160
"""What one shown result costs in memory, roughly (its ad id, numbers and a shared filters dict)."""


@dataclass(frozen=True, slots=True)
class ShownResult:
    """What feedback on one shown ad needs to record, as it was when the ad was shown."""

    rank: int
    score: int
    raw_score: float
    filters: Mapping[str, Any]


@dataclass(slots=True)
class MatchSession:
    session_id: str
    deletion_token: str
    cv_redacted: str = field(repr=False)
    cv_digest: str = field(repr=False)
    """sha256 of the raw CV text: tells "same CV, new filters" from "another CV"."""
    model_version: str
    language: str
    shown: dict[str, ShownResult] = field(default_factory=dict)
    last_used: float = 0.0
    prepared: PreparedCV | None = field(default=None, repr=False)
    """The CV made ready to rank again (new filters, more results) without its text."""
    served_by: str = ""
    """The model and index ``prepared`` was encoded for: after a hot swap it must be made again."""
    kind: str = "txt"
    words: int = 0
    pages: int | None = None
    ui_key: str | None = field(default=None, repr=False)
    """The UI session (Gradio's session hash) that opened it, so deleting the data clears that page's state."""
    nbytes: int = 0
    """Memory this session holds, as the store counted it (see :func:`session_bytes`)."""


def session_bytes(session: MatchSession) -> int:
    """The UTF-8 size of the session's strings, its encoded CV and its shown results, roughly."""
    strings = (session.session_id, session.deletion_token, session.cv_digest, session.model_version,
               session.language, session.served_by, session.ui_key or "")
    size = sum(len(s.encode("utf-8", "surrogatepass")) for s in strings)
    if session.prepared is not None:  # its text is the redacted CV: count it once
        size += session.prepared.nbytes
        if session.prepared.text is not session.cv_redacted:
            size += len(session.cv_redacted.encode("utf-8", "surrogatepass"))
    else:
        size += len(session.cv_redacted.encode("utf-8", "surrogatepass"))
    return size + SHOWN_ENTRY_BYTES * len(session.shown)


class SessionStore:
    """A thread-safe map of session id -> :class:`MatchSession`, bounded in count and bytes, with a TTL.

    ``max_bytes``: the sessions' total :func:`session_bytes`; the least recently used go first
    (the newest session stays even when it alone is larger).
    """

    def __init__(
        self,
        ttl_s: float,
        max_sessions: int,
        max_bytes: int = 256 * 1024 * 1024,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_sessions = max_sessions
        self.max_bytes = max_bytes
        self._clock = clock
        self._sessions: OrderedDict[str, MatchSession] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        """Bytes held by the live sessions (as counted by :func:`session_bytes`)."""
        with self._lock:
            self._expire_locked()
            return self._bytes

    def put(self, session: MatchSession) -> None:
        with self._lock:
            session.last_used = self._clock()
            old = self._sessions.pop(session.session_id, None)
            if old is not None:
                self._bytes -= old.nbytes
            session.nbytes = session_bytes(session)
            self._sessions[session.session_id] = session
            self._bytes += session.nbytes
            self._expire_locked()
            self._bound_locked()

    def get(self, session_id: str) -> MatchSession | None:
        """The live session, or None when unknown or expired (using it renews its TTL)."""
        with self._lock:
            self._expire_locked()
            session = self._sessions.get(session_id)
            if session is not None:
                session.last_used = self._clock()
                self._sessions.move_to_end(session_id)
            return session

    def update_shown(self, session_id: str, shown: Mapping[str, ShownResult]) -> bool:
        """Add or refresh shown results of a live session (a new page of results, new filters)."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return False
            session.shown.update(shown)
            session.last_used = self._clock()
            self._sessions.move_to_end(session_id)
            self._resize_locked(session)
            return True

    def replace_prepared(self, session_id: str, prepared: PreparedCV, served_by: str) -> bool:
        """Keep a newly encoded CV for a live session (the same CV, met again after a model change)."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return False
            session.prepared, session.served_by = prepared, served_by
            self._sessions.move_to_end(session_id)
            self._resize_locked(session)
            return True

    def pop_token(self, token: str) -> list[MatchSession]:
        """Remove and return every session under a deletion token (the person deleted their data)."""
        with self._lock:
            gone = [s for s in self._sessions.values() if s.deletion_token == token]
            for session in gone:
                del self._sessions[session.session_id]
                self._bytes -= session.nbytes
            return gone

    def ids(self) -> list[str]:
        """The ids of the live sessions held here."""
        with self._lock:
            self._expire_locked()
            return list(self._sessions)

    def discard(self, session_ids: Iterable[str]) -> list[MatchSession]:
        """Remove and return these sessions (deleted on another replica, or expired in the database)."""
        with self._lock:
            gone = [s for s in (self._sessions.pop(i, None) for i in session_ids) if s is not None]
            for session in gone:
                self._bytes -= session.nbytes
            return gone

    def drop_token(self, token: str) -> int:
        """Forget every session under a deletion token; how many there were."""
        return len(self.pop_token(token))

    def __len__(self) -> int:
        with self._lock:
            self._expire_locked()
            return len(self._sessions)

    def _expire_locked(self) -> None:
        cutoff = self._clock() - self.ttl_s
        while self._sessions:
            oldest = next(iter(self._sessions.values()))
            if oldest.last_used >= cutoff:
                break
            self._evict_oldest_locked()

    def _bound_locked(self) -> None:
        while len(self._sessions) > self.max_sessions or (self._bytes > self.max_bytes and len(self._sessions) > 1):
            self._evict_oldest_locked()

    def _evict_oldest_locked(self) -> None:
        _, session = self._sessions.popitem(last=False)
        self._bytes -= session.nbytes

    def _resize_locked(self, session: MatchSession) -> None:
        size = session_bytes(session)
        self._bytes += size - session.nbytes
        session.nbytes = size
        self._bound_locked()
