"""How rare a word is among *all* live ads: document frequencies for explanations, kept fresh cheaply.

Why over all ads: a word shared by a CV and an ad explains the match only if few ads use it.
Rarity among the shown candidates says little (a nurse's top 100 ads all say "patienter",
and all say "dag"); rarity in the whole store is what separates "truckkort" from "hanterar".

Why a snapshot: counting the live ads' words is done once (when the matcher first explains,
or at start-up through :meth:`CorpusStatsTracker.warm`) and redone in a background thread only
when the number of live ads has moved notably or the snapshot is old; requests keep reading
the previous, immutable snapshot meanwhile.

Why a spread sample above ``MAX_STATS_ADS``: reading and counting costs ~0.25 ms of CPU per ad
(``bench/explain_speed.py``: all 45,000 synthetic ads took 11 s of CPU on two shared cores,
Python's tokenising regex being most of it), and the first count blocks a one-shot ``jobsai
match``. Every k-th live ad (by id) gives the share of ads that use a word within a quarter of a
percentage point at 8,000 ads, which is all a "fewer than 5 % of ads" filter and a rarest-first
order need. Memory is bounded by dropping keys seen in a single counted ad (unseen keys count as
rare, which they are).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from jobsai.store import ads as ads_repo
from jobsai.store.db import Database

log = logging.getLogger(__name__)

MIN_KEPT_DF = 2
"""Keys in fewer counted ads than this are not stored (most words are; they read as rare anyway)."""
MAX_STATS_ADS = 8_000
"""At most this many ads are counted; with more live ads, every k-th one (see the module doc)."""
CHECK_EVERY_S = 60.0
REBUILD_FRACTION = 0.05
REBUILD_MIN_CHANGE = 20
"""Rebuild when the live ads moved by this many and by ``REBUILD_FRACTION`` of them, or after ``MAX_AGE_S``."""
MAX_AGE_S = 6 * 3600.0


class CorpusSource(Protocol):
    """Where the ads' texts come from (the system of record in production)."""

    def count(self) -> int:
        """Live ads now (cheap: called about once a minute)."""
        ...

    def texts(self, every: int = 1) -> Iterable[str]:
        """Every ``every``-th live ad's headline and description, one string per ad (streamed)."""
        ...


@dataclass(frozen=True, slots=True)
class CorpusStats:
    """Document frequencies of analysed keys (stem ids, normalised words) over ``n_docs`` counted ads."""

    n_docs: int
    df: Mapping[Hashable, int] = field(default_factory=dict)
    built_at: float = 0.0
    """``time.monotonic()`` when it was built."""
    n_live: int = -1
    """Live ads when it was built (``n_docs`` of them were counted); -1: not known."""

    def fraction(self, key: Hashable) -> float:
        """Share of ads that contain ``key`` (0 when there are no ads)."""
        return self.df.get(key, 0) / self.n_docs if self.n_docs else 0.0

    def idf(self, key: Hashable) -> float:
        return math.log((self.n_docs + 1) / (self.df.get(key, 0) + 1)) + 1.0


EMPTY = CorpusStats(0)


def build_stats(
    texts: Iterable[str],
    words_of: Callable[[str], Iterable[str]],
    keys_of: Callable[[str], Iterable[Hashable]],
) -> CorpusStats:
    """Document frequencies of the keys (``keys_of``) of the distinct words (``words_of``) of ``texts``.

    Words are counted per text (the per-ad loop stays in C: a set and ``Counter.update``), and
    each distinct word is mapped to its keys once at the end, a key's count being the sum of its
    words' counts. That sum over-counts an ad that uses two forms of one stem ("kund", "kunder"),
    so a common stem reads slightly commoner than it is, which errs on the side of hiding it.
    Words seen in a single ad are not mapped (they cannot make a key common).
    """
    words: Counter[str] = Counter()
    n = 0
    for text in texts:
        words.update(words_of(text))
        n += 1
    df: dict[Hashable, int] = {}
    for word, count in words.items():
        if count < MIN_KEPT_DF:
            continue
        for key in keys_of(word):
            df[key] = df.get(key, 0) + count
    return CorpusStats(n, {k: min(v, n) for k, v in df.items() if v >= MIN_KEPT_DF}, time.monotonic())


class StaticCorpus:
    """A fixed list of texts (tests, benchmarks, a caller that has the ads at hand)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._texts = tuple(texts)

    def count(self) -> int:
        return len(self._texts)

    def texts(self, every: int = 1) -> Iterable[str]:
        return self._texts[::every]


class StoreCorpus:
    """The live ads in the system of record; reads headline and description text only (no ``Ad`` parsing)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def count(self) -> int:
        with self.db.begin(readonly=True) as conn:
            return ads_repo.count_ads(conn).live

    def texts(self, every: int = 1) -> Iterator[str]:
        with self.db.begin(readonly=True) as conn:
            for headline, description in ads_repo.iter_live_ad_texts(conn, every=every):
                yield f"{headline}\n{description}"


class CorpusStatsTracker:
    """Hands out the current :class:`CorpusStats` and rebuilds it when the ads have changed notably.

    The first call builds synchronously (there is nothing to serve before it); later rebuilds
    run in one background thread at a time while :meth:`current` keeps returning the old
    snapshot. A failing source is logged and leaves the previous snapshot in place.
    """

    def __init__(
        self,
        source: CorpusSource | None,
        words_of: Callable[[str], Iterable[str]],
        keys_of: Callable[[str], Iterable[Hashable]],
        *,
        check_every_s: float = CHECK_EVERY_S,
        max_age_s: float = MAX_AGE_S,
        background: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.words_of = words_of
        self.keys_of = keys_of
        self.check_every_s = check_every_s
        self.max_age_s = max_age_s
        self.background = background
        self.clock = clock
        self._stats: CorpusStats | None = None if source is not None else EMPTY
        self._checked = -math.inf
        self._lock = threading.Lock()
        self._rebuilding = False

    def current(self) -> CorpusStats:
        stats = self._stats
        if stats is None:
            return self.warm()
        now = self.clock()
        if now - self._checked < self.check_every_s or self.source is None:
            return stats
        self._checked = now
        if self._stale(stats, now):
            self._rebuild_later()
        return stats

    def warm(self) -> CorpusStats:
        """Build now (blocking) unless a snapshot exists; returns the snapshot."""
        with self._lock:
            if self._stats is None:
                self._stats = self._build() or EMPTY
                self._checked = self.clock()
            return self._stats

    def _stale(self, stats: CorpusStats, now: float) -> bool:
        assert self.source is not None
        try:
            n = self.source.count()
        except Exception as exc:  # noqa: BLE001 - a count failure must not fail a match
            log.warning("cannot count ads for term statistics: %s", exc)
            return False
        before = stats.n_live if stats.n_live >= 0 else stats.n_docs
        moved = abs(n - before)
        if before == 0:
            return n > 0
        notable = max(REBUILD_MIN_CHANGE, REBUILD_FRACTION * before)
        return moved >= notable or now - stats.built_at > self.max_age_s

    def _rebuild_later(self) -> None:
        with self._lock:
            if self._rebuilding:
                return
            self._rebuilding = True

        def run() -> None:
            try:
                fresh = self._build()
                if fresh is not None:
                    self._stats = fresh
            finally:
                with self._lock:
                    self._rebuilding = False

        if self.background:
            threading.Thread(target=run, name="jobsai-term-stats", daemon=True).start()
        else:
            run()

    def _build(self) -> CorpusStats | None:
        assert self.source is not None
        started = time.perf_counter()
        try:
            live = self.source.count()
            every = max(1, math.ceil(live / MAX_STATS_ADS))
            stats = build_stats(self.source.texts(every), self.words_of, self.keys_of)
            stats = dataclasses.replace(stats, built_at=self.clock(), n_live=live)
        except Exception as exc:  # noqa: BLE001 - explanations work without statistics, only less well
            log.warning("cannot build term statistics over the ads: %s", exc)
            return None
        log.info("term statistics over %d of %d live ads: %d keys in %.1f s", stats.n_docs, stats.n_live,
                 len(stats.df), time.perf_counter() - started)
        return stats
