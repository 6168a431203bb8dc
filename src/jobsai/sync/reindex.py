"""Blue/green re-indexing: build a new index beside the serving one, verify it, switch atomically.

How it fits together:

* The index catalog (``index/catalog.py``) says which index is *active* and which model built
  each; the query side (``Runtime``) opens the active one with that model.
* :func:`build_index` registers a new index as ``building`` in the catalog and embeds every live ad from the
  SQL store into it while the active index keeps serving. Each written batch is appended to
  the index's *manifest* (``ad_id<TAB>content_hash``, flushed and fsynced after the index
  write), so a crash mid-build loses nothing: the next call scrolls the new index's ad ids,
  keeps the manifest entries the index really holds and embeds only what is missing or has
  changed. It repeats until a pass finds nothing to do, then verifies (point count equals
  the live ads in SQL, and the ids are the same).
* :func:`switch_active` activates it in one SQL transaction, together with ``ads.indexed_hash``
  (which always describes the active index): first the outgoing index's column is saved as
  its manifest, then the column is rewritten from the incoming index's manifest. An ad that
  changed after it was embedded keeps an old hash and is picked up by the next
  ``sync_index``, which callers run right after a switch to bring over the delta.
* :func:`rollback` is a switch back to a retired index whose files still exist: no
  re-embedding, only the delta since it was retired.
* :func:`prune_retired` runs after every switch: it keeps the active index and the
  ``index_keep_retired`` (1) most recently active retired ones, and deletes the data of older
  retired indexes (the edge index's folder under ``data_dir/index``, or the server collection),
  so a weekly retrain does not add a full index to the disk every week. Deleted indexes stay in
  the registry as ``retired`` with ``activated_at`` cleared, which is how rollback knows to skip them.

Writers must not run ``sync_index`` on the old index while a switch commits (the worker runs
all index jobs under one job lock; see ``jobsai.worker``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from jobsai.config import Settings
from jobsai.embed.model import Embedder
from jobsai.errors import JobsAIError, StoreError, VectorIndexError
from jobsai.index import catalog
from jobsai.index.base import VectorIndex
from jobsai.index.bm25 import Bm25Encoder
from jobsai.index.catalog import IndexRecord
from jobsai.index.factory import drop_index, edge_index_path, open_index
from jobsai.index.points import AdPointBuilder
from jobsai.store import ads as ads_repo
from jobsai.store.db import Database
from jobsai.store.schema import ads as ads_table

log = logging.getLogger(__name__)

BATCH = 64
MAX_PASSES = 5
ProgressFn = Callable[[str, int, int | None], None]


class IndexVerificationError(VectorIndexError):
    """A freshly built index does not hold exactly the live ads of the SQL store."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    record: IndexRecord
    embedded: int
    deleted: int
    resumed_with: int
    """Points already in the index (from an interrupted build) that were kept."""


# -- per-index metadata and manifests ----------------------------------------------------------


def meta_dir(settings: Settings) -> Path:
    """Where each index's manifest lives (``<name>.manifest.tsv``)."""
    return settings.data_dir / "index-meta"


def _manifest_path(settings: Settings, name: str) -> Path:
    return meta_dir(settings) / f"{name}.manifest.tsv"


def read_manifest(settings: Settings, name: str) -> dict[str, str]:
    """ad id -> content hash of the version index ``name`` holds (later lines win)."""
    out: dict[str, str] = {}
    try:
        with open(_manifest_path(settings, name), encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) != 2:
                    continue  # a torn last line after a crash
                ad_id, digest = parts
                if digest:
                    out[ad_id] = digest
                else:
                    out.pop(ad_id, None)
    except FileNotFoundError:
        pass
    return out


def write_manifest(settings: Settings, name: str, held: dict[str, str]) -> None:
    path = _manifest_path(settings, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tsv.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for ad_id, digest in held.items():
            fh.write(f"{ad_id}\t{digest}\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _append_manifest(settings: Settings, name: str, items: list[tuple[str, str]]) -> None:
    path = _manifest_path(settings, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        for ad_id, digest in items:
            fh.write(f"{ad_id}\t{digest}\n")
        fh.flush()
        os.fsync(fh.fileno())


def _live_hashes(db: Database) -> dict[str, str]:
    with db.begin(readonly=True) as conn:
        rows = conn.execute(select(ads_table.c.id, ads_table.c.content_hash).where(ads_table.c.removed_at.is_(None)))
        return {r.id: r.content_hash for r in rows}


# -- build --------------------------------------------------------------------------------------


def build_index(
    settings: Settings,
    db: Database,
    embedder: Embedder,
    name: str,
    *,
    bm25: Bm25Encoder | None = None,
    progress: ProgressFn | None = None,
    batch: int = BATCH,
) -> BuildReport:
    """Build (or resume building) index ``name`` from the SQL store with ``embedder``; verify it.

    The active index is never touched. The new index is closed on return (the embedded
    backend allows one opener), ready for :func:`switch_active`.
    """
    bm25 = bm25 or Bm25Encoder()
    fp = embedder.fingerprint
    with db.begin() as conn:
        rec = catalog.get_index(conn, name)
        if rec is not None and rec.status == "active":
            raise StoreError(f"index {name!r} is active; build the new one under another name")
        if rec is not None and rec.model_sha256 != fp.weights_sha256:
            raise StoreError(
                f"index {name!r} was registered for another model ({rec.model_name}); use another name"
            )
        if rec is None or rec.status != "building" or rec.vectors != fp.vectors or rec.model_spec is None:
            catalog.register_built_by(conn, settings, name, embedder)
    builder = AdPointBuilder(embedder, bm25)
    index = open_index(settings, fp, name, create=True, encoder=bm25)
    embedded = deleted = 0
    try:
        in_index = index.ad_ids()
        held = {k: v for k, v in read_manifest(settings, name).items() if k in in_index}
        stray = in_index - held.keys()
        if stray:  # written by a batch whose manifest line never made it: version unknown
            index.delete(stray)
            deleted += len(stray)
        write_manifest(settings, name, held)
        resumed_with = len(held)
        for _ in range(MAX_PASSES):
            live = _live_hashes(db)
            todo = sorted(k for k, v in live.items() if held.get(k) != v)
            gone = [k for k in held if k not in live]
            if not todo and not gone:
                break
            for start in range(0, len(todo), batch):
                ids = todo[start:start + batch]
                with db.begin(readonly=True) as conn:
                    parsed = ads_repo.get_ads(conn, ids)
                ads = [parsed[i] for i in ids if i in parsed]
                if ads:
                    index.upsert(builder.build(ads))
                    items = [(a.id, live[a.id]) for a in ads]
                    _append_manifest(settings, name, items)
                    held.update(items)
                    embedded += len(ads)
                if progress:
                    progress("reindex", min(start + batch, len(todo)), len(todo))
            if gone:
                index.delete(gone)
                _append_manifest(settings, name, [(k, "") for k in gone])
                for k in gone:
                    held.pop(k, None)
                deleted += len(gone)
        index.optimize()
        _verify(index, db)
        count = index.count()
        with db.begin() as conn:
            catalog.set_index_point_count(conn, name, count)
            record = catalog.get_index(conn, name)
        write_manifest(settings, name, held)  # compacted
    finally:
        index.close()
    assert record is not None
    log.info("index %s built: %d points (%d embedded, %d kept from before)", name, count, embedded, resumed_with)
    return BuildReport(record=record, embedded=embedded, deleted=deleted, resumed_with=resumed_with)


def _verify(index: VectorIndex, db: Database) -> None:
    live = set(_live_hashes(db))
    ids = index.ad_ids()
    count = index.count()
    if count != len(live) or ids != live:
        raise IndexVerificationError(
            f"the new index holds {count} points but the store has {len(live)} live ads "
            f"({len(live - ids)} missing, {len(ids - live)} extra); run the build again"
        )


# -- switch and rollback ------------------------------------------------------------------------


def index_exists(settings: Settings, name: str) -> bool:
    """Whether the index's data is still there (server collections are assumed to exist)."""
    if settings.qdrant_url:
        return True
    return edge_index_path(settings, name).is_dir()


def switch_active(settings: Settings, db: Database, name: str) -> IndexRecord:
    """Make ``name`` the active index, atomically with ``ads.indexed_hash``.

    In one transaction: the outgoing index's ``indexed_hash`` column is saved as its manifest
    (so a rollback knows what it holds), the column is rewritten from ``name``'s manifest,
    and the registry switches. Run ``sync_index`` on the new index afterwards for the delta.
    """
    if not index_exists(settings, name):
        raise StoreError(f"index {name!r} no longer exists; build it again")
    held = read_manifest(settings, name)
    with db.begin() as conn:
        rec = catalog.get_index(conn, name)
        if rec is None:
            raise StoreError(f"index {name!r} is not registered")
        if rec.status == "active":
            return rec
        if rec.status == "building" and rec.point_count is None:
            raise StoreError(f"index {name!r} has not finished building")
        old = catalog.active_index(conn)
        if old is not None:
            rows = conn.execute(
                select(ads_table.c.id, ads_table.c.indexed_hash).where(ads_table.c.indexed_hash.is_not(None))
            )
            write_manifest(settings, old.name, {r.id: r.indexed_hash for r in rows})
        ads_repo.reset_index_state(conn)
        ads_repo.mark_indexed(conn, held.items())
        record = catalog.activate_index(conn, name, point_count=len(held))
    log.info("index %s is now active (was %s)", name, old.name if old else None)
    prune_retired(settings, db)
    return record


def rollback(settings: Settings, db: Database, name: str | None = None) -> IndexRecord:
    """Switch back to a retired index that still exists (default: the latest one that was
    active) without re-embedding; then ``sync_index`` brings over what changed since."""
    with db.begin(readonly=True) as conn:
        candidates = [
            r for r in catalog.list_indexes(conn)
            if r.status == "retired" and r.activated_at is not None and (name is None or r.name == name)
        ]
    candidates = [r for r in candidates if index_exists(settings, r.name) and r.model is not None]
    if not candidates:
        raise StoreError(f"no retired index {'named ' + repr(name) + ' ' if name else ''}to roll back to")
    candidates.sort(key=lambda r: r.activated_at or r.created_at, reverse=True)
    return switch_active(settings, db, candidates[0].name)


# -- retention of retired indexes ---------------------------------------------------------------


def prune_retired(settings: Settings, db: Database, keep: int | None = None) -> list[str]:
    """Delete the data of retired indexes beyond the ``keep`` most recently active; their names.

    Never touches the active index or one being built. Each is first marked in SQL (so rollback
    stops offering it even if the deletion is interrupted), then its meta files and data go. An
    edge folder that some process still has open is left for the next switch. Failures are
    logged, not raised: the switch that called this has already succeeded.
    """
    keep = settings.index_keep_retired if keep is None else keep
    with db.begin(readonly=True) as conn:
        retired = [r for r in catalog.list_indexes(conn) if r.status == "retired"]
    rollback_targets = sorted((r for r in retired if r.activated_at is not None),
                              key=lambda r: r.activated_at or r.created_at, reverse=True)
    kept = {r.name for r in rollback_targets[:max(keep, 0)]}
    deleted: list[str] = []
    for rec in retired:
        if rec.name in kept:
            continue
        try:
            if _delete_index_data(settings, db, rec.name):
                deleted.append(rec.name)
        except (OSError, JobsAIError) as exc:
            log.warning("could not delete the retired index %s (will retry after the next switch): %s",
                        rec.name, exc)
    if deleted:
        log.info("deleted retired indexes %s (keeping %s)", ", ".join(deleted), ", ".join(sorted(kept)) or "none")
    return deleted


def _delete_index_data(settings: Settings, db: Database, name: str) -> bool:
    """Mark ``name`` as no rollback target, then delete its meta files and data; False if nothing was left."""
    with db.begin() as conn:
        rec = catalog.get_index(conn, name)
        if rec is None or rec.status != "retired":
            return False  # re-activated or rebuilt meanwhile
        marked = rec.activated_at is not None
        if marked:
            catalog.forget_retired_index(conn, name)
    files = [p for p in (catalog.legacy_meta_path(settings, name), _manifest_path(settings, name)) if p.exists()]
    for p in files:
        p.unlink(missing_ok=True)
    return drop_index(settings, name) or marked or bool(files)

