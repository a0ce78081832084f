"""directory: the community directory and the suggestions residents' answers feed it

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import storage.types
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "directory_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "category",
            sqlmodel.sql.sqltypes.AutoString(length=24),
            nullable=False,
            server_default="other",
        ),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("where_when", sa.Text(), nullable=False, server_default=""),
        sa.Column("contact", sa.Text(), nullable=False, server_default=""),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("lpu_id", sa.Integer(), nullable=True),
        sa.Column("accessibility", sa.Text(), nullable=False, server_default=""),
        sa.Column(
            "languages",
            sqlmodel.sql.sqltypes.AutoString(length=200),
            nullable=False,
            server_default="",
        ),
        sa.Column("keywords", sa.Text(), nullable=False, server_default=""),
        sa.Column(
            "status",
            sqlmodel.sql.sqltypes.AutoString(length=12),
            nullable=False,
            server_default="active",
        ),
        sa.Column(
            "source",
            sqlmodel.sql.sqltypes.AutoString(length=12),
            nullable=False,
            server_default="chat",
        ),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name="fk_directory_entries_community_id"
        ),
        sa.ForeignKeyConstraint(["lpu_id"], ["lpus.id"], name="fk_directory_entries_lpu_id"),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name="fk_directory_entries_created_by",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_directory_entries"),
    )
    op.create_index("ix_directory_entries_community_id", "directory_entries", ["community_id"])
    op.create_index("ix_directory_entries_lpu_id", "directory_entries", ["lpu_id"])
    op.create_table(
        "directory_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("normalised", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("first_seen", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sqlmodel.sql.sqltypes.AutoString(length=12),
            nullable=False,
            server_default="pending",
        ),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["directory_entries.id"],
            name="fk_directory_suggestions_entry_id",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name="fk_directory_suggestions_decided_by",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_directory_suggestions"),
        sa.UniqueConstraint("normalised", name="uq_directory_suggestions_normalised"),
    )


def downgrade() -> None:
    op.drop_table("directory_suggestions")
    op.drop_index("ix_directory_entries_lpu_id", table_name="directory_entries")
    op.drop_index("ix_directory_entries_community_id", table_name="directory_entries")
    op.drop_table("directory_entries")
