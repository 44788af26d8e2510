"""The client's journal app: today's entry, recent entries, the ladder, printing the week.

Served with Voilà by ``worksheets journal --client-id ID``. It opens the
casebook as the client, shows only that client's records, saves each entry
the moment it is submitted, and turns every problem into a gentle message
(never a traceback). Nothing typed here is run as code: it is only stored.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
from pathlib import Path

import ipywidgets as w
from IPython.display import display
from pydantic import ValidationError

from ..casebook import open_casebook
from ..errors import WorksheetError
from ..models import ClientProfile, JournalEntry, LadderAttempt, vocabulary
from ..render import render_journal_week
from . import binding as b

#: A short list of feelings to choose from; "my own word" is always there too.
FEELINGS = ["calm", "happy", "close", "hopeful", "sad", "lonely", "worried", "scared",
            "angry", "hurt", "ashamed", "jealous", "overwhelmed", "numb"]
OWN_WORD = "my own word…"
AFTERWARDS = vocabulary.choices(vocabulary.AFTERWARDS)

APP_CSS = """<style>
.ws-app { font-size: 17px; max-width: 46em; }
.ws-app input, .ws-app textarea, .ws-app select, .ws-app button,
.ws-app .widget-label, .ws-app .widget-toggle-button { font-size: 17px !important; }
.ws-app textarea { min-height: 4.5em; }
.ws-app .widget-textarea, .ws-app .widget-text { width: 24em !important; max-width: 100%; }
.ws-app .jupyter-button { height: auto; min-height: 2.4em; }
.ws-app h2 { color: #1e4a4d; }
.ws-app .widget-html, .ws-app .widget-html-content, .ws-app .lm-TabBar-tab,
.ws-app .widget-readout { font-size: 17px !important; }
.ws-app .lm-TabBar-tab { min-height: 2.2em; padding: 0.3em 1em; }
</style>"""


def _scale() -> w.SelectionSlider:
    """0 to 10, starting at "not chosen", so an untouched slider stores nothing."""
    return w.SelectionSlider(options=[("not chosen", "")] + [(str(n), n) for n in range(11)],
                             value="", layout=w.Layout(width="24em"))


def _scale_value(value):
    return None if value == "" else value


class EntryForm:
    """One journal entry, as on the printed journal page."""

    def __init__(self, client: ClientProfile):
        self.what_happened = b.text("what_happened", "What happened?", long=True)
        self.feeling_choice = w.Dropdown(options=[("— choose —", None)] + [
            (f, f) for f in FEELINGS] + [(OWN_WORD, OWN_WORD)])
        self.own_word = w.Text(placeholder="your own word for it")
        self.feeling = b.Field("feeling", "The feeling", self.feeling_choice,
                               to_model=lambda v: v, from_model=lambda v: v,
                               view=w.HBox([self.feeling_choice, self.own_word]))
        self.intensity = b.Field("intensity", "How strong? (0–10)", _scale(),
                                 to_model=_scale_value, from_model=lambda v: v)
        self.body = b.text("body", "Where did I feel it in my body?", long=True)
        self.paused = b.Field("paused", "Did I pause?", w.ToggleButtons(
            options=[("no answer", None), ("yes", True), ("not this time", False)]),
            to_model=lambda v: v, from_model=lambda v: v)
        self.pause_named = b.text("pause_named", "I named it as")
        self.pause_rating = b.Field("pause_rating", "I rated it (0–10)", _scale(),
                                    to_model=_scale_value, from_model=lambda v: v)
        self.pause_step = b.text("pause_step", "The step I chose", long=True)
        self.pause_box = w.VBox([self.pause_named.box, self.pause_rating.box,
                                 self.pause_step.box])
        self.what_i_did = b.text("what_i_did", "What did I do?", long=True)
        self.afterwards = b.Field("afterwards", "Afterwards I felt", w.ToggleButtons(
            options=[("no answer", None), *AFTERWARDS]),
            to_model=lambda v: v, from_model=lambda v: v,
            help=f"with my {client.terms.partner} or the people involved")
        self.fields = [self.what_happened, self.feeling, self.intensity, self.body,
                       self.paused, self.what_i_did, self.afterwards]
        self.paused.widget.observe(lambda _: self._show_pause(), names="value")
        self.feeling_choice.observe(lambda _: self._show_own_word(), names="value")
        self.box = w.VBox([self.what_happened.box, self.feeling.box, self.intensity.box,
                           self.body.box, self.paused.box, self.pause_box,
                           self.what_i_did.box, self.afterwards.box])
        self.box.add_class("ws-entry")
        self.clear()

    def _show_pause(self) -> None:
        self.pause_box.layout.display = None if self.paused.widget.value else "none"

    def _show_own_word(self) -> None:
        own = self.feeling_choice.value == OWN_WORD
        self.own_word.layout.display = None if own else "none"

    def feeling_value(self) -> str | None:
        if self.feeling_choice.value == OWN_WORD:
            return self.own_word.value.strip() or None
        return self.feeling_choice.value

    def clear(self) -> None:
        """Empty the form for the next entry."""
        for field in (*self.fields, self.pause_named, self.pause_rating, self.pause_step):
            field.load(None)
            field.show("")
        self.feeling_choice.value = None
        self.own_word.value = ""
        self._show_pause()
        self._show_own_word()

    def load(self, entry: JournalEntry) -> None:
        """Show an entry to edit it."""
        self.clear()
        for field in (*self.fields, self.pause_named, self.pause_rating, self.pause_step):
            if field is not self.feeling:
                field.load(getattr(entry, field.name))
        if entry.feeling in FEELINGS:
            self.feeling_choice.value = entry.feeling
        elif entry.feeling:
            self.feeling_choice.value = OWN_WORD
            self.own_word.value = entry.feeling
        self._show_pause()
        self._show_own_word()

    def entry(self, base: JournalEntry | None = None) -> JournalEntry | None:
        """The entry as typed (keeping *base*'s id and time), or None with gentle notes."""
        from ..clientfile import problems_from

        for field in (*self.fields, self.pause_named, self.pause_rating, self.pause_step):
            field.show("")  # notes from an earlier try go once the answer is fixed
        data = {f.name: f.value for f in self.fields if f is not self.feeling}
        data["feeling"] = self.feeling_value()
        if self.paused.value:
            data.update(pause_named=self.pause_named.value,
                        pause_rating=self.pause_rating.value,
                        pause_step=self.pause_step.value)
        if not any(v is not None for v in data.values()):
            self.what_happened.show("Write a few words first: what happened today?")
            return None
        if base is not None:
            data.update(id=base.id, at=base.at)
        try:
            entry = JournalEntry.model_validate({k: v for k, v in data.items()
                                                 if v is not None})
        except ValidationError as error:
            by_name = {f.name: f for f in (*self.fields, self.pause_named, self.pause_rating,
                                           self.pause_step)}
            for problem in problems_from(error):
                field = by_name.get(problem.path.split(".")[0], self.what_happened)
                field.show(gentle(problem.message))
            return None
        return entry


def gentle(message: str) -> str:
    """A kinder wording of a validation message for the client."""
    if message.startswith("must be at most"):
        return "That is a little long for this box; could you shorten it?"
    return f"Could you check this one? It {message}."


class JournalApp:
    """The client's app: only their own records, saved as soon as they press Save."""

    def __init__(self, client_id: str | None = None,
                 casebook: str | os.PathLike | None = None, practice=None):
        self.practice = practice
        self.message = w.HTML()
        self.box = w.VBox([w.HTML(APP_CSS), self.message])
        self.box.add_class("ws-app")
        client_id = client_id or os.environ.get("WORKSHEETS_CLIENT_ID")
        try:
            self.casebook = open_casebook(casebook, role="client")
            self.client = self.casebook.get_client(client_id or "")
            self.casebook.record_access("read", self.client.id)
        except WorksheetError:
            # The details are for the therapist's terminal, not the client's screen.
            self.client = None
            self.message.value = b.message_html(
                "This journal could not be opened. Please ask your therapist to start it "
                "again for you.", "info")
            return
        self.editing: JournalEntry | None = None
        self.form = EntryForm(self.client)
        self.save_button = w.Button(description="Save my entry", icon="check",
                                    button_style="success",
                                    layout=w.Layout(width="auto", min_width="12em"))
        self.save_button.on_click(lambda _: self.submit())
        self.cancel_button = w.Button(description="Cancel editing", icon="times",
                                      layout=w.Layout(width="auto", display="none"))
        self.cancel_button.on_click(lambda _: self.cancel_edit())
        self.saved = w.HTML()
        self.recent = w.VBox()
        self.ladder = w.VBox()
        self.print_button = w.Button(description="Make my week's journal PDF", icon="print",
                                     layout=w.Layout(width="auto"))
        self.print_button.on_click(lambda _: self.print_week())
        self.download = w.HTML()
        name = html.escape(self.client.name)
        self.tabs = w.Tab(children=[
            w.VBox([w.HTML(f"<h2>Hi {name}. How was today?</h2><p>Choose one moment "
                           "that stirred a feeling, big or small. There are no wrong "
                           "answers.</p>"), self.form.box,
                    w.HBox([self.save_button, self.cancel_button]), self.saved]),
            w.VBox([w.HTML("<h2>My recent entries</h2>"), self.recent]),
            w.VBox([w.HTML("<h2>My ladder</h2><p>Start at the bottom. When you have tried "
                           "a step, mark it here.</p>"), self.ladder]),
            w.VBox([w.HTML("<h2>Print my week</h2><p>Your entries from the last seven days, "
                           "on the feelings-journal pages.</p>"), self.print_button,
                    self.download]),
        ])
        for index, title in enumerate(["Today", "Recent entries", "My ladder",
                                       "Print my week"]):
            self.tabs.set_title(index, title)
        self.box.children = [w.HTML(APP_CSS), self.message, self.tabs]
        self.refresh()

    # -- entries ----------------------------------------------------------------------

    def submit(self) -> JournalEntry | None:
        """Save the entry now (a new one, or the one being edited)."""
        entry = self.form.entry(self.editing)
        if entry is None:
            self.saved.value = b.message_html("Almost there: please look at the note above.")
            return None
        self.casebook.on_busy = self._busy_note(self.saved)
        try:
            if self.editing is not None:
                self.casebook.edit_journal_entry(self.client.id, entry)
            else:
                self.casebook.add_journal_entry(self.client.id, entry)
        except WorksheetError as error:
            self.saved.value = b.message_html(not_saved(error))
            return None
        finally:
            self.casebook.on_busy = None
        stamp = dt.datetime.now().strftime("%H:%M")
        self.saved.value = b.message_html(f"Saved at {stamp}. Well done for taking the "
                                          "time.", "ok")
        self.cancel_edit(clear_message=False)
        self.refresh()
        return entry

    def edit(self, entry: JournalEntry) -> None:
        """Put an entry in the form to change it."""
        self.editing = entry
        self.form.load(entry)
        self.save_button.description = "Save my changes"
        self.cancel_button.layout.display = None
        self.tabs.selected_index = 0

    def cancel_edit(self, clear_message: bool = True) -> None:
        self.editing = None
        self.form.clear()
        self.save_button.description = "Save my entry"
        self.cancel_button.layout.display = "none"
        if clear_message:
            self.saved.value = ""

    def recent_entries(self, days: int = 14) -> list[JournalEntry]:
        start = dt.date.today() - dt.timedelta(days=days - 1)
        return self.casebook.list_journal(self.client.id, start=start)

    def refresh(self) -> None:
        """Redraw the recent entries and the ladder from the casebook."""
        rows = []
        for entry in reversed(self.recent_entries()):
            when = entry.at.astimezone().strftime("%a %d %b, %H:%M")
            summary = html.escape(entry.what_happened or entry.feeling or "")
            feeling = html.escape(entry.feeling or "")
            button = w.Button(description="Edit", icon="pencil", layout=w.Layout(width="auto"))
            button.on_click(lambda _, e=entry: self.edit(e))
            strength = f" ({entry.intensity}/10)" if entry.intensity is not None else ""
            rows.append(w.HBox([w.HTML(f"<b>{when}</b> — {feeling}{strength}<br>{summary}",
                                       layout=w.Layout(width="36em")), button],
                               layout=w.Layout(margin="0 0 0.6em 0")))
        self.recent.children = rows or [w.HTML("<i>No entries in the last two weeks yet.</i>")]
        self.ladder.children = self._ladder_rows()

    # -- the ladder -----------------------------------------------------------------------

    def _ladder_rows(self) -> list[w.Widget]:
        attempts = self.casebook.list_ladder_attempts(self.client.id)
        tried = {}
        for attempt in attempts:
            tried.setdefault(attempt.step_id, []).append(attempt)
        rows = []
        steps = self.client.ladder.sorted_steps()
        for number, step in reversed(list(enumerate(steps, start=1))):
            done = tried.get(step.id, [])
            note = (f"Tried {len(done)} time{'s' if len(done) != 1 else ''}; last "
                    f"{done[-1].tried_on:%d %b}" if done else "Not tried yet")
            button = w.Button(description="I tried this", icon="check",
                              layout=w.Layout(width="auto"))
            form = RungForm()
            form.box.layout.display = "none"
            button.on_click(lambda _, f=form: setattr(f.box.layout, "display", None))
            form.save_button.on_click(lambda _, s=step, f=form: self.mark_tried(s.id, f))
            rows.append(w.VBox([w.HTML(
                f"<b>Rung {number}</b>: {html.escape(step.step)}<br><small>expected "
                f"distress {step.distress}/100 · {note}</small>"), button, form.box],
                layout=w.Layout(border="1px solid #b7c4c6", padding="0.5em",
                                margin="0 0 0.5em 0")))
        return rows or [w.HTML("<i>Your ladder has no steps yet.</i>")]

    def mark_tried(self, step_id: str, form: RungForm) -> LadderAttempt | None:
        """Store a try of a rung."""
        attempt = form.attempt(step_id)
        if attempt is None:
            return None
        self.casebook.on_busy = self._busy_note(form.message)
        try:
            self.casebook.record_ladder_attempt(self.client.id, attempt)
        except WorksheetError as error:
            form.message.value = b.message_html(not_saved(error))
            return None
        finally:
            self.casebook.on_busy = None
        self.refresh()
        self.message.value = b.message_html("Saved your step. Every try counts.", "ok")
        return attempt

    # -- printing -----------------------------------------------------------------------

    def print_week(self) -> Path | None:
        """Render the last seven days on the feelings-journal pages; offer a download."""
        import tempfile

        entries = self.recent_entries(days=7)
        with tempfile.TemporaryDirectory(prefix="worksheets-week-") as folder:
            out = Path(folder) / "my-week.pdf"
            try:
                today = dt.date.today()
                render_journal_week(self.client, entries, out, practice=self.practice,
                                    start=today - dt.timedelta(days=6), end=today)
            except WorksheetError:
                self.download.value = b.message_html("The pages could not be made just now.")
                return None
            data = base64.b64encode(out.read_bytes()).decode("ascii")
        name = f"{self.client.id}-journal-{dt.date.today():%Y-%m-%d}.pdf"
        self.download.value = (
            f'<a download="{html.escape(name)}" href="data:application/pdf;base64,{data}" '
            f'style="font-size:18px">⬇ Download my week ({len(entries)} '
            f"entr{'y' if len(entries) == 1 else 'ies'})</a>")
        return out

    @staticmethod
    def _busy_note(message: w.HTML):
        """Say once, while a save waits for another program, that it is still trying."""

        def note(_waited: float) -> None:
            text = b.message_html("The journal is busy for a moment; trying again…", "info")
            if message.value != text:
                message.value = text

        return note

    def _ipython_display_(self) -> None:
        display(self.box)


_NOT_SAVED = {
    "moved": "This was not saved: your journal's file was moved or closed while this page was "
             "open. What you wrote is still here. Please copy it somewhere safe, and ask your "
             "therapist to start the journal again.",
    "disk-full": "This was not saved: the computer's disk is full. What you wrote is still "
                 "here. Please copy it somewhere safe and tell your therapist.",
    "read-only": "This was not saved: the journal cannot be written to on this computer just "
                 "now. What you wrote is still here. Please copy it somewhere safe and tell "
                 "your therapist.",
    "busy": "The journal was busy, so this was not saved yet. What you wrote is still here; "
            "please press Save again in a moment.",
}


def not_saved(error: WorksheetError) -> str:
    """A kind message for a save that failed; the typed words stay in the form."""
    kind = getattr(error, "kind", "")
    return _NOT_SAVED.get(kind, "This could not be saved just now. What you wrote is still "
                                "here; please try again in a moment, or tell your therapist.")


class RungForm:
    """Mark a rung as tried: the date, distress afterwards, what I learned."""

    def __init__(self):
        self.date = b.date("tried_on", "When")
        self.date.widget.value = dt.date.today()
        self.distress = b.Field("distress_after", "How upset afterwards (0–100)",
                                w.IntSlider(value=30, min=0, max=100), to_model=int,
                                from_model=int)
        self.learned = b.text("learned", "What happened, what I learned", long=True)
        self.save_button = w.Button(description="Save this try", icon="check",
                                    button_style="success", layout=w.Layout(width="auto"))
        self.message = w.HTML()
        self.box = w.VBox([self.date.box, self.distress.box, self.learned.box,
                           self.save_button, self.message])

    def attempt(self, step_id: str) -> LadderAttempt | None:
        if self.date.value is None:
            self.date.show("Which day did you try it?")
            return None
        if self.date.value > dt.date.today():
            self.date.show("That day has not come yet; choose today or an earlier day.")
            return None
        self.date.show("")
        try:
            return LadderAttempt(step_id=step_id, tried_on=self.date.value,
                                 distress_after=self.distress.value,
                                 learned=self.learned.value)
        except ValidationError:
            self.learned.show("That is a little long for this box; could you shorten it?")
            return None


def client_journal(client_id: str | None = None,
                   casebook: str | os.PathLike | None = None,
                   practice=None) -> JournalApp:
    """Start the client's journal app (display the result, or serve it with Voilà).

    *practice* is a practice folder for the printed week (None:
    ``$WORKSHEETS_PRACTICE``, which ``worksheets journal --practice`` sets, or
    the one in the config folder).
    """
    return JournalApp(client_id, casebook, practice)
