"""Job alerts: saved CV vectors with consent, their delivery queue, and sent-mail counts (issue 12).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("token_nonce", sa.String(64), nullable=False),
        sa.Column("manage_token_hash", sa.String(64), nullable=False),
        sa.Column("read_token_hash", sa.String(64), nullable=False),
        sa.Column("confirm_token_hash", sa.String(64)),
        sa.Column("session_token_hash", sa.String(64)),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("email", sa.Text()),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("paused_reason", sa.String(32)),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("frequency", sa.String(8), nullable=False),
        sa.Column("title_line", sa.Text()),
        sa.Column("model_fingerprint", sa.String(200), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("n_chunks", sa.Integer(), nullable=False),
        sa.Column("vectors", sa.LargeBinary(), nullable=False),
        sa.Column("consent_at", TS, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("confirmed_at", TS),
        sa.Column("last_opened_at", TS, nullable=False),
        sa.Column("expiry_notice_at", TS),
        sa.Column("refresh_notice_at", TS),
        sa.Column("last_message_at", TS),
        sa.Column("failures", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.CheckConstraint(_in("channel", ("email", "feed")), name=op.f("ck_alerts_channel")),
        sa.CheckConstraint(_in("status", ("pending", "active", "paused", "needs_refresh")),
                           name=op.f("ck_alerts_status")),
        sa.CheckConstraint(_in("frequency", ("instant", "daily")), name=op.f("ck_alerts_frequency")),
        sa.CheckConstraint("channel <> 'email' OR email IS NOT NULL", name=op.f("ck_alerts_email_needs_address")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("manage_token_hash", name=op.f("uq_alerts_manage_token_hash")),
        sa.UniqueConstraint("read_token_hash", name=op.f("uq_alerts_read_token_hash")),
    )
    op.create_index(op.f("ix_alerts_status"), "alerts", ["status"])
    op.create_index(op.f("ix_alerts_email"), "alerts", ["email"])
    op.create_index(op.f("ix_alerts_session_token_hash"), "alerts", ["session_token_hash"])
    op.create_table(
        "alert_deliveries",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.BigInteger(), nullable=False),
        sa.Column("ad_id", sa.String(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", TS),
        sa.Column("sent_at", TS),
        sa.Column("message_id", sa.String(200)),
        sa.CheckConstraint(_in("status", ("queued", "sending", "sent", "failed", "skipped", "feed")),
                           name=op.f("ck_alert_deliveries_status")),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], ondelete="CASCADE",
                                name=op.f("fk_alert_deliveries_alert_id_alerts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
        sa.UniqueConstraint("alert_id", "ad_id", name=op.f("uq_alert_deliveries_alert_id_ad_id")),
    )
    op.create_index(op.f("ix_alert_deliveries_status"), "alert_deliveries", ["status"])
    op.create_table(
        "alert_messages",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("recipient_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sent_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_messages")),
    )
    op.create_index(op.f("ix_alert_messages_recipient_hash_sent_at"), "alert_messages", ["recipient_hash", "sent_at"])


def downgrade() -> None:
    op.drop_table("alert_messages")
    op.drop_table("alert_deliveries")
    op.drop_table("alerts")
