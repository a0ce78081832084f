"""The directory's fixed categories: stable ids in the database, translated labels on screen."""

from __future__ import annotations

from handlers.i18n import _

CATEGORIES = ("clubs", "youth", "social", "support", "crime", "advice", "bases")
OTHER = "other"


def label(category: str) -> str:
    labels = {
        "clubs": _("🎭 Clubs and activities"),
        "youth": _("🛹 Youth clubs and young people"),
        "social": _("☕ Befriending and social groups"),
        "support": _("🤝 Support services"),
        "crime": _("🛡 Crime prevention"),
        "advice": _("💬 Drop-in advice"),
        "bases": _("🏘 Community bases"),
    }
    return labels.get(category, _("📌 Other"))


def index_of(category: str) -> int:
    return CATEGORIES.index(category) if category in CATEGORIES else -1


def at(index: int) -> str | None:
    return CATEGORIES[index] if 0 <= index < len(CATEGORIES) else None
