"""The model registry: every training run's model, promoted or not, with its metrics and reason.

Statuses: ``candidate`` (just trained, not yet judged), ``champion`` (the one that should serve;
at most one, enforced by a partial unique index), ``rejected`` (failed the gate) and
``retired`` (a former champion, kept for rollback).

Promotion here only changes the registry; making a promoted model serve (re-indexing with it)
is the caller's job: call :func:`promote` and then re-index with ``record.path``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from jobsai.errors import JobsAIError
from jobsai.store.schema import MODEL_STATUSES, model_registry
from jobsai.timeutil import ensure_utc, utcnow


class ModelRegistryError(JobsAIError):
    """A registry operation that cannot be done (unknown version, wrong status)."""


@dataclass(frozen=True, slots=True)
class ModelRecord:
    version: str
    base: str
    path: str
    created_at: datetime
    status: str
    metrics: dict[str, Any]
    data_sizes: dict[str, Any]
    reason: str | None
    promoted_at: datetime | None


def _record(r: Any) -> ModelRecord:
    return ModelRecord(
        version=r.version,
        base=r.base,
        path=r.path,
        created_at=r.created_at,
        status=r.status,
        metrics=dict(r.metrics or {}),
        data_sizes=dict(r.data_sizes or {}),
        reason=r.reason,
        promoted_at=r.promoted_at,
    )


def add_model(
    conn: Connection,
    *,
    version: str,
    base: str,
    path: str,
    status: str = "candidate",
    metrics: Mapping[str, Any] | None = None,
    data_sizes: Mapping[str, Any] | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> ModelRecord:
    if status not in MODEL_STATUSES:
        raise ValueError(f"status must be one of {', '.join(MODEL_STATUSES)}")
    if status == "champion":
        raise ValueError("add the model as a candidate, then promote() it")
    now = ensure_utc(now) if now else utcnow()
    conn.execute(
        model_registry.insert().values(
            version=version,
            base=base,
            path=path,
            created_at=now,
            status=status,
            metrics=dict(metrics or {}),
            data_sizes=dict(data_sizes or {}),
            reason=reason,
        )
    )
    return get_model(conn, version)


def get_model(conn: Connection, version: str) -> ModelRecord:
    row = conn.execute(select(model_registry).where(model_registry.c.version == version)).first()
    if row is None:
        raise ModelRegistryError(f"No model version {version!r} in the registry.")
    return _record(row)


def list_models(conn: Connection) -> list[ModelRecord]:
    """All versions, oldest first."""
    rows = conn.execute(select(model_registry).order_by(model_registry.c.created_at, model_registry.c.version))
    return [_record(r) for r in rows]


def champion(conn: Connection) -> ModelRecord | None:
    row = conn.execute(select(model_registry).where(model_registry.c.status == "champion")).first()
    return _record(row) if row is not None else None


def set_status(conn: Connection, version: str, status: str, reason: str | None = None) -> ModelRecord:
    if status not in MODEL_STATUSES or status == "champion":
        raise ValueError("use promote() to make a champion")
    values: dict[str, Any] = {"status": status}
    if reason is not None:
        values["reason"] = reason
    conn.execute(update(model_registry).where(model_registry.c.version == version).values(**values))
    return get_model(conn, version)


def promote_in(
    conn: Connection, version: str, *, reason: str | None = None, now: datetime | None = None
) -> ModelRecord:
    """Make ``version`` the champion inside the caller's transaction; the old champion is retired."""
    target = get_model(conn, version)
    if target.status == "champion":
        return target
    now = ensure_utc(now) if now else utcnow()
    conn.execute(
        update(model_registry).where(model_registry.c.status == "champion").values(status="retired")
    )
    values: dict[str, Any] = {"status": "champion", "promoted_at": now}
    if reason is not None:
        values["reason"] = reason
    conn.execute(update(model_registry).where(model_registry.c.version == version).values(**values))
    return get_model(conn, version)


def promote(db: Any, version: str, *, reason: str | None = None) -> ModelRecord:
    """Make ``version`` the champion (registry only) and return it; ``db`` is a :class:`Database`."""
    with db.begin() as conn:
        return promote_in(conn, version, reason=reason)


def rollback(db: Any, version: str) -> ModelRecord:
    """Return to a former champion (status ``retired``); the current champion is retired."""
    with db.begin() as conn:
        target = get_model(conn, version)
        if target.status != "retired" or target.promoted_at is None:
            raise ModelRegistryError(
                f"Version {version} was never a champion (status {target.status}); roll back only to a former one."
            )
        return promote_in(conn, version, reason=f"rollback to {version}")
