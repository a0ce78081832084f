"""What a handler needs: long-lived dependencies, and the state of one update."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.conversation.questionnaire import Questionnaire
from handlers.flood import FloodGate
from handlers.inbound import InboundEvent
from handlers.language.detect import DetectionSettings
from handlers.officers.index import CommunityIndexCache
from handlers.officers.locator import PostcodeLocator
from handlers.safety.matcher import KeywordMatcher, default_matcher
from storage.models import User
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Deps:
    """Built once by the composition root (``bot.bootstrap``) and shared by all updates."""

    uow: Callable[[], UnitOfWork]
    questionnaires: dict[str, Questionnaire]
    clock: Callable[[], datetime]
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    default_locale: str = "en"
    supported_locales: tuple[str, ...] = ("en",)
    bot_username: str | None = None
    flood: FloodGate | None = None
    communities: CommunityIndexCache = field(default_factory=CommunityIndexCache)
    postcode_locator: PostcodeLocator | None = None
    police_force: str = "cheshire"
    wake: Callable[[], None] | None = None  # ask the dispatcher to look for due deliveries now
    monotonic: Callable[[], float] = time.monotonic
    detection: DetectionSettings = field(default_factory=DetectionSettings)
    emergency: KeywordMatcher = field(default_factory=default_matcher)
    retention_months: int = 24  # answers older than this are anonymised; 0 keeps them
    dashboard_url: str = "http://127.0.0.1:8090"  # where /dashboard's sign-in links point


@dataclass(slots=True)
class Context:
    """One update being handled: its event, its user and its open unit of work."""

    deps: Deps
    uow: UnitOfWork
    user: User
    event: InboundEvent

    @property
    def user_id(self) -> int:
        assert self.user.id is not None
        return self.user.id

    def now(self) -> datetime:
        return self.deps.clock()
