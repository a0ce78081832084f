"""Render a report in one of its formats, as bytes for a file or a chat document."""

from __future__ import annotations

from handlers.reports.build import Report

FORMATS = ("html", "md", "csv", "json")


def render(report: Report, fmt: str) -> bytes:
    if fmt == "html":
        from handlers.reports.render_html import render_html  # matplotlib: only when asked

        return render_html(report).encode("utf-8")
    if fmt == "md":
        from handlers.reports.render_md import render_md

        return render_md(report).encode("utf-8")
    if fmt == "csv":
        from handlers.reports.render_csv import render_csv

        return render_csv(report).encode("utf-8")
    if fmt == "json":
        from handlers.reports.render_json import render_json

        return render_json(report).encode("utf-8")
    raise ValueError(f"unknown report format {fmt!r}")
