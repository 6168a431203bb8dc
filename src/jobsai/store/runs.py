"""Ingestion bookkeeping: checkpoints, ingest runs and skipped records.

Checkpoints say how far a feed has been read; ingest runs record each attempt with its
counts; skipped ads keep the reason a record was rejected. (Which vector index answers
queries, and which model built it, is the index catalog's: ``index/catalog.py``.) All
functions take a Connection inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Row, insert, select, update

from jobsai.errors import StoreError
from jobsai.store.schema import (
    RUN_KINDS,
    RUN_STATUSES,
    checkpoints,
    ingest_runs,
    skipped_ads,
)
from jobsai.store.upsert import upsert
from jobsai.timeutil import ensure_utc, utcnow

RunKind = Literal["snapshot", "stream", "file"]
RunStatus = Literal["running", "complete", "failed"]

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


# -- checkpoints ------------------------------------------------------------------------------


def get_checkpoint(conn: Connection, name: str) -> datetime | None:
    """The instant a feed was read up to (UTC), or ``None`` before its first run."""
    return conn.execute(select(checkpoints.c.value).where(checkpoints.c.name == name)).scalar_one_or_none()


def set_checkpoint(conn: Connection, name: str, value: datetime) -> None:
    """Move a checkpoint; commit it in the same transaction as the ads it covers."""
    upsert(conn, checkpoints, "name", {"name": name, "value": ensure_utc(value), "updated_at": utcnow()})


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
