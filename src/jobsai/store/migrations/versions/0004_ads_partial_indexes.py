"""Partial indexes on the ads table: live ads, ads the vector index lacks, removed ads it holds.

Replaces the plain index on ``removed_at``, which SQLite's planner chose for every
``removed_at IS NULL`` query and then sorted all live ads by id for each keyset page.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE_SQL = "removed_at IS NULL"
PENDING_SQL = "removed_at IS NULL AND (indexed_hash IS NULL OR indexed_hash <> content_hash)"
UNINDEX_SQL = "removed_at IS NOT NULL AND indexed_hash IS NOT NULL"
PARTIAL = {"ix_ads_live": LIVE_SQL, "ix_ads_pending_index": PENDING_SQL, "ix_ads_pending_unindex": UNINDEX_SQL}


def upgrade() -> None:
    op.drop_index(op.f("ix_ads_removed_at"), table_name="ads")
    for name, where in PARTIAL.items():
        op.create_index(
            name, "ads", ["id"], sqlite_where=sa.text(where), postgresql_where=sa.text(where)
        )


def downgrade() -> None:
    for name in PARTIAL:
        op.drop_index(name, table_name="ads")
    op.create_index(op.f("ix_ads_removed_at"), "ads", ["removed_at"])
