"""Database handle and migrations, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from jobsai.config import Settings
from jobsai.errors import StoreError
from jobsai.store.db import Database, alembic_config, normalize_url
from jobsai.store.schema import ads, metadata

pytest_plugins = ["pg"]

TABLES = {"ads", "checkpoints", "ingest_runs", "indexes", "skipped_ads", "alembic_version"}


def _tables(db: Database) -> set[str]:
    with db.begin(readonly=True) as conn:
        return set(inspect(conn).get_table_names())


def test_migrate_from_empty_is_idempotent(empty_db: Database) -> None:
    assert empty_db.schema_revision() is None
    empty_db.migrate()
    assert _tables(empty_db) >= TABLES
    head = empty_db.head_revision()
    assert head is not None and empty_db.schema_revision() == head
    empty_db.migrate()  # at every start: a no-op
    assert empty_db.schema_revision() == head


def test_migrations_create_exactly_the_schema(db: Database) -> None:
    with db.begin(readonly=True) as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diffs == []
    with db.begin(readonly=True) as conn:
        index_names = {ix["name"] for ix in inspect(conn).get_indexes("ads")}
    assert "ix_ads_removed_at" not in index_names  # replaced by partial indexes in 0004
    assert {
        "ix_ads_live",
        "ix_ads_pending_index",
        "ix_ads_pending_unindex",
        "ix_ads_last_publication_at",
        "ix_ads_occupation_id",
        "ix_ads_municipality_id",
    } <= (index_names)


def test_downgrade_to_base_and_up_again(db: Database) -> None:
    with db.begin() as conn:
        command.downgrade(alembic_config(connection=conn), "base")
    assert _tables(db) <= {"alembic_version"}
    db.migrate()
    assert _tables(db) >= TABLES


def test_concurrent_migrations_from_empty(db_url: str) -> None:
    """Two processes starting at once (web server + CLI) must both come up."""
    handles = [Database(db_url) for _ in range(3)]
    errors: list[BaseException] = []

    def run(database: Database) -> None:
        try:
            database.migrate()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(h,)) for h in handles]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    try:
        assert errors == []
        assert handles[0].schema_revision() == handles[0].head_revision()
    finally:
        for h in handles:
            h.dispose()


def test_unknown_revision_is_a_clear_error(db: Database) -> None:
    with db.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="9999.*newer version"):
        db.migrate()


def test_begin_commits_rolls_back_and_translates_errors(db: Database) -> None:
    stamp = "'2025-01-01 00:00:00'"
    insert = text(f"INSERT INTO checkpoints (name, value, updated_at) VALUES (:n, {stamp}, {stamp})")
    with db.begin() as conn:
        conn.execute(insert, {"n": "a"})
    with pytest.raises(ValueError), db.begin() as conn:
        conn.execute(insert, {"n": "b"})
        raise ValueError("caller's own error passes through unchanged")
    with pytest.raises(StoreError) as info, db.begin() as conn:
        conn.execute(insert, {"n": "secret-ad-text"})
        conn.execute(insert, {"n": "secret-ad-text"})  # duplicate key
    assert "secret-ad-text" not in str(info.value)  # no SQL parameters in messages
    with db.begin(readonly=True) as conn:
        names = set(conn.execute(text("SELECT name FROM checkpoints")).scalars())
    assert names == {"a"}


def test_engine_specific_setup(db: Database, db_url: str, tmp_path: Path) -> None:
    with db.begin(readonly=True) as conn:
        if db.backend == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
            assert (tmp_path / "db" / "jobsai.sqlite3").exists()  # parent directory was created
        else:
            assert db.engine.url.drivername == "postgresql+psycopg"
    if db.backend == "postgresql":
        with pytest.raises(StoreError, match="read-only"), db.begin(readonly=True) as conn:
            conn.execute(ads.delete())
    with db.begin() as conn:  # the pooled connection is writable again
        conn.execute(ads.delete())


def test_url_normalisation_and_settings(tmp_path: Path) -> None:
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"
    settings = Settings(data_dir=tmp_path / "data", database_url=None)
    with Database.from_settings(settings) as database:
        assert database.backend == "sqlite"
        database.migrate()
    assert (tmp_path / "data" / "jobsai.sqlite3").exists()


def test_connection_errors_are_readable_and_hide_the_password() -> None:
    database = Database("postgresql://jobsai:hunter2-secret@127.0.0.1:1/jobsai")
    try:
        with pytest.raises(StoreError) as info:
            database.migrate()
    finally:
        database.dispose()
    message = str(info.value)
    assert "cannot connect to PostgreSQL at 127.0.0.1:1" in message
    assert "hunter2" not in message
    assert "hunter2" not in repr(database)


def test_bad_urls_raise_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="invalid database URL"):
        Database("not a url")
    with pytest.raises(StoreError, match="unsupported|cannot use"):
        Database("nosuchdb://x/y")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match="cannot create the directory"):
        Database(f"sqlite:///{blocker / 'sub' / 'db.sqlite3'}")
