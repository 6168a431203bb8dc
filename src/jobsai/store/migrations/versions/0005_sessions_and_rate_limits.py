"""Match sessions and rate-limit counters in the database, so several web replicas share them (issue 11).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "match_sessions",
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("deletion_token_hash", sa.String(64), nullable=False),
        sa.Column("cv_text_redacted", sa.Text(), nullable=False),
        sa.Column("model_version", sa.String(200), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_match_sessions")),
    )
    op.create_index(op.f("ix_match_sessions_deletion_token_hash"), "match_sessions", ["deletion_token_hash"])
    op.create_index(op.f("ix_match_sessions_expires_at"), "match_sessions", ["expires_at"])
    op.create_table(
        "match_session_ads",
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("ad_id", sa.String(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("raw_score", sa.Float()),
        sa.Column("filters", sa.JSON()),
        sa.ForeignKeyConstraint(
            ["session_id"], ["match_sessions.session_id"], ondelete="CASCADE",
            name=op.f("fk_match_session_ads_session_id_match_sessions"),
        ),
        sa.PrimaryKeyConstraint("session_id", "ad_id", name=op.f("pk_match_session_ads")),
    )
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limits")),
    )
    op.create_index(op.f("ix_rate_limits_expires_at"), "rate_limits", ["expires_at"])


def downgrade() -> None:
    op.drop_table("rate_limits")
    op.drop_table("match_session_ads")
    op.drop_table("match_sessions")
