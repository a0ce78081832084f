"""Funding pots: residents and action groups apply, organisers review (``/funding``)."""
