"""Every parser of what people type or send never raises on arbitrary input.

Where tests/unit already proves this (the payload codec for the core prefixes,
English dates, quiet hours, place and directory search, start and invitation
payloads, recurrence rules, ``clean``), it is not repeated. Here: postcodes and
sectors, amounts of money, a pot's closing day, dates typed in all six
languages, the button payloads of every feature (text, and bytes as a transport
might decode them), commands, poll questions, and language detection. Each
parser either gives a result that means what it says or refuses in its
documented way.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import handlers.router  # noqa: F401  (registers every feature's payload types)
from handlers.events import date_words
from handlers.events.dates import Parsed, Problem, parse_when
from handlers.events.polls import PollError, validate
from handlers.funding.money import MAX_PENCE, money, pence
from handlers.funding.pots import _closing_day
from handlers.i18n import use_locale
from handlers.inbound import split_command
from handlers.language.detect import detect
from handlers.markup import utf16_len
from handlers.officers.postcodes import looks_like_postcode, normalise_sector, parse_postcode
from handlers.payloads import MAX_BYTES, _registry, decode, encode

ANY_CHAR = st.characters(exclude_categories=())  # lone surrogates included
ANY_TEXT = st.text(alphabet=ANY_CHAR, max_size=80)
LONDON = ZoneInfo("Europe/London")
LANGUAGES = ("en", "cy", "pl", "uk", "ro", "ar")
FAST = settings(max_examples=300, deadline=None, database=None)

# -- postcodes -------------------------------------------------------------------------

OUTWARD = st.from_regex(r"\A[A-Z]{1,2}[0-9][A-Z0-9]?\Z")
INWARD = st.from_regex(r"\A[0-9][A-Z]{2}\Z")
_CANONICAL = re.compile(r"\A[A-Z]{1,2}[0-9][A-Z0-9]?( [0-9][A-Z]{2})?\Z")


@FAST
@given(ANY_TEXT)
@example("CH3 8EH")
@example("\ufb001")  # "ﬀ1": a ligature that upper-cases to "FF1"
def test_postcode_parsers_never_raise(text: str) -> None:
    found = parse_postcode(text)
    looks = looks_like_postcode(text)
    sector = normalise_sector(text)
    if found is not None:
        assert _CANONICAL.match(str(found)), found
        assert parse_postcode(str(found)) == found  # what it reads, it writes back
        assert found.sector is None or str(found).startswith(found.sector)
    if sector is not None:
        assert re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]", sector)
        assert normalise_sector(sector) == sector
    assert isinstance(looks, bool)


@FAST
@given(
    OUTWARD,
    INWARD,
    st.sampled_from(["", " ", "  ", "\t"]),
    st.booleans(),
    st.sampled_from(["", " ", "\n"]),
)
def test_every_postcode_is_read_however_it_is_spaced_and_cased(
    outward: str, inward: str, gap: str, lower: bool, around: str
) -> None:
    typed = f"{around}{outward}{gap}{inward}{around}"
    found = parse_postcode(typed.lower() if lower else typed)
    assert found is not None and str(found) == f"{outward} {inward}"
    assert found.sector == f"{outward} {inward[0]}"
    assert looks_like_postcode(typed)


# -- money -----------------------------------------------------------------------------

NUMBERISH = st.from_regex(r"\A[£ ]?[-+]?[0-9,]{0,12}(\.[0-9]{0,4})?([eE][-+]?[0-9]{1,12})?\Z")
SPECIAL = st.sampled_from(
    ["NaN", "sNaN", "-sNaN", "Infinity", "-inf", "1e999999999", "1e-999999999", "9" * 400, "0.001"]
)


@FAST
@given(st.one_of(ANY_TEXT, NUMBERISH, SPECIAL))
@example("1e999999999")  # once raised decimal.Overflow, which nothing caught
@example("sNaN")  # once raised decimal.InvalidOperation
@example("1e30")  # once stored as more pence than any database integer holds
def test_amounts_raise_only_value_error_and_are_whole_pence_within_bounds(text: str) -> None:
    try:
        amount = pence(text)
    except ValueError:
        return
    assert type(amount) is int and 0 < amount <= MAX_PENCE
    for language in LANGUAGES:
        assert money(amount, language)


@FAST
@given(st.integers(1, MAX_PENCE), st.sampled_from(["£{}", "{}", " {} ", "£ {}"]))
def test_every_amount_shown_in_pounds_is_read_back(amount: int, template: str) -> None:
    pounds = f"{amount // 100:,}" + (f".{amount % 100:02d}" if amount % 100 else "")
    assert pence(template.format(pounds)) == amount
    assert pence(money(amount, "en")) == amount


@pytest.mark.parametrize("text", ["£10,000,000.01", "100000000", "1e30", "-5", "0", "£0.00"])
def test_amounts_out_of_bounds_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        pence(text)


# -- a funding pot's closing day --------------------------------------------------------


@FAST
@given(st.one_of(ANY_TEXT, st.from_regex(r"\A[0-9./\-]{4,12}\Z")))
def test_closing_days_never_raise(text: str) -> None:
    day = _closing_day(text)
    assert day is None or isinstance(day, date)


@FAST
@given(st.dates(date(1900, 1, 1), date(2200, 12, 31)))
def test_closing_days_in_each_accepted_form_are_read(day: date) -> None:
    for written in (f"{day:%d/%m/%Y}", day.isoformat(), f"{day:%d.%m.%Y}"):
        assert _closing_day(written) == day


# -- dates typed by staff, in every language ----------------------------------------------

WORDS = sorted(
    {
        *date_words.vocabulary().weekdays,
        *date_words.vocabulary().months,
        *date_words.RELATIVE,
        *date_words.FILLERS,
        *date_words.DAY_PREFIXES,
        *(" ".join(phrase) for phrase in date_words.vocabulary().weekday_phrases),
        *["18:00", "٦:٣٠", "9", "14", "2027", "6pm", "am", "pm", "o", "la", "ora", "١٨:٠٠"],
    }
)
NOWS = [
    datetime(2026, 11, 22, 10, 0, tzinfo=UTC),
    datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # the night the clocks go forward
    datetime(2026, 10, 24, 23, 30, tzinfo=UTC),  # and back
    datetime(2028, 2, 28, 12, 0, tzinfo=UTC),  # a leap year
]


def _sound(result: Parsed | Problem, now: datetime) -> None:
    assert isinstance(result, Parsed | Problem)
    if isinstance(result, Parsed):
        assert result.local.tzinfo is LONDON
        assert now < result.local.astimezone(UTC) <= now + timedelta(days=2 * 366 + 1)


@settings(max_examples=400, deadline=None, database=None)
@given(st.lists(st.sampled_from(WORDS), max_size=6), st.sampled_from(NOWS), st.booleans())
def test_dates_in_any_language_never_raise(words: list[str], now: datetime, upper: bool) -> None:
    text = " ".join(words)
    _sound(parse_when(text.upper() if upper else text, now, LONDON), now)


@FAST
@given(ANY_TEXT, st.sampled_from(NOWS))
def test_dates_from_arbitrary_characters_never_raise(text: str, now: datetime) -> None:
    _sound(parse_when(text, now, LONDON), now)


# -- button payloads of every feature -----------------------------------------------------

PREFIXES = sorted(_registry)
FIELD = st.one_of(
    st.text(alphabet=ANY_CHAR, max_size=10),
    st.from_regex(r"\A-?[0-9]{1,20}\Z"),
    st.from_regex(r"\A[A-Za-z0-9_.\-]{1,12}\Z"),
    st.sampled_from(["0", "1", "-", "", "home", "yes", "send", "ok", "x", "१२"]),
)


def test_every_feature_registers_its_payloads() -> None:
    # The routers of these features are imported: their prefixes are known.
    assert {"m", "q", "s", "o", "e", "og", "dr", "p", "qh", "d"} <= set(PREFIXES)
    assert len(PREFIXES) >= 15


@settings(max_examples=600, deadline=None, database=None)
@given(st.sampled_from(PREFIXES), st.lists(FIELD, max_size=6))
def test_every_prefix_decodes_to_a_canonical_payload_or_nothing(
    prefix: str, fields: list[str]
) -> None:
    data = ":".join([prefix, *fields])
    found = decode(data)
    if found is not None:
        assert type(found) is _registry[prefix]
        assert len(data.encode()) <= MAX_BYTES
        assert encode(found) == data  # accepted only in the form the bot writes


@FAST
@given(st.binary(max_size=80))
def test_payload_bytes_however_decoded_never_raise(raw: bytes) -> None:
    # A transport hands over text; bytes that are not valid UTF-8 arrive as
    # replacement characters, lone surrogates or Latin-1, depending on the library.
    for text in (
        raw.decode("utf-8", errors="replace"),
        raw.decode("utf-8", errors="surrogateescape"),
        raw.decode("utf-8", errors="ignore"),
        raw.decode("latin-1"),
    ):
        found = decode(text)
        assert found is None or encode(found) == text


@pytest.mark.parametrize("wrong", [None, 12, b"m:home", ["m", "home"], 3.5])
def test_payloads_of_the_wrong_type_decode_to_nothing(wrong: object) -> None:
    assert decode(wrong) is None  # type: ignore[arg-type]


# -- commands, poll questions, language detection ------------------------------------------


@FAST
@given(st.one_of(ANY_TEXT, ANY_TEXT.map(lambda t: "/" + t)), st.sampled_from([None, "chinwag_bot"]))
def test_commands_split_or_are_not_commands(text: str, bot: str | None) -> None:
    found = split_command(text, bot)
    if found is not None:
        name, payload = found
        assert text.startswith("/") and name and name == name.lower()
        assert all(ch.isalnum() or ch == "_" for ch in name)
        assert payload == payload.strip()


@FAST
@given(ANY_TEXT, st.lists(st.text(alphabet=ANY_CHAR, max_size=120), max_size=12))
def test_poll_questions_are_accepted_or_refused_with_a_poll_error(
    question: str, options: list[str]
) -> None:
    with use_locale("en"):
        try:
            validate(question, options)
        except PollError:
            return
    # Telegram's limits, in UTF-16 code units (an emoji counts 2)
    assert 0 < utf16_len(question) <= 300 and 2 <= len(options) <= 10
    assert all(0 < utf16_len(o) <= 100 for o in options)


@settings(max_examples=150, deadline=None, database=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), min_size=20, max_size=400))
def test_language_detection_never_raises(text: str) -> None:
    found = detect(text, LANGUAGES)
    assert found is None or (found.language in LANGUAGES and 0 <= found.confidence <= 1)
