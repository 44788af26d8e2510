"""The kinds of record a casebook keeps, in one table.

The store lists and checks records by it, the bundle carries and merges them
by it, ``client show`` counts them by it, and ``casebook check`` reads each one
back through its model. A record's *name* is also the word the audit trail
uses for it; its *table* and *order* are our own constants (never user input)
and so may be put into SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from ..models import (
    GoalPlan,
    HistoryMap,
    JournalEntry,
    LadderAttempt,
    ListeningRecord,
    PacketRecord,
    WorksheetResponse,
)


def stored_time(moment: dt.datetime) -> str:
    """A sortable text form: UTC, ISO 8601 (a naive time is taken as local time)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class RecordKind:
    """A kind of record kept one row per record."""

    name: str        # "journal entry": messages and the audit trail
    plural: str      # "journal entries": counts
    table: str       # its table
    order: str       # the column records are listed by, oldest first
    model: type[BaseModel]
    bundle_field: str  # its list in a bundle
    #: The columns beside the body that queries need, from a record.
    columns: Callable[[Any], dict[str, str]]
    #: Whether a stored record may be replaced (a packet's log line never is).
    editable: bool = True


RECORDS: tuple[RecordKind, ...] = (
    RecordKind("journal entry", "journal entries", "journal_entries", "at", JournalEntry,
               "journal", lambda e: {"at": stored_time(e.at)}),
    RecordKind("ladder attempt", "ladder attempts", "ladder_attempts", "tried_on",
               LadderAttempt, "ladder_attempts",
               lambda a: {"step_id": a.step_id, "tried_on": a.tried_on.isoformat()}),
    RecordKind("listening record", "listening records", "listening_records", "talked_on",
               ListeningRecord, "listening", lambda r: {"talked_on": r.talked_on.isoformat()}),
    RecordKind("packet", "packets generated", "packets", "at", PacketRecord, "packets",
               lambda p: {"at": stored_time(p.at)}, editable=False),
    RecordKind("worksheet response", "worksheet responses", "responses", "received_at",
               WorksheetResponse, "responses",
               lambda r: {"received_at": stored_time(r.received_at), "document": r.document}),
)
BY_NAME = {kind.name: kind for kind in RECORDS}


@dataclass(frozen=True)
class DocumentKind:
    """A kind of record kept once per client (in the ``documents`` table)."""

    name: str    # "history": the stored kind and the audit trail's word
    label: str   # "history map": messages
    model: type[BaseModel]


DOCUMENTS: tuple[DocumentKind, ...] = (
    DocumentKind("history", "history map", HistoryMap),
    DocumentKind("plan", "goal plan", GoalPlan),
)

#: Every table that holds records, for whole-casebook work (converting, counting).
TABLES = ("clients", "documents", *(kind.table for kind in RECORDS), "audit")

#: The words the audit trail uses for what a line is about.
AUDIT_KINDS = ("client", *(d.name for d in DOCUMENTS), *(r.name for r in RECORDS),
               "filled worksheet", "client records", "whole casebook")
#: Those a client's bundle may carry (whole-casebook lines stay in the casebook).
AuditKind = Literal[AUDIT_KINDS[:-1]]  # type: ignore[valid-type]
