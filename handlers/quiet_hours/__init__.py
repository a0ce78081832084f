"""Quiet hours: messages that can wait (reminders for tomorrow, news from a team,
broadcasts not marked urgent) are held during a resident's quiet window and go out
when it ends. 21:00 to 08:00 local time unless the resident changes it (/quiet).

- ``window``: reading and writing a window, and when it ends (pure, clock changes included);
- ``rule``: the dispatcher's rule (``handlers.deliveries.hold``), registered on import;
- ``settings``: the resident's menu, its buttons and a window typed in their own words.

A row is held when it was scheduled ``quiet`` and is not ``urgent``.
"""

import handlers.quiet_hours.rule  # noqa: F401  (registers the rule with the dispatcher)
