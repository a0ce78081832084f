"""The organisation engagement plan: a second questionnaire from the same engine."""

from __future__ import annotations

from handlers.context import Deps
from tests.integration.test_resident_conversation import answers_of
from tests.support.resident import Resident


async def test_an_organisation_completes_its_engagement_plan(deps: Deps) -> None:
    r = Resident(deps, 6_100_000_001, "Sam")
    await r.send("/start")
    await r.press("Organisation engagement plan")
    await r.press("Start")
    assert [b.label for b in r.buttons() if "anonymous" in b.label] == []  # named, not anonymous
    await r.press("I agree")
    await r.send("Tarvin Community Centre")
    await r.press("Charity or voluntary group")
    for text in (
        "Newsletter and Facebook",
        "Annual survey",
        "Residents on our board",
        "Joint events with the PCSO",
        "Small grants",
    ):
        await r.send(text)
    await r.send("Tarvin and Kelsall")
    await r.press("Older people")
    await r.press("Disabled people")
    await r.press("Done")
    await r.send("Two staff and ten volunteers")
    for _ in range(4):
        await r.press("Skip")
    await r.send("A bigger venue")
    for _ in range(3):
        await r.press("Skip")
    assert "Please check your answers" in r.text
    assert "Charity or voluntary group" in r.text and "Disabled people; Older people" in r.text
    await r.press("Send my answers")
    assert "engagement plan has been sent" in r.text

    answers = await answers_of(deps, 6_100_000_001)
    assert answers["org_name"].text == "Tarvin Community Centre"
    assert answers["org_type"].choice_list() == ["voluntary"]
    assert answers["interest"].choice_list() == ["disabled", "older"]
    assert answers["need"].text == "A bigger venue"
    assert "plans" not in answers


async def test_a_choice_can_be_typed_instead_of_tapped(deps: Deps) -> None:
    r = Resident(deps, 6_100_000_002)
    await r.send("/start")
    await r.press("Organisation engagement plan")
    await r.press("Start")
    await r.press("I agree")
    await r.send("Fire station")
    await r.send("fire and rescue")
    assert (await answers_of(deps, 6_100_000_002))["org_type"].choice_list() == ["fire"]
