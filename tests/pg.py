"""Storage-test fixtures: each test gets a fresh database on SQLite and, when configured, PostgreSQL.

Use in a test module with ``pytest_plugins = ["pg"]``, then ask for ``db`` (migrated),
``empty_db`` (nothing created yet) or ``db_url``. The PostgreSQL half runs when
``JOBSAI_TEST_POSTGRES_URL`` names a server where the user may create databases (e.g.
``eval "$(.ci/start-postgres.sh)"``); otherwise it is skipped with that hint. The session
creates its own database on that server and drops it at the end, so nothing already there
is touched; each test starts from an empty ``public`` schema.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from jobsai.store.db import Database, normalize_url

PG_ENV = "JOBSAI_TEST_POSTGRES_URL"
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def pg_session_url() -> Iterator[str]:
    """A database created for this test session on the server in JOBSAI_TEST_POSTGRES_URL."""
    raw = os.environ.get(PG_ENV)
    if not raw:
        pytest.skip(f'{PG_ENV} is not set; start a throwaway server with: eval "$(.ci/start-postgres.sh)"')
    server = normalize_url(raw)
    name = f"jobsai_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except SQLAlchemyError as exc:
        admin.dispose()
        where = server.render_as_string(hide_password=True)
        pytest.fail(f"{PG_ENV} is set but no test database could be created on {where}: {exc.orig or exc}")
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty database: a new SQLite file, or the session's PostgreSQL database wiped."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'jobsai.sqlite3'}"
    url: str = request.getfixturevalue("pg_session_url")
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()
    return url


@pytest.fixture
def empty_db(db_url: str) -> Iterator[Database]:
    """A Database on an empty database (nothing migrated)."""
    database = Database(db_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A Database migrated to the newest schema."""
    empty_db.migrate()
    return empty_db
