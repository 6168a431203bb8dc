"""SQL tables of the system of record (SQLAlchemy Core).

Everything the program knows can be rebuilt from these tables: the ads as received (raw JSON
plus normalised columns for filtering), ingestion checkpoints and runs, and the registry of
vector indexes. Alembic migrations in ``migrations/versions`` create exactly this schema; a
test compares the two.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    or_,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from jobsai.timeutil import ensure_utc

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names, so later migrations can refer to them on every engine."""

metadata = MetaData(naming_convention=NAMING_CONVENTION)

REMOVED_REASONS = ("removed", "expired", "snapshot")
RUN_KINDS = ("snapshot", "stream", "file")
RUN_STATUSES = ("running", "complete", "failed")
INDEX_STATUSES = ("building", "active", "retired")
FEEDBACK_LABELS = ("relevant", "not_relevant")
MODEL_STATUSES = ("candidate", "champion", "rejected", "retired")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned tz-aware in UTC.

    SQLite has no time zones and hands back naive values; PostgreSQL returns the session's
    zone. Naive input is taken to be UTC (the convention of :func:`jobsai.timeutil.ensure_utc`).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        value = ensure_utc(value)
        if dialect.name == "sqlite":
            # SQLite stores text; drop the zone so every stored value has one format and
            # compares correctly as a string.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return ensure_utc(value)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


AUTO_ID = BigInteger().with_variant(Integer(), "sqlite")
"""A BigInteger key that still autoincrements on SQLite (only INTEGER PRIMARY KEY does)."""

ads = Table(
    "ads",
    metadata,
    Column("id", String, primary_key=True),
    Column("content_hash", String(64), nullable=False),
    Column("raw", Text, nullable=False),
    Column("headline", Text, nullable=False),
    Column("employer_name", Text),
    Column("occupation_id", String),
    Column("occupation_label", Text),
    Column("occupation_group_id", String),
    Column("occupation_group_label", Text),
    Column("occupation_field_id", String),
    Column("occupation_field_label", Text),
    Column("employment_type_id", String),
    Column("employment_type_label", Text),
    Column("working_hours_type_id", String),
    Column("working_hours_type_label", Text),
    Column("municipality_id", String),
    Column("municipality_label", Text),
    Column("region_id", String),
    Column("region_label", Text),
    Column("country_id", String),
    Column("published_at", UTCDateTime),
    Column("last_publication_at", UTCDateTime),
    Column("application_deadline", UTCDateTime),
    Column("source_updated_at", UTCDateTime),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("removed_at", UTCDateTime),
    Column("removed_reason", String(16)),
    Column("indexed_hash", String(64)),
    Column("snapshot_run", BigInteger),
    CheckConstraint(
        "removed_reason IS NULL OR " + _in("removed_reason", REMOVED_REASONS), name="removed_reason"
    ),
    CheckConstraint("(removed_at IS NULL) = (removed_reason IS NULL)", name="removed_consistent"),
    Index(None, "last_publication_at"),
    Index(None, "occupation_id"),
    Index(None, "municipality_id"),
)
"""One row per ad ever seen. ``removed_at IS NULL`` means live; removed ads are kept (soft delete)."""

ADS_LIVE = ads.c.removed_at.is_(None)
ADS_PENDING_INDEX = and_(ADS_LIVE, or_(ads.c.indexed_hash.is_(None), ads.c.indexed_hash != ads.c.content_hash))
ADS_PENDING_UNINDEX = and_(ads.c.removed_at.is_not(None), ads.c.indexed_hash.is_not(None))
"""Live ads; ads the vector index lacks in their current version; removed ads it still holds.

Each is both a partial index on ``id`` below and the WHERE term of ``store.ads``'s queries, so
the two cannot drift apart (SQLite uses a partial index only when the query repeats its terms).
A plain index on removed_at made SQLite's planner fetch every live ad and sort them for each
keyset page (~130 ms at 50k ads)."""
for _name, _where in (("ix_ads_live", ADS_LIVE), ("ix_ads_pending_index", ADS_PENDING_INDEX),
                      ("ix_ads_pending_unindex", ADS_PENDING_UNINDEX)):
    Index(_name, ads.c.id, sqlite_where=_where, postgresql_where=_where)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("value", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
"""Named instants, e.g. how far the incremental JobStream feed has been read."""

ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("status", String(16), nullable=False),
    Column("counts", JSON),
    Column("window_after", UTCDateTime),
    Column("window_before", UTCDateTime),
    CheckConstraint(_in("kind", RUN_KINDS), name="kind"),
    CheckConstraint(_in("status", RUN_STATUSES), name="status"),
)
"""Every ingestion attempt, so status pages and the next run know what happened."""

indexes = Table(
    "indexes",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("backend", String(32), nullable=False),
    Column("model_name", Text, nullable=False),
    Column("model_sha256", String(64), nullable=False),
    Column("dim", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("activated_at", UTCDateTime),
    Column("point_count", BigInteger),
    # How to load the model again (a folder or id ``Embedder.load`` accepts) and which kind of
    # vectors it made (fp32, or an int8 export's); NULL only for rows from before revision 0006.
    Column("model_spec", Text),
    Column("vectors", String(32), nullable=False, server_default="fp32"),
    CheckConstraint(_in("status", INDEX_STATUSES), name="status"),
    CheckConstraint("dim > 0", name="dim_positive"),
    # At most one active index, enforced by the database even under concurrent activations.
    Index(
        "uq_indexes_one_active",
        "status",
        unique=True,
        sqlite_where=text("status = 'active'"),
        postgresql_where=text("status = 'active'"),
    ),
)
"""Vector indexes and the model that built each; exactly one is active for queries."""

skipped_ads = Table(
    "skipped_ads",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("run_id", BigInteger, ForeignKey("ingest_runs.id", ondelete="CASCADE"), nullable=False),
    Column("ad_id", String),
    Column("reason", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "run_id"),
)
"""Malformed records that ingestion skipped, with the reason, per run."""

feedback = Table(
    "feedback",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("session_id", String(64), nullable=False),
    Column("ad_id", String, nullable=False),
    Column("ad_text", Text, nullable=False),
    Column("cv_text_redacted", Text),
    Column("consent", Boolean, nullable=False),
    Column("label", String(16), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("score", Integer, nullable=False),
    Column("raw_score", Float),
    Column("model_version", String(200), nullable=False),
    Column("filters", JSON),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("deletion_token_hash", String(64), nullable=False),
    UniqueConstraint("session_id", "ad_id"),
    CheckConstraint(_in("label", FEEDBACK_LABELS), name="label"),
    CheckConstraint("rank > 0", name="rank_positive"),
    CheckConstraint("consent OR cv_text_redacted IS NULL", name="cv_needs_consent"),
    Index(None, "deletion_token_hash"),
)
"""Relevance feedback from the web app: one row per (pseudonymous session, ad); the latest click wins.

``ad_text`` is the text the model embedded for the ad (title text, a blank line, body text),
so training sees what serving saw. ``cv_text_redacted`` is set only with the person's consent
(the database refuses it otherwise) and only in redacted form. ``deletion_token_hash`` is the
sha256 of the secret token the person holds to delete every row they gave.
"""

model_registry = Table(
    "model_registry",
    metadata,
    Column("version", String(100), primary_key=True),
    Column("base", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("metrics", JSON),
    Column("data_sizes", JSON),
    Column("reason", Text),
    Column("promoted_at", UTCDateTime),
    CheckConstraint(_in("status", MODEL_STATUSES), name="status"),
    # At most one champion, enforced by the database even under concurrent promotions.
    Index(
        "uq_model_registry_one_champion",
        "status",
        unique=True,
        sqlite_where=text("status = 'champion'"),
        postgresql_where=text("status = 'champion'"),
    ),
)
"""Every trained model, promoted or not: its base, folder, gate metrics, data sizes and the gate's reason."""

match_sessions = Table(
    "match_sessions",
    metadata,
    Column("session_id", String(64), primary_key=True),
    Column("deletion_token_hash", String(64), nullable=False),
    Column("cv_text_redacted", Text, nullable=False),
    Column("model_version", String(200), nullable=False),
    Column("language", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index(None, "deletion_token_hash"),
    Index(None, "expires_at"),
)
"""Web match sessions, so any replica can take a feedback, consent or deletion call: the *redacted* CV (stored
with feedback only with consent), the model version, the sha256 of the deletion token (never the token) and a
sliding expiry (``JOBSAI_WEB_SESSION_TTL_S`` after last use); expired rows are swept by every web process."""

match_session_ads = Table(
    "match_session_ads",
    metadata,
    Column("session_id", String(64), ForeignKey("match_sessions.session_id", ondelete="CASCADE"),
           primary_key=True),
    Column("ad_id", String, primary_key=True),
    Column("rank", Integer, nullable=False),
    Column("score", Integer, nullable=False),
    Column("raw_score", Float),
    Column("filters", JSON),
)
"""The ads a session was shown (what its feedback may name), as they were shown: rank, score, filters."""

rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("count", BigInteger, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index(None, "expires_at"),
)
"""Rate-limit window counters shared by the web replicas when there is no Redis (``limits``' sliding window
counter; ``expires_at`` in epoch seconds). Minutes-lived; swept by every web process."""


# -- job alerts (issue 12) -----------------------------------------------------------------------

ALERT_CHANNELS = ("email", "feed")
ALERT_STATUSES = ("pending", "active", "paused", "needs_refresh")
ALERT_FREQUENCIES = ("instant", "daily")
ALERT_DELIVERY_STATUSES = ("queued", "sending", "sent", "failed", "skipped", "feed")

alerts = Table(
    "alerts",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("token_nonce", String(64), nullable=False),
    Column("manage_token_hash", String(64), nullable=False, unique=True),
    Column("read_token_hash", String(64), nullable=False, unique=True),
    Column("confirm_token_hash", String(64)),
    Column("session_token_hash", String(64)),
    Column("channel", String(8), nullable=False),
    Column("email", Text),
    Column("status", String(16), nullable=False),
    Column("paused_reason", String(32)),
    Column("language", String(8), nullable=False),
    Column("filters", JSON, nullable=False),
    Column("level", String(16), nullable=False),
    Column("thresholds", JSON, nullable=False),
    Column("frequency", String(8), nullable=False),
    Column("title_line", Text),
    Column("model_fingerprint", String(200), nullable=False),
    Column("dim", Integer, nullable=False),
    Column("n_chunks", Integer, nullable=False),
    Column("vectors", LargeBinary, nullable=False),
    Column("consent_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("confirmed_at", UTCDateTime),
    Column("last_opened_at", UTCDateTime, nullable=False),
    Column("expiry_notice_at", UTCDateTime),
    Column("refresh_notice_at", UTCDateTime),
    Column("last_message_at", UTCDateTime),
    Column("failures", Integer, nullable=False, server_default=text("0")),
    CheckConstraint(_in("channel", ALERT_CHANNELS), name="channel"),
    CheckConstraint(_in("status", ALERT_STATUSES), name="status"),
    CheckConstraint(_in("frequency", ALERT_FREQUENCIES), name="frequency"),
    CheckConstraint("channel <> 'email' OR email IS NOT NULL", name="email_needs_address"),
    Index(None, "status"),
    Index(None, "email"),
    Index(None, "session_token_hash"),
)
"""Saved job alerts, each made from one match with the person's explicit consent: the CV's vectors
(float32: profile, headline, chunks; **never its text**) under the fingerprint of the model that made
them, the redacted title/goal line for the explanation, the resolved filters, the score thresholds, and
the address for e-mail alerts. Tokens are never stored: each is an HMAC of ``token_nonce`` under the
server's alert key (so mails can carry them again), and only its sha256 is kept for look-ups: ``manage``
(pause, change, delete), ``read`` (the Atom feed and the ad links), ``confirm`` (until confirmed).
``session_token_hash`` is the hash of the match's deletion token: deleting what that token gave deletes the
alert too."""

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("alert_id", BigInteger, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("ad_id", String, nullable=False),
    Column("score", Integer, nullable=False),
    Column("why", Text, nullable=False),
    Column("status", String(8), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("message_id", String(200)),
    UniqueConstraint("alert_id", "ad_id"),
    CheckConstraint(_in("status", ALERT_DELIVERY_STATUSES), name="status"),
    Index(None, "status"),
)
"""One row per (alert, ad) ever queued: the row *is* the "already told" mark, so an ad is never queued
twice for an alert (the unique key), and it is written in the same transaction that queues it."""

alert_messages = Table(
    "alert_messages",
    metadata,
    Column("id", AUTO_ID, primary_key=True, autoincrement=True),
    Column("recipient_hash", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("sent_at", UTCDateTime, nullable=False),
    Index(None, "recipient_hash", "sent_at"),
)
"""Every e-mail sent (by the sha256 of the address, not the address): the per-recipient daily cap."""
