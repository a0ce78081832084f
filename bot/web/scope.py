"""Who is looking at the dashboard, and which area their stored role lets them see.

The role is read from ``users`` at every request, never kept in the session: a
role taken away, or moved to another area, applies from the next page. The area
is the report's (``handlers.reports.chat.report_scope``): a PCSO or officer sees
their community, a sergeant, inspector or organiser their LPU, an admin (and a
force-wide organiser) everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from markupsafe import Markup
from starlette.exceptions import HTTPException

from handlers.reports.chat import report_scope
from handlers.roles import is_staff
from handlers.staff.scope import Scope
from handlers.staff.wording import area_name, role_name
from storage.models import DashboardSession, User
from storage.repositories.reports import ReportScope
from storage.uow import UnitOfWork


class _HasId(Protocol):
    @property
    def id(self) -> int | None: ...


_Row = TypeVar("_Row", bound=_HasId)


@dataclass(frozen=True, slots=True)
class Viewer:
    user: User
    session: DashboardSession
    scope: ReportScope | None  # None: a staff role with no area yet, so nothing to see
    language: str
    role: str  # the role's name, translated
    area: Markup  # the area's name, translated and already escaped

    @property
    def name(self) -> str:
        return self.user.first_name or (f"@{self.user.username}" if self.user.username else "")

    @property
    def csrf(self) -> str:
        return self.session.csrf_token


def language_of(user: User, supported: tuple[str, ...], default: str) -> str:
    """The dashboard speaks the user's stored language, if we have it."""
    return user.language if user.language in supported else default


async def viewer_for(
    uow: UnitOfWork, user: User, session: DashboardSession, language: str
) -> Viewer | None:
    """The viewer, or ``None`` if ``user`` is no longer staff. Call it inside
    ``use_locale(language)``: the role and area are named in that language."""
    if not is_staff(user):
        return None
    area = await area_name(uow, Scope(user.role, user.role_lpu_id, user.role_community_id))
    return Viewer(
        user=user,
        session=session,
        scope=report_scope(user),
        language=language,
        role=role_name(user.role),
        area=Markup(area),  # area_name escapes every name it puts in
    )


def one_in_scope(rows: Iterable[_Row], wanted: int) -> _Row:
    """The row with id ``wanted`` among ``rows``, those the viewer may see: any other
    is "page not found", whether it exists or not."""
    found = [row for row in rows if row.id == wanted]
    if not found:
        raise HTTPException(404)
    [shown] = found
    return shown
