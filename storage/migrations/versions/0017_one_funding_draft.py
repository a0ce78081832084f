"""funding_applications: at most one draft per applicant and pot (a partial unique index)

Two presses of "Apply" at once could start two drafts of the same application. Any
such pair already made is resolved first: the draft with the most answers saved
(``version`` goes up with each), the newest of those, is kept and the others are
deleted; a ``users.awaiting`` that pointed at a deleted draft points at the kept one.
The downgrade drops the index only (the deleted drafts do not come back).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "uq_funding_applications_one_draft"
DRAFT_ONLY = "status = 'draft'"


def _resolve_duplicate_drafts() -> None:
    connection = op.get_bind()
    drafts = connection.execute(
        sa.text(
            "SELECT id, applicant_id, pot_id FROM funding_applications"
            " WHERE status = 'draft' AND applicant_id IS NOT NULL"
            " ORDER BY applicant_id, pot_id, version DESC, id DESC"
        )
    ).all()
    kept: dict[tuple[int, int], int] = {}
    for draft_id, applicant_id, pot_id in drafts:
        keep = kept.setdefault((applicant_id, pot_id), draft_id)
        if keep == draft_id:
            continue
        connection.execute(
            sa.text("UPDATE users SET awaiting = :kept WHERE id = :user AND awaiting = :dropped"),
            {"kept": f"fd:apply:{keep}", "user": applicant_id, "dropped": f"fd:apply:{draft_id}"},
        )
        connection.execute(
            sa.text("DELETE FROM funding_applications WHERE id = :id"), {"id": draft_id}
        )


def upgrade() -> None:
    _resolve_duplicate_drafts()
    op.create_index(
        INDEX,
        "funding_applications",
        ["applicant_id", "pot_id"],
        unique=True,
        sqlite_where=sa.text(DRAFT_ONLY),
        postgresql_where=sa.text(DRAFT_ONLY),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="funding_applications")
