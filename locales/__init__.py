"""Gettext catalogues: ``<lang>/LC_MESSAGES/messages.po``. See ``chinwag i18n``."""
