"""The client's journal app: today's entry, my entries, my ladder, my goals, how it's going.

Served with Voilà by ``worksheets journal --client-id ID``. The page is one
widget of plain, accessible HTML (``static/journal.js`` and ``journal.css``,
an anywidget): labels above fields, one column on a phone, 0–10 scales as
rows of buttons, a live region that says "Saved" and what went wrong. This
module keeps everything else: it opens the casebook as the client, shows only
that client's records, and answers the page's requests (save, delete, a try of
a rung, a draft, print the week). Every request gets a reply, so the page can
always say whether something was saved; a page that gets no reply says so and
keeps what was typed. Nothing typed here is run as code: it is only stored,
and shown as text.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import statistics
from pathlib import Path
from typing import Any

import anywidget
import traitlets
from IPython.display import display
from pydantic import ValidationError

from ..casebook import open_casebook
from ..errors import WorksheetError
from ..models import ClientProfile, JournalEntry, LadderAttempt, vocabulary

STATIC = Path(__file__).resolve().parent / "static"
#: A short list of feelings to choose from; "my own word" is always there too.
FEELINGS = ["calm", "happy", "close", "hopeful", "sad", "lonely", "worried", "scared",
            "angry", "hurt", "ashamed", "jealous", "overwhelmed", "numb"]
DRAFT_PLACE = "journal.entry"
#: How far back "My entries" and the trends look.
ENTRY_DAYS = 28
TREND_WEEKS = 8
DEFAULT_CRISIS = ("If you are in danger or thinking about harming yourself, call your local "
                  "emergency number now.")
_TEXT_FIELDS = ("what_happened", "body", "pause_named", "pause_step", "what_i_did")


class JournalView(anywidget.AnyWidget):
    """The page: plain HTML drawn from ``state``; requests come back as messages."""

    _esm = STATIC / "journal.js"
    _css = STATIC / "journal.css"
    state = traitlets.Dict().tag(sync=True)


def gentle(message: str) -> str:
    """A kinder wording of a validation message for the client."""
    if message.startswith("must be at most"):
        return "That is a little long for this box; could you shorten it?"
    return f"Could you check this one? It {message}."


BUSY = "The journal is busy for a moment; trying again…"

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


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _number(value: Any, low: int, high: int) -> int | None | str:
    """A whole number in range, None when not given, or "bad"."""
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return "bad"
    return number if low <= number <= high and str(number) == str(value).strip() else "bad"


def _day(value: Any) -> dt.date | None | str:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return "bad"


class JournalApp:
    """The client's app: only their own records, saved as soon as they press Save."""

    def __init__(self, client_id: str | None = None,
                 casebook: str | os.PathLike | None = None, practice=None):
        self.practice = practice
        self.view = JournalView()
        self.view.on_msg(self._on_message)
        self.client: ClientProfile | None = None
        client_id = client_id or os.environ.get("WORKSHEETS_CLIENT_ID")
        try:
            self.casebook = open_casebook(casebook, role="client")
            self.client = self.casebook.get_client(client_id or "")
            self.casebook.record_access("read", self.client.id)
        except WorksheetError:
            # The details are for the therapist's terminal, not the client's screen.
            self.view.state = {"error": "This journal could not be opened. Please ask your "
                                        "therapist to start it again for you."}
            return
        self.refresh()

    # -- what the page shows -------------------------------------------------------------

    def refresh(self) -> None:
        """Read the casebook again and redraw the page (typed words stay as they are)."""
        if self.client is None:
            return
        try:
            self.view.state = self.snapshot()
        except WorksheetError:
            self.view.state = {**self.view.state, "warning": "Your journal could not be read "
                               "just now. What you saved is safe; please try again later."}

    def snapshot(self) -> dict:
        """Everything the page draws, as plain data (the client's own records only)."""
        from ..practice import find_practice

        client = self.client
        try:
            practice = find_practice(self.practice)
            settings = practice.settings
        except WorksheetError:
            settings = None
        practice_name = (settings.name if settings and settings.name
                         else client.therapist.practice)
        crisis = (settings.crisis_line if settings and settings.crisis_line
                  else DEFAULT_CRISIS)
        today = dt.date.today()
        entries = self.casebook.list_journal(
            client.id, start=today - dt.timedelta(days=max(ENTRY_DAYS, TREND_WEEKS * 7)))
        draft = self.casebook.get_draft(client.id, DRAFT_PLACE)
        return {
            "name": client.name, "practice": practice_name, "crisis": crisis,
            "partner": client.terms.partner, "today": today.isoformat(),
            "feelings": FEELINGS,
            "afterwards": [[value, label] for label, value in
                           vocabulary.choices(vocabulary.AFTERWARDS)],
            "entries": [self._entry_data(e) for e in reversed(entries)
                        if e.at.astimezone().date() >= today - dt.timedelta(days=ENTRY_DAYS)],
            "ladder": self._ladder_data(),
            "goals": self._goals_data(),
            "trends": trends(entries, today),
            "draft": ({"data": draft.data, "saved": draft.saved_at.astimezone().strftime(
                "%a %d %b, %H:%M")} if draft else None),
        }

    @staticmethod
    def _entry_data(entry: JournalEntry) -> dict:
        local = entry.at.astimezone()
        data = entry.model_dump(mode="json")
        data.update(date=local.date().isoformat(), when=local.strftime("%a %d %b, %H:%M"))
        return data

    def _ladder_data(self) -> dict:
        tried: dict[str, list[LadderAttempt]] = {}
        for attempt in self.casebook.list_ladder_attempts(self.client.id):
            tried.setdefault(attempt.step_id, []).append(attempt)
        steps = self.client.ladder.sorted_steps()
        current = next((s.id for s in steps if s.id not in tried), steps[-1].id if steps else None)
        rungs = []
        for number, step in enumerate(steps, start=1):
            done = tried.get(step.id, [])
            rungs.append({"id": step.id, "number": number, "step": step.step,
                          "distress": step.distress, "tries": len(done),
                          "last": f"{max(a.tried_on for a in done):%a %d %b}" if done else None,
                          "current": step.id == current})
        return {"rungs": list(reversed(rungs)),
                "current": next(({"number": r["number"], "step": r["step"]}
                                 for r in rungs if r["current"]), None)}

    def _goals_data(self) -> dict:
        plan = self.casebook.load_plan(self.client.id)
        return {"vision": plan.vision, "goals": [
            {"goal": g.goal, "check_in": g.check_in, "accountability": g.accountability,
             "steps": [{"what": s.what, "by": f"{s.by:%a %d %b %Y}" if s.by else None,
                        "done": s.done} for s in g.steps]} for g in plan.goals]}

    # -- requests from the page ------------------------------------------------------------

    def _on_message(self, _widget, content, _buffers) -> None:
        if not isinstance(content, dict):
            return
        reply = self.handle(content)
        if reply is not None:
            self.view.send(reply)

    def handle(self, message: dict) -> dict | None:
        """Answer one request from the page; the reply carries the request's id."""
        kind = message.get("type")
        handlers = {"hello": self._hello, "save": self._save, "delete": self._delete,
                    "try": self._try, "draft": self._draft, "discard": self._discard,
                    "print": self._print}
        if self.client is None or kind not in handlers:
            return {"type": "reply", "id": message.get("id"), "ok": False,
                    "message": "This journal could not be opened. Please ask your therapist "
                               "to start it again for you."}
        def busy(_waited: float) -> None:  # said once a write has waited a second
            self.view.send({"type": "progress", "id": message.get("id"), "message": BUSY})

        self.casebook.on_busy = busy
        try:
            reply = handlers[kind](message)
        finally:
            self.casebook.on_busy = None
        if reply is None:
            return None
        return {"type": "reply", "id": message.get("id"), **reply}

    def _hello(self, _message: dict) -> dict:
        self.refresh()  # the page may be newer than this kernel's last look
        return {"ok": True}

    def _write(self, action) -> str | None:
        """Run a casebook write; a kind message when it failed, else None."""
        try:
            action()
        except WorksheetError as error:
            return not_saved(error)
        return None

    def _save(self, message: dict) -> dict:
        entry, errors = self.entry_from(message.get("entry") or {}, message.get("editing"))
        if entry is None:
            return {"ok": False, "errors": errors,
                    "message": "Almost there: please look at the note by the question."}
        editing = message.get("editing")
        problem = self._write(
            (lambda: self.casebook.edit_journal_entry(self.client.id, entry)) if editing
            else (lambda: self.casebook.add_journal_entry(self.client.id, entry)))
        if problem:
            return {"ok": False, "message": problem}
        self._write(lambda: self.casebook.discard_draft(self.client.id, DRAFT_PLACE))
        self.refresh()
        stamp = dt.datetime.now().strftime("%H:%M")
        return {"ok": True, "saved_id": entry.id,
                "message": f"Saved at {stamp}. Well done for taking the time."}

    def entry_from(self, data: dict, editing: str | None = None
                   ) -> tuple[JournalEntry | None, dict[str, str]]:
        """The entry the page sent, or None and a gentle note for each field to fix."""
        from ..clientfile import problems_from

        errors: dict[str, str] = {}
        fields: dict[str, Any] = {name: _text(data.get(name)) for name in _TEXT_FIELDS}
        choice = data.get("feeling")
        if choice == "own":
            fields["feeling"] = _text(data.get("own_word"))
        else:
            fields["feeling"] = choice if choice in FEELINGS else None
        for name in ("intensity", "pause_rating"):
            fields[name] = _number(data.get(name), 0, 10)
            if fields[name] == "bad":
                errors[name] = "Choose a number from 0 to 10, or leave it empty."
        paused = data.get("paused")
        fields["paused"] = {"yes": True, "no": False}.get(paused)
        if not fields["paused"]:
            for name in ("pause_named", "pause_rating", "pause_step"):
                fields[name] = None
        after = data.get("afterwards")
        fields["afterwards"] = after if after in vocabulary.AFTERWARDS else None
        if not any(v is not None for v in fields.values()):
            errors["what_happened"] = "Write a few words first: what happened today?"
        day = _day(data.get("date"))
        today = dt.date.today()
        if day == "bad":
            errors["date"] = "Choose a day from the calendar."
        elif day is not None and day > today:
            errors["date"] = "That day has not come yet; choose today or an earlier day."
        if errors:
            return None, errors
        stored = None
        if editing:
            stored = next((e for e in self.casebook.list_journal(self.client.id)
                           if e.id == editing), None)
            if stored is None:
                return None, {"what_happened": "This entry is no longer in your journal; "
                                               "copy your words and start a new one."}
            fields["id"] = stored.id
        fields["at"] = _moment(day or today, stored.at if stored else None)
        try:
            entry = JournalEntry.model_validate({k: v for k, v in fields.items()
                                                 if v is not None})
        except ValidationError as error:
            for problem in problems_from(error):
                name = problem.path.split(".")[0]
                errors[name if name in data or name == "feeling" else "what_happened"] = \
                    gentle(problem.message)
            return None, errors
        return entry, {}

    def _delete(self, message: dict) -> dict:
        entry_id = str(message.get("entry_id") or "")
        problem = self._write(lambda: self.casebook.delete_journal_entry(self.client.id,
                                                                         entry_id))
        if problem:
            return {"ok": False, "message": problem.replace("This was not saved",
                                                            "This was not deleted")}
        self.refresh()
        return {"ok": True, "message": "The entry is deleted."}

    def _try(self, message: dict) -> dict:
        data = message.get("attempt") or {}
        step_id = str(data.get("step_id") or "")
        errors = {}
        day = _day(data.get("date"))
        if day in (None, "bad"):
            errors["date"] = "Which day did you try it?"
        elif day > dt.date.today():
            errors["date"] = "That day has not come yet; choose today or an earlier day."
        distress = _number(data.get("distress_after"), 0, 100)
        if distress == "bad":
            errors["distress_after"] = "Choose a number from 0 to 100, or leave it empty."
        if errors:
            return {"ok": False, "errors": errors,
                    "message": "Almost there: please look at the note by the question."}
        try:
            attempt = LadderAttempt(step_id=step_id, tried_on=day, distress_after=distress,
                                    learned=_text(data.get("learned")))
        except ValidationError:
            return {"ok": False, "errors": {"learned": "That is a little long for this box; "
                                                       "could you shorten it?"},
                    "message": "Almost there: please look at the note by the question."}
        problem = self._write(lambda: self.casebook.record_ladder_attempt(self.client.id,
                                                                          attempt))
        if problem:
            return {"ok": False, "message": problem}
        self.refresh()
        return {"ok": True, "message": "Saved your step. Every try counts."}

    def _draft(self, message: dict) -> dict | None:
        data = message.get("data")
        if not isinstance(data, dict):
            return None
        try:
            self.casebook.save_draft(self.client.id, DRAFT_PLACE, data)
        except WorksheetError:
            return {"ok": False}
        return {"ok": True}

    def _discard(self, _message: dict) -> dict:
        problem = self._write(lambda: self.casebook.discard_draft(self.client.id, DRAFT_PLACE))
        return {"ok": problem is None}

    def _print(self, _message: dict) -> dict:
        made = self.print_week()
        if made is None:
            return {"ok": False, "message": "The pages could not be made just now."}
        name, data, count = made
        return {"ok": True, "filename": name, "data": data,
                "message": f"Your week is ready ({count} entr{'y' if count == 1 else 'ies'})."}

    # -- printing -----------------------------------------------------------------------

    def print_week(self) -> tuple[str, str, int] | None:
        """The last seven days on the feelings-journal pages: (file name, base64, entries)."""
        import tempfile

        from ..render import render_journal_week

        today = dt.date.today()
        entries = self.casebook.list_journal(self.client.id,
                                             start=today - dt.timedelta(days=6))
        with tempfile.TemporaryDirectory(prefix="worksheets-week-") as folder:
            out = Path(folder) / "my-week.pdf"
            try:
                render_journal_week(self.client, entries, out, practice=self.practice,
                                    start=today - dt.timedelta(days=6), end=today)
            except WorksheetError:
                return None
            data = base64.b64encode(out.read_bytes()).decode("ascii")
        return f"{self.client.id}-journal-{today:%Y-%m-%d}.pdf", data, len(entries)

    def _ipython_display_(self) -> None:
        display(self.view)


def _moment(day: dt.date, stored: dt.datetime | None) -> dt.datetime:
    """When an entry happened, for the day chosen.

    The stored time if its day is unchanged; now for today; else midday of the
    chosen day (local time).
    """
    if stored is not None and stored.astimezone().date() == day:
        return stored
    now = dt.datetime.now().astimezone()
    if day == now.date():
        return now
    return dt.datetime.combine(day, dt.time(12, 0)).astimezone()


def trends(entries: list[JournalEntry], today: dt.date, weeks: int = TREND_WEEKS) -> dict:
    """How strong the feelings were, week by week, and which feelings came most."""
    start = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    rows = []
    for week in range(weeks):
        first = start + dt.timedelta(weeks=week)
        inside = [e for e in entries
                  if first <= e.at.astimezone().date() < first + dt.timedelta(days=7)]
        strengths = [e.intensity for e in inside if e.intensity is not None]
        rows.append({"week": f"{first.day} {first:%b}", "entries": len(inside),
                     "average": round(statistics.mean(strengths), 1) if strengths else None,
                     "highest": max(strengths) if strengths else None})
    counted: dict[str, int] = {}
    for entry in entries:
        if entry.feeling and entry.at.astimezone().date() >= start:
            counted[entry.feeling] = counted.get(entry.feeling, 0) + 1
    feelings = sorted(counted.items(), key=lambda item: (-item[1], item[0]))[:6]
    return {"weeks": rows, "feelings": [{"feeling": f, "count": n} for f, n in feelings],
            "any": any(r["entries"] for r in rows)}


def client_journal(client_id: str | None = None,
                   casebook: str | os.PathLike | None = None,
                   practice=None) -> JournalApp:
    """Start the client's journal app (display the result, or serve it with Voilà).

    *practice* is a practice folder for the printed week (None:
    ``$WORKSHEETS_PRACTICE``, which ``worksheets journal --practice`` sets, or
    the one in the config folder).
    """
    return JournalApp(client_id, casebook, practice)
