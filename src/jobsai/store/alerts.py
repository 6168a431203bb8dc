"""Job alerts in SQL: the saved profiles, their delivery queue and the per-recipient send log.

Only functions of a connection: the caller owns the transaction, so "queue an ad and mark it told"
is one transaction (the unique ``(alert_id, ad_id)`` row is both). Tokens arrive here already hashed
or are hashed here; the tokens themselves are never stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from jobsai.store.schema import alert_deliveries, alert_messages, alerts
from jobsai.timeutil import utcnow


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def recipient_hash(email: str) -> str:
    """What the send log keeps of an address (case-folded, so the cap cannot be dodged by case)."""
    return sha256(email.strip().casefold())


@dataclass(frozen=True, slots=True)
class AlertRow:
    id: int
    token_nonce: str
    channel: str
    email: str | None
    status: str
    paused_reason: str | None
    language: str
    filters: dict[str, list[str]]
    level: str
    thresholds: dict[str, int]
    frequency: str
    title_line: str | None
    model_fingerprint: str
    dim: int
    n_chunks: int
    vectors: bytes
    created_at: datetime
    confirmed_at: datetime | None
    last_opened_at: datetime
    expiry_notice_at: datetime | None
    refresh_notice_at: datetime | None
    last_message_at: datetime | None
    failures: int

    @property
    def min_score(self) -> int:
        return int(self.thresholds[self.level])


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    id: int
    alert_id: int
    ad_id: str
    score: int
    why: str
    status: str
    created_at: datetime
    attempts: int
    sent_at: datetime | None


_ALERT_COLUMNS = [alerts.c[f] for f in AlertRow.__dataclass_fields__]
_DELIVERY_COLUMNS = [alert_deliveries.c[f] for f in DeliveryRow.__dataclass_fields__]


def _alert(row: Any) -> AlertRow:
    return AlertRow(**{f: getattr(row, f) for f in AlertRow.__dataclass_fields__})


def _delivery(row: Any) -> DeliveryRow:
    return DeliveryRow(**{f: getattr(row, f) for f in DeliveryRow.__dataclass_fields__})


def insert_alert(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(alerts.insert().values(**values).returning(alerts.c.id))
    return int(result.scalar_one())


def by_manage_token(conn: Connection, token: str) -> AlertRow | None:
    row = conn.execute(select(*_ALERT_COLUMNS).where(alerts.c.manage_token_hash == sha256(token))).first()
    return _alert(row) if row is not None else None


def by_read_token(conn: Connection, token: str) -> AlertRow | None:
    row = conn.execute(select(*_ALERT_COLUMNS).where(alerts.c.read_token_hash == sha256(token))).first()
    return _alert(row) if row is not None else None


def by_confirm_token(conn: Connection, token: str) -> AlertRow | None:
    row = conn.execute(select(*_ALERT_COLUMNS).where(alerts.c.confirm_token_hash == sha256(token))).first()
    return _alert(row) if row is not None else None


def get_alert(conn: Connection, alert_id: int) -> AlertRow | None:
    row = conn.execute(select(*_ALERT_COLUMNS).where(alerts.c.id == alert_id)).first()
    return _alert(row) if row is not None else None


def update_alert(conn: Connection, alert_id: int, **values: Any) -> bool:
    return conn.execute(update(alerts).where(alerts.c.id == alert_id).values(**values)).rowcount > 0


def delete_alert(conn: Connection, alert_id: int) -> int:
    """Delete an alert and (explicitly, so no engine's foreign-key setting matters) everything queued for it."""
    conn.execute(delete(alert_deliveries).where(alert_deliveries.c.alert_id == alert_id))
    return conn.execute(delete(alerts).where(alerts.c.id == alert_id)).rowcount


def delete_by_session_token_hash(conn: Connection, token_hash: str) -> int:
    """Delete every alert made from a match whose deletion token hashes to this (the person deleted their data)."""
    ids = conn.execute(select(alerts.c.id).where(alerts.c.session_token_hash == token_hash)).scalars().all()
    return sum(delete_alert(conn, alert_id) for alert_id in ids)


def count_for_address(conn: Connection, email: str) -> int:
    wanted = email.strip().casefold()
    return int(conn.execute(select(func.count()).select_from(alerts)
                            .where(func.lower(alerts.c.email) == wanted)).scalar_one())


def iter_active(conn: Connection, batch: int = 2000) -> Iterator[list[AlertRow]]:
    """Alerts to score, in id order, ``batch`` at a time (keyset pages: 100k profiles never sit in memory at once).

    Active ones and those waiting for their confirmation: an ad that arrives between the alert and the click
    is news to the person too (it is queued, and sent only once the address is confirmed)."""
    after = 0
    while True:
        rows = conn.execute(select(*_ALERT_COLUMNS).where(alerts.c.status.in_(("active", "pending")),
                                                          alerts.c.id > after)
                            .order_by(alerts.c.id).limit(batch)).all()
        if not rows:
            return
        yield [_alert(r) for r in rows]
        after = rows[-1].id


def alerts_where(conn: Connection, *conditions: Any) -> list[AlertRow]:
    return [_alert(r) for r in conn.execute(select(*_ALERT_COLUMNS).where(*conditions).order_by(alerts.c.id))]


def queue(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert (alert, ad) deliveries; a pair that exists already is left as it is. Returns rows inserted."""
    if not rows:
        return 0
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        stmt = insert(alert_deliveries).on_conflict_do_nothing(index_elements=["alert_id", "ad_id"])
        # One statement per row: an executemany's rowcount is not the rows inserted on every driver.
        return sum(max(0, conn.execute(stmt, row).rowcount or 0) for row in rows)
    n = 0  # pragma: no cover - other engines
    for row in rows:  # pragma: no cover
        found = conn.execute(select(alert_deliveries.c.id).where(
            alert_deliveries.c.alert_id == row["alert_id"], alert_deliveries.c.ad_id == row["ad_id"])).first()
        if found is None:
            conn.execute(alert_deliveries.insert().values(**row))
            n += 1
    return n


def due_deliveries(conn: Connection, alert_id: int, now: datetime) -> list[DeliveryRow]:
    """Queued rows of one alert whose retry time has come, best first."""
    cond = and_(alert_deliveries.c.alert_id == alert_id, alert_deliveries.c.status == "queued",
                or_(alert_deliveries.c.next_attempt_at.is_(None), alert_deliveries.c.next_attempt_at <= now))
    rows = conn.execute(select(*_DELIVERY_COLUMNS).where(cond)
                        .order_by(alert_deliveries.c.score.desc(), alert_deliveries.c.id))
    return [_delivery(r) for r in rows]


def alerts_with_due(conn: Connection, now: datetime) -> list[int]:
    """Ids of alerts with queued rows whose retry time has come."""
    cond = and_(alert_deliveries.c.status == "queued",
                or_(alert_deliveries.c.next_attempt_at.is_(None), alert_deliveries.c.next_attempt_at <= now))
    return [int(r[0]) for r in conn.execute(select(alert_deliveries.c.alert_id).where(cond).distinct()
                                            .order_by(alert_deliveries.c.alert_id))]


def set_delivery_status(conn: Connection, ids: Iterable[int], **values: Any) -> int:
    ids = list(ids)
    if not ids:
        return 0
    return conn.execute(update(alert_deliveries).where(alert_deliveries.c.id.in_(ids)).values(**values)).rowcount


def claim(conn: Connection, ids: Sequence[int], message_id: str, now: datetime) -> int:
    """Mark queued rows as being sent in one message; only rows still queued are taken (a second sender
    that raced here takes none of them)."""
    return conn.execute(update(alert_deliveries)
                        .where(alert_deliveries.c.id.in_(list(ids)), alert_deliveries.c.status == "queued")
                        .values(status="sending", message_id=message_id, sent_at=now)).rowcount


def feed_entries(conn: Connection, alert_id: int, limit: int = 50) -> list[DeliveryRow]:
    rows = conn.execute(select(*_DELIVERY_COLUMNS)
                        .where(alert_deliveries.c.alert_id == alert_id, alert_deliveries.c.status == "feed")
                        .order_by(alert_deliveries.c.created_at.desc(), alert_deliveries.c.id.desc()).limit(limit))
    return [_delivery(r) for r in rows]


def deliveries(conn: Connection, alert_id: int | None = None) -> list[DeliveryRow]:
    stmt = select(*_DELIVERY_COLUMNS).order_by(alert_deliveries.c.id)
    if alert_id is not None:
        stmt = stmt.where(alert_deliveries.c.alert_id == alert_id)
    return [_delivery(r) for r in conn.execute(stmt)]


def log_message(conn: Connection, email: str, kind: str, now: datetime | None = None) -> None:
    conn.execute(alert_messages.insert().values(recipient_hash=recipient_hash(email), kind=kind,
                                                sent_at=now or utcnow()))


def messages_since(conn: Connection, email: str, since: datetime) -> int:
    return int(conn.execute(select(func.count()).select_from(alert_messages).where(
        alert_messages.c.recipient_hash == recipient_hash(email), alert_messages.c.sent_at > since)).scalar_one())


def purge_message_log(conn: Connection, before: datetime) -> int:
    return conn.execute(delete(alert_messages).where(alert_messages.c.sent_at < before)).rowcount
