"""Backup and restore of the system of record: the database plus the model registry's model folders,
in one tar archive.

What is in it, and why:

* **The database.** Everything JobsAI knows is in the SQL store (ads as received, checkpoints,
  ingest runs, the index registry, feedback, the model registry); the vector index is derived
  data and is *not* in the archive: after a restore it is rebuilt from the store
  (``jobsai index build``). Match sessions and rate-limit counters are left out on purpose:
  they live for hours, and a session holds a person's redacted CV for feedback, which a
  backup kept for months must not.
* **Two database formats.** SQLite is copied with SQLite's online backup API (a consistent
  copy of a live database, page by page, while the server and worker keep writing), restored
  the same way. PostgreSQL is dumped as JSON Lines, one file per table, read through
  SQLAlchemy inside one ``REPEATABLE READ`` read-only transaction (one consistent snapshot).
  Why not ``pg_dump``/``pg_restore``: ``pg_dump`` refuses a server newer than itself, so the
  app image would have to carry the server's exact client version; a custom-format dump
  restores only into PostgreSQL; and only the JSON-lines path could be tested here against
  both engines (it also moves a store from SQLite to PostgreSQL: ``jobsai backup --format
  jsonl``, then ``jobsai restore`` with ``JOBSAI_DATABASE_URL`` pointing at PostgreSQL). For a
  very large PostgreSQL store, ``pg_dump -Fc`` beside this still works (the schema is plain).
* **Model folders.** The registry records each trained model's folder (``data_dir/models/<version>``);
  those that exist go into the archive under ``models/<version>/`` and are restored into this
  data directory's ``models/``, with the registry's paths rewritten to where they now are.

Restoring goes to the archive's schema revision first, inserts the rows, then migrates to this
version's newest schema, so an archive from an older JobsAI restores into a newer one. The
restored store then forgets every index (the registry's index rows and each ad's "indexed"
mark), because no index on this machine is known to match it.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any, Literal, Protocol

from alembic import command
from sqlalchemy import Connection, MetaData, Table, create_engine, delete, func, insert, select, text, update
from sqlalchemy.pool import NullPool
from sqlalchemy.types import JSON, Boolean, Date, DateTime, LargeBinary

from jobsai import __version__
from jobsai.config import Settings
from jobsai.errors import StoreError
from jobsai.private import PRIVATE_FILE_MODE, private_dir
from jobsai.store.db import Database, alembic_config, normalize_url
from jobsai.store.schema import ads, indexes, model_registry
from jobsai.timeutil import utcnow

log = logging.getLogger(__name__)

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
TABLES_DIR = "tables"
MODELS_DIR = "models"
EPHEMERAL_TABLES = ("match_session_ads", "match_sessions", "rate_limits")
"""Minutes-to-hours state that a backup leaves out (sessions hold redacted CVs for feedback)."""
SKIPPED_TABLES = ("alembic_version", *EPHEMERAL_TABLES)
BATCH = 500
DbFormat = Literal["sqlite", "jsonl"]


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    database_format: DbFormat
    tables: dict[str, int]
    models: list[str]
    bytes: int
    seconds: float

    def summary(self) -> str:
        rows = sum(self.tables.values())
        return (f"{self.path}: {self.bytes / 1e6:.1f} MB, {rows} rows in {len(self.tables)} tables "
                f"({self.database_format}), {len(self.models)} model folder(s), {self.seconds:.1f} s")


@dataclass(frozen=True, slots=True)
class RestoreReport:
    tables: dict[str, int]
    models: dict[str, str]
    """Model version -> the folder it was restored to."""
    schema_revision: str
    seconds: float
    champion_path: str | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        rows = sum(self.tables.values())
        return (f"restored {rows} rows in {len(self.tables)} tables and {len(self.models)} model folder(s) "
                f"(schema {self.schema_revision}) in {self.seconds:.1f} s")


# -- backup -------------------------------------------------------------------------------------


def backup(
    settings: Settings, db: Database, path: Path, *, db_format: DbFormat | None = None, include_models: bool = True
) -> BackupReport:
    """Write the store (and the registry's model folders) to the tar archive ``path`` (``.tar.gz``/``.tgz``:
    compressed). ``db_format``: ``sqlite`` (SQLite only; the default there) or ``jsonl`` (either engine)."""
    started = time.monotonic()
    path = Path(path)
    fmt: DbFormat = db_format or ("sqlite" if db.backend == "sqlite" else "jsonl")
    if fmt == "sqlite" and db.backend != "sqlite":
        raise StoreError("--format sqlite needs a SQLite database; use jsonl for PostgreSQL")
    revision = db.schema_revision()
    if revision is None:
        raise StoreError(f"the database {db.display_url} has no schema yet; there is nothing to back up")
    with _workdir(settings) as work:
        if fmt == "sqlite":
            tables = _sqlite_copy(_sqlite_path(db), work / SQLITE_MEMBER)
        else:
            tables = _dump_jsonl(db, work / TABLES_DIR)
        models = _model_folders(db) if include_models else {}
        manifest = {
            "format": ARCHIVE_FORMAT,
            "created_at": utcnow().isoformat(),
            "jobsai_version": __version__,
            "schema_revision": revision,
            "database": {"format": fmt, "engine": db.backend, "tables": tables},
            "models": {v: {"path": str(p)} for v, p in models.items()},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.partial")
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, PRIVATE_FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode=_write_mode(path)) as tar:
                tar.add(work / MANIFEST, MANIFEST)
                if fmt == "sqlite":
                    tar.add(work / SQLITE_MEMBER, SQLITE_MEMBER)
                else:
                    tar.add(work / TABLES_DIR, TABLES_DIR)
                for version, folder in models.items():
                    tar.add(folder, f"{MODELS_DIR}/{version}")
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    report = BackupReport(path, fmt, tables, sorted(models), path.stat().st_size, time.monotonic() - started)
    log.info("backup: %s", report.summary())
    return report


def _write_mode(path: Path) -> Literal["w:gz", "w"]:
    return "w:gz" if path.name.endswith((".tar.gz", ".tgz")) else "w"


@contextmanager
def _workdir(settings: Settings) -> Iterator[Path]:
    """A private scratch folder in the data directory (room for a copy of the database; never /tmp)."""
    private_dir(settings.data_dir)
    work = Path(tempfile.mkdtemp(prefix="backup-", dir=settings.data_dir))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _sqlite_path(db: Database) -> Path:
    url = normalize_url(db.display_url) if db.backend == "sqlite" else None
    name = url.database if url is not None else None
    if not name or name == ":memory:" or "mode=memory" in name:
        raise StoreError("an in-memory SQLite database cannot be backed up")
    return Path(name).expanduser()


def _sqlite_copy(source: Path, target: Path) -> dict[str, int]:
    """SQLite's online backup of ``source`` into ``target``, without the ephemeral tables; rows per table."""
    src = sqlite3.connect(str(source), timeout=30)  # the backup API only reads it
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst, pages=4096)  # in steps: writers are blocked only for a step at a time
    finally:
        src.close()
    try:
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        names = [r[0] for r in dst.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in EPHEMERAL_TABLES:
            if name in names:
                dst.execute(f'DELETE FROM "{name}"')
        dst.commit()
        dst.execute("VACUUM")
        return {n: int(dst.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0])
                for n in sorted(names) if n not in SKIPPED_TABLES and not n.startswith("sqlite_")}
    finally:
        dst.close()


def _dump_jsonl(db: Database, folder: Path) -> dict[str, int]:
    """Every table (but the skipped ones) as JSON Lines, read in one consistent snapshot."""
    folder.mkdir()
    counts: dict[str, int] = {}
    with db.engine.connect() as conn:
        if db.backend == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            meta = MetaData()
            meta.reflect(conn)
            for table in meta.sorted_tables:
                if table.name in SKIPPED_TABLES:
                    continue
                n = 0
                with open(folder / f"{table.name}.jsonl", "w", encoding="utf-8") as out:
                    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(select(table))
                    for row in result.mappings():
                        out.write(json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False) + "\n")
                        n += 1
                counts[table.name] = n
    return counts


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes | memoryview):
        return {"$base64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _model_folders(db: Database) -> dict[str, Path]:
    """Registered model versions whose folder exists (a version's folder may have been deleted by hand)."""
    with db.begin(readonly=True) as conn:
        rows = conn.execute(select(model_registry.c.version, model_registry.c.path)).all()
    out: dict[str, Path] = {}
    for version, path in rows:
        folder = Path(path)
        if _safe_name(version) and folder.is_dir():
            out[version] = folder
        elif not folder.is_dir():
            log.warning("model %s: its folder %s is missing; the backup has its registry row only", version, path)
    return out


def _safe_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and all(c.isalnum() or c in "-_.@+" for c in name)


# -- restore ------------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, Any]:
    """The archive's manifest (checked: format, members inside the archive only)."""
    with tarfile.open(path, "r:*") as tar:
        return _checked_manifest(tar)


def _checked_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    for member in tar.getmembers():
        p = PurePosixPath(member.name)
        if p.is_absolute() or ".." in p.parts or not (member.isfile() or member.isdir()):
            raise StoreError(f"the archive holds an unsafe entry {member.name!r}; it was not made by jobsai backup")
    try:
        handle = tar.extractfile(MANIFEST)
        manifest = json.load(handle) if handle is not None else None
    except (KeyError, ValueError) as exc:
        raise StoreError(f"not a JobsAI backup (no readable {MANIFEST}): {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise StoreError("not a JobsAI backup, or one written by a newer version (unknown archive format)")
    return manifest


def restore(settings: Settings, path: Path, *, force: bool = False) -> RestoreReport:
    """Replace the store (and the registry's model folders) with the archive's; see the module docstring.

    Refuses a store that holds ads, feedback or models unless ``force``. Stop every server and worker
    first; the caller holds the index lock.
    """
    started = time.monotonic()
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"no backup at {path}")
    settings.ensure_dirs()
    with tarfile.open(path, "r:*") as tar, _workdir(settings) as work:
        manifest = _checked_manifest(tar)
        revision = str(manifest["schema_revision"])
        database = manifest["database"]
        fmt = database["format"]
        db = Database.from_settings(settings)
        try:
            if revision not in _known_revisions(db):
                raise StoreError(f"the backup's schema revision {revision!r} is newer than this version of jobsai "
                                 "knows; restore it with the version that wrote it")
            _refuse_unless_empty(db, force)
            if fmt == "sqlite":
                tar.extract(SQLITE_MEMBER, work, filter="data")
                source = work / SQLITE_MEMBER
                if db.backend == "sqlite":
                    db.dispose()
                    _sqlite_restore(source, _sqlite_path(db))
                    tables = {k: int(v) for k, v in database["tables"].items()}
                else:
                    with _sqlite_rows(source) as rows:
                        tables = _copy_rows(db, revision, rows)
            elif fmt == "jsonl":
                members = [m for m in tar.getmembers() if m.isfile() and m.name.startswith(f"{TABLES_DIR}/")]
                tar.extractall(work, members=members, filter="data")
                tables = _copy_rows(db, revision, _JsonlRows(work / TABLES_DIR))
            else:
                raise StoreError(f"unknown database format {fmt!r} in the backup")
            db.migrate()  # from the archive's revision to this version's newest
            models = _restore_models(settings, tar, manifest.get("models") or {}, work, force)
            champion = _after_restore(db, models)
        finally:
            db.dispose()
    report = RestoreReport(tables=tables, models=models, schema_revision=revision,
                           seconds=time.monotonic() - started, champion_path=champion)
    log.info("restore: %s", report.summary())
    return report


def _known_revisions(db: Database) -> set[str]:
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def _refuse_unless_empty(db: Database, force: bool) -> None:
    if force or db.schema_revision() is None:
        return
    with db.begin(readonly=True) as conn:
        n = sum(int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in (ads, model_registry))
        from jobsai.store.schema import feedback

        n += int(conn.execute(select(func.count()).select_from(feedback)).scalar_one())
    if n:
        raise StoreError(f"the database {db.display_url} is not empty ({n} ads, feedback rows and models); "
                         "restoring replaces all of it: pass --force to do that")


def _sqlite_restore(source: Path, target: Path) -> None:
    """Overwrite the SQLite database at ``target`` with ``source`` through the backup API (the target's
    own connections see one consistent switch; its -wal is reset with it)."""
    private_dir(target.parent)
    src = sqlite3.connect(str(source))
    dst = sqlite3.connect(str(target), timeout=30)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")
    finally:
        src.close()
        dst.close()
    os.chmod(target, PRIVATE_FILE_MODE)


class _Rows(Protocol):
    """Where restored rows come from: the tables it has, and each one's rows as dicts."""

    def names(self) -> list[str]: ...

    def rows(self, name: str) -> Iterator[dict[str, Any]]: ...


class _JsonlRows:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def names(self) -> list[str]:
        return sorted(f.stem for f in self.folder.glob("*.jsonl"))

    def rows(self, name: str) -> Iterator[dict[str, Any]]:
        with open(self.folder / f"{name}.jsonl", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


class _SqliteRows:
    """A SQLite backup file read through SQLAlchemy (values decoded by the reflected column types)."""

    def __init__(self, conn: Connection) -> None:
        self.meta = MetaData()
        self.meta.reflect(conn)
        self.conn = conn

    def names(self) -> list[str]:
        return [t.name for t in self.meta.sorted_tables]

    def rows(self, name: str) -> Iterator[dict[str, Any]]:
        return (dict(r) for r in self.conn.execute(select(self.meta.tables[name])).mappings())


@contextmanager
def _sqlite_rows(source: Path) -> Iterator[_SqliteRows]:
    engine = create_engine(f"sqlite:///{source}", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield _SqliteRows(conn)
    finally:
        engine.dispose()


def _copy_rows(db: Database, revision: str, source: _Rows) -> dict[str, int]:
    """Empty the target, create the archive's schema revision, insert every table's rows (parents first)."""
    _drop_everything(db)
    with db.begin() as conn:
        command.upgrade(alembic_config(connection=conn), revision)
    counts: dict[str, int] = {}
    with db.begin() as conn:
        meta = MetaData()
        meta.reflect(conn)
        order = {t.name: i for i, t in enumerate(meta.sorted_tables)}
        for name in sorted(source.names(), key=lambda n: order.get(n, len(order))):
            if name in SKIPPED_TABLES:
                continue
            table = meta.tables.get(name)
            if table is None:
                raise StoreError(f"the backup has a table {name!r} that schema revision {revision} does not")
            counts[name] = _insert_all(conn, table, source.rows(name))
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn, meta)
    return counts


def _drop_everything(db: Database) -> None:
    with db.begin() as conn:
        meta = MetaData()
        meta.reflect(conn)
        meta.drop_all(conn)


def _insert_all(conn: Connection, table: Table, rows: Iterator[dict[str, Any]]) -> int:
    decoders = {c.name: _decoder(c.type) for c in table.columns}
    batch: list[dict[str, Any]] = []
    n = 0
    for row in rows:
        batch.append({k: decoders[k](v) if k in decoders else v for k, v in row.items() if k in decoders})
        if len(batch) >= BATCH:
            conn.execute(insert(table), batch)
            n += len(batch)
            batch = []
    if batch:
        conn.execute(insert(table), batch)
        n += len(batch)
    return n


def _decoder(type_: Any) -> Any:
    """How a JSON-lines value becomes what the column takes (JSON columns take the value as it is)."""
    if isinstance(type_, JSON):
        return lambda v: v
    if isinstance(type_, DateTime):
        return lambda v: datetime.fromisoformat(v) if isinstance(v, str) else v
    if isinstance(type_, Date):
        return lambda v: date.fromisoformat(v) if isinstance(v, str) else v
    if isinstance(type_, Boolean):
        return lambda v: bool(v) if v is not None else None
    if isinstance(type_, LargeBinary):
        return lambda v: base64.b64decode(v["$base64"]) if isinstance(v, dict) else v
    return lambda v: v


def _reset_sequences(conn: Connection, meta: MetaData) -> None:
    """Rows came with their ids: move each id sequence past the largest one, so new rows do not collide."""
    for table in meta.sorted_tables:
        for column in table.primary_key.columns:
            seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": table.name, "c": column.name}).scalar()
            if seq:
                conn.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 1), '
                                  f'(SELECT MAX("{column.name}") FROM "{table.name}") IS NOT NULL)'), {"s": seq})


def _restore_models(
    settings: Settings, tar: tarfile.TarFile, models: dict[str, Any], work: Path, force: bool
) -> dict[str, str]:
    """Extract ``models/<version>/`` into this data directory's ``models/``; version -> new folder."""
    out: dict[str, str] = {}
    root = private_dir(settings.data_dir / "models")
    for version in models:
        if not _safe_name(version):
            raise StoreError(f"the backup names a model version {version!r} that is not a safe folder name")
        prefix = f"{MODELS_DIR}/{version}/"
        members = [m for m in tar.getmembers() if m.name.startswith(prefix) or m.name == prefix.rstrip("/")]
        if not members:
            continue
        target = root / version
        if target.exists():
            if not force:
                raise StoreError(f"{target} exists; pass --force to replace it with the backup's copy")
            shutil.rmtree(target)
        tar.extractall(work, members=members, filter="data")
        shutil.move(str(work / MODELS_DIR / version), target)
        out[version] = str(target)
    return out


def _after_restore(db: Database, models: dict[str, str]) -> str | None:
    """No index on this machine is known to match the restored store: forget them all; point the registry
    at the restored model folders. Returns the champion's folder (what to build the index with)."""
    with db.begin() as conn:
        conn.execute(delete(indexes))
        conn.execute(update(ads).where(ads.c.indexed_hash.is_not(None)).values(indexed_hash=None))
        for version, folder in models.items():
            conn.execute(update(model_registry).where(model_registry.c.version == version).values(path=folder))
        meta = MetaData()
        meta.reflect(conn, only=lambda name, _meta: name in EPHEMERAL_TABLES)
        for table in reversed(meta.sorted_tables):
            conn.execute(delete(table))
        champion = conn.execute(
            select(model_registry.c.path).where(model_registry.c.status == "champion")
        ).scalar_one_or_none()
    return champion


def archive_members(path: Path) -> list[str]:
    """The archive's entry names (for tests and ``--list``)."""
    with tarfile.open(path, "r:*") as tar:
        return tar.getnames()


def describe(manifest: dict[str, Any]) -> str:
    """One line about an archive, from its manifest."""
    database = manifest.get("database", {})
    rows = sum(int(v) for v in (database.get("tables") or {}).values())
    return (f"JobsAI backup of {manifest.get('created_at')} (jobsai {manifest.get('jobsai_version')}, schema "
            f"{manifest.get('schema_revision')}): {rows} rows ({database.get('format')} from "
            f"{database.get('engine')}), {len(manifest.get('models') or {})} model folder(s)")

