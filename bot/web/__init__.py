"""The organisers' web dashboard: server-rendered pages over the same core and database.

- ``app``: the Starlette application, built from the bot's ``App``;
- ``server``: serving it with uvicorn, alone (``chinwag web``) or beside the bot;
- ``context``: what every request needs (``request.app.state.web``);
- ``auth``: sessions, CSRF, and ``staff_page``, the guard every page goes through;
- ``scope``: who is looking, and the area their stored role covers;
- ``templating``: Jinja2 with the bot's gettext catalogues, in the viewer's language;
- ``charts``, ``csv_export``, ``headers``: inline SVG charts, CSV downloads, security headers;
- ``chat_actions``: a dashboard action runs the chat's own handler, as the staff member;
- ``pages/``: one module per page (``signin``: the links from ``/dashboard``).

It is part of the application layer: it may use ``handlers`` and ``storage``, which
never import it.
"""
