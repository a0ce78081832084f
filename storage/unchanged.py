"""Setting a column to the value it already holds is not a change.

SQLAlchemy marks an object modified on every attribute set, equal value or not, and
the session's next query then autoflushes: a whole unit-of-work pass that finds
nothing to write. The rows every update touches (its sender, their conversation) are
set that way several times an update (Telegram's name and chat id on each message,
``awaiting`` cleared when it is already clear), and those empty flushes were about a
tenth of the core's CPU per update.

Only loaded values of immutable types are compared, and only with a value of exactly
the same type: ``1 == True`` and ``1 == 1.0`` stay writes. An object not loaded yet
(or an expired attribute) goes through SQLAlchemy as always.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

_IMMUTABLE = frozenset({str, int, float, bool, bytes, date, datetime, Decimal, type(None)})


class SetsOnlyChanges:
    """Mixin for a SQLModel table class (before ``SQLModel`` in its bases)."""

    def __setattr__(self, name: str, value: Any) -> None:
        loaded = self.__dict__
        if name in loaded and type(value) in _IMMUTABLE:
            old = loaded[name]
            if type(old) is type(value) and old == value:
                return
        super().__setattr__(name, value)
