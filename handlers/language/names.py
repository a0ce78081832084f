"""Each supported language by its own name (residents look for "Polski", not "Polish")."""

from __future__ import annotations

ENDONYMS = {
    "en": "English",
    "cy": "Cymraeg",
    "pl": "Polski",
    "uk": "Українська",
    "ro": "Română",
    "ar": "العربية",
}
RIGHT_TO_LEFT = frozenset({"ar"})


def endonym(language: str) -> str:
    return ENDONYMS.get(language, language)


def is_rtl(language: str) -> bool:
    return language.split("_")[0] in RIGHT_TO_LEFT
