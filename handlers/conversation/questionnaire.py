"""Questionnaires as data: loading and validating the TOML files in ``handlers/questionnaires``.

Texts in a questionnaire file are English source strings; at run time they are
translated with the context ``"<questionnaire>.<step>"`` (see ``text_of``), so the
same English sentence in two places can be translated differently.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

# Under another name than ``_p``: the texts come from the questionnaire files, and
# ``chinwag i18n extract`` reads them there, with their contexts, not from these calls.
from handlers.i18n import _p as in_context

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent.parent / "questionnaires"
_ID = re.compile(r"^[a-z][a-z0-9_]{0,23}$")
DEFAULT_MAX_LENGTH = 1000


class StepKind(StrEnum):
    INFO = "info"
    CONSENT = "consent"
    COMMUNITY = "community"
    TEXT = "text"
    CHOICE = "choice"
    MULTI = "multi"
    REVIEW = "review"


ANSWERED_KINDS = {StepKind.COMMUNITY, StepKind.TEXT, StepKind.CHOICE, StepKind.MULTI}


class QuestionnaireError(ValueError):
    """A questionnaire file is malformed."""


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    kind: StepKind
    text: str
    short: str = ""
    hint: str = ""
    button: str = ""
    optional: bool = False
    max_length: int = DEFAULT_MAX_LENGTH
    allow_text: bool = False
    allow_anonymous: bool = True
    options: tuple[Option, ...] = ()

    @property
    def is_question(self) -> bool:
        return self.kind in ANSWERED_KINDS


@dataclass(frozen=True, slots=True)
class Questionnaire:
    id: str
    title: str
    description: str
    done: str
    steps: tuple[Step, ...]
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({step.id: i for i, step in enumerate(self.steps)})

    def step(self, step_id: str) -> Step | None:
        i = self._index.get(step_id)
        return None if i is None else self.steps[i]

    @property
    def first(self) -> Step:
        return self.steps[0]

    def after(self, step_id: str) -> Step | None:
        i = self._index[step_id]
        return self.steps[i + 1] if i + 1 < len(self.steps) else None

    def before(self, step_id: str) -> Step | None:
        i = self._index[step_id]
        return self.steps[i - 1] if i > 0 else None

    @property
    def questions(self) -> list[Step]:
        return [s for s in self.steps if s.is_question]

    def text_of(self, step: Step, attribute: str = "text") -> str:
        """A step's text (or ``short``, ``hint``, ``button``) in the current locale."""
        source: str = getattr(step, attribute)
        return in_context(f"{self.id}.{step.id}", source) if source else ""

    def option_label(self, step: Step, option: Option) -> str:
        return in_context(f"{self.id}.{step.id}.{option.id}", option.label)

    def title_text(self) -> str:
        return in_context(f"{self.id}.title", self.title)

    def description_text(self) -> str:
        return in_context(f"{self.id}.description", self.description)

    def done_text(self) -> str:
        return in_context(f"{self.id}.done", self.done)


def _require_id(value: object, where: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise QuestionnaireError(f"{where}: id {value!r} must be lower-case letters, digits, _")
    return value


def _step_from(raw: dict[str, object], where: str) -> Step:
    step_id = _require_id(raw.get("id"), where)
    try:
        kind = StepKind(str(raw.get("type")))
    except ValueError as exc:
        raise QuestionnaireError(f"{where}: unknown step type {raw.get('type')!r}") from exc
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise QuestionnaireError(f"{where}: step {step_id} has no text")
    options = []
    raw_options = raw.get("options") or []
    if not isinstance(raw_options, list):
        raise QuestionnaireError(f"{where}: options must be a list")
    for j, opt in enumerate(raw_options):
        if not isinstance(opt, dict) or not isinstance(opt.get("label"), str):
            raise QuestionnaireError(f"{where}: option {j} needs an id and a label")
        options.append(Option(_require_id(opt.get("id"), f"{where} option {j}"), opt["label"]))
    if kind in (StepKind.CHOICE, StepKind.MULTI) and len(options) < 2:
        raise QuestionnaireError(f"{where}: step {step_id} needs at least two options")
    if kind.value in ("text", "choice", "multi", "community") and not raw.get("short"):
        raise QuestionnaireError(f"{where}: question {step_id} needs a short label for review")
    max_length = raw.get("max_length", DEFAULT_MAX_LENGTH)
    if (
        isinstance(max_length, bool)
        or not isinstance(max_length, int)
        or not 1 <= max_length <= 3500
    ):
        raise QuestionnaireError(f"{where}: max_length must be between 1 and 3500")
    return Step(
        id=step_id,
        kind=kind,
        text=text,
        short=str(raw.get("short", "")),
        hint=str(raw.get("hint", "")),
        button=str(raw.get("button", "")),
        optional=bool(raw.get("optional", False)),
        max_length=max_length,
        allow_text=bool(raw.get("allow_text", False)),
        allow_anonymous=bool(raw.get("allow_anonymous", True)),
        options=tuple(options),
    )


def parse(data: dict[str, object], source: str = "<data>") -> Questionnaire:
    qid = _require_id(data.get("id"), source)
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise QuestionnaireError(f"{source}: no steps")
    steps = tuple(_step_from(raw, f"{source} step {i + 1}") for i, raw in enumerate(raw_steps))
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids):
        raise QuestionnaireError(f"{source}: step ids repeat")
    if steps[-1].kind is not StepKind.REVIEW:
        raise QuestionnaireError(f"{source}: the last step must be the review")
    for key in ("title", "description", "done"):
        if not isinstance(data.get(key), str):
            raise QuestionnaireError(f"{source}: needs a {key}")
    return Questionnaire(
        id=qid,
        title=str(data["title"]),
        description=str(data["description"]),
        done=str(data["done"]),
        steps=steps,
    )


def load(path: Path) -> Questionnaire:
    with path.open("rb") as fh:
        return parse(tomllib.load(fh), path.name)


def load_all(directory: Path = QUESTIONNAIRE_DIR) -> dict[str, Questionnaire]:
    found = {}
    for path in sorted(directory.glob("*.toml")):
        questionnaire = load(path)
        found[questionnaire.id] = questionnaire
    return found
