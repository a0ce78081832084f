"""Staff invitations: one-time links that give whoever opens them a role and an area.

Only the SHA-256 of a token is stored, so a copy of the database cannot be used to
join. Using an invitation is one conditional UPDATE (still unused, not revoked, not
expired) whose row count says whether this transaction won: two workers opening the
same link at once cannot both use it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import StaffInvite


def token_hash(token: str) -> str:
    """The hex SHA-256 of ``token``: what is stored and looked up."""
    return hashlib.sha256(token.encode()).hexdigest()


class InviteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(
        self,
        token: str,
        *,
        role: str,
        expires_at: datetime,
        lpu_id: int | None = None,
        community_id: int | None = None,
        note: str = "",
        created_by: str = "",
    ) -> StaffInvite:
        invite = StaffInvite(
            token_hash=token_hash(token),
            role=role,
            lpu_id=lpu_id,
            community_id=community_id,
            note=note[:200],
            created_by=created_by[:120],
            expires_at=expires_at,
        )
        self._session.add(invite)
        await self._session.flush()
        return invite

    async def get(self, invite_id: int) -> StaffInvite | None:
        return await self._session.get(StaffInvite, invite_id)

    async def by_token(self, token: str) -> StaffInvite | None:
        """The invitation with this token, whatever its state."""
        query = select(StaffInvite).where(StaffInvite.token_hash == token_hash(token))
        return (await self._session.exec(query)).first()

    async def find_valid(self, token: str, now: datetime) -> StaffInvite | None:
        """The invitation with this token if it is unused, not revoked and not expired."""
        invite = await self.by_token(token)
        if invite is None or invite.used_at is not None or invite.revoked_at is not None:
            return None
        return invite if invite.expires_at > now else None

    async def use(self, invite: StaffInvite, *, user_id: int, name: str, now: datetime) -> bool:
        """Mark ``invite`` used by ``user_id``; ``False`` if it was no longer valid (used
        by another worker first, revoked, or expired)."""
        values = {"used_by_id": user_id, "used_by_name": name[:200], "used_at": now}
        result = await self._session.exec(
            update(StaffInvite)
            .where(
                col(StaffInvite.id) == invite.id,
                col(StaffInvite.used_at).is_(None),
                col(StaffInvite.revoked_at).is_(None),
                col(StaffInvite.expires_at) > now,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        for key, value in values.items():
            set_committed_value(invite, key, value)
        return True

    async def revoke(self, invite: StaffInvite, now: datetime) -> bool:
        """Withdraw an unused invitation; ``False`` if it was used or revoked already."""
        result = await self._session.exec(
            update(StaffInvite)
            .where(
                col(StaffInvite.id) == invite.id,
                col(StaffInvite.used_at).is_(None),
                col(StaffInvite.revoked_at).is_(None),
            )
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        set_committed_value(invite, "revoked_at", now)
        return True

    async def newest(self, limit: int = 100) -> Sequence[StaffInvite]:
        """The most recent invitations first, whatever their state."""
        query = select(StaffInvite).order_by(col(StaffInvite.id).desc()).limit(limit)
        return (await self._session.exec(query)).all()
