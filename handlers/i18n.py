"""Translation for the core: every user-facing string goes through these functions.

The locale is set once per update (``use_locale``) in a ContextVar, so concurrent
updates in other languages do not interfere. Catalogues are the ``.po`` files under
``locales/<lang>/LC_MESSAGES/messages.po``, compiled in memory with Babel on first
use; nothing depends on a stale ``.mo`` file.

Extraction keywords (distinct, so Babel never confuses them): ``_`` (gettext),
``_n`` (plural), ``_p`` (with a context, used for questionnaire texts) and ``N_``
(mark now, translate later).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
DEFAULT_LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"

_locale: ContextVar[str] = ContextVar("chinwag_locale", default=SOURCE_LANGUAGE)
_locales_dir: list[Path] = [DEFAULT_LOCALES_DIR]


def set_locales_dir(path: Path) -> None:
    """Point the core at another catalogue folder (tests, deployments)."""
    _locales_dir[0] = path
    _load.cache_clear()


def available_languages() -> list[str]:
    root = _locales_dir[0]
    return sorted(p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


@lru_cache(maxsize=32)
def _load(lang: str) -> gettext.NullTranslations:
    po_path = _locales_dir[0] / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def current_locale() -> str:
    return _locale.get()


@contextmanager
def use_locale(lang: str) -> Iterator[None]:
    token = _locale.set(lang)
    try:
        yield
    finally:
        _locale.reset(token)


def _(message: str) -> str:
    return _load(_locale.get()).gettext(message)


def _n(singular: str, plural: str, n: int) -> str:
    return _load(_locale.get()).ngettext(singular, plural, n)


def _p(context: str, message: str) -> str:
    return _load(_locale.get()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction; translate it later with ``_``."""
    return message


def translate_in(lang: str, message: str) -> str:
    """``message`` in ``lang`` whatever the current locale (e.g. a prompt to switch)."""
    return _load(lang).gettext(message)
