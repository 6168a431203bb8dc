"""The index catalog records how to load the model that built each index and its kind of vectors.

Until now that lived in ``data_dir/index-meta/<name>.json`` beside the SQL row; the catalog
(``index/catalog.py``) moves such files into these columns the first time it opens the store.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indexes") as batch:
        batch.add_column(sa.Column("model_spec", sa.Text(), nullable=True))
        batch.add_column(sa.Column("vectors", sa.String(32), nullable=False, server_default="fp32"))


def downgrade() -> None:
    with op.batch_alter_table("indexes") as batch:
        batch.drop_column("vectors")
        batch.drop_column("model_spec")
