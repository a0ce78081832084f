"""What language a free-text answer is in, with langdetect, as a hint only.

langdetect is random unless seeded, raises on text without letters, and is often
wrong on one or two words. So: a fixed seed (the same text always gives the same
answer), only texts with at least ``min_letters`` letters, and only the supported
languages' probabilities count (a German answer does not become "Polish, 40%").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import resources

from langdetect import DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

SEED = 0
# The profiles loaded: ours, and the languages most often written near them in the
# UK, so that an answer in one of those is recognised as such instead of being
# forced into the nearest of ours. All 55 profiles would take about 66 MiB; the
# scripts of East Asia alone take much of that.
NEIGHBOURS = (
    "bg", "bn", "cs", "de", "es", "fa", "fr", "gu", "hi", "hu", "it", "lt", "lv", "nl",
    "pa", "pt", "ru", "sk", "so", "ta", "tr", "ur",
)  # fmt: skip
SUPPORTED = ("en", "cy", "pl", "uk", "ro", "ar")
_lock = threading.Lock()
_factory: DetectorFactory | None = None


@dataclass(frozen=True, slots=True)
class Detection:
    language: str
    confidence: float


@dataclass(frozen=True, slots=True)
class DetectionSettings:
    min_letters: int = 20
    min_confidence: float = 0.90


def prepare() -> DetectorFactory:
    """Load the profiles now (a fraction of a second), not on a resident's first answer."""
    global _factory
    with _lock:
        if _factory is None:
            folder = resources.files("langdetect") / "profiles"
            factory = DetectorFactory()
            factory.seed = SEED
            factory.load_json_profile(
                [(folder / code).read_text(encoding="utf-8") for code in SUPPORTED + NEIGHBOURS]
            )
            _factory = factory
        return _factory


def letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def detect(text: str, supported: tuple[str, ...], min_letters: int = 20) -> Detection | None:
    """The most likely supported language of ``text`` and its probability, or ``None``
    when the text is too short or has no letters."""
    if letters(text) < min_letters:
        return None
    factory = prepare()
    try:
        detector = factory.create()
        detector.append(text)
        ranked = detector.get_probabilities()
    except LangDetectException:
        return None
    wanted = set(supported)
    for candidate in ranked:
        if candidate.lang in wanted:
            return Detection(candidate.lang, round(float(candidate.prob), 4))
    return None
