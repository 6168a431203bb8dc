"""Ads in the system of record: upsert, soft removal, expiry, and what the index must catch up on.

Every function takes a :class:`sqlalchemy.Connection` inside a transaction (from
:meth:`jobsai.store.db.Database.begin`), so the caller decides what commits together.

An ad is *live* while ``removed_at`` is NULL. ``indexed_hash`` records which version of the ad
the active vector index holds: a live ad whose ``indexed_hash`` differs from its
``content_hash`` must be (re)indexed, a removed ad whose ``indexed_hash`` is set must be
deleted from the index. The index is therefore always recoverable from this table.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, Literal, NamedTuple, get_args

from sqlalchemy import Connection, bindparam, case, func, or_, select, text, update

from jobsai.errors import AdParseError, StoreError
from jobsai.sources.ads import Ad, Concept, parse_item
from jobsai.store.schema import ADS_LIVE, ADS_PENDING_INDEX, ADS_PENDING_UNINDEX, REMOVED_REASONS, ads, ingest_runs
from jobsai.timeutil import ensure_utc, utcnow

log = logging.getLogger(__name__)

BATCH = 500
"""Ids per statement: keeps IN-lists and executemany batches well inside every engine's limits."""

RemovedReason = Literal["removed", "expired", "snapshot"]
ConceptKind = Literal[
    "municipality",
    "region",
    "occupation",
    "occupation_group",
    "occupation_field",
    "employment_type",
    "working_hours_type",
]
CONCEPT_KINDS: tuple[ConceptKind, ...] = get_args(ConceptKind)


class UpsertCounts(NamedTuple):
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


class AdCounts(NamedTuple):
    live: int
    removed: int
    """Removed by the source or missing from a full snapshot."""
    expired: int
    pending_index: int
    """Live ads the active index does not hold in their current version."""
    pending_unindex: int = 0
    """Removed ads still in the index."""


class PendingAd(NamedTuple):
    id: str
    raw: dict[str, Any]
    content_hash: str


class ConceptCount(NamedTuple):
    concept_id: str
    label: str
    n_live_ads: int


# -- content ----------------------------------------------------------------------------------


def canonical_json(raw: dict[str, Any]) -> str:
    """The raw ad as stable JSON text (sorted keys), so equal content gives an equal hash."""
    return json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(raw: dict[str, Any]) -> str:
    """sha256 of :func:`canonical_json`: tells a changed ad from a re-delivered one."""
    return hashlib.sha256(canonical_json(raw).encode("utf-8")).hexdigest()


def _concept_cols(prefix: str, concept: Concept | None) -> dict[str, str | None]:
    if concept is None:
        return {f"{prefix}_id": None, f"{prefix}_label": None}
    return {f"{prefix}_id": concept.concept_id, f"{prefix}_label": concept.label or None}


def _content_row(ad: Ad, raw_text: str, digest: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "content_hash": digest,
        "raw": raw_text,
        "headline": ad.headline,
        "employer_name": ad.employer_name,
        "country_id": ad.country.concept_id if ad.country else None,
        "published_at": ad.publication_date,
        "last_publication_at": ad.last_publication_date,
        "application_deadline": ad.application_deadline,
        "source_updated_at": ad.updated_at,
    }
    for kind in CONCEPT_KINDS:
        row.update(_concept_cols(kind, getattr(ad, kind)))
    return row


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- writes -----------------------------------------------------------------------------------

_PG_ADS_WRITE_LOCK = 0x6A6F6261  # pg_advisory_xact_lock key for writers of the ads table


def _lock_ads_writes(conn: Connection) -> None:
    """Serialise writers of ``ads`` until the transaction ends (PostgreSQL only).

    An upsert reads existing hashes, then inserts: two concurrent ingestions of the same new
    ad would both insert and one would fail. SQLite already serialises writers (the
    Database takes its write lock at BEGIN); this gives PostgreSQL the same behaviour.
    Readers are not affected.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_ADS_WRITE_LOCK})


def _should_revive(
    reason: str | None,
    removed_at: datetime | None,
    source_updated_at: datetime | None,
    last_publication_at: datetime | None,
    now: datetime,
) -> bool:
    """Whether a removed ad that arrives again (outside a full snapshot) is really live again.

    JobStream windows overlap, so an update from before a removal can be delivered again
    after it; that must not bring the ad back. An expired ad comes back only with a last
    publication date that is not already past. An ad that a snapshot had missed is back.
    """
    if reason == "removed":
        return (
            source_updated_at is not None
            and removed_at is not None
            and ensure_utc(source_updated_at) > ensure_utc(removed_at)
        )
    if reason == "expired":
        return last_publication_at is None or ensure_utc(last_publication_at) >= now
    return True


def upsert_ads(
    conn: Connection,
    items: Sequence[Ad],
    *,
    snapshot_run: int | None = None,
    now: datetime | None = None,
) -> UpsertCounts:
    """Insert new ads and update changed ones; a re-delivered identical ad is left alone.

    Per batch of 500 it reads the existing hashes once, then inserts and updates in bulk.
    A changed ad's ``content_hash`` no longer equals its ``indexed_hash``, so the indexer
    picks it up; ``indexed_hash`` keeps naming the version the index holds. A removed ad
    counts as live again when it is newer than its removal
    (see :func:`_should_revive`) or when a full snapshot contains it.

    ``snapshot_run`` marks every ad as seen by that full snapshot (see
    :func:`reconcile_snapshot`). Duplicate ids in ``items``: the last one wins.
    """
    now = ensure_utc(now) if now else utcnow()
    _lock_ads_writes(conn)
    latest: dict[str, Ad] = {}
    for ad in items:
        latest[ad.id] = ad
    unique = list(latest.values())
    total = UpsertCounts()
    for chunk in _chunks(unique):
        counts = _upsert_chunk(conn, chunk, snapshot_run, now)
        total = UpsertCounts(*(a + b for a, b in zip(total, counts, strict=True)))
    return total


_UPDATE_BY_ID = update(ads).where(ads.c.id == bindparam("b_id"))
"""Executemany UPDATE: the SET clause comes from the row dicts' keys (all rows alike)."""


def _upsert_chunk(
    conn: Connection, chunk: Sequence[Ad], snapshot_run: int | None, now: datetime
) -> UpsertCounts:
    ids = [ad.id for ad in chunk]
    existing = {
        row.id: row
        for row in conn.execute(
            select(
                ads.c.id,
                ads.c.content_hash,
                ads.c.removed_at,
                ads.c.removed_reason,
                ads.c.source_updated_at,
            ).where(ads.c.id.in_(ids))
        )
    }
    inserts: list[dict[str, Any]] = []
    live_updates: list[dict[str, Any]] = []
    stale_updates: list[dict[str, Any]] = []
    seen_unchanged: list[str] = []
    for ad in chunk:
        raw_text = canonical_json(ad.raw)
        digest = hashlib.sha256(raw_text.encode("utf-8")).hexdigest()
        row = _content_row(ad, raw_text, digest)
        old = existing.get(ad.id)
        if old is None:
            row.update(
                id=ad.id,
                first_seen_at=now,
                updated_at=now,
                removed_at=None,
                removed_reason=None,
                indexed_hash=None,
                snapshot_run=snapshot_run,
            )
            inserts.append(row)
            continue
        changed = old.content_hash != digest
        removed = old.removed_at is not None
        revive = removed and (
            snapshot_run is not None
            or _should_revive(
                old.removed_reason,
                old.removed_at,
                ad.updated_at or old.source_updated_at,
                ad.last_publication_date,
                now,
            )
        )
        if not changed and not revive:
            seen_unchanged.append(ad.id)
            continue
        row.update(b_id=ad.id, updated_at=now)
        if removed and not revive:
            # Late, stale content of a removed ad: store it, but the ad stays removed and
            # keeps indexed_hash, so the indexer still deletes its point.
            stale_updates.append(row)
            continue
        # indexed_hash is kept: it says which version the index holds (a changed ad differs
        # from it and is re-indexed; if the ad is removed again, its old point is deleted).
        row.update(removed_at=None, removed_reason=None)
        if snapshot_run is not None:
            row["snapshot_run"] = snapshot_run
        live_updates.append(row)

    if inserts:
        conn.execute(ads.insert(), inserts)
    for rows in (live_updates, stale_updates):
        if rows:
            conn.execute(_UPDATE_BY_ID, rows)
    if snapshot_run is not None and seen_unchanged:
        conn.execute(update(ads).where(ads.c.id.in_(seen_unchanged)).values(snapshot_run=snapshot_run))
    return UpsertCounts(len(inserts), len(live_updates) + len(stale_updates), len(seen_unchanged))


def mark_removed(
    conn: Connection, ids: Iterable[str], when: datetime, reason: RemovedReason = "removed"
) -> int:
    """Soft-delete ads the source says are gone; returns how many were live until now.

    Already removed ads keep their first removal (idempotent), unknown ids are ignored.
    """
    if reason not in REMOVED_REASONS:
        raise ValueError(f"unknown removal reason {reason!r}")
    when = ensure_utc(when)
    unique = list(dict.fromkeys(ids))
    _lock_ads_writes(conn)
    n = 0
    for chunk in _chunks(unique):
        result = conn.execute(
            update(ads)
            .where(ads.c.id.in_(chunk), ADS_LIVE)
            .values(removed_at=when, removed_reason=reason, updated_at=utcnow())
        )
        n += result.rowcount
    return n


def expire_ads(conn: Connection, now: datetime) -> int:
    """Remove live ads whose last publication date has passed (the source may not tell us)."""
    now = ensure_utc(now)
    _lock_ads_writes(conn)
    result = conn.execute(
        update(ads)
        .where(ADS_LIVE, ads.c.last_publication_at < now)
        .values(removed_at=now, removed_reason="expired", updated_at=now)
    )
    return result.rowcount


def reconcile_snapshot(conn: Connection, run_id: int, now: datetime) -> int:
    """Remove live ads that a full snapshot did not contain: the snapshot is the truth.

    Call it only after the snapshot was read to its end. Ads written after the snapshot
    started (by a concurrent stream run) are spared: they were live after the snapshot's view.
    """
    run = conn.execute(
        select(ingest_runs.c.kind, ingest_runs.c.status, ingest_runs.c.started_at).where(
            ingest_runs.c.id == run_id
        )
    ).one_or_none()
    if run is None:
        raise StoreError(f"ingest run {run_id} does not exist")
    if run.kind != "snapshot" or run.status == "failed":
        raise StoreError(
            f"ingest run {run_id} is a {run.status} {run.kind} run, not a snapshot to reconcile against"
        )
    now = ensure_utc(now)
    _lock_ads_writes(conn)
    result = conn.execute(
        update(ads)
        .where(
            ADS_LIVE,
            or_(ads.c.snapshot_run.is_(None), ads.c.snapshot_run != run_id),
            ads.c.updated_at < run.started_at,
        )
        .values(removed_at=now, removed_reason="snapshot", updated_at=now)
    )
    return result.rowcount


# -- index state ------------------------------------------------------------------------------


def ads_needing_index(conn: Connection, limit: int, after_id: str | None = None) -> list[PendingAd]:
    """Live ads the index does not hold in their current version, by id (keyset pages).

    Pass the last id of one page as ``after_id`` for the next; the raw JSON is returned so
    the caller can build the ad's text without a second query.
    """
    query = select(ads.c.id, ads.c.raw, ads.c.content_hash).where(ADS_PENDING_INDEX)
    if after_id is not None:
        query = query.where(ads.c.id > after_id)
    rows = conn.execute(query.order_by(ads.c.id).limit(limit))
    return [PendingAd(r.id, json.loads(r.raw), r.content_hash) for r in rows]


def pending_index_hashes(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    """Of ``ids``, the live ads the index lacks in their current version -> that version's hash.

    The ingestion pipeline asks this right after storing a batch, to hand exactly the ads
    ``ads_needing_index`` would list to the encoder without reading their raw JSON back.
    """
    out: dict[str, str] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        rows = conn.execute(select(ads.c.id, ads.c.content_hash).where(ads.c.id.in_(chunk), ADS_PENDING_INDEX))
        out.update((r.id, r.content_hash) for r in rows)
    return out


def ads_needing_unindex(conn: Connection, limit: int) -> list[str]:
    """Ids of removed ads that the index still holds (to delete their points)."""
    rows = conn.execute(
        select(ads.c.id)
        .where(ADS_PENDING_UNINDEX)
        .order_by(ads.c.id)
        .limit(limit)
    )
    return [r.id for r in rows]


def mark_indexed(conn: Connection, items: Iterable[tuple[str, str]]) -> int:
    """Record that the index now holds these (id, content hash) versions.

    Passing the hash that was indexed (not the current one) keeps an ad that changed while
    it was being embedded in the queue.
    """
    rows = [{"b_id": ad_id, "indexed_hash": digest} for ad_id, digest in items]
    if not rows:
        return 0
    _lock_ads_writes(conn)
    n = 0
    for chunk in _chunks(rows):
        n += conn.execute(_UPDATE_BY_ID, list(chunk)).rowcount
    return n


def mark_unindexed(conn: Connection, ids: Iterable[str]) -> int:
    """Record that these ads' points were deleted from the index."""
    unique = list(dict.fromkeys(ids))
    if not unique:
        return 0
    _lock_ads_writes(conn)
    n = 0
    for chunk in _chunks(unique):
        n += conn.execute(update(ads).where(ads.c.id.in_(chunk)).values(indexed_hash=None)).rowcount
    return n


def indexed_ad_ids(conn: Connection) -> set[str]:
    """Ids of every ad whose point SQL believes is in the index (live or not yet deleted)."""
    return {r[0] for r in conn.execute(select(ads.c.id).where(ads.c.indexed_hash.is_not(None)))}


def reset_index_state(conn: Connection) -> int:
    """Forget what any index holds, so a rebuild indexes every live ad again."""
    _lock_ads_writes(conn)
    return conn.execute(update(ads).where(ads.c.indexed_hash.is_not(None)).values(indexed_hash=None)).rowcount


# -- reads ------------------------------------------------------------------------------------


def _parse_stored(ad_id: str, raw_text: str) -> Ad | None:
    try:
        item = parse_item(json.loads(raw_text))
    except (AdParseError, ValueError) as exc:
        # Stored ads parsed once; a parser change must not take the whole page down.
        log.warning("stored ad %s no longer parses: %s", ad_id, exc)
        return None
    if not isinstance(item, Ad):
        log.warning("stored ad %s is a removal record", ad_id)
        return None
    return item


def get_ads(conn: Connection, ids: Iterable[str], *, live_only: bool = True) -> dict[str, Ad]:
    """The ads with these ids, parsed from their stored JSON; missing ids are left out.

    ``live_only`` (default) leaves out removed ads too, so results from an index that is a
    moment behind never show an ad that is gone.
    """
    unique = list(dict.fromkeys(ids))
    found: dict[str, Ad] = {}
    for chunk in _chunks(unique):
        query = select(ads.c.id, ads.c.raw).where(ads.c.id.in_(chunk))
        if live_only:
            query = query.where(ADS_LIVE)
        for row in conn.execute(query):
            ad = _parse_stored(row.id, row.raw)
            if ad is not None:
                found[row.id] = ad
    return found


def iter_live_ads(conn: Connection, batch: int = BATCH) -> Iterator[Ad]:
    """Every live ad in id order, read in keyset pages so memory stays flat."""
    after: str | None = None
    while True:
        query = select(ads.c.id, ads.c.raw).where(ADS_LIVE)
        if after is not None:
            query = query.where(ads.c.id > after)
        rows = conn.execute(query.order_by(ads.c.id).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            ad = _parse_stored(row.id, row.raw)
            if ad is not None:
                yield ad
        after = rows[-1].id


def iter_live_ad_texts(conn: Connection, *, every: int = 1, batch: int = 1000) -> Iterator[tuple[str, str]]:
    """(headline, description text) of every ``every``-th live ad in id order, in keyset pages.

    Only the description is read from the stored JSON (no :class:`Ad` is built), and with
    ``every`` > 1 only the picked ads' JSON is fetched at all: term statistics over the live ads
    need their words, and parsing 45,000 whole ads would cost several times as much.
    """
    if every < 1:
        raise ValueError("every must be at least 1")
    after: str | None = None
    while True:
        if every == 1:
            query = select(ads.c.id, ads.c.headline, ads.c.raw).where(ADS_LIVE)
        else:
            query = select(ads.c.id, ads.c.headline).where(ADS_LIVE)
        if after is not None:
            query = query.where(ads.c.id > after)
        rows = conn.execute(query.order_by(ads.c.id).limit(batch * every)).all()
        if not rows:
            return
        after = rows[-1].id
        if every == 1:
            for row in rows:
                yield row.headline, _description_text(row.raw)
            continue
        picked = rows[::every]
        raw: dict[str, str] = {}
        for chunk in _chunks([r.id for r in picked]):
            raw.update(conn.execute(select(ads.c.id, ads.c.raw).where(ads.c.id.in_(chunk))).tuples().all())
        for row in picked:
            if row.id in raw:  # removed in between (another connection's commit): skipped
                yield row.headline, _description_text(raw[row.id])


def _description_text(raw_text: str) -> str:
    try:
        desc = json.loads(raw_text).get("description")
    except (ValueError, AttributeError):
        return ""
    text = desc.get("text") if isinstance(desc, dict) else None
    return text if isinstance(text, str) else ""


def count_ads(conn: Connection) -> AdCounts:
    """Live, removed, expired and not-yet-indexed ads, in one query (for status pages)."""

    def total(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = conn.execute(
        select(
            total(ADS_LIVE),
            total(ads.c.removed_reason.in_(("removed", "snapshot"))),
            total(ads.c.removed_reason == "expired"),
            total(ADS_PENDING_INDEX),
            total(ADS_PENDING_UNINDEX),
        )
    ).one()
    return AdCounts(*(int(v) for v in row))


def distinct_concepts(conn: Connection, kind: ConceptKind) -> list[ConceptCount]:
    """Concepts of one kind among live ads (most ads first, then by label): filter choices and names."""
    if kind not in CONCEPT_KINDS:
        raise ValueError(f"unknown concept kind {kind!r}; expected one of {', '.join(CONCEPT_KINDS)}")
    cid = ads.c[f"{kind}_id"]
    label = ads.c[f"{kind}_label"]
    n = func.count().label("n")
    name = func.max(label).label("name")
    rows = conn.execute(
        select(cid, name, n).where(ADS_LIVE, cid.is_not(None)).group_by(cid).order_by(n.desc(), name, cid)
    )
    return [ConceptCount(r[0], r[1] or "", int(r[2])) for r in rows]
