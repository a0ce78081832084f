"""The report as Markdown, for pasting into minutes or an e-mail.

The fixed words are in the current locale (``handlers.reports.words``).
"""

from __future__ import annotations

import re

from handlers.i18n import _
from handlers.reports import words
from handlers.reports.build import Report
from handlers.reports.figures import Figure
from handlers.reports.funding import status_name

# What people wrote is shown as written, never as Markdown: a resident's answer
# "![x](https://tracker.example/p.png)" must not load an image in whoever opens
# the report, nor "[x](javascript:...)" make a link, nor "<script>" run. The
# characters that start Markdown (and HTML) are backslash-escaped, and so is a
# line start that would make a heading, a quote or a list.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&!])")
_BLOCK_START = re.compile(r"^[#+\-=]")  # a heading, a list or a setext underline
_NUMBERED = re.compile(r"^(\d+)([.)])")  # an ordered list


def _cell(text: str) -> str:
    """Someone's text on one line, with nothing in it that Markdown would act on."""
    flat = _SPECIAL.sub(r"\\\1", " ".join(text.split()))
    flat = _BLOCK_START.sub(lambda m: "\\" + m.group(0), flat)
    return _NUMBERED.sub(r"\1\\\2", flat)


def _table(heading: str, rows: tuple[Figure, ...], column: str | None = None) -> list[str]:
    lines = [f"## {heading}", ""]
    if not rows:
        return [*lines, _("None yet."), ""]
    heading = column or _("People")
    lines += [f"| | {heading} |", "| --- | ---: |"]
    lines += [f"| {_cell(f.label)} | {f.text} |" for f in rows]
    return [*lines, ""]


def _quote(text: str) -> str:
    return "> " + _cell(text)


def _funding(report: Report) -> list[str]:
    lines = [f"## {words.funding()}", ""]
    if not report.funding:
        return [*lines, _("None in this period."), ""]
    lines += ["| " + " | ".join(_cell(h) for h in words.funding_columns()) + " |"]
    lines += ["| --- | --- | --- | --- | ---: | ---: | --- | --- | --- |"]
    for n in report.funding:
        status = status_name(n.status)
        cells = [n.pot, n.area, n.project, status, n.requested, n.decided, n.submitted]
        cells += [n.decided_on, n.reason]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return [*lines, ""]


def render_md(report: Report) -> str:
    lines = [f"# {report.title}", "", words.made(report.scope, report.generated), ""]
    lines += [
        f"- **{report.participants.label}:** {report.participants.text}",
        f"- **{report.organisations.label}:** {report.organisations.text}",
        "",
        words.small_numbers(),
        "",
    ]
    lines += _table(words.by_community(), report.by_community)
    lines += _table(words.by_language(), report.by_language)
    lines += _table(words.by_day(), report.by_day)
    lines += _table(words.issues(), report.issues)
    lines += [f"## {words.themes()}", ""]
    if not report.themes:
        lines += [_("None yet."), ""]
    for theme in report.themes:
        lines += [f"### {_cell(theme.phrase)} ({words.people(theme.people)})", ""]
        lines += [_quote(q) for q in theme.quotes] + [""]
    lines += _table(words.mentioned(), report.mentioned)
    for poll in report.polls:
        title = words.poll_title(_cell(poll.question), poll.status)
        lines += _table(title, poll.options, _("Votes"))
    lines += [f"## {words.updates()}", ""]
    if not report.updates:
        lines += [_("No updates yet."), ""]
    for note in report.updates:
        kind = words.update_kind(note.group)
        about = _cell(note.about)
        lines += [f"### {note.sent}: {about} ({kind}; {words.told(note.reached)})", ""]
        lines += [_quote(note.text), ""]
    lines += _funding(report)
    lines += [f"## {words.plans()}", ""]
    if not report.plans:
        lines += [_("None yet."), ""]
    for plan in report.plans:
        kind = f" ({_cell(plan.kind)})" if plan.kind else ""
        lines += [f"### {_cell(plan.organisation)}{kind}", ""]
        lines += [f"- **{_cell(q)}:** {_cell(a)}" for q, a in plan.answers] + [""]
    lines += [f"## {words.every_answer()}", ""]
    for question in report.questions:
        lines += [f"### {question.label} ({words.answers(len(question.answers))})", ""]
        lines += [
            f"- {_cell(a.text)}" + (f" _({a.language})_" if a.language else "")
            for a in question.answers
        ] + [""]
    return "\n".join(lines).rstrip() + "\n"
