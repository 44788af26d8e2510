"""The therapist's progress review: charts over time, repeated triggers, a printable report."""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path

import ipywidgets as w
from IPython.display import display

from ..charts import figure_png, intensity_figure, ladder_figure, pause_and_afterwards_figure
from ..errors import WorksheetError
from ..models import ClientProfile
from ..models.vocabulary import AFTERWARDS
from ..progress import Review, review
from ..render import render_progress_report
from . import binding as b
from .answers import AnswersImport
from .flow import PageFocus
from .history import file_link
from .picker import ClientPicker, WorkbookCasebook
from .picture import Picture
from .unlock import CasebookProblem, workbook_or_message


class ProgressReview:
    """Pick a client and a period; see the charts and triggers; print the report."""

    def __init__(self, client_id: str | None = None,
                 casebook: str | os.PathLike | None = None,
                 output_dir: str | os.PathLike = "output", weeks: int = 4, practice=None):
        self.casebook = WorkbookCasebook(casebook)
        self.output_dir = Path(output_dir)
        self.practice = practice
        today = dt.date.today()
        self.start = w.DatePicker(description="From", value=today - dt.timedelta(weeks=weeks))
        self.end = w.DatePicker(description="To", value=today)
        self.start.observe(lambda _: self.update(), names="value")
        self.end.observe(lambda _: self.update(), names="value")
        self.refresh_button = w.Button(
            description="Refresh", icon="refresh",
            tooltip="Read the casebook again: entries saved since appear",
            layout=w.Layout(width="auto", align_self="flex-end"))
        self.refresh_button.on_click(lambda _: self.update())
        self.read_at = w.HTML()
        self.facts = w.HTML()
        self.charts = [Picture(alt=alt, layout=w.Layout(max_width="100%")) for alt in (
            "Chart: how strong each feeling was, entry by entry",
            "Charts: how often the client paused, and how they felt afterwards, week by week",
            "Chart: each ladder rung's expected distress and the distress after its "
            "latest try")]
        self.triggers = w.HTML()
        self.report_button = w.Button(description="Make the progress report PDF",
                                      icon="file-pdf", button_style="info",
                                      layout=w.Layout(width="auto", align_self="flex-start"))
        self.report_button.on_click(lambda _: self.make_report())
        self.report_link = w.HTML()
        self.answers = AnswersImport(self.casebook, lambda: self.client and self.client.id,
                                     self.update)
        self.body = w.VBox([w.HBox([self.start, self.end, self.refresh_button, self.read_at],
                                  layout=w.Layout(flex_flow="row wrap",
                                                  align_items="center")), self.facts, *self.charts,
                            self.triggers, self.report_button, self.report_link,
                            self.answers.box])
        self.body.layout.display = "none"
        self.current: Review | None = None
        self._client: ClientProfile | None = None
        self.picker = ClientPicker(self.casebook, None, self._picked, allow_new=False)
        self.box = w.VBox([w.HTML("<h2>Progress review</h2>"), self.picker.box, self.body,
                           PageFocus()], layout=w.Layout(max_width="60em"))
        self.box.add_class("ws-workbook")
        if client_id:
            self.picker.refresh(client_id)

    @property
    def client(self) -> ClientProfile | None:
        return self._client

    def _picked(self, client: ClientProfile) -> None:
        self._client = client
        self.body.layout.display = None
        self.update()

    def update(self) -> Review | None:
        """Recompute and redraw for the chosen client and period."""
        if self.client is None or self.start.value is None or self.end.value is None:
            return None
        if self.start.value > self.end.value:
            self.facts.value = b.message_html("The start date is after the end date.")
            return None
        entries = self.casebook.list_journal(self.client.id, self.start.value, self.end.value)
        self.read_at.value = (f"<small class='ws-read-at'>as of "
                              f"{dt.datetime.now():%H:%M}</small>")
        attempts = self.casebook.list_ladder_attempts(self.client.id)
        self.current = result = review(self.client, entries, attempts, self.start.value,
                                       self.end.value)
        paused, not_paused = result.paused
        after = result.afterwards
        self.facts.value = (
            f"<p><b>{len(result.entries)}</b> journal entries · paused in <b>{paused}</b> "
            f"(not this time: {not_paused}) · afterwards "
            + ", ".join(f"{text} <b>{after[value]}</b>" for value, text in AFTERWARDS.items())
            + f" · "
            f"<b>{result.rungs_climbed}</b> of {len(result.rungs)} rungs tried</p>")
        for image, make in zip(self.charts, (intensity_figure, pause_and_afterwards_figure,
                                             ladder_figure), strict=True):
            image.value = figure_png(make(result))
        items = "".join(f"<li>{html.escape(t)} <small>({n} entries)</small></li>"
                        for t, n in result.triggers)
        self.triggers.value = ("<h3>Triggers that came up more than once</h3>"
                               + (f"<ul>{items}</ul>" if items
                                  else "<p><i>No words repeat across entries yet.</i></p>"))
        return result

    def make_report(self) -> Path | None:
        """Render the progress report PDF and link to it."""
        result = self.update()
        if result is None:
            return None
        out = self.output_dir / f"{self.client.id}-progress-{self.end.value:%Y-%m-%d}.pdf"
        try:
            rendered = render_progress_report(result, out, practice=self.practice)
        except WorksheetError as error:
            self.report_link.value = b.message_html("; ".join(error.lines()))
            return None
        self.report_link.value = file_link(rendered.path, "Open the progress report PDF")
        return rendered.path

    def _ipython_display_(self) -> None:
        display(self.box)


def progress_review(client_id: str | None = None, casebook: str | os.PathLike | None = None,
                    output_dir: str | os.PathLike = "output",
                    practice=None) -> ProgressReview | CasebookProblem:
    """Start the progress review (display the result in a notebook).

    *practice* is a practice folder for the printed report (None: found as
    ``find_practice`` says).
    """
    return workbook_or_message(
        lambda: ProgressReview(client_id, casebook, output_dir, practice=practice), casebook)
