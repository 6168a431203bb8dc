"""Feedback from the web app: one row per (session, ad), consent-gated redacted CV, deletion token.

Revision ID: 0002
Revises: 0001
Create Date: 2025-09-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("ad_id", sa.String(), nullable=False),
        sa.Column("ad_text", sa.Text(), nullable=False),
        sa.Column("cv_text_redacted", sa.Text()),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("raw_score", sa.Float()),
        sa.Column("model_version", sa.String(200), nullable=False),
        sa.Column("filters", sa.JSON()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("deletion_token_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("session_id", "ad_id", name=op.f("uq_feedback_session_id_ad_id")),
        sa.CheckConstraint("label IN ('relevant', 'not_relevant')", name=op.f("ck_feedback_label")),
        sa.CheckConstraint("rank > 0", name=op.f("ck_feedback_rank_positive")),
        sa.CheckConstraint(
            "consent OR cv_text_redacted IS NULL", name=op.f("ck_feedback_cv_needs_consent")
        ),
    )
    op.create_index(op.f("ix_feedback_deletion_token_hash"), "feedback", ["deletion_token_hash"])


def downgrade() -> None:
    op.drop_table("feedback")
