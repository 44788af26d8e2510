"""The history-mapping flow: caregivers, separations, scripts, pattern reflection, summary."""

from __future__ import annotations

import html
import os
from pathlib import Path

import ipywidgets as w
from IPython.display import display

from ..charts import figure_png, timeline_figure
from ..errors import WorksheetError
from ..models import (
    PATTERNS,
    Caregiver,
    ClientProfile,
    HistoryMap,
    Moment,
    PatternReflection,
    RelationalScript,
    Separation,
    vocabulary,
)
from ..models.vocabulary import PATTERN_NAMES
from ..render import render_history_map
from . import binding as b
from .drafts import DraftKeeper
from .picker import ClientPicker, WorkbookCasebook, client_heading
from .picture import Picture
from .unlock import CasebookProblem, workbook_or_message
from .wizard import Step, Wizard

#: The four patterns in plain words, for the reflection step.
PATTERN_WORDS = {
    "secure": "Mostly at ease with closeness and with time apart; trusts that others will "
              "come back, and can say what they need.",
    "anxious": "Worries about being left; looks for reassurance and may hold on tighter when "
               "someone feels far away.",
    "dismissive-avoidant": "Relies on themself; feels crowded by too much closeness and tends "
                           "to keep feelings private.",
    "fearful-avoidant": "Wants closeness and fears it at the same time; may move close and "
                        "then pull away.",
}
AVAILABILITY = vocabulary.choices(vocabulary.AVAILABILITY, empty="—")
FITS = vocabulary.choices(vocabulary.FITS)
MOMENT_KINDS = vocabulary.choices(vocabulary.MOMENT_KINDS)


def caregiver_form() -> b.ModelForm:
    return b.ModelForm(Caregiver, [
        b.text("who", "Who", "a name or how the client calls them"),
        b.text("role", "Their role", "e.g. mother, grandfather, foster parent"),
        b.choice("availability", "How available they were", AVAILABILITY),
        b.text("comfort", "How comfort was offered", long=True),
        b.text("learned", "What the client learned to expect", long=True),
    ])


def separation_form() -> b.ModelForm:
    return b.ModelForm(Separation, [
        b.number("age", "Age", 0, 120, help="leave empty if unknown"),
        b.text("what_happened", "What happened", long=True),
        b.text("who_helped", "Who helped", long=True),
        b.text("shows_up_now", "How it still shows up", long=True),
    ])


def moment_form() -> b.ModelForm:
    return b.ModelForm(Moment, [
        b.choice("kind", "The client felt", MOMENT_KINDS),
        b.text("description", "The moment", long=True),
    ])


def script_form() -> b.ModelForm:
    moments = b.ListForm(moment_form, "Concrete moments", "Add a moment", 20,
                         "No moments yet: when did the client feel connected, or left?")
    return b.ModelForm(RelationalScript, [
        b.text("trigger", "Situation or trigger", long=True),
        b.text("fear", "Fear or belief", long=True),
        b.text("reaction", "What I do", long=True),
        b.text("result", "What happens next", long=True),
        b.text("need", "What I actually need", long=True),
    ], lists={"moments": moments})


class Reflection:
    """The four patterns in plain words, each with "seems to fit?" and the evidence."""

    def __init__(self):
        self.forms = {}
        rows = [w.HTML("<p>Note what seems to fit and why. This is a reflection to explore "
                       "with the client, <b>not a score or a diagnosis</b>.</p>")]
        for pattern in PATTERNS:
            form = b.ModelForm(PatternReflection, [
                b.choice("seems_to_fit", "Does it seem to fit?", FITS),
                b.text("evidence", "What we noticed", long=True),
            ], title=PATTERN_NAMES[pattern])
            rows += [w.HTML(f"<i>{html.escape(PATTERN_WORDS[pattern])}</i>"), form.box]
            self.forms[pattern] = form
        self.notes = b.text("notes", "Other notes", long=True)
        self.box = w.VBox([*rows, self.notes.box])

    def load(self, history: HistoryMap) -> None:
        stored = {r.pattern: r for r in history.reflections}
        for pattern, form in self.forms.items():
            form.load(stored.get(pattern))
        self.notes.load(history.notes)

    def validate(self) -> tuple[list[PatternReflection], str | None] | None:
        results = [form.validate({"pattern": p}) for p, form in self.forms.items()]
        if any(r is None for r in results):
            return None
        # Patterns left at "not sure" with no evidence are not worth storing.
        kept = [r for r in results if r.seems_to_fit != "unsure" or r.evidence]
        return kept, self.notes.value


class HistoryWorkbook:
    """The whole history-mapping flow, saved to the casebook."""

    def __init__(self, client_id: str | None = None,
                 casebook: str | os.PathLike | None = None,
                 output_dir: str | os.PathLike = "output", practice=None):
        self.casebook = WorkbookCasebook(casebook)
        self.output_dir = Path(output_dir)
        self.practice = practice
        self.heading = w.HTML()
        # The wizard's step titles name these lists, so they need no title of their own.
        self.caregivers = b.ListForm(caregiver_form, "", "Add a caregiver", 20,
                                     "No caregivers yet: who looked after the client?")
        self.separations = b.ListForm(separation_form, "", "Add a separation or loss", 50,
                                      "None yet: early separations, losses, moves, illness…")
        self.scripts = b.ListForm(script_form, "", "Add a script", 20,
                                  "None yet: a situation that plays out the same way again "
                                  "and again.")
        self.reflection = Reflection()
        self.chart = Picture(alt="Timeline of the caregivers, separations and losses "
                                 "typed in the steps before", layout=w.Layout(max_width="100%"))
        self.table = w.HTML()
        self.pdf_button = w.Button(description="Make the history map PDF", icon="file-pdf",
                                   button_style="info",
                                   layout=w.Layout(width="auto", align_self="flex-start"))
        self.pdf_button.on_click(lambda _: self.make_pdf())
        self.pdf_link = w.HTML()
        summary = w.VBox([self.chart, w.HTML("<h3>Relational scripts</h3>"), self.table,
                          self.pdf_button, self.pdf_link])
        self.picker = ClientPicker(self.casebook, None, self._load)
        self.wizard = Wizard("History map", [
            Step("The client", self.picker.box, self.picker.check),
            Step("Caregivers", w.VBox([self.heading, self.caregivers.box]),
                 lambda: self.caregivers.validate() is not None),
            Step("Early separations and losses", self.separations.box,
                 lambda: self.separations.validate() is not None),
            Step("Relational scripts", self.scripts.box,
                 lambda: self.scripts.validate() is not None),
            Step("Attachment patterns: a reflection", self.reflection.box,
                 lambda: self.reflection.validate() is not None),
            Step("Summary", summary, on_enter=self.summarize),
        ], self.save)
        self.picker.on_continue = self.wizard.next
        self.keeper = DraftKeeper(self.casebook, "history_mapping",
                                  lambda: self.client and self.client.id, self.draft,
                                  self.restore_draft, self.wizard.show_unsaved)
        self.wizard.offer.children = [self.keeper.offer_box]
        self.wizard.on_next = self.keeper.keep_now
        if client_id:
            self.picker.refresh(client_id)
        elif self.client is not None:  # the one client, chosen as the picker started
            self._load(self.client)

    @property
    def client(self) -> ClientProfile | None:
        return self.picker.client

    def _load(self, client: ClientProfile) -> None:
        """Show what was saved for *client* (after a restart, too)."""
        history = self.casebook.load_history(client.id)
        self.heading.value = client_heading(client)
        self.caregivers.load(history.caregivers)
        self.separations.load(history.separations)
        self.scripts.load(history.scripts)
        self.reflection.load(history)
        if hasattr(self, "keeper"):
            self.wizard.set_client(client)
            self.keeper.loaded()
            self.keeper.offer()

    def draft(self) -> dict:
        """Everything typed, as it is (a draft: see drafts.py)."""
        return {"caregivers": self.caregivers.raw(), "separations": self.separations.raw(),
                "scripts": self.scripts.raw(),
                "reflection": {p: f.raw() for p, f in self.reflection.forms.items()},
                "notes": self.reflection.notes.raw()}

    def restore_draft(self, data: dict) -> None:
        """Put a draft back into the forms."""
        self.caregivers.restore(data.get("caregivers") or [])
        self.separations.restore(data.get("separations") or [])
        self.scripts.restore(data.get("scripts") or [])
        for pattern, raw in (data.get("reflection") or {}).items():
            if pattern in self.reflection.forms and isinstance(raw, dict):
                self.reflection.forms[pattern].restore(raw)
        self.reflection.notes.restore(data.get("notes"))

    def history(self) -> HistoryMap | None:
        """Everything typed so far as a history map, or None when something needs fixing."""
        parts = (self.caregivers.validate(), self.separations.validate(),
                 self.scripts.validate(), self.reflection.validate())
        if any(p is None for p in parts):
            return None
        caregivers, separations, scripts, (reflections, notes) = parts
        return HistoryMap(caregivers=caregivers, separations=separations, scripts=scripts,
                          reflections=reflections, notes=notes)

    def save(self) -> str | None:
        """Save to the casebook; a message when something needs fixing first."""
        if self.client is None:
            return "Choose a client first (step 1)."
        history = self.history()
        if history is None:
            return "Some answers need a look (notes in red); nothing was saved yet."
        self.casebook.save_history(self.client.id, history)
        self.keeper.saved()
        return None

    def summarize(self) -> None:
        """Draw the timeline and the scripts table from what is typed now."""
        history = self.history() or HistoryMap()
        self.chart.value = figure_png(timeline_figure(history))
        self.table.value = scripts_table(history)

    def make_pdf(self) -> Path | None:
        """Save, then render the history map PDF and show a link to it."""
        problem = self.save()
        if problem:
            self.pdf_link.value = b.message_html(problem)
            return None
        out = self.output_dir / f"{self.client.id}-history-map.pdf"
        try:
            result = render_history_map(self.client,
                                        self.casebook.load_history(self.client.id), out,
                                        practice=self.practice)
        except WorksheetError as error:
            self.pdf_link.value = b.message_html("; ".join(error.lines()))
            return None
        self.pdf_link.value = file_link(result.path, "Open the history map PDF")
        self.wizard.status.value = b.message_html("Saved", "ok")
        return result.path

    def _ipython_display_(self) -> None:
        display(self.wizard.box)


def scripts_table(history: HistoryMap) -> str:
    """The relational scripts as an HTML table (escaped)."""
    if not history.scripts:
        return "<i>No scripts yet.</i>"
    head = ("Situation or trigger", "Fear or belief", "What I do", "What happens next",
            "What I actually need")
    cell = "border:1px solid #b7c4c6;padding:4px;vertical-align:top"
    rows = "".join(
        "<tr>" + "".join(f"<td style='{cell}'>{html.escape(v or '')}</td>"
                         for v in (s.trigger, s.fear, s.reaction, s.result, s.need)) + "</tr>"
        for s in history.scripts)
    header = "".join(f"<th style='{cell};background:#e3ecec'>{h}</th>" for h in head)
    return f"<table style='border-collapse:collapse'><tr>{header}</tr>{rows}</table>"


def file_link(path: Path, label: str) -> str:
    """A link to a file, relative to the notebook's folder when it is inside it."""
    try:
        target = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        target = path.resolve().as_uri()
    return (f'<a href="{html.escape(target)}" target="_blank">{html.escape(label)}</a> '
            f"<small>({html.escape(str(path))})</small>")


def history_mapping(client_id: str | None = None, casebook: str | os.PathLike | None = None,
                    output_dir: str | os.PathLike = "output",
                    practice=None) -> HistoryWorkbook | CasebookProblem:
    """Start the history-mapping workbook (display the result in a notebook).

    *practice* is a practice folder for the printed history map (None: found as
    ``find_practice`` says).
    """
    return workbook_or_message(
        lambda: HistoryWorkbook(client_id, casebook, output_dir, practice), casebook)
