"""Records kept between sessions: journal entries, ladder attempts, listening talks.

Each has a stable id (a UUID as 32 hex digits), so records can be edited,
exported and merged without duplicates.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from .common import Day, Distress, Intensity, LongText, Model, RecordId, ShortText, Timestamp
from .paper import Paper


def new_id() -> str:
    """A fresh record id."""
    return uuid.uuid4().hex


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class JournalEntry(Model):
    """One feelings-journal entry, as on the printed journal page."""

    id: RecordId = Field(default_factory=new_id)
    at: Timestamp = Field(default_factory=_now)
    what_happened: LongText | None = None
    feeling: ShortText | None = None  # named in the client's own words
    intensity: Intensity | None = None
    body: LongText | None = None  # where it was felt in the body
    paused: bool | None = None
    pause_named: ShortText | None = None
    pause_rating: Intensity | None = None
    pause_step: LongText | None = None
    what_i_did: LongText | None = None
    afterwards: Literal["closer", "same", "more distant"] | None = None


class LadderAttempt(Model):
    """One try of a ladder step: when, how it felt before and afterwards, what was learned.

    ``distress_before``, ``expected`` and ``happened`` come from the printed
    practice log (read back from a filled PDF); the journal app asks only for
    the rest.
    """

    id: RecordId = Field(default_factory=new_id)
    step_id: RecordId
    tried_on: Day
    distress_before: Distress | None = None
    distress_after: Distress | None = None
    expected: LongText | None = None
    happened: LongText | None = None
    learned: LongText | None = None


SKILLS: tuple[str, ...] = ("distractions_away", "eye_contact", "reflected_back",
                           "clarifying_question")


class ListeningRecord(Model):
    """One conversation on the active-listening checklist."""

    id: RecordId = Field(default_factory=new_id)
    talked_on: Day
    distractions_away: bool = False
    eye_contact: bool = False
    reflected_back: bool = False
    clarifying_question: bool = False
    reflection: LongText | None = None


#: A form field's name in a fillable PDF (see documents/options.py).
FieldName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$",
                                             max_length=120)]


class WorksheetResponse(Model):
    """What a client wrote on a filled, fillable worksheet, where no other record holds it.

    The journal's days, the ladder's tries and the listening talks become
    their own records; everything else written on a worksheet (an experiment
    record, a support map, the journal's look-back page) is kept here, field
    by field, with the document and the packet it came from.
    """

    id: RecordId = Field(default_factory=new_id)
    document: ShortText
    packet_id: RecordId | None = None
    received_at: Timestamp = Field(default_factory=_now)
    answers: dict[FieldName, LongText | bool] = Field(max_length=1000)


class PacketRecord(Model):
    """A packet that was generated: when, which worksheets, the file's hash (not the PDF)."""

    id: RecordId = Field(default_factory=new_id)
    at: Timestamp = Field(default_factory=_now)
    worksheets: list[ShortText]
    paper: Paper = "a4"
    pages: int = Field(ge=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
