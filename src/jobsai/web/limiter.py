"""Rate limits that hold across web replicas: the ``limits`` library over a shared storage.

Why not the hand-written token bucket (``web.ratelimit``): its buckets live in one process, so
behind a load balancer each replica gave every client its own full share. ``limits`` is maintained,
implements the strategies once, and has storage backends: ``memory`` (one process), Redis
(``JOBSAI_REDIS_URL``: the shared store it is built for) and, here, the database (:class:`DatabaseStorage`:
the store the replicas share anyway, for deployments without Redis).

The strategy is the *sliding window counter*: ``burst`` calls per window of ``burst / rate`` seconds,
the previous window weighted by how much of it still overlaps. It allows the same long-run rate as
the old bucket (``JOBSAI_WEB_RATE_LIMIT_PER_MIN``) and the same burst (``JOBSAI_WEB_RATE_LIMIT_BURST``),
needs two counters per client and window on every backend, and is atomic on each: Redis runs it as a
Lua script, the database in one transaction (SQLite's write lock, or a PostgreSQL advisory lock per key).

A storage that fails (Redis down) lets the request through and logs it, at most once a minute: a rate
limit must not take the service down with it. What one check costs is measured by
``bench/limiter_speed.py`` (figures in the README).
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from typing import Any

from limits import RateLimitItemPerSecond
from limits.errors import StorageError as LimitsStorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.storage.base import SlidingWindowCounterSupport, TimestampedSlidingWindow
from limits.strategies import SlidingWindowCounterRateLimiter
from pydantic import SecretStr
from sqlalchemy import case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from jobsai.config import Settings
from jobsai.errors import ConfigError, StoreError
from jobsai.store.db import Database, normalize_url
from jobsai.store.schema import rate_limits

log = logging.getLogger(__name__)

WARN_EVERY_S = 60.0


class DatabaseStorage(Storage, SlidingWindowCounterSupport, TimestampedSlidingWindow):
    """``limits`` storage in the ``rate_limits`` table (sliding window counter and fixed window).

    One row per (limit, client, window): a count and when it expires (epoch seconds). A check is one
    transaction: read the previous and current window, refuse or add to the current one.
    """

    STORAGE_SCHEME = None  # made from a Database, not from a URL

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return (SQLAlchemyError, StoreError)

    # -- the sliding window counter ------------------------------------------------------------

    def acquire_sliding_window_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        previous_key, current_key = self.sliding_window_keys(key, expiry, now)
        with self.db.begin() as conn:  # SQLite: BEGIN IMMEDIATE, writers wait for each other
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(key)})
            counts = self._counts(conn, (previous_key, current_key), now)
            previous, current = counts.get(previous_key, 0), counts.get(current_key, 0)
            previous_ttl = _previous_ttl(previous, expiry, now)
            if math.floor(previous * previous_ttl / expiry + current) + amount > limit:
                return False
            self._incr(conn, current_key, 2 * expiry, amount, now)
            return True

    def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        now = time.time()
        previous_key, current_key = self.sliding_window_keys(key, expiry, now)
        with self.db.begin(readonly=True) as conn:
            counts = self._counts(conn, (previous_key, current_key), now)
        previous, current = counts.get(previous_key, 0), counts.get(current_key, 0)
        current_ttl = (1 - ((now / expiry) % 1)) * expiry + expiry
        return previous, _previous_ttl(previous, expiry, now), current, current_ttl

    def clear_sliding_window(self, key: str, expiry: int) -> None:
        previous_key, current_key = self.sliding_window_keys(key, expiry, time.time())
        self.clear(previous_key)
        self.clear(current_key)

    # -- the plain counter (the fixed window strategy) -----------------------------------------

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self.db.begin() as conn:
            self._incr(conn, key, expiry, amount, now)
            return self._counts(conn, (key,), now).get(key, 0)

    def get(self, key: str) -> int:
        with self.db.begin(readonly=True) as conn:
            return self._counts(conn, (key,), time.time()).get(key, 0)

    def get_expiry(self, key: str) -> float:
        with self.db.begin(readonly=True) as conn:
            value = conn.execute(select(rate_limits.c.expires_at).where(rate_limits.c.key == key)).scalar()
        return float(value) if value is not None else time.time()

    def check(self) -> bool:
        try:
            with self.db.begin(readonly=True) as conn:
                conn.execute(select(rate_limits.c.key).limit(1))
            return True
        except (SQLAlchemyError, StoreError):
            return False

    def reset(self) -> int | None:
        with self.db.begin() as conn:
            return int(conn.execute(delete(rate_limits)).rowcount or 0)

    def clear(self, key: str) -> None:
        with self.db.begin() as conn:
            conn.execute(delete(rate_limits).where(rate_limits.c.key == key))

    def sweep(self) -> int:
        """Delete expired counters (each web process does, with its session sweep)."""
        with self.db.begin() as conn:
            return int(conn.execute(delete(rate_limits).where(rate_limits.c.expires_at <= time.time())).rowcount or 0)

    # -- helpers --------------------------------------------------------------------------------

    @staticmethod
    def _counts(conn: Any, keys: tuple[str, ...], now: float) -> dict[str, int]:
        rows = conn.execute(
            select(rate_limits.c.key, rate_limits.c.count)
            .where(rate_limits.c.key.in_(keys), rate_limits.c.expires_at > now)
        )
        return {r.key: int(r.count) for r in rows}

    @staticmethod
    def _incr(conn: Any, key: str, expiry: float, amount: int, now: float) -> None:
        """Add ``amount`` to a live counter, or start it again (expiring ``expiry`` s from now) when it lapsed."""
        insert: Any = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(rate_limits)
        stmt = insert.values(key=key, count=amount, expires_at=now + expiry)
        alive = rate_limits.c.expires_at > now
        conn.execute(stmt.on_conflict_do_update(
            index_elements=[rate_limits.c.key],
            set_={"count": case((alive, rate_limits.c.count + amount), else_=amount),
                  "expires_at": case((alive, rate_limits.c.expires_at), else_=now + expiry)},
        ))


def _previous_ttl(previous: int, expiry: int, now: float) -> float:
    return 0.0 if previous == 0 else (1 - (((now - expiry) / expiry) % 1)) * expiry


def _lock_key(key: str) -> int:
    """A signed 64-bit advisory-lock id for a counter key (PostgreSQL)."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def resolve_storage_kind(settings: Settings) -> str:
    """``memory``, ``redis`` or ``database``: the setting, with ``auto`` resolved (see ``rate_limit_storage``)."""
    kind = settings.rate_limit_storage
    if kind != "auto":
        return kind
    if settings.redis_url is not None:
        return "redis"
    if normalize_url(settings.resolved_database_url).get_backend_name() == "postgresql":
        return "database"
    return "memory"


def make_storage(settings: Settings) -> tuple[str, Storage]:
    """The limiter storage the settings ask for (one per app: the memory one is this app's own)."""
    kind = resolve_storage_kind(settings)
    if kind == "memory":
        return kind, MemoryStorage()
    if kind == "redis":
        if settings.redis_url is None:
            raise ConfigError("JOBSAI_RATE_LIMIT_STORAGE=redis needs JOBSAI_REDIS_URL (redis://host:6379/0).")
        secret = settings.redis_url
        url = secret.get_secret_value() if isinstance(secret, SecretStr) else str(secret)  # model_copy keeps a str
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError("JOBSAI_REDIS_URL must start with redis://, rediss:// or unix://.")
        storage = storage_from_string(url, socket_timeout=2, socket_connect_timeout=2)
        if not isinstance(storage, Storage):  # an async storage would never be awaited here
            raise ConfigError("JOBSAI_REDIS_URL must name a synchronous Redis storage, not async+redis://.")
        return kind, storage
    return kind, DatabaseStorage(Database.from_settings(settings))


class SharedLimiter:
    """``burst`` calls per ``burst / rate`` seconds per client, in a shared storage (see the module docstring).

    The same interface as the old in-process bucket: :meth:`acquire` returns 0 when allowed, else the
    seconds until the client may try again; :meth:`charge` takes more for work that turned out costly.
    """

    def __init__(self, storage: Storage, name: str, rate_per_min: float, burst: int) -> None:
        if rate_per_min <= 0 or burst < 1:
            raise ValueError("rate_per_min must be > 0 and burst >= 1")
        self.storage = storage
        self.name = name
        window_s = max(1, round(burst * 60.0 / rate_per_min))
        self.item = RateLimitItemPerSecond(burst, window_s)
        self.strategy = SlidingWindowCounterRateLimiter(storage)
        self._warned_at = 0.0
        self._warn_lock = threading.Lock()

    def acquire(self, key: str, cost: float = 1.0) -> float:
        """Take ``cost`` calls for ``key``: 0.0 when allowed, else seconds until it would be."""
        try:
            if self.strategy.hit(self.item, self.name, key, cost=max(1, math.ceil(cost))):
                return 0.0
            stats = self.strategy.get_window_stats(self.item, self.name, key)
            return max(0.5, stats.reset_time - time.time())
        except Exception as exc:  # noqa: BLE001 - any storage failure: let the request through, say so
            self._storage_failed(exc)
            return 0.0

    def charge(self, key: str, cost: float) -> None:
        """Take up to ``cost`` more calls from ``key`` (until its window is full)."""
        try:
            for _ in range(max(0, math.ceil(cost))):
                if not self.strategy.hit(self.item, self.name, key):
                    return
        except Exception as exc:  # noqa: BLE001
            self._storage_failed(exc)

    def _storage_failed(self, exc: Exception) -> None:
        with self._warn_lock:
            now = time.monotonic()
            if now - self._warned_at < WARN_EVERY_S:
                return
            self._warned_at = now
        reason = str(exc.__cause__ or exc) if isinstance(exc, LimitsStorageError) else str(exc)
        log.warning("rate limit storage failed, letting requests through: %s: %s", type(exc).__name__,
                    reason.splitlines()[0] if reason else "")

    @staticmethod
    def retry_after_header(wait_s: float) -> str:
        """Whole seconds, rounded up, at least 1 (what HTTP's ``Retry-After`` takes)."""
        return str(max(1, math.ceil(wait_s)))
