"""The scheduler behind ``jobsai worker`` (and, in-process, ``jobsai serve``).

Jobs and their default schedules:

* ``update`` every ``JOBSAI_UPDATE_INTERVAL_MIN`` minutes (10): the incremental JobStream update,
  then (whether or not JobStream answered) :meth:`Worker.serve_champion`, so a promotion or
  rollback by hand (``jobsai models promote|rollback``) serves within one update interval. When
  nothing changed that costs a registry read and a cached weights hash (file sizes and mtimes).
* ``train`` every ``JOBSAI_TRAIN_INTERVAL_DAYS`` days (7): the ``train`` job it was given
  (``jobsai worker`` and ``jobsai serve`` pass ``jobsai.learn.pipeline.run_training``; without
  one it is logged and skipped). Then, whatever training did, the
  model registry decides what serves: when its champion is not the model that built the
  active index (a promotion just now, one by hand with ``jobsai models promote``/``rollback``,
  or one whose re-index was interrupted), the worker re-indexes blue/green with it and hands
  the new runtime to ``on_swap`` (the web service's hot swap). Reading the registry rather
  than the training result is what makes an interrupted promotion resume on the next run.
* ``adapt`` first as soon as the store has ads, then every ``JOBSAI_DOMAIN_ADAPT_INTERVAL_DAYS``
  days (30; 0 turns it off; no job without an ``adapt`` function): the callers pass
  ``jobsai.learn.pipeline.run_domain_adaptation``, which adapts the base model
  to the store's ads (no feedback needed) and gates it; a promoted model then serves through the
  same champion check as training, blue/green. A new install therefore serves the base model at
  once and switches to the adapted one when it has been built and has passed the gate.
* ``retention`` daily: consented CV text older than ``JOBSAI_FEEDBACK_RETENTION_DAYS`` (180)
  is deleted from the feedback table (:func:`purge_feedback_cv_text`, unless another is given).
* follow-ups passed in: ``after_update`` jobs run after each successful update (job alerts:
  :func:`jobsai.alerts.jobs.after_update` scores the new ads for every saved alert and sends what is
  due), ``after_retention`` jobs after retention (alerts' daily digests and retention). The
  production set is :func:`jobsai.jobs.worker_jobs`.

The scheduler sits above ``runtime`` and ``learn`` and imports neither the learning code nor the
web app: its jobs are parameters, so tests pass theirs in and nothing is discovered at run time.

When each job last ran is kept in the ``checkpoints`` table (``worker:<job>``), so a restart
does not re-run a weekly job. **Locking**: every job runs under an exclusive file lock
(``jobsai.filelock``) on ``data_dir/locks/<lock>.lock`` taken without waiting; a second worker (another process or
thread) that finds it held skips the job for this tick. ``update`` and ``train`` share the
``index`` lock because both write the vector index (``jobsai bootstrap|update|load|reindex`` and
``jobsai index build|rollback`` take it too, and refuse to run while it is held); the OS drops
the lock if a worker dies, so there is nothing to expire. (Workers on different machines need
a shared ``data_dir`` or their own schedule; the embedded index allows one opener anyway.)

**Shutdown**: :meth:`Worker.stop` (SIGTERM/SIGINT in ``jobsai worker``) lets the job that is
running finish (every ingestion batch is committed and resumable) and then returns.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from jobsai.config import Settings
from jobsai.embed.model import FINGERPRINT_CACHE_FILE, Embedder, weights_sha256
from jobsai.embed.model_ref import ModelRef
from jobsai.errors import JobsAIError
from jobsai.filelock import INDEX_LOCK, job_lock
from jobsai.index import catalog
from jobsai.metrics import Metrics
from jobsai.runtime import Runtime
from jobsai.store import feedback as feedback_repo
from jobsai.store import registry, runs
from jobsai.sync.ingest import IngestReport
from jobsai.sync.reindex import build_index, switch_active
from jobsai.timeutil import utcnow

log = logging.getLogger(__name__)

RuntimeJob = Callable[[Runtime], object]
"""A scheduled job's work on the runtime that serves now (update, train, adapt, retention)."""
TICK_S = 30.0
"""Longest sleep between checks for due jobs (a stop request wakes the loop at once)."""
SERVE_START_DELAY_S = 60.0


ADAPT_MIN_FREE_BYTES = 8 * 2**30
"""Fine-tuning e5-small at batch 16 peaked at 7–11 GB RSS here: with less free memory the worker
does not start it inside a serving process (it would risk the whole server being OOM-killed)."""


def available_memory() -> int | None:
    """``MemAvailable`` from /proc/meminfo in bytes (None where there is no such file)."""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def ensure_data_unless_busy(
    runtime: Runtime,
    on_fallback: Callable[[str], None] | None = None,
    on_report: Callable[[IngestReport], None] | None = None,
) -> bool:
    """``runtime.ensure_data`` under the index lock; False (and nothing written) when another
    process holds it: it is updating the index right now, so a reader just uses what is there.
    ``on_report`` gets what the ingestion did (for metrics)."""
    with job_lock(runtime.settings, INDEX_LOCK) as taken:
        if not taken:
            log.info("another JobsAI process is updating the index; using the ads indexed so far")
            return False
        report = runtime.ensure_data(on_fallback=on_fallback)
        if report is not None and on_report is not None:
            on_report(report)
        return True


def purge_feedback_cv_text(runtime: Runtime, now: datetime | None = None) -> int:
    """Retention: delete consented CV text older than ``feedback_retention_days``."""
    cutoff = (now or utcnow()) - timedelta(days=runtime.settings.feedback_retention_days)
    with runtime.db.begin() as conn:
        n = feedback_repo.purge_cv_text(conn, cutoff)
    if n:
        log.info("retention: deleted the CV text of %d feedback rows older than %s", n, cutoff.date())
    return n


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    lock: str
    every: timedelta
    run: Callable[[], object]
    """Returns ``False`` when it found nothing to do yet (no checkpoint: it is due again next tick)."""


class Worker:
    """Runs due jobs on a schedule until stopped. ``runtime`` returns the runtime to use now
    (the web service's current one, which changes on a hot swap)."""

    def __init__(
        self,
        settings: Settings,
        runtime: Callable[[], Runtime],
        *,
        on_swap: Callable[[Runtime], None] | None = None,
        update: RuntimeJob | None = None,
        train: RuntimeJob | None = None,
        adapt: RuntimeJob | None = None,
        retention: RuntimeJob | None = None,
        after_update: Sequence[RuntimeJob] = (),
        after_retention: Sequence[RuntimeJob] = (),
        metrics: Metrics | None = None,
    ) -> None:
        """``update`` defaults to the JobStream update and ``retention`` to
        :func:`purge_feedback_cv_text`; without ``train`` the train job only serves the champion,
        without ``adapt`` there is no adapt job. ``after_update`` / ``after_retention`` run, in
        order, after a successful update / retention."""
        self.settings = settings
        self.metrics = metrics
        """Job outcomes and what the updates ingested are counted here (``/metrics``, the worker's port)."""
        self._runtime = runtime
        self._on_swap = on_swap
        self._update = update or update_from_jobstream
        self._train = train
        self._adapt = adapt
        self._retention = retention or purge_feedback_cv_text
        self._after_update = tuple(after_update)
        self._after_retention = tuple(after_retention)
        self._stop = threading.Event()
        self.jobs = [
            Job("update", INDEX_LOCK, timedelta(minutes=settings.update_interval_min), self._job_update),
            Job("train", INDEX_LOCK, timedelta(days=settings.train_interval_days), self._job_train),
            Job("retention", "retention", timedelta(days=1), self._job_retention),
        ]
        if settings.domain_adapt_interval_days > 0 and self._adapt is not None:
            every = timedelta(days=settings.domain_adapt_interval_days)
            self.jobs.insert(1, Job("adapt", INDEX_LOCK, every, self._job_adapt))

    # -- control ----------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask the loop to end after the job that is running (safe from a signal handler)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run_forever(self) -> None:
        log.info("worker started: update every %.0f min, training every %.1f days, retention %d days",
                 self.settings.update_interval_min, self.settings.train_interval_days,
                 self.settings.feedback_retention_days)
        while not self._stop.is_set():
            self.run_due()
            self._stop.wait(self._seconds_to_next())
        log.info("worker stopped")

    def run_due(self, now: datetime | None = None) -> list[str]:
        """Run every job that is due (in order), each under its lock; returns the names run."""
        done: list[str] = []
        for job in self.jobs:
            if self._stop.is_set():
                break
            if not self._is_due(job, now or utcnow()):
                continue
            if self.run_job(job.name):
                done.append(job.name)
        return done

    def run_job(self, name: str) -> bool:
        """Run one job now under its lock; False when another worker holds the lock."""
        job = next(j for j in self.jobs if j.name == name)
        with job_lock(self.settings, job.lock) as taken:
            if not taken:
                log.info("job %s skipped: another worker holds the %s lock", job.name, job.lock)
                self._count(job.name, "skipped")
                return False
            ran: object = None
            outcome = "failed"
            try:
                ran = job.run()
                outcome = "ok" if ran is not False else "not_due"
            except Exception:  # one failed run must not end the worker; the next tick retries
                log.exception("job %s failed", job.name)
            finally:
                self._count(job.name, outcome)
                if ran is not False:
                    rt = self._runtime()
                    with rt.db.begin() as conn:
                        runs.set_checkpoint(conn, f"worker:{job.name}", utcnow())
        return True

    def _count(self, job: str, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.worker_jobs.labels(job, outcome).inc()

    # -- schedule -----------------------------------------------------------------------------

    def _last_run(self, job: Job) -> datetime | None:
        with self._runtime().db.begin(readonly=True) as conn:
            return runs.get_checkpoint(conn, f"worker:{job.name}")

    def _is_due(self, job: Job, now: datetime) -> bool:
        last = self._last_run(job)
        return last is None or now - last >= job.every

    def _seconds_to_next(self) -> float:
        now = utcnow()
        waits = []
        for job in self.jobs:
            last = self._last_run(job)
            waits.append(0.0 if last is None else (last + job.every - now).total_seconds())
        return max(1.0, min(TICK_S, *waits))

    # -- jobs ---------------------------------------------------------------------------------

    def _job_update(self) -> None:
        """The incremental update, then the registry's champion served (a hand promotion's
        re-index must not wait a week for training, nor for JobStream to come back)."""
        failure: Exception | None = None
        try:
            report = self._update(self._runtime())
            if self.metrics is not None and isinstance(report, IngestReport):
                self.metrics.record_ingest(report)
            for follow_up in self._after_update:
                follow_up(self._runtime())
        except Exception as exc:  # re-raised below, after the champion check
            failure = exc
            if self.metrics is not None:
                self.metrics.ingest_runs.labels("update", "failed").inc()
        self.serve_champion()
        if failure is not None:
            raise failure

    def _job_retention(self) -> None:
        self._retention(self._runtime())
        for follow_up in self._after_retention:
            follow_up(self._runtime())

    def _job_adapt(self) -> bool:
        """Domain adaptation once the store has ads (before that: not run, due again next tick)."""
        rt = self._runtime()
        if rt.live_count() < 2 or self._adapt is None:
            return False
        free = available_memory()
        if free is not None and free < ADAPT_MIN_FREE_BYTES:
            log.warning("domain adaptation skipped: it needs about %.0f GB of free memory, %.1f GB is free; "
                        "run `jobsai train --domain` where there is more", ADAPT_MIN_FREE_BYTES / 2**30, free / 2**30)
            return True
        try:
            self._adapt(rt)
        except JobsAIError as exc:
            log.info("domain adaptation produced no model: %s", exc)
        self.serve_champion()
        return True

    def _job_train(self) -> None:
        if self._train is None:
            log.info("training is not available (no training job was given); skipped")
        else:
            try:
                self._train(self._runtime())
            except JobsAIError as exc:  # e.g. too little consented feedback: an expected outcome
                log.info("training produced no model: %s", exc)
        self.serve_champion()

    def champion_to_serve(self) -> str | None:
        """The registry champion's folder when the active index was built by another model, else None."""
        rt = self._runtime()
        with rt.db.begin(readonly=True) as conn:
            champion = registry.champion(conn)
            active = catalog.active_index(conn)
        if champion is None:
            return None  # no trained model yet: the configured model serves
        try:
            digest = weights_sha256(
                Path(champion.path), cache_file=rt.settings.resolved_model_cache_dir / FINGERPRINT_CACHE_FILE
            )
        except (JobsAIError, OSError) as exc:
            log.warning("the champion %s cannot be served: %s", champion.version, exc)
            return None
        if active is not None and active.model_sha256 == digest:
            return None
        return champion.path

    def serve_champion(self) -> Runtime | None:
        """Re-index with the registry's champion when it does not serve yet; the new runtime or None."""
        path = self.champion_to_serve()
        if path is None:
            return None
        log.info("the champion model %s does not serve yet: re-indexing with it", path)
        return self.reindex_to(path)

    def reindex_to(self, model_spec: str) -> Runtime:
        """Blue/green: build an index with ``model_spec`` beside the serving one, switch, and
        hand a runtime on the new index to ``on_swap`` (or close it when there is none)."""
        rt = self._runtime()
        embedder = Embedder.load(rt.settings, model=ModelRef.configured(rt.settings, model_spec))
        with rt.db.begin(readonly=True) as conn:
            name = catalog.next_index_name(conn)
        build_index(rt.settings, rt.db, embedder, name)
        switch_active(rt.settings, rt.db, name)
        new = Runtime(rt.settings)
        new.ingestor.sync_index()  # the delta since the build
        if self._on_swap is not None:
            self._on_swap(new)
        else:
            new.close()
        return new


def update_from_jobstream(runtime: Runtime) -> object:
    """The incremental JobStream update (the default ``update`` job)."""
    with runtime.client() as client:
        report = runtime.ingestor.update(client)
    log.info("update: %s", report.summary())
    return report


class WorkerThread:
    """The worker in a daemon thread of ``jobsai serve``; it waits until the service is ready."""

    def __init__(self, worker: Worker, thread: threading.Thread) -> None:
        self.worker = worker
        self.thread = thread

    @classmethod
    def start_for(
        cls,
        settings: Settings,
        service: Any,
        **jobs: Any,
    ) -> WorkerThread:
        """``jobs``: the :class:`Worker`'s job parameters (``update``, ``train``, ``adapt``, ...)."""
        def current() -> Runtime:
            rt = service.runtime
            if rt is None:
                raise RuntimeError("the web service has no runtime")
            return rt

        worker = Worker(settings, current, on_swap=service.hot_swap, metrics=getattr(service, "metrics", None), **jobs)

        def loop() -> None:
            while not worker.stopping and service.readiness().stage not in ("ready", "failed", "stopped"):
                worker._stop.wait(1.0)
            # Start-up has just synced the store; give the first scheduled job a minute's room.
            worker._stop.wait(SERVE_START_DELAY_S)
            if not worker.stopping and service.readiness().stage == "ready":
                worker.run_forever()

        thread = threading.Thread(target=loop, name="jobsai-worker", daemon=True)
        thread.start()
        return cls(worker, thread)

    def stop_and_join(self, timeout: float = 30.0) -> None:
        self.worker.stop()
        self.thread.join(timeout)
