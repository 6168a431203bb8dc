"""Progress of a long ingestion as log lines: done/total, ads per second and an ETA every ~30 s.

Why: a bootstrap embeds ~40,000 ads for many minutes. On a terminal the CLI draws a bar; in a
container, under systemd or in the worker, stderr is a log, and a bar there is either invisible
or a flood of carriage returns. One line every ``interval_s`` says the job is alive and when it
will end. Lines carry counts only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

LOG_INTERVAL_S = 30.0

STAGE_LABELS = {
    "ads": "stored",
    "embed": "embedded and indexed",
    "index": "embedded and indexed",
}


def format_eta(seconds: float | None) -> str:
    """``1 h 02 min``, ``3 min 05 s``, ``42 s``; ``?`` when unknown."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "?"
    s = int(round(seconds))
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    if s >= 60:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s} s"


class ProgressLog:
    """A ``ProgressFn`` that logs one line per stage at most every ``interval_s`` (and never for
    a stage that finished within its first interval: short jobs stay quiet).

    The rate is measured from the stage's first report, so time spent before a stage starts
    (the download, loading the model) does not lower it. Safe to call from several threads.
    """

    def __init__(  # interval_s None: LOG_INTERVAL_S as it is now (tests shorten it)
        self,
        interval_s: float | None = None,
        *,
        emit: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval_s = float(LOG_INTERVAL_S if interval_s is None else interval_s)
        self._emit = emit or log.info
        self._clock = clock
        self._lock = threading.Lock()
        self._started: dict[str, tuple[float, int]] = {}
        self._last: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        now = self._clock()
        with self._lock:
            if stage not in self._started:
                self._started[stage] = (now, done)
                self._last[stage] = now
                return
            if now - self._last[stage] < self.interval_s:
                return
            self._last[stage] = now
            t0, done0 = self._started[stage]
        self._emit(self.line(stage, done, total, now - t0, done - done0))

    @staticmethod
    def line(stage: str, done: int, total: int | None, elapsed_s: float, done_since_start: int) -> str:
        rate = done_since_start / elapsed_s if elapsed_s > 0 else 0.0
        label = STAGE_LABELS.get(stage, stage)
        if total:
            eta = (total - done) / rate if rate > 0 else None
            return (f"progress: {done}/{total} ads {label} ({100 * done / total:.0f} %), "
                    f"{rate:.1f} ads/s, ETA {format_eta(eta)}")
        return f"progress: {done} ads {label}, {rate:.1f} ads/s"


def fan_out(*fns: Callable[[str, int, int | None], None]) -> Callable[[str, int, int | None], None]:
    """One progress callback that calls each of ``fns`` in turn."""

    def report(stage: str, done: int, total: int | None) -> None:
        for fn in fns:
            fn(stage, done, total)

    return report
