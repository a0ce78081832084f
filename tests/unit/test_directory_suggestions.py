"""Names found in "what already exists" answers: known partners and capitalised names."""

from __future__ import annotations

from handlers.directory.suggestions import names_in, normalise


def test_partners_and_capitalised_names_count_once_per_answer() -> None:
    found = names_in(
        [
            "We have the Tarvin Community Choir and Neighbourhood Watch. Neighbourhood Watch!",
            "neighbourhood watch, and the fire service came to school",
            "Nothing much really",
        ]
    )
    assert ("neighbourhood watch", "Neighbourhood Watch", 2) in found
    assert ("tarvin community choir", "Tarvin Community Choir", 1) in found
    assert ("cheshire fire and rescue", "Cheshire Fire and Rescue", 1) in found
    assert len(found) == 3


def test_normalise_folds_case_accents_and_punctuation() -> None:
    assert normalise("  Café-Club  of  Hoole! ") == "cafe club of hoole"
