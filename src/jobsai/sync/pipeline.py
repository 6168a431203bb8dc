"""Embedding and indexing in a thread of their own, fed through a bounded queue while the
ingestion thread goes on parsing and storing the next batches.

Why: on a bootstrap, encoding is ~90 % of the work and the rest (reading the download, parsing,
SQL writes) is single-threaded Python. Run one after the other, the cores idle during the rest;
run side by side, encoding never waits on I/O and the job takes about as long as encoding alone.
The queue is bounded (a few batches), so memory stays flat however large the snapshot.

Nothing about correctness changes: the ingestion thread stores a batch (one transaction) before
it hands its pending ads over, and the indexing thread records an ad as indexed only after the
index write, with the content hash it embedded. Whatever the queue did not get to (an ad changed
again later in the stream, an ad removed or expired after it was indexed, a run interrupted) is
still pending in SQL and the ordinary ``sync_index`` pass that ends every run finishes it.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, cast

from jobsai.sources.ads import Ad

log = logging.getLogger(__name__)

QUEUE_DEPTH = 1
"""Batches waiting for the encoder (each up to ``ingest.BATCH`` ads). Reading, parsing and storing
a batch takes ~1 % of the time encoding it takes (``bench/bootstrap_speed.py``), so one waiting
batch keeps the encoder busy; each more would only hold ~500 more ads in memory."""
CHUNK_ADS = 128
"""Ads embedded per index write: large enough for length bucketing to find equal lengths, small
enough that an interrupt is answered within seconds."""
STOP_WAIT_S = 120.0

IndexFn = Callable[[Sequence[tuple[Ad, str]]], int]
"""Embeds and indexes (ad, content hash) pairs, records them as indexed; returns how many."""

_STOP = object()


class StageTimes:
    """Seconds spent per stage, added from any thread (for the run's report and the bench)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seconds: dict[str, float] = {}

    def add(self, stage: str, seconds: float) -> None:
        with self._lock:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def timed(self, stage: str) -> _Timer:
        return _Timer(self, stage)


class _Timer:
    def __init__(self, times: StageTimes, stage: str) -> None:
        self._times, self._stage, self._t0 = times, stage, 0.0

    def __enter__(self) -> None:
        self._t0 = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self._times.add(self._stage, time.perf_counter() - self._t0)


class IndexFeeder:
    """A consumer thread that runs ``index_fn`` on what :meth:`put` hands it, in order.

    ``progress("embed", done, total)`` counts stream items settled (handed over and indexed, or
    handed over as needing nothing), so with the download's item count as ``total`` the ETA is
    the job's. An error in the thread is raised again in the caller's next :meth:`put` or at
    :meth:`close`; leaving the ``with`` block on an error stops the thread after its current chunk.
    """

    def __init__(
        self,
        index_fn: IndexFn,
        *,
        progress: Callable[[str, int, int | None], None],
        times: StageTimes,
        total: int | None = None,
        depth: int = QUEUE_DEPTH,
        chunk: int = CHUNK_ADS,
    ) -> None:
        self._index_fn = index_fn
        self._progress = progress
        self._times = times
        self.total = total
        self._chunk = max(1, chunk)
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
        self._abort = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="jobsai-index-feeder", daemon=True)
        self.indexed = 0
        self.settled = 0

    def __enter__(self) -> IndexFeeder:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self._stop(abort=True)

    def put(self, pairs: Sequence[tuple[Ad, str]], settles: int) -> None:
        """Hand over ads to index (``settles``: stream items this batch stands for); blocks
        while the queue is full, which is what keeps memory bounded."""
        job = (list(pairs), int(settles))
        t0 = time.perf_counter()
        while True:
            self._raise_if_failed()
            if not self._thread.is_alive():
                raise RuntimeError("the indexing thread is not running")
            try:
                self._queue.put(job, timeout=0.2)
                break
            except queue.Full:
                continue
        self._times.add("wait_for_encoder", time.perf_counter() - t0)

    def close(self) -> None:
        """Wait until everything handed over is indexed; raises the thread's error, if any."""
        self._stop(abort=False)
        self._raise_if_failed()

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def _stop(self, *, abort: bool) -> None:
        if abort:
            self._abort.set()
            with contextlib.suppress(queue.Empty):  # drop what is queued: it stays pending in SQL
                while True:
                    self._queue.get_nowait()
        while self._thread.is_alive():
            try:
                self._queue.put(_STOP, timeout=0.2)
                break
            except queue.Full:
                continue
        self._thread.join(STOP_WAIT_S if abort else None)
        if self._thread.is_alive():  # pragma: no cover - an encode stuck for minutes
            log.warning("the indexing thread did not stop within %.0f s; leaving it", STOP_WAIT_S)

    def _work(self) -> None:
        while True:
            t0 = time.perf_counter()
            job = self._queue.get()
            self._times.add("encoder_idle", time.perf_counter() - t0)
            if job is _STOP:
                return
            if self._error is not None or self._abort.is_set():
                continue
            pairs, settles = cast("tuple[Sequence[Any], int]", job)
            try:
                for start in range(0, len(pairs), self._chunk):
                    if self._abort.is_set():
                        return
                    self.indexed += self._index_fn(pairs[start:start + self._chunk])
            except BaseException as exc:  # noqa: BLE001 - handed to the ingestion thread
                self._error = exc
                continue
            self.settled += settles
            self._progress("embed", self.settled, self.total)

