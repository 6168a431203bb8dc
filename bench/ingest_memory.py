"""Peak memory and speed of storing a JobStream snapshot file (``Ingestor.load_file``, no index).

Target: peak RSS < 400 MB whatever the file size. Each file is ingested into a fresh SQLite
database by a fresh Python process, which reports ``ru_maxrss`` (getrusage), ``VmHWM`` from
/proc/self/status, the highest ``VmRSS`` seen by a sampling thread, and RSS at each progress
step, so growth with the number of ads shows up. Files are made with ``bench/gen_snapshot.py``
(a one-line JSON array, like the real v2 snapshot) and kept in ``--dir`` for the next run.

    python bench/ingest_memory.py                        # 10k and 40k ads (~100 and ~400 MB)
    python bench/ingest_memory.py --sizes 5000 20000 40000 --repeats 2
    python bench/ingest_memory.py --trace --sizes 10000  # tracemalloc: what is still allocated
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

TARGET_MB = 400.0
TARGET_MIB = TARGET_MB * 1e6 / 2**20
HERE = Path(__file__).resolve().parent


def _status_mb(field: str) -> float:
    """A memory line of /proc/self/status (``VmRSS``, ``VmHWM``) in MiB; NaN where absent."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


class Sampler(threading.Thread):
    """Reads VmRSS every ``interval`` seconds and keeps the highest value."""

    def __init__(self, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak = 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak = max(self.peak, _status_mb("VmRSS"))
            self._halt.wait(self.interval)

    def stop(self) -> float:
        self._halt.set()
        self.join()
        return self.peak


def child(path: Path, work: Path, trace: bool) -> int:
    """Ingest ``path`` into a fresh store under ``work``; print one JSON line of figures."""
    from jobsai.config import Settings
    from jobsai.store import ads as ads_repo
    from jobsai.store.db import Database
    from jobsai.sync.ingest import Ingestor

    settings = Settings(data_dir=work, database_url=None, qdrant_url=None)
    settings.ensure_dirs()
    db = Database.from_settings(settings)
    db.migrate()
    baseline = {"VmRSS": _status_mb("VmRSS"), "VmHWM": _status_mb("VmHWM"), "ru_maxrss": _maxrss_mb()}

    curve: list[tuple[int, float]] = []

    def progress(stage: str, done: int, total: int | None) -> None:
        if stage == "ads" and done % 2500 == 0:
            curve.append((done, _status_mb("VmRSS")))

    if trace:
        import tracemalloc

        tracemalloc.start(10)
        first = tracemalloc.take_snapshot()
    sampler = Sampler()
    sampler.start()
    t0 = time.perf_counter()
    report = Ingestor(settings, db, progress=progress).load_file(path)
    seconds = time.perf_counter() - t0
    sampled = sampler.stop()
    top: list[str] = []
    if trace:
        last = tracemalloc.take_snapshot()
        stats = last.compare_to(first, "traceback")[:8]
        top = [
            f"{s.size_diff / 2**20:+.1f} MiB {s.count_diff:+d} blocks: {s.traceback.format()[-1].strip()}"
            for s in stats
        ]
        top.append(f"tracemalloc peak {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MiB")
    with db.begin(readonly=True) as conn:
        counts = ads_repo.count_ads(conn)
    db.dispose()
    db_bytes = sum(p.stat().st_size for p in work.glob("jobsai.sqlite3*"))
    items = report.inserted + report.updated + report.unchanged + report.skipped + report.removed
    print(
        json.dumps(
            {
                "file_mb": path.stat().st_size / 1e6,
                "items": items,
                "report": report.counts(),
                "live": counts.live,
                "seconds": seconds,
                "baseline": baseline,
                "ru_maxrss": _maxrss_mb(),
                "VmHWM": _status_mb("VmHWM"),
                "sampled": sampled,
                "curve": curve,
                "db_mb": db_bytes / 1e6,
                "trace": top,
            }
        )
    )
    return 0


def ensure_file(directory: Path, n: int, avg_kb: float) -> Path:
    path = directory / f"snapshot-{n}-{avg_kb:g}kb.json"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".partial.json")
        subprocess.run(
            [sys.executable, str(HERE / "gen_snapshot.py"), str(tmp), "-n", str(n), "--avg-kb", str(avg_kb)],
            check=True,
        )
        tmp.replace(path)
    return path


def run_child(path: Path, directory: Path, trace: bool) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="ingest-", dir=directory))
    try:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(path), "--work", str(work)]
        if trace:
            cmd.append("--trace")
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 40_000], help="ads per file")
    parser.add_argument("--avg-kb", type=float, default=10.0, help="average ad size (gen_snapshot)")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "jobsai-ingest-bench")
    parser.add_argument("--repeats", type=int, default=1, help="fresh processes per size (best speed reported)")
    parser.add_argument("--trace", action="store_true", help="tracemalloc diff in the child (slow)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.work, args.trace)

    rows = []
    for n in args.sizes:
        path = ensure_file(args.dir, n, args.avg_kb)
        runs = []
        for _ in range(args.repeats):
            one, five, _ = os.getloadavg()
            r = run_child(path, args.dir, args.trace)
            r["load"] = (one, five)
            runs.append(r)
            curve = ", ".join(f"{k / 1000:g}k:{mb:.0f}" for k, mb in r["curve"][:: max(1, len(r["curve"]) // 8)])
            print(
                f"{path.name}: {r['file_mb']:.0f} MB, {r['items']} items ({r['report']}) in {r['seconds']:.1f} s "
                f"= {r['items'] / r['seconds']:,.0f} ads/s, {r['file_mb'] / r['seconds']:.1f} MB/s; load avg {one:.1f}"
            )
            print(
                f"  RSS MiB: after imports+migrate {r['baseline']['VmRSS']:.0f}; peak ru_maxrss {r['ru_maxrss']:.0f}, "
                f"VmHWM {r['VmHWM']:.0f}, sampled VmRSS max {r['sampled']:.0f}; db {r['db_mb']:.0f} MB"
            )
            print(f"  VmRSS by ads read (k:MiB): {curve}")
            for line in r["trace"]:
                print(f"  trace: {line}")
        best = min(runs, key=lambda r: r["seconds"])
        rows.append((n, best, max(r["ru_maxrss"] for r in runs), max(r["VmHWM"] for r in runs)))

    print("\nsummary (peak over repeats; speed of the fastest repeat):")
    print("   ads    file MB   ads/s   MB/s   ru_maxrss MiB   VmHWM MiB")
    for n, best, maxrss, hwm in rows:
        speed, mb_s = best["items"] / best["seconds"], best["file_mb"] / best["seconds"]
        print(f"  {n:>6} {best['file_mb']:8.0f} {speed:8,.0f} {mb_s:6.1f} {maxrss:12.0f} {hwm:11.0f}")
    peaks = [r[2] for r in rows]
    growth = peaks[-1] - peaks[0]
    verdict = "OK" if max(peaks) < TARGET_MIB else "OVER TARGET"
    print(
        f"peak RSS {max(peaks):.0f} MiB [target < {TARGET_MB:.0f} MB = {TARGET_MIB:.0f} MiB: {verdict}]; "
        f"{rows[-1][0] // max(rows[0][0], 1)}x the ads changed the peak by {growth:+.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
