"""chat_messages: the last 48 hours of message ids per private chat, for the quick exit

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa

import storage.types
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("from_bot", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chat_messages"),
    )
    op.create_index("ix_chat_messages_chat_sent", "chat_messages", ["chat_id", "sent_at"])
    op.create_index("ix_chat_messages_sent_at", "chat_messages", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_chat_messages_sent_at", table_name="chat_messages")
    op.drop_index("ix_chat_messages_chat_sent", table_name="chat_messages")
    op.drop_table("chat_messages")
