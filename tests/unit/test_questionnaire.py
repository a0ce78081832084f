"""Questionnaires as data: the shipped TOML files, validation and navigation."""

from __future__ import annotations

import copy
import itertools
import tomllib
from pathlib import Path
from typing import Any

import pytest

from handlers.conversation.questionnaire import (
    DEFAULT_MAX_LENGTH,
    QUESTIONNAIRE_DIR,
    Questionnaire,
    QuestionnaireError,
    Step,
    StepKind,
    load,
    load_all,
    parse,
)

RESIDENT_STEPS = [
    "welcome",
    "consent",
    "community",
    "exists",
    "needs",
    "issues",
    "future",
    "anything_else",
    "review",
]


def step(questionnaire: Questionnaire, step_id: str) -> Step:
    found = questionnaire.step(step_id)
    assert found is not None, step_id
    return found


@pytest.fixture(scope="module")
def shipped() -> dict[str, Questionnaire]:
    return load_all()


@pytest.fixture(scope="module")
def resident(shipped: dict[str, Questionnaire]) -> Questionnaire:
    return shipped["resident"]


# --- the shipped questionnaires --------------------------------------------------------


def test_both_shipped_questionnaires_load(shipped: dict[str, Questionnaire]) -> None:
    assert set(shipped) == {"resident", "organisation"}
    assert sorted(p.stem for p in QUESTIONNAIRE_DIR.glob("*.toml")) == sorted(shipped)
    for qid, questionnaire in shipped.items():
        assert questionnaire.id == qid
        assert questionnaire.title and questionnaire.description and questionnaire.done
        assert load(QUESTIONNAIRE_DIR / f"{qid}.toml") == questionnaire


def test_resident_steps_in_order(resident: Questionnaire) -> None:
    assert [s.id for s in resident.steps] == RESIDENT_STEPS
    assert step(resident, "welcome").kind is StepKind.INFO
    assert step(resident, "consent").kind is StepKind.CONSENT
    assert step(resident, "community").kind is StepKind.COMMUNITY
    assert step(resident, "review").kind is StepKind.REVIEW


def test_resident_only_anything_else_is_optional(resident: Questionnaire) -> None:
    assert step(resident, "anything_else").optional is True
    assert [s.id for s in resident.steps if s.optional] == ["anything_else"]


def test_resident_issues_is_multi_choice(resident: Questionnaire) -> None:
    issues = step(resident, "issues")
    assert issues.kind is StepKind.MULTI
    option_ids = {o.id for o in issues.options}
    assert {"asb", "speeding", "drugs", "burglary", "litter", "youth", "loneliness"} <= option_ids
    assert len(option_ids) == len(issues.options)
    assert all(o.label for o in issues.options)
    assert issues.allow_text is True


def test_every_question_has_a_short_label(shipped: dict[str, Questionnaire]) -> None:
    for questionnaire in shipped.values():
        for step in questionnaire.questions:
            assert step.short, f"{questionnaire.id}.{step.id}"
            assert 1 <= step.max_length <= 3500


def test_organisation_questionnaire(shipped: dict[str, Questionnaire]) -> None:
    organisation = shipped["organisation"]
    assert organisation.steps[-1].kind is StepKind.REVIEW
    assert organisation.steps[-1].id == "review"
    assert len(organisation.questions) >= 10
    assert organisation.first.kind is StepKind.INFO


# --- navigation ------------------------------------------------------------------------


def test_navigation(resident: Questionnaire) -> None:
    assert resident.first.id == "welcome"
    for here, there in itertools.pairwise(RESIDENT_STEPS):
        following, preceding = resident.after(here), resident.before(there)
        assert following is not None and following.id == there
        assert preceding is not None and preceding.id == here
    assert resident.after("review") is None
    assert resident.before("welcome") is None
    assert resident.step("nope") is None
    with pytest.raises(KeyError):
        resident.after("nope")


def test_questions_are_the_answered_steps(resident: Questionnaire) -> None:
    assert [s.id for s in resident.questions] == [
        "community",
        "exists",
        "needs",
        "issues",
        "future",
        "anything_else",
    ]
    assert all(s.is_question for s in resident.questions)
    assert not step(resident, "welcome").is_question
    assert not step(resident, "review").is_question


def test_text_of_falls_back_to_the_english_source(resident: Questionnaire) -> None:
    anything = step(resident, "anything_else")
    assert resident.text_of(anything) == anything.text
    assert resident.text_of(anything, "short") == "Anything else"
    assert resident.text_of(step(resident, "consent"), "hint") == ""
    issues = step(resident, "issues")
    assert resident.option_label(issues, issues.options[0]) == issues.options[0].label
    assert resident.title_text() == resident.title


# --- validation ------------------------------------------------------------------------


def minimal() -> dict[str, Any]:
    return {
        "id": "tiny",
        "title": "Tiny",
        "description": "A tiny questionnaire",
        "done": "Thanks",
        "steps": [
            {"id": "hello", "type": "info", "text": "Hello", "button": "Start"},
            {"id": "name", "type": "text", "short": "Name", "text": "Your name?"},
            {
                "id": "colour",
                "type": "choice",
                "short": "Colour",
                "text": "Pick one",
                "options": [{"id": "red", "label": "Red"}, {"id": "blue", "label": "Blue"}],
            },
            {"id": "review", "type": "review", "text": "Check"},
        ],
    }


def test_minimal_questionnaire_parses() -> None:
    questionnaire = parse(minimal())
    assert [s.id for s in questionnaire.steps] == ["hello", "name", "colour", "review"]
    assert step(questionnaire, "name").max_length == DEFAULT_MAX_LENGTH
    assert [o.id for o in step(questionnaire, "colour").options] == ["red", "blue"]


def test_shipped_files_parse_the_same_via_parse() -> None:
    path = QUESTIONNAIRE_DIR / "resident.toml"
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    assert parse(data, "resident.toml") == load(path)


def _broken(change: str) -> dict[str, Any]:
    data = copy.deepcopy(minimal())
    steps = data["steps"]
    if change == "missing id":
        del data["id"]
    elif change == "bad questionnaire id":
        data["id"] = "Tiny Questionnaire"
    elif change == "bad step id":
        steps[1]["id"] = "Name-Step"
    elif change == "missing step id":
        del steps[1]["id"]
    elif change == "unknown type":
        steps[1]["type"] = "essay"
    elif change == "missing type":
        del steps[1]["type"]
    elif change == "one option":
        steps[2]["options"] = steps[2]["options"][:1]
    elif change == "multi without options":
        steps[2]["type"] = "multi"
        del steps[2]["options"]
    elif change == "no short":
        del steps[1]["short"]
    elif change == "community without short":
        steps[1] = {"id": "where", "type": "community", "text": "Where?"}
    elif change == "duplicate ids":
        steps[2]["id"] = "name"
    elif change == "last not review":
        steps.pop()
    elif change == "review in the middle":
        steps.insert(1, steps.pop())
    elif change == "max_length 0":
        steps[1]["max_length"] = 0
    elif change == "max_length 3501":
        steps[1]["max_length"] = 3501
    elif change == "max_length text":
        steps[1]["max_length"] = "100"
    elif change == "max_length true":
        steps[1]["max_length"] = True
    elif change == "no steps":
        data["steps"] = []
    elif change == "no text":
        steps[1]["text"] = "   "
    elif change == "option without label":
        steps[2]["options"][1] = {"id": "blue"}
    elif change == "bad option id":
        steps[2]["options"][1]["id"] = "Blue!"
    elif change == "options not a list":
        steps[2]["options"] = "red, blue"
    elif change == "no title":
        del data["title"]
    else:  # pragma: no cover
        raise AssertionError(change)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("missing id", r"id None must be"),
        ("bad questionnaire id", r"id 'Tiny Questionnaire' must be"),
        ("bad step id", r"step 2: id 'Name-Step' must be"),
        ("missing step id", r"step 2: id None must be"),
        ("unknown type", r"step 2: unknown step type 'essay'"),
        ("missing type", r"step 2: unknown step type None"),
        ("one option", r"step colour needs at least two options"),
        ("multi without options", r"step colour needs at least two options"),
        ("no short", r"question name needs a short label"),
        ("community without short", r"question where needs a short label"),
        ("duplicate ids", r"step ids repeat"),
        ("last not review", r"last step must be the review"),
        ("review in the middle", r"last step must be the review"),
        ("max_length 0", r"step 2: max_length must be between 1 and 3500"),
        ("max_length 3501", r"step 2: max_length must be between 1 and 3500"),
        ("max_length text", r"step 2: max_length must be between 1 and 3500"),
        ("max_length true", r"step 2: max_length must be between 1 and 3500"),
        ("no steps", r"no steps"),
        ("no text", r"step name has no text"),
        ("option without label", r"option 1 needs an id and a label"),
        ("bad option id", r"option 1: id 'Blue!' must be"),
        ("options not a list", r"step 3: options must be a list"),
        ("no title", r"needs a title"),
    ],
)
def test_parse_rejects(change: str, message: str) -> None:
    with pytest.raises(QuestionnaireError, match=message) as caught:
        parse(_broken(change), "tiny.toml")
    assert str(caught.value).startswith("tiny.toml")


def test_max_length_bounds_are_inclusive() -> None:
    for value in (1, 3500):
        data = minimal()
        data["steps"][1]["max_length"] = value
        assert step(parse(data), "name").max_length == value


def test_load_all_reports_the_bad_file(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('id = "bad"\ntitle = "x"\n', encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=r"bad.toml: no steps"):
        load_all(tmp_path)
