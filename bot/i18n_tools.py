"""Catalogue upkeep: ``chinwag i18n extract``, ``check`` and ``compile``.

Messages come from four places: the Python code under ``handlers/`` (keywords ``_``,
``_n``, ``_p``, ``N_``), the web dashboard (``bot/web/``: its code, and its Jinja2
templates' ``_`` and ``ngettext``), the terminal transport (``bot/transports/terminal.py``:
what ``chinwag chat`` itself says to the resident) and the questionnaire files, whose texts are translated with
the context ``"<questionnaire>.<step>"`` (and ``".<option>"`` for options).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from handlers.conversation.questionnaire import QUESTIONNAIRE_DIR, load_all
from handlers.i18n import DEFAULT_LOCALES_DIR, DOMAIN, SOURCE_LANGUAGE

HANDLERS_DIR = Path(__file__).resolve().parent.parent / "handlers"
DASHBOARD_DIR = Path(__file__).resolve().parent / "web"
TERMINAL_FILE = Path(__file__).resolve().parent / "transports" / "terminal.py"
KEYWORDS = {"_": None, "_n": (1, 2), "_p": ((1, "c"), 2), "N_": None}
_PLACEHOLDER = re.compile(r"\{(\w*)\}")
_TAG = re.compile(r"</?([a-zA-Z]+)[^>]*>")

Message = tuple[str | tuple[str, ...], str | None]  # (msgid or (singular, plural), context)


def _from_code() -> Iterator[tuple[Message, str]]:
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(HANDLERS_DIR), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        yield (message, context), f"handlers/{filename}:{lineno}"


def _from_dashboard() -> Iterator[tuple[Message, str]]:
    """The web dashboard's code and its Jinja2 templates (``_`` and ``ngettext``)."""
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]
    options_map = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {**KEYWORDS, "ngettext": (1, 2)}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(DASHBOARD_DIR), method_map=method_map, options_map=options_map, keywords=keywords
    ):
        yield (message, context), f"bot/web/{filename}:{lineno}"


def _from_terminal() -> Iterator[tuple[Message, str]]:
    """What the terminal transport writes itself (its welcome, hints and "Goodbye.")."""
    for lineno, message, _comments, context in extract_from_file(
        "python", str(TERMINAL_FILE), keywords=KEYWORDS
    ):
        yield (message, context), f"bot/transports/terminal.py:{lineno}"


def _from_questionnaires() -> Iterator[tuple[Message, str]]:
    for questionnaire in load_all(QUESTIONNAIRE_DIR).values():
        where = f"handlers/questionnaires/{questionnaire.id}.toml"
        qid = questionnaire.id
        yield (questionnaire.title, f"{qid}.title"), where
        yield (questionnaire.description, f"{qid}.description"), where
        yield (questionnaire.done, f"{qid}.done"), where
        for step in questionnaire.steps:
            for text in (step.text, step.short, step.hint, step.button):
                if text:
                    yield (text, f"{qid}.{step.id}"), where
            for option in step.options:
                yield (option.label, f"{qid}.{step.id}.{option.id}"), where


def template() -> Catalog:
    """Every user-facing message, as found in the code and questionnaires now."""
    catalog = Catalog(domain=DOMAIN, project="Chinwag", msgid_bugs_address="", charset="utf-8")
    for (message, context), location in [
        *_from_code(),
        *_from_dashboard(),
        *_from_terminal(),
        *_from_questionnaires(),
    ]:
        path, _, line = location.partition(":")
        msgid = message if isinstance(message, str) else tuple(message)
        catalog.add(msgid, locations=[(path, int(line) if line else 0)], context=context)
    return catalog


def _po_path(lang: str, root: Path) -> Path:
    return root / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str, root: Path = DEFAULT_LOCALES_DIR) -> Catalog:
    with _po_path(lang, root).open("rb") as fh:
        return read_po(fh, locale=lang)


def write_catalog(catalog: Catalog, lang: str, root: Path = DEFAULT_LOCALES_DIR) -> None:
    path = _po_path(lang, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=True, include_previous=False)


def extract(root: Path = DEFAULT_LOCALES_DIR) -> dict[str, int]:
    """Update every catalogue from the template; English is filled in from the source.

    Returns, per language, how many messages still need a translation.
    """
    source = template()
    untranslated: dict[str, int] = {}
    languages = sorted(
        {p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")} | {SOURCE_LANGUAGE}
    )
    for lang in languages:
        path = _po_path(lang, root)
        catalog = read_catalog(lang, root) if path.exists() else Catalog(locale=lang, domain=DOMAIN)
        created = catalog.creation_date
        # A copy each: ``update`` puts the template's own message objects into the
        # catalogue, and English then fills their text in (pl, ro and uk, updated
        # after it, got English as their translation of every new message).
        catalog.update(copy.deepcopy(source), no_fuzzy_matching=True)
        catalog.obsolete.clear()
        _set_header(catalog, created)
        if lang == SOURCE_LANGUAGE:
            for message in catalog:
                if message.id:
                    message.string = message.id
                    message.flags.discard("fuzzy")
        write_catalog(catalog, lang, root)
        untranslated[lang] = sum(1 for m in catalog if m.id and not _translated(m.string))
    return untranslated


def _set_header(catalog: Catalog, created: object) -> None:
    catalog.project = "Chinwag"
    catalog.version = "1"
    catalog.copyright_holder = "Chinwag contributors"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = "Chinwag contributors"
    catalog.language_team = f"{catalog.locale} <>"
    catalog.fuzzy = False
    catalog.creation_date = created  # type: ignore[assignment]
    catalog.revision_date = created  # type: ignore[assignment]


def _translated(value: object) -> bool:
    if isinstance(value, tuple | list):
        return all(bool(v) for v in value)
    return bool(value)


def _placeholders(value: str | tuple[str, ...] | list[str]) -> set[str]:
    texts = [value] if isinstance(value, str) else list(value)
    return {name for text in texts for name in _PLACEHOLDER.findall(text)}


def _tags(value: str | tuple[str, ...] | list[str]) -> set[tuple[str, ...]]:
    """The HTML tags of each form (``<b``, ``</b``...), ignoring attributes and order."""
    texts = [value] if isinstance(value, str) else list(value)
    return {
        tuple(sorted(m.group(0).split()[0].rstrip(">") for m in _TAG.finditer(text)))
        for text in texts
    }


_WORD = re.compile(r"[^\W\d_]{2,}")

# Messages that are rightly the same as the English in a language: words it shares
# with English. Anything else left identical is flagged, so a new one is a decision.
SAME_AS_ENGLISH: dict[str, frozenset[str]] = {
    "cy": frozenset({"Staff"}),
    "pl": frozenset({"Status", "Status: {status}", "administrator"}),
    "ro": frozenset(
        {
            "Contact",
            "Decide",
            "Urgent",
            "administrator",
            "inspector",
            "☎️ Contact: {value}",
            "⚠️ <b>Urgent</b>",
        }
    ),
}


def _still_english(source: object, translation: object, language: str) -> bool:
    """A copy of the English with a word in it is not a translation, unless the
    language shares that word (``SAME_AS_ENGLISH``). Acronyms ("LPU", "PCSO"),
    placeholders and emoji are the same everywhere and do not count."""
    if not isinstance(source, str) or translation != source:
        return False
    text = _PLACEHOLDER.sub("", _TAG.sub("", source))
    words = [word for word in _WORD.findall(text) if not word.isupper()]
    return bool(words) and source not in SAME_AS_ENGLISH.get(language, frozenset())


@dataclass(frozen=True)
class Problem:
    language: str
    message: str
    what: str

    def __str__(self) -> str:
        return f"{self.language}: {self.what}: {self.message[:70]!r}"


def check(root: Path = DEFAULT_LOCALES_DIR) -> list[Problem]:
    """Every language must hold every message, translated, not fuzzy, same placeholders."""
    source = template()
    problems: list[Problem] = []
    languages = sorted(p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    if SOURCE_LANGUAGE not in languages:
        return [Problem(SOURCE_LANGUAGE, "", "catalogue missing")]
    for lang in languages:
        catalog = read_catalog(lang, root)
        for wanted in source:
            if not wanted.id:
                continue
            found = catalog.get(wanted.id, context=wanted.context)
            label = wanted.id if isinstance(wanted.id, str) else wanted.id[0]
            if found is None:
                problems.append(Problem(lang, label, "missing"))
                continue
            if found.fuzzy:
                problems.append(Problem(lang, label, "fuzzy"))
            if not _translated(found.string):
                problems.append(Problem(lang, label, "empty translation"))
                continue
            if isinstance(wanted.id, tuple | list):
                plurals = found.string if isinstance(found.string, tuple | list) else [found.string]
                if len(plurals) != catalog.num_plurals:
                    problems.append(
                        Problem(lang, label, f"needs {catalog.num_plurals} plural forms")
                    )
            if _placeholders(found.string) != _placeholders(wanted.id):  # type: ignore[arg-type]
                problems.append(Problem(lang, label, "placeholders differ"))
            if _tags(found.string) != _tags(wanted.id):  # type: ignore[arg-type]
                problems.append(Problem(lang, label, "HTML tags differ"))
            if lang != SOURCE_LANGUAGE and _still_english(wanted.id, found.string, lang):
                problems.append(Problem(lang, label, "still in English"))
    return problems


def compile_all(root: Path = DEFAULT_LOCALES_DIR) -> list[Path]:
    written = []
    for po in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        lang = po.parent.parent.name
        catalog = read_catalog(lang, root)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as fh:
            write_mo(fh, catalog)
        written.append(mo)
    return written
