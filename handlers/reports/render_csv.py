"""The report's figures as CSV: one row per figure (section, label, value)."""

from __future__ import annotations

import csv
import io

from handlers import spreadsheet
from handlers.reports.build import Report

COLUMNS = ("section", "label", "value")


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for figure in report.figures():
        writer.writerow(spreadsheet.row((figure.section, figure.label, figure.text)))
    return out.getvalue()
