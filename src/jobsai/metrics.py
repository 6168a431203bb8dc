"""Prometheus metrics of one web app or one worker process, in a registry of its own.

Why a registry per owner (not ``prometheus_client``'s global one): tests build several apps in one
process, and a global registry would add their counts together (or refuse the second app's metrics
as duplicates). Each :func:`jobsai.web.app.create_app` makes a :class:`Metrics` and ``/metrics``
serves exactly that one; ``jobsai worker`` makes its own and serves it on
``JOBSAI_WORKER_METRICS_PORT``. Nothing here is module-level mutable state.

Two kinds of series:

* **Events**, counted when they happen in this process: HTTP requests (per route *template* and
  status, so ``/api/v1/ads/{ad_id}`` is one series, not one per ad), match stage timings
  (:class:`~jobsai.match.matcher.Matcher` reports them to an observer), uploaded files by type and
  outcome, ingestion (ads inserted/updated/removed/expired/skipped, runs complete or failed),
  scheduled jobs by outcome, rate-limit refusals, feedback.
* **State**, read when scraped (a scrape costs two SQL counts, one index count and one query for the
  last run: a few milliseconds): the index's points, the store's live ads, whether they differ,
  seconds since the last successful update, and the model version serving. State comes from the
  store, so every replica reports the same numbers, whichever process ran the update.

Labels never carry CV text, ad text, tokens or client addresses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from jobsai.sync.health import StoreHealth

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
STAGE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
MATCH_STAGES = ("encode", "search", "rescore", "explain")
INGEST_CHANGES = ("inserted", "updated", "removed", "expired", "skipped", "indexed", "unindexed")
FILE_KINDS = ("pdf", "docx", "txt", "paste", "other")


def file_kind(filename: str | None) -> str:
    """The label for an uploaded file's type: its extension when known, else ``other`` (bounded cardinality)."""
    name = (filename or "").lower()
    for kind in ("pdf", "docx", "txt"):
        if name.endswith("." + kind):
            return kind
    return "other"


class _StateCollector(Collector):
    """Gauges computed at scrape time from a callback (the store's health, the serving model)."""

    def __init__(self, health: Callable[[], StoreHealth | None], model: Callable[[], str | None]) -> None:
        self._health = health
        self._model = model

    def collect(self) -> Iterable[Metric]:
        try:
            health = self._health()
        except Exception as exc:  # a scrape must answer even when the store is down: the series go missing
            log.warning("metrics: cannot read the store's state: %s", exc)
            health = None
        up = GaugeMetricFamily("jobsai_store_up", "1 when the store's state could be read for this scrape.")
        up.add_metric([], 1.0 if health is not None else 0.0)
        yield up
        if health is not None:
            yield _gauge("jobsai_store_live_ads", "Live ads in the store (the system of record).", health.store_live)
            yield _gauge("jobsai_store_pending_index_ads", "Live ads whose current version the index lacks.",
                         health.pending_index)
            if health.index_points is not None:
                yield _gauge("jobsai_index_points", "Points in the serving index, counted by the index.",
                             health.index_points)
                yield _gauge("jobsai_index_mismatch", "1 when the index's points differ from the store's live ads.",
                             1.0 if health.mismatch else 0.0)
            if health.last_update_age_s is not None:
                yield _gauge("jobsai_seconds_since_last_update",
                             "Seconds since the last successful ingestion run finished.", health.last_update_age_s)
            yield _gauge("jobsai_data_stale", "1 when no update succeeded for JOBSAI_STALE_AFTER_INTERVALS intervals.",
                         1.0 if health.stale else 0.0)
        version = self._model()
        if version:
            info = GaugeMetricFamily("jobsai_model_info", "The model serving (name@weights), always 1.",
                                     labels=["version"])
            info.add_metric([version], 1.0)
            yield info


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    g = GaugeMetricFamily(name, doc)
    g.add_metric([], float(value))
    return g


class Metrics:
    """The metrics of one app or worker (see the module docstring); thread-safe (prometheus_client is)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.http_requests = Counter("jobsai_http_requests", "HTTP requests by route template, method and status.",
                                     ["route", "method", "status"], registry=r)
        self.http_latency = Histogram("jobsai_http_request_duration_seconds",
                                      "Time to the end of the response, by route template, method and status.",
                                      ["route", "method", "status"], buckets=LATENCY_BUCKETS, registry=r)
        self.match_stage = Histogram("jobsai_match_stage_seconds",
                                     "Time of each match stage: encode, search, rescore, explain.",
                                     ["stage"], buckets=STAGE_BUCKETS, registry=r)
        self.cv_parse = Counter("jobsai_cv_parse", "CVs read, by file type and outcome (ok or the error code).",
                                ["kind", "outcome"], registry=r)
        self.ingest_ads = Counter("jobsai_ingest_ads", "Ads changed by ingestion in this process, by change.",
                                  ["change"], registry=r)
        self.ingest_runs = Counter("jobsai_ingest_runs", "Ingestion runs in this process, by kind and outcome.",
                                   ["kind", "outcome"], registry=r)
        self.worker_jobs = Counter("jobsai_worker_jobs", "Scheduled jobs run by this process's worker, by outcome "
                                   "(ok, failed, skipped: another worker held the lock).", ["job", "outcome"],
                                   registry=r)
        self.rate_limited = Counter("jobsai_rate_limited", "Requests refused by a rate limit, by limit.",
                                    ["limit"], registry=r)
        self.feedback = Counter("jobsai_feedback", "Feedback stored, by label.", ["label"], registry=r)
        for stage in MATCH_STAGES:
            self.match_stage.labels(stage)  # the series exist (at zero) before the first match
        for change in INGEST_CHANGES:
            self.ingest_ads.labels(change)

    def observe_stage(self, stage: str, seconds: float) -> None:
        """The :class:`~jobsai.match.matcher.Matcher` observer: one stage took ``seconds``."""
        self.match_stage.labels(stage).observe(seconds)

    def record_ingest(self, report: Any, outcome: str = "complete") -> None:
        """Count an :class:`~jobsai.sync.ingest.IngestReport` (its per-change counts) and its run."""
        counts = report.counts() if report is not None else {}
        for change in INGEST_CHANGES:
            n = int(counts.get(change, 0))
            if n:
                self.ingest_ads.labels(change).inc(n)
        kind = getattr(report, "kind", None) or "update"
        self.ingest_runs.labels(kind, outcome).inc()

    def watch_state(self, health: Callable[[], StoreHealth | None], model: Callable[[], str | None]) -> None:
        """Report the store's state and the serving model at every scrape, from these callbacks."""
        self.registry.register(_StateCollector(health, model))

    def render(self, accept: str = "") -> tuple[bytes, str]:
        """The exposition (Prometheus text, or OpenMetrics when ``accept`` asks for it) and its content type."""
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type
