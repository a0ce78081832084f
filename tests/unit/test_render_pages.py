"""An edit of a page sent as several messages (``bot.transports.render._edit_page``):
the page is redone in its own messages, whatever the new text's length.

``Book`` stands in for the database: what one delivery's ``Pages`` collected is
written there, as ``SentLog`` does, and the next delivery looks it up.
"""

from __future__ import annotations

from bot.transports.port import Classified, bad_request
from bot.transports.render import Origin, Pages, deliver
from handlers.outbound import Button, Edit, Keyboard, Text
from tests.support.recording_port import ApiFailure, RecordingPort

CHAT = 42
BUTTONS: Keyboard = ((Button("Going", "g"),),)
LONG = "\n".join(f"line {i} " + "word " * 30 for i in range(60))  # 9 KB: 3 parts
TWO = LONG[:6000]  # 2 parts


class Book:
    """``chat_messages``'s page ends, as ``handlers.safety.chat_log._write`` keeps them."""

    def __init__(self) -> None:
        self.ends: dict[tuple[int, int], int] = {}

    async def lookup(self, chat_id: int, last: int) -> tuple[int, ...]:
        return tuple(sorted(m for (c, m), end in self.ends.items() if (c, end) == (chat_id, last)))

    def pages(self) -> Pages:
        return Pages(self.lookup)

    def write(self, pages: Pages) -> None:
        for chat_id, last in pages.redone:
            self.ends = {k: e for k, e in self.ends.items() if (k[0], e) != (chat_id, last)}
        for chat_id, message_id, end in pages.parts:
            self.ends[(chat_id, message_id)] = end


class Port(RecordingPort):
    def __init__(self) -> None:
        super().__init__()
        self.gone: set[int] = set()
        self.book = Book()

    async def edit_text(self, chat_id: int, message_id: int, text: str, buttons: Keyboard) -> None:
        if message_id in self.gone:
            raise ApiFailure(400, "Bad Request: message to edit not found")
        await super().edit_text(chat_id, message_id, text, buttons)

    def classify(self, exc: BaseException) -> Classified | None:
        if isinstance(exc, ApiFailure) and exc.status == 400:
            return bad_request(str(exc))
        return super().classify(exc)


async def sent_page(port: Port, text: str) -> list[int]:
    pages = port.book.pages()
    sent = await deliver(port, [Text(text=text, buttons=BUTTONS)], Origin(CHAT), pages)  # type: ignore[arg-type]
    port.book.write(pages)
    port.calls.clear()
    return [m for _, m in sent]


async def press(port: Port, pressed: int, text: str) -> list[int]:
    origin = Origin(CHAT, message_id=pressed, callback_id="cb")
    pages = port.book.pages()
    sent = await deliver(port, [Edit(text=text, buttons=BUTTONS)], origin, pages)  # type: ignore[arg-type]
    port.book.write(pages)
    return [m for _, m in sent]


def calls(port: Port) -> list[tuple[str, object, bool]]:
    return [
        (c.method, c.extra.get("message_id", c.extra.get("message_ids")), bool(c.buttons))
        for c in port.calls
    ]


async def test_same_number_of_parts_edits_each_in_place() -> None:
    port = Port()
    first, last = await sent_page(port, TWO)
    assert await press(port, last, TWO.replace("word", "WORD")) == [first, last]
    assert calls(port) == [("editMessageText", first, False), ("editMessageText", last, True)]
    port.calls.clear()
    assert await press(port, last, TWO) == [first, last]  # and again: still known


async def test_a_short_answer_deletes_the_old_earlier_parts() -> None:
    port = Port()
    one, two, last = await sent_page(port, LONG)
    assert await press(port, last, "Done.") == [last]
    assert calls(port) == [("editMessageText", last, True), ("deleteMessages", (one, two), False)]


async def test_a_longer_page_takes_the_old_messages_then_sends_the_rest() -> None:
    port = Port()
    first, last = await sent_page(port, TWO)
    ids = await press(port, last, LONG)
    assert ids[:2] == [first, last] and len(ids) == 3
    assert calls(port) == [
        ("editMessageText", first, False),
        ("editMessageText", last, False),
        ("sendMessage", None, True),
    ]


async def test_an_unknown_page_is_edited_as_one_message() -> None:
    port = Port()  # e.g. sent by another worker: nothing known about message 7
    ids = await press(port, 7, TWO)
    assert calls(port) == [("editMessageText", 7, False), ("sendMessage", None, True)]
    assert ids[0] == 7


async def test_an_earlier_part_deleted_by_the_resident() -> None:
    port = Port()
    one, two, last = await sent_page(port, LONG)
    port.gone.add(one)
    await press(port, last, LONG)
    assert (
        calls(port)
        == [
            ("editMessageText", one, False),  # refused: gone
            ("deleteMessages", (two,), False),
            ("editMessageText", last, False),
            ("sendMessage", None, False),
            ("sendMessage", None, True),
        ][1:]
    )  # the refused edit is not recorded


async def test_a_pressed_message_that_is_gone_gets_its_parts_sent_after() -> None:
    port = Port()
    first, last = await sent_page(port, TWO)
    port.gone.add(last)
    ids = await press(port, last, TWO)
    assert calls(port) == [("editMessageText", first, False), ("sendMessage", None, True)]
    assert ids[0] == first and len(ids) == 2


async def test_what_is_recorded_follows_the_page() -> None:
    port = Port()
    one, two, last = await sent_page(port, LONG)
    assert port.book.ends == {(CHAT, one): last, (CHAT, two): last}
    await press(port, last, TWO)  # fewer parts: "two" is deleted, no longer the page's
    assert port.book.ends == {(CHAT, one): last}
    port.calls.clear()
    ids = await press(port, last, LONG)  # more: a third message ends it now
    assert ids[:2] == [one, last] and port.book.ends == {(CHAT, one): ids[2], (CHAT, last): ids[2]}
    port.calls.clear()
    assert await press(port, ids[2], "Done.") == [ids[2]]
    assert calls(port) == [
        ("editMessageText", ids[2], True),
        ("deleteMessages", (one, last), False),
    ]
    assert port.book.ends == {}


async def test_a_page_that_cannot_be_looked_up_is_edited_as_one_message() -> None:
    port = Port()
    _first, last = await sent_page(port, TWO)

    async def broken(chat_id: int, last: int) -> tuple[int, ...]:
        raise OSError("database down")

    origin = Origin(CHAT, message_id=last, callback_id="cb")
    await deliver(port, [Edit(text="Done.", buttons=BUTTONS)], origin, Pages(broken))  # type: ignore[arg-type]
    assert calls(port) == [("editMessageText", last, True)]
