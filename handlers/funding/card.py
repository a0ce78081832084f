"""An application as the applicant and the reviewer both read it."""

from __future__ import annotations

from handlers.funding.money import money
from handlers.i18n import _
from handlers.markup import escape
from storage.models import FundingApplication


def application_body(app: FundingApplication, *, with_question: bool = False) -> str:
    """One bold label and the answer per line, everything the applicant typed escaped."""
    rows = [
        (_("Project"), app.project_name),
        (_("The problem"), app.problem),
        (_("Who benefits"), app.beneficiaries),
        (_("Costs"), app.cost_breakdown),
        (_("Asking for"), money(app.requested_pence)),
        (_("Partners"), app.partners or "-"),
        (_("Contact"), app.contact),
    ]
    if with_question and app.question:
        rows.append((_("Question"), app.question))
        rows.append((_("Answer"), app.answer or "…"))
    return "\n".join(f"<b>{escape(label)}:</b> {escape(value)}" for label, value in rows)
