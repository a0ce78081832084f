"""The garbage collector, set for a worker that runs for weeks.

CPython's cyclic collector looks through every container object it tracks, and a
worker tracks a great many from start-up alone: aiogram's and python-telegram-bot's
models, SQLAlchemy's mappings, the translations, langdetect's profiles. With the
default thresholds (a young collection every 700 allocations, a full one every
hundred or so of those) the collector kept walking that start-up heap while the
worker handled updates: about a quarter of a worker's CPU per update in
``bench/load.py``. So once the worker has started, what start-up made is frozen
(``gc.freeze``: never looked through again, never freed; it lives as long as the
process anyway), and young collections come every ``YOUNG_THRESHOLD`` allocations.
Garbage without cycles goes at once, as ever (reference counting); cycles go at
the next collection of their generation.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000


def settle() -> int:
    """Freeze the heap as start-up left it and space out the young collections; for a
    process that is only a worker (``chinwag run``), once it has started. Returns how
    many objects are frozen."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    return gc.get_freeze_count()
