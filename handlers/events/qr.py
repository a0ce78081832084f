"""A QR code as a PNG, e.g. of an event's deep link, for posters and flyers."""

from __future__ import annotations

import io

import segno

__all__ = ["BORDER_MODULES", "qr_png"]

BORDER_MODULES = 4  # the quiet zone ISO/IEC 18004 asks for around a QR code
MAX_SCALE = 64


def qr_png(data: str, *, scale: int = 8) -> bytes:
    """A black-on-white PNG of a (never micro) QR code for ``data``, each module
    ``scale`` pixels square, with a four-module quiet zone. Error correction is at
    least M (segno raises it when that costs no extra size). ValueError if ``data``
    is empty or too long for a QR code, or ``scale`` is not 1..64."""
    if not isinstance(data, str) or not data:
        raise ValueError("data must be a non-empty string")
    if isinstance(scale, bool) or not isinstance(scale, int) or not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be an int from 1 to {MAX_SCALE}")
    try:
        code = segno.make(data, error="m", micro=False, boost_error=True)
    except segno.DataOverflowError as exc:
        raise ValueError("data is too long for a QR code") from exc
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=BORDER_MODULES, dark="#000", light="#fff")
    return out.getvalue()
