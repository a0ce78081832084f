"""Build the organisers' report: one ``Report`` that every format renders.

Counts come from SQL (storage/repositories/reports.py); themes and organisations
named are found here in the answers' text. Every number a format shows is a
``Figure`` from ``Report.figures()``, so the CSV and the JSON hold the same ones,
with the small-numbers rule already applied. No names of residents are included:
reports never show who said what.

The report is built in the current locale (``use_locale``: the staff member's
language for ``/report`` and the dashboard; ``--language``, by default the
configured default locale, for ``chinwag report``): its title, scope, dates,
figure labels ("Residents taking part", language names), and the questions' and
options' labels (from the questionnaires' catalogue) are in that language. What
programs read stays the same in every language: each figure's ``section`` (an
English id such as ``"by community"``), the funding and poll statuses and the
mention sources (ids, named for people by the renderers), and the small-numbers
marker in ``Figure.value``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime

from handlers.conversation.questionnaire import Questionnaire, Step, StepKind, load_all
from handlers.events.polls import options_of, tally
from handlers.i18n import _, current_locale
from handlers.reports.figures import Figure, figures
from handlers.reports.funding import FundingNote, funding_section
from handlers.reports.organisations import mentions
from handlers.reports.themes import Theme, themes
from storage.repositories.reports import AnswerRow, ReportScope
from storage.uow import UnitOfWork

THEMES = 12


def language_name(code: str) -> str:
    """A language's name in the current language ("Welsh", "Cymraeg", "walijski")."""
    if code == "unknown":
        return _("Not known")
    try:
        name = Locale.parse(code).get_display_name(current_locale()) or code
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:]


def day(moment: datetime, tz: ZoneInfo) -> str:
    """E.g. "01 Nov 2026", local, in the current language."""
    return format_date(moment.astimezone(tz), "dd MMM y", locale=current_locale())


@dataclass(frozen=True, slots=True)
class QuotedAnswer:
    text: str
    language: str  # code, "" when not detected


@dataclass(frozen=True, slots=True)
class QuestionAnswers:
    id: str
    label: str
    answers: tuple[QuotedAnswer, ...]  # the words; picked options are counted in ``issues``


@dataclass(frozen=True, slots=True)
class Plan:
    organisation: str  # "(no name given)", in the report's language, if none was
    kind: str
    answers: tuple[tuple[str, str], ...]  # (question, answer)
    named: bool = True


@dataclass(frozen=True, slots=True)
class PollResult:
    question: str
    status: str  # "open" or "closed" (an id; the renderers name it)
    options: tuple[Figure, ...]


@dataclass(frozen=True, slots=True)
class LoopNote:
    """A "you said, we did" update that was sent."""

    sent: str  # local date
    about: str  # the theme, or the action group's title
    group: str  # the action group's title, "" for a theme
    text: str
    reached: Figure


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    scope: str
    generated: str  # local date and time
    participants: Figure
    organisations: Figure
    by_community: tuple[Figure, ...]
    by_language: tuple[Figure, ...]
    by_day: tuple[Figure, ...]
    issues: tuple[Figure, ...]
    themes: tuple[Theme, ...]
    theme_figures: tuple[Figure, ...]
    mentioned: tuple[Figure, ...]
    mention_sources: dict[str, str]
    questions: tuple[QuestionAnswers, ...]
    plans: tuple[Plan, ...]
    polls: tuple[PollResult, ...] = ()
    updates: tuple[LoopNote, ...] = ()
    funding: tuple[FundingNote, ...] = ()
    funding_figures: tuple[Figure, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def figures(self) -> list[Figure]:
        """Every number in the report, in order; CSV and JSON are made from this."""
        rows = [self.participants, self.organisations]
        rows += [*self.by_community, *self.by_language, *self.by_day, *self.issues]
        rows += [*self.theme_figures, *self.mentioned]
        for poll in self.polls:
            rows += poll.options
        rows += [u.reached for u in self.updates]
        rows += self.funding_figures
        return rows


def _label(questionnaire: Questionnaire, step: Step) -> str:
    """A question's short label, in the current locale (the questionnaire's catalogue)."""
    return questionnaire.text_of(step, "short" if step.short else "text")


def _option_labels(questionnaire: Questionnaire, step: Step) -> dict[str, str]:
    return {option.id: questionnaire.option_label(step, option) for option in step.options}


def _questions(questionnaire: Questionnaire, rows: list[AnswerRow]) -> list[QuestionAnswers]:
    grouped: dict[str, list[AnswerRow]] = defaultdict(list)
    for row in rows:
        grouped[row.question].append(row)
    result = []
    for step in questionnaire.questions:
        if step.kind is StepKind.COMMUNITY:
            continue
        given = grouped.get(step.id, [])
        texts = tuple(
            QuotedAnswer(r.text.strip(), r.language or "")
            for r in given
            if r.text and r.text.strip()
        )
        result.append(QuestionAnswers(step.id, _label(questionnaire, step), texts))
    return result


def _plans(questionnaire: Questionnaire, rows: list[AnswerRow]) -> list[Plan]:
    by_conversation: dict[int, dict[str, AnswerRow]] = defaultdict(dict)
    for row in rows:
        by_conversation[row.conversation_id][row.question] = row
    plans = []
    for answers in by_conversation.values():
        name_row = answers.get("org_name")
        kind_row = answers.get("org_type")
        kind_step = questionnaire.step("org_type")
        kind = ""
        if kind_row is not None and kind_step is not None:
            labels = _option_labels(questionnaire, kind_step)
            kind = ", ".join(labels.get(c, c) for c in filter(None, kind_row.choices.split(",")))
        said = []
        for step in questionnaire.questions:
            found = answers.get(step.id)
            if step.id in ("org_name", "org_type") or found is None:
                continue
            row = found
            labels = _option_labels(questionnaire, step)
            picked = [labels.get(c, c) for c in filter(None, row.choices.split(","))]
            text = "; ".join([*picked, *([row.text] if row.text else [])])
            if text.strip():
                said.append((_label(questionnaire, step), text.strip()))
        name = (name_row.text or "").strip() if name_row else ""
        plans.append(Plan(name or _("(no name given)"), kind, tuple(said), named=bool(name)))
    plans.sort(key=lambda p: p.organisation.casefold())
    return plans


def free_text_by_person(rows: list[AnswerRow]) -> list[list[str]]:
    """Each resident's answers in their own words (not picked options, not places)."""
    questionnaire = load_all()["resident"]
    free = {
        s.id
        for s in questionnaire.questions
        if s.kind is StepKind.TEXT or (s.kind is StepKind.MULTI and s.allow_text)
    }
    people: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        if row.question in free and row.text:
            people[row.conversation_id].append(row.text)
    return list(people.values())


async def _scope_text(uow: UnitOfWork, scope: ReportScope, tz: ZoneInfo) -> str:
    parts = []
    if scope.community_id is not None:
        community = await uow.communities.get(scope.community_id)
        name = community.name if community else scope.community_id
        parts.append(_("Community: {name}").format(name=name))
    elif scope.lpu_id is not None:
        lpu = await uow.communities.get_lpu(scope.lpu_id)
        parts.append(_("LPU: {name}").format(name=lpu.name if lpu else scope.lpu_id))
    else:
        parts.append(_("Everywhere"))
    if scope.event_id is not None:
        event = await uow.events.get(scope.event_id)
        when = day(event.starts_at, tz) if event else ""
        title = event.title if event else scope.event_id
        parts.append(_("People going to: {title} ({day})").format(title=title, day=when))
    if scope.since is not None:
        parts.append(_("From {day}").format(day=day(scope.since, tz)))
    if scope.until is not None:
        parts.append(_("Before {day}").format(day=day(scope.until, tz)))
    return "; ".join(parts)


async def _polls(uow: UnitOfWork, scope: ReportScope) -> list[PollResult]:
    results = []
    for poll in await uow.reports.polls(scope):
        counts = await tally(uow, poll)
        section = f"poll: {poll.question}"
        options = figures(section, list(zip(options_of(poll), counts, strict=True)))
        results.append(PollResult(poll.question, poll.status, tuple(options)))
    return results


async def _updates(uow: UnitOfWork, scope: ReportScope, tz: ZoneInfo) -> list[LoopNote]:
    lpu_id = scope.lpu_id
    if scope.community_id is not None:
        community = await uow.communities.get(scope.community_id)
        lpu_id = community.lpu_id if community else None
    elif scope.event_id is not None:
        event = await uow.events.get(scope.event_id)
        if event is not None and event.lpu_id is not None:
            lpu_id = event.lpu_id
        elif event is not None and event.community_id is not None:
            community = await uow.communities.get(event.community_id)
            lpu_id = community.lpu_id if community else None
    notes = []
    for update, group in await uow.loop_updates.sent_in(lpu_id, scope.since, scope.until):
        sent = update.sent_at.astimezone(tz).strftime("%Y-%m-%d") if update.sent_at else ""
        label = f"{sent} {update.theme}"
        notes.append(
            LoopNote(
                sent,
                update.theme,
                group,
                update.text,
                Figure("you said, we did: people told", label, update.recipients),
            )
        )
    return notes


async def build_report(
    uow: UnitOfWork,
    scope: ReportScope,
    *,
    now: datetime,
    tz: ZoneInfo,
    title: str | None = None,
) -> Report:
    questionnaires = load_all()
    resident, organisation = questionnaires["resident"], questionnaires["organisation"]
    reports = uow.reports
    answers = await reports.answers(scope, "resident")
    plan_rows = await reports.answers(scope, "organisation")
    plans = _plans(organisation, plan_rows)
    people = free_text_by_person(answers)

    issues_step = resident.step("issues")
    issue_counts: list[tuple[str, int]] = []
    if issues_step is not None:
        counted = await reports.choice_counts(scope, "issues", [o.id for o in issues_step.options])
        labels = _option_labels(resident, issues_step)
        issue_counts = [(labels[o], n) for o, n in counted.items()]
        issue_counts.append(
            (_("In their own words"), sum(1 for r in answers if r.question == "issues" and r.text))
        )
        issue_counts.sort(key=lambda item: -item[1])

    found = themes(people, THEMES)
    funding_figures, funding = await funding_section(uow, scope, tz)
    named = mentions(
        ["\n".join(texts) for texts in people],
        extra_names=[p.organisation for p in plans if p.named],
        directory=[
            e.name for e in await uow.directory.active_for_area(scope.lpu_id, scope.community_id)
        ],
    )
    return Report(
        title=title or _("Community Conversation report"),
        scope=await _scope_text(uow, scope, tz),
        generated=format_datetime(now.astimezone(tz), "dd MMM y HH:mm", locale=current_locale()),
        participants=Figure(
            "summary", _("Residents taking part"), await reports.participants(scope)
        ),
        organisations=Figure(
            "summary", _("Organisation engagement plans"), len(plans), people=False
        ),
        by_community=tuple(
            figures(
                "by community",
                [(f"{c} ({lpu})", n) for lpu, c, n in await reports.by_community(scope)],
            )
        ),
        by_language=tuple(
            figures(
                "by language",
                [(language_name(lang), n) for lang, n in await reports.by_language(scope)],
            )
        ),
        by_day=tuple(figures("responses by day", await reports.by_day(scope, tz))),
        issues=tuple(figures("issues by category", issue_counts)),
        themes=tuple(found),
        theme_figures=tuple(figures("themes", [(t.phrase, t.people) for t in found])),
        mentioned=tuple(figures("organisations mentioned", [(m.name, m.answers) for m in named])),
        mention_sources={m.name: m.source for m in named},
        questions=tuple(_questions(resident, answers)),
        plans=tuple(plans),
        polls=tuple(await _polls(uow, scope)),
        updates=tuple(await _updates(uow, scope, tz)),
        funding=funding,
        funding_figures=funding_figures,
    )
