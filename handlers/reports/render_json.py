"""The report as JSON: the same figures as the CSV, plus themes, answers and plans.

For programs: the keys, each figure's ``section``, the statuses (``"open"``,
``"approved"``...), the mention ``source`` and the small-numbers marker
``"fewer than 5"`` are the same in every language. Text for people (the title,
the scope, the date made, the figures' labels) is in the staff member's language.
"""

from __future__ import annotations

import json
from typing import Any

from handlers.reports.build import Report
from handlers.reports.figures import shown


def report_data(report: Report) -> dict[str, Any]:
    return {
        "title": report.title,
        "scope": report.scope,
        "generated": report.generated,
        "figures": [
            {"section": f.section, "label": f.label, "value": f.value} for f in report.figures()
        ],
        "themes": [
            {"phrase": t.phrase, "people": shown(t.people), "quotes": list(t.quotes)}
            for t in report.themes
        ],
        "organisations_mentioned": [
            {"name": f.label, "people": f.value, "source": report.mention_sources.get(f.label, "")}
            for f in report.mentioned
        ],
        "answers": [
            {
                "question": q.id,
                "label": q.label,
                "answers": [{"text": a.text, "language": a.language} for a in q.answers],
            }
            for q in report.questions
        ],
        "engagement_plans": [
            {
                "organisation": p.organisation,
                "kind": p.kind,
                "answers": [{"question": k, "answer": v} for k, v in p.answers],
            }
            for p in report.plans
        ],
        "polls": [
            {
                "question": p.question,
                "status": p.status,
                "options": [{"option": f.label, "votes": f.value} for f in p.options],
            }
            for p in report.polls
        ],
        "you_said_we_did": [
            {
                "sent": u.sent,
                "about": u.about,
                "action_group": u.group,
                "text": u.text,
                "people_told": u.reached.value,
            }
            for u in report.updates
        ],
        "funding": [
            {
                "pot": n.pot,
                "area": n.area,
                "project": n.project,
                "status": n.status,
                "requested": n.requested,
                "decided": n.decided,
                "reason": n.reason,
                "submitted": n.submitted,
                "decided_on": n.decided_on,
            }
            for n in report.funding
        ],
        "notes": list(report.notes),
    }


def render_json(report: Report) -> str:
    return json.dumps(report_data(report), ensure_ascii=False, indent=2) + "\n"
