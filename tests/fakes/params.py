"""Reading Bot API request parameters the way Telegram does, and API errors.

Telegram takes parameters from the query string, a form (urlencoded or multipart,
where files are uploaded) or a JSON body. In forms every value is a string and the
structured ones (``reply_markup``, ``options``, ...) are JSON-encoded, so they are
decoded here by parameter name; numbers in ``chat_id`` and the like become ints.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

INT_PARAMS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "reply_to_message_id",
        "message_thread_id",
        "max_connections",
        "cache_time",
        "open_period",
        "close_date",
        "correct_option_id",
        "live_period",
        "heading",
        "proximity_alert_radius",
        "from_chat_id",
        "duration",
        "width",
        "height",
    }
)
FLOAT_PARAMS = frozenset({"latitude", "longitude", "horizontal_accuracy"})
BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "is_anonymous",
        "allows_multiple_answers",
        "is_closed",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
        "allows_revoting",
        "members_only",
        "for_channels",
    }
)
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "options",
        "allowed_updates",
        "commands",
        "entities",
        "caption_entities",
        "explanation_entities",
        "question_entities",
        "link_preview_options",
        "reply_parameters",
        "menu_button",
        "scope",
        "media",
        "message_ids",
        "correct_option_ids",
        "rights",
    }
)


class ApiError(Exception):
    """A Bot API error answer: HTTP ``status`` and Telegram's ``description``."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(f"{status} {description}")
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class UploadedFile:
    """A file uploaded in a multipart request."""

    filename: str
    content: bytes
    content_type: str | None = None


async def read_params(request: web.Request) -> dict[str, Any]:
    """All parameters of a request: query string, then the body (form or JSON)."""
    params: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise bad_request("can't parse JSON object") from exc
            if not isinstance(body, dict):
                raise bad_request("JSON object expected")
            params.update(body)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = UploadedFile(
                        value.filename, value.file.read(), value.content_type
                    )
                else:
                    params[key] = value
    return resolve_attachments(params)


def resolve_attachments(params: dict[str, Any]) -> dict[str, Any]:
    """Replace ``attach://name`` values by the file uploaded as part ``name`` (aiogram)."""
    resolved = dict(params)
    for key, value in params.items():
        if isinstance(value, str) and value.startswith("attach://"):
            part = value.removeprefix("attach://")
            if isinstance(params.get(part), UploadedFile):
                resolved[key] = params[part]
                resolved.pop(part, None)
    return resolved


def _as_bool(value: str) -> bool | str:
    lowered = value.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0", ""):
        return False
    return value


def _coerce(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if key in JSON_PARAMS:
            return json.loads(value)
        if key in INT_PARAMS:
            return int(value)
        if key in FLOAT_PARAMS:
            return float(value)
    except ValueError:
        return value  # left as sent; the method answers 400 if it matters
    if key in BOOL_PARAMS:
        return _as_bool(value)
    return value


def normalise(params: dict[str, Any]) -> dict[str, Any]:
    """Decode form-encoded values by parameter name; JSON bodies are already typed."""
    return {key: _coerce(key, value) for key, value in params.items()}
