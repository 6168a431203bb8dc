"""Resident memory of this process, now and at its peak while a block runs (Linux ``/proc``).

Shared by the hostile-upload tests (a parse must not grow the server) and by
``bench/bootstrap_speed.py`` (the peak before the index is closed)."""

from __future__ import annotations

import threading


def rss_mb(field: str = "VmRSS") -> float:
    """``field`` of ``/proc/self/status`` in MiB: ``VmRSS`` now, ``VmHWM`` the process's peak."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field} in /proc/self/status")


class PeakRss:
    """The highest resident size of this process while the block runs, sampled every ``interval_s``."""

    def __init__(self, interval_s: float = 0.005) -> None:
        self.baseline = self.peak = 0.0
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self) -> PeakRss:
        self.baseline = self.peak = rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())

    @property
    def growth(self) -> float:
        return self.peak - self.baseline
