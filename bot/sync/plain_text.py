"""HTML to plain text, for the descriptions and biographies data.police.uk sends as HTML.

Telegram shows plain text (we escape it ourselves), so nothing of the markup is
kept: tags go, entities are decoded, block elements become line breaks, and the
content of ``script``/``style`` (and similar) is dropped entirely, and so are
control characters such as NUL (``storage.text.clean``). Nothing is
ever executed or fetched: ``html.parser`` only tokenises.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from storage.text import clean

_BLOCKS = frozenset(
    {
        "address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "footer",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre",
        "section", "table", "tr", "ul",
    }
)  # fmt: skip
_HIDDEN = frozenset({"script", "style", "template", "noscript", "head", "title", "iframe"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag in _BLOCKS:
            self.parts.append("\n" if tag == "br" else "\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:  # <br/>, <hr/>: no content, no end tag
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS and tag not in ("br", "li"):
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(markup: str | None) -> str:
    """The readable text of ``markup``: no tags, entities decoded, tidy line breaks."""
    if not markup:
        return ""
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    text = "".join(collector.parts).replace("\r\n", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return clean(_BLANK_LINES.sub("\n\n", "\n".join(lines)))


def one_line(markup: str | None) -> str:
    """``html_to_text`` on one line (for addresses): line breaks become commas."""
    lines = [line for line in html_to_text(markup).split("\n") if line]
    return ", ".join(line.rstrip(",") for line in lines)
