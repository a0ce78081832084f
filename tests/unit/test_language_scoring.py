"""The deterministic scoring in handlers.language.detect: the n-grams are the ones
langdetect's own detector would use, the packed fixed-point sum is the product of
(profile probability + alpha / 10000) over them, and the answers are the ones callers
rely on (a supported language with high confidence, nothing for short, letterless or
unknown text, a neighbour language not forced into a supported one)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.language import detect as detection
from handlers.language.detect import SUPPORTED, Detection, DetectionSettings, detect, prepare
from tests.unit.test_language_detection import LANGUAGES, samples

ALL_SAMPLES = [
    text for lang in LANGUAGES for kind in ("short", "long") for text in samples(lang)[kind]
]
# Latin (with capitals, for langdetect's all-capitals rule), Welsh, Polish, Romanian
# (comma and cedilla), Cyrillic, Arabic and Farsi yeh, Vietnamese combining marks,
# digits, punctuation, a URL and an e-mail address's characters.
SCRIPTS = st.text(
    alphabet=st.sampled_from(
        list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ŵŷâęłżșşțţ")
        + list("абвгдеєжзиіїйклмнопрстуфхцчшщьюяАБВГҐ")
        + list("ابتثجحخدذرسشصعفقكلمنهويیء")
        + ["\u0300", "\u0301", "\u0303", "\u1ea0", "\u2019", "\u00a0"]
        + list("0123456789 .,:;!?'-_/@")
    ),
    max_size=200,
)
RESIDENTS = {
    "en": "The bus to town only runs twice a day, no good for anyone on shifts.",
    "cy": "Mae angen mwy o heddlu ar y strydoedd gyda'r nos, yn enwedig ar benwythnosau.",
    "pl": "Samochody jeżdżą za szybko koło szkoły, potrzebujemy progów zwalniających.",
    "uk": "Ввечері в парку збирається молодь і п'є, я боюся там ходити.",
    "ro": "Seara, în parc se adună tineri care beau alcool și mi-e frică să trec pe acolo.",
    "ar": "لا توجد إنارة على الطريق المؤدي إلى المحطة والظلام شديد في الشتاء.",
}


def langdetect_ngrams(text: str) -> list[str]:
    """What langdetect's detector itself samples from."""
    detector = prepare().create()
    detector.append(text)
    detector.cleaning_text()
    return list(detector._extract_ngrams())


def reference(text: str) -> dict[str, float]:
    """The product over the n-grams, in floating point, straight from the profiles."""
    factory = prepare()
    logs = [0.0] * len(factory.langlist)
    for gram in langdetect_ngrams(text):
        for i, p in enumerate(factory.word_lang_prob_map[gram]):
            logs[i] += math.log(p + detection.SMOOTHING)
    best = max(logs)
    weights = [math.exp(log - best) for log in logs]
    return {lang: w / sum(weights) for lang, w in zip(factory.langlist, weights, strict=True)}


def scored(text: str) -> dict[str, float]:
    scorer = detection._scorer_now()
    return {lang: p for p, lang in scorer.probabilities(detection._ngrams(text, scorer.packed))}


def test_the_ngrams_are_langdetects_on_every_sample() -> None:
    known = prepare().word_lang_prob_map
    for text in ALL_SAMPLES + list(RESIDENTS.values()):
        assert detection._ngrams(text, known) == langdetect_ngrams(text), text


@settings(max_examples=300, deadline=None, database=None)
@given(SCRIPTS)
def test_the_ngrams_are_langdetects_on_any_text(text: str) -> None:
    assert detection._ngrams(text, prepare().word_lang_prob_map) == langdetect_ngrams(text)


@pytest.mark.parametrize("text", ALL_SAMPLES[::5] + list(RESIDENTS.values()))
def test_the_packed_sum_is_the_product_of_the_profile_probabilities(text: str) -> None:
    wanted, got = reference(text), scored(text)
    assert got.keys() == wanted.keys()
    for lang, p in wanted.items():
        assert got[lang] == pytest.approx(p, abs=1e-6), lang


def test_the_longest_text_read_does_not_overflow_a_field() -> None:
    text = " ".join([RESIDENTS["pl"]] * 200)  # past langdetect's 10,000 characters
    got, wanted = scored(text), reference(text)
    assert max(got, key=got.__getitem__) == max(wanted, key=wanted.__getitem__) == "pl"
    assert got["pl"] == pytest.approx(wanted["pl"], abs=1e-6)
    assert detect(text, SUPPORTED) == Detection("pl", 1.0)


def test_the_probabilities_add_up_to_one_highest_first() -> None:
    scorer = detection._scorer_now()
    ranked = scorer.probabilities(detection._ngrams(RESIDENTS["cy"], scorer.packed))
    assert len(ranked) == len(SUPPORTED + detection.NEIGHBOURS)
    assert sum(p for p, _ in ranked) == pytest.approx(1.0)
    assert [p for p, _ in ranked] == sorted((p for p, _ in ranked), reverse=True)


@pytest.mark.parametrize("language", SUPPORTED)
def test_an_answer_in_each_supported_language_is_offered(language: str) -> None:
    found = detect(RESIDENTS[language], SUPPORTED)
    assert found is not None and found.language == language
    assert found.confidence >= DetectionSettings().min_confidence


def test_the_same_text_gives_the_same_answer_every_time() -> None:
    first = [detect(text, SUPPORTED, 1) for text in ALL_SAMPLES]
    assert [detect(text, SUPPORTED, 1) for text in reversed(ALL_SAMPLES)] == first[::-1]


def test_short_letterless_or_unknown_text_is_not_guessed() -> None:
    assert detect("Biblioteka", SUPPORTED) is None  # fewer than 20 letters
    assert detect("Biblioteka i park", SUPPORTED, min_letters=20) is None
    assert detect("1234567890 " * 5, SUPPORTED, 1) is None
    assert detect("🙂" * 30, SUPPORTED, 1) is None
    assert detect("你好世界" * 6, SUPPORTED, 1) is None  # no profile loaded has these
    # Four Hebrew letters found only, and rarely, in the Romanian profile: langdetect's
    # sampling used to draw them a thousand times and say "Romanian, 100%".
    assert detect("שלום עולם", SUPPORTED, 1) is None


@pytest.mark.parametrize(
    "text",
    [
        "Die Autos fahren viel zu schnell an der Schule vorbei, wir brauchen Tempo dreißig.",
        "Les voitures roulent beaucoup trop vite devant l'école, il faut des ralentisseurs.",
        "Машины ездят слишком быстро возле школы, нужны лежачие полицейские.",
        "اسکول کے قریب گاڑیاں بہت تیز چلتی ہیں، ہمیں اسپیڈ بریکر کی ضرورت ہے۔",
    ],
)
def test_a_neighbour_language_is_not_forced_into_a_supported_one(text: str) -> None:
    found = detect(text, SUPPORTED)
    assert found is None or found.confidence < 0.5


@settings(max_examples=150, deadline=None, database=None)
@given(SCRIPTS)
def test_detect_never_raises_and_gives_a_probability(text: str) -> None:
    found = detect(text, SUPPORTED, 1)
    assert found is None or (found.language in SUPPORTED and 0.1 <= found.confidence <= 1)
