"""Errors the CLI reports as one line and exit code 2."""


class ConfigError(Exception):
    """A setting is missing or wrong; the message names the setting."""
