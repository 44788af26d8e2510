"""Drafts: what was typed in a form and not saved yet, kept so that nothing is lost.

A draft is one JSON object per (client, place): the journal's unfinished
entry, a workbook step being edited. Saving a draft replaces the one before
it, in one transaction; a draft never changes a saved record (the apps discard
it once the record is saved). Drafts live in the casebook, so they are
encrypted with it, and go with their client when the client is deleted; they
are not records: never in bundles, exports or counts, and not audited per edit
(the text they hold never reaches the audit trail anyway).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from ..errors import RecordError

#: A draft bigger than this is refused (a form's text is far smaller).
MAX_BYTES = 1_000_000
_PLACE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")


@dataclass(frozen=True)
class Draft:
    """An unsaved form: its place (``journal.entry``), what was typed, and when."""

    client_id: str | None
    place: str
    data: dict
    saved_at: dt.datetime


def check_place(place: str) -> str:
    """Accept a short, plain place name (our own constants: ``history_mapping.step-2``)."""
    if not isinstance(place, str) or not _PLACE.match(place):
        raise ValueError(f"not a draft place: {place!r}")
    return place


def encode(data: dict) -> str:
    """*data* as JSON, or :class:`RecordError` when it is not a small JSON object."""
    if not isinstance(data, dict):
        raise RecordError("draft: must be a set of named answers")
    try:
        body = json.dumps(data, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        raise RecordError("draft: holds something that cannot be kept as text") from None
    if len(body.encode("utf-8")) > MAX_BYTES:
        raise RecordError("draft: too long to keep (more than 1 MB of text)")
    return body


def decode(client_id: str | None, place: str, body: str, saved_at: str) -> Draft | None:
    """A stored draft, or None when it cannot be read (a damaged draft is not worth an error)."""
    try:
        data = json.loads(body)
        when = dt.datetime.fromisoformat(saved_at)
    except (ValueError, RecursionError):
        return None
    return Draft(client_id, place, data, when) if isinstance(data, dict) else None
