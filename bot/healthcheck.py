"""A container health check: ask this worker's own ``/healthz``.

Usage (the Dockerfile's HEALTHCHECK):
    python -m bot.healthcheck

It asks the server at ``CHINWAG_METRICS_LISTEN`` if that is set, else the webhook
server at ``CHINWAG_LISTEN`` when ``CHINWAG_WEBHOOK_URL`` is set; a host of
``0.0.0.0`` or ``::`` is asked on the loopback address. Exit 0 when it answers 200,
1 otherwise. In long-polling mode with no ``CHINWAG_METRICS_LISTEN`` nothing serves
``/healthz``: it says so and exits 0, since there is nothing it could find wrong.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

from bot.errors import ConfigError
from bot.settings import Settings, load_settings
from bot.webhook import parse_listen

TIMEOUT_SECONDS = 4.0
ANY_ADDRESS = {"0.0.0.0", "::", ""}


def health_url(settings: Settings) -> str | None:
    if settings.metrics_listen:
        host, port = parse_listen(settings.metrics_listen, "CHINWAG_METRICS_LISTEN")
    elif settings.webhook_url:
        host, port = parse_listen(settings.listen)
    else:
        return None
    if host in ANY_ADDRESS:
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/healthz"


def main() -> int:
    try:
        url = health_url(load_settings())
    except ConfigError as exc:
        print(f"unhealthy: {exc}")
        return 1
    if url is None:
        print("no /healthz to ask: long polling without CHINWAG_METRICS_LISTEN")
        return 0
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {url}: {exc}")
        return 1
    print(f"{url}: {status}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
