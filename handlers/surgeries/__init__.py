"""Police surgeries reach the community's followers: a new one (a weekly one once, not
each date), a date moved, a date or every date cancelled.

- ``notices``: queue one ``surgery_notice`` per follower (muted followers too: muting
  stops broadcasts only), in one statement; called by the organisers' changes
  (``handlers.events.organise``);
- ``compose``: what a notice says, composed when it is sent, in the follower's
  language, from the surgery as it is then; registered on import.

Notices are quiet (held during the follower's quiet hours). Whoever said they are
coming to a moved or cancelled date is told by the event's own notice instead, and
whoever still has a notice about the surgery waiting gets that one, up to date.
"""

import handlers.surgeries.compose  # noqa: F401  (registers the composer)
