"""The delivery engine over a real database, with a fake Bot API port and a set clock."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from bot.bootstrap import App, build_app
from bot.dispatcher import DispatchConfig, Dispatcher
from bot.scheduler import DeliveryScheduler, start_deliveries
from bot.settings import Settings
from bot.transports import render
from bot.transports.port import Classified, Failure
from bot.transports.terminal import TerminalChat
from bot.transports.terminal_port import TerminalPort
from handlers.context import Deps
from handlers.deliveries import compose, composer, message_payload
from handlers.i18n import current_locale
from handlers.outbound import Button, Keyboard, OutboundReply, Text, keyboard
from storage.migrate import upgrade
from storage.models import Community, Delivery, Follow, User
from storage.uow import UnitOfWork

CHAT = 5_000_000_321  # beyond 32 bits, as Telegram's ids are
START = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
FAST = DispatchConfig(rate=10_000, per_chat_interval=0.0)


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class ApiFailure(Exception):
    def __init__(self, status: int, description: str = "", retry_after: float = 0.0) -> None:
        super().__init__(description or f"error {status}")
        self.status = status
        self.retry_after = retry_after


class FakePort:
    """A ``BotApiPort`` that records what it is asked to send and fails on demand."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str, Keyboard]] = []
        self.failures: list[ApiFailure] = []
        self.call_times: list[float] = []
        self.last_id = 100
        self.gate: asyncio.Event | None = None  # set: sends wait for it
        self.entered = asyncio.Event()

    async def _call(self) -> int:
        self.call_times.append(time.monotonic())
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        await asyncio.sleep(0)  # let concurrent dispatchers interleave
        if self.failures:
            raise self.failures.pop(0)
        self.last_id += 1
        return self.last_id

    async def send_text(
        self,
        chat_id: int,
        text: str,
        buttons: Keyboard,
        reply_keyboard: tuple[tuple[str, ...], ...],
        request_location: str | None,
        remove_keyboard: bool,
    ) -> int:
        message_id = await self._call()
        self.sent.append((chat_id, text, buttons))
        return message_id

    async def edit_text(self, chat_id: int, message_id: int, text: str, buttons: Keyboard) -> None:
        await self._call()

    async def answer_callback(self, callback_id: str, text: str, alert: bool) -> None:
        return None

    async def send_poll(
        self,
        chat_id: int,
        question: str,
        options: tuple[str, ...],
        allows_multiple: bool,
        anonymous: bool,
    ) -> tuple[int, str]:
        message_id = await self._call()
        self.sent.append((chat_id, question, ()))
        return message_id, f"poll-{message_id}"

    async def send_document(self, chat_id: int, filename: str, content: bytes, caption: str) -> int:
        return await self._call()

    async def send_venue(
        self, chat_id: int, latitude: float, longitude: float, title: str, address: str
    ) -> int:
        return await self._call()

    async def send_photo(self, chat_id: int, file_id: str, caption: str, buttons: Keyboard) -> int:
        return await self._call()

    async def delete_messages(self, chat_id: int, message_ids: tuple[int, ...]) -> None:
        await self._call()

    async def stop_poll(self, chat_id: int, message_id: int) -> None:
        await self._call()

    def classify(self, exc: BaseException) -> Classified | None:
        if not isinstance(exc, ApiFailure):
            return None
        if exc.status == 429:
            return Classified(Failure.RETRY_AFTER, exc.retry_after, str(exc))
        if exc.status == 403:
            return Classified(Failure.FORBIDDEN, description=str(exc))
        if exc.status >= 500:
            return Classified(Failure.TRANSIENT, description=str(exc))
        return Classified(Failure.BAD_REQUEST, description=str(exc))

    def texts(self) -> list[str]:
        return [text for _, text, _ in self.sent]


# Composers for the tests' own kinds (the registry is global; the kinds are unique).
@composer("test-obsolete")
async def _obsolete(
    deps: Deps, uow: UnitOfWork, delivery: Delivery, user: User | None
) -> list[OutboundReply] | None:
    return None


@composer("test-locale")
async def _in_locale(
    deps: Deps, uow: UnitOfWork, delivery: Delivery, user: User | None
) -> list[OutboundReply] | None:
    return [Text(text=f"locale={current_locale()} user={user.first_name if user else None}")]


@composer("test-two-parts")
async def _two_parts(
    deps: Deps, uow: UnitOfWork, delivery: Delivery, user: User | None
) -> list[OutboundReply] | None:
    return [Text(text="first"), Text(text="second")]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def port() -> FakePort:
    return FakePort()


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """5xx retries inside one send wait milliseconds, not seconds."""
    monkeypatch.setattr(render, "BACKOFF_SECONDS", (0.001, 0.001, 0.001, 0.001))
    yield


async def add_user(app: App, *, language: str = "en", follows: int = 2) -> User:
    async with app.deps.uow() as uow:
        user = await uow.users.add(
            User(telegram_id=CHAT, chat_id=CHAT, first_name="Robin", language=language)
        )
        assert user.id is not None
        communities = (await uow.session.exec(select(Community).limit(follows))).all()
        for community in communities:
            assert community.id is not None
            await uow.follows.follow(user.id, community.id)
        await uow.commit()
        return user


async def schedule(
    app: App,
    key: str,
    due: datetime,
    *,
    kind: str = "message",
    text: str | None = None,
    buttons: Keyboard = (),
    chat_id: int = CHAT,
    user_id: int | None = None,
    urgent: bool = False,
) -> int:
    async with app.deps.uow() as uow:
        row = await uow.deliveries.schedule(
            key=key,
            kind=kind,
            chat_id=chat_id,
            user_id=user_id,
            due_at=due,
            payload=message_payload(text or f"<b>{key}</b>", buttons),
            urgent=urgent,
        )
        await uow.commit()
        assert row.id is not None
        return row.id


async def load(app: App, delivery_id: int) -> Delivery:
    async with app.deps.uow() as uow:
        row = await uow.deliveries.get(delivery_id)
        assert row is not None
        return row


def dispatcher(
    app: App, port: FakePort, clock: Clock, config: DispatchConfig = FAST, worker: str = "w1"
) -> Dispatcher:
    return Dispatcher(app, port, worker, clock, config)


async def test_a_due_message_is_sent_once_and_a_future_one_waits(
    app: App, port: FakePort, clock: Clock
) -> None:
    buttons = keyboard([Button("Open", "ev:1")])
    now_id = await schedule(app, "m:now", clock.now, text="<b>Hello</b>", buttons=buttons)
    later_id = await schedule(app, "m:later", clock.now + timedelta(hours=1))
    d = dispatcher(app, port, clock)

    assert await d.run_due() == 1
    assert port.sent == [(CHAT, "<b>Hello</b>", buttons)]
    row = await load(app, now_id)
    assert (row.status, row.message_id, row.sent_at, row.attempts) == (
        "sent",
        port.last_id,
        START,
        1,
    )
    assert (await load(app, later_id)).status == "pending"

    assert await d.run_due() == 0  # nothing is sent twice
    assert len(port.sent) == 1

    clock.advance(hours=1)
    assert await d.run_due() == 1
    assert port.texts()[-1] == "<b>m:later</b>"


async def test_the_last_message_id_is_recorded(app: App, port: FakePort, clock: Clock) -> None:
    row_id = await schedule(app, "two", clock.now, kind="test-two-parts")
    await dispatcher(app, port, clock).run_due()
    assert port.texts() == ["first", "second"]
    assert (await load(app, row_id)).message_id == port.last_id


async def test_beyond_the_grace_window_a_reminder_is_missed_not_sent(
    app: App, port: FakePort, clock: Clock
) -> None:
    late = await schedule(app, "late", clock.now - timedelta(minutes=31))
    in_grace = await schedule(app, "in-grace", clock.now - timedelta(minutes=29))
    urgent = await schedule(app, "urgent", clock.now - timedelta(hours=3), urgent=True)
    d = dispatcher(app, port, clock)

    assert await d.run_due() == 3
    assert sorted(port.texts()) == ["<b>in-grace</b>", "<b>urgent</b>"]
    assert (await load(app, late)).status == "missed"
    assert (await load(app, in_grace)).status == "sent"
    assert (await load(app, urgent)).status == "sent"


async def test_the_grace_window_comes_from_the_settings(app: App) -> None:
    settings = app.settings.model_copy(update={"reminder_grace_minutes": 5, "send_rate": 12.5})
    config = DispatchConfig.from_settings(settings)
    assert config.grace == timedelta(minutes=5) and config.rate == 12.5
    assert DispatchConfig.from_settings(Settings()).grace == timedelta(minutes=30)


async def test_an_obsolete_delivery_is_cancelled(app: App, port: FakePort, clock: Clock) -> None:
    row_id = await schedule(app, "gone", clock.now, kind="test-obsolete")
    assert await dispatcher(app, port, clock).run_due() == 1
    assert port.sent == []
    assert (await load(app, row_id)).status == "cancelled"


async def test_the_composer_runs_in_the_recipients_language(
    app: App, port: FakePort, clock: Clock
) -> None:
    user = await add_user(app, language="pl")
    await schedule(app, "lang", clock.now, kind="test-locale", user_id=user.id)
    await dispatcher(app, port, clock).run_due()
    assert port.texts() == ["locale=pl user=Robin"]


async def test_a_delivery_whose_recipient_is_gone_is_obsolete(app: App, clock: Clock) -> None:
    row = Delivery(key="k", kind="message", chat_id=CHAT, user_id=987_654, due_at=clock.now)
    row.payload = message_payload("hello")
    async with app.deps.uow() as uow:
        assert await compose(app.deps, uow, row) is None  # no such user (forgotten meanwhile)
        row.user_id = None
        assert await compose(app.deps, uow, row) == [Text(chat_id=CHAT, text="hello")]


async def test_an_unknown_kind_or_a_bad_payload_fails_without_sending(
    app: App, port: FakePort, clock: Clock
) -> None:
    unknown = await schedule(app, "unknown", clock.now, kind="no-such-kind")
    bad = await schedule(app, "bad", clock.now)
    async with app.deps.uow() as uow:
        await uow.session.exec(
            update(Delivery).where(col(Delivery.id) == bad).values(payload="not json")  # type: ignore[call-overload]
        )
        await uow.commit()
    await dispatcher(app, port, clock).run_due()
    assert port.sent == []
    assert (await load(app, unknown)).status == "failed"
    assert "no-such-kind" in (await load(app, unknown)).last_error
    assert (await load(app, bad)).status == "failed"


async def test_a_blocked_user_fails_for_good_and_their_follows_stop(
    app: App, port: FakePort, clock: Clock
) -> None:
    user = await add_user(app)
    row_id = await schedule(app, "blocked", clock.now, user_id=user.id)
    port.failures = [ApiFailure(403, "Forbidden: bot was blocked by the user")]
    d = dispatcher(app, port, clock)

    assert await d.run_due() == 1
    row = await load(app, row_id)
    assert row.status == "failed" and "blocked" in row.last_error and "forbidden" in row.last_error
    assert len(port.call_times) == 1  # a 403 is not retried
    async with app.deps.uow() as uow:
        follows = (await uow.session.exec(select(Follow).where(Follow.user_id == user.id))).all()
    assert follows and not any(f.active for f in follows)

    clock.advance(hours=2)
    await d.run_due()
    assert len(port.call_times) == 1


async def test_two_server_errors_then_ok_is_sent(
    app: App, port: FakePort, clock: Clock, quick_retries: None
) -> None:
    row_id = await schedule(app, "flaky", clock.now)
    port.failures = [ApiFailure(500, "Internal Server Error"), ApiFailure(502, "Bad Gateway")]
    assert await dispatcher(app, port, clock).run_due() == 1
    row = await load(app, row_id)
    assert (row.status, row.attempts, row.message_id) == ("sent", 1, port.last_id)
    assert len(port.call_times) == 3 and port.texts() == ["<b>flaky</b>"]


async def test_a_lasting_outage_is_retried_later_then_fails(
    app: App, port: FakePort, clock: Clock, quick_retries: None
) -> None:
    row_id = await schedule(app, "down", clock.now)
    d = dispatcher(
        app, port, clock, DispatchConfig(rate=10_000, per_chat_interval=0, max_attempts=2)
    )
    port.failures = [ApiFailure(503, "Service Unavailable")] * render.MAX_ATTEMPTS
    assert await d.run_due() == 0
    row = await load(app, row_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.due_at == START + timedelta(minutes=1) and "Service Unavailable" in row.last_error

    assert await d.run_due() == 0  # not due yet
    clock.advance(minutes=1)
    port.failures = [ApiFailure(503, "Service Unavailable")] * render.MAX_ATTEMPTS
    assert await d.run_due() == 1
    assert (await load(app, row_id)).status == "failed"
    assert port.sent == []


async def test_a_429_is_obeyed(app: App, port: FakePort, clock: Clock) -> None:
    row_id = await schedule(app, "busy", clock.now)
    other = await schedule(app, "other", clock.now, chat_id=CHAT + 1)
    port.failures = [ApiFailure(429, "Too Many Requests: retry after 0.3", retry_after=0.3)]
    d = dispatcher(app, port, clock)
    assert await d.run_due() == 2
    first, retried, after = port.call_times
    assert retried - first >= 0.3 and after - first >= 0.3  # the pause held every send
    assert (await load(app, row_id)).status == "sent"
    assert (await load(app, other)).status == "sent"


async def test_rows_a_crashed_dispatcher_left_are_released_and_sent_once(
    app: App, port: FakePort, clock: Clock
) -> None:
    stale = [await schedule(app, f"stale:{i}", clock.now - timedelta(minutes=10)) for i in range(3)]
    fresh = await schedule(app, "fresh", clock.now - timedelta(minutes=10))
    async with app.deps.uow() as uow:  # as a kill -9 in the middle of a batch leaves them
        for ids, claimed_at in ((stale, clock.now - timedelta(minutes=6)), ([fresh], clock.now)):
            await uow.session.exec(
                update(Delivery)  # type: ignore[call-overload]
                .where(col(Delivery.id).in_(ids))
                .values(status="sending", claimed_by="dead", claimed_at=claimed_at, attempts=1)
            )
        await uow.commit()

    d = dispatcher(app, port, clock, worker="new")
    assert await d.run_due() == 3
    assert sorted(port.texts()) == [f"<b>stale:{i}</b>" for i in range(3)]
    assert (await load(app, fresh)).status == "sending"  # still another worker's
    for row_id in stale:
        row = await load(app, row_id)
        assert (row.status, row.claimed_by, row.attempts) == ("sent", "new", 2)

    await d.run_due()
    assert len(port.sent) == 3


async def test_due_rows_are_claimed_in_batches(app: App, port: FakePort, clock: Clock) -> None:
    for i in range(25):
        await schedule(app, f"b:{i}", clock.now, chat_id=CHAT + i)
    claims: list[int] = []
    d = dispatcher(
        app, port, clock, DispatchConfig(rate=10_000, per_chat_interval=0, batch_size=10)
    )
    original = d._claim

    async def counting_claim() -> list[Delivery]:
        rows = await original()
        claims.append(len(rows))
        return rows

    d._claim = counting_claim  # type: ignore[method-assign]
    assert await d.run_due() == 25
    assert claims == [10, 10, 5]
    assert Counter(port.texts()) == Counter(f"<b>b:{i}</b>" for i in range(25))


async def test_stopping_finishes_the_row_in_flight_and_gives_back_the_rest(
    app: App, port: FakePort, clock: Clock
) -> None:
    ids = [await schedule(app, f"s:{i}", clock.now, chat_id=CHAT + i) for i in range(3)]
    port.gate = asyncio.Event()
    d = dispatcher(app, port, clock)
    run = asyncio.create_task(d.run_due())
    await asyncio.wait_for(port.entered.wait(), 5)
    d.stop()
    port.gate.set()
    assert await asyncio.wait_for(run, 5) == 1
    statuses = [(await load(app, i)).status for i in ids]
    assert statuses == ["sent", "pending", "pending"]


async def test_the_terminal_prints_its_own_chats_deliveries(
    app: App, clock: Clock, tmp_path: Path
) -> None:
    output: list[str] = []
    chat = TerminalChat(app, write=output.append, name="Terry", language=None, downloads=tmp_path)
    mine = await schedule(
        app,
        "term",
        clock.now,
        chat_id=chat.sender.chat_id,
        text="⏰ <b>Starting soon</b>",
        buttons=keyboard([Button("Open the event", "ev:1")]),
    )
    theirs = await schedule(app, "not-mine", clock.now)
    d = Dispatcher(app, TerminalPort(chat), "terminal", clock, FAST, only_chat=chat.sender.chat_id)
    assert await d.run_due() == 1
    assert "⏰ Starting soon" in output and "  [1] Open the event" in output
    assert chat.buttons[0].payload == "ev:1"  # typing 1 presses it
    assert (await load(app, mine)).status == "sent"
    assert (await load(app, theirs)).status == "pending"  # another chat's, left for the bot


async def test_the_scheduler_runs_at_start_and_when_woken(
    app: App, port: FakePort, clock: Clock
) -> None:
    await schedule(app, "at-start", clock.now)
    settings = app.settings.model_copy(update={"dispatch_interval_seconds": 60})
    app.settings = settings
    scheduler = start_deliveries(app, port, clock=clock, config=FAST)
    try:
        assert app.deps.wake == scheduler.wake
        await until(lambda: port.texts() == ["<b>at-start</b>"])
        scheduler.wake_delay = 0.01
        await schedule(app, "woken", clock.now)
        app.deps.wake()
        await until(lambda: port.texts() == ["<b>at-start</b>", "<b>woken</b>"])
        assert scheduler.runs == 2  # the interval job is a minute away
    finally:
        await scheduler.shutdown()
    assert not scheduler.scheduler.running
    scheduler.wake()  # harmless once stopped


async def test_the_scheduler_uses_utc_memory_and_deliberate_job_options(
    app: App, port: FakePort, clock: Clock
) -> None:
    scheduler = DeliveryScheduler(Dispatcher(app, port, "w", clock, FAST), 5)
    scheduler.start()
    try:
        job = scheduler.scheduler.get_job("chinwag-deliveries-tick")
        assert job is not None
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, None)
        assert str(scheduler.scheduler.timezone) == "UTC"
        assert type(scheduler.scheduler._jobstores["default"]).__name__ == "MemoryJobStore"
    finally:
        await scheduler.shutdown()


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.01)


# -- PostgreSQL: two dispatchers, every row exactly once ----------------------


@pytest.fixture
async def two_apps(postgres_url: str) -> AsyncIterator[tuple[App, App]]:
    await asyncio.to_thread(upgrade, postgres_url)
    first = await build_app(Settings(database_url=postgres_url), apply_migrations=False)
    second = await build_app(Settings(database_url=postgres_url), apply_migrations=False)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


@pytest.mark.postgres
async def test_two_dispatchers_send_every_row_exactly_once(
    two_apps: tuple[App, App], clock: Clock
) -> None:
    first, second = two_apps
    async with first.deps.uow() as uow:
        for i in range(200):
            await uow.deliveries.schedule(
                key=f"pg:{i}",
                kind="message",
                chat_id=CHAT + i,
                due_at=clock.now - timedelta(seconds=i % 7),
                payload=message_payload(f"pg:{i}"),
            )
        await uow.commit()
    port = FakePort()  # one fake Bot API for both workers: it counts every send
    config = DispatchConfig(rate=100_000, per_chat_interval=0, batch_size=20)
    one = Dispatcher(first, port, "worker-1", clock, config)
    two = Dispatcher(second, port, "worker-2", clock, config)

    done = await asyncio.gather(one.run_due(), two.run_due())

    counts = Counter(port.texts())
    assert sum(done) == 200
    assert len(counts) == 200 and set(counts.values()) == {1}
    async with first.deps.uow() as uow:
        assert await uow.deliveries.count("sent") == 200
        workers = Counter(
            (await uow.session.exec(select(Delivery.claimed_by))).all()  # type: ignore[call-overload]
        )
    assert set(workers) <= {"worker-1", "worker-2"}
