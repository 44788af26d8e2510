"""Documents made from casebook records: the history map, the journal week, the progress review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..models.vocabulary import AFTERWARDS, AVAILABILITY, FITS, MOMENT_KINDS, PATTERN_NAMES, PAUSED
from ..templating import long_date
from .registry import Document, Inputs, register

#: Charts in the progress review: file name, alternative text, figure function name.
PROGRESS_CHARTS = (("intensity", "How strong the feelings were", "intensity_figure"),
                   ("pauses", "Using the pause, and afterwards", "pause_and_afterwards_figure"),
                   ("ladder", "The ladder: expected and afterwards", "ladder_figure"))


def _history_map(inputs: Inputs, scratch: Path, paper: str = "a4",
                 hints: dict | None = None) -> dict[str, Any]:
    history = inputs.history
    separations = sorted(history.separations,
                         key=lambda s: (s.age is None, s.age if s.age is not None else 0))
    return {"history": history, "separations": separations, "pattern_names": PATTERN_NAMES,
            "availability": AVAILABILITY, "fits": FITS, "moment_kinds": MOMENT_KINDS}


def _when(entry) -> str:
    moment = entry.at.astimezone()
    return f"{moment:%A} {long_date(moment.date())}, {moment:%H:%M}"


def _journal_week(inputs: Inputs, scratch: Path, paper: str = "a4",
                  hints: dict | None = None) -> dict[str, Any]:
    rows = [{**entry.model_dump(), "when": _when(entry),
             "afterwards_label": AFTERWARDS.get(entry.afterwards, "")}
            for entry in sorted(inputs.entries, key=lambda e: e.at)]
    week = (inputs.start is not None and inputs.end is not None
            and (inputs.end - inputs.start).days == 6)
    return {"entries": rows, "paused_labels": PAUSED, "not_noted": PAUSED[None],
            "week": week}


def _progress_report(inputs: Inputs, scratch: Path, paper: str = "a4",
                     hints: dict | None = None) -> dict[str, Any]:
    from .. import charts
    from ..progress import review as make_review

    client = inputs.client
    start, end = inputs.start, inputs.end
    summary = make_review(client, list(inputs.entries), list(inputs.attempts), start, end)
    pictures = []
    for name, alt, figure in PROGRESS_CHARTS:
        path = scratch / f"{name}.svg"
        path.write_bytes(charts.figure_svg(getattr(charts, figure)(summary)))
        pictures.append({"url": path.as_uri(), "alt": alt})
    paused, not_paused = summary.paused
    return {"start": start, "end": end, "entries": len(summary.entries),
            "paused": paused, "not_paused": not_paused, "afterwards": summary.afterwards,
            "afterwards_labels": AFTERWARDS, "climbed": summary.rungs_climbed,
            "rungs": len(summary.rungs), "charts": pictures, "triggers": summary.triggers,
            "feelings": summary.feelings}


register(Document(
    "journal-week", "My feelings journal",
    "The journal entries of a week from the journal app, and a page to look back.",
    "client", "journal_week.html.j2", _journal_week, needs=("entries",),
    purpose="practising"))
register(Document(
    "history-map", "History map",
    "For the therapist's file: caregivers, early separations, relational scripts and the "
    "pattern reflection.",
    "therapist", "history_map.html.j2", _history_map, needs=("history",),
    purpose="therapist"))
register(Document(
    "progress-report", "Progress review",
    "For the therapist: the journal and the ladder over a period, with charts and notes.",
    "therapist", "progress_report.html.j2", _progress_report,
    needs=("entries", "attempts"), purpose="therapist"))
