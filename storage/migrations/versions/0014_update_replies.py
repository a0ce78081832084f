"""processed_updates: the replies of an update, kept minutes, for a redelivery after a crash

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processed_updates") as batch:
        batch.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("replies", sa.Text(), nullable=True))
    op.create_index("ix_processed_updates_chat_id", "processed_updates", ["chat_id"])


def downgrade() -> None:
    op.drop_index("ix_processed_updates_chat_id", table_name="processed_updates")
    with op.batch_alter_table("processed_updates") as batch:
        batch.drop_column("replies")
        batch.drop_column("chat_id")
