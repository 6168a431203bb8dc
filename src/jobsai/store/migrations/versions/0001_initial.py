"""Initial schema: ads, checkpoints, ingest runs, skipped ads, index registry.

Revision ID: 0001
Revises:
Create Date: 2025-09-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ads",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("employer_name", sa.Text()),
        sa.Column("occupation_id", sa.String()),
        sa.Column("occupation_label", sa.Text()),
        sa.Column("occupation_group_id", sa.String()),
        sa.Column("occupation_group_label", sa.Text()),
        sa.Column("occupation_field_id", sa.String()),
        sa.Column("occupation_field_label", sa.Text()),
        sa.Column("employment_type_id", sa.String()),
        sa.Column("employment_type_label", sa.Text()),
        sa.Column("working_hours_type_id", sa.String()),
        sa.Column("working_hours_type_label", sa.Text()),
        sa.Column("municipality_id", sa.String()),
        sa.Column("municipality_label", sa.Text()),
        sa.Column("region_id", sa.String()),
        sa.Column("region_label", sa.Text()),
        sa.Column("country_id", sa.String()),
        sa.Column("published_at", TS),
        sa.Column("last_publication_at", TS),
        sa.Column("application_deadline", TS),
        sa.Column("source_updated_at", TS),
        sa.Column("first_seen_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("removed_at", TS),
        sa.Column("removed_reason", sa.String(16)),
        sa.Column("indexed_hash", sa.String(64)),
        sa.Column("snapshot_run", sa.BigInteger()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ads")),
        sa.CheckConstraint(
            "removed_reason IS NULL OR removed_reason IN ('removed', 'expired', 'snapshot')",
            name=op.f("ck_ads_removed_reason"),
        ),
        sa.CheckConstraint(
            "(removed_at IS NULL) = (removed_reason IS NULL)", name=op.f("ck_ads_removed_consistent")
        ),
    )
    for column in ("removed_at", "last_publication_at", "occupation_id", "municipality_id"):
        op.create_index(op.f(f"ix_ads_{column}"), "ads", [column])

    op.create_table(
        "checkpoints",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("value", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_checkpoints")),
    )

    op.create_table(
        "ingest_runs",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("counts", sa.JSON()),
        sa.Column("window_after", TS),
        sa.Column("window_before", TS),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_runs")),
        sa.CheckConstraint("kind IN ('snapshot', 'stream', 'file')", name=op.f("ck_ingest_runs_kind")),
        sa.CheckConstraint("status IN ('running', 'complete', 'failed')", name=op.f("ck_ingest_runs_status")),
    )

    op.create_table(
        "indexes",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("backend", sa.String(32), nullable=False),
        sa.Column("model_name", sa.Text(), nullable=False),
        sa.Column("model_sha256", sa.String(64), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("activated_at", TS),
        sa.Column("point_count", sa.BigInteger()),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_indexes")),
        sa.CheckConstraint("status IN ('building', 'active', 'retired')", name=op.f("ck_indexes_status")),
        sa.CheckConstraint("dim > 0", name=op.f("ck_indexes_dim_positive")),
    )
    op.create_index(
        "uq_indexes_one_active",
        "indexes",
        ["status"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )

    op.create_table(
        "skipped_ads",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("ad_id", sa.String()),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skipped_ads")),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ingest_runs.id"],
            name=op.f("fk_skipped_ads_run_id_ingest_runs"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_skipped_ads_run_id"), "skipped_ads", ["run_id"])


def downgrade() -> None:
    op.drop_table("skipped_ads")
    op.drop_table("indexes")
    op.drop_table("ingest_runs")
    op.drop_table("checkpoints")
    op.drop_table("ads")
