"""Ingestion jobs: bring the SQL store up to date from a source, then bring the index up to date.

The order of operations is what makes every job resumable and idempotent:

1. Items are parsed and written to SQL in batches, each batch in one transaction. Malformed
   items are skipped, counted and recorded with their reason; the rest of the batch goes in.
2. Expired ads (past ``last_publication_date``) are removed; a *complete* snapshot also
   removes every ad it no longer contains.
3. The index is synchronised from SQL: every live ad whose current version is not yet in
   the index is embedded and written; every removed ad still in the index is deleted. SQL
   records what the index holds only after the index write succeeded. With an index, most of
   this already happens during step 1: each stored batch's pending ads go to an indexing thread
   (``sync/pipeline.py``), so encoding overlaps parsing and SQL writes; this step then only
   finishes what that thread did not settle.
4. Only then does the JobStream checkpoint advance, to the ``updated-before`` instant of the
   window just applied. A crash anywhere leaves the checkpoint where it was, and the rerun
   re-applies the same window (upserts of unchanged ads are no-ops) and finishes step 3.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from jobsai.config import Settings
from jobsai.errors import AdParseError
from jobsai.index.base import VectorIndex
from jobsai.index.points import AdPointBuilder
from jobsai.sources.ads import Ad, RemovedAd, ad_id_of, parse_item
from jobsai.sources.files import iter_file_items
from jobsai.sources.jobstream import JobStreamClient
from jobsai.sources.jsonstream import iter_json_objects
from jobsai.store import ads as ads_repo
from jobsai.store import runs
from jobsai.store.db import Database
from jobsai.store.runs import RunKind
from jobsai.sync.pipeline import IndexFeeder, StageTimes
from jobsai.sync.progress import ProgressLog, fan_out
from jobsai.timeutil import ensure_utc, utcnow

log = logging.getLogger(__name__)

CHECKPOINT = "jobstream"
"""Name of the incremental-update checkpoint in the ``checkpoints`` table."""
BATCH = 500
INDEX_BATCH = 64

ProgressFn = Callable[[str, int, int | None], None]
"""``progress(stage, done, total)``: the CLI draws a bar, the worker logs counts."""


def _no_progress(stage: str, done: int, total: int | None) -> None:
    return None


@dataclass
class IngestReport:
    """What one job did, in counts (never ad or CV content)."""

    kind: str
    run_id: int | None = None
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    expired: int = 0
    reconciled: int = 0
    skipped: int = 0
    indexed: int = 0
    unindexed: int = 0
    checkpoint: datetime | None = None
    skip_reasons: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall seconds per stage (download, parse, store, embed, index_write, ...; the pipeline's
    threads overlap, so these add up to more than the run took)."""

    def counts(self) -> dict[str, int]:
        return {
            k: int(getattr(self, k))
            for k in (
                "inserted", "updated", "unchanged", "removed", "expired",
                "reconciled", "skipped", "indexed", "unindexed",
            )
        }

    def summary(self) -> str:
        c = self.counts()
        return ", ".join(f"{k} {v}" for k, v in c.items() if v) or "nothing changed"


class Ingestor:
    """Runs ingestion jobs against one database and (optionally) one index.

    The index and the point builder (which owns the embedding model) are passed in, so the
    web server can run the scheduled update in-process on the index it already holds open.
    """

    def __init__(
        self,
        settings: Settings,
        db: Database,
        index: VectorIndex | None = None,
        points: AdPointBuilder | None = None,
        progress: ProgressFn | None = None,
        *,
        pipeline: bool = True,
    ) -> None:
        """``progress`` is called as well as a log line every ~30 s (``sync/progress.py``);
        ``pipeline=False`` embeds only after everything is stored (the old order, for comparison)."""
        if (index is None) != (points is None):
            raise ValueError("index and points go together")
        self.settings = settings
        self.db = db
        self.index = index
        self.points = points
        self.progress = fan_out(progress or _no_progress, ProgressLog())
        self.pipeline = pipeline
        self._times: StageTimes | None = None

    # -- jobs ---------------------------------------------------------------------------------

    def load_file(self, path: Path) -> IngestReport:
        """Ingest a JobTech-format file (JSON array or JSON Lines, optionally gzipped)."""
        report = IngestReport(kind="file")
        self._run("file", report, lambda: iter_file_items(path))
        return report

    def load_items(
        self, items: Iterable[dict[str, Any]], kind: str = "file", *, expire: bool = True
    ) -> IngestReport:
        """Ingest raw JobTech items from memory (the demo set, tests).

        ``expire=False`` keeps ads past their last publication date (evaluation sets of
        historical ads); live data is always expired.
        """
        report = IngestReport(kind=kind)
        self._run("file", report, lambda: iter(items), expire=expire)
        return report

    def bootstrap(self, client: JobStreamClient) -> IngestReport:
        """Full snapshot: every live ad; ads missing from a complete snapshot are removed."""
        report = IngestReport(kind="snapshot")
        before = utcnow()
        with tempfile.TemporaryDirectory(dir=self.settings.data_dir, prefix="snapshot-") as tmp:
            t0 = time.perf_counter()
            path = client.download_snapshot(Path(tmp) / "snapshot.json")
            report.seconds["download"] = time.perf_counter() - t0
            with open(path, "rb") as fh:
                self._run(
                    "snapshot", report, lambda: iter_json_objects(fh, name="snapshot"),
                    snapshot=True, window_before=before, total=_downloaded_items(client),
                )
        return report

    def update(self, client: JobStreamClient) -> IngestReport:
        """Apply everything changed since the checkpoint; bootstraps when there is none."""
        with self.db.begin(readonly=True) as conn:
            checkpoint = runs.get_checkpoint(conn, CHECKPOINT)
        if checkpoint is None:
            log.info("no checkpoint yet: fetching the full snapshot")
            return self.bootstrap(client)
        after = checkpoint - timedelta(seconds=self.settings.stream_overlap_s)
        before = utcnow()
        report = IngestReport(kind="stream")
        with tempfile.TemporaryDirectory(dir=self.settings.data_dir, prefix="stream-") as tmp:
            t0 = time.perf_counter()
            path = client.download_stream(after, before, Path(tmp) / "stream.json")
            report.seconds["download"] = time.perf_counter() - t0
            with open(path, "rb") as fh:
                self._run(
                    "stream", report, lambda: iter_json_objects(fh, name="stream"),
                    window_after=after, window_before=before, total=_downloaded_items(client),
                )
        return report

    def verify_index(self) -> tuple[int, int]:
        """Make SQL's record of what the index holds true again, cheaply.

        An index deleted or restored from an older snapshot, or a crash between an index
        write and its SQL record, leaves the two apart. Ads SQL thinks are indexed but the
        index lacks are marked pending; points for ads SQL does not know as indexed are
        deleted. Returns (marked pending, points deleted).
        """
        if self.index is None:
            return (0, 0)
        in_index = self.index.ad_ids()
        with self.db.begin(readonly=True) as conn:
            in_sql = ads_repo.indexed_ad_ids(conn)
        missing = in_sql - in_index
        extra = in_index - in_sql
        if missing:
            with self.db.begin() as conn:
                ads_repo.mark_unindexed(conn, missing)
        if extra:
            self.index.delete(extra)
        if missing or extra:
            log.warning("index and store disagreed: %d ads to re-index, %d stray points deleted",
                        len(missing), len(extra))
        return (len(missing), len(extra))

    def sync_index(self, report: IngestReport | None = None) -> IngestReport:
        """Write every pending ad version to the index and delete removed ads from it."""
        report = report or IngestReport(kind="index")
        if self.index is None or self.points is None:
            return report
        with self.db.begin(readonly=True) as conn:
            total = ads_repo.count_ads(conn).pending_index
        done = 0
        after: str | None = None
        while True:
            with self.db.begin(readonly=True) as conn:
                pending = ads_repo.ads_needing_index(conn, INDEX_BATCH, after_id=after)
            if not pending:
                break
            after = pending[-1].id
            parsed: list[tuple[Ad, str]] = []
            for item in pending:
                try:
                    ad = parse_item(item.raw)
                except AdParseError as exc:  # stored raw no longer parses: leave it out, loudly
                    log.warning("stored ad %s cannot be indexed: %s", item.id, exc)
                    continue
                if isinstance(ad, Ad):
                    parsed.append((ad, item.content_hash))
            report.indexed += self._index_pairs(parsed)
            done += len(pending)
            self.progress("index", done, total)
        while True:
            with self.db.begin(readonly=True) as conn:
                gone = ads_repo.ads_needing_unindex(conn, BATCH)
            if not gone:
                break
            self.index.delete(gone)
            with self.db.begin() as conn:
                ads_repo.mark_unindexed(conn, gone)
            report.unindexed += len(gone)
        return report

    def _index_pairs(self, pairs: Sequence[tuple[Ad, str]]) -> int:
        """Embed and write these (ad, content hash) versions, then record them as indexed."""
        if not pairs or self.index is None or self.points is None:
            return 0
        times = self._times or StageTimes()
        with times.timed("embed"):
            points = self.points.build([a for a, _ in pairs])
        with times.timed("index_write"):
            self.index.upsert(points)
        with times.timed("mark_indexed"), self.db.begin() as conn:
            ads_repo.mark_indexed(conn, [(a.id, h) for a, h in pairs])
        return len(pairs)

    # -- the common path ---------------------------------------------------------------------

    def _run(
        self,
        kind: RunKind,
        report: IngestReport,
        items: Callable[[], Iterator[dict[str, Any]]],
        *,
        snapshot: bool = False,
        window_after: datetime | None = None,
        window_before: datetime | None = None,
        expire: bool = True,
        total: int | None = None,
    ) -> None:
        with self.db.begin() as conn:
            run_id = runs.start_run(conn, kind, window_after=window_after, window_before=window_before)
        report.run_id = run_id
        self._times = times = StageTimes()
        t_run = time.perf_counter()
        try:
            if self.pipeline and self.index is not None:
                with IndexFeeder(self._index_pairs, progress=self.progress, times=times, total=total) as feeder:
                    self._apply(run_id, items(), report, snapshot=snapshot, expire=expire, feeder=feeder,
                                total=total)
                report.indexed += feeder.indexed
            else:
                self._apply(run_id, items(), report, snapshot=snapshot, expire=expire, total=total)
            now = utcnow()
            with self.db.begin() as conn:
                if snapshot:
                    report.reconciled = ads_repo.reconcile_snapshot(conn, run_id, now)
                if expire:
                    report.expired = ads_repo.expire_ads(conn, now)
            with times.timed("final_sync"):
                self.sync_index(report)
            with self.db.begin() as conn:
                if window_before is not None:
                    runs.set_checkpoint(conn, CHECKPOINT, window_before)
                    report.checkpoint = window_before
                runs.finish_run(conn, run_id, "complete", report.counts())
        except BaseException:
            try:
                with self.db.begin() as conn:
                    runs.finish_run(conn, run_id, "failed", report.counts())
            except Exception:  # the original error matters more
                log.exception("could not record the failed run %s", run_id)
            raise
        finally:
            self._times = None
            for stage, seconds in times.seconds.items():
                report.seconds[stage] = report.seconds.get(stage, 0.0) + seconds
            report.seconds["run"] = time.perf_counter() - t_run
        log.info("%s run %s complete: %s", kind, run_id, report.summary())
        log.info("%s run %s seconds per stage: %s", kind, run_id,
                 ", ".join(f"{k} {v:.1f}" for k, v in report.seconds.items()))

    def _apply(
        self,
        run_id: int,
        items: Iterator[dict[str, Any]],
        report: IngestReport,
        *,
        snapshot: bool,
        expire: bool = True,
        feeder: IndexFeeder | None = None,
        total: int | None = None,
    ) -> None:
        times = self._times or StageTimes()
        batch: list[dict[str, Any]] = []
        seen = 0
        it = iter(items)
        while True:
            with times.timed("read"):
                for obj in it:
                    batch.append(obj)
                    if len(batch) >= BATCH:
                        break
            if not batch:
                break
            seen += len(batch)
            pending = self._apply_batch(run_id, batch, report, snapshot, want_pending=feeder is not None)
            if feeder is not None:
                feeder.put(self._worth_indexing(pending, expire), len(batch))
            self.progress("ads", seen, total)
            batch = []

    @staticmethod
    def _worth_indexing(pending: list[tuple[Ad, str]], expire: bool) -> list[tuple[Ad, str]]:
        """Leave out ads that the end of this run will expire (a bootstrap's snapshot carries
        thousands): embedding them would be thrown away."""
        if not expire:
            return pending
        now = utcnow()
        return [(ad, h) for ad, h in pending
                if ad.last_publication_date is None or ensure_utc(ad.last_publication_date) >= now]

    def _apply_batch(
        self,
        run_id: int,
        batch: list[dict[str, Any]],
        report: IngestReport,
        snapshot: bool,
        *,
        want_pending: bool = False,
    ) -> list[tuple[Ad, str]]:
        """Store one batch in one transaction; with ``want_pending``, return its ads that the
        index now lacks in their stored version, with that version's hash."""
        times = self._times or StageTimes()
        t_parse = time.perf_counter()
        ads: dict[str, Ad] = {}
        removed: dict[str, RemovedAd] = {}
        skipped: list[tuple[str | None, str]] = []
        for obj in batch:
            try:
                item = parse_item(obj)
            except AdParseError as exc:
                try:
                    bad_id: str | None = ad_id_of(obj)
                except AdParseError:
                    bad_id = None
                skipped.append((bad_id, str(exc)))
                continue
            # Later items win within a batch (a stream may carry an ad and then its removal).
            if isinstance(item, RemovedAd):
                ads.pop(item.id, None)
                removed[item.id] = item
            else:
                removed.pop(item.id, None)
                ads[item.id] = item
        now = utcnow()
        times.add("parse", time.perf_counter() - t_parse)
        pending: dict[str, str] = {}
        with times.timed("store"), self.db.begin() as conn:
            counts = ads_repo.upsert_ads(conn, list(ads.values()), snapshot_run=run_id if snapshot else None)
            n_removed = 0
            for item in removed.values():
                n_removed += ads_repo.mark_removed(conn, [item.id], item.removed_at or now, "removed")
            for ad_id, reason in skipped:
                runs.record_skipped(conn, run_id, ad_id, reason)
            if want_pending and ads:
                pending = ads_repo.pending_index_hashes(conn, list(ads))
        report.inserted += counts.inserted
        report.updated += counts.updated
        report.unchanged += counts.unchanged
        report.removed += n_removed
        report.skipped += len(skipped)
        for _, reason in skipped:  # the reason names the ad when it has an id
            log.warning("skipped a malformed record: %s", reason)
            if len(report.skip_reasons) < 20:
                report.skip_reasons.append(reason)
        return [(ads[ad_id], digest) for ad_id, digest in pending.items()]


def _downloaded_items(client: JobStreamClient) -> int | None:
    """How many items the verified download holds (for an ETA), when the client says."""
    info = getattr(client, "last_download", None)
    items = getattr(info, "items", None)
    return int(items) if isinstance(items, int) and items >= 0 else None
