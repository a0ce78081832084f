"""How well detection (langdetect's profiles) tells the six languages apart on
residents' answers, and that it gives the same answer every time.

The samples (tests/fixtures/language_samples/<lang>.json) are short answers (3 to 6
words) and long ones (15 to 40 words). The table of accuracy per language is printed
with the test's output (``pytest -s`` or ``-rA``). Only long answers are used to
offer a switch (``CHINWAG_LANGUAGE_DETECT_MIN_LETTERS``), so only they must be right.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from handlers.language.detect import Detection, detect

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "language_samples"
LANGUAGES = ("en", "cy", "pl", "uk", "ro", "ar")
LONG_ACCURACY_FLOOR = 0.95


def samples(language: str) -> dict[str, list[str]]:
    data: dict[str, list[str]] = json.loads(
        (SAMPLES / f"{language}.json").read_text(encoding="utf-8")
    )
    assert len(data["short"]) >= 10 and len(data["long"]) >= 10
    return data


def accuracy(language: str, kind: str) -> float:
    texts = samples(language)[kind]
    right = sum(
        1 for text in texts if (found := detect(text, LANGUAGES, 1)) and found.language == language
    )
    return right / len(texts)


def test_accuracy_per_language(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [(lang, accuracy(lang, "short"), accuracy(lang, "long")) for lang in LANGUAGES]
    with capsys.disabled():
        print("\nlanguage detection accuracy (langdetect profiles, one deterministic pass)")
        print(f"{'language':<10}{'short':>8}{'long':>8}")
        for lang, short, long in rows:
            print(f"{lang:<10}{short:>8.0%}{long:>8.0%}")
    for lang, _short, long in rows:
        assert long >= LONG_ACCURACY_FLOOR, f"{lang}: long answers detected {long:.0%}"


def _all_detections() -> list[Detection | None]:
    return [
        detect(text, LANGUAGES, 1)
        for lang in LANGUAGES
        for kind in ("short", "long")
        for text in samples(lang)[kind]
    ]


def test_detection_is_the_same_every_time() -> None:
    assert _all_detections() == _all_detections()


def test_detection_is_the_same_in_another_process() -> None:
    """A fresh interpreter (another hash seed, another worker) agrees exactly."""
    script = (
        "import json, sys\n"
        "from tests.unit.test_language_detection import _all_detections\n"
        "print(json.dumps([d and [d.language, d.confidence] for d in _all_detections()]))\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    here = [d and [d.language, d.confidence] for d in _all_detections()]
    assert json.loads(out.stdout) == here


def test_short_or_letterless_text_is_not_guessed() -> None:
    assert detect("tak", LANGUAGES) is None
    assert detect("12345 678", LANGUAGES, 1) is None
    assert detect("🙂🙂🙂", LANGUAGES, 1) is None


def test_an_unsupported_language_is_not_forced_into_a_supported_one() -> None:
    found = detect(
        "Wir brauchen mehr Polizei auf den Straßen, besonders am Abend im Park.", LANGUAGES
    )
    assert found is None or found.confidence < 0.5
