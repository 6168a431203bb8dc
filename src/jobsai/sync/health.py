"""Is the index what the store says it is, and is the data fresh? Counted, never assumed.

Why: the registry's ``point_count`` is written when a blue/green build finishes, so after a
plain ``load``/``bootstrap``/``update`` it said nothing (``null``), and nothing ever noticed an
index that had lost points (deleted by hand, restored from an older copy, a crash between an
index write and its SQL record). Here the index is *asked*: Qdrant's count API on a server,
the shard's own count on the embedded index (both exact, milliseconds at 50k points), beside
the store's count of live ads, and the two are compared.

Opening an index to count it needs no model: the index catalog records the fingerprint (name,
weights hash, dimension, kind of vectors) that built it, which is all the index's identity check compares. So
``jobsai status`` and ``jobsai index list`` stay fast, and the web app counts the index it has
open anyway.

Freshness: the last *successful* ingestion run (any kind) against
``JOBSAI_STALE_AFTER_INTERVALS`` × ``JOBSAI_UPDATE_INTERVAL_MIN``. Stale data is still served
(yesterday's ads beat no ads); ``/readyz``, ``jobsai status`` and the UI say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jobsai.config import Settings
from jobsai.errors import IndexBusyError, JobsAIError
from jobsai.index import catalog
from jobsai.index.base import VectorIndex
from jobsai.index.bm25 import Bm25Encoder
from jobsai.index.catalog import IndexRecord
from jobsai.store import ads as ads_repo
from jobsai.store import runs
from jobsai.store.db import Database
from jobsai.timeutil import ensure_utc, utcnow


@dataclass(frozen=True, slots=True)
class StoreHealth:
    """The store's live ads against the index's points, and how old the data is."""

    store_live: int
    pending_index: int
    """Live ads whose current version the index does not hold yet (an update in progress, or a gap)."""
    index_name: str | None
    index_points: int | None
    """Counted from the index; ``None`` when it could not be counted (see ``index_error``)."""
    index_error: str | None
    last_update: datetime | None
    """When the last successful ingestion run (snapshot, stream or file) finished."""
    last_update_kind: str | None
    last_update_age_s: float | None
    stale_after_s: float

    @property
    def mismatch(self) -> bool:
        """The index does not hold exactly as many points as the store has live ads."""
        return self.index_points is not None and self.index_points != self.store_live

    @property
    def stale(self) -> bool:
        """No successful update within ``stale_after_s`` (or never one)."""
        return self.last_update_age_s is None or self.last_update_age_s > self.stale_after_s

    def to_json(self) -> dict[str, Any]:
        return {
            "store_live": self.store_live,
            "pending_index": self.pending_index,
            "index": self.index_name,
            "index_points": self.index_points,
            "index_error": self.index_error,
            "mismatch": self.mismatch,
            "last_update": self.last_update.isoformat() if self.last_update else None,
            "last_update_kind": self.last_update_kind,
            "last_update_age_s": round(self.last_update_age_s, 1) if self.last_update_age_s is not None else None,
            "stale_after_s": self.stale_after_s,
            "stale": self.stale,
        }


def stale_after_s(settings: Settings) -> float:
    """How old the last successful update may be before the data counts as stale."""
    return settings.stale_after_intervals * settings.update_interval_min * 60.0


def count_points(settings: Settings, record: IndexRecord) -> int:
    """The points index ``record`` holds, counted by the index itself (opened without the model).

    Raises IndexBusyError when another process has the embedded index open, VectorIndexError when
    it does not exist or cannot be read.
    """
    from jobsai.index.factory import open_index

    index = open_index(settings, record.fingerprint, record.name, create=False, encoder=Bm25Encoder())
    try:
        return index.count()
    finally:
        _close_without_optimizing(index)


def _close_without_optimizing(index: VectorIndex) -> None:
    from jobsai.index.qdrant_edge import EdgeIndex

    if isinstance(index, EdgeIndex):
        index.close(optimize=False)  # counting wrote nothing; building HNSW here could take minutes
    else:
        index.close()


def describe_count_error(exc: JobsAIError) -> str:
    if isinstance(exc, IndexBusyError):
        return ("the embedded index is open in another process (a running `jobsai serve` or `jobsai worker`); "
                "its /readyz reports the count")
    return str(exc)


def store_health(
    settings: Settings,
    db: Database,
    *,
    index: VectorIndex | None = None,
    index_name: str | None = None,
    count_index: bool = True,
    now: datetime | None = None,
) -> StoreHealth:
    """Count the store and the active index (``index``, named ``index_name``: the one already open, e.g.
    the web app's; otherwise the registry's active index is opened just to count it). ``count_index=False``:
    the store only (while another thread of this process is still opening the index)."""
    now = ensure_utc(now) if now else utcnow()
    with db.begin(readonly=True) as conn:
        counts = ads_repo.count_ads(conn)
        record = catalog.active_index(conn)
        last = runs.last_successful_run(conn)
    points: int | None = None
    error: str | None = None
    name = index_name or (record.name if record is not None else None)
    try:
        if not count_index:
            error = "not counted: the index is still being opened"
        elif index is not None:
            points = index.count()
        elif record is not None:
            points = count_points(settings, record)
        else:
            error = "no index has been built yet"
    except JobsAIError as exc:
        error = describe_count_error(exc)
    finished = last.finished_at if last is not None else None
    age = (now - ensure_utc(finished)).total_seconds() if finished is not None else None
    return StoreHealth(
        store_live=counts.live, pending_index=counts.pending_index, index_name=name, index_points=points,
        index_error=error, last_update=finished, last_update_kind=last.kind if last is not None else None,
        last_update_age_s=age, stale_after_s=stale_after_s(settings),
    )
