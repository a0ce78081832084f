"""The answers export for the force: one row per answer, anonymity respected.

A resident who chose to answer anonymously, or who has since deleted their data,
has no name in the export; everyone else has only their first name. Option ids
are given with their labels so the file reads without the questionnaire.
"""

from __future__ import annotations

import csv
import io
import json

from handlers import spreadsheet
from handlers.conversation.questionnaire import load_all
from storage.repositories.reports import ExportRow

COLUMNS = (
    "response",
    "questionnaire",
    "submitted_at",
    "lpu",
    "community",
    "anonymous",
    "name",
    "question",
    "answer",
    "choices",
    "language",
)


def export_records(rows: list[ExportRow]) -> list[dict[str, str]]:
    questionnaires = load_all()
    records = []
    for row in rows:
        questionnaire = questionnaires.get(row.questionnaire)
        step = questionnaire.step(row.question) if questionnaire else None
        labels = {o.id: o.label for o in step.options} if step else {}
        picked = [labels.get(c, c) for c in row.choices.split(",") if c]
        records.append(
            {
                "response": str(row.conversation_id),
                "questionnaire": row.questionnaire,
                "submitted_at": row.submitted_at.isoformat() if row.submitted_at else "",
                "lpu": row.lpu,
                "community": row.community,
                "anonymous": "yes" if row.anonymous else "no",
                "name": "" if row.anonymous else row.name,
                "question": (step.short or step.id) if step else row.question,
                "answer": row.text or "",
                "choices": "; ".join(picked) if step and step.options else "",
                "language": row.language or "",
            }
        )
    return records


def export_csv(rows: list[ExportRow]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: spreadsheet.cell(v) for k, v in r.items()} for r in export_records(rows))
    return out.getvalue()


def export_json(rows: list[ExportRow]) -> str:
    return json.dumps(export_records(rows), ensure_ascii=False, indent=2) + "\n"
