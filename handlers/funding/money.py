"""Money as typed by people and as shown to them; it is kept in pence."""

from __future__ import annotations

import re
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency

from handlers.i18n import current_locale

_BABEL_LOCALE = {"en": "en_GB"}
# £10 million: far above any pot, and well inside a 32-bit database integer of pence.
MAX_PENCE = 1_000_000_000


def pence(text: str) -> int:
    """Pounds as typed ("£1,000", "250.50") in pence, at most ``MAX_PENCE``;
    ValueError if it is not such an amount (never any other error)."""
    cleaned = re.sub(r"[£,\s]", "", text)
    try:
        pounds = Decimal(cleaned)
        if not pounds.is_finite():
            raise ValueError(text)
        amount = pounds * 100
        whole = amount == amount.to_integral_value()
    except (ArithmeticError, ValueError):  # decimal's Overflow, InvalidOperation...
        raise ValueError(f"{text!r} is not an amount in pounds") from None
    if not whole or not 0 < amount <= MAX_PENCE:
        raise ValueError(f"{text!r} is not an amount in pounds")
    return int(amount)


def money(amount: int, locale: str | None = None) -> str:
    """``£1,000`` or ``£250.50`` in the resident's locale (``1 000 GBP`` in Polish)."""
    code = _BABEL_LOCALE.get(locale or current_locale(), locale or current_locale())
    try:
        parsed = Locale.parse(code)
    except (ValueError, TypeError):
        parsed = Locale.parse("en_GB")
    value = Decimal(amount) / 100
    if amount % 100 == 0:
        pattern = parsed.currency_formats["standard"].pattern.replace(".00", "")
        return format_currency(value, "GBP", format=pattern, locale=parsed, currency_digits=False)
    return format_currency(value, "GBP", locale=parsed)
