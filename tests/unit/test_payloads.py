"""The button payload codec (handlers.payloads) and the core payload types."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.callbacks import Menu, MenuAction, StartQuestionnaire, StepAction, StepButton
from handlers.payloads import MAX_BYTES, PayloadError, decode, encode

SAFE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"
INT32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)  # the id columns
SAFE_TEXT = st.text(alphabet=SAFE_ALPHABET, min_size=1, max_size=40)

# Every character, lone surrogates included (Telegram's JSON may carry "\ud800").
ANY_CHAR = st.characters(exclude_categories=())


# --- round trips ---------------------------------------------------------------------


@pytest.mark.parametrize("action", list(MenuAction))
def test_menu_round_trip(action: MenuAction) -> None:
    data = encode(Menu(action))
    assert data == f"m:{action.value}"
    assert decode(data) == Menu(action)
    assert type(decode(data)) is Menu


@pytest.mark.parametrize("questionnaire", ["resident", "organisation", "a", "x" * 40])
def test_start_questionnaire_round_trip(questionnaire: str) -> None:
    data = encode(StartQuestionnaire(questionnaire))
    assert data == f"q:{questionnaire}"
    assert decode(data) == StartQuestionnaire(questionnaire)


@pytest.mark.parametrize("action", list(StepAction))
def test_step_button_round_trip_every_action(action: StepAction) -> None:
    button = StepButton(conversation=12345, step="anything_else", action=action, value="asb")
    data = encode(button)
    assert data == f"s:12345:anything_else:{action.value}:asb"
    decoded = decode(data)
    assert decoded == button
    assert isinstance(decoded.action, StepAction)
    assert decoded.action is action


def test_step_button_default_value_round_trip() -> None:
    button = StepButton(conversation=7, step="review", action=StepAction.SUBMIT)
    assert encode(button) == "s:7:review:u:-"
    assert decode(encode(button)) == button


def test_decoded_fields_have_their_declared_types() -> None:
    decoded = decode("s:-42:welcome:n:-")
    assert decoded == StepButton(-42, "welcome", StepAction.NEXT, "-")
    assert type(decoded.conversation) is int


# --- encode refuses --------------------------------------------------------------------


def test_encode_refuses_over_64_bytes() -> None:
    # Each field is individually fine; together they are too long.
    button = StepButton(
        conversation=2**31 - 1, step="s" * 24, action=StepAction.EDIT, value="v" * 30
    )
    with pytest.raises(PayloadError, match="64 bytes"):
        encode(button)


def test_encode_accepts_exactly_64_bytes() -> None:
    # "s:1:" + 23 + ":e:" + 34 = 64 bytes; one more byte is refused.
    button = StepButton(conversation=1, step="a" * 23, action=StepAction.EDIT, value="b" * 34)
    data = encode(button)
    assert len(data.encode()) == MAX_BYTES
    assert decode(data) == button
    with pytest.raises(PayloadError):
        encode(StepButton(conversation=10, step="a" * 23, action=StepAction.EDIT, value="b" * 34))
    assert decode("s:10:" + "a" * 23 + ":e:" + "b" * 34) is None


@pytest.mark.parametrize(
    "bad",
    [
        "has:colon",
        "has space",
        "café",
        "naïve",
        "ąę",
        "émoji🙂",
        "",
        "x" * 41,
        "tab\there",
        "trailing\n",
        "<b>",
        "a/b",
    ],
)
def test_encode_refuses_unsafe_strings(bad: str) -> None:
    with pytest.raises(PayloadError):
        encode(StartQuestionnaire(bad))
    with pytest.raises(PayloadError):
        encode(StepButton(1, "welcome", StepAction.CHOOSE, bad))
    with pytest.raises(PayloadError):
        encode(StepButton(1, bad, StepAction.CHOOSE, "x"))


def test_encode_refuses_unregistered_objects() -> None:
    with pytest.raises(PayloadError, match="not a registered payload"):
        encode("m:home")


def test_encode_refuses_what_decode_would_reject() -> None:
    # An int too large for an id column, and an action that is not a StepAction.
    with pytest.raises(PayloadError):
        encode(StepButton(2**31, "welcome", StepAction.NEXT))
    with pytest.raises(PayloadError):
        encode(StepButton(1, "welcome", "zz"))  # type: ignore[arg-type]


# --- decode rejects --------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "",  # empty
        "zz:home",  # unknown prefix
        "M:home",  # prefixes are case-sensitive
        "home",  # no prefix at all
        ":home",
        "m",  # wrong field count
        "m:",
        "m:home:extra",
        "q:resident:extra",
        "s:1:welcome:n",
        "s:1:welcome:n:-:extra",
        "s:abc:welcome:n:-",  # non-int int
        "s:1.5:welcome:n:-",
        "s::welcome:n:-",
        "s: 1:welcome:n:-",
        "s:1e3:welcome:n:-",
        "s:12345678901234567890:welcome:n:-",  # over 19 digits
        "s:2147483648:welcome:n:-",  # over a 32-bit id column: PostgreSQL refused the statement
        "s:-2147483649:welcome:n:-",
        "s:99999999999:welcome:n:-",
        "s:١٢:welcome:n:-",  # Arabic-Indic digits: int() would accept them
        "m:nope",  # unknown enum values
        "m:HOME",
        "s:1:welcome:zz:-",
        "s:1:welcome:N:-",
        "s:1:wel come:n:-",  # unsafe strings
        "s:1:welcome:n:",
        "s:1:welcome:n:-\n",
        "q:resident\n",
        "q:résident",
        "q:" + "x" * 41,
        "s:1:welcome:n:" + "v" * 60,  # over 64 bytes
        "q:" + "é" * 32,  # 66 bytes though only 34 characters
    ],
)
def test_decode_rejects(data: str) -> None:
    assert decode(data) is None


@pytest.mark.parametrize("data", [None, 1, b"m:home", ["m", "home"], MenuAction.HOME, 3.0])
def test_decode_rejects_non_strings(data: object) -> None:
    assert decode(data) is None  # type: ignore[arg-type]


def test_decode_rejects_lone_surrogates() -> None:
    assert decode("\ud800") is None
    assert decode("m:\udfff") is None


# --- properties ------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=ANY_CHAR, max_size=100))
def test_decode_never_raises_on_arbitrary_text(data: str) -> None:
    result = decode(data)
    assert result is None or type(result) in (Menu, StartQuestionnaire, StepButton)


FIELD = st.one_of(
    st.text(alphabet=ANY_CHAR, max_size=12),
    SAFE_TEXT,
    st.integers().map(str),
    st.sampled_from([a.value for a in StepAction] + [a.value for a in MenuAction]),
)


@settings(max_examples=300, deadline=None, database=None)
@given(st.sampled_from(["m", "q", "s", "x", ""]), st.lists(FIELD, max_size=6))
def test_decode_never_raises_on_prefixed_strings(prefix: str, fields: list[str]) -> None:
    data = ":".join([prefix, *fields])
    result = decode(data)
    if result is not None:
        # Anything accepted is a faithful, canonical payload.
        assert len(data.encode()) <= MAX_BYTES
        assert decode(encode(result)) == result


@settings(max_examples=200, deadline=None, database=None)
@given(
    conversation=st.one_of(INT32, st.integers()),
    step=st.one_of(SAFE_TEXT, st.text(alphabet=ANY_CHAR, max_size=45)),
    action=st.sampled_from(list(StepAction)),
    value=st.one_of(SAFE_TEXT, st.text(alphabet=ANY_CHAR, max_size=45)),
)
def test_step_button_round_trip_property(
    conversation: int, step: str, action: StepAction, value: str
) -> None:
    button = StepButton(conversation, step, action, value)
    try:
        data = encode(button)
    except PayloadError:
        return
    assert len(data.encode()) <= MAX_BYTES
    assert decode(data) == button


@settings(max_examples=200, deadline=None, database=None)
@given(
    conversation=INT32, step=SAFE_TEXT, action=st.sampled_from(list(StepAction)), value=SAFE_TEXT
)
def test_step_button_valid_values_encode_iff_short_enough(
    conversation: int, step: str, action: StepAction, value: str
) -> None:
    button = StepButton(conversation, step, action, value)
    wire = f"s:{conversation}:{step}:{action.value}:{value}"
    if len(wire.encode()) > MAX_BYTES:
        with pytest.raises(PayloadError):
            encode(button)
    else:
        assert encode(button) == wire
        assert decode(wire) == button


@settings(max_examples=100, deadline=None, database=None)
@given(st.one_of(SAFE_TEXT, st.text(alphabet=ANY_CHAR, max_size=45)))
def test_start_questionnaire_round_trip_property(questionnaire: str) -> None:
    try:
        data = encode(StartQuestionnaire(questionnaire))
    except PayloadError:
        return
    assert len(data.encode()) <= MAX_BYTES
    assert decode(data) == StartQuestionnaire(questionnaire)


@settings(max_examples=50, deadline=None, database=None)
@given(st.sampled_from(list(MenuAction)))
def test_menu_round_trip_property(action: MenuAction) -> None:
    data = encode(Menu(action))
    assert len(data.encode()) <= MAX_BYTES
    assert decode(data) == Menu(action)
