"""The report as Markdown, for pasting into minutes or an e-mail."""

from __future__ import annotations

import re

from handlers.reports.build import Report
from handlers.reports.figures import FEWER, Figure, shown

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


def _table(heading: str, rows: tuple[Figure, ...], column: str = "People") -> list[str]:
    lines = [f"## {heading}", ""]
    if not rows:
        return [*lines, "None yet.", ""]
    lines += [f"| | {column} |", "| --- | ---: |"]
    lines += [f"| {_cell(f.label)} | {f.text} |" for f in rows]
    return [*lines, ""]


def _quote(text: str) -> str:
    return "> " + _cell(text)


def _funding(report: Report) -> list[str]:
    lines = ["## Funding applications and decisions", ""]
    if not report.funding:
        return [*lines, "None in this period.", ""]
    lines += ["| Pot | Area | Project | Status | Asked | Given | Sent | Decided | Reason |"]
    lines += ["| --- | --- | --- | --- | ---: | ---: | --- | --- | --- |"]
    for n in report.funding:
        cells = [n.pot, n.area, n.project, n.status, n.requested, n.decided, n.submitted]
        cells += [n.decided_on, n.reason]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return [*lines, ""]


def render_md(report: Report) -> str:
    lines = [f"# {report.title}", "", f"{report.scope}. Made {report.generated}.", ""]
    lines += [
        f"- **{report.participants.label}:** {report.participants.text}",
        f"- **{report.organisations.label}:** {report.organisations.text}",
        "",
        f'Any figure below 5 people is shown as "{FEWER}". Reports never show names.',
        "",
    ]
    lines += _table("Taking part, by community", report.by_community)
    lines += _table("Taking part, by language", report.by_language)
    lines += _table("Responses over time (day sent, local time)", report.by_day)
    lines += _table("Issues by category", report.issues)
    lines += ["## Most frequent themes", ""]
    if not report.themes:
        lines += ["None yet.", ""]
    for theme in report.themes:
        lines += [f"### {_cell(theme.phrase)} ({shown(theme.people)} people)", ""]
        lines += [_quote(q) for q in theme.quotes] + [""]
    lines += _table("Organisations and groups mentioned", report.mentioned)
    for poll in report.polls:
        lines += _table(f"Poll: {_cell(poll.question)} ({poll.status})", poll.options, "Votes")
    lines += ["## You said, we did", ""]
    if not report.updates:
        lines += ["No updates yet.", ""]
    for note in report.updates:
        kind = "action group" if note.group else "theme"
        about = _cell(note.about)
        lines += [f"### {note.sent}: {about} ({kind}; {note.reached.text} people told)", ""]
        lines += [_quote(note.text), ""]
    lines += _funding(report)
    lines += ["## What organisations said in their engagement plans", ""]
    if not report.plans:
        lines += ["None yet.", ""]
    for plan in report.plans:
        kind = f" ({_cell(plan.kind)})" if plan.kind else ""
        lines += [f"### {_cell(plan.organisation)}{kind}", ""]
        lines += [f"- **{_cell(q)}:** {_cell(a)}" for q, a in plan.answers] + [""]
    lines += ["## Every answer, by question", ""]
    for question in report.questions:
        lines += [f"### {question.label} ({len(question.answers)} answers)", ""]
        lines += [
            f"- {_cell(a.text)}" + (f" _({a.language})_" if a.language else "")
            for a in question.answers
        ] + [""]
    return "\n".join(lines).rstrip() + "\n"
