"""The gettext catalogues: complete, not fuzzy, same placeholders, no stale entries."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message

from bot.i18n_tools import Problem, check, extract, read_catalog, template, write_catalog
from handlers.i18n import DEFAULT_LOCALES_DIR, SOURCE_LANGUAGE

Key = tuple[str | tuple[str, ...], str | None]


def _key(message: Message) -> Key:
    msgid = message.id if isinstance(message.id, str) else tuple(message.id)
    return msgid, message.context


def _keys(catalog: Catalog) -> set[Key]:
    return {_key(m) for m in catalog if m.id}


def _label(key: Key) -> str:
    msgid, context = key
    text = msgid if isinstance(msgid, str) else msgid[0]
    return f"{text[:60]!r}" + (f" (context {context})" if context else "")


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    root = tmp_path / "locales"
    shutil.copytree(DEFAULT_LOCALES_DIR, root, ignore=shutil.ignore_patterns("*.mo", "*.py"))
    return root


def _edit(root: Path, change: Callable[[Catalog], str]) -> str:
    """Apply ``change`` to the copied English catalogue; returns the message it touched."""
    catalog = read_catalog(SOURCE_LANGUAGE, root)
    touched = change(catalog)
    write_catalog(catalog, SOURCE_LANGUAGE, root)
    return touched


def _new_problems(root: Path, before: list[Problem]) -> list[tuple[str, str, str]]:
    return sorted(
        {(p.language, p.message, p.what) for p in check(root=root)}
        - {(p.language, p.message, p.what) for p in before}
    )


# --- the shipped catalogues ------------------------------------------------------------


def test_template_finds_code_and_questionnaire_messages() -> None:
    keys = _keys(template())
    assert len(keys) > 50
    assert ("Anti-social behaviour", "resident.issues.asb") in keys
    assert ("Have your say", "resident.title") in keys
    assert any(context is None for _, context in keys)  # from the Python code


def test_shipped_catalogues_are_complete() -> None:
    problems = check()
    assert problems == [], "run `chinwag i18n extract`:\n" + "\n".join(map(str, problems))


def test_english_catalogue_has_no_stale_entries() -> None:
    stale = _keys(read_catalog(SOURCE_LANGUAGE)) - _keys(template())
    assert not stale, "not used any more:\n" + "\n".join(map(_label, sorted(stale, key=str)))


def test_english_catalogue_matches_the_template() -> None:
    catalogue, wanted = _keys(read_catalog(SOURCE_LANGUAGE)), _keys(template())
    missing = sorted(wanted - catalogue, key=str)
    stale = sorted(catalogue - wanted, key=str)
    assert not missing and not stale, (
        "missing:\n"
        + "\n".join(map(_label, missing))
        + "\nstale:\n"
        + "\n".join(map(_label, stale))
    )


def test_english_translations_are_the_source() -> None:
    for message in read_catalog(SOURCE_LANGUAGE):
        if message.id and isinstance(message.id, str):
            assert message.string == message.id, _label(_key(message))


# --- check() catches each kind of problem ----------------------------------------------


def test_copy_checks_like_the_original(locales: Path) -> None:
    assert [str(p) for p in check(root=locales)] == [str(p) for p in check()]


def test_missing_message_is_reported(locales: Path) -> None:
    before = check(root=locales)

    def drop(catalog: Catalog) -> str:
        victim = next(m for m in catalog if m.id and m.context == "resident.issues")
        catalog.delete(victim.id, context=victim.context)
        return str(victim.id)

    touched = _edit(locales, drop)
    assert _new_problems(locales, before) == [("en", touched, "missing")]


def test_missing_message_without_context_is_reported(locales: Path) -> None:
    before = check(root=locales)

    def drop(catalog: Catalog) -> str:
        victim = next(m for m in catalog if m.id and m.context is None and "{" in str(m.id))
        del catalog[victim.id]
        return str(victim.id)

    touched = _edit(locales, drop)
    assert _new_problems(locales, before) == [("en", touched, "missing")]


def test_fuzzy_message_is_reported(locales: Path) -> None:
    before = check(root=locales)

    def fuzz(catalog: Catalog) -> str:
        victim = next(m for m in catalog if m.id and m.context == "resident.future")
        victim.flags.add("fuzzy")
        return str(victim.id)

    touched = _edit(locales, fuzz)
    assert _new_problems(locales, before) == [("en", touched, "fuzzy")]


def test_empty_translation_is_reported(locales: Path) -> None:
    before = check(root=locales)

    def empty(catalog: Catalog) -> str:
        victim = next(m for m in catalog if m.id and m.context == "resident.title")
        victim.string = ""
        return str(victim.id)

    touched = _edit(locales, empty)
    assert _new_problems(locales, before) == [("en", touched, "empty translation")]


def test_placeholder_mismatch_is_reported(locales: Path) -> None:
    before = check(root=locales)

    def rename(catalog: Catalog) -> str:
        victim = next(m for m in catalog if isinstance(m.id, str) and "{name}" in m.id)
        assert isinstance(victim.string, str) and "{name}" in victim.string
        victim.string = victim.string.replace("{name}", "{nom}")
        return str(victim.id)

    touched = _edit(locales, rename)
    assert _new_problems(locales, before) == [("en", touched, "placeholders differ")]


def test_a_second_language_is_checked_too(locales: Path) -> None:
    before = check(root=locales)
    catalog = read_catalog(SOURCE_LANGUAGE, locales)
    catalog.locale = "pl"  # type: ignore[assignment]
    victim = next(m for m in catalog if m.id and m.context == "resident.issues.drugs")
    victim.string = ""
    write_catalog(catalog, "pl", locales)
    new = _new_problems(locales, before)
    assert ("pl", str(victim.id), "empty translation") in new
    assert all(lang == "pl" for lang, _, _ in new)


def test_extract_then_check_is_clean(locales: Path) -> None:
    # What `chinwag i18n extract` writes is exactly what `check` wants, and no more.
    untranslated = extract(root=locales)
    assert set(untranslated) == set(SHIPPED) and set(untranslated.values()) == {0}
    assert check(root=locales) == []
    assert _keys(read_catalog(SOURCE_LANGUAGE, locales)) == _keys(template())


SHIPPED = ("en", "cy", "pl", "uk", "ro", "ar")


def test_all_six_languages_are_shipped() -> None:
    found = sorted(p.parent.parent.name for p in DEFAULT_LOCALES_DIR.glob("*/LC_MESSAGES/*.po"))
    assert found == sorted(SHIPPED)


@pytest.mark.parametrize("language", SHIPPED)
def test_a_message_removed_from_any_catalogue_fails_the_check(locales: Path, language: str) -> None:
    catalog = read_catalog(language, locales)
    victim = next(m for m in catalog if m.id and m.context is None and "{" in str(m.id))
    del catalog[victim.id]
    write_catalog(catalog, language, locales)
    label = victim.id if isinstance(victim.id, str) else victim.id[0]
    assert (language, label, "missing") in {(p.language, p.message, p.what) for p in check(locales)}


@pytest.mark.parametrize("language", SHIPPED)
def test_html_tags_lost_in_translation_fail_the_check(locales: Path, language: str) -> None:
    catalog = read_catalog(language, locales)
    victim = next(m for m in catalog if isinstance(m.id, str) and "<b>" in m.id)
    assert isinstance(victim.string, str)
    victim.string = victim.string.replace("<b>", "").replace("</b>", "")
    write_catalog(catalog, language, locales)
    problems = {(p.language, p.message, p.what) for p in check(locales)}
    assert (language, victim.id, "HTML tags differ") in problems


@pytest.mark.parametrize("language", [lang for lang in SHIPPED if lang != "en"])
def test_plural_messages_have_every_form_of_the_language(language: str) -> None:
    catalog = read_catalog(language)
    for message in catalog:
        if message.id and isinstance(message.id, tuple | list):
            assert isinstance(message.string, tuple | list)
            assert len(message.string) == catalog.num_plurals, message.id[0]


def test_no_english_catalogue_is_reported(tmp_path: Path) -> None:
    assert [p.what for p in check(root=tmp_path)] == ["catalogue missing"]


def test_an_english_copy_in_another_language_fails_the_check(locales: Path) -> None:
    catalog = read_catalog("pl", locales)
    victim = next(
        m
        for m in catalog
        if isinstance(m.id, str) and m.context is None and "{" not in m.id and m.id.count(" ") > 2
    )
    victim.string = victim.id
    write_catalog(catalog, "pl", locales)
    assert ("pl", victim.id, "still in English") in {
        (p.language, p.message, p.what) for p in check(locales)
    }


def test_extract_leaves_a_new_message_untranslated_in_every_other_language(locales: Path) -> None:
    # A message new to the code, in no catalogue yet: English gets it as its source,
    # every other language gets it empty, to be translated (not English's copy).
    english = read_catalog(SOURCE_LANGUAGE, locales)
    victim = next(m for m in english if m.id and isinstance(m.id, str) and m.context is None)
    for language in SHIPPED:
        catalog = read_catalog(language, locales)
        del catalog[victim.id]
        write_catalog(catalog, language, locales)
    untranslated = extract(root=locales)
    assert untranslated == {lang: 0 if lang == SOURCE_LANGUAGE else 1 for lang in SHIPPED}
    assert read_catalog(SOURCE_LANGUAGE, locales)[victim.id].string == victim.id
    for language in SHIPPED:
        if language != SOURCE_LANGUAGE:
            assert read_catalog(language, locales)[victim.id].string == "", language


def test_a_one_word_english_copy_fails_the_check_unless_the_language_shares_it(
    locales: Path,
) -> None:
    catalog = read_catalog("cy", locales)
    catalog["❓ Help"].string = "❓ Help"  # as Welsh had it, one word
    catalog["Staff"].string = "Staff"  # Welsh says "staff" too (SAME_AS_ENGLISH)
    write_catalog(catalog, "cy", locales)
    found = {(p.language, p.message, p.what) for p in check(locales)}
    assert ("cy", "❓ Help", "still in English") in found
    assert not any(message == "Staff" for _lang, message, _what in found)


def test_acronyms_placeholders_and_emoji_may_stay_as_in_english(locales: Path) -> None:
    catalog = read_catalog("uk", locales)
    for msgid in ("LPU", "📍 {name}", "{name} · {count}"):
        catalog[msgid].string = msgid
    write_catalog(catalog, "uk", locales)
    assert check(locales) == []
