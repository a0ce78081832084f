"""``chinwag sync police-uk [--force cheshire] [--rate 8]``: the command around the sync."""

from __future__ import annotations

import re
import sys
from functools import partial

from bot.errors import ConfigError
from bot.integrations.police_uk import DEFAULT_RATE, PoliceApiError, PoliceUkClient, segment
from bot.settings import Settings
from bot.sync.police_uk import sync_force
from bot.sync.progress import progress_on_stderr

MAX_RATE = 15.0  # data.police.uk's own limit; the default stays well under it
FORCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")  # "cheshire", "avon-and-somerset"


def check_rate(rate: float) -> float:
    if not 0 < rate <= MAX_RATE:
        raise ConfigError(
            f"--rate: {rate:g} is not a request rate we use "
            f"(more than 0 and at most {MAX_RATE:g} a second; the default is {DEFAULT_RATE:g})"
        )
    return rate


def check_force(force: str) -> str:
    force = force.strip().lower()
    if not FORCE_ID.match(force):
        raise ConfigError(f"--force: {force!r} is not a data.police.uk force id (e.g. cheshire)")
    return force


async def sync_police_uk(settings: Settings, *, force: str | None, rate: float) -> int:
    """Apply migrations, sync, print the summary; 1 if any neighbourhood failed."""
    from bot.bootstrap import build_app

    force = check_force(force or settings.police_force)
    rate = check_rate(rate)
    app = await build_app(settings)
    try:
        async with PoliceUkClient(settings.police_api_url, rate=rate) as client:
            summary = await sync_force(
                app.deps.uow,
                client,
                force,
                progress=partial(progress_on_stderr, desc=f"police.uk {force}"),
            )
    except PoliceApiError as exc:
        if exc.status == 404 and exc.path == f"/forces/{segment(force)}":
            raise ConfigError(f"--force: data.police.uk has no force {force!r}") from None
        print(f"chinwag: sync failed, nothing was changed: {exc}", file=sys.stderr)
        return 1
    finally:
        await app.close()
    print("\n".join(summary.lines()))
    return 0 if summary.ok else 1
