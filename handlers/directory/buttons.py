"""The button payloads of the directory (see ``handlers.payloads`` for the codec)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.payloads import payload


class DirectoryAction(StrEnum):
    HOME = "h"  # the categories
    CATEGORY = "c"  # item: the category's index in ``categories.CATEGORIES``
    ENTRY = "e"  # item: an entry id
    SEARCH = "s"  # ask for words to search for
    ORGANISE = "o"  # the organiser's directory menu
    ADD = "add"  # start a new entry
    PICK = "pick"  # item: category index for the entry being written
    RETIRE = "rt"  # item: an entry id
    EDIT = "ed"  # item: an entry id; which part to change
    FIELD = "f"  # item: an entry id; target: the field's index in ``edit.FIELDS``
    RECATEGORISE = "rc"  # item: an entry id; which category it should be in
    SET_CATEGORY = "sc"  # item: an entry id; target: the category's index
    SUGGESTIONS = "sg"
    ACCEPT = "ac"  # item: a suggestion id; a new entry, prefilled
    LINK = "ln"  # item: a suggestion id; target: the existing entry it is
    DISMISS = "dm"  # item: a suggestion id
    VIEW = "sv"  # item: a suggestion id
    SKIP = "skip"  # leave this field of the entry being written empty
    AREA = "ar"  # item: an entry id, 0 the one being written; target: an LPU to list, 0 all
    SET_COMMUNITY = "sm"  # item: as for AREA; target: the community it is to serve
    SET_LPU = "sl"  # item: as for AREA; target: the LPU it is to serve, 0 the whole force


@payload("dy")
@dataclass(frozen=True, slots=True)
class DirectoryButton:
    action: DirectoryAction
    item: int = 0
    target: int = 0
