"""What a printable document is, and the one registry of every document.

A :class:`Document` names its template and turns validated models (an
:class:`Inputs`) into the plain values its template shows. It never reads a
file: the client file is read by ``clientfile``, records come from the
casebook (``documents.sources``). Adding a document is its template plus one
``register(Document(...))`` call in one of this package's modules; the
command line, the packet, the tests and the README pictures all iterate
:func:`list_documents`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from ..errors import UnknownWorksheetError, WorksheetError
from ..models import ClientProfile, GoalPlan, HistoryMap, JournalEntry, LadderAttempt

Audience = Literal["client", "therapist"]

#: What each kind of casebook record is called in messages and in ``worksheets list``.
RECORD_NAMES: dict[str, str] = {
    "history": "the history map",
    "plan": "the goal plan",
    "entries": "journal entries",
    "attempts": "ladder tries",
}


@dataclass(frozen=True)
class Inputs:
    """The models a document is made from: the client's profile, and records when needed.

    A record left as None was not supplied (a client file holds no records);
    an empty list means there are none yet. ``start`` and ``end`` bound the
    period of the journal week and the progress review.
    """

    client: ClientProfile
    history: HistoryMap | None = None
    plan: GoalPlan | None = None
    entries: list[JournalEntry] | None = None
    attempts: list[LadderAttempt] | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    def supplied(self) -> set[str]:
        """The record kinds that were supplied."""
        return {f.name for f in fields(self)
                if f.name in RECORD_NAMES and getattr(self, f.name) is not None}


def _no_warnings(inputs: Inputs) -> list[str]:
    return []


@dataclass(frozen=True)
class Document:
    """One printable document.

    ``needs`` lists the casebook records it is made from (keys of
    :data:`RECORD_NAMES`); empty means the client file is enough.
    ``context(inputs, scratch, paper, hints)`` returns the template's values;
    it may write files it needs (charts) into the folder *scratch*, which the
    PDF layer may read for the length of the render; *paper* is ``a4`` or
    ``letter``, for layouts that depend on the page's height; *hints* come from
    ``check_layout`` when a first layout was not right. ``warnings(inputs)`` returns notes
    about the data; the PDF still renders. ``in_packet``: whether it can be
    one of a packet's sections (every client document but the packet itself).
    """

    name: str
    title: str
    description: str
    audience: Audience
    template: str
    context: Callable[[Inputs, Path, str, dict], dict[str, Any]] = field(repr=False)
    needs: tuple[str, ...] = ()
    warnings: Callable[[Inputs], list[str]] = field(repr=False, default=_no_warnings)
    in_packet: bool = True
    #: What it is for, to group ``worksheets list``: understanding, calming, practising,
    #: couples, keeping it going, or therapist.
    purpose: str = "practising"
    #: Shown in the packet by default (documents made from the client file alone).
    default_in_packet: bool = False
    #: Looks at the laid-out pages (WeasyPrint's); returns None when they are right, else
    #: hints for ``context`` to lay the document out again (at most a few times).
    check_layout: Callable[[list, dict], dict | None] | None = field(repr=False, default=None)

    @property
    def needs_records(self) -> bool:
        return bool(self.needs)

    def needs_text(self) -> str:
        """What it is made from, in a few words (for ``worksheets list``)."""
        if not self.needs:
            return "client file"
        return "casebook: " + ", ".join(RECORD_NAMES[n] for n in self.needs)

    def check_inputs(self, inputs: Inputs) -> None:
        """Raise a one-line error when records this document needs were not supplied."""
        missing = [n for n in self.needs if n not in inputs.supplied()]
        if missing:
            raise MissingRecordsError(self.name, [RECORD_NAMES[n] for n in missing])

    def check_file_is_enough(self) -> None:
        """Raise a one-line error when a client file alone cannot make this document."""
        if self.needs:
            raise MissingRecordsError(self.name, [RECORD_NAMES[n] for n in self.needs])


class MissingRecordsError(WorksheetError):
    """Raised when a document that needs casebook records is given only a client file."""

    def __init__(self, name: str, missing: list[str]):
        self.name = name
        self.missing = list(missing)
        super().__init__(f"{name}: is made from {' and '.join(missing)} in the casebook; "
                         f"use --client-id ID instead of --client FILE")

    def __reduce__(self):
        return (type(self), (self.name, self.missing))


#: The purposes documents are grouped by in ``worksheets list``, in the order shown.
PURPOSES: tuple[str, ...] = ("understanding", "calming", "practising", "couples",
                             "keeping it going", "therapist")

_REGISTRY: dict[str, Document] = {}


def register(document: Document) -> Document:
    """Add *document* to the registry (its name must be new)."""
    if document.name in _REGISTRY:
        raise ValueError(f"a document called {document.name!r} is already registered")
    for need in document.needs:
        if need not in RECORD_NAMES:
            raise ValueError(f"{document.name}: unknown need {need!r}")
    if document.purpose not in PURPOSES:
        raise ValueError(f"{document.name}: unknown purpose {document.purpose!r}; "
                         f"choose from {', '.join(PURPOSES)}")
    _REGISTRY[document.name] = document
    return document


def _load_all() -> None:
    # The modules that register documents; imported here so the registry is
    # complete whichever module is imported first.
    from . import packet, records, worksheets  # noqa: F401, I001
    from . import handouts  # noqa: F401, I001
    from . import calming  # noqa: F401, I001
    from . import couples  # noqa: F401, I001


def list_documents(audience: Audience | None = None) -> list[Document]:
    """Every registered document (or those for one *audience*), in registry order."""
    _load_all()
    return [d for d in _REGISTRY.values() if audience is None or d.audience == audience]


def get_document(name: str) -> Document:
    """The document called *name*, or :class:`UnknownWorksheetError` naming the choices."""
    _load_all()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownWorksheetError(name, list(_REGISTRY)) from None


def packet_documents() -> list[Document]:
    """The documents a packet may hold: every client document but the packet itself."""
    return [d for d in list_documents("client") if d.in_packet]
