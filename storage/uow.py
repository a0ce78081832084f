"""The unit of work: one transaction per update, repositories that never commit."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.repositories.broadcasts import BroadcastRepository
from storage.repositories.chat_messages import ChatMessageLog
from storage.repositories.communities import CommunityRepository
from storage.repositories.conversations import ConversationRepository
from storage.repositories.dashboard import DashboardRepository
from storage.repositories.deliveries import DeliveryRepository
from storage.repositories.directory import DirectoryRepository
from storage.repositories.event_counts import EventCounts
from storage.repositories.events import EventRepository
from storage.repositories.follows import FollowRepository
from storage.repositories.funding import FundingRepository
from storage.repositories.groups import GroupRepository
from storage.repositories.invites import InviteRepository
from storage.repositories.leases import LeaseRepository
from storage.repositories.loop_updates import LoopUpdateRepository
from storage.repositories.organisers import OrganiserRepository
from storage.repositories.personal_data import PersonalData
from storage.repositories.polls import PollRepository
from storage.repositories.postcodes import PostcodeCacheRepository
from storage.repositories.reports import ReportRepository
from storage.repositories.retention import Retention
from storage.repositories.rsvps import RsvpRepository
from storage.repositories.send_slots import SendSlotRepository
from storage.repositories.teams import TeamRepository
from storage.repositories.updates import UpdateLog
from storage.repositories.users import UserRepository


class UnitOfWork:
    """``async with uow: ...; await uow.commit()``; leaving without commit rolls back."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self.users = UserRepository(self.session)
        self.conversations = ConversationRepository(self.session)
        self.communities = CommunityRepository(self.session)
        self.updates = UpdateLog(self.session)
        self.personal_data = PersonalData(self.session)
        self.teams = TeamRepository(self.session)
        self.follows = FollowRepository(self.session)
        self.events = EventRepository(self.session)
        self.postcodes = PostcodeCacheRepository(self.session)
        self.deliveries = DeliveryRepository(self.session)
        self.rsvps = RsvpRepository(self.session)
        self.groups = GroupRepository(self.session)
        self.polls = PollRepository(self.session)
        self.reports = ReportRepository(self.session)
        self.loop_updates = LoopUpdateRepository(self.session)
        self.organisers = OrganiserRepository(self.session)
        self.broadcasts = BroadcastRepository(self.session)
        self.send_slots = SendSlotRepository(self.session)
        self.invites = InviteRepository(self.session)
        self.chat_messages = ChatMessageLog(self.session)
        self.directory = DirectoryRepository(self.session)
        self.retention = Retention(self.session)
        self.funding = FundingRepository(self.session)
        self.leases = LeaseRepository(self.session)
        self.dashboard = DashboardRepository(self.session)
        self.event_counts = EventCounts(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Closing rolls back whatever was not committed, and (unlike rollback) leaves
        # loaded objects readable for the caller.
        await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
