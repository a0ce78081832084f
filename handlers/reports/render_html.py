"""The report as one self-contained HTML file: styles inline, charts as data URIs.

It opens offline in any browser: no scripts, fonts, styles or images from
anywhere else. Answers keep their own direction (Arabic reads right to left). The
fixed words are in the current locale (``handlers.reports.words``), and an Arabic
report reads right to left as a whole.
"""

from __future__ import annotations

from html import escape

from handlers.i18n import _
from handlers.reports import words
from handlers.reports.build import Report
from handlers.reports.charts import BLUE, bar_chart, time_chart
from handlers.reports.figures import Figure
from handlers.reports.funding import status_name
from handlers.reports.organisations import source_name

STYLE = f"""
body {{ font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 2rem auto;
  max-width: 60rem; padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }}
h1 {{ color: {BLUE}; margin-bottom: .2rem; }}
h2 {{ border-bottom: 2px solid {BLUE}; padding-bottom: .2rem; margin-top: 2.2rem; }}
.meta {{ color: #555; }}
.cards {{ display: flex; gap: 1rem; flex-wrap: wrap; }}
.card {{ background: #eef3fa; border-radius: .5rem; padding: .8rem 1.2rem; min-width: 12rem; }}
.card b {{ display: block; font-size: 1.8rem; color: {BLUE}; }}
table {{ border-collapse: collapse; margin: .5rem 0 1rem; display: block; max-width: 100%;
  overflow-x: auto; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .25rem .8rem; text-align: start; }}
td.n {{ text-align: end; font-variant-numeric: tabular-nums; }}
img {{ max-width: 100%; }}
blockquote {{ margin-block: .3rem; margin-inline: 1rem 0; padding-inline-start: .8rem;
  border-inline-start: 3px solid #ccc; }}
.lang {{ color: #777; font-size: .8rem; }}
details {{ margin: .4rem 0; }}
"""


def _para(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _none_yet() -> str:
    return _para(_("None yet."))


def _table(rows: tuple[Figure, ...], column: str | None = None) -> str:
    if not rows:
        return _none_yet()
    body = "".join(
        f"<tr><td dir='auto'>{escape(f.label)}</td><td class='n'>{escape(f.text)}</td></tr>"
        for f in rows
    )
    heading = escape(column or _("People"))
    return f"<table><tr><th></th><th>{heading}</th></tr>{body}</table>"


def _chart(uri: str | None, alt: str) -> str:
    return f"<p><img src='{uri}' alt='{escape(alt)}'></p>" if uri else ""


def _section(title: str, rows: tuple[Figure, ...], *, time: bool = False) -> str:
    chart = time_chart(title, rows) if time else bar_chart(title, rows)
    return f"<h2>{escape(title)}</h2>{_chart(chart, title)}{_table(rows)}"


def _themes(report: Report) -> str:
    title = words.themes()
    parts = [f"<h2>{escape(title)}</h2>"]
    parts.append(_chart(bar_chart(title, report.theme_figures), title))
    if not report.themes:
        parts.append(_none_yet())
    for theme in report.themes:
        parts.append(
            f"<h3 dir='auto'>{escape(theme.phrase)} "
            f"<span class='lang'>({escape(words.people(theme.people))})</span></h3>"
        )
        parts += [f"<blockquote dir='auto'>{escape(q)}</blockquote>" for q in theme.quotes]
    return "".join(parts)


def _mentioned(report: Report) -> str:
    title = words.mentioned()
    rows = "".join(
        f"<tr><td dir='auto'>{escape(f.label)}</td><td class='n'>{escape(f.text)}</td>"
        f"<td>{escape(source_name(report.mention_sources.get(f.label, '')))}</td></tr>"
        for f in report.mentioned
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in ("", _("People"), _("How found")))
    head = f"<tr>{head}</tr>"
    table = f"<table>{head}{rows}</table>" if rows else _none_yet()
    return f"<h2>{escape(title)}</h2>{_chart(bar_chart(title, report.mentioned), title)}{table}"


def _polls(report: Report) -> str:
    parts = []
    for poll in report.polls:
        title = words.poll_title(poll.question, poll.status)
        parts.append(f"<h2 dir='auto'>{escape(title)}</h2>")
        parts.append(_chart(bar_chart(poll.question, poll.options), poll.question))
        parts.append(_table(poll.options, _("Votes")))
    return "".join(parts)


def _updates(report: Report) -> str:
    parts = [f"<h2>{escape(words.updates())}</h2>"]
    if not report.updates:
        parts.append(_para(_("No updates yet.")))
    for note in report.updates:
        about = f"{words.update_kind(note.group)}; {words.told(note.reached)}"
        parts.append(
            f"<h3 dir='auto'>{escape(note.sent)}: {escape(note.about)} "
            f"<span class='lang'>({escape(about)})</span></h3>"
            f"<blockquote dir='auto'>{escape(note.text)}</blockquote>"
        )
    return "".join(parts)


def _funding(report: Report) -> str:
    parts = [f"<h2>{escape(words.funding())}</h2>"]
    if not report.funding:
        return parts[0] + _para(_("None in this period."))
    head = words.funding_columns()
    parts.append("<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>")
    for n in report.funding:
        status = status_name(n.status)
        cells = [n.pot, n.area, n.project, status, n.requested, n.decided, n.submitted]
        cells += [n.decided_on, n.reason]
        parts.append("<tr>" + "".join(f"<td dir='auto'>{escape(c)}</td>" for c in cells) + "</tr>")
    parts.append("</table>")
    return "".join(parts)


def _plans(report: Report) -> str:
    parts = [f"<h2>{escape(words.plans())}</h2>"]
    if not report.plans:
        parts.append(_none_yet())
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
    parts = [f"<h2>{escape(words.every_answer())}</h2>"]
    for question in report.questions:
        items = "".join(
            f"<li dir='auto'>{escape(a.text)}"
            + (f" <span class='lang'>({escape(a.language)})</span>" if a.language else "")
            + "</li>"
            for a in question.answers
        )
        parts.append(
            f"<details><summary><b>{escape(question.label)}</b> "
            f"({escape(words.answers(len(question.answers)))})</summary><ul>{items}</ul></details>"
        )
    return "".join(parts)


def render_html(report: Report) -> str:
    cards = "".join(
        f"<div class='card'><b>{escape(f.text)}</b>{escape(f.label)}</div>"
        for f in (report.participants, report.organisations)
    )
    body = [
        f"<h1>{escape(report.title)}</h1>",
        f"<p class='meta'>{escape(words.made(report.scope, report.generated))}</p>",
        f"<div class='cards'>{cards}</div>",
        f"<p class='meta'>{escape(words.small_numbers())}</p>",
        _section(words.by_community(), report.by_community),
        _section(words.by_language(), report.by_language),
        _section(words.by_day(), report.by_day, time=True),
        _section(words.issues(), report.issues),
        _themes(report),
        _mentioned(report),
        _polls(report),
        _updates(report),
        _funding(report),
        _plans(report),
        _answers(report),
    ]
    return (
        f"<!DOCTYPE html>\n<html {words.html_lang()}><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(report.title)}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
