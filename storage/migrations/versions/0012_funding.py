"""funding: pots for communities and LPUs, and the applications for them

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import storage.types
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _str(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "funding_pots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("lpu_id", sa.Integer(), nullable=True),
        sa.Column("title", _str(200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("balance_pence", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("status", _str(12), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("balance_pence >= 0", name="ck_funding_pots_balance"),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"]),
        sa.ForeignKeyConstraint(["lpu_id"], ["lpus.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_funding_pots_community_id", "funding_pots", ["community_id"])
    op.create_index("ix_funding_pots_lpu_id", "funding_pots", ["lpu_id"])
    op.create_table(
        "funding_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pot_id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=True),
        sa.Column("action_group_id", sa.Integer(), nullable=True),
        sa.Column("status", _str(12), nullable=False),
        sa.Column("step", _str(24), nullable=False),
        sa.Column("project_name", _str(200), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("beneficiaries", sa.Text(), nullable=False),
        sa.Column("cost_breakdown", sa.Text(), nullable=False),
        sa.Column("requested_pence", sa.Integer(), nullable=False),
        sa.Column("partners", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("decided_amount_pence", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["pot_id"], ["funding_pots.id"]),
        sa.ForeignKeyConstraint(["applicant_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["action_group_id"], ["action_groups.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_funding_applications_pot_id", "funding_applications", ["pot_id"])


def downgrade() -> None:
    op.drop_index("ix_funding_applications_pot_id", table_name="funding_applications")
    op.drop_table("funding_applications")
    op.drop_index("ix_funding_pots_lpu_id", table_name="funding_pots")
    op.drop_index("ix_funding_pots_community_id", table_name="funding_pots")
    op.drop_table("funding_pots")
