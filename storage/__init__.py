"""Persistence: SQLModel tables, repositories, the unit of work and migrations.

This package knows nothing of handlers, transports or the CLI.
"""
