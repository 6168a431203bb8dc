"""The database handle: one engine, schema migrations, and transactions with readable errors.

SQLite (the default, a file in the data directory) and PostgreSQL (through psycopg 3) run the
same code. On SQLite the connection is set up for a web server and a writer sharing one file:
write-ahead logging, a busy timeout instead of instant "database is locked" errors, foreign
keys on, and real transactions (SQLAlchemy emits BEGIN itself, so reads inside a transaction
are repeatable and DDL is transactional).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from jobsai.errors import StoreError
from jobsai.private import private_dir, private_file

if TYPE_CHECKING:
    from jobsai.config import Settings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000
_PG_MIGRATION_LOCK = 0x6A6F6273  # pg_advisory_xact_lock key ("jobs") serialising migrations
_BEGIN_OPTION = "jobsai_sqlite_begin"


def normalize_url(url: str) -> URL:
    """Parse a database URL; plain ``postgresql://``/``postgres://`` use psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"invalid database URL: {_first_line(str(exc))}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else ""


def _is_memory_sqlite(url: URL) -> bool:
    db = url.database or ""
    return db in ("", ":memory:") or "mode=memory" in db or url.query.get("mode") == "memory"


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic config built in code: no ``alembic.ini`` is needed, installed or not.

    For development, e.g. a new revision::

        command.revision(alembic_config("sqlite:///dev.sqlite3"), "msg", autogenerate=True)
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if url is not None:
        # ConfigParser interpolation treats '%' specially (URL-encoded passwords).
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _enable_wal(cur: Any) -> None:
    """Switch the database to WAL, retrying while another connection holds it.

    Turning a new database to WAL needs an exclusive lock, and SQLite answers "database is
    locked" at once instead of using the busy timeout; two processes opening a fresh database
    together (web server + CLI) hit that about one time in 25.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    delay = 0.005
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


class Database:
    """One engine per process; pass :meth:`begin` connections to the repository functions."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self._url = normalize_url(url)
        self.backend: str = self._url.get_backend_name()
        if self.backend == "sqlite":
            self._prepare_sqlite_path()
        try:
            self._engine = create_engine(self._url, echo=echo, pool_pre_ping=self.backend != "sqlite")
        except NoSuchModuleError as exc:
            raise StoreError(f"unsupported database URL scheme {self._url.drivername!r}") from exc
        except (ArgumentError, ImportError) as exc:
            raise StoreError(f"cannot use database {self.display_url}: {_first_line(str(exc))}") from exc
        if self.backend == "sqlite":
            self._install_sqlite_hooks()

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The database the settings name (default: a SQLite file in the data directory)."""
        return cls(settings.resolved_database_url)

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def display_url(self) -> str:
        """The URL with the password masked, fit for logs and messages."""
        return self._url.render_as_string(hide_password=True)

    # -- setup -------------------------------------------------------------------------------

    def _prepare_sqlite_path(self) -> None:
        if _is_memory_sqlite(self._url) or self._url.query.get("uri"):
            return
        path = Path(self._url.database or "").expanduser()
        try:
            private_dir(path.parent)
            private_file(path)  # 0600 before SQLite opens it; its -wal and -shm files take the same mode
        except OSError as exc:
            raise StoreError(f"cannot create the directory for the database {path}: {exc}") from exc

    def _install_sqlite_hooks(self) -> None:
        memory = _is_memory_sqlite(self._url)

        @event.listens_for(self._engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Take transaction control away from the sqlite3 module (see module docstring).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            try:
                cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
                cur.execute("PRAGMA foreign_keys = ON")
                if not memory:
                    _enable_wal(cur)
                    cur.execute("PRAGMA synchronous = NORMAL")
            finally:
                cur.close()

        @event.listens_for(self._engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql(conn.get_execution_options().get(_BEGIN_OPTION, "BEGIN"))

    # -- transactions -------------------------------------------------------------------------

    @contextmanager
    def begin(self, *, readonly: bool = False) -> Iterator[Connection]:
        """A connection inside one transaction: committed on success, rolled back on error.

        Write transactions take SQLite's write lock up front (``BEGIN IMMEDIATE``), so a
        read-then-write such as an upsert waits for another writer instead of failing halfway;
        ``readonly=True`` does not lock out writers (and on PostgreSQL is enforced read-only).
        Database errors come out as :class:`StoreError`; other exceptions pass unchanged.
        """
        conn = self._connect()
        try:
            if self.backend == "sqlite":
                conn.execution_options(**{_BEGIN_OPTION: "BEGIN" if readonly else "BEGIN IMMEDIATE"})
            elif readonly and self.backend == "postgresql":
                conn.execution_options(postgresql_readonly=True)
            with conn.begin():
                yield conn
        except SQLAlchemyError as exc:
            raise self._translate(exc) from exc
        finally:
            conn.close()

    def _connect(self) -> Connection:
        try:
            return self._engine.connect()
        except SQLAlchemyError as exc:
            raise self._connect_error(exc) from exc

    def dispose(self) -> None:
        """Close pooled connections (call at shutdown, and in a child after fork)."""
        self._engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()

    def __repr__(self) -> str:
        return f"Database({self.display_url!r})"

    # -- migrations ---------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the newest revision; a no-op when it is already there.

        Safe at every start and from several processes at once: PostgreSQL serialises the
        migration on an advisory lock, SQLite on its write lock.
        """
        try:
            with self.begin() as conn:
                if self.backend == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
                command.upgrade(alembic_config(connection=conn), "head")
        except CommandError as exc:
            current = self._safe_revision()
            if current is not None and current not in self._known_revisions():
                raise StoreError(
                    f"the database {self.display_url} is at schema revision {current!r}, which this "
                    "version of jobsai does not know (was it written by a newer version?)"
                ) from exc
            raise StoreError(f"database migration failed: {_first_line(str(exc))}") from exc

    def schema_revision(self) -> str | None:
        """The schema revision the database is at (``None``: never migrated)."""
        with self.begin(readonly=True) as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        """The newest schema revision this version of the code knows."""
        return ScriptDirectory.from_config(alembic_config()).get_current_head()

    def _known_revisions(self) -> set[str]:
        script = ScriptDirectory.from_config(alembic_config())
        return {rev.revision for rev in script.walk_revisions()}

    def _safe_revision(self) -> str | None:
        try:
            return self.schema_revision()
        except StoreError:
            return None

    # -- errors -------------------------------------------------------------------------------

    def _where(self) -> str:
        if self.backend == "sqlite":
            return f"SQLite database {self._url.database or ':memory:'}"
        host = self._url.host or "localhost (socket)"
        port = self._url.port or 5432
        name = "PostgreSQL" if self.backend == "postgresql" else self.backend
        return f"{name} at {host}:{port} (database {self._url.database!r}, user {self._url.username!r})"

    def _reason(self, exc: SQLAlchemyError) -> str:
        """The driver's own first line: never the SQL or its parameters (they hold ad data)."""
        orig = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
        reason = _first_line(str(orig)) or type(orig).__name__
        password = self._url.password
        if password:
            reason = reason.replace(str(password), "***")
        return reason

    def _connect_error(self, exc: SQLAlchemyError) -> StoreError:
        verb = "open" if self.backend == "sqlite" else "connect to"
        return StoreError(f"cannot {verb} {self._where()}: {self._reason(exc)}")

    def _translate(self, exc: SQLAlchemyError) -> StoreError:
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return self._connect_error(exc)
        return StoreError(f"database error ({self._where()}): {self._reason(exc)}")
