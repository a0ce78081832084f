"""QR codes (handlers.events.qr) and event deep links (handlers.events.deeplink)."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
import segno
import zxingcpp  # a real decoder: pip wheels, no system libraries
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from handlers.events.deeplink import (
    MAX_PAYLOAD,
    deep_link,
    event_start_payload,
    new_token,
    parse_start_payload,
)
from handlers.events.qr import BORDER_MODULES, qr_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
TOKENS = st.text(alphabet=ALPHABET, min_size=8, max_size=16)
EVENT_IDS = st.integers(min_value=1, max_value=2**31 - 1)  # events.id
LINK = "https://t.me/chinwag_bot?start=ev-12-a1B2c3D4"


# --- QR codes --------------------------------------------------------------------------------


def png_size(png: bytes) -> tuple[int, int]:
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def png_rows(png: bytes) -> list[list[int]]:
    """Pixels (0 black, 1 white) of segno's 1-bit greyscale PNG, read with zlib only."""
    width, height = png_size(png)
    bit_depth, colour_type = png[24], png[25]
    assert (bit_depth, colour_type) in ((1, 0), (1, 3))  # 1-bit grey or 1-bit palette
    pos, idat = 8, b""
    palette: list[int] = [0, 1]
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IDAT":
            idat += body
        elif kind == b"PLTE":
            palette = [1 if body[i] > 127 else 0 for i in range(0, len(body), 3)]
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = (width + 7) // 8
    rows = []
    previous = bytes(stride)
    for y in range(height):
        row_filter, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):  # undo the PNG row filter (one byte per "pixel" at 1 bit)
            left, up = (line[i - 1] if i else 0), previous[i]
            upper_left = previous[i - 1] if i else 0
            if row_filter == 1:
                line[i] = (line[i] + left) & 0xFF
            elif row_filter == 2:
                line[i] = (line[i] + up) & 0xFF
            elif row_filter == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif row_filter == 4:
                p = left + up - upper_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else upper_left
                line[i] = (line[i] + pred) & 0xFF
        previous = bytes(line)
        bits = [(line[x // 8] >> (7 - x % 8)) & 1 for x in range(width)]
        rows.append([palette[b] for b in bits] if colour_type == 3 else bits)
    return rows


def test_png_signature_and_size() -> None:
    png = qr_png(LINK)
    assert png.startswith(PNG_SIGNATURE)
    modules = segno.make(LINK, error="m", micro=False, boost_error=True).symbol_size(border=0)[0]
    assert png_size(png) == ((modules + 2 * BORDER_MODULES) * 8,) * 2
    assert png_size(qr_png(LINK, scale=3)) == ((modules + 2 * BORDER_MODULES) * 3,) * 2


def test_quiet_zone_is_white() -> None:
    scale = 4
    rows = png_rows(qr_png(LINK, scale=scale))
    quiet = BORDER_MODULES * scale
    size = len(rows)
    for y in range(size):
        for x in range(size):
            if min(x, y, size - 1 - x, size - 1 - y) < quiet:
                assert rows[y][x] == 1, (x, y)
    assert rows[quiet][quiet] == 0  # the finder pattern's corner is dark


def test_png_matrix_is_segnos_matrix() -> None:
    # Without an image decoder: the pixels match the symbol segno encodes for the data.
    scale = 2
    rows = png_rows(qr_png(LINK, scale=scale))
    code = segno.make(LINK, error="m", micro=False, boost_error=True)
    for y, row in enumerate(code.matrix_iter(scale=scale, border=BORDER_MODULES)):
        assert [0 if dark else 1 for dark in row] == rows[y]


@pytest.mark.parametrize(
    "data",
    [LINK, "https://t.me/chinwag_bot?start=ev-9223372036854775807-ABCDEFGHIJKLMNOP", "Zażółć 🚓"],
)
def test_png_decodes_back_to_the_data(data: str) -> None:
    png = qr_png(data)
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    assert found.text == data


@pytest.mark.parametrize("scale", [0, -1, 65, True])
def test_bad_scale(scale: int) -> None:
    with pytest.raises(ValueError, match="scale"):
        qr_png(LINK, scale=scale)


def test_bad_data() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        qr_png("")
    with pytest.raises(ValueError, match="too long"):
        qr_png("x" * 8000)


# --- deep links ------------------------------------------------------------------------------


def test_payload_shape() -> None:
    assert event_start_payload(12, "a1B2c3D4") == "ev-12-a1B2c3D4"
    assert parse_start_payload("ev-12-a1B2c3D4") == (12, "a1B2c3D4")
    assert deep_link("chinwag_bot", "ev-12-a1B2c3D4") == LINK
    assert deep_link("@Chinwag_Bot", "ev-12-a1B2c3D4") == (
        "https://t.me/Chinwag_Bot?start=ev-12-a1B2c3D4"
    )


def test_tokens_with_dashes_and_underscores() -> None:
    assert parse_start_payload("ev-7-a-b_c-d_e") == (7, "a-b_c-d_e")
    assert parse_start_payload(event_start_payload(7, "--------")) == (7, "--------")


def test_longest_payload_fits() -> None:
    payload = event_start_payload(2**31 - 1, "Z" * 16)
    assert len(payload) == 30 <= MAX_PAYLOAD
    assert parse_start_payload(payload) == (2**31 - 1, "Z" * 16)


def test_new_token() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_\-]{12}", token)
        assert parse_start_payload(event_start_payload(1, token)) == (1, token)


@pytest.mark.parametrize(
    ("event_id", "token"),
    [
        (0, "a1B2c3D4"),
        (-1, "a1B2c3D4"),
        (2**31, "a1B2c3D4"),  # beyond events.id: PostgreSQL would refuse the lookup
        (True, "a1B2c3D4"),
        (12, "short"),
        (12, "a" * 17),
        (12, "a1B2c3D4!"),
        (12, "a1B2 c3D4"),
        (12, "żółw1234"),
        (12, "a1B2c3D4\n"),
    ],
)
def test_event_start_payload_rejects(event_id: int, token: str) -> None:
    with pytest.raises(ValueError):
        event_start_payload(event_id, token)


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "ev",
        "ev-",
        "ev-12",
        "ev-12-",
        "ev-12-short",
        "ev-12-" + "a" * 17,
        "ev-012-a1B2c3D4",  # not canonical
        "ev-0-a1B2c3D4",
        "ev--12-a1B2c3D4",
        "ev-9223372036854775808-a1B2c3D4",  # beyond a 64-bit id
        "ev-99999999999999999999-a1B2c3D4",
        "ev-2147483648-a1B2c3D4",  # beyond events.id
        "EV-12-a1B2c3D4",
        "xx-12-a1B2c3D4",
        "ev_12_a1B2c3D4",
        "ev-12-a1B2c3D4\n",
        "ev-12-a1B2c3D4 ",
        "ev-１２-a1B2c3D4",  # full-width digits
        "ev-12-a1B2c3D4" + "a" * 60,
        "ev-12-a1B2/c3D4",
        "ev-12-a1B2c3D4=",
        "\ud800",
    ],
)
def test_parse_start_payload_rejects(payload: str) -> None:
    assert parse_start_payload(payload) is None


@settings(max_examples=300, deadline=None)
@given(event_id=EVENT_IDS, token=TOKENS)
def test_payload_round_trip(event_id: int, token: str) -> None:
    payload = event_start_payload(event_id, token)
    assert len(payload) <= MAX_PAYLOAD
    assert re.fullmatch(r"[A-Za-z0-9_\-]+", payload)
    assert parse_start_payload(payload) == (event_id, token)
    assert deep_link("chinwag_bot", payload).endswith("?start=" + payload)


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(exclude_categories=())) | st.text(alphabet=ALPHABET, max_size=70))
def test_parse_never_raises(payload: str) -> None:
    result = parse_start_payload(payload)
    if result is not None:
        event_id, token = result
        assert event_start_payload(event_id, token) == payload


@pytest.mark.parametrize(
    ("username", "payload"),
    [
        ("", "ev-12-a1B2c3D4"),
        ("abc", "ev-12-a1B2c3D4"),  # too short
        ("1chinwag_bot", "ev-12-a1B2c3D4"),
        ("chinwag-bot", "ev-12-a1B2c3D4"),
        ("chinwag_bot/x", "ev-12-a1B2c3D4"),
        ("a" * 33, "ev-12-a1B2c3D4"),
        ("chinwag_bot", ""),
        ("chinwag_bot", "a" * 65),
        ("chinwag_bot", "ev-12-a1B2c3D4&x=1"),
        ("chinwag_bot", "ev 12"),
    ],
)
def test_deep_link_rejects(username: str, payload: str) -> None:
    with pytest.raises(ValueError):
        deep_link(username, payload)


def test_deep_link_accepts_any_valid_payload() -> None:
    assert deep_link("chinwag_bot", "a" * 64) == "https://t.me/chinwag_bot?start=" + "a" * 64
