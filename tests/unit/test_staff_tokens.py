"""Staff invitation tokens, their ``/start`` payload, the stored hash and the refusal log."""

from __future__ import annotations

import logging
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.events.deeplink import MAX_PAYLOAD, deep_link, parse_start_payload
from handlers.inbound import ButtonPress, Command, Sender, TextMessage
from handlers.staff.guard import payload_prefix
from handlers.staff.scope import Scope, ScopeError, check_scope
from handlers.staff.tokens import (
    PREFIX,
    TOKEN_LENGTH,
    invite_payload,
    new_invite_token,
    parse_invite_payload,
)
from storage.models import Community, Lpu
from storage.repositories.invites import token_hash

URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
SENDER = Sender(1, 1, "Sam")


def test_a_new_token_is_long_random_and_url_safe() -> None:
    tokens = {new_invite_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert len(token) == TOKEN_LENGTH and re.fullmatch(r"[A-Za-z0-9_\-]+", token)


def test_the_payload_round_trips_and_fits_a_deep_link() -> None:
    token = new_invite_token()
    payload = invite_payload(token)
    assert payload == f"staff-{token}" and len(payload) <= MAX_PAYLOAD
    assert parse_invite_payload(payload) == token
    assert deep_link("chinwag_bot", payload).endswith(f"?start=staff-{token}")
    assert parse_start_payload(payload) is None  # not mistaken for an event link


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "staff-",
        "staff",
        "staff-" + "a" * (TOKEN_LENGTH - 1),
        "staff-" + "a" * (TOKEN_LENGTH + 1),
        "staff-" + "a" * (TOKEN_LENGTH - 1) + "!",
        "staff-" + "a" * TOKEN_LENGTH + "\n",
        "Staff-" + "a" * TOKEN_LENGTH,
        " staff-" + "a" * TOKEN_LENGTH,
        "staff_" + "a" * TOKEN_LENGTH,
        "ev-12-abcdefgh",
        "staff-" + "é" * TOKEN_LENGTH,
    ],
)
def test_anything_else_is_not_an_invitation(payload: str) -> None:
    assert parse_invite_payload(payload) is None


@pytest.mark.parametrize("bad", ["", "short", "a" * 31 + "/", 42, None])
def test_invite_payload_refuses_a_token_it_did_not_make(bad: object) -> None:
    with pytest.raises(ValueError):
        invite_payload(bad)  # type: ignore[arg-type]


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=80))
def test_the_parser_never_raises(payload: str) -> None:
    token = parse_invite_payload(payload)
    assert token is None or (payload == PREFIX + token and len(token) == TOKEN_LENGTH)


@given(st.text(alphabet=URL_SAFE, min_size=TOKEN_LENGTH, max_size=TOKEN_LENGTH))
def test_every_well_formed_token_is_read_back(token: str) -> None:
    assert parse_invite_payload(invite_payload(token)) == token


def test_only_a_hash_of_the_token_is_stored() -> None:
    token = new_invite_token()
    stored = token_hash(token)
    assert len(stored) == 64 and token not in stored
    assert stored == token_hash(token) != token_hash(new_invite_token())


# -- scope -------------------------------------------------------------------------------

CHESTER = Lpu(id=1, force_id=1, slug="chester", name="Chester")
CREWE = Lpu(id=2, force_id=1, slug="crewe", name="Crewe")
TARVIN = Community(id=10, force_id=1, lpu_id=1, slug="tarvin", name="Tarvin")


@pytest.mark.parametrize(
    ("role", "lpu", "community", "scope"),
    [
        ("pcso", None, TARVIN, Scope("pcso", 1, 10)),
        ("officer", CHESTER, TARVIN, Scope("officer", 1, 10)),
        ("sergeant", CHESTER, None, Scope("sergeant", 1)),
        ("inspector", None, TARVIN, Scope("inspector", 1, 10)),
        ("organiser", CREWE, None, Scope("organiser", 2)),
        ("organiser", None, None, Scope("organiser")),
        ("admin", None, None, Scope("admin")),
        ("resident", None, None, Scope("resident")),
    ],
)
def test_each_role_gets_its_area(
    role: str, lpu: Lpu | None, community: Community | None, scope: Scope
) -> None:
    assert check_scope(role, lpu, community) == scope


@pytest.mark.parametrize(
    ("role", "lpu", "community", "why"),
    [
        ("pcso", None, None, "needs --community"),
        ("officer", CHESTER, None, "needs --community"),
        ("sergeant", None, None, "needs --lpu"),
        ("inspector", CREWE, TARVIN, "not in the LPU"),
        ("pcso", CREWE, TARVIN, "not in the LPU"),
        ("organiser", None, TARVIN, "across an LPU"),
        ("admin", CHESTER, None, "takes no"),
        ("resident", None, TARVIN, "takes no"),
        ("superintendent", None, None, "unknown role"),
    ],
)
def test_a_scope_that_does_not_fit_is_refused(
    role: str, lpu: Lpu | None, community: Community | None, why: str
) -> None:
    with pytest.raises(ScopeError, match=why):
        check_scope(role, lpu, community)


# -- what a refusal logs -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "prefix"),
    [
        (ButtonPress(sender=SENDER, data="og:cx1y:42"), "og"),
        (ButtonPress(sender=SENDER, data="dr:7:summary:v:-"), "dr"),
        (ButtonPress(sender=SENDER, data="<script>:1"), "?"),
        (ButtonPress(sender=SENDER, data="x" * 60), "?"),
        (Command(sender=SENDER, name="organise", payload="secret words"), "/organise"),
        (TextMessage(sender=SENDER, text="my address is 1 High Street"), "TextMessage"),
    ],
)
def test_the_log_names_the_kind_of_input_never_its_content(event: object, prefix: str) -> None:
    assert payload_prefix(event) == prefix  # type: ignore[arg-type]


def test_refusals_go_to_the_security_logger() -> None:
    from handlers.staff import guard

    assert guard.security_log is logging.getLogger("chinwag.security")
