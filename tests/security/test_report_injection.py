"""What residents wrote, in the reports staff open: shown as written, never as markup.

The HTML report opens in a browser and the Markdown report in whatever renders
Markdown, so an answer holding ``<script>``, an image that loads from elsewhere
(a tracking pixel: whoever opens the report would be seen) or a link must come out
as text. The Markdown report escaped nothing until now.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from bot.bootstrap import App
from handlers.reports.build import build_report
from handlers.reports.render import render
from storage.repositories.reports import ReportScope
from tests.integration.test_resident_conversation import walk_to_exists
from tests.support.resident import Resident

ATTACK = (
    "Tarvin Youth Club <script>alert(1)</script> <img src=https://tracker.example/p.png> "
    "![seen](https://tracker.example/p.png) [click](javascript:alert(1)) *loud* | cell "
    "&amp; `code`"
)
HTML_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "img", "table",
    "thead", "tbody", "tr", "th", "td", "ul", "li", "blockquote", "span", "section", "div",
    "strong", "em", "small", "footer", "header", "main", "caption", "b", "i", "br",
    "details", "summary",
}  # fmt: skip


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


async def _answered(app: App, telegram_id: int) -> None:
    r = Resident(app.deps, telegram_id)
    await walk_to_exists(r)
    await r.send(ATTACK)  # what is there
    await r.send(ATTACK)  # what is missing
    await r.press("Speeding")
    await r.send(ATTACK)  # issues, in their own words
    await r.send(ATTACK)  # the future
    await r.press("Skip")
    await r.press("Send my answers")
    assert "Thank you" in r.text


async def _report(app: App, fmt: str) -> str:
    await _answered(app, 7_960_000_001)
    await _answered(app, 7_960_000_002)
    async with app.deps.uow() as uow:
        report = await build_report(
            uow,
            ReportScope(),
            now=datetime.now(UTC) + timedelta(minutes=1),
            tz=app.deps.timezone,
        )
    return render(report, fmt).decode()


async def test_the_html_report_shows_answers_as_text(app: App) -> None:
    html = await _report(app, "html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    parser = Tags()
    parser.feed(html)
    tags = {tag for tag, _ in parser.found}
    assert tags <= HTML_TAGS and "script" not in tags and "a" not in tags, tags
    images = [attrs.get("src") or "" for tag, attrs in parser.found if tag == "img"]
    assert all(src.startswith("data:") for src in images), images  # charts, inline


async def test_the_markdown_report_shows_answers_as_text(app: App) -> None:
    md = await _report(app, "md")
    assert "Tarvin Youth Club" in md
    for raw in ("<script>", "<img", "![seen]", "[click](", "*loud*", "`code`", "&amp;"):
        unescaped = r"(?<!\\)" + r"(?<!\\)".join(re.escape(ch) for ch in raw if ch)
        assert not re.search(unescaped, md), raw  # every special character escaped
    assert r"\<script\>alert(1)\</script\>" in md and r"\!\[seen\]" in md
    # A table row keeps its columns: a "|" in an answer does not start a new cell.
    rows = [line for line in md.splitlines() if line.startswith("|") and "cell" in line]
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 3 for row in rows), rows
