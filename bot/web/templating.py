"""Jinja2 for the dashboard, with the bot's own gettext catalogues.

Templates call ``_("...")`` (and ``ngettext``), bound to ``handlers.i18n``, so the
locale is whichever ``use_locale`` the request runs in, and ``chinwag i18n
extract`` finds the strings (``bot/web/templates/*.html``). Autoescaping is on:
text from the database is escaped unless a page marks it safe on purpose.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse

from handlers.i18n import _, _n, current_locale
from handlers.language.names import is_rtl

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext=_, ngettext=_n, newstyle=False)  # type: ignore[attr-defined]
    return env


class Renderer:
    """Renders a page in the current locale, with what every page needs."""

    def __init__(self, base_path: str) -> None:
        self.env = environment()
        self.base = base_path  # the dashboard's path prefix, "" at the root of its host

    def page(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        lang = current_locale()
        values.setdefault("viewer", None)
        html = self.env.get_template(name).render(
            lang=lang, dir="rtl" if is_rtl(lang) else "ltr", base=self.base, **values
        )
        return HTMLResponse(html, status_code=status)
