"""After an update: the newly indexed ads scored against every active alert and queued, once each.

"New" is kept by a checkpoint (``alerts:scored_until``, the ``first_seen_at`` of the last ad scored), so an
update that crashed half-way, or a worker that was down for a day, is caught up from where it stopped.
Only ads the index already holds in their current version are scored (an ad still waiting to be embedded
waits for the next run), and the queue row for an (alert, ad) pair is unique: an ad is never queued twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, Row, and_, select

from jobsai.alerts.messages import why_text
from jobsai.alerts.profiles import ProfileVectors, fingerprint_key
from jobsai.alerts.scoring import FILTER_FIELDS, NewAds, ScoredProfile, score_profiles
from jobsai.index.base import BODY_VECTOR, TITLE_VECTOR, VectorIndex
from jobsai.match.scoring import DEFAULT_CALIBRATION, Calibration
from jobsai.store import alerts as repo
from jobsai.store import runs
from jobsai.store.schema import ADS_LIVE, ADS_PENDING_INDEX, ads, alerts
from jobsai.timeutil import utcnow

log = logging.getLogger(__name__)

CHECKPOINT = "alerts:scored_until"
PAGE = 2000
"""New ads scored per pass (their vectors are read from the index once per pass)."""
_CONCEPT_COLUMNS = {f: ads.c[f"{f}_id"] for f in FILTER_FIELDS}


@dataclass(frozen=True, slots=True)
class QueueReport:
    ads_scored: int
    queued: int
    needs_refresh: int


def _bound(conn: Connection, after: datetime, now: datetime) -> datetime:
    """Where this run stops: now, or just before the first new ad not yet indexed (it is scored next time)."""
    first_pending = conn.execute(
        select(ads.c.first_seen_at).where(ADS_PENDING_INDEX, ads.c.first_seen_at > after)
        .order_by(ads.c.first_seen_at).limit(1)).scalar()
    return min(now, first_pending) if first_pending is not None else now


def _page(conn: Connection, after: datetime, after_id: str, bound: datetime) -> Sequence[Row[Any]]:
    cols = [ads.c.id, ads.c.first_seen_at, ads.c.occupation_label, *_CONCEPT_COLUMNS.values()]
    newer = (ads.c.first_seen_at > after) if not after_id else (
        (ads.c.first_seen_at > after) | and_(ads.c.first_seen_at == after, ads.c.id > after_id))
    return conn.execute(select(*cols).where(ADS_LIVE, ads.c.indexed_hash == ads.c.content_hash, newer,
                                            ads.c.first_seen_at < bound)
                        .order_by(ads.c.first_seen_at, ads.c.id).limit(PAGE)).all()


def new_ads(index: VectorIndex, rows: Sequence[Row[Any]]) -> tuple[NewAds, dict[str, str | None]]:
    """The rows' ads with their stored vectors (ads the index lacks are left out) and occupation labels."""
    stored = index.get_vectors([r.id for r in rows])
    rows = [r for r in rows if r.id in stored]
    dim = index.fingerprint.dim
    titles = np.stack([stored[r.id][TITLE_VECTOR] for r in rows]) if rows else np.zeros((0, dim), np.float32)
    bodies = np.stack([stored[r.id][BODY_VECTOR] for r in rows]) if rows else np.zeros((0, dim), np.float32)
    concepts = {f: np.array([getattr(r, f"{f}_id") or "" for r in rows], dtype=object) for f in FILTER_FIELDS}
    first = np.array([r.first_seen_at.timestamp() for r in rows], dtype=np.float64)
    return (NewAds([r.id for r in rows], titles.astype(np.float32), bodies.astype(np.float32), concepts, first),
            {r.id: r.occupation_label for r in rows})


def scored_profile(row: repo.AlertRow) -> ScoredProfile:
    return ScoredProfile(row.id, ProfileVectors.unpack(row.vectors, row.dim, row.n_chunks), row.min_score,
                         row.filters, row.created_at.timestamp())


def mark_stale_profiles(conn: Connection, current: str) -> int:
    """Alerts whose vectors another model made cannot be scored any more (no CV text is kept to re-encode
    them): they wait for a fresh upload, and the person is told once (:mod:`jobsai.alerts.delivery`)."""
    stale = conn.execute(select(alerts.c.id).where(alerts.c.status.in_(("active", "paused", "pending")),
                                                   alerts.c.model_fingerprint != current)).scalars().all()
    for alert_id in stale:
        repo.update_alert(conn, alert_id, status="needs_refresh", paused_reason="model_changed")
    return len(stale)


def queue_new_ads(db_begin: Callable[[], AbstractContextManager[Connection]], index: VectorIndex,
                  calibration: Calibration = DEFAULT_CALIBRATION, now: datetime | None = None) -> QueueReport:
    """Score the ads first seen since the checkpoint against every active alert; queue the ones that fit.

    ``db_begin``: the database's ``begin`` (one transaction per page: the queue rows and the checkpoint
    move together, so a crash repeats at most one page, and its rows exist already).
    """
    now = now or utcnow()
    current = fingerprint_key(index.fingerprint)
    with db_begin() as conn:
        stale = mark_stale_profiles(conn, current)
        after = runs.get_checkpoint(conn, CHECKPOINT)
        if after is None:  # the first run: nothing before the oldest alert can be news to anyone
            oldest = conn.execute(select(alerts.c.created_at).order_by(alerts.c.created_at).limit(1)).scalar()
            after = (oldest or now) - timedelta(microseconds=1)
            runs.set_checkpoint(conn, CHECKPOINT, after)
        bound = _bound(conn, after, now)
    scored = queued = 0
    after_id = ""
    while True:
        with db_begin() as conn:
            rows = _page(conn, after, after_id, bound)
            if not rows:
                break
            batch, occupations = new_ads(index, rows)
            for page in repo.iter_active(conn):  # a page of profiles at a time: memory stays flat at 100k
                profiles = [p for p in page if p.model_fingerprint == current]
                by_id = {p.id: p for p in profiles}
                hits = score_profiles(batch, [scored_profile(p) for p in profiles], calibration)
                queued += repo.queue(conn, [{
                    "alert_id": alert_id, "ad_id": ad_id, "score": score,
                    "why": why_text(by_id[alert_id].language, occupations.get(ad_id), by_id[alert_id].title_line),
                    "status": "feed" if by_id[alert_id].channel == "feed" else "queued", "created_at": now,
                } for alert_id, ad_id, score in hits])
            scored += len(batch)
            after, after_id = rows[-1].first_seen_at, rows[-1].id
            # Just before the last ad: after a crash, ads first seen at the same instant are scored again
            # (their queue rows exist, so nothing is queued twice).
            runs.set_checkpoint(conn, CHECKPOINT, after - timedelta(microseconds=1))
    if after_id:  # every page done: the next run starts strictly after the last ad
        with db_begin() as conn:
            runs.set_checkpoint(conn, CHECKPOINT, after)
    if scored or queued or stale:
        log.info("alerts: %d new ads scored, %d deliveries queued, %d alerts need a fresh upload",
                 scored, queued, stale)
    return QueueReport(scored, queued, stale)
