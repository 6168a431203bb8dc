"""Ingestion bookkeeping and the index registry.

Checkpoints say how far a feed has been read; ingest runs record each attempt with its
counts; skipped ads keep the reason a record was rejected; the index registry says which
vector index answers queries and which model built it. All functions take a Connection
inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from jobsai.errors import StoreError
from jobsai.store.schema import (
    RUN_KINDS,
    RUN_STATUSES,
    checkpoints,
    indexes,
    ingest_runs,
    skipped_ads,
)
from jobsai.timeutil import ensure_utc, utcnow

RunKind = Literal["snapshot", "stream", "file"]
RunStatus = Literal["running", "complete", "failed"]
IndexStatus = Literal["building", "active", "retired"]

MAX_REASON_CHARS = 2000
"""Skip reasons are short parser messages; cap them so one odd record cannot bloat the table."""


@dataclass(frozen=True, slots=True)
class IngestRun:
    id: int
    kind: RunKind
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, int]
    window_after: datetime | None
    window_before: datetime | None


@dataclass(frozen=True, slots=True)
class SkippedAd:
    run_id: int
    ad_id: str | None
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class IndexRecord:
    """A vector index and the exact model that built it (queries must use the same model)."""

    name: str
    backend: str
    model_name: str
    model_sha256: str
    dim: int
    status: IndexStatus
    created_at: datetime
    activated_at: datetime | None
    point_count: int | None


def _upsert(conn: Connection, table: Any, key: str, values: dict[str, Any]) -> None:
    """INSERT … ON CONFLICT DO UPDATE on SQLite and PostgreSQL (race-free, one statement)."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
    else:
        raise StoreError(f"unsupported database backend {dialect!r}")
    stmt = stmt.values(values)
    changes = {k: stmt.excluded[k] for k in values if k != key}
    conn.execute(stmt.on_conflict_do_update(index_elements=[table.c[key]], set_=changes))


# -- checkpoints ------------------------------------------------------------------------------


def get_checkpoint(conn: Connection, name: str) -> datetime | None:
    """The instant a feed was read up to (UTC), or ``None`` before its first run."""
    return conn.execute(select(checkpoints.c.value).where(checkpoints.c.name == name)).scalar_one_or_none()


def set_checkpoint(conn: Connection, name: str, value: datetime) -> None:
    """Move a checkpoint; commit it in the same transaction as the ads it covers."""
    _upsert(conn, checkpoints, "name", {"name": name, "value": ensure_utc(value), "updated_at": utcnow()})


# -- ingest runs ------------------------------------------------------------------------------


def _run_from_row(row: Row[Any]) -> IngestRun:
    return IngestRun(
        id=int(row.id),
        kind=row.kind,
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        counts=dict(row.counts or {}),
        window_after=row.window_after,
        window_before=row.window_before,
    )


def start_run(
    conn: Connection,
    kind: RunKind,
    *,
    window_after: datetime | None = None,
    window_before: datetime | None = None,
    now: datetime | None = None,
) -> int:
    """Record the start of an ingestion run and return its id.

    Commit this in its own short transaction, so a crash leaves a visible 'running' row.
    """
    if kind not in RUN_KINDS:
        raise ValueError(f"unknown run kind {kind!r}")
    result = conn.execute(
        insert(ingest_runs).values(
            kind=kind,
            status="running",
            started_at=ensure_utc(now) if now else utcnow(),
            counts={},
            window_after=window_after,
            window_before=window_before,
        )
    )
    key = result.inserted_primary_key
    if key is None:
        raise StoreError("the database did not return the new run's id")
    return int(key[0])


def finish_run(
    conn: Connection,
    run_id: int,
    status: RunStatus,
    counts: Mapping[str, int] | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """Close a run as 'complete' or 'failed' with its counts (inserted/updated/…/skipped)."""
    if status not in RUN_STATUSES or status == "running":
        raise ValueError(f"a run finishes as 'complete' or 'failed', not {status!r}")
    values: dict[str, Any] = {"status": status, "finished_at": ensure_utc(now) if now else utcnow()}
    if counts is not None:
        values["counts"] = {str(k): int(v) for k, v in counts.items()}
    result = conn.execute(update(ingest_runs).where(ingest_runs.c.id == run_id).values(values))
    if result.rowcount != 1:
        raise StoreError(f"ingest run {run_id} does not exist")


def get_run(conn: Connection, run_id: int) -> IngestRun | None:
    row = conn.execute(select(ingest_runs).where(ingest_runs.c.id == run_id)).one_or_none()
    return _run_from_row(row) if row is not None else None


def last_successful_run(conn: Connection, kind: RunKind | None = None) -> IngestRun | None:
    """The most recently finished complete run (of one kind), e.g. to decide on a snapshot."""
    query = select(ingest_runs).where(ingest_runs.c.status == "complete")
    if kind is not None:
        query = query.where(ingest_runs.c.kind == kind)
    row = conn.execute(
        query.order_by(ingest_runs.c.finished_at.desc(), ingest_runs.c.id.desc()).limit(1)
    ).one_or_none()
    return _run_from_row(row) if row is not None else None


def recent_runs(conn: Connection, limit: int = 20) -> list[IngestRun]:
    """The latest runs, newest first (status pages)."""
    rows = conn.execute(select(ingest_runs).order_by(ingest_runs.c.id.desc()).limit(limit))
    return [_run_from_row(r) for r in rows]


def record_skipped(
    conn: Connection, run_id: int, ad_id: str | None, reason: str, *, now: datetime | None = None
) -> None:
    """Keep why a malformed record was skipped, so it can be looked at later."""
    conn.execute(
        insert(skipped_ads).values(
            run_id=run_id,
            ad_id=ad_id,
            reason=reason[:MAX_REASON_CHARS],
            at=ensure_utc(now) if now else utcnow(),
        )
    )


def skipped_in_run(conn: Connection, run_id: int) -> list[SkippedAd]:
    rows = conn.execute(select(skipped_ads).where(skipped_ads.c.run_id == run_id).order_by(skipped_ads.c.id))
    return [SkippedAd(int(r.run_id), r.ad_id, r.reason, r.at) for r in rows]


# -- index registry ---------------------------------------------------------------------------


def _index_from_row(row: Row[Any]) -> IndexRecord:
    return IndexRecord(
        name=row.name,
        backend=row.backend,
        model_name=row.model_name,
        model_sha256=row.model_sha256,
        dim=int(row.dim),
        status=row.status,
        created_at=row.created_at,
        activated_at=row.activated_at,
        point_count=int(row.point_count) if row.point_count is not None else None,
    )


def get_index(conn: Connection, name: str) -> IndexRecord | None:
    row = conn.execute(select(indexes).where(indexes.c.name == name)).one_or_none()
    return _index_from_row(row) if row is not None else None


def list_indexes(conn: Connection) -> list[IndexRecord]:
    """All registered indexes, newest first."""
    rows = conn.execute(select(indexes).order_by(indexes.c.created_at.desc(), indexes.c.name))
    return [_index_from_row(r) for r in rows]


def register_index(
    conn: Connection,
    name: str,
    *,
    backend: str,
    model_name: str,
    model_sha256: str,
    dim: int,
    now: datetime | None = None,
) -> IndexRecord:
    """Record a new index as 'building' (blue/green: the active one keeps serving meanwhile).

    Re-registering a name that is not active starts it over; the active index cannot be
    overwritten while it serves queries.
    """
    if dim <= 0:
        raise ValueError("dim must be positive")
    existing = get_index(conn, name)
    if existing is not None and existing.status == "active":
        raise StoreError(f"index {name!r} is active; build the new one under another name")
    values = {
        "name": name,
        "backend": backend,
        "model_name": model_name,
        "model_sha256": model_sha256,
        "dim": dim,
        "status": "building",
        "created_at": ensure_utc(now) if now else utcnow(),
        "activated_at": None,
        "point_count": None,
    }
    _upsert(conn, indexes, "name", values)
    record = get_index(conn, name)
    assert record is not None
    return record


def set_index_point_count(conn: Connection, name: str, point_count: int) -> None:
    """Record how many points an index holds (status pages, sanity checks)."""
    result = conn.execute(update(indexes).where(indexes.c.name == name).values(point_count=point_count))
    if result.rowcount != 1:
        raise StoreError(f"index {name!r} is not registered")


def activate_index(
    conn: Connection, name: str, *, point_count: int | None = None, now: datetime | None = None
) -> IndexRecord:
    """Make one index the active one and retire any other, in the caller's transaction.

    A unique partial index in the database guarantees at most one active index even if two
    processes activate at once (one of them then fails with a StoreError).
    """
    if get_index(conn, name) is None:
        raise StoreError(f"index {name!r} is not registered")
    conn.execute(
        update(indexes).where(indexes.c.status == "active", indexes.c.name != name).values(status="retired")
    )
    values: dict[str, Any] = {"status": "active", "activated_at": ensure_utc(now) if now else utcnow()}
    if point_count is not None:
        values["point_count"] = point_count
    conn.execute(update(indexes).where(indexes.c.name == name).values(values))
    record = get_index(conn, name)
    assert record is not None
    return record


def retire_index(conn: Connection, name: str) -> None:
    """Take an index out of service (e.g. a failed build, or the old one after a switch)."""
    result = conn.execute(update(indexes).where(indexes.c.name == name).values(status="retired"))
    if result.rowcount != 1:
        raise StoreError(f"index {name!r} is not registered")


def forget_retired_index(conn: Connection, name: str) -> None:
    """Record that a retired index's data is deleted: clearing ``activated_at`` makes it no
    rollback target (rollback only returns to retired indexes that were once active)."""
    result = conn.execute(
        update(indexes).where(indexes.c.name == name, indexes.c.status == "retired")
        .values(activated_at=None, point_count=None)
    )
    if result.rowcount != 1:
        raise StoreError(f"index {name!r} is not a registered retired index")


def active_index(conn: Connection) -> IndexRecord | None:
    """The index that answers queries, or ``None`` before the first build."""
    row = conn.execute(select(indexes).where(indexes.c.status == "active")).one_or_none()
    return _index_from_row(row) if row is not None else None
