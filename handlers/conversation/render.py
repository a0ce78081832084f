"""How each kind of questionnaire step looks: text and buttons, in the current locale."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.callbacks import StepAction, StepButton
from handlers.conversation.questionnaire import Questionnaire, Step, StepKind
from handlers.i18n import _
from handlers.markup import escape, fmt, fmt_plain, shorten
from handlers.outbound import Button, Keyboard, Text, keyboard
from handlers.payloads import encode
from handlers.safety.quick_exit import quick_exit_button
from storage.models import Answer, Conversation, Lpu

REVIEW_PREVIEW_CHARS = 200


def button(
    conv: Conversation, step: Step, label: str, action: StepAction, value: str = "-"
) -> Button:
    assert conv.id is not None
    return Button(label, encode(StepButton(conv.id, step.id, action, value)))


def progress(questionnaire: Questionnaire, step: Step) -> str:
    questions = questionnaire.questions
    if step not in questions:
        return ""
    return fmt(_("Question {n} of {total}"), n=questions.index(step) + 1, total=len(questions))


def answer_summary(questionnaire: Questionnaire, step: Step, answer: Answer | None) -> str:
    """An answer as the review shows it (escaped, shortened)."""
    if answer is None:
        return _("(no answer)")
    parts: list[str] = []
    if step.kind in (StepKind.CHOICE, StepKind.MULTI):
        labels = {o.id: questionnaire.option_label(step, o) for o in step.options}
        parts.extend(labels[c] for c in answer.choice_list() if c in labels)
    if answer.text:
        parts.append(shorten(answer.text, REVIEW_PREVIEW_CHARS))
    return escape("; ".join(parts)) if parts else _("(no answer)")


def _nav_row(conv: Conversation, step: Step, questionnaire: Questionnaire) -> list[Button]:
    row = []
    if questionnaire.before(step.id) is not None:
        row.append(button(conv, step, _("◀️ Back"), StepAction.BACK))
    if step.optional:
        row.append(button(conv, step, _("Skip ▶️"), StepAction.SKIP))
    row.append(quick_exit_button())
    return row


def _question_text(questionnaire: Questionnaire, step: Step, current: Answer | None) -> str:
    lines = [f"<i>{progress(questionnaire, step)}</i>", questionnaire.text_of(step)]
    hint = questionnaire.text_of(step, "hint")
    if hint:
        lines.append(hint)
    if current is not None and current.text and step.kind is StepKind.TEXT:
        lines.append(fmt(_("Your answer now: <i>{answer}</i>"), answer=current.text))
        lines.append(_("Type a new answer, or tap Keep."))
    return "\n\n".join(line for line in lines if line)


def render_step(
    questionnaire: Questionnaire,
    conv: Conversation,
    step: Step,
    *,
    current: Answer | None = None,
    answers: Sequence[Answer] = (),
    lpus: Sequence[Lpu] = (),
    remembered_community: tuple[int, str] | None = None,
) -> Text:
    nav = _nav_row(conv, step, questionnaire)
    if step.kind is StepKind.INFO:
        label = questionnaire.text_of(step, "button") or _("Continue")
        return Text(
            text=questionnaire.text_of(step),
            buttons=keyboard([button(conv, step, label, StepAction.NEXT)], nav),
        )
    if step.kind is StepKind.CONSENT:
        rows = [[button(conv, step, _("✅ I agree"), StepAction.CONSENT, "yes")]]
        if step.allow_anonymous:
            rows.append(
                [button(conv, step, _("🕶 I agree, keep me anonymous"), StepAction.CONSENT, "anon")]
            )
        rows.append([button(conv, step, _("✖️ No thanks"), StepAction.CONSENT, "no")])
        return Text(text=questionnaire.text_of(step), buttons=keyboard(*rows, nav))
    if step.kind is StepKind.COMMUNITY:
        return render_areas(questionnaire, conv, step, lpus, remembered_community)
    if step.kind is StepKind.TEXT:
        keep = (
            [button(conv, step, _("Keep ✔️"), StepAction.DONE)] if current and current.text else []
        )
        return Text(text=_question_text(questionnaire, step, current), buttons=keyboard(keep, nav))
    if step.kind in (StepKind.CHOICE, StepKind.MULTI):
        return render_choices(questionnaire, conv, step, current)
    return render_review(questionnaire, conv, step, answers)


def render_choices(
    questionnaire: Questionnaire, conv: Conversation, step: Step, current: Answer | None
) -> Text:
    chosen = set(current.choice_list()) if current else set()
    rows: list[list[Button]] = []
    multi = step.kind is StepKind.MULTI
    action = StepAction.TOGGLE if multi else StepAction.CHOOSE
    for option in step.options:
        mark = (
            ("☑️ " if option.id in chosen else "▫️ ")
            if multi
            else ("✔️ " if option.id in chosen else "")
        )
        rows.append(
            [button(conv, step, mark + questionnaire.option_label(step, option), action, option.id)]
        )
    if multi:
        rows.append([button(conv, step, _("Done ✔️"), StepAction.DONE)])
    text = _question_text(questionnaire, step, current)
    if multi and current is not None and current.text:
        text += "\n\n" + fmt(_("You also wrote: <i>{answer}</i>"), answer=current.text)
    return Text(text=text, buttons=keyboard(*rows, _nav_row(conv, step, questionnaire)))


def render_areas(
    questionnaire: Questionnaire,
    conv: Conversation,
    step: Step,
    lpus: Sequence[Lpu],
    remembered: tuple[int, str] | None,
) -> Text:
    rows: list[list[Button]] = []
    if remembered is not None:
        community_id, name = remembered
        rows.append(
            [
                button(
                    conv,
                    step,
                    fmt_plain(_("📍 {name}"), name=name),
                    StepAction.COMMUNITY,
                    str(community_id),
                )
            ]
        )
    pairs = [button(conv, step, lpu.name, StepAction.LPU, str(lpu.id)) for lpu in lpus]
    rows.extend(pairs[i : i + 2] for i in range(0, len(pairs), 2))
    text = "\n\n".join(
        filter(None, [f"<i>{progress(questionnaire, step)}</i>", questionnaire.text_of(step)])
    )
    return Text(text=text, buttons=keyboard(*rows, _nav_row(conv, step, questionnaire)))


def community_buttons(
    conv: Conversation, step: Step, communities: Sequence[tuple[int, str]], *, with_areas: bool
) -> Keyboard:
    picks = [button(conv, step, name, StepAction.COMMUNITY, str(cid)) for cid, name in communities]
    rows = [picks[i : i + 2] for i in range(0, len(picks), 2)]
    if with_areas:
        rows.append([button(conv, step, _("◀️ All areas"), StepAction.AREAS)])
    return keyboard(*rows)


def render_review(
    questionnaire: Questionnaire, conv: Conversation, step: Step, answers: Sequence[Answer]
) -> Text:
    by_question = {a.question: a for a in answers}
    lines = [questionnaire.text_of(step)]
    edit_buttons: list[Button] = []
    for question in questionnaire.questions:
        label = questionnaire.text_of(question, "short")
        lines.append(
            f"<b>{label}</b>\n{answer_summary(questionnaire, question, by_question.get(question.id))}"
        )
        edit_buttons.append(
            button(conv, step, fmt_plain(_("✏️ {label}"), label=label), StepAction.EDIT, question.id)
        )
    if conv.anonymous:
        lines.append(_("🕶 You are answering anonymously."))
    hint = questionnaire.text_of(step, "hint")
    if hint:
        lines.append(hint)
    rows = [edit_buttons[i : i + 2] for i in range(0, len(edit_buttons), 2)]
    rows.append([button(conv, step, _("📨 Send my answers"), StepAction.SUBMIT)])
    return Text(text="\n\n".join(lines), buttons=keyboard(*rows))
