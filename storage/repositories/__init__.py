"""Repositories: queries grouped by aggregate. They flush, never commit."""
