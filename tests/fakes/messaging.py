"""The Bot API methods that send, edit and delete messages in chats.

Each method takes the decoded parameters and returns the ``result`` Telegram would
answer, or raises :class:`ApiError` with Telegram's wording.
"""

from __future__ import annotations

import copy
import mimetypes
import posixpath
from typing import Any

from tests.fakes.html_check import HtmlParseError, parse_html, strip_text, utf16_len
from tests.fakes.markup import is_inline, validate_reply_markup
from tests.fakes.params import UploadedFile, bad_request
from tests.fakes.world import ChatState, PollState, StoredMessage, World

# Telegram counts these in UTF-16 code units (an emoji is 2), of the text after
# parse_mode, as the user sees it.
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_TEXT = 200
MAX_POLL_QUESTION = 300
MAX_POLL_OPTION = 100
MAX_POLL_OPTIONS = 12
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


def render(raw: Any, parse_mode: Any, entities: Any) -> tuple[str, list[dict[str, Any]]]:
    """The text the user sees and its entities, after parse_mode and trimming."""
    text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    mode = parse_mode.lower() if isinstance(parse_mode, str) else ""
    if mode == "html":
        try:
            text, found = parse_html(text)
        except HtmlParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from exc
    elif mode in ("markdown", "markdownv2"):
        found = []  # not checked by this fake: the text is kept as sent
    elif mode:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    else:
        found = [dict(e) for e in entities] if isinstance(entities, list) else []
    return strip_text(text, found)


class Messaging:
    def __init__(self, world: World) -> None:
        self.world = world

    # -- helpers -------------------------------------------------------------

    def _target(self, p: dict[str, Any]) -> ChatState:
        state = self.world.chat(p.get("chat_id"))
        self.world.check_not_blocked(state.chat["id"])
        return state

    def _caption(self, p: dict[str, Any], content: dict[str, Any]) -> None:
        if p.get("caption") is None:
            return
        caption, entities = render(p["caption"], p.get("parse_mode"), p.get("caption_entities"))
        if utf16_len(caption) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities

    def _reply_to(self, state: ChatState, p: dict[str, Any], content: dict[str, Any]) -> None:
        reply = p.get("reply_parameters")
        reply_id = (
            reply.get("message_id") if isinstance(reply, dict) else p.get("reply_to_message_id")
        )
        if reply_id is None:
            return
        original = state.messages.get(reply_id)
        if original is not None:
            replied = copy.deepcopy(original.wire)
            replied.pop("reply_to_message", None)
            content["reply_to_message"] = replied
        elif not (
            p.get("allow_sending_without_reply")
            or (isinstance(reply, dict) and reply.get("allow_sending_without_reply"))
        ):
            raise bad_request("message to be replied not found")

    def _store(
        self,
        state: ChatState,
        p: dict[str, Any],
        content: dict[str, Any],
        kind: str,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        markup = validate_reply_markup(p.get("reply_markup"))
        self._reply_to(state, p, content)
        if is_inline(markup):
            content["reply_markup"] = markup
        elif markup is not None and "keyboard" in markup:
            state.reply_keyboard = markup
        elif markup is not None and markup.get("remove_keyboard"):
            state.reply_keyboard = None
        stored = self.world.add_message(
            state.chat["id"],
            content,
            kind=kind,
            from_bot=True,
            extra={**(extra or {}), "reply_markup": markup},
        )
        return copy.deepcopy(stored.wire)

    def _file(self, value: Any, what: str) -> tuple[str, UploadedFile | None, str | None]:
        """file_id, uploaded file (if known) and file name of an input file parameter."""
        if isinstance(value, UploadedFile):
            file_id = self.world.new_id(f"{what.upper()}-")
            self.world.files[file_id] = value
            return file_id, value, value.filename
        if isinstance(value, str) and value:
            if value in self.world.files:
                known = self.world.files[value]
                return value, known, known.filename
            if value.startswith(("http://", "https://")):
                return self.world.new_id(f"{what.upper()}-"), None, posixpath.basename(value)
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request(f"there is no {what} in the request")

    def _edit_target(self, p: dict[str, Any]) -> StoredMessage:
        if p.get("inline_message_id"):
            raise bad_request("message to edit not found")  # inline mode is not simulated
        state = self.world.chat(p.get("chat_id"))
        self.world.check_not_blocked(state.chat["id"])
        if p.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        stored = self.world.find(state.chat["id"], p.get("message_id"))
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        return stored

    @staticmethod
    def _inline_markup(p: dict[str, Any]) -> dict[str, Any] | None:
        markup = validate_reply_markup(p.get("reply_markup"))
        if markup is not None and not is_inline(markup):
            raise bad_request("inline keyboard expected")
        return markup

    def _apply_markup(self, stored: StoredMessage, markup: dict[str, Any] | None) -> None:
        """Without ``reply_markup`` an edit removes the inline keyboard, as in Telegram."""
        if markup is None:
            stored.wire.pop("reply_markup", None)
        else:
            stored.wire["reply_markup"] = markup
        stored.extra["reply_markup"] = markup
        self.world.touch(stored)

    # -- sending -------------------------------------------------------------

    def send_message(self, p: dict[str, Any]) -> dict[str, Any]:
        state = self._target(p)
        text, entities = render(p.get("text"), p.get("parse_mode"), p.get("entities"))
        if not text:
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise bad_request("message is too long")
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        return self._store(
            state,
            p,
            content,
            "message",
            {"raw_text": p.get("text"), "parse_mode": p.get("parse_mode")},
        )

    def send_document(self, p: dict[str, Any]) -> dict[str, Any]:
        state = self._target(p)
        file_id, upload, name = self._file(p.get("document"), "document")
        document: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"u{file_id}"}
        if name:
            document["file_name"] = name
            # Telegram goes by the file name; clients mostly send application/octet-stream.
            mime = mimetypes.guess_type(name)[0] or (upload.content_type if upload else None)
            document["mime_type"] = mime or "application/octet-stream"
        if upload is not None:
            document["file_size"] = len(upload.content)
        content: dict[str, Any] = {"document": document}
        self._caption(p, content)
        data = upload.content if upload else None
        return self._store(
            state,
            p,
            content,
            "document",
            {
                "filename": name,
                "content": data,
                "caption": content.get("caption"),
                "document": {**document, "filename": name, "content": data},
            },
        )

    def send_photo(self, p: dict[str, Any]) -> dict[str, Any]:
        state = self._target(p)
        file_id, upload, name = self._file(p.get("photo"), "photo")
        size: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "width": 1280,
            "height": 960,
        }
        if upload is not None:
            size["file_size"] = len(upload.content)
        content: dict[str, Any] = {"photo": [size]}
        self._caption(p, content)
        return self._store(
            state,
            p,
            content,
            "photo",
            {
                "filename": name,
                "content": upload.content if upload else None,
                "caption": content.get("caption"),
            },
        )

    @staticmethod
    def _location(p: dict[str, Any]) -> dict[str, float]:
        lat, lon = p.get("latitude"), p.get("longitude")
        if not isinstance(lat, int | float) or not -90 <= lat <= 90:
            raise bad_request("wrong latitude specified")
        if not isinstance(lon, int | float) or not -180 <= lon <= 180:
            raise bad_request("wrong longitude specified")
        return {"latitude": float(lat), "longitude": float(lon)}

    def send_location(self, p: dict[str, Any]) -> dict[str, Any]:
        state = self._target(p)
        return self._store(state, p, {"location": self._location(p)}, "location")

    def send_venue(self, p: dict[str, Any]) -> dict[str, Any]:
        state = self._target(p)
        location = self._location(p)
        title, address = p.get("title"), p.get("address")
        if not title or not isinstance(title, str):
            raise bad_request("venue title is empty")
        if not address or not isinstance(address, str):
            raise bad_request("venue address is empty")
        venue = {"location": location, "title": title, "address": address}
        return self._store(state, p, {"venue": venue, "location": dict(location)}, "venue")

    def send_poll(self, p: dict[str, Any]) -> dict[str, Any]:
        state = self._target(p)
        question = p.get("question")
        if not isinstance(question, str) or not question.strip():
            raise bad_request("poll question must be non-empty")
        if utf16_len(question) > MAX_POLL_QUESTION:
            raise bad_request(f"poll question length must not exceed {MAX_POLL_QUESTION}")
        raw = p.get("options")
        if not isinstance(raw, list):
            raise bad_request("can't parse options JSON object")
        # aiogram sends ["a", "b"], python-telegram-bot [{"text": "a"}, ...].
        texts: list[Any] = [o.get("text") if isinstance(o, dict) else o for o in raw]
        if len(texts) < 2:
            raise bad_request("poll must have at least 2 option")
        if len(texts) > MAX_POLL_OPTIONS:
            raise bad_request(f"poll can't have more than {MAX_POLL_OPTIONS} options")
        if any(not isinstance(t, str) or not t.strip() for t in texts):
            raise bad_request("poll options must be non-empty")
        if any(utf16_len(t) > MAX_POLL_OPTION for t in texts):
            raise bad_request(f"poll options length must not exceed {MAX_POLL_OPTION}")
        poll_type = p.get("type") or "regular"
        if poll_type not in ("regular", "quiz"):
            raise bad_request("poll type is invalid")
        poll_id = str(5_000_000_000_000_000_000 + len(self.world.polls) + 1)
        poll: dict[str, Any] = {
            "id": poll_id,
            "question": question,
            "options": [
                {"text": t, "voter_count": 0, "persistent_id": f"{poll_id}-{i}"}
                for i, t in enumerate(texts)
            ],
            "total_voter_count": 0,
            "is_closed": bool(p.get("is_closed", False)),
            "is_anonymous": p.get("is_anonymous", True) is not False,
            "type": poll_type,
            "allows_multiple_answers": bool(p.get("allows_multiple_answers", False)),
            "allows_revoting": poll_type == "regular",
            "members_only": False,
        }
        if poll_type == "quiz" and p.get("correct_option_id") is not None:
            poll["correct_option_id"] = p["correct_option_id"]
        result = self._store(state, p, {"poll": poll}, "poll")
        self.world.polls[poll_id] = PollState(state.chat["id"], result["message_id"])
        return result

    def send_chat_action(self, p: dict[str, Any]) -> bool:
        self._target(p)
        if p.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    # -- editing -------------------------------------------------------------

    def edit_message_text(self, p: dict[str, Any]) -> dict[str, Any]:
        stored = self._edit_target(p)
        if "text" not in stored.wire:
            raise bad_request("there is no text in the message to edit")
        text, entities = render(p.get("text"), p.get("parse_mode"), p.get("entities"))
        if not text:
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise bad_request("message is too long")
        markup = self._inline_markup(p)
        if (
            text == stored.wire["text"]
            and entities == stored.wire.get("entities", [])
            and markup == stored.wire.get("reply_markup")
        ):
            raise bad_request(NOT_MODIFIED)
        stored.wire["text"] = text
        if entities:
            stored.wire["entities"] = entities
        else:
            stored.wire.pop("entities", None)
        stored.extra.update(raw_text=p.get("text"), parse_mode=p.get("parse_mode"))
        self._apply_markup(stored, markup)
        return copy.deepcopy(stored.wire)

    def edit_message_caption(self, p: dict[str, Any]) -> dict[str, Any]:
        stored = self._edit_target(p)
        if stored.kind not in ("document", "photo"):
            raise bad_request("there is no caption in the message to edit")
        content: dict[str, Any] = {}
        self._caption(p, content)
        markup = self._inline_markup(p)
        if (
            content.get("caption") == stored.wire.get("caption")
            and content.get("caption_entities") == stored.wire.get("caption_entities")
            and markup == stored.wire.get("reply_markup")
        ):
            raise bad_request(NOT_MODIFIED)
        for key in ("caption", "caption_entities"):
            stored.wire.pop(key, None)
        stored.wire.update(content)
        stored.extra["caption"] = content.get("caption")
        self._apply_markup(stored, markup)
        return copy.deepcopy(stored.wire)

    def edit_message_reply_markup(self, p: dict[str, Any]) -> dict[str, Any]:
        stored = self._edit_target(p)
        markup = self._inline_markup(p)
        if markup == stored.wire.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        self._apply_markup(stored, markup)
        return copy.deepcopy(stored.wire)

    def stop_poll(self, p: dict[str, Any]) -> dict[str, Any]:
        state = self.world.chat(p.get("chat_id"))
        self.world.check_not_blocked(state.chat["id"])
        stored = self.world.find(state.chat["id"], p.get("message_id"))
        if stored is None or "poll" not in stored.wire:
            raise bad_request("message with poll to stop not found")
        if stored.wire["poll"]["is_closed"]:
            raise bad_request("poll has already been closed")
        stored.wire["poll"]["is_closed"] = True
        self._apply_markup(stored, self._inline_markup(p))
        return copy.deepcopy(stored.wire["poll"])

    # -- deleting and callbacks ----------------------------------------------

    def delete_message(self, p: dict[str, Any]) -> bool:
        state = self.world.chat(p.get("chat_id"))
        message_id = p.get("message_id")
        if not isinstance(message_id, int) or not self.world.delete(state.chat["id"], message_id):
            raise bad_request("message to delete not found")
        return True

    def delete_messages(self, p: dict[str, Any]) -> bool:
        state = self.world.chat(p.get("chat_id"))
        ids = p.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must be an array of 1-100 message identifiers")
        for message_id in ids:
            self.world.delete(state.chat["id"], message_id)
        return True

    def answer_callback_query(self, p: dict[str, Any]) -> bool:
        query_id = p.get("callback_query_id")
        if query_id not in self.world.callbacks or query_id in self.world.callback_answers:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = p.get("text")
        if isinstance(text, str) and utf16_len(text) > MAX_CALLBACK_TEXT:
            # As Telegram words it; the query stays unanswered (the button spins on).
            raise bad_request("MESSAGE_TOO_LONG")
        self.world.callback_answers[query_id] = {
            key: p[key] for key in ("text", "show_alert", "url", "cache_time") if key in p
        }
        self.world.signal.fire()
        return True

    def get_chat(self, p: dict[str, Any]) -> dict[str, Any]:
        state = self.world.chat(p.get("chat_id"))
        return {
            **copy.deepcopy(state.chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }
