"""From answers to directory: names residents give in "what already exists" answers.

Worked out again from the stored answers whenever an organiser opens the list, so
nothing is missed whichever way an answer arrived (typed, edited, sent anonymously).
Known partners (``handlers/reports/partners.toml``) and runs of capitalised words
("Tarvin Community Choir") count once per answer; names already in the directory
are left out. An organiser accepts one (a new entry, prefilled, or an existing
one) or dismisses it; the decision stays.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.directory import access, organise, render
from handlers.directory.buttons import DirectoryAction
from handlers.directory.search import fold
from handlers.events.organise.access import refused, refused_notice
from handlers.i18n import _, _n
from handlers.markup import cut_utf16, fmt
from handlers.outbound import Button, Notice, OutboundReply, Text, keyboard
from handlers.reports.organisations import load_partners, named
from storage.models import DirectoryEntry, DirectorySuggestion

Replies = list[OutboundReply]
MAX_SHOWN = 8
MAX_SIMILAR = 3


def normalise(name: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", fold(name)))[:200]


def names_in(texts: Iterable[str]) -> list[tuple[str, str, int]]:
    """``(normalised, name, answers)`` for every name found, once per answer."""
    partners = load_partners()
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for text in texts:
        found: dict[str, str] = {}
        for partner in partners:
            if any(p.search(text) for p in partner.patterns()):
                found[normalise(partner.name)] = partner.name
        for name in named(text):
            key = normalise(name)
            if key and not any(key in k or k in key for k in found):
                found[key] = name
        for key, name in found.items():
            counts[key] += 1
            shown.setdefault(key, cut_utf16(name, 200))
    return [(key, shown[key], n) for key, n in sorted(counts.items())]


async def refresh(ctx: Context) -> None:
    listed = {normalise(e.name) for e in await ctx.uow.directory.active()}
    found = names_in(await ctx.uow.directory.exists_answers())
    await ctx.uow.directory.record_mentions(
        [row for row in found if row[0] not in listed], ctx.now()
    )


async def show(ctx: Context) -> Replies:
    if not access.may_edit_directory(ctx.user):
        return refused(ctx, "directory suggestions")
    await refresh(ctx)
    pending = await ctx.uow.directory.pending()
    rows = [
        [
            Button(
                _("{name} · {count}").format(name=cut_utf16(s.name, 50), count=s.mentions),
                render.button(DirectoryAction.VIEW, s.id or 0),
            )
        ]
        for s in pending[:MAX_SHOWN]
    ]
    rows.append([organise.organise_button(), home_button()])
    if not pending:
        text = _("<b>Suggestions</b>\n\nNo new names in residents' answers.")
    else:
        text = _(
            "<b>Suggestions</b>\n\nOrganisations and groups residents named as already "
            "available, with how many answers named them. Open one to add it or dismiss it."
        )
    return [Text(text=text, buttons=keyboard(*rows))]


def _similar(
    suggestion: DirectorySuggestion, entries: list[DirectoryEntry]
) -> list[DirectoryEntry]:
    words = set(suggestion.normalised.split())
    close = [e for e in entries if words & set(normalise(e.name).split())]
    return close[:MAX_SIMILAR]


async def _pending(ctx: Context, suggestion_id: int) -> DirectorySuggestion | None:
    suggestion = await ctx.uow.directory.suggestion(suggestion_id)
    if suggestion is None or suggestion.status != "pending":
        return None
    return suggestion


async def view(ctx: Context, suggestion_id: int) -> Replies:
    suggestion = await _pending(ctx, suggestion_id)
    if suggestion is None:
        return [Notice(text=_("That suggestion has already been dealt with."))]
    sid = suggestion.id or 0
    rows = [[Button(_("➕ Add to the directory"), render.button(DirectoryAction.ACCEPT, sid))]]
    for entry in _similar(suggestion, await ctx.uow.directory.active()):
        rows.append(
            [
                Button(
                    _("🔗 It is “{name}”").format(name=cut_utf16(entry.name, 40)),
                    render.button(DirectoryAction.LINK, sid, entry.id or 0),
                )
            ]
        )
    rows.append([Button(_("✖️ Dismiss"), render.button(DirectoryAction.DISMISS, sid))])
    rows.append([Button(_("💡 Suggestions"), render.button(DirectoryAction.SUGGESTIONS))])
    text = fmt(
        _n(
            "<b>{name}</b>\n\nNamed in {count} answer about what is already available.",
            "<b>{name}</b>\n\nNamed in {count} answers about what is already available.",
            suggestion.mentions,
        ),
        name=suggestion.name,
        count=suggestion.mentions,
    )
    return [Text(text=text, buttons=keyboard(*rows))]


def _decide(ctx: Context, suggestion: DirectorySuggestion, status: str) -> None:
    suggestion.status = status
    suggestion.decided_by = ctx.user_id
    suggestion.decided_at = ctx.now()
    ctx.uow.session.add(suggestion)


async def on_press(ctx: Context, action: DirectoryAction, item: int, target: int) -> Replies:
    """Accept, link or dismiss; the stored role is checked first, every time."""
    if not access.may_edit_directory(ctx.user):
        return refused_notice(ctx, f"directory suggestion {action.value}")
    if action is DirectoryAction.SUGGESTIONS:
        return await show(ctx)
    if action is DirectoryAction.VIEW:
        return await view(ctx, item)
    suggestion = await _pending(ctx, item)
    if suggestion is None:
        return [Notice(text=_("That suggestion has already been dealt with."))]
    if action is DirectoryAction.DISMISS:
        _decide(ctx, suggestion, "dismissed")
        return [Notice(text=_("Dismissed.")), *await show(ctx)]
    if action is DirectoryAction.LINK:
        entry = await ctx.uow.directory.get(target)
        if entry is None or entry.status != "active":
            return [Notice(text=_("That entry is no longer listed."))]
        _decide(ctx, suggestion, "accepted")
        suggestion.entry_id = entry.id
        return [Notice(text=_("Linked.")), *await show(ctx)]
    draft = await organise.start_draft(ctx, suggestion.name, source="suggestion")
    _decide(ctx, suggestion, "accepted")
    suggestion.entry_id = draft.id
    return await organise.next_step(ctx, draft, "name")
