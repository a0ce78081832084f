"""Cuts to a limit fall between grapheme clusters: no emoji sequence, flag or accented
letter is cut in two (``handlers.graphemes``, ``handlers.markup.cut_utf16``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.transports.render import CALLBACK_NOTICE_LIMIT, callback_notice
from handlers.directory.render import entry_buttons
from handlers.funding.apply import b as funding_button
from handlers.funding.buttons import FundingAction
from handlers.grapheme_table import UNICODE_VERSION, read_ranges
from handlers.graphemes import cluster_ends, clusters
from handlers.markup import cut_utf16, split_text, utf16_len
from handlers.outbound import Notice
from tests.fakes.html_check import utf16_len as telegram_length

FIXTURE = Path(__file__).parent.parent / "fixtures" / f"GraphemeBreakTest-{UNICODE_VERSION}.txt"
UCD = Path("/usr/share/unicode")  # Debian's unicode-data, where installed

FAMILY = "👨‍👩‍👧"  # man ZWJ woman ZWJ girl: 3 emoji and 2 joiners, 8 units
THUMB = "👍🏽"  # thumbs up and a skin tone: 4 units
HEART = "❤️"  # U+2764 and the emoji variation selector U+FE0F: 2 units
KEYCAP = "1️⃣"  # 1, U+FE0F, the combining keycap U+20E3: 3 units
FLAG = "🇬🇧"  # two regional indicators: 4 units
ACUTE_E = "e\u0301"  # e and a combining acute accent: 2 units
STACKED = "a\u0301\u0323\u0308"  # a letter under three combining marks: 4 units
HANGUL = "\u1112\u1161\u11ab"  # 한 as three jamo (L V T): 3 units
RAINBOW_FLAG = "🏳️‍🌈"  # white flag, U+FE0F, ZWJ, rainbow: 6 units
CLUSTERS = [FAMILY, THUMB, HEART, KEYCAP, FLAG, ACUTE_E, STACKED, HANGUL, RAINBOW_FLAG, "\r\n"]


def _cases() -> list[tuple[str, list[str]]]:
    cases = []
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        want, current = [], ""
        for part in line.split()[1:]:
            if part == "÷":
                want.append(current)
                current = ""
            elif part != "×":
                current += chr(int(part, 16))
        cases.append(("".join(want), want))
    return cases


def test_segmentation_passes_unicodes_own_test() -> None:
    """Every case of Unicode's GraphemeBreakTest for the version of the tables."""
    cases = _cases()
    assert len(cases) == 602
    wrong = [(text, want) for text, want in cases if clusters(text) != want]
    assert not wrong, [[f"{ord(c):04X}" for c in text] for text, _ in wrong[:5]]


@pytest.mark.skipif(not (UCD / "auxiliary" / "GraphemeBreakProperty.txt").exists(), reason="no UCD")
def test_the_table_is_what_the_unicode_data_says() -> None:
    head = (UCD / "auxiliary" / "GraphemeBreakProperty.txt").read_text(encoding="utf-8")
    if f"-{UNICODE_VERSION}.txt" not in head.splitlines()[0]:
        pytest.skip("another Unicode version installed")
    from handlers.grapheme_table import CLASSES, ENDS, STARTS

    assert list(zip(STARTS, ENDS, CLASSES, strict=True)) == read_ranges(UCD)


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_each_kind_of_cluster_is_one(cluster: str) -> None:
    assert clusters(cluster) == [cluster]
    assert clusters("x" + cluster + "y") == ["x", cluster, "y"]
    assert list(cluster_ends(cluster * 2)) == [len(cluster), 2 * len(cluster)]


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_a_cut_keeps_a_cluster_whole_or_leaves_it_out(cluster: str) -> None:
    text = "ab" + cluster + "cd"
    size = utf16_len(cluster)
    assert cut_utf16(text, 2 + size) == "ab" + cluster  # exactly fits
    for units in range(2, 2 + size):  # any less: the cluster goes, whole
        assert cut_utf16(text, units) == "ab"
    assert cut_utf16(text, 3 + size) == "ab" + cluster + "c"


def test_flags_pair_up_from_the_first_regional_indicator() -> None:
    flags = "🇬🇧🇫🇷🇩🇪"  # GB FR DE, not G BF RD E
    assert clusters(flags) == ["🇬🇧", "🇫🇷", "🇩🇪"]
    assert [cut_utf16(flags, n) for n in (3, 4, 7, 8, 11)] == [
        "",
        "🇬🇧",
        "🇬🇧",
        "🇬🇧🇫🇷",
        "🇬🇧🇫🇷",
    ]
    assert clusters("🇬🇧🇫") == ["🇬🇧", "🇫"]  # an odd one out stands alone


def test_skin_tones_and_selectors_stay_with_their_emoji() -> None:
    assert cut_utf16("👋🏿👋🏻", 7) == "👋🏿"
    assert cut_utf16("✌️✌️", 3) == "✌️"  # not "✌️✌" with the selector lost
    assert cut_utf16("#️⃣*️⃣", 5) == "#️⃣"
    assert cut_utf16("👩🏽‍💻 x", 6) == ""  # woman, skin tone, ZWJ, laptop: 7 units


def test_accents_stay_on_their_letters() -> None:
    assert cut_utf16("Cafe\u0301 au lait", 4) == "Caf"
    assert cut_utf16("Cafe\u0301 au lait", 5) == "Cafe\u0301"
    assert cut_utf16("Zo\u0308e", 2) == "Z"  # not "Zo", an o without its diaeresis


def test_cuts_keep_to_the_limit_and_count_utf16_units() -> None:
    assert cut_utf16("ab🙂cd", 3) == "ab"
    assert cut_utf16("ab🙂cd", 4) == "ab🙂"
    assert cut_utf16(FAMILY, 7) == ""  # the first cluster alone is longer: nothing
    assert cut_utf16(FAMILY, 8) == FAMILY
    assert cut_utf16(FAMILY, -1) == cut_utf16("abc", -1) == ""
    assert cut_utf16("ab\r\ncd", 3) == "ab"  # CR LF is one cluster, ASCII or not
    assert cut_utf16("ab\r\ncd", 4) == "ab\r\n"
    assert cut_utf16("é\r\ncd", 2) == "é"


def test_a_long_notice_is_shortened_between_clusters() -> None:
    for pad in range(8):  # the cut falls at each place inside a family in turn
        text = "x" * pad + FAMILY * 40
        shown, alert = callback_notice([Notice(text=text)])
        assert telegram_length(shown) <= CALLBACK_NOTICE_LIMIT and not alert
        assert shown.endswith(FAMILY + "…")
        assert shown[:-1] == "x" * pad + FAMILY * ((CALLBACK_NOTICE_LIMIT - 1 - pad) // 8)


def test_button_labels_are_cut_between_clusters() -> None:
    label = funding_button("Fund " + FLAG * 20, FundingAction.HOME).label
    assert label == "Fund " + FLAG * 13  # 5 + 52 units; half of the 14th flag would fit
    assert utf16_len(label) <= 60
    [[button]] = entry_buttons([(7, "Baby group " + THUMB * 20)])
    assert button.label == "Baby group " + THUMB * 12  # 11 + 48 units


def test_split_cuts_an_enormous_word_between_clusters() -> None:
    word = FAMILY * 60  # 480 units, no space to break at
    chunks = split_text(word, 120)
    assert "".join(chunks) == word
    for chunk in chunks:
        assert utf16_len(chunk) <= 120
        assert clusters(chunk) == [FAMILY] * (len(chunk) // len(FAMILY))


def test_split_cuts_a_cluster_longer_than_a_part_between_characters() -> None:
    zalgo = "a" + "\u0301" * 1000  # one cluster of 1001 units
    chunks = split_text(zalgo, 200)
    assert "".join(chunks) == zalgo
    assert all(utf16_len(c) <= 200 for c in chunks)
    assert len(chunks) <= 8  # filled, not one mark a part
