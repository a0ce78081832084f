"""Fakes of external services for end-to-end tests (a Telegram Bot API server)."""
