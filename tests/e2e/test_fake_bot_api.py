"""Self-test of the fake Telegram Bot API, driven by both real frameworks over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import telegram
from aiogram import Bot as AiogramBot
from aiogram import Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import Application, CommandHandler

from tests.fakes.bot_api import FakeBotApi
from tests.fakes.html_check import HtmlParseError, parse_html
from tests.fakes.webhook import SECRET_HEADER

pytestmark = pytest.mark.e2e

CHAT = 1001


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()
    assert not server.server_errors, server.server_errors[0]


@pytest.fixture
async def ag(api: FakeBotApi) -> AsyncIterator[AiogramBot]:
    bot = AiogramBot(api.token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.url)))
    yield bot
    await bot.session.close()


def ptb_bot(api: FakeBotApi, token: str | None = None) -> telegram.Bot:
    return telegram.Bot(
        token or api.token, base_url=f"{api.url}/bot", base_file_url=f"{api.url}/file/bot"
    )


@pytest.fixture
async def ptb(api: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[telegram.Bot]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after without a warning
    bot = ptb_bot(api)
    await bot.initialize()
    yield bot
    await bot.shutdown()


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=f"cb:{label}")] for label in labels
        ]
    )


async def test_get_me_with_both_frameworks(
    api: FakeBotApi, ag: AiogramBot, ptb: telegram.Bot
) -> None:
    me = await ag.get_me()
    assert (me.id, me.is_bot, me.username) == (123456789, True, "chinwag_test_bot")
    assert me.can_join_groups is True and me.supports_inline_queries is False
    assert ptb.username == "chinwag_test_bot" and ptb.id == 123456789
    assert [name for name, _ in api.requests] == ["getMe", "getMe"]


async def test_press_gives_a_callback_query_with_aiogram(api: FakeBotApi, ag: AiogramBot) -> None:
    alex = api.user(CHAT)
    sent = await ag.send_message(CHAT, "Pick one", reply_markup=keyboard("Yes", "No"))
    assert alex.buttons() == ["Yes", "No"]
    assert alex.last()["reply_markup"]["inline_keyboard"][1][0]["callback_data"] == "cb:No"

    update_id = await alex.press("No")
    [update] = await ag.get_updates(timeout=1)
    assert update.update_id == update_id
    query = update.callback_query
    assert query is not None and query.data == "cb:No"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert query.from_user.id == CHAT

    assert await ag.answer_callback_query(query.id, text="Noted")
    assert api.callback_answers[query.id] == {"text": "Noted"}
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await ag.answer_callback_query(query.id)
    with pytest.raises(AssertionError, match=r"buttons: \['Yes', 'No'\]"):
        await alex.press("Maybe")


async def test_press_gives_a_callback_query_with_ptb(api: FakeBotApi, ptb: telegram.Bot) -> None:
    alex = api.user(CHAT)
    markup = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("Join the conversation", callback_data="join")]]
    )
    await ptb.send_message(CHAT, "Hello", reply_markup=markup)
    await alex.press("Join")  # a substring is enough when it is unambiguous
    [update] = await ptb.get_updates(timeout=1)
    assert update.callback_query is not None and update.callback_query.data == "join"
    assert await update.callback_query.answer()


async def test_too_long_text_is_a_bad_request(
    api: FakeBotApi, ag: AiogramBot, ptb: telegram.Bot
) -> None:
    api.user(CHAT)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await ag.send_message(CHAT, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await ptb.send_message(CHAT, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await ag.send_message(CHAT, "  \n ")
    # Length counts what the user sees: tags and entities do not count.
    sent = await ag.send_message(CHAT, "<b>" + "&amp;" * 4096 + "</b>", parse_mode="HTML")
    assert sent.text == "&" * 4096 and sent.entities is not None
    assert sent.entities[0].type == "bold" and sent.entities[0].length == 4096


async def test_lengths_are_counted_in_utf16_code_units(
    api: FakeBotApi, ag: AiogramBot, ptb: telegram.Bot
) -> None:
    """As in Telegram, an emoji (outside the Basic Multilingual Plane) counts 2."""
    alex = api.user(CHAT)
    sent = await ag.send_message(CHAT, "🙂" * 2048)  # 2048 characters, 4096 units
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await ag.send_message(CHAT, "a" + "🙂" * 2048)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await ptb.send_message(CHAT, "<b>a</b>" + "🙂" * 2048, parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await ag.edit_message_text("a" + "🙂" * 2048, chat_id=CHAT, message_id=sent.message_id)
    document = BufferedInputFile(b"a,b\n", "export.csv")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await ag.send_document(CHAT, document, caption="a" + "🙂" * 512)
    assert (await ag.send_document(CHAT, document, caption="🙂" * 512)).caption == "🙂" * 512

    # answerCallbackQuery: 0-200 units; a longer text is refused and the press stays
    # unanswered (the button keeps spinning), so a shorter answer still goes.
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Join", callback_data="join")]]
    )
    await ag.send_message(CHAT, "Hello", reply_markup=markup)
    await alex.press("Join")
    [update] = await ag.get_updates(timeout=1)
    assert update.callback_query is not None
    query_id = update.callback_query.id
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await ag.answer_callback_query(query_id, text="a" + "🙂" * 100)
    assert query_id not in api.callback_answers
    assert await ag.answer_callback_query(query_id, text="🙂" * 100)
    assert api.callback_answers[query_id] == {"text": "🙂" * 100}


async def test_poll_lengths_are_counted_in_utf16_code_units(
    api: FakeBotApi, ag: AiogramBot, ptb: telegram.Bot
) -> None:
    """sendPoll: a question of 1-300 units and options of 1-100, an emoji counting 2;
    one unit over is a 400 Bad Request, as a text over 4096 is."""
    alex = api.user(CHAT)
    question, option = "🙂" * 150, "🙂" * 50  # 150 and 50 characters: 300 and 100 units
    sent = await ag.send_poll(CHAT, question, [option, "b"])
    assert sent.poll is not None and sent.poll.question == question
    assert sent.poll.options[0].text == option
    assert alex.messages[-1]["poll"]["question"] == question
    with pytest.raises(
        TelegramBadRequest, match="poll question length must not exceed 300"
    ) as refused:
        await ag.send_poll(CHAT, "a" + question, ["a", "b"])
    assert "Bad Request: poll question length must not exceed 300" in refused.value.message
    with pytest.raises(BadRequest, match=r"(?i)poll question length must not exceed 300"):
        await ptb.send_poll(CHAT, "a" + question, ["a", "b"])
    with pytest.raises(TelegramBadRequest, match="poll options length must not exceed 100"):
        await ag.send_poll(CHAT, "Q?", ["a" + option, "b"])
    with pytest.raises(BadRequest, match=r"(?i)poll options length must not exceed 100"):
        await ptb.send_poll(CHAT, "Q?", ["b", "a" + option])
    status, body = await api.execute(
        "sendPoll", {"chat_id": CHAT, "question": "a" + question, "options": ["a", "b"]}
    )
    assert (status, body) == (
        400,
        {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: poll question length must not exceed 300",
        },
    )
    assert [m["kind"] for m in alex.messages] == ["poll"]


async def test_bad_html_is_rejected(api: FakeBotApi, ag: AiogramBot, ptb: telegram.Bot) -> None:
    api.user(CHAT)
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Unsupported start tag"):
        await ag.send_message(CHAT, "<p>Hi</p>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: Can't find end tag"):
        await ptb.send_message(CHAT, "<b>Hi", parse_mode="HTML")
    assert api.sent_to(CHAT) == []


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<b>a</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("a </b>", "Unexpected end tag at byte offset 2"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("<a href='x'>y", 'Can\'t find end tag corresponding to start tag "a"'),
    ],
)
def test_html_errors(html: str, error: str) -> None:
    with pytest.raises(HtmlParseError, match=error):
        parse_html(html)


def test_html_entities_and_offsets() -> None:
    text, entities = parse_html(
        '😀 <b>bold <i>both</i></b> &lt;&#39;&#x41;&quot;&nbsp; <a href="https://e.x/?a=1&amp;b">'
        'link</a> <span class="tg-spoiler">s</span> <pre><code class="language-py">x</code></pre>'
        " <blockquote expandable>q</blockquote>"
    )
    assert text == "😀 bold both <'A\"&nbsp; link s x q"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "text_link", "url": "https://e.x/?a=1&b", "offset": 24, "length": 4},
        {"type": "spoiler", "offset": 29, "length": 1},
        {"type": "pre", "language": "py", "offset": 31, "length": 1},
        {"type": "expandable_blockquote", "offset": 33, "length": 1},
    ]


async def test_retry_after_via_fail_next(
    api: FakeBotApi, ag: AiogramBot, ptb: telegram.Bot
) -> None:
    api.user(CHAT)
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3, times=2)
    with pytest.raises(TelegramRetryAfter) as aiogram_error:
        await ag.send_message(CHAT, "hi")
    assert aiogram_error.value.retry_after == 3
    with pytest.raises(RetryAfter) as ptb_error:
        await ptb.send_message(CHAT, "hi")
    assert ptb_error.value.retry_after == dt.timedelta(seconds=3)
    assert (await ag.send_message(CHAT, "third time lucky")).text == "third time lucky"
    assert [name for name, _ in api.requests].count("sendMessage") == 3


async def test_blocked_chat_is_forbidden(
    api: FakeBotApi, ag: AiogramBot, ptb: telegram.Bot
) -> None:
    api.user(CHAT)
    api.block(CHAT)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await ag.send_message(CHAT, "hi")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await ptb.send_chat_action(CHAT, "typing")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await ag.send_message(999, "nobody there")


async def test_polls_in_both_option_formats(
    api: FakeBotApi, ag: AiogramBot, ptb: telegram.Bot
) -> None:
    alex = api.user(CHAT)
    first = await ag.send_poll(CHAT, "Best day?", ["Mon", "Tue"], is_anonymous=False)
    second = await ptb.send_poll(
        CHAT, "Best time?", ["Morning", "Evening", "Night"], allows_multiple_answers=True
    )
    sent_options = [params["options"] for name, params in api.requests if name == "sendPoll"]
    assert sent_options == [
        ["Mon", "Tue"],
        [{"text": "Morning"}, {"text": "Evening"}, {"text": "Night"}],
    ]
    assert [m["kind"] for m in alex.messages] == ["poll", "poll"]
    assert second.poll is not None and [o.text for o in second.poll.options] == [
        "Morning",
        "Evening",
        "Night",
    ]
    assert first.poll is not None

    update_id = await alex.answer_poll(first.poll.id, [1])
    [update] = await ag.get_updates(timeout=1)
    assert update.update_id == update_id and update.poll_answer is not None
    assert update.poll_answer.option_ids == [1] and update.poll_answer.user is not None
    assert alex.messages[0]["poll"]["options"][1]["voter_count"] == 1
    with pytest.raises(AssertionError, match="anonymous"):
        await alex.answer_poll(second.poll.id, [0])

    stopped = await ptb.stop_poll(CHAT, first.message_id)
    assert stopped.is_closed and stopped.total_voter_count == 1
    with pytest.raises(TelegramBadRequest, match="already been closed"):
        await ag.stop_poll(CHAT, first.message_id)


async def test_documents_and_photos(api: FakeBotApi, ag: AiogramBot, ptb: telegram.Bot) -> None:
    alex = api.user(CHAT)
    sent = await ag.send_document(
        CHAT, BufferedInputFile(b"a,b\n1,2\n", "export.csv"), caption="Your data"
    )
    assert sent.document is not None and sent.document.file_name == "export.csv"
    assert sent.document.mime_type == "text/csv" and sent.caption == "Your data"
    await ptb.send_document(CHAT, b"%PDF-1.4", filename="report.pdf")
    await ptb.send_document(CHAT, sent.document.file_id)  # resend by file_id
    await ag.send_photo(CHAT, BufferedInputFile(b"\x89PNG", "map.png"))
    docs = [m for m in alex.messages if m["kind"] == "document"]
    assert [(d["filename"], d["content"], d["caption"]) for d in docs] == [
        ("export.csv", b"a,b\n1,2\n", "Your data"),
        ("report.pdf", b"%PDF-1.4", None),
        ("export.csv", b"a,b\n1,2\n", None),
    ]
    assert docs[0]["document"]["content"] == b"a,b\n1,2\n"
    assert alex.last()["kind"] == "photo" and alex.last()["content"] == b"\x89PNG"
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await ag.send_document(CHAT, "no-such-file-id")


async def test_command_updates_carry_a_bot_command_entity(
    api: FakeBotApi, ag: AiogramBot, ptb: telegram.Bot
) -> None:
    alex = api.user(CHAT, first_name="Sam", username="sam")
    await alex.send("/start@chinwag_test_bot hello")
    await alex.send("plain words")
    [command, plain] = await ag.get_updates()
    assert command.message is not None and command.message.entities is not None
    entity = command.message.entities[0]
    assert (entity.type, entity.offset, entity.length) == ("bot_command", 0, 23)
    assert plain.message is not None and plain.message.entities is None

    # The same updates again (not confirmed), now parsed by python-telegram-bot.
    ptb_command, ptb_plain = await ptb.get_updates()

    async def on_start(update: telegram.Update, context: Any) -> None:
        pass

    handler: CommandHandler[Any, None] = CommandHandler("start", on_start)
    assert handler.check_update(ptb_command)
    assert not handler.check_update(ptb_plain)


async def test_offsets_confirm_and_redeliver_repeats(api: FakeBotApi, ag: AiogramBot) -> None:
    alex = api.user(CHAT)
    first = await alex.send("one")
    second = await alex.send("two")
    assert [u.update_id for u in await ag.get_updates(limit=1)] == [first]
    assert [u.update_id for u in await ag.get_updates()] == [first, second]
    assert [u.update_id for u in await ag.get_updates(offset=second)] == [second]
    assert api.pending_updates() == 1
    assert await ag.get_updates(offset=second + 1) == []
    assert api.pending_updates() == 0

    api.redeliver(first)
    third = await alex.send("three")
    again = await ag.get_updates(offset=second + 1)
    assert [u.update_id for u in again] == [first, third]
    assert again[0].message is not None and again[0].message.text == "one"
    assert await ag.get_updates(offset=third + 1) == []
    assert api.pending_updates() == 0


async def test_long_poll_waits_for_an_update(api: FakeBotApi, ag: AiogramBot) -> None:
    alex = api.user(CHAT)
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(ag.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    await alex.send("hello")
    [update] = await poll
    assert update.message is not None and update.message.text == "hello"
    assert loop.time() - started < 2
    assert await ag.get_updates(offset=update.update_id + 1) == []


async def test_a_second_poller_terminates_the_first(
    api: FakeBotApi, ag: AiogramBot, ptb: telegram.Bot
) -> None:
    waiting = asyncio.create_task(ag.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    assert await ptb.get_updates(timeout=0) == ()
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await waiting


async def test_edits_and_deletes(api: FakeBotApi, ag: AiogramBot, ptb: telegram.Bot) -> None:
    alex = api.user(CHAT)
    await alex.send("/menu")
    sent = await ag.send_message(CHAT, "Menu", reply_markup=keyboard("A"))
    assert sent.message_id == 2  # user and bot share the chat's message ids

    with pytest.raises(TelegramBadRequest, match="message is not modified: specified new"):
        await ag.edit_message_text(
            text="Menu", chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("A")
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await ptb.edit_message_text("x", chat_id=CHAT, message_id=99)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await ag.edit_message_reply_markup(
            chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard("B" * 70)
        )

    waiter = asyncio.create_task(alex.wait_for(contains="Chosen"))
    await ptb.edit_message_text("Chosen: A", chat_id=CHAT, message_id=sent.message_id)
    edited = await waiter
    assert edited["edited"] and edited["reply_markup"] is None  # no markup: keyboard gone
    assert alex.buttons() == []

    await ag.delete_message(CHAT, sent.message_id)
    assert alex.messages == [] and api.deleted[CHAT] == [sent.message_id]
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await ag.delete_message(CHAT, sent.message_id)
    extra = [await ag.send_message(CHAT, str(n)) for n in range(3)]
    assert await ptb.delete_messages(CHAT, [m.message_id for m in extra] + [77])
    assert alex.messages == []


async def test_wait_helpers(api: FakeBotApi, ag: AiogramBot) -> None:
    alex = api.user(CHAT)
    await ag.send_message(CHAT, "old news")
    await alex.send("hi")

    async def bot() -> None:
        await ag.get_updates(timeout=1)
        await asyncio.sleep(0.05)
        await ag.send_message(CHAT, "first")
        await ag.send_message(CHAT, "Hello <i>Alex</i>", parse_mode="HTML")

    task = asyncio.create_task(bot())
    reply = await alex.wait_for(lambda m: m["text"].startswith("Hello"))
    assert reply["text"] == "Hello Alex" and reply["raw_text"] == "Hello <i>Alex</i>"
    assert (await alex.wait_for())["text"] == "first"  # the oldest since the last action
    await alex.wait_idle(quiet=0.1)
    await task
    with pytest.raises(AssertionError, match="'Hello Alex'"):
        await alex.wait_for(contains="old news", timeout=0.1)
    await alex.send("unanswered")
    with pytest.raises(AssertionError, match="not idle"):
        await alex.wait_idle(quiet=0.05, timeout=0.1)


async def test_every_user_update_parses_in_both_frameworks(
    api: FakeBotApi, ag: AiogramBot, ptb: telegram.Bot
) -> None:
    alex = api.user(CHAT, username="alex")
    poll = await ag.send_poll(CHAT, "Q?", ["a", "b"], is_anonymous=False)
    await ag.send_message(CHAT, "Pick", reply_markup=keyboard("Go"))
    await alex.send("hello")
    await alex.share_location(51.5, -0.12)
    await alex.share_contact("+447700900123")
    await alex.send_sticker()
    await alex.send_photo()
    await alex.send_voice()
    await alex.press("Go")
    assert poll.poll is not None
    await alex.answer_poll(poll.poll.id, [0])

    kinds = [u.event_type for u in await ag.get_updates()]
    assert kinds == ["message"] * 6 + ["callback_query", "poll_answer"]
    parsed = await ptb.get_updates()
    assert parsed[1].message is not None and parsed[1].message.location is not None
    assert parsed[2].message is not None and parsed[2].message.contact is not None
    assert parsed[3].message is not None and parsed[3].message.sticker is not None
    assert parsed[5].message is not None and parsed[5].message.voice is not None
    assert parsed[6].callback_query is not None and parsed[7].poll_answer is not None


async def test_other_methods(api: FakeBotApi, ag: AiogramBot, ptb: telegram.Bot) -> None:
    alex = api.user(CHAT, first_name="Alex", username="alex")
    assert await ptb.set_my_commands([("start", "Start"), ("help", "Help")])
    assert api.commands == [
        {"command": "start", "description": "Start"},
        {"command": "help", "description": "Help"},
    ]
    assert [c.command for c in await ag.get_my_commands()] == ["start", "help"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await ag.set_my_commands([BotCommand(command="Bad Name", description="x")])
    assert await ag.delete_my_commands() and api.commands == []
    assert await ptb.set_chat_menu_button(CHAT, telegram.MenuButtonCommands())
    assert api.menu_buttons[CHAT] == {"type": "commands"}

    await ag.send_location(CHAT, 51.5, -0.12)
    await ptb.send_venue(CHAT, 51.5, -0.12, "Town Hall", "1 High St")
    assert await ag.send_chat_action(CHAT, "typing")
    assert [m["kind"] for m in alex.messages] == ["location", "venue"]
    chat = await ptb.get_chat(CHAT)
    assert (chat.type, chat.first_name, chat.username) == ("private", "Alex", "alex")
    assert (await ag.get_chat(CHAT)).first_name == "Alex"

    async with aiohttp.ClientSession() as http:
        base = f"{api.url}/bot{api.token}"
        async with http.post(f"{base}/sendMessage", json={"chat_id": CHAT, "text": "json"}) as r:
            assert (await r.json())["result"]["text"] == "json"
        async with http.get(f"{base}/SENDMESSAGE", params={"chat_id": CHAT, "text": "q"}) as r:
            assert r.status == 200
        async with http.post(f"{base}/sendSticker", data={"chat_id": CHAT}) as r:
            assert (r.status, await r.json()) == (
                404,
                {"ok": False, "error_code": 404, "description": "Not Found"},
            )
        async with http.post(f"{api.url}/bot1:wrong/getMe") as r:
            assert r.status == 401 and (await r.json())["description"] == "Unauthorized"
    assert api.requests[-3][0] == "sendMessage" and api.requests[-3][1]["text"] == "q"


async def test_unknown_token_is_rejected_by_ptb(api: FakeBotApi) -> None:
    with pytest.raises(InvalidToken):
        async with ptb_bot(api, "42:not-the-token"):
            pass


async def test_webhook_delivery_with_secret_and_retries(
    api: FakeBotApi, ag: AiogramBot, ptb: telegram.Bot
) -> None:
    alex = api.user(CHAT)
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get(SECRET_HEADER), await request.json()))
        if len(received) == 1:
            return web.Response(status=500)
        if received[-1][1]["message"]["text"] == "ping":
            return web.json_response({"method": "sendMessage", "chat_id": CHAT, "text": "pong"})
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        assert await ag.set_webhook(url, secret_token="s3cret-token")
        assert api.webhook is not None and api.webhook["secret_token"] == "s3cret-token"
        update_id = await alex.send("hello")
        await alex.send("ping")
        assert (await alex.wait_for(contains="pong"))["text"] == "pong"  # the reply method
        assert [(d["update_id"], d["status"]) for d in api.webhook_deliveries] == [
            (update_id, 500),
            (update_id, 200),
            (update_id + 1, 200),
        ]
        assert {secret for secret, _ in received} == {"s3cret-token"}
        assert received[0][1]["message"]["text"] == "hello"
        info = await ptb.get_webhook_info()
        assert info.url == url and info.pending_update_count == 0
        assert info.last_error_message == "Wrong response from the webhook: 500"
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await ag.get_updates()
        with pytest.raises(TelegramBadRequest, match="bad webhook"):
            await ag.set_webhook("https://example.com/hook")
        assert await ptb.delete_webhook()
        assert api.webhook is None
        await alex.send("polled again")
        [update] = await ag.get_updates()
        assert update.message is not None and update.message.text == "polled again"
    finally:
        await runner.cleanup()


async def test_allowed_updates_and_reply_keyboards(api: FakeBotApi, ptb: telegram.Bot) -> None:
    alex = api.user(CHAT)
    keys = telegram.ReplyKeyboardMarkup([["Near me", "Choose a place"]])
    await ptb.send_message(CHAT, "Where?", reply_markup=keys)
    assert alex.reply_buttons() == ["Near me", "Choose a place"]
    assert alex.last()["reply_markup"]["keyboard"][0][0] == {"text": "Near me"}
    await alex.tap("Near me")
    await ptb.send_message(CHAT, "Thanks", reply_markup=telegram.ReplyKeyboardRemove())
    assert alex.reply_buttons() == []
    with pytest.raises(AssertionError, match="no reply keyboard button"):
        await alex.tap("Near me")
    await ptb.send_message(
        CHAT,
        "Vote",
        reply_markup=telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("Up", callback_data="up")]]
        ),
    )
    await alex.press(lambda label: label.startswith("U"))
    # Telegram never delivers updates of a type the bot did not ask for.
    [update] = await ptb.get_updates(allowed_updates=["callback_query"])
    assert update.callback_query is not None and update.callback_query.data == "up"
    assert api.pending_updates() == 1


async def test_aiogram_dispatcher_polling(api: FakeBotApi, ag: AiogramBot) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            "Welcome, <b>neighbour</b>", parse_mode="HTML", reply_markup=keyboard("Begin")
        )

    @dispatcher.callback_query()
    async def begin(query: CallbackQuery) -> None:
        await query.answer("Off we go")
        assert isinstance(query.message, Message)
        await query.message.edit_text("Begun")

    polling = asyncio.create_task(
        dispatcher.start_polling(ag, handle_signals=False, polling_timeout=5)
    )
    try:
        alex = api.user(CHAT)
        await alex.send("/start")
        welcome = await alex.wait_for(contains="Welcome")
        assert welcome["text"] == "Welcome, neighbour" and alex.buttons() == ["Begin"]
        await alex.press("Begin")
        assert (await alex.wait_for(contains="Begun"))["edited"]
        await alex.wait_idle(quiet=0.1)
        assert list(api.callback_answers.values()) == [{"text": "Off we go"}]
    finally:
        await dispatcher.stop_polling()
        await polling


async def test_ptb_application_polling(api: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")

    async def start(update: telegram.Update, context: Any) -> None:
        assert update.message is not None
        await update.message.reply_text(
            f"Hello {update.message.from_user.first_name}" if update.message.from_user else "Hello"
        )

    application = (
        Application.builder()
        .token(api.token)
        .base_url(f"{api.url}/bot")
        .base_file_url(f"{api.url}/file/bot")
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    alex = api.user(CHAT, first_name="Robin")
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=5)
        await alex.send("/start")
        assert (await alex.wait_for(contains="Hello"))["text"] == "Hello Robin"
        await application.updater.stop()
        await application.stop()
    names = [name for name, _ in api.requests]
    assert names[:3] == ["getMe", "deleteWebhook", "getUpdates"]
    assert api.requests[-1] == (
        "getUpdates",
        {"timeout": 0, "offset": api.requests[-1][1]["offset"]},
    )
    assert api.pending_updates() == 0


async def test_aiogram_webhook_handler_answering_with_a_method(
    api: FakeBotApi, ag: AiogramBot
) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> Any:
        return message.answer(f"echo: {message.text}")  # sent back in the webhook answer

    app = web.Application()
    SimpleRequestHandler(dispatcher, ag, handle_in_background=False, secret_token="abc").register(
        app, "/webhook"
    )
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        await ag.set_webhook(
            f"http://127.0.0.1:{runner.addresses[0][1]}/webhook", secret_token="abc"
        )
        alex = api.user(CHAT)
        await alex.send("hi")
        assert (await alex.wait_for(contains="echo"))["text"] == "echo: hi"
        assert [d["status"] for d in api.webhook_deliveries] == [200]
        assert await ag.delete_webhook()
    finally:
        await runner.cleanup()
