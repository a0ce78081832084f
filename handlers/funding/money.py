"""Money as typed by people and as shown to them; it is kept in pence."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import format_currency

from handlers.i18n import current_locale

_BABEL_LOCALE = {"en": "en_GB"}


def pence(text: str) -> int:
    """Pounds as typed ("£1,000", "250.50") in pence; ValueError if it is not money."""
    cleaned = re.sub(r"[£,\s]", "", text)
    try:
        pounds = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount in pounds") from None
    amount = pounds * 100
    if not pounds.is_finite() or amount != amount.to_integral_value() or amount <= 0:
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
