"""An application's status as staff read it (reports, the dashboard), in the current
language; the stored id ("approved") stays the same in every language. Applicants
are told theirs in plainer words (``handlers.funding.apply.status_name``)."""

from __future__ import annotations

from handlers.i18n import N_, _

STAFF_NAMES = {
    "draft": N_("Draft"),
    "submitted": N_("Waiting for a decision"),
    "question": N_("Question asked"),
    "approved": N_("Approved"),
    "declined": N_("Declined"),
    "withdrawn": N_("Withdrawn"),
}


def for_staff(status: str) -> str:
    """``status`` named for staff; an unknown one as stored."""
    return _(STAFF_NAMES[status]) if status in STAFF_NAMES else status
