"""The report as one self-contained HTML file: styles inline, charts as data URIs.

It opens offline in any browser: no scripts, fonts, styles or images from
anywhere else. Answers keep their own direction (Arabic reads right to left).
"""

from __future__ import annotations

from html import escape

from handlers.reports.build import Report
from handlers.reports.charts import BLUE, bar_chart, time_chart
from handlers.reports.figures import FEWER, Figure, shown

STYLE = f"""
body {{ font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 2rem auto;
  max-width: 60rem; padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }}
h1 {{ color: {BLUE}; margin-bottom: .2rem; }}
h2 {{ border-bottom: 2px solid {BLUE}; padding-bottom: .2rem; margin-top: 2.2rem; }}
.meta {{ color: #555; }}
.cards {{ display: flex; gap: 1rem; flex-wrap: wrap; }}
.card {{ background: #eef3fa; border-radius: .5rem; padding: .8rem 1.2rem; min-width: 12rem; }}
.card b {{ display: block; font-size: 1.8rem; color: {BLUE}; }}
table {{ border-collapse: collapse; margin: .5rem 0 1rem; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .25rem .8rem; text-align: left; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
img {{ max-width: 100%; }}
blockquote {{ margin: .3rem 0 .3rem 1rem; padding-left: .8rem; border-left: 3px solid #ccc; }}
.lang {{ color: #777; font-size: .8rem; }}
details {{ margin: .4rem 0; }}
"""


def _table(rows: tuple[Figure, ...], column: str = "People") -> str:
    if not rows:
        return "<p>None yet.</p>"
    body = "".join(
        f"<tr><td dir='auto'>{escape(f.label)}</td><td class='n'>{escape(f.text)}</td></tr>"
        for f in rows
    )
    return f"<table><tr><th></th><th>{column}</th></tr>{body}</table>"


def _chart(uri: str | None, alt: str) -> str:
    return f"<p><img src='{uri}' alt='{escape(alt)}'></p>" if uri else ""


def _section(title: str, rows: tuple[Figure, ...], *, time: bool = False) -> str:
    chart = time_chart(title, rows) if time else bar_chart(title, rows)
    return f"<h2>{escape(title)}</h2>{_chart(chart, title)}{_table(rows)}"


def _themes(report: Report) -> str:
    parts = ["<h2>Most frequent themes</h2>"]
    parts.append(_chart(bar_chart("Themes", report.theme_figures), "Themes"))
    if not report.themes:
        parts.append("<p>None yet.</p>")
    for theme in report.themes:
        parts.append(
            f"<h3 dir='auto'>{escape(theme.phrase)} "
            f"<span class='lang'>({escape(str(shown(theme.people)))} people)</span></h3>"
        )
        parts += [f"<blockquote dir='auto'>{escape(q)}</blockquote>" for q in theme.quotes]
    return "".join(parts)


def _mentioned(report: Report) -> str:
    title = "Organisations and groups mentioned"
    rows = "".join(
        f"<tr><td dir='auto'>{escape(f.label)}</td><td class='n'>{escape(f.text)}</td>"
        f"<td>{escape(report.mention_sources.get(f.label, ''))}</td></tr>"
        for f in report.mentioned
    )
    table = (
        f"<table><tr><th></th><th>People</th><th>How found</th></tr>{rows}</table>"
        if rows
        else "<p>None yet.</p>"
    )
    return f"<h2>{title}</h2>{_chart(bar_chart(title, report.mentioned), title)}{table}"


def _polls(report: Report) -> str:
    parts = []
    for poll in report.polls:
        title = f"Poll: {poll.question} ({poll.status})"
        parts.append(f"<h2 dir='auto'>{escape(title)}</h2>")
        parts.append(_chart(bar_chart(poll.question, poll.options), poll.question))
        parts.append(_table(poll.options, "Votes"))
    return "".join(parts)


def _updates(report: Report) -> str:
    parts = ["<h2>You said, we did</h2>"]
    if not report.updates:
        parts.append("<p>No updates yet.</p>")
    for note in report.updates:
        kind = "action group" if note.group else "theme"
        parts.append(
            f"<h3 dir='auto'>{escape(note.sent)}: {escape(note.about)} "
            f"<span class='lang'>({kind}; {escape(note.reached.text)} people told)</span></h3>"
            f"<blockquote dir='auto'>{escape(note.text)}</blockquote>"
        )
    return "".join(parts)


def _funding(report: Report) -> str:
    parts = ["<h2>Funding applications and decisions</h2>"]
    if not report.funding:
        return parts[0] + "<p>None in this period.</p>"
    head = ("Pot", "Area", "Project", "Status", "Asked", "Given", "Sent", "Decided", "Reason")
    parts.append("<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>")
    for n in report.funding:
        cells = [n.pot, n.area, n.project, n.status, n.requested, n.decided, n.submitted]
        cells += [n.decided_on, n.reason]
        parts.append("<tr>" + "".join(f"<td dir='auto'>{escape(c)}</td>" for c in cells) + "</tr>")
    parts.append("</table>")
    return "".join(parts)


def _plans(report: Report) -> str:
    parts = ["<h2>What organisations said in their engagement plans</h2>"]
    if not report.plans:
        parts.append("<p>None yet.</p>")
    for plan in report.plans:
        kind = f" <span class='lang'>({escape(plan.kind)})</span>" if plan.kind else ""
        parts.append(f"<h3 dir='auto'>{escape(plan.organisation)}{kind}</h3><ul>")
        parts += [
            f"<li><b>{escape(q)}:</b> <span dir='auto'>{escape(a)}</span></li>"
            for q, a in plan.answers
        ]
        parts.append("</ul>")
    return "".join(parts)


def _answers(report: Report) -> str:
    parts = ["<h2>Every answer, by question</h2>"]
    for question in report.questions:
        items = "".join(
            f"<li dir='auto'>{escape(a.text)}"
            + (f" <span class='lang'>({escape(a.language)})</span>" if a.language else "")
            + "</li>"
            for a in question.answers
        )
        parts.append(
            f"<details><summary><b>{escape(question.label)}</b> "
            f"({len(question.answers)} answers)</summary><ul>{items}</ul></details>"
        )
    return "".join(parts)


def render_html(report: Report) -> str:
    cards = "".join(
        f"<div class='card'><b>{escape(f.text)}</b>{escape(f.label)}</div>"
        for f in (report.participants, report.organisations)
    )
    body = [
        f"<h1>{escape(report.title)}</h1>",
        f"<p class='meta'>{escape(report.scope)}. Made {escape(report.generated)}.</p>",
        f"<div class='cards'>{cards}</div>",
        f"<p class='meta'>Any figure below 5 people is shown as “{FEWER}”. "
        "Reports never show names.</p>",
        _section("Taking part, by community", report.by_community),
        _section("Taking part, by language", report.by_language),
        _section("Responses over time (day sent, local time)", report.by_day, time=True),
        _section("Issues by category", report.issues),
        _themes(report),
        _mentioned(report),
        _polls(report),
        _updates(report),
        _funding(report),
        _plans(report),
        _answers(report),
    ]
    return (
        "<!DOCTYPE html>\n<html lang='en-GB'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(report.title)}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
