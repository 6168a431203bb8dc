"""Per-client token buckets, in process: a fair share of the CPU for everyone.

Superseded in the web service by :mod:`jobsai.web.limiter` (the ``limits`` library over memory, Redis
or the database, so the limit holds across replicas); this bucket remains for its ``Retry-After``
rounding and as the single-process reference its tests describe.

Why a token bucket: a person clicking "search" a few times in a row should never be
refused (the burst), while a script hammering the matcher gets a steady trickle and a
``Retry-After`` that says when to come back. Why in process: the app is one process (the
embedded index allows only one); behind several processes each enforces its own share.

The limiter is an object owned by the app (no module state); it is thread-safe because
Gradio handlers run in worker threads while the API runs on the event loop.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class TokenBucketLimiter:
    """``rate_per_s`` tokens per second per key, up to ``burst``; each call costs one token.

    At most ``max_keys`` clients are tracked; the least recently seen one is forgotten first
    (it would have had a full bucket again anyway unless it was very recent).
    """

    def __init__(
        self,
        rate_per_s: float,
        burst: int,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("rate_per_s must be > 0 and burst >= 1")
        self.rate = rate_per_s
        self.burst = float(burst)
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, key: str, cost: float = 1.0) -> float:
        """Take ``cost`` tokens for ``key``: 0.0 when allowed, else seconds until it would be."""
        with self._lock:
            bucket = self._refilled(key)
            if bucket.tokens >= cost:
                bucket.tokens -= cost
                return 0.0
            return (cost - bucket.tokens) / self.rate

    def charge(self, key: str, cost: float) -> None:
        """Take ``cost`` more tokens from ``key`` (down to an empty bucket) for work that turned out costly."""
        with self._lock:
            bucket = self._refilled(key)
            bucket.tokens = max(0.0, bucket.tokens - cost)

    def _refilled(self, key: str) -> _Bucket:
        """``key``'s bucket with the tokens earned since it was last used (caller holds the lock)."""
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(self.burst, now)
            self._buckets[key] = bucket
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        return bucket

    @staticmethod
    def retry_after_header(wait_s: float) -> str:
        """Whole seconds, rounded up, at least 1 (what HTTP's ``Retry-After`` takes)."""
        return str(max(1, math.ceil(wait_s)))
