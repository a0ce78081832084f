"""Broadcasts: a team tells its followers something, at Telegram's pace, and can stop.

``flow`` is the sender's chat (compose, preview, send now or later, stop);
``delivery`` is what the delivery engine does with it (the message each follower
gets, the fan-out of scheduled ones, the sender's live status message); ``mute``
is the follower's one-tap "stop these messages". Who may send to whom is in
``audience``, checked again from the stored role at every step.
"""
