"""Match sessions in the database, so any web replica can take a feedback, consent or deletion call.

A match on replica A, a "Relevant" click that a load balancer sends to replica B: B must find the
session (which CV it may store with consent, which ads it was shown, which deletion token it belongs
to). So the session lives here, not only in A's memory: the *redacted* CV text, the model version,
the sha256 of the deletion token (never the token: a leaked table cannot delete anything), the ads
shown with their rank, score and filters, and a sliding expiry. Every web process sweeps expired
rows (:func:`sweep`), and deleting by token removes a person's sessions with their feedback.

What stays in a process's memory (``web.sessions``) is only what re-ranking needs (the encoded CV)
and the token itself, for the replica that made the session; both are optional for feedback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from jobsai.errors import StoreError
from jobsai.store.schema import match_session_ads, match_sessions
from jobsai.timeutil import ensure_utc


@dataclass(frozen=True, slots=True)
class StoredSession:
    session_id: str
    deletion_token_hash: str
    cv_text_redacted: str
    model_version: str
    language: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class StoredShown:
    """One ad a session was shown, as it was shown."""

    rank: int
    score: int
    raw_score: float | None
    filters: dict[str, Any] | None


def create_session(
    conn: Connection,
    *,
    session_id: str,
    deletion_token_hash: str,
    cv_text_redacted: str,
    model_version: str,
    language: str,
    now: datetime,
    ttl_s: float,
) -> None:
    now = ensure_utc(now)
    conn.execute(match_sessions.insert().values(
        session_id=session_id, deletion_token_hash=deletion_token_hash, cv_text_redacted=cv_text_redacted,
        model_version=model_version, language=language, created_at=now, expires_at=now + timedelta(seconds=ttl_s),
    ))


def touch(conn: Connection, session_id: str, now: datetime, ttl_s: float) -> bool:
    """Renew a live session's expiry; False when it is gone (expired, deleted, never stored)."""
    now = ensure_utc(now)
    result = conn.execute(
        update(match_sessions)
        .where(match_sessions.c.session_id == session_id, match_sessions.c.expires_at > now)
        .values(expires_at=now + timedelta(seconds=ttl_s))
    )
    return bool(result.rowcount)


def add_shown(
    conn: Connection, session_id: str, shown: Mapping[str, StoredShown], now: datetime, ttl_s: float
) -> bool:
    """Record (or refresh) the ads a live session was shown, and renew it; False when the session is gone."""
    if not touch(conn, session_id, now, ttl_s):
        return False
    if not shown:
        return True
    rows = [{"session_id": session_id, "ad_id": ad_id, "rank": s.rank, "score": s.score, "raw_score": s.raw_score,
             "filters": dict(s.filters) if s.filters is not None else None} for ad_id, s in shown.items()]
    dialect = conn.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise StoreError(f"unsupported database backend {dialect!r}")
    stmt: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(match_session_ads)
    stmt = stmt.on_conflict_do_update(
        index_elements=[match_session_ads.c.session_id, match_session_ads.c.ad_id],
        set_={k: stmt.excluded[k] for k in ("rank", "score", "raw_score", "filters")},
    )
    conn.execute(stmt, rows)
    return True


def get_session(conn: Connection, session_id: str, now: datetime) -> StoredSession | None:
    """The live session (None when expired or unknown)."""
    row = conn.execute(
        select(match_sessions).where(match_sessions.c.session_id == session_id,
                                     match_sessions.c.expires_at > ensure_utc(now))
    ).first()
    if row is None:
        return None
    return StoredSession(row.session_id, row.deletion_token_hash, row.cv_text_redacted, row.model_version,
                         row.language, row.created_at, row.expires_at)


def get_shown(conn: Connection, session_id: str, ad_id: str) -> StoredShown | None:
    row = conn.execute(
        select(match_session_ads).where(match_session_ads.c.session_id == session_id,
                                        match_session_ads.c.ad_id == ad_id)
    ).first()
    if row is None:
        return None
    return StoredShown(int(row.rank), int(row.score), row.raw_score, row.filters)


def delete_by_token_hash(conn: Connection, deletion_token_hash: str) -> int:
    """Delete every session under a deletion token (with the ads they were shown); how many."""
    ids = [r[0] for r in conn.execute(
        select(match_sessions.c.session_id).where(match_sessions.c.deletion_token_hash == deletion_token_hash))]
    return _delete_ids(conn, ids)


def existing(conn: Connection, session_ids: Iterable[str], now: datetime | None = None) -> set[str]:
    """Which of these sessions are in the database (with ``now``: and not expired)."""
    ids = list(session_ids)
    out: set[str] = set()
    for start in range(0, len(ids), 500):
        query = select(match_sessions.c.session_id).where(match_sessions.c.session_id.in_(ids[start:start + 500]))
        if now is not None:
            query = query.where(match_sessions.c.expires_at > ensure_utc(now))
        out.update(r[0] for r in conn.execute(query))
    return out


def sweep(conn: Connection, now: datetime, limit: int = 5000) -> int:
    """Delete expired sessions (at most ``limit`` per call, so one sweep never holds the write lock for long)."""
    ids = [r[0] for r in conn.execute(
        select(match_sessions.c.session_id).where(match_sessions.c.expires_at <= ensure_utc(now)).limit(limit))]
    return _delete_ids(conn, ids)


def count_sessions(conn: Connection) -> int:
    from sqlalchemy import func

    return int(conn.execute(select(func.count()).select_from(match_sessions)).scalar_one())


def _delete_ids(conn: Connection, ids: list[str]) -> int:
    """Children first: SQLite enforces ON DELETE CASCADE only with foreign keys on, so do not rely on it."""
    n = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        conn.execute(delete(match_session_ads).where(match_session_ads.c.session_id.in_(chunk)))
        n += conn.execute(delete(match_sessions).where(match_sessions.c.session_id.in_(chunk))).rowcount or 0
    return n
