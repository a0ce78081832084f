"""Organisers: put an event together in the chat (/organise), then manage it.

A draft (one ``event_drafts`` row per organiser) keeps the answers so far as JSON and
the step reached; every answer is written as it is given, so a draft survives a
restart, and ``/back`` and ``/cancel`` work as in the questionnaires. A draft has a
mode: ``event`` (a new event), ``move`` (a new time for an event) or ``group`` (a new
action group).

The role is read from the database on every step and every button: payloads carry
ids only, and a resident pressing a forged organiser button is refused with nothing
written (see ``handlers.roles``).

The modules, from the bottom up (each imports only modules listed before it):

- ``steps``, ``draft_data``, ``wording``, ``buttons``, ``access``, ``draft_buttons``,
  ``checkin_link``: the step order, a draft's saved answers, dates in words, menu
  buttons, who may do what, a draft's buttons, an event's link and QR code;
- ``create``, ``changes``: adding, moving and cancelling events (the CLI uses them too);
- ``prompts``, ``what``, ``when``, ``place``, ``summary``: each step's question;
- ``drafts``: showing the current step, going to another, /back and /cancel;
- ``save``, ``groups``, ``moving``, ``coming``: what a finished draft becomes, and
  the screens for groups, a new time and who is coming;
- ``advance``, ``presses``, ``answers``: answers moving a draft on (and /skip);
- ``manage`` and ``menu``: "My events" and the /organise menu.
"""
