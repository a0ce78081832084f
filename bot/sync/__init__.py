"""Bringing data in from outside sources (``chinwag sync ...``)."""
