"""The report's fixed words for people, shared by the HTML and the Markdown.

Each is translated when called, so a report reads in the current locale (the staff
member's language: ``/report`` and the dashboard run in it). The JSON and the CSV
do not use these: what programs read stays the same in every language.
"""

from __future__ import annotations

from handlers.i18n import N_, _, _n, current_locale
from handlers.language.names import is_rtl
from handlers.reports.figures import FEWER, Figure, shown

POLL_STATUSES = {"open": N_("Open"), "closed": N_("Closed")}


def html_lang() -> str:
    """The ``lang`` and ``dir`` of the HTML page, from the current locale."""
    language = current_locale()
    code = "en-GB" if language == "en" else language
    return f"lang='{code}' dir='{'rtl' if is_rtl(language) else 'ltr'}'"


def made(scope: str, generated: str) -> str:
    return _("{scope}. Made {when}.").format(scope=scope, when=generated)


def small_numbers() -> str:
    return _("Any figure below 5 people is shown as “{fewer}”. Reports never show names.").format(
        fewer=_(FEWER)
    )


def people(count: int) -> str:
    """E.g. "12 people", or "fewer than 5 people" under the small-numbers rule."""
    if shown(count) == FEWER:
        return _("fewer than 5 people")
    return _n("{n} person", "{n} people", count).format(n=count)


def told(reached: Figure) -> str:
    if reached.suppressed:
        return _("fewer than 5 people told")
    return _n("{n} person told", "{n} people told", reached.count).format(n=reached.count)


def update_kind(group: str) -> str:
    return _("action group") if group else _("theme")


def answers(count: int) -> str:
    return _n("{n} answer", "{n} answers", count).format(n=count)


def poll_title(question: str, status: str) -> str:
    name = _(POLL_STATUSES[status]) if status in POLL_STATUSES else status
    return _("Poll: {question} ({status})").format(question=question, status=name)


def funding_columns() -> tuple[str, ...]:
    return (
        _("Pot"),
        _("Area"),
        _("Project"),
        _("Status"),
        _("Asked"),
        _("Given"),
        _("Sent"),
        _("Decided"),
        _("Reason"),
    )


def by_community() -> str:
    return _("Taking part, by community")


def by_language() -> str:
    return _("Taking part, by language")


def by_day() -> str:
    return _("Responses over time (day sent, local time)")


def issues() -> str:
    return _("Issues by category")


def themes() -> str:
    return _("Most frequent themes")


def mentioned() -> str:
    return _("Organisations and groups mentioned")


def updates() -> str:
    return _("You said, we did")


def funding() -> str:
    return _("Funding applications and decisions")


def plans() -> str:
    return _("What organisations said in their engagement plans")


def every_answer() -> str:
    return _("Every answer, by question")
