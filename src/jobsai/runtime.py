"""Wires the parts together from one Settings object: database, model, index, matcher.

The CLI and the web app both build a :class:`Runtime`; it loads the model and opens the
index once and hands out the shared, read-only pieces. Nothing here is global, and nothing
here decides what serves: the index catalog does (``index/catalog.py``); this only wires.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from functools import cached_property

from jobsai.config import Settings
from jobsai.embed.model import Embedder
from jobsai.errors import SourceError
from jobsai.index import catalog
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
from jobsai.store.db import Database
from jobsai.sync.ingest import Ingestor, IngestReport, ProgressFn

log = logging.getLogger(__name__)


def _return_freed_memory() -> None:
    """Hand memory freed by Python and native libraries back to the OS (glibc keeps it otherwise)."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class Runtime:
    """Lazily built application parts; close it to release the index (one opener at a time)."""

    def __init__(self, settings: Settings, progress: ProgressFn | None = None, show_bars: bool = False) -> None:
        self.settings = settings
        self.progress = progress
        self.show_bars = show_bars
        settings.ensure_dirs()
        self.db = Database.from_settings(settings)
        self.db.migrate()
        catalog.import_legacy_meta(settings, self.db)

    @cached_property
    def active_record(self) -> catalog.IndexRecord | None:
        """The catalog's active index as it was when this Runtime first asked (fixed for its life)."""
        with self.db.begin(readonly=True) as conn:
            return catalog.active_index(conn)

    @cached_property
    def embedder(self) -> Embedder:
        """The model that built the active index (the catalog decides; see ``catalog.serving_model``)."""
        return catalog.load_serving_model(self.settings, self.active_record)

    @cached_property
    def bm25(self) -> Bm25Encoder:
        return Bm25Encoder()

    @property
    def index_name(self) -> str:
        return catalog.serving_index(self.active_record, self.embedder.fingerprint)[0]

    @cached_property
    def index(self) -> VectorIndex:
        """The serving index, opened (created on a fresh install); opening records nothing."""
        name, create = catalog.serving_index(self.active_record, self.embedder.fingerprint)
        return open_index(self.settings, self.embedder.fingerprint, name, create=create, encoder=self.bm25)

    @cached_property
    def ingestor(self) -> Ingestor:
        """The writer of the serving index; the catalog records the default index as it starts."""
        index = self.index  # opening refuses an index built by another model: record only after it
        if self.index_name == DEFAULT_INDEX_NAME:
            with self.db.begin() as conn:
                catalog.adopt_default_index(conn, self.settings, self.embedder)
        points = AdPointBuilder(self.embedder, self.bm25, progress=self.show_bars)
        ingestor = Ingestor(self.settings, self.db, index, points, progress=self.progress)
        ingestor.verify_index()
        return ingestor

    def lookup_ads(self, ids: Sequence[str]) -> dict[str, Ad]:
        with self.db.begin(readonly=True) as conn:
            return ads_repo.get_ads(conn, ids)

    @cached_property
    def calibration(self) -> Calibration:
        """The match% curve of the serving model (its own when it was trained, else the default):
        the matcher and the job alerts score with the same one."""
        cal = self.embedder.score_calibration
        return Calibration(**cal) if cal else DEFAULT_CALIBRATION

    @cached_property
    def matcher(self) -> Matcher:
        return Matcher(
            self.embedder, self.index, self.lookup_ads, self.bm25, min_words=self.settings.min_cv_words,
            calibration=self.calibration, corpus=StoreCorpus(self.db),
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
        """Release the model, then close the index (its optimizer runs now), then the database.

        The model goes first so that the index's closing optimizer (~500 MB at 40k ads) does not
        stack on the model's memory: that is the peak of a bootstrap."""
        if "embedder" in self.__dict__:
            self.embedder.release()
            _return_freed_memory()
        if "index" in self.__dict__:
            self.index.close()
        self.db.dispose()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
