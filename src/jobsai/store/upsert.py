"""One race-free INSERT … ON CONFLICT DO UPDATE for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from jobsai.errors import StoreError


def upsert(conn: Connection, table: Any, key: str, values: dict[str, Any]) -> None:
    """Insert ``values`` or update the row whose ``key`` column matches, in one statement."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
    else:
        raise StoreError(f"unsupported database backend {dialect!r}")
    stmt = stmt.values(values)
    changes = {k: stmt.excluded[k] for k in values if k != key}
    conn.execute(stmt.on_conflict_do_update(index_elements=[table.c[key]], set_=changes))
