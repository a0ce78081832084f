"""What the fake Telegram knows: chats, their messages, polls, files and callbacks.

A stored message keeps two views: ``wire`` is exactly what Telegram would return to
the bot, and ``extra`` is test-only knowledge (uploaded bytes, the markup as sent
even when Telegram would not echo it, the raw HTML). :meth:`StoredMessage.record`
merges them for assertions.
"""

from __future__ import annotations

import copy
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.params import ApiError, UploadedFile, bad_request
from tests.fakes.updates import Signal


@dataclass(eq=False)
class StoredMessage:
    wire: dict[str, Any]
    kind: str
    from_bot: bool
    seq: int  # the world's change counter when last sent or edited
    extra: dict[str, Any] = field(default_factory=dict)
    edited: bool = False

    @property
    def message_id(self) -> int:
        return int(self.wire["message_id"])

    def record(self) -> dict[str, Any]:
        """Current state for tests: the wire message plus ``kind``, ``edited`` and extras."""
        return {**copy.deepcopy(self.wire), **self.extra, "kind": self.kind, "edited": self.edited}


@dataclass
class ChatState:
    chat: dict[str, Any]  # the wire Chat
    user: dict[str, Any] | None  # the wire User of a private chat
    next_message_id: int = 1
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    reply_keyboard: dict[str, Any] | None = None  # the reply keyboard the user now sees
    last_activity: float = 0.0  # loop time of the last request or delivery for this chat


@dataclass
class PollState:
    chat_id: int
    message_id: int
    votes: dict[int, list[int]] = field(default_factory=dict)  # user id -> option ids


def now() -> int:
    return int(time.time())


class World:
    def __init__(self, bot_user: dict[str, Any], signal: Signal) -> None:
        self.bot_user = bot_user
        self.signal = signal
        self.chats: dict[int, ChatState] = {}
        self.blocked: set[int] = set()
        self.deleted: defaultdict[int, list[int]] = defaultdict(list)
        self.polls: dict[str, PollState] = {}
        self.callbacks: dict[str, int] = {}  # callback query id -> chat id
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.files: dict[str, UploadedFile] = {}  # file_id -> what was uploaded
        self._counter = 0

    def new_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter:06d}"

    # -- chats ---------------------------------------------------------------

    def add_private_chat(self, user: dict[str, Any]) -> ChatState:
        if user["id"] not in self.chats:
            chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
            if user.get("username"):
                chat["username"] = user["username"]
            self.chats[user["id"]] = ChatState(chat=chat, user=user)
        return self.chats[user["id"]]

    def chat(self, chat_id: Any) -> ChatState:
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        state = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if state is None:
            raise bad_request("chat not found")
        return state

    def check_not_blocked(self, chat_id: int) -> None:
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    # -- messages ------------------------------------------------------------

    def add_message(
        self,
        chat_id: int,
        content: dict[str, Any],
        *,
        kind: str,
        from_bot: bool,
        sender: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> StoredMessage:
        """Store a new message; ids are per chat and shared by the user and the bot."""
        state = self.chats[chat_id]
        message_id = state.next_message_id
        state.next_message_id += 1
        wire = {
            "message_id": message_id,
            "from": copy.deepcopy(self.bot_user if from_bot else (sender or state.user)),
            "chat": copy.deepcopy(state.chat),
            "date": now(),
            **content,
        }
        stored = StoredMessage(wire, kind, from_bot, self.signal.fire(), extra or {})
        state.messages[message_id] = stored
        return stored

    def touch(self, stored: StoredMessage) -> None:
        """Mark an edit: new change number, so waiters see it."""
        stored.edited = True
        stored.wire["edit_date"] = now()
        stored.seq = self.signal.fire()

    def find(self, chat_id: int, message_id: Any) -> StoredMessage | None:
        state = self.chats.get(chat_id)
        if state is None or not isinstance(message_id, int):
            return None
        return state.messages.get(message_id)

    def delete(self, chat_id: int, message_id: int) -> bool:
        state = self.chats.get(chat_id)
        if state is None or state.messages.pop(message_id, None) is None:
            return False
        self.deleted[chat_id].append(message_id)
        self.signal.fire()
        return True

    def bot_messages(self, chat_id: int) -> list[StoredMessage]:
        state = self.chats.get(chat_id)
        if state is None:
            return []
        return [m for m in state.messages.values() if m.from_bot]

    # -- polls ---------------------------------------------------------------

    def poll_message(self, poll_id: str) -> StoredMessage:
        poll = self.polls.get(poll_id)
        stored = self.find(poll.chat_id, poll.message_id) if poll else None
        if stored is None:
            raise AssertionError(f"no poll {poll_id!r} in any chat (known: {sorted(self.polls)})")
        return stored

    def vote(self, poll_id: str, user_id: int, option_ids: list[int]) -> dict[str, Any]:
        """Record a user's (re)vote and return the updated wire poll.

        Raises AssertionError for what a Telegram client would not let a user do.
        """
        stored = self.poll_message(poll_id)
        poll = stored.wire["poll"]
        if poll["is_closed"]:
            raise AssertionError(f"poll {poll_id} is closed")
        if poll["is_anonymous"]:
            raise AssertionError(
                f"poll {poll_id} is anonymous: Telegram sends bots no poll_answer for it "
                "(send it with is_anonymous=False)"
            )
        count = len(poll["options"])
        if any(not 0 <= option < count for option in option_ids):
            raise AssertionError(f"option ids {option_ids} out of range 0..{count - 1}")
        if len(option_ids) > 1 and not poll["allows_multiple_answers"]:
            raise AssertionError(f"poll {poll_id} allows only one answer")
        votes = self.polls[poll_id].votes
        for option in votes.pop(user_id, []):
            poll["options"][option]["voter_count"] -= 1
        if option_ids:
            votes[user_id] = list(option_ids)
            for option in option_ids:
                poll["options"][option]["voter_count"] += 1
        poll["total_voter_count"] = len(votes)
        self.signal.fire()
        return copy.deepcopy(poll)
