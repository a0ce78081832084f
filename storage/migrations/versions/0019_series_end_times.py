"""events: a series made before its row kept an end time gets one from its first date

Before commit b71c667, ``chinwag events add --weekly/--monthly`` gave each date
it made an end time but not the series row, so the dates the scheduler adds later
(``handlers.events.series.top_up_series``) had none. Each such series row now takes
the length of its earliest date that has an end, and its dates without an end get
it too. Nothing is undone by the downgrade: the times are right either way.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

events = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("series_id", sa.Integer),
    sa.column("starts_at", UTCDateTime()),
    sa.column("ends_at", UTCDateTime()),
)


def upgrade() -> None:
    connection = op.get_bind()
    series_rows = connection.execute(
        sa.select(events.c.id, events.c.starts_at).where(
            events.c.status == "series", events.c.ends_at.is_(None)
        )
    ).all()
    for series_id, series_starts in series_rows:
        first = connection.execute(
            sa.select(events.c.starts_at, events.c.ends_at)
            .where(events.c.series_id == series_id, events.c.ends_at.is_not(None))
            .order_by(events.c.starts_at)
            .limit(1)
        ).first()
        if first is None:
            continue  # no date of it has an end: the series has none
        length = first.ends_at - first.starts_at
        connection.execute(
            sa.update(events).where(events.c.id == series_id).values(ends_at=series_starts + length)
        )
        endless = connection.execute(
            sa.select(events.c.id, events.c.starts_at).where(
                events.c.series_id == series_id, events.c.ends_at.is_(None)
            )
        ).all()
        for date_id, starts in endless:
            connection.execute(
                sa.update(events).where(events.c.id == date_id).values(ends_at=starts + length)
            )


def downgrade() -> None:
    """The end times stay: they are right before this revision as after it."""
