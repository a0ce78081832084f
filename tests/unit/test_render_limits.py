"""``bot.transports.render`` within the Bot API's limits, counted as Telegram counts
them: in UTF-16 code units, where an emoji (outside the Basic Multilingual Plane) is 2."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.transports.render import CALLBACK_NOTICE_LIMIT, callback_notice
from handlers.broadcasts.audience import Audience
from handlers.broadcasts.render import CAPTION_LIMIT, follower_replies
from handlers.i18n import use_locale
from handlers.outbound import Notice, Photo, Text
from storage.models import Broadcast
from tests.fakes.html_check import utf16_len


def test_a_notice_of_emoji_is_cut_to_200_units_between_characters() -> None:
    text = "You have joined " + "🙂" * 150  # 166 characters, 316 units
    shown, alert = callback_notice([Notice(text=text, alert=True)])
    assert alert and utf16_len(shown) <= CALLBACK_NOTICE_LIMIT
    assert shown == "You have joined " + "🙂" * 91 + "…"  # 16 + 182 + 1 units
    shown.encode("utf-16-le")  # strict: no half of an emoji left


def test_a_short_or_bmp_notice_is_unchanged() -> None:
    assert callback_notice([Notice(text="🙂" * 100)]) == ("🙂" * 100, False)
    long = "Speeding and parking near the primary school " * 5
    assert callback_notice([Notice(text=long)])[0] == long[:199].rstrip() + "…"


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=400))
def test_every_notice_fits_property(text: str) -> None:
    shown, _ = callback_notice([Notice(text=text)])
    assert utf16_len(shown) <= CALLBACK_NOTICE_LIMIT
    if utf16_len(text) <= CALLBACK_NOTICE_LIMIT:
        assert shown == text
    else:
        assert shown.endswith("…") and text.startswith(shown[:-1])


def _photo_broadcast(text: str) -> list[object]:
    broadcast = Broadcast(id=1, text=text, photo="PHOTO-1")
    with use_locale("en"):
        return list(follower_replies(broadcast, Audience("community", 1, "Tarvin"), 7, ()))


def test_a_photo_caption_is_measured_in_utf16_units() -> None:
    fits = _photo_broadcast("🙂" * 450)  # the heading and 450 emoji: under 1024 units
    [photo] = fits
    assert isinstance(photo, Photo) and utf16_len(photo.caption) > CAPTION_LIMIT - 100
    # 520 emoji are fewer than 1024 characters with the heading, but 1040 units: too
    # long for a caption, so the text goes as a message of its own after the photo.
    photo, text = _photo_broadcast("🙂" * 520)
    assert len(text.text) < CAPTION_LIMIT < utf16_len(text.text)  # type: ignore[attr-defined]
    assert isinstance(photo, Photo) and not photo.caption and isinstance(text, Text)
