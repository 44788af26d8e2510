"""Render one document: the older entry points, now thin callers of ``documents.render``.

``render_worksheet(name, client, out)`` and ``worksheet_html`` take a client
profile; the record documents take their models. New code calls
:func:`~worksheets_lib.documents.render_document` with :class:`Inputs`.
"""

from __future__ import annotations

import os

from .documents.registry import Inputs
from .documents.render import (
    RenderResult,
    as_inputs,
    check_paper,
    document_html,
    practice_of,
    render_document,
)
from .models import ClientProfile, HistoryMap, JournalEntry
from .models.vocabulary import PATTERN_NAMES

PathLike = str | os.PathLike


def worksheet_html(name: str, client: ClientProfile | Inputs, paper: str | None = None,
                   templates_dir: PathLike | None = None, practice=None) -> str:
    """The document as an HTML string, for a preview."""
    return document_html(name, as_inputs(client), paper, practice_of(practice, templates_dir))


def render_worksheet(name: str, client: ClientProfile | Inputs, out: PathLike,
                     paper: str | None = None, templates_dir: PathLike | None = None,
                     practice=None, duplex: bool = False) -> RenderResult:
    """Render the document *name* for *client* to the PDF file *out*."""
    return render_document(name, as_inputs(client), out, paper,
                           practice_of(practice, templates_dir), duplex)


def history_map_html(client: ClientProfile, history: HistoryMap, paper: str | None = None,
                     templates_dir: PathLike | None = None, practice=None) -> str:
    """The therapist's history map as HTML."""
    return document_html("history-map", Inputs(client, history=history), paper,
                         practice_of(practice, templates_dir))


def render_history_map(client: ClientProfile, history: HistoryMap, out: PathLike,
                       paper: str | None = None, templates_dir: PathLike | None = None,
                       practice=None) -> RenderResult:
    """Render the history map PDF for the therapist's file."""
    return render_document("history-map", Inputs(client, history=history), out, paper,
                           practice_of(practice, templates_dir))


def journal_week_html(client: ClientProfile, entries: list[JournalEntry],
                      paper: str | None = None, templates_dir: PathLike | None = None,
                      practice=None) -> str:
    """The client's journal entries on the feelings-journal pages, as HTML."""
    return document_html("journal-week", Inputs(client, entries=list(entries)), paper,
                         practice_of(practice, templates_dir))


def render_journal_week(client: ClientProfile, entries: list[JournalEntry], out: PathLike,
                        paper: str | None = None, templates_dir: PathLike | None = None,
                        practice=None, start=None, end=None) -> RenderResult:
    """Render the client's entries (from *start* to *end*) and the look-back page as a PDF."""
    return render_document("journal-week",
                           Inputs(client, entries=list(entries), start=start, end=end),
                           out, paper, practice_of(practice, templates_dir))


def review_inputs(review) -> Inputs:
    """The inputs of the progress report, from a :class:`progress.Review`."""
    attempts = [attempt for rung in review.rungs for attempt in rung.tries]
    return Inputs(review.client, entries=list(review.entries), attempts=attempts,
                  start=review.start, end=review.end)


def render_progress_report(review, out: PathLike, paper: str | None = None,
                           templates_dir: PathLike | None = None,
                           practice=None) -> RenderResult:
    """Render the progress review (a :class:`progress.Review`) with its charts as a PDF."""
    return render_document("progress-report", review_inputs(review), out, paper,
                           practice_of(practice, templates_dir))


__all__ = ["PATTERN_NAMES", "RenderResult", "check_paper", "history_map_html",
           "journal_week_html", "render_history_map", "render_journal_week",
           "render_progress_report", "render_worksheet", "review_inputs", "worksheet_html"
           ]
