"""chat_messages.page_end: which messages a page too long for one went out as

An earlier part of a split page gets the id of the page's last message (the one
with the buttons), so that a press there, handled by any worker or after a restart,
redoes the whole page. Indexed with the chat, for the rows that have it only.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_chat_messages_page_end"
PAGE_PARTS_ONLY = "page_end IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("chat_messages") as batch:
        batch.add_column(sa.Column("page_end", sa.BigInteger(), nullable=True))
    op.create_index(
        INDEX,
        "chat_messages",
        ["chat_id", "page_end"],
        sqlite_where=sa.text(PAGE_PARTS_ONLY),
        postgresql_where=sa.text(PAGE_PARTS_ONLY),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="chat_messages")
    with op.batch_alter_table("chat_messages") as batch:
        batch.drop_column("page_end")
