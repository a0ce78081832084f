"""The report's figures as CSV: one row per figure (section, label, value).

The CSV is the JSON's ``figures`` as a table, for spreadsheets and imports, so what
a program reads stays the same in every language: the header (``section``,
``label``, ``value``), the section ids (English, e.g. ``by community``) and the
values (a number, or ``fewer than 5``). Only the labels, which name each row for
people ("Residents taking part", a language's name), are in the staff member's
language.
"""

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
        writer.writerow(spreadsheet.row((figure.section, figure.label, str(figure.value))))
    return out.getvalue()
