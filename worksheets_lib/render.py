"""Render one worksheet: to HTML (for previews) or to a PDF file.

``render_worksheet`` is the one public entry for a single worksheet; the
command line and the notebooks both call it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import pdf, templating
from .catalog import Worksheet, get_worksheet
from .clientfile import load_client
from .errors import WorksheetError
from .models import ClientProfile, HistoryMap, JournalEntry
from .templating import long_date

STYLESHEET = "print.css"


@dataclass(frozen=True)
class RenderResult:
    """A written PDF: where it is, how many pages, and any warnings about the data."""

    path: Path
    pages: int
    warnings: list[str] = field(default_factory=list)


def as_client(client: ClientProfile | str | os.PathLike) -> ClientProfile:
    """Accept a validated profile or the path of a client file."""
    return client if isinstance(client, ClientProfile) else load_client(client)


def check_paper(paper: str) -> str:
    """Normalise and check a paper name (``a4`` or ``letter``)."""
    key = str(paper).lower()
    if key not in pdf.PAPER_SIZES:
        raise WorksheetError(f"paper: must be one of {', '.join(pdf.PAPER_SIZES)}")
    return key


def base_context(client: ClientProfile, title: str, paper: str) -> dict[str, Any]:
    """What the base layout needs on every page."""
    return {"client": client, "document_title": title, "paper": paper}


def worksheet_context(sheet: Worksheet, client: ClientProfile, paper: str) -> dict[str, Any]:
    """The full context of one worksheet's template."""
    return {**base_context(client, sheet.title, paper), "sheet": sheet,
            **sheet.context(client)}


def stylesheets(templates_dir: str | os.PathLike | None = None) -> list[Path]:
    """The print stylesheet, found through the same search path as templates."""
    for folder in templating.search_path(templates_dir):
        if (folder / STYLESHEET).is_file():
            return [folder / STYLESHEET]
    raise WorksheetError(f"{STYLESHEET} not found in the template folders")


def worksheet_html(name: str, client: ClientProfile | str | os.PathLike, paper: str = "a4",
                   templates_dir: str | os.PathLike | None = None) -> str:
    """The worksheet as an HTML string, for a preview or for :func:`html_to_pdf`."""
    sheet, client = get_worksheet(name), as_client(client)
    context = worksheet_context(sheet, client, check_paper(paper))
    return templating.render_template(sheet.template, context, templates_dir)


def html_to_pdf(html: str, out: str | os.PathLike, paper: str = "a4",
                templates_dir: str | os.PathLike | None = None,
                extra_roots: list[Path] = ()) -> pdf.PdfFacts:
    """Lay out our HTML with the print stylesheet and write the PDF atomically.

    *extra_roots* are further folders WeasyPrint may read (charts made for this PDF).
    """
    data, pages = pdf.make_pdf(html, roots=[*templating.search_path(templates_dir),
                                            *extra_roots],
                               stylesheets=stylesheets(templates_dir), paper=check_paper(paper))
    return pdf.write_pdf(data, pages, out)


def render_worksheet(name: str, client: ClientProfile | str | os.PathLike,
                     out: str | os.PathLike, paper: str = "a4",
                     templates_dir: str | os.PathLike | None = None) -> RenderResult:
    """Render the worksheet *name* for *client* to the PDF file *out*.

    *client* is a validated profile or a client file's path; *paper* is
    ``a4`` or ``letter``; *templates_dir* is an optional folder whose
    templates replace the built-in ones of the same name. Returns the file,
    its page count and warnings (for example ladder steps too far apart).
    """
    client = as_client(client)
    html = worksheet_html(name, client, paper, templates_dir)
    facts = html_to_pdf(html, out, paper, templates_dir)
    return RenderResult(facts.path, facts.pages, get_worksheet(name).check(client))


PATTERN_NAMES = {"secure": "Secure", "anxious": "Anxious",
                 "dismissive-avoidant": "Dismissive-avoidant",
                 "fearful-avoidant": "Fearful-avoidant"}


def history_map_html(client: ClientProfile, history: HistoryMap, paper: str = "a4",
                     templates_dir: str | os.PathLike | None = None) -> str:
    """The therapist's history map as HTML."""
    separations = sorted(history.separations,
                         key=lambda s: (s.age is None, s.age if s.age is not None else 0))
    context = {**base_context(client, "History map", check_paper(paper)), "history": history,
               "separations": separations, "pattern_names": PATTERN_NAMES}
    return templating.render_template("history_map.html.j2", context, templates_dir)


def render_history_map(client: ClientProfile, history: HistoryMap, out: str | os.PathLike,
                       paper: str = "a4",
                       templates_dir: str | os.PathLike | None = None) -> RenderResult:
    """Render the history map PDF for the therapist's file."""
    html = history_map_html(client, history, paper, templates_dir)
    facts = html_to_pdf(html, out, paper, templates_dir)
    return RenderResult(facts.path, facts.pages, [])


def journal_week_html(client: ClientProfile, entries: list[JournalEntry], paper: str = "a4",
                      templates_dir: str | os.PathLike | None = None) -> str:
    """The client's journal entries on the feelings-journal pages, as HTML."""
    rows = [{**entry.model_dump(),
             "when": f"{entry.at.astimezone():%A} {long_date(entry.at.astimezone().date())}, "
                     f"{entry.at.astimezone():%H:%M}"}
            for entry in sorted(entries, key=lambda e: e.at)]
    context = {**base_context(client, "My feelings journal", check_paper(paper)),
               "entries": rows}
    return templating.render_template("journal_week.html.j2", context, templates_dir)


def render_journal_week(client: ClientProfile, entries: list[JournalEntry],
                        out: str | os.PathLike, paper: str = "a4",
                        templates_dir: str | os.PathLike | None = None) -> RenderResult:
    """Render the client's entries (a page each) and the weekly review page as a PDF."""
    html = journal_week_html(client, entries, paper, templates_dir)
    facts = html_to_pdf(html, out, paper, templates_dir)
    return RenderResult(facts.path, facts.pages, [])


def render_progress_report(review, out: str | os.PathLike, paper: str = "a4",
                           templates_dir: str | os.PathLike | None = None) -> RenderResult:
    """Render the progress review (a :class:`progress.Review`) with its charts as a PDF."""
    import tempfile

    from .charts import figure_svg, intensity_figure, ladder_figure, pause_and_afterwards_figure

    with tempfile.TemporaryDirectory(prefix="worksheets-charts-") as folder:
        charts = []
        for name, alt, make in (("intensity", "How strong the feelings were", intensity_figure),
                                ("pauses", "Using the pause, and afterwards",
                                 pause_and_afterwards_figure),
                                ("ladder", "The ladder: expected and afterwards", ladder_figure)):
            path = Path(folder) / f"{name}.svg"
            path.write_bytes(figure_svg(make(review)))
            charts.append({"url": path.as_uri(), "alt": alt})
        paused, not_paused = review.paused
        context = {**base_context(review.client, "Progress review", check_paper(paper)),
                   "start": review.start, "end": review.end, "entries": len(review.entries),
                   "paused": paused, "not_paused": not_paused,
                   "afterwards": review.afterwards, "climbed": review.rungs_climbed,
                   "rungs": len(review.rungs), "charts": charts,
                   "triggers": review.triggers, "feelings": review.feelings}
        html = templating.render_template("progress_report.html.j2", context, templates_dir)
        facts = html_to_pdf(html, out, paper, templates_dir, extra_roots=[Path(folder)])
    return RenderResult(facts.path, facts.pages, [])
