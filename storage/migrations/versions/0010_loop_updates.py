"""loop_updates: "you said, we did" updates for residents and the report

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import storage.types
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loop_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lpu_id", sa.Integer(), nullable=True),
        sa.Column("action_group_id", sa.Integer(), nullable=True),
        sa.Column("theme", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["lpu_id"], ["lpus.id"]),
        sa.ForeignKeyConstraint(["action_group_id"], ["action_groups.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_loop_updates_lpu_id", "loop_updates", ["lpu_id"])


def downgrade() -> None:
    op.drop_index("ix_loop_updates_lpu_id", table_name="loop_updates")
    op.drop_table("loop_updates")
