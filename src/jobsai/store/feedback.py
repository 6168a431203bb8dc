"""Relevance feedback in the system of record: what a person said about an ad, and nothing more.

Why it looks like this (the original stored every click as a new row with the full raw CV,
keyed on the job id only, forever):

* one row per (pseudonymous session, ad): a person who changes their mind overwrites their
  own answer, and two people judging the same ad never collapse into one row;
* the CV text is stored only with consent and only redacted; the table refuses a CV
  without consent (a CHECK constraint), so a bug higher up cannot store one by accident;
* every row carries the sha256 of a secret deletion token; the person holds the token and
  :func:`delete_by_token` really deletes their rows (no soft delete);
* the row keeps what training needs to reproduce the situation: the ad text as embedded,
  rank, score, the model's version and the filters in force.

Every function takes a connection inside a transaction (see :meth:`Database.begin`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from jobsai.store.schema import FEEDBACK_LABELS, feedback
from jobsai.timeutil import ensure_utc, utcnow

Label = Literal["relevant", "not_relevant"]
TOKEN_BYTES = 32


def new_session_id() -> str:
    """A random, meaningless id for one match session (pseudonymous: it names no one)."""
    return secrets.token_urlsafe(18)


def new_deletion_token() -> str:
    """A secret the person keeps to delete what they gave (256 bits: not guessable)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """What the database keeps instead of the token, so a leaked table cannot delete anything.

    A plain sha256 is enough: the token is 256 random bits, nothing to brute-force. A
    :class:`HashedToken` is already the hash and is returned as it is.
    """
    if isinstance(token, HashedToken):
        return str(token)
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class HashedToken(str):
    """A deletion token's hash standing in for the token: what a web replica knows of a session that
    another replica opened (the session table keeps only the hash). Every function here that takes a
    token accepts it, and stores or matches the hash unchanged."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class FeedbackEntry:
    """One judgement to store. ``cv_text_redacted`` must be None unless ``consent`` is True."""

    session_id: str
    ad_id: str
    ad_text: str
    label: Label
    rank: int
    score: int
    model_version: str
    deletion_token: str
    consent: bool = False
    cv_text_redacted: str | None = None
    raw_score: float | None = None
    filters: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.label not in FEEDBACK_LABELS:
            raise ValueError(f"label must be one of {', '.join(FEEDBACK_LABELS)}")
        if self.cv_text_redacted is not None and not self.consent:
            raise ValueError("a CV may be stored only with consent")
        if self.rank < 1:
            raise ValueError("rank is 1-based")


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    id: int
    session_id: str
    ad_id: str
    ad_text: str
    cv_text_redacted: str | None
    consent: bool
    label: str
    rank: int
    score: int
    raw_score: float | None
    model_version: str
    filters: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    deletion_token_hash: str


def record_feedback(conn: Connection, entry: FeedbackEntry, *, now: datetime | None = None) -> None:
    """Store a judgement; an earlier one for the same (session, ad) is overwritten (latest wins).

    Consent is the session's current answer, so it is applied to all of the session's rows:
    with consent they all carry this session's redacted CV, without it none of them does
    (and the rows of every session under the same deletion token lose theirs too: unticking
    the box withdraws consent for everything given so far).
    """
    now = ensure_utc(now) if now else utcnow()
    token_hash = hash_token(entry.deletion_token)
    values: dict[str, Any] = {
        "session_id": entry.session_id,
        "ad_id": entry.ad_id,
        "ad_text": entry.ad_text,
        "cv_text_redacted": entry.cv_text_redacted if entry.consent else None,
        "consent": entry.consent,
        "label": entry.label,
        "rank": entry.rank,
        "score": entry.score,
        "raw_score": entry.raw_score,
        "model_version": entry.model_version,
        "filters": dict(entry.filters) if entry.filters is not None else None,
        "created_at": now,
        "updated_at": now,
        "deletion_token_hash": token_hash,
    }
    changing = {k: v for k, v in values.items() if k not in ("session_id", "ad_id", "created_at")}
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        stmt = insert(feedback).values(**values)
        conn.execute(stmt.on_conflict_do_update(index_elements=["session_id", "ad_id"], set_=changing))
    else:  # pragma: no cover - other engines: read, then write, inside the caller's transaction
        found = conn.execute(
            select(feedback.c.id).where(feedback.c.session_id == entry.session_id, feedback.c.ad_id == entry.ad_id)
        ).first()
        if found is None:
            conn.execute(feedback.insert().values(**values))
        else:
            conn.execute(update(feedback).where(feedback.c.id == found.id).values(**changing))
    if entry.consent:
        apply_consent(conn, entry.session_id, entry.cv_text_redacted, now=now)
    else:
        withdraw_consent(conn, entry.deletion_token, now=now)


def apply_consent(
    conn: Connection, session_id: str, cv_text_redacted: str | None, *, now: datetime | None = None
) -> int:
    """Consent given: every row of this session carries this session's (redacted) CV.

    Only the session's own rows: another session under the same token had another CV.
    Returns how many rows were changed.
    """
    now = ensure_utc(now) if now else utcnow()
    result = conn.execute(
        update(feedback)
        .where(
            feedback.c.session_id == session_id,
            or_(
                feedback.c.consent.is_(False),
                feedback.c.cv_text_redacted.is_(None),
                feedback.c.cv_text_redacted != cv_text_redacted,
            ),
        )
        .values(consent=True, cv_text_redacted=cv_text_redacted, updated_at=now)
    )
    return result.rowcount


def withdraw_consent(conn: Connection, token: str, *, now: datetime | None = None) -> int:
    """Remove the CV text from every row given under this token; the judgements stay.

    Returns how many rows held a CV until now.
    """
    now = ensure_utc(now) if now else utcnow()
    result = conn.execute(
        update(feedback)
        .where(feedback.c.deletion_token_hash == hash_token(token), feedback.c.consent.is_(True))
        .values(consent=False, cv_text_redacted=None, updated_at=now)
    )
    return result.rowcount


def delete_by_token(conn: Connection, token: str) -> int:
    """Delete every row given under this token (all of that person's sessions); returns the count."""
    result = conn.execute(delete(feedback).where(feedback.c.deletion_token_hash == hash_token(token)))
    return result.rowcount


def count_feedback(conn: Connection, *, session_id: str | None = None, token: str | None = None) -> int:
    """Rows in total, or of one session, or given under one deletion token."""
    query = select(func.count()).select_from(feedback)
    if session_id is not None:
        query = query.where(feedback.c.session_id == session_id)
    if token is not None:
        query = query.where(feedback.c.deletion_token_hash == hash_token(token))
    return int(conn.execute(query).scalar_one())


def get_feedback(
    conn: Connection, *, session_id: str | None = None, ad_id: str | None = None
) -> list[FeedbackRow]:
    """Stored rows, oldest first, optionally of one session and/or one ad (for training and tests)."""
    query = select(feedback).order_by(feedback.c.id)
    if session_id is not None:
        query = query.where(feedback.c.session_id == session_id)
    if ad_id is not None:
        query = query.where(feedback.c.ad_id == ad_id)
    return [
        FeedbackRow(
            id=int(r.id),
            session_id=r.session_id,
            ad_id=r.ad_id,
            ad_text=r.ad_text,
            cv_text_redacted=r.cv_text_redacted,
            consent=bool(r.consent),
            label=r.label,
            rank=int(r.rank),
            score=int(r.score),
            raw_score=r.raw_score,
            model_version=r.model_version,
            filters=r.filters,
            created_at=r.created_at,
            updated_at=r.updated_at,
            deletion_token_hash=r.deletion_token_hash,
        )
        for r in conn.execute(query)
    ]


def purge_cv_text(conn: Connection, older_than: datetime) -> int:
    """Retention: delete the stored (consented, redacted) CV text of feedback created before
    ``older_than``; the judgement itself (ad, label, rank) stays. Returns rows cleared.

    The row's ``created_at`` counts (the moment the CV was matched), so a later consent never
    extends how long a CV is kept.
    """
    result = conn.execute(
        update(feedback)
        .where(feedback.c.cv_text_redacted.is_not(None), feedback.c.created_at < older_than)
        .values(cv_text_redacted=None)
    )
    return int(result.rowcount or 0)
