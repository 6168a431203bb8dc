"""The index catalog: the one owner of what each vector index is and which one serves.

Why one owner: which model and index answer queries used to be answered in several places
(the SQL ``indexes`` table, a JSON file per index, and reconciling getters in the runtime that
registered and activated an index as a side effect of opening it). Now every index's record
lives in one SQL row, read and written only here: its name and backend, the model that built
it (fingerprint: name, weights hash, dimension, kind of vectors; and ``model_spec``, how to
load that model again), its status (``building`` → ``active`` → ``retired``) and its point
count. Exactly one index is active; a unique partial index in the database enforces that
even when two processes activate at once.

What stays elsewhere, on purpose: the index's own identity record (``jobsai-index.json`` or
the server collection's metadata, written by the backend) is the data's self-description that
refuses vectors of another model, BM25 analyzer or ad-text version on open; the model
registry (``store/registry.py``) says which model *should* serve, the catalog which one
*does*; a model folder's ``jobsai-model.json`` describes the model, not where it serves.

Reading is free of side effects: :func:`serving_model` and :func:`serving_index` only decide.
Recording happens in named writes: :func:`register_index`, :func:`activate_index`, and
:func:`adopt_default_index` for the writer that fills the default index ``ads``.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, Row, select, update

from jobsai.config import Settings
from jobsai.embed.backends import backend_of_vectors
from jobsai.embed.fingerprint import FP32_VECTORS, ModelFingerprint
from jobsai.embed.model import Embedder, same_vectors
from jobsai.embed.model_ref import ModelRef
from jobsai.errors import StoreError
from jobsai.index.factory import DEFAULT_INDEX_NAME
from jobsai.store.db import Database
from jobsai.store.schema import indexes
from jobsai.store.upsert import upsert
from jobsai.timeutil import ensure_utc, utcnow

log = logging.getLogger(__name__)

IndexStatus = Literal["building", "active", "retired"]

LEGACY_META_DIR = "index-meta"
"""Where index records' model specs lived before the catalog (moved into SQL by :func:`import_legacy_meta`)."""


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
    model_spec: str | None = None
    """How to load the model again (``None``: unknown, a row from before the catalog)."""
    vectors: str = FP32_VECTORS

    @property
    def fingerprint(self) -> ModelFingerprint:
        """The model identity the index was built with (what opening it checks), without loading the model."""
        return ModelFingerprint(
            name=self.model_name, weights_sha256=self.model_sha256, dim=self.dim, vectors=self.vectors
        )

    @property
    def model(self) -> ModelRef | None:
        """The model to load to query this index (its folder or id, and the backend of its vectors)."""
        if self.model_spec is None:
            return None
        return ModelRef(self.model_spec, backend=backend_of_vectors(self.vectors))


def _record(row: Row[Any]) -> IndexRecord:
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
        model_spec=row.model_spec,
        vectors=row.vectors or FP32_VECTORS,
    )


def backend_of(settings: Settings) -> str:
    """The backend name an index built with these settings is recorded under."""
    return "qdrant" if settings.qdrant_url else "qdrant-edge"


def model_spec_of(embedder: Embedder) -> str:
    """What to load this embedder again with the same fingerprint name: its folder when it
    was loaded from one, else its name (the built-in model, a Hub id)."""
    if embedder.path is not None and embedder.path.name == embedder.name:
        return str(embedder.path)
    return embedder.name


# -- reading --------------------------------------------------------------------------------------


def get_index(conn: Connection, name: str) -> IndexRecord | None:
    row = conn.execute(select(indexes).where(indexes.c.name == name)).one_or_none()
    return _record(row) if row is not None else None


def list_indexes(conn: Connection) -> list[IndexRecord]:
    """All registered indexes, newest first."""
    rows = conn.execute(select(indexes).order_by(indexes.c.created_at.desc(), indexes.c.name))
    return [_record(r) for r in rows]


def active_index(conn: Connection) -> IndexRecord | None:
    """The index that answers queries, or ``None`` before the first build."""
    row = conn.execute(select(indexes).where(indexes.c.status == "active")).one_or_none()
    return _record(row) if row is not None else None


def next_index_name(conn: Connection, base: str = DEFAULT_INDEX_NAME) -> str:
    """``ads-<n>`` with n one past the highest registered (``ads`` itself counts as 1)."""
    highest = 1
    pattern = re.compile(rf"^{re.escape(base)}-(\d+)$")
    for rec in list_indexes(conn):
        m = pattern.match(rec.name)
        if m:
            highest = max(highest, int(m.group(1)))
    return f"{base}-{highest + 1}"


# -- what serves ----------------------------------------------------------------------------------


def serving_model(settings: Settings, active: IndexRecord | None) -> ModelRef:
    """The model to encode queries with: the one that built the active index (so queries and
    index agree), else the configured one. Deciding only; :func:`load_serving_model` loads it."""
    configured = ModelRef.configured(settings)
    wanted = active.model if active is not None else None
    if wanted is None:
        return configured
    if same_vectors(wanted.backend, configured.backend):  # e.g. torch and onnx-fp32: the configured one encodes
        return ModelRef(wanted.spec, configured.backend)
    if wanted.backend != configured.backend:
        # Its vectors and the configured encoder's must not meet in one index (ModelFingerprint).
        if settings.embed_backend == "auto":  # the default chose faster vectors: a hint, not a misconfiguration
            log.info("index %s holds %s vectors, served by the %s backend; on this CPU %s embeds faster: "
                     "`jobsai index build --switch` re-embeds with it", active.name if active else None,
                     active.vectors if active else None, wanted.backend, configured.backend)
        else:
            log.warning("index %s holds %s vectors: encoding with the %s backend until an index is built with "
                        "JOBSAI_EMBED_BACKEND=%s (`jobsai index build --switch`)",
                        active.name if active else None, active.vectors if active else None, wanted.backend,
                        configured.backend)
    return wanted


def load_serving_model(settings: Settings, active: IndexRecord | None) -> Embedder:
    """Load :func:`serving_model`; the configured model (with the index's backend) when the
    recorded one cannot be loaded or its weights changed since it built the index (loudly)."""
    wanted = serving_model(settings, active)
    fallback = ModelRef(settings.model, wanted.backend)
    if active is None or wanted.spec == fallback.spec:
        return Embedder.load(settings, model=wanted)
    try:
        embedder = Embedder.load(settings, model=wanted)
    except Exception as exc:  # noqa: BLE001 - fall back to the configured model, loudly
        log.warning("cannot load the model %s that built index %s (%s); using the configured model",
                    wanted.spec, active.name, exc)
    else:
        if embedder.fingerprint.weights_sha256 == active.model_sha256:
            return embedder
        log.warning("the model at %s changed since it built index %s; using the configured model",
                    wanted.spec, active.name)
    return Embedder.load(settings, model=fallback)


def serving_index(active: IndexRecord | None, fingerprint: ModelFingerprint) -> tuple[str, bool]:
    """Which index answers queries encoded by ``fingerprint``, and whether opening may create it.

    The active index when that model built it; otherwise the default index ``ads`` (a fresh
    install, or the configured model replaced the recorded one), which a writer then fills and
    records with :func:`adopt_default_index`.
    """
    if active is not None and active.model_sha256 == fingerprint.weights_sha256:
        return active.name, active.name == DEFAULT_INDEX_NAME
    return DEFAULT_INDEX_NAME, True


# -- writing --------------------------------------------------------------------------------------


def register_index(
    conn: Connection,
    name: str,
    *,
    backend: str,
    model_name: str,
    model_sha256: str,
    dim: int,
    model_spec: str | None = None,
    vectors: str = FP32_VECTORS,
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
        "model_spec": model_spec,
        "vectors": vectors,
    }
    upsert(conn, indexes, "name", values)
    record = get_index(conn, name)
    assert record is not None
    return record


def register_built_by(
    conn: Connection, settings: Settings, name: str, embedder: Embedder, *, now: datetime | None = None
) -> IndexRecord:
    """:func:`register_index` for an index that ``embedder`` builds (its fingerprint and spec)."""
    fp = embedder.fingerprint
    return register_index(
        conn, name, backend=backend_of(settings), model_name=fp.name, model_sha256=fp.weights_sha256,
        dim=fp.dim, model_spec=model_spec_of(embedder), vectors=fp.vectors, now=now,
    )


def adopt_default_index(conn: Connection, settings: Settings, embedder: Embedder) -> IndexRecord:
    """Record the default index ``ads`` as built by ``embedder`` and active, unless it already is.

    Called by the writer that is about to fill it (``Runtime.ingestor``), never by opening it:
    opening refused any ``ads`` built by another model, so a differing record is an old one.
    """
    fp = embedder.fingerprint
    record = get_index(conn, DEFAULT_INDEX_NAME)
    if record is not None and record.model_sha256 == fp.weights_sha256:
        if record.model_spec is None or record.vectors != fp.vectors:
            conn.execute(update(indexes).where(indexes.c.name == DEFAULT_INDEX_NAME)
                         .values(model_spec=model_spec_of(embedder), vectors=fp.vectors))
            record = get_index(conn, DEFAULT_INDEX_NAME)
            assert record is not None
        return record
    if record is not None:
        retire_index(conn, DEFAULT_INDEX_NAME)
    register_built_by(conn, settings, DEFAULT_INDEX_NAME, embedder)
    return activate_index(conn, DEFAULT_INDEX_NAME)


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


# -- upgrade from the per-index JSON files ----------------------------------------------------------


def legacy_meta_path(settings: Settings, name: str) -> Path:
    return settings.data_dir / LEGACY_META_DIR / f"{name}.json"


def import_legacy_meta(settings: Settings, db: Database) -> list[str]:
    """Move ``index-meta/<name>.json`` (the model spec and kind of vectors, before the catalog)
    into the catalog's rows that lack them, then delete the files; the names moved.

    Run once per process at start-up (``Runtime``); a no-op after the first upgrade.
    """
    moved: list[str] = []
    with db.begin() as conn:
        rows = conn.execute(select(indexes.c.name).where(indexes.c.model_spec.is_(None))).scalars().all()
        for name in rows:
            path = legacy_meta_path(settings, name)
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(data, dict) or not isinstance(data.get("model"), str):
                continue
            values: dict[str, Any] = {"model_spec": data["model"]}
            if isinstance(data.get("vectors"), str):
                values["vectors"] = data["vectors"]
            conn.execute(update(indexes).where(indexes.c.name == name).values(values))
            moved.append(name)
    for name in moved:
        legacy_meta_path(settings, name).unlink(missing_ok=True)
    if moved:
        log.info("index catalog: recorded the model specs of %s (from %s/)", ", ".join(moved), LEGACY_META_DIR)
    return moved
