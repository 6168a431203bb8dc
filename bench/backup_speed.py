"""How long do ``jobsai backup`` and ``jobsai restore`` take for a store of ~50,000 ads?

Builds a store of N ads (the shipped demo ads with new ids, stored without embedding: the index is
not part of a backup), then times a backup and a restore into an empty database in each format:
SQLite's online backup API and the portable JSON-lines dump, and with ``JOBSAI_TEST_POSTGRES_URL``
set (e.g. ``eval "$(.ci/start-postgres.sh)"``) the same against PostgreSQL. Prints the archive
sizes and the seconds.

    python bench/backup_speed.py               # 50,000 ads
    python bench/backup_speed.py --n 5000
"""

from __future__ import annotations

import argparse
import copy
import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from jobsai.config import Settings
from jobsai.sources.demo import iter_demo_items
from jobsai.store.backup import backup, restore
from jobsai.store.db import Database, normalize_url
from jobsai.sync.ingest import Ingestor


def synthetic_items(n: int) -> Iterator[dict[str, Any]]:
    demo = list(iter_demo_items())
    for i in range(n):
        item = copy.deepcopy(demo[i % len(demo)])
        item["id"] = f"b{i:07d}"
        item["headline"] = f"{item['headline']} ({i})"
        yield item


def fill(settings: Settings, n: int) -> float:
    started = time.perf_counter()
    settings.ensure_dirs()
    with Database.from_settings(settings) as db:
        db.migrate()
        Ingestor(settings, db).load_items(synthetic_items(n))
    return time.perf_counter() - started


def pg_database(server: str) -> str:
    """A fresh database on the test server (dropped by the caller)."""
    url = normalize_url(server)
    name = f"jobsai_bench_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_pg(url: str) -> None:
    parsed = normalize_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
    admin.dispose()


def run(label: str, source: Settings, target: Settings, fmt: str, work: Path) -> None:
    archive = work / f"{label}-{fmt}.tar"
    with Database.from_settings(source) as db:
        report = backup(source, db, archive, db_format=fmt)  # type: ignore[arg-type]
    restored = restore(target, archive, force=True)
    print(f"{label:<10} {fmt:<6} backup {report.seconds:6.1f} s  restore {restored.seconds:6.1f} s  "
          f"archive {report.bytes / 1e6:7.1f} MB  ({sum(report.tables.values())} rows)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jobsai-backup-bench-") as tmp:
        work = Path(tmp)
        sqlite_src = Settings(data_dir=work / "src", database_url=None, qdrant_url=None)
        print(f"filling SQLite with {args.n} ads: {fill(sqlite_src, args.n):.1f} s")
        sqlite_dst = Settings(data_dir=work / "dst", database_url=None, qdrant_url=None)
        run("sqlite", sqlite_src, sqlite_dst, "sqlite", work)
        run("sqlite", sqlite_src, sqlite_dst, "jsonl", work)
        server = os.environ.get("JOBSAI_TEST_POSTGRES_URL")
        if not server:
            print("PostgreSQL: skipped (set JOBSAI_TEST_POSTGRES_URL)")
            return
        src_url, dst_url = pg_database(server), pg_database(server)
        try:
            pg_src = Settings(data_dir=work / "pgsrc", database_url=src_url, qdrant_url=None)
            pg_dst = Settings(data_dir=work / "pgdst", database_url=dst_url, qdrant_url=None)
            print(f"filling PostgreSQL with {args.n} ads: {fill(pg_src, args.n):.1f} s")
            run("postgresql", pg_src, pg_dst, "jsonl", work)
        finally:
            drop_pg(src_url)
            drop_pg(dst_url)


if __name__ == "__main__":
    main()
