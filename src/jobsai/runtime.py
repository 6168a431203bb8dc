"""Wires the parts together from one Settings object: database, model, index, matcher.

The CLI and the web app both build a :class:`Runtime`; it loads the model and opens the
index once and hands out the shared, read-only pieces. Nothing here is global.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import cached_property

from jobsai.config import Settings
from jobsai.embed.model import Embedder, same_vectors
from jobsai.errors import SourceError
from jobsai.index.base import VectorIndex
from jobsai.index.bm25 import Bm25Encoder
from jobsai.index.factory import DEFAULT_INDEX_NAME, open_index
from jobsai.index.points import AdPointBuilder
from jobsai.match.corpus import StoreCorpus
from jobsai.match.matcher import Matcher
from jobsai.match.scoring import DEFAULT_CALIBRATION, Calibration
from jobsai.sources.ads import Ad
from jobsai.sources.demo import iter_demo_items
from jobsai.sources.jobstream import JobStreamClient
from jobsai.store import ads as ads_repo
from jobsai.store import runs
from jobsai.store.db import Database
from jobsai.sync.ingest import Ingestor, IngestReport, ProgressFn

log = logging.getLogger(__name__)


class Runtime:
    """Lazily built application parts; close it to release the index (one opener at a time)."""

    def __init__(self, settings: Settings, progress: ProgressFn | None = None, show_bars: bool = False) -> None:
        self.settings = settings
        self.progress = progress
        self.show_bars = show_bars
        settings.ensure_dirs()
        self.db = Database.from_settings(settings)
        self.db.migrate()

    @cached_property
    def active_record(self) -> runs.IndexRecord | None:
        """The registry's active index as it was when this Runtime opened it (fixed for its life)."""
        with self.db.begin(readonly=True) as conn:
            return runs.active_index(conn)

    @cached_property
    def embedder(self) -> Embedder:
        """The model that built the active index (so queries and index always agree); the
        configured model for a fresh install or when the recorded model cannot be found."""
        from jobsai.sync.reindex import backend_for, read_meta

        record = self.active_record
        meta = read_meta(self.settings, record.name) if record is not None else None
        settings = self.settings
        backend = backend_for(meta)
        if backend is not None and not same_vectors(backend, settings.embed_backend):
            # Its vectors and the configured encoder's must not meet in one index (ModelFingerprint).
            log.warning("index %s was built with the %s backend: encoding with it until an index is built with "
                        "JOBSAI_EMBED_BACKEND=%s (`jobsai index build --switch`)",
                        record.name if record else None, backend, settings.embed_backend)
            settings = settings.model_copy(update={"embed_backend": backend})
        if meta is not None and meta["model"] != settings.model:
            try:
                embedder = Embedder.load(settings.model_copy(update={"model": meta["model"]}))
            except Exception as exc:  # noqa: BLE001 - fall back to the configured model, loudly
                log.warning("cannot load the model %s that built index %s (%s); using the configured model",
                            meta["model"], record.name if record else None, exc)
            else:
                if record is not None and embedder.fingerprint.weights_sha256 == record.model_sha256:
                    return embedder
                log.warning("the model at %s changed since it built index %s; using the configured model",
                            meta["model"], record.name if record else None)
        return Embedder.load(settings)

    @cached_property
    def bm25(self) -> Bm25Encoder:
        return Bm25Encoder()

    @property
    def index_name(self) -> str:
        record = self.active_record
        if record is not None and record.model_sha256 == self.embedder.fingerprint.weights_sha256:
            return record.name
        return DEFAULT_INDEX_NAME

    @cached_property
    def index(self) -> VectorIndex:
        fp = self.embedder.fingerprint
        record = self.active_record
        if record is not None and record.name != DEFAULT_INDEX_NAME and record.model_sha256 == fp.weights_sha256:
            # A blue/green build is active: open it (built and verified by sync.reindex).
            return open_index(self.settings, fp, record.name, create=False, encoder=self.bm25)
        index = open_index(self.settings, fp, DEFAULT_INDEX_NAME, create=True, encoder=self.bm25)
        with self.db.begin() as conn:
            record = runs.get_index(conn, DEFAULT_INDEX_NAME)
            if record is None or record.model_sha256 != fp.weights_sha256:
                # open_index refused any index built by another model, so this one is new.
                if record is not None:
                    runs.retire_index(conn, DEFAULT_INDEX_NAME)
                runs.register_index(
                    conn, DEFAULT_INDEX_NAME,
                    backend="qdrant" if self.settings.qdrant_url else "qdrant-edge",
                    model_name=fp.name, model_sha256=fp.weights_sha256, dim=fp.dim,
                )
                runs.activate_index(conn, DEFAULT_INDEX_NAME)
        from jobsai.sync.reindex import model_spec_of, read_meta, write_meta

        meta = read_meta(self.settings, DEFAULT_INDEX_NAME)
        if meta is None or meta.get("model_sha256") != fp.weights_sha256 or meta.get("vectors") != fp.vectors:
            write_meta(self.settings, DEFAULT_INDEX_NAME, model_spec_of(self.embedder, self.settings),
                       fp.weights_sha256, fp.vectors)
        return index

    @cached_property
    def ingestor(self) -> Ingestor:
        points = AdPointBuilder(self.embedder, self.bm25, progress=self.show_bars)
        ingestor = Ingestor(self.settings, self.db, self.index, points, progress=self.progress)
        ingestor.verify_index()
        return ingestor

    def lookup_ads(self, ids: Sequence[str]) -> dict[str, Ad]:
        with self.db.begin(readonly=True) as conn:
            return ads_repo.get_ads(conn, ids)

    @cached_property
    def matcher(self) -> Matcher:
        cal = self.embedder.score_calibration
        return Matcher(
            self.embedder, self.index, self.lookup_ads, self.bm25, min_words=self.settings.min_cv_words,
            calibration=Calibration(**cal) if cal else DEFAULT_CALIBRATION,
            corpus=StoreCorpus(self.db),
        )

    def client(self) -> JobStreamClient:
        return JobStreamClient(self.settings)

    def live_count(self) -> int:
        with self.db.begin(readonly=True) as conn:
            return ads_repo.count_ads(conn).live

    def ensure_data(self, on_fallback: Callable[[str], None] | None = None) -> IngestReport | None:
        """Make sure there is something to match against.

        With an empty store: fetch the JobStream snapshot; if JobStream cannot be reached,
        load the demo set that ships with the package (and say so). Then bring the index up
        to date with the store (it may lag after a crash or a model change).
        """
        report: IngestReport | None = None
        if self.live_count() == 0:
            try:
                # First contact: fail fast when offline instead of backing off for minutes.
                quick = self.settings.model_copy(update={"http_max_retries": 1, "http_timeout_s": 15.0})
                with JobStreamClient(quick) as client:
                    report = self.ingestor.bootstrap(client)
            except SourceError as exc:
                message = f"JobStream is unreachable ({exc}); using the offline demo set of ads."
                log.warning("%s", message)
                if on_fallback:
                    on_fallback(message)
                report = self.ingestor.load_items(iter_demo_items(), kind="demo")
        else:
            report = self.ingestor.sync_index()
        return report

    def close(self) -> None:
        if "index" in self.__dict__:
            self.index.close()
        self.db.dispose()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
