"""The goal-setting flow: vision, goals, the ladder, the client's words, the packet."""

from __future__ import annotations

import io
import os
from pathlib import Path

import ipywidgets as w
from IPython.display import display
from pydantic import BaseModel, ValidationError

from ..documents import packet_documents, render_casebook_packet
from ..errors import WorksheetError
from ..models import ClientProfile, Goal, GoalPlan, PlanStep
from ..models.common import Name, ShortText, between
from ..models.paper import DEFAULT_PAPER, PAPER_SIZES
from ..models.problems import problems_from
from ..practice import find_practice
from . import binding as b
from .answers import AnswersImport
from .drafts import DraftKeeper
from .history import file_link
from .ladder import LadderBuilder
from .picker import ClientPicker, WorkbookCasebook, client_heading
from .picture import Picture
from .unlock import CasebookProblem, workbook_or_message
from .wizard import Step, Wizard


def plan_step_form() -> b.ModelForm:
    return b.ModelForm(PlanStep, [
        b.text("what", "Step", "concrete: what, with whom, how often"),
        b.date("by", "By when"),
        b.flag("done", "Done"),
    ])


def goal_form() -> b.ModelForm:
    steps = b.ListForm(plan_step_form, "Steps", "Add a step", 20,
                       "No steps yet: break the goal into small, dated steps.")
    return b.ModelForm(Goal, [
        b.text("goal", "The goal", "in the client's own words", long=True),
        b.text("accountability", "How we will keep track",
               "a measure the client finds fair", long=True),
        b.text("check_in", "Check-in", "e.g. every Monday, each session"),
    ], lists={"steps": steps})


class ClientWords(BaseModel):
    """The words on the worksheets, checked with the client."""

    name: Name
    pronouns: ShortText | None = None
    partner: ShortText = "partner"
    relationship: ShortText = "relationship"
    closeness: ShortText = "closeness"
    other_person: ShortText | None = None
    days: between(1, 31) = 7
    checked: bool = False


def words_form() -> b.ModelForm:
    return b.ModelForm(ClientWords, [
        b.text("name", "Name on worksheets"),
        b.text("pronouns", "Pronouns", "optional"),
        b.text("partner", "Their word for their partner", "wife, boyfriend, partner…"),
        b.text("relationship", "Their word for the bond", "relationship, marriage…"),
        b.text("closeness", "Their word for being close", "closeness, connection…"),
        b.text("other_person", "Listening checklist is for", "e.g. the partner's first name"),
        b.number("days", "Journal days", 1, 31, optional=False),
        b.flag("checked", "I checked these words with the client"),
    ])


def _practice_paper(practice) -> str:
    """The practice's paper; a practice folder with a problem is reported when printing."""
    try:
        return find_practice(practice).paper
    except WorksheetError:
        return DEFAULT_PAPER


class GoalsWorkbook:
    """The whole goal-setting flow, saved to the casebook, ending in the client's packet."""

    def __init__(self, client_id: str | None = None,
                 casebook: str | os.PathLike | None = None,
                 output_dir: str | os.PathLike = "output", practice=None):
        self.casebook = WorkbookCasebook(casebook)
        self.output_dir = Path(output_dir)
        self.practice = practice  # a practice folder; None: found as find_practice says
        self.heading = w.HTML()
        self.vision = b.text("vision", "What secure connection would make possible",
                             "in the client's own words: at home, with friends, at work…",
                             long=True)
        self.goals = b.ListForm(goal_form, "Goals (one to three)", "Add a goal", 3)
        self.ladder = LadderBuilder()
        self.words = words_form()
        self.sheets = {d.name: w.Checkbox(value=d.default_in_packet, description=d.title,
                                          indent=False)
                       for d in packet_documents()}
        self.paper = w.Dropdown(options=[(size.label, key) for key, size in PAPER_SIZES.items()],
                                value=_practice_paper(practice), description="Paper")
        self.fillable = w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto"),
                                   description="Fillable PDF: the client can type in it")
        self.large_print = w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto"),
                                      description="Large print: bigger words, more room")
        self.answers = AnswersImport(self.casebook, lambda: self.client and self.client.id)
        self.packet_button = w.Button(description="Save and make the packet", icon="print",
                                      button_style="primary",
                                      layout=w.Layout(width="auto", align_self="flex-start"))
        self.packet_button.on_click(lambda _: self.make_packet())
        self.packet_message = w.HTML()
        self.pages = w.HBox(layout=w.Layout(flex_flow="row wrap"))
        packet = w.VBox([w.HTML("<p>Choose the worksheets for the packet:</p>"),
                         *self.sheets.values(), self.paper, self.fillable,
                         self.large_print, self.packet_button, self.packet_message, self.pages,
                         self.answers.box])
        self.picker = ClientPicker(self.casebook, None, self._load)
        self.wizard = Wizard("Goals and the attachment ladder", [
            Step("The client", self.picker.box, self.picker.check),
            Step("What secure connection would make possible",
                 w.VBox([self.heading, self.vision.box]), lambda: True),
            Step("Goals", self.goals.box, self._check_goals),
            Step("The attachment ladder", self.ladder.box,
                 lambda: self.ladder.ladder() is not None),
            Step("The client's words", self.words.box, self._check_words),
            Step("The packet", packet),
        ], self.save)
        self.picker.on_continue = self.wizard.next
        self.ladder.focus = self.wizard.focus
        self.keeper = DraftKeeper(self.casebook, "goal_setting",
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
        plan = self.casebook.load_plan(client.id)
        self.heading.value = client_heading(client)
        self.vision.load(plan.vision)
        self.goals.load(plan.goals)
        self.ladder.load(client)
        self.large_print.value = client.print.large
        self.words.load(ClientWords(
            name=client.name, pronouns=client.pronouns, partner=client.terms.partner,
            relationship=client.terms.relationship, closeness=client.terms.closeness,
            other_person=client.listening.other_person, days=client.journal.days))
        if hasattr(self, "keeper"):
            self.wizard.set_client(client)
            self.keeper.loaded()
            self.keeper.offer()

    def draft(self) -> dict:
        """Everything typed, as it is (a draft: see drafts.py)."""
        return {"vision": self.vision.raw(), "goals": self.goals.raw(),
                "ladder": [[row.id, row.text.value, row.distress.value]
                           for row in self.ladder.rows],
                "words": self.words.raw()}

    def restore_draft(self, data: dict) -> None:
        """Put a draft back into the forms."""
        self.vision.restore(data.get("vision"))
        self.goals.restore(data.get("goals") or [])
        self.ladder.restore_rows(data.get("ladder") or [])
        if isinstance(data.get("words"), dict):
            self.words.restore(data["words"])

    def _check_goals(self) -> bool:
        goals = self.goals.validate()
        if goals is not None and not goals:
            self.goals.message.value = b.message_html("Add at least one goal.")
            return False
        return goals is not None

    def _check_words(self) -> bool:
        words = self.words.validate()
        if words is not None and not words.checked:
            self.words.fields["checked"].show("Please go over these words with the client.")
            return False
        return words is not None

    def plan(self) -> GoalPlan | None:
        goals = self.goals.validate()
        if goals is None:
            return None
        try:
            return GoalPlan(vision=self.vision.value, goals=goals)
        except ValidationError as error:
            self.vision.show("; ".join(p.message for p in problems_from(error)))
            return None

    def profile(self) -> ClientProfile | None:
        """The client's profile with the ladder and words as typed now."""
        ladder, words = self.ladder.ladder(), self.words.validate()
        if ladder is None or words is None:
            return None
        client = self.client
        return client.model_copy(update={
            "name": words.name, "pronouns": words.pronouns, "ladder": ladder,
            "terms": client.terms.model_copy(update={
                "partner": words.partner, "relationship": words.relationship,
                "closeness": words.closeness}),
            "listening": client.listening.model_copy(update={"other_person":
                                                             words.other_person}),
            "journal": client.journal.model_copy(update={"days": words.days})})

    def save(self) -> str | None:
        """Save the plan and the client's ladder and words; a message when something is off."""
        if self.client is None:
            return "Choose a client first (step 1)."
        plan, profile = self.plan(), self.profile()
        if plan is None or profile is None:
            return "Some answers need a look (notes in red); nothing was saved yet."
        stored = self.casebook.update_client(profile)
        self.casebook.save_plan(stored.id, plan)
        self.picker.refresh(stored.id)  # the name may have changed
        self.picker.client = stored
        self.heading.value = client_heading(stored)
        self.ladder.load(stored)  # rows now carry the stored step ids
        self.keeper.saved()
        return None

    def make_packet(self) -> Path | None:
        """Save, render the packet, show its pages and a link to the PDF."""
        words = self.words.validate()
        if words is not None and not words.checked:
            self.words.fields["checked"].show("Please go over these words with the client.")
            self.packet_message.value = b.message_html(
                "Check the client's words with them first (the step before).")
            return None
        chosen = [name for name, box in self.sheets.items() if box.value]
        if not chosen:
            self.packet_message.value = b.message_html("Choose at least one worksheet.")
            return None
        if not self.wizard.save():
            self.packet_message.value = self.wizard.status.value
            return None
        out = self.output_dir / f"{self.client.id}-packet.pdf"
        try:
            result = render_casebook_packet(self.casebook, self.client.id, out, chosen,
                                            self.paper.value, practice=self.practice,
                                            fillable=self.fillable.value,
                                            large_print=self.large_print.value)
        except WorksheetError as error:
            self.packet_message.value = b.message_html("; ".join(error.lines()))
            return None
        previews = page_previews(result.path)
        self.pages.children = [Picture(value=png, alt=f"Page {number} of {len(previews)} "
                                       "of the packet, small",
                                       layout=w.Layout(width="180px", margin="4px",
                                                       border="1px solid #ccc"))
                               for number, png in enumerate(previews, start=1)]
        notes = "".join(b.message_html(text, "info") + "<br>" for text in result.warnings)
        self.packet_message.value = (notes + b.message_html(
            f"Saved. The packet has {result.pages} pages.", "ok") + "<br>"
            + file_link(result.path, "Open the packet PDF"))
        return result.path

    def _ipython_display_(self) -> None:
        display(self.wizard.box)


def page_previews(pdf: Path, scale: float = 0.45, limit: int = 24) -> list[bytes]:
    """Small PNG pictures of the first pages of a PDF (pdfium, no system tools)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        pictures = []
        for index in range(min(len(document), limit)):
            image = document[index].render(scale=scale).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
            pictures.append(buffer.getvalue())
        return pictures
    finally:
        document.close()


def goal_setting(client_id: str | None = None, casebook: str | os.PathLike | None = None,
                 output_dir: str | os.PathLike = "output",
                 practice=None) -> GoalsWorkbook | CasebookProblem:
    """Start the goal-setting workbook (display the result in a notebook).

    *practice* is a practice folder (None: ``$WORKSHEETS_PRACTICE`` or the one in
    the config folder); the packet is printed with its logo, wording and look.
    """
    return workbook_or_message(
        lambda: GoalsWorkbook(client_id, casebook, output_dir, practice), casebook)
