"""Keep aiogram's response models alive, so pydantic does not build them again and again.

aiogram validates every Bot API answer with ``Response[method.__returning__]``, a
generic pydantic model. pydantic caches such models only weakly; being classes,
they sit in reference cycles and go at the next full garbage collection, and the
next call builds the model again (about 20 ms of schema building each time). In a
webhook worker under load that happened on a third of the Bot API calls and was a
sixth of all the CPU spent per update. Building each of the ~40 response types
once at start (under 0.1 s) and holding on to them makes every later lookup a
cache hit.
"""

from __future__ import annotations

from typing import Any

import aiogram.methods
from aiogram.methods.base import Response, TelegramMethod

_PINNED: dict[str, Any] = {}


def pin_response_models() -> int:
    """Build ``Response[T]`` for every Bot API method's result type, once per process."""
    if not _PINNED:
        for name in aiogram.methods.__all__:
            method = getattr(aiogram.methods, name, None)
            returning = getattr(method, "__returning__", None)
            if (
                isinstance(method, type)
                and issubclass(method, TelegramMethod)
                and method is not TelegramMethod
                and returning is not None
            ):
                _PINNED.setdefault(repr(returning), Response[returning])  # type: ignore[valid-type]
    return len(_PINNED)
