"""Model registry: every trained model, its gate metrics, data sizes, status and reason.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "model_registry",
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("base", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("metrics", sa.JSON()),
        sa.Column("data_sizes", sa.JSON()),
        sa.Column("reason", sa.Text()),
        sa.Column("promoted_at", TS),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_model_registry")),
        sa.CheckConstraint(
            "status IN ('candidate', 'champion', 'rejected', 'retired')", name=op.f("ck_model_registry_status")
        ),
    )
    op.create_index(
        "uq_model_registry_one_champion",
        "model_registry",
        ["status"],
        unique=True,
        sqlite_where=sa.text("status = 'champion'"),
        postgresql_where=sa.text("status = 'champion'"),
    )


def downgrade() -> None:
    op.drop_table("model_registry")
