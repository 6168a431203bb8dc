"""What does one rate-limit check cost per request, per storage? (``web.limiter``)

Times ``SharedLimiter.acquire`` (what every match, feedback, ad and filter call does once) for the
storages a deployment can choose: ``memory`` (one process), the database (SQLite file, and
PostgreSQL with ``JOBSAI_TEST_POSTGRES_URL``), and Redis (a throwaway ``redis-server`` when the
binary is installed). Clients are spread over 1,000 keys, as a busy server's are; the limit is never
reached, so every check is a full read-and-increment. Prints the median and p95 per check, and the
same from 4 threads at once (the web app checks from its worker threads).

    python bench/limiter_speed.py
    python bench/limiter_speed.py --checks 5000
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from limits.storage import MemoryStorage, Storage, storage_from_string

from backup_speed import drop_pg, pg_database
from jobsai.store.db import Database
from jobsai.web.limiter import DatabaseStorage, SharedLimiter


def measure(name: str, storage: Storage, checks: int) -> None:
    limiter = SharedLimiter(storage, "bench", rate_per_min=1e9, burst=1_000_000)
    limiter.acquire("warm-up")
    times: list[float] = []
    for i in range(checks):
        t = time.perf_counter()
        limiter.acquire(f"10.0.{i % 1000 // 256}.{i % 256}")
        times.append(time.perf_counter() - t)

    def one(i: int) -> float:
        t = time.perf_counter()
        limiter.acquire(f"10.1.{i % 1000 // 256}.{i % 256}")
        return time.perf_counter() - t

    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(one, range(checks)))
    q, qt = statistics.quantiles(times, n=100), statistics.quantiles(threaded, n=100)
    print(f"{name:<22} p50 {q[49] * 1000:6.3f} ms  p95 {q[94] * 1000:6.3f} ms   "
          f"4 threads: p50 {qt[49] * 1000:6.3f} ms  p95 {qt[94] * 1000:6.3f} ms")


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str] | None:
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checks", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jobsai-limiter-bench-") as tmp:
        measure("memory", MemoryStorage(), args.checks)
        sqlite = Database(f"sqlite:///{Path(tmp) / 'limits.sqlite3'}")
        sqlite.migrate()
        measure("database (SQLite)", DatabaseStorage(sqlite), args.checks)
        sqlite.dispose()
        server = os.environ.get("JOBSAI_TEST_POSTGRES_URL")
        if server:
            url = pg_database(server)
            try:
                pg = Database(url)
                pg.migrate()
                measure("database (PostgreSQL)", DatabaseStorage(pg), args.checks)
                pg.dispose()
            finally:
                drop_pg(url)
        else:
            print("database (PostgreSQL): skipped (set JOBSAI_TEST_POSTGRES_URL)")
        redis = start_redis(Path(tmp))
        if redis is None:
            print("redis: skipped (no redis-server binary)")
            return
        proc, url = redis
        try:
            measure("redis", storage_from_string(url), args.checks)
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
