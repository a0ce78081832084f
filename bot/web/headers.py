"""Security headers on every dashboard response.

No script, no frame, nothing from another origin (CSP; the room screen, and the
broadcasts page while one is sending, set their own, allowing one inline script by
nonce); no referrer, so a sign-in link never leaks to another site; pages are not
cached, since they show personal data and depend on who is signed in.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
CSP_HEADER = b"content-security-policy"  # a page that sets its own (the room screen) keeps it
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                own_csp = any(name.lower() == CSP_HEADER for name, _ in headers)
                headers += [h for h in HEADERS if not (own_csp and h[0] == CSP_HEADER)]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
