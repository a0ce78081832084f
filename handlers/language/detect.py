"""What language a free-text answer is in, with langdetect's profiles, as a hint only.

langdetect itself estimates the probabilities by random sampling: seven trials, each
multiplying the language probabilities of n-grams drawn at random from the text (with
a randomly jittered smoothing) until one language passes 0.99999, then averaging the
trials. Seeded, that gives the same answer every time, but the sampling loop cost 1 to
2 ms of CPU per answer of 20 to 40 letters, and its confidence is a seven-trial
estimate (it moves in sevenths: 0.57, 0.71, 0.86, 1.0) that another seed would often
change, on either side of the 0.90 that an offer to switch needs.

So this module keeps langdetect's profiles and its text normalisation (the detector's
``append`` and ``cleaning_text``, and ``NGram``'s per-character normalisation and
n-gram rules, replayed here with the character normalisation cached) and replaces the
sampling with one pass: for every language, the product over *all* the text's n-grams
(each once) of (profile probability + alpha / 10000), with langdetect's alpha 0.5
fixed, normalised over the loaded languages. That is the product each trial takes of
a random draw; the confidence is now that posterior of the whole text, so it is near
1 for a clear answer where a trial or two used to stray (0.86 became 0.999), and
lower where the text itself is ambiguous (Polish without its diacritics, 1.0 by luck
of the seed, is 0.87). The product is summed in log space, in fixed point (2**-30),
with the 28 languages packed into one integer per n-gram, so a text is scored by one
``sum()`` of integers: exact, the same in every process, and no underflow however
long the text.

As before: only texts with at least ``min_letters`` letters, no answer for text
without letters, a supported language only if it has more than 0.1 of the
probability (langdetect's reporting threshold), and only the supported languages are
returned (a German answer does not become "Polish, 40%": German keeps its share).
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Container
from dataclasses import dataclass
from importlib import resources

from langdetect import DetectorFactory
from langdetect.detector import Detector
from langdetect.utils.ngram import NGram

SEED = 0  # langdetect's seed; no longer used for scoring, kept for the factory
# The profiles loaded: ours, and the languages most often written near them in the
# UK, so that an answer in one of those is recognised as such instead of being
# forced into the nearest of ours. All 55 profiles would take about 66 MiB; the
# scripts of East Asia alone take much of that.
NEIGHBOURS = (
    "bg", "bn", "cs", "de", "es", "fa", "fr", "gu", "hi", "hu", "it", "lt", "lv", "nl",
    "pa", "pt", "ru", "sk", "so", "ta", "tr", "ur",
)  # fmt: skip
SUPPORTED = ("en", "cy", "pl", "uk", "ro", "ar")
SMOOTHING = Detector.ALPHA_DEFAULT / Detector.BASE_FREQ  # langdetect's alpha / 10000
REPORTED = Detector.PROB_THRESHOLD  # langdetect lists only languages above 0.1
_SCALE = 1 << 30  # fixed point of the log-probabilities
_lock = threading.Lock()
_factory: DetectorFactory | None = None
_scorer: _Scorer | None = None


@dataclass(frozen=True, slots=True)
class Detection:
    language: str
    confidence: float


@dataclass(frozen=True, slots=True)
class DetectionSettings:
    min_letters: int = 20
    min_confidence: float = 0.90


@dataclass(frozen=True, slots=True)
class _Scorer:
    """Per n-gram, log(probability + SMOOTHING) - log(SMOOTHING) for each language,
    in fixed point, each language in its own ``width``-bit field of one integer. The
    fields are wide enough for the longest text langdetect reads, so adding the
    integers of a text's n-grams adds every language's log-probability at once."""

    languages: tuple[str, ...]
    packed: dict[str, int]
    width: int

    @classmethod
    def of(cls, factory: DetectorFactory) -> _Scorer:
        floor = math.log(SMOOTHING)
        most = round((math.log(1 + SMOOTHING) - floor) * _SCALE)  # probability 1
        longest = 3 * factory.create().max_text_length  # at most 3 n-grams a character
        width = (most * longest).bit_length() + 1
        packed = {}
        for gram, probabilities in factory.word_lang_prob_map.items():
            value = 0
            for field, p in enumerate(probabilities):
                if p:  # most are 0, which is 0 in every field
                    value |= round((math.log(p + SMOOTHING) - floor) * _SCALE) << (width * field)
            packed[gram] = value
        return cls(tuple(factory.langlist), packed, width)

    def probabilities(self, grams: list[str]) -> list[tuple[float, str]]:
        """Each language's share of the product over ``grams``, highest first."""
        total = sum(map(self.packed.__getitem__, grams))
        mask = (1 << self.width) - 1
        logs = [(total >> (self.width * i)) & mask for i in range(len(self.languages))]
        best = max(logs)
        weights = [math.exp((log - best) / _SCALE) for log in logs]
        whole = sum(weights)
        return sorted(
            ((w / whole, lang) for w, lang in zip(weights, self.languages, strict=True)),
            key=lambda pair: -pair[0],
        )


def prepare() -> DetectorFactory:
    """Load the profiles now (a fraction of a second), not on a resident's first answer."""
    global _factory, _scorer
    with _lock:
        if _factory is None:
            folder = resources.files("langdetect") / "profiles"
            factory = DetectorFactory()
            factory.seed = SEED
            factory.load_json_profile(
                [(folder / code).read_text(encoding="utf-8") for code in SUPPORTED + NEIGHBOURS]
            )
            _scorer = _Scorer.of(factory)
            _factory = factory
        return _factory


def _scorer_now() -> _Scorer:
    prepare()
    assert _scorer is not None
    return _scorer


def letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


_normalise = functools.lru_cache(maxsize=8192)(NGram.normalize)


def _ngrams(text: str, known: Container[str]) -> list[str]:
    """The n-grams langdetect's ``Detector`` would draw from ``text`` (those in
    ``known``), in order: its ``append`` and ``cleaning_text``, then ``NGram``'s rules
    as in ``Detector._extract_ngrams``, with ``NGram.normalize`` cached per character."""
    detector = prepare().create()
    detector.append(text)
    detector.cleaning_text()
    found: list[str] = []
    grams, capital = " ", False
    for raw in detector.text:
        ch = _normalise(raw)
        last = grams[-1]
        if last == " ":
            grams, capital = " ", False
            if ch == " ":
                continue
        elif len(grams) >= NGram.N_GRAM:
            grams = grams[1:]
        grams += ch
        if ch.isupper():
            if last.isupper():
                capital = True
        else:
            capital = False
        if capital:
            continue
        if ch != " " and ch in known:
            found.append(ch)
        if len(grams) >= 2:
            if grams[-2:] in known:
                found.append(grams[-2:])
            if len(grams) == 3 and grams in known:
                found.append(grams)
    return found


def detect(text: str, supported: tuple[str, ...], min_letters: int = 20) -> Detection | None:
    """The most likely supported language of ``text`` and its probability, or ``None``
    when the text is too short or has no letters."""
    if letters(text) < min_letters:
        return None
    scorer = _scorer_now()
    grams = _ngrams(text, scorer.packed)
    if not grams:
        return None
    wanted = set(supported)
    for probability, language in scorer.probabilities(grams):
        if probability <= REPORTED:
            break
        if language in wanted:
            return Detection(language, round(probability, 4))
    return None
