"""What to say when a lookup finds nothing to show."""

from __future__ import annotations

from handlers.i18n import _
from handlers.markup import fmt
from handlers.outbound import Text

NATIONAL_FINDER = "https://www.police.uk/pu/find-a-neighbourhood/"


def outcome_message(reason: str) -> Text:
    """What to say when a lookup finds nothing to show."""
    texts = {
        "invalid": _(
            "That does not look like a postcode. Please check it and try again, "
            "for example: CH3 8EH"
        ),
        "unknown": _(
            "I could not find that. Try your full postcode (for example CH3 8EH), "
            "or the name of your town or village."
        ),
        "unavailable": _(
            "I cannot check postcodes just now. Please type the name of your "
            "town or village instead."
        ),
        "outside": fmt(
            _(
                "That is outside our area. To find the policing team where you "
                "live, use the national finder: {link}"
            ),
            link=NATIONAL_FINDER,
        ),
    }
    return Text(text=texts[reason])
