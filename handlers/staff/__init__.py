"""Staff: roles given through one-time invitations, and refusals logged alike.

- ``tokens``: the random token and its ``/start staff-<token>`` payload;
- ``scope``: which area a role needs, checked once for granting and inviting;
- ``accept``: opening an invitation in the chat, and the welcome or refusal;
- ``wording``: how roles and areas read, and what each role can do;
- ``guard``: ``log_refused``, called wherever a staff action is refused.

Invitations are made, listed and revoked on the server (``chinwag staff``); the
role is always read from the database, never from a button.
"""
