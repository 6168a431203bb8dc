"""Match sessions held in memory, so feedback can only ever store that session's own CV.

The original app kept one process-wide "current CV": a feedback click stored whichever CV
was uploaded last, by anyone. Here every match creates a session under a random id; the
session keeps the **redacted** CV text (the raw text is never kept after matching), the
results that were shown (rank, score, filters) and the secret deletion token. A feedback
call names only the session and the ad; the CV it may store is looked up here, so a client
can neither send someone else's CV nor attach its own CV to someone else's session without
knowing that session's random id.

The store is bounded (least recently used sessions go first) and sessions expire after a
TTL, so memory stays flat and personal data does not linger.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


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


class SessionStore:
    """A thread-safe, size-bounded map of session id -> :class:`MatchSession` with a TTL."""

    def __init__(self, ttl_s: float, max_sessions: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.max_sessions = max_sessions
        self._clock = clock
        self._sessions: OrderedDict[str, MatchSession] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, session: MatchSession) -> None:
        with self._lock:
            session.last_used = self._clock()
            self._sessions[session.session_id] = session
            self._sessions.move_to_end(session.session_id)
            self._expire_locked()
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)

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
            return True

    def drop_token(self, token: str) -> int:
        """Forget every session under a deletion token (after the person deleted their data)."""
        with self._lock:
            gone = [sid for sid, s in self._sessions.items() if s.deletion_token == token]
            for sid in gone:
                del self._sessions[sid]
            return len(gone)

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
            self._sessions.popitem(last=False)
