"""The client's journal app, driven headless through the requests its page sends.

No kernel, no Voilà and no browser (``test_journal_browser.py`` does that): each
test sends the page's requests (``app.handle``), then reads the casebook, the
reply and what the page would draw (``app.view.state``). The casebook is opened
separately to check what was stored.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import pdf_fonts, pdf_text
from worksheets_lib import JournalEntry, demo_client_path, load_client, open_casebook
from worksheets_lib.errors import CasebookError, WorksheetError
from worksheets_lib.render import render_journal_week
from worksheets_lib.widgets import client_journal
from worksheets_lib.widgets import journal as journal_module

ALEX = "alex-rivera"
COULD_NOT_OPEN = "This journal could not be opened"
FULL_ENTRY = {
    "what_happened": "Maya came home late and did not text",
    "feeling": "worried", "intensity": "7", "body": "A tight chest", "paused": "yes",
    "pause_named": "worry", "pause_rating": "6",
    "pause_step": "Breathe, then ask her how her day was",
    "what_i_did": "Asked how her day was", "afterwards": "closer",
}


@pytest.fixture
def casebook_path(tmp_path) -> Path:
    """A casebook holding the fictional demo client (added by the therapist)."""
    path = tmp_path / "casebook.sqlite3"
    with open_casebook(path, create=True) as casebook:
        casebook.add_client(load_client(demo_client_path()))
    return path


@pytest.fixture
def app(casebook_path):
    return client_journal(ALEX, casebook_path)


def stored_entries(path, client_id=ALEX) -> list[JournalEntry]:
    with open_casebook(path, create=True) as casebook:
        return casebook.list_journal(client_id)


def save(app, editing=None, **entry):
    return app.handle({"type": "save", "id": 7, "entry": entry, "editing": editing})


# -- opening ------------------------------------------------------------------------------


def test_the_app_opens_the_casebook_as_the_client(app, casebook_path):
    assert app.casebook.role == "client"
    assert save(app, what_happened="A quiet evening together")["ok"]
    with open_casebook(casebook_path, create=True) as casebook:
        lines = casebook.audit(ALEX)
    assert [(line.role, line.action, line.kind) for line in lines] == [
        ("therapist", "create", "client"), ("client", "read", "client records"),
        ("client", "create", "journal entry")]


def test_the_client_id_comes_from_the_environment_when_not_given(casebook_path,
                                                                 monkeypatch):
    monkeypatch.setenv("WORKSHEETS_CLIENT_ID", ALEX)
    app = client_journal(None, casebook_path)
    assert app.client is not None and app.client.id == ALEX
    assert "error" not in app.view.state


@pytest.mark.parametrize("client_id", ["sam-lee", "../x", None],
                         ids=["unknown", "bad-id", "no-id"])
def test_a_journal_that_cannot_be_opened_says_so_gently(casebook_path, client_id):
    app = client_journal(client_id, casebook_path)  # does not raise
    text = app.view.state["error"]
    assert COULD_NOT_OPEN in text
    assert "Traceback" not in text and "Error" not in text
    if client_id:
        assert client_id not in text
    assert str(casebook_path) not in text and casebook_path.name not in text
    assert app.view.state.keys() == {"error"}  # no records, no form
    reply = save(app, what_happened="words")
    assert not reply["ok"] and COULD_NOT_OPEN in reply["message"]
    assert stored_entries(casebook_path) == []


def test_a_casebook_that_is_a_text_file_is_not_opened_and_left_alone(tmp_path):
    notes = tmp_path / "my-notes.txt"
    notes.write_text("Just my notes, not a casebook.\n", encoding="utf-8")
    app = client_journal(ALEX, notes)  # does not raise
    text = app.view.state["error"]
    assert COULD_NOT_OPEN in text and str(notes) not in text and ALEX not in text
    assert notes.read_text(encoding="utf-8") == "Just my notes, not a casebook.\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-notes.txt"]


def test_the_page_knows_the_clients_name_partner_word_practice_and_crisis_line(
        casebook_path):
    state = client_journal(ALEX, casebook_path).view.state
    assert state["name"] == "Alex" and state["partner"] == "girlfriend"
    assert state["practice"] == "Harbour Lane Counselling"
    assert state["crisis"] == journal_module.DEFAULT_CRISIS
    assert "worksheets journal" not in str(state)  # never a command line


def test_a_practice_crisis_line_and_name_reach_the_page(casebook_path, tmp_path):
    folder = tmp_path / "practice"
    folder.mkdir()
    (folder / "practice.yaml").write_text(
        "name: Riverside Therapy\ncrisis_line: 'In a crisis, call 988 (US) or 116 123 (UK).'\n",
        encoding="utf-8")
    state = client_journal(ALEX, casebook_path, practice=folder).view.state
    assert state["practice"] == "Riverside Therapy"
    assert state["crisis"] == "In a crisis, call 988 (US) or 116 123 (UK)."


def test_only_the_chosen_clients_records_are_shown(casebook_path, make_client):
    sam_words = "Sam's private words about the weekend"
    with open_casebook(casebook_path, create=True) as casebook:
        casebook.add_client(make_client(id="sam-lee", name="Sam", ladder={
            "steps": [{"step": "Sam's own first step", "distress": 10}]}))
        casebook.add_journal_entry("sam-lee", JournalEntry(what_happened=sam_words,
                                                           feeling="lonely"))
    state = client_journal(ALEX, casebook_path).view.state
    assert "Sam" not in str(state)
    assert state["entries"] == [] and len(state["ladder"]["rungs"]) == 6


# -- writing an entry ---------------------------------------------------------------------


def test_an_empty_form_asks_gently_for_a_few_words_and_stores_nothing(app, casebook_path):
    reply = save(app, date=dt.date.today().isoformat(), intensity=None, feeling="")
    assert not reply["ok"] and reply["id"] == 7
    assert "Write a few words first" in reply["errors"]["what_happened"]
    assert "Almost there" in reply["message"]
    assert stored_entries(casebook_path) == []


def test_a_full_entry_is_stored_at_once(app, casebook_path):
    reply = save(app, **FULL_ENTRY)
    assert reply["ok"] and reply["message"].startswith("Saved at ")
    [entry] = stored_entries(casebook_path)
    assert entry.model_dump(exclude={"id", "at"}) == {
        **FULL_ENTRY, "intensity": 7, "pause_rating": 6, "paused": True}
    assert entry.at.astimezone().date() == dt.date.today()
    assert app.view.state["entries"][0]["what_happened"] == FULL_ENTRY["what_happened"]


def test_untouched_scales_and_choices_store_nothing(app, casebook_path):
    assert save(app, what_happened="Only words today", intensity=None, paused=None,
                afterwards=None, pause_rating=None)["ok"]
    [entry] = stored_entries(casebook_path)
    assert entry.intensity is None and entry.paused is None and entry.afterwards is None
    assert entry.pause_rating is None


def test_not_pausing_stores_no_pause_details(app, casebook_path):
    assert save(app, what_happened="I snapped", paused="no", pause_named="anger",
                pause_rating="5", pause_step="count to ten")["ok"]
    [entry] = stored_entries(casebook_path)
    assert entry.paused is False
    assert entry.pause_named is None and entry.pause_rating is None and entry.pause_step is None


def test_my_own_word_for_the_feeling_is_stored(app, casebook_path):
    assert save(app, feeling="own", own_word="  unsettled  ")["ok"]
    assert stored_entries(casebook_path)[0].feeling == "unsettled"


def test_an_entry_for_an_earlier_day_is_stored_on_that_day(app, casebook_path):
    day = dt.date.today() - dt.timedelta(days=3)
    assert save(app, what_happened="Three days ago", date=day.isoformat())["ok"]
    [entry] = stored_entries(casebook_path)
    assert entry.at.astimezone().date() == day
    assert app.view.state["entries"][0]["date"] == day.isoformat()


@pytest.mark.parametrize("day", [(dt.date.today() + dt.timedelta(days=1)).isoformat(),
                                 "2026-02-30", "not a day"])
def test_a_future_or_impossible_day_gets_a_gentle_note(app, casebook_path, day):
    reply = save(app, what_happened="Tomorrow", date=day)
    assert not reply["ok"] and "date" in reply["errors"]
    assert stored_entries(casebook_path) == []


@pytest.mark.parametrize("value", ["11", "-1", "7.5", "seven", "<b>"])
def test_a_strength_outside_0_to_10_is_refused(app, casebook_path, value):
    reply = save(app, what_happened="x", intensity=value)
    assert not reply["ok"] and "0 to 10" in reply["errors"]["intensity"]
    assert stored_entries(casebook_path) == []


def test_a_too_long_entry_gets_a_gentle_note_and_is_not_stored(app, casebook_path):
    reply = save(app, what_happened="word " * 2000)
    assert not reply["ok"]
    assert "a little long" in reply["errors"]["what_happened"]
    assert stored_entries(casebook_path) == []


def test_typed_markup_and_code_are_stored_and_sent_as_plain_text(app, casebook_path):
    typed = "<img src=x onerror=alert(1)> {{ 7*7 }} __import__('os')"
    assert save(app, what_happened=typed)["ok"]
    assert stored_entries(casebook_path)[0].what_happened == typed
    assert app.view.state["entries"][0]["what_happened"] == typed  # the page sets textContent


def test_an_entry_is_edited_in_place(app, casebook_path):
    assert save(app, what_happened="First words", intensity="3")["ok"]
    [entry] = stored_entries(casebook_path)
    assert save(app, editing=entry.id, what_happened="Better words", intensity="4",
                date=entry.at.astimezone().date().isoformat())["ok"]
    [edited] = stored_entries(casebook_path)
    assert edited.id == entry.id and edited.at == entry.at
    assert edited.what_happened == "Better words" and edited.intensity == 4


def test_an_entry_deleted_meanwhile_cannot_be_edited_and_nothing_is_lost(app, casebook_path):
    reply = save(app, editing="gone-entry-id", what_happened="My words")
    assert not reply["ok"] and "no longer in your journal" in reply["errors"]["what_happened"]


def test_deleting_an_entry_removes_it(app, casebook_path):
    save(app, what_happened="Keep this")
    save(app, what_happened="Delete this")
    gone = next(e for e in stored_entries(casebook_path) if e.what_happened == "Delete this")
    reply = app.handle({"type": "delete", "id": 3, "entry_id": gone.id})
    assert reply["ok"] and reply["message"] == "The entry is deleted."
    assert [e.what_happened for e in stored_entries(casebook_path)] == ["Keep this"]
    assert [e["what_happened"] for e in app.view.state["entries"]] == ["Keep this"]


def test_deleting_another_clients_entry_is_refused(app, casebook_path, make_client):
    with open_casebook(casebook_path, create=True) as casebook:
        casebook.add_client(make_client(id="sam-lee", name="Sam"))
        theirs = casebook.add_journal_entry("sam-lee", JournalEntry(what_happened="Sam's"))
    reply = app.handle({"type": "delete", "id": 3, "entry_id": theirs.id})
    assert not reply["ok"]
    assert len(stored_entries(casebook_path, "sam-lee")) == 1


# -- drafts: nothing typed is lost ---------------------------------------------------------


def test_a_draft_is_kept_offered_on_the_next_start_and_gone_after_save(app, casebook_path):
    typed = {**FULL_ENTRY, "date": dt.date.today().isoformat(), "editing": None}
    assert app.handle({"type": "draft", "id": 1, "data": typed})["ok"]
    assert stored_entries(casebook_path) == []  # a draft is not an entry
    again = client_journal(ALEX, casebook_path)  # a new page, a new kernel
    assert again.view.state["draft"]["data"] == typed
    assert save(again, **FULL_ENTRY)["ok"]
    assert client_journal(ALEX, casebook_path).view.state["draft"] is None


def test_start_fresh_discards_the_draft(app, casebook_path):
    app.handle({"type": "draft", "id": 1, "data": {"what_happened": "half"}})
    assert app.handle({"type": "discard", "id": 2})["ok"]
    assert client_journal(ALEX, casebook_path).view.state["draft"] is None


def test_a_draft_survives_a_killed_kernel(casebook_path):
    import subprocess
    import sys

    code = (f"from worksheets_lib.widgets import client_journal\n"
            f"app = client_journal('alex-rivera', {str(casebook_path)!r})\n"
            f"app.handle({{'type': 'draft', 'id': 1, 'data': {{'what_happened': 'kept'}}}})\n"
            f"import os, signal; os.kill(os.getpid(), signal.SIGKILL)\n")
    subprocess.run([sys.executable, "-c", code], check=False)
    draft = client_journal(ALEX, casebook_path).view.state["draft"]
    assert draft["data"] == {"what_happened": "kept"}


# -- a save that fails keeps the words -------------------------------------------------------


@pytest.mark.parametrize("kind, words", [("disk-full", "disk is full"),
                                         ("busy", "press Save again"),
                                         ("moved", "was moved")])
def test_a_failed_save_says_why_and_keeps_the_draft(app, casebook_path, monkeypatch, kind,
                                                    words):
    app.handle({"type": "draft", "id": 1, "data": {"what_happened": "my words"}})

    def fail(*_args, **_kwargs):
        raise CasebookError(str(casebook_path), "could not write", kind)

    monkeypatch.setattr(app.casebook, "add_journal_entry", fail)
    reply = save(app, what_happened="my words")
    assert not reply["ok"] and words in reply["message"]
    assert "Saved" not in reply["message"] and "still here" in reply["message"]
    assert app.casebook.get_draft(ALEX, "journal.entry").data == {"what_happened": "my words"}


def test_a_casebook_locked_by_another_program_gives_a_busy_message(app, casebook_path,
                                                                   monkeypatch):
    import worksheets_lib.casebook.store as store

    monkeypatch.setattr(store, "BUSY_SECONDS", 0.5)
    with open_casebook(casebook_path) as other:
        other._conn.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            reply = save(app, what_happened="while it is locked")
        finally:
            other._conn.execute("ROLLBACK")
    assert not reply["ok"] and "busy" in reply["message"]
    assert stored_entries(casebook_path) == []
    assert save(app, what_happened="after it is free")["ok"]


def test_a_casebook_deleted_under_the_app_says_so(app, casebook_path):
    for path in casebook_path.parent.glob("casebook.sqlite3*"):
        path.unlink()
    reply = save(app, what_happened="into the void")
    assert not reply["ok"] and "still here" in reply["message"]


# -- the ladder, goals and trends ------------------------------------------------------------


def test_the_ladder_lists_the_hardest_rung_first_and_marks_the_next_step(app):
    rungs = app.view.state["ladder"]["rungs"]
    assert [r["number"] for r in rungs] == [6, 5, 4, 3, 2, 1]
    assert [r["current"] for r in rungs] == [False] * 5 + [True]
    assert app.view.state["ladder"]["current"]["number"] == 1


def test_marking_a_rung_tried_stores_the_attempt_and_moves_the_next_step(app, casebook_path):
    easiest = app.view.state["ladder"]["rungs"][-1]
    reply = app.handle({"type": "try", "id": 4, "attempt": {
        "step_id": easiest["id"], "date": dt.date.today().isoformat(),
        "distress_after": "", "learned": "It went better than I feared"}})
    assert reply["ok"] and "Every try counts" in reply["message"]
    with open_casebook(casebook_path, create=True) as casebook:
        [attempt] = casebook.list_ladder_attempts(ALEX)
    assert attempt.step_id == easiest["id"] and attempt.distress_after is None  # untouched
    assert app.view.state["ladder"]["current"]["number"] == 2
    assert app.view.state["ladder"]["rungs"][-1]["tries"] == 1


@pytest.mark.parametrize("attempt, field", [
    ({"date": (dt.date.today() + dt.timedelta(days=2)).isoformat()}, "date"),
    ({"date": ""}, "date"), ({"distress_after": "150"}, "distress_after")])
def test_a_bad_try_gets_a_gentle_note(app, casebook_path, attempt, field):
    step = app.view.state["ladder"]["rungs"][-1]["id"]
    reply = app.handle({"type": "try", "id": 4, "attempt": {
        "step_id": step, "date": dt.date.today().isoformat(), **attempt}})
    assert not reply["ok"] and field in reply["errors"]
    with open_casebook(casebook_path, create=True) as casebook:
        assert casebook.list_ladder_attempts(ALEX) == []


def test_the_goals_the_therapist_saved_are_shown(casebook_path):
    from worksheets_lib import Goal, GoalPlan, PlanStep

    with open_casebook(casebook_path, create=True) as casebook:
        casebook.save_plan(ALEX, GoalPlan(vision="Feeling safe to ask for time together",
                                          goals=[Goal(goal="Ask for what I need calmly",
                                                      steps=[PlanStep(what="Say one need")],
                                                      check_in="each session")]))
    goals = client_journal(ALEX, casebook_path).view.state["goals"]
    assert goals["vision"] == "Feeling safe to ask for time together"
    assert goals["goals"][0]["steps"][0]["what"] == "Say one need"


def test_trends_are_empty_without_entries_and_weekly_with_them(app, casebook_path):
    assert app.view.state["trends"]["any"] is False
    today = dt.date.today()
    with open_casebook(casebook_path, create=True) as casebook:
        for days, strength in ((0, 4), (1, 6), (15, 8)):
            at = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(12)).astimezone()
            casebook.add_journal_entry(ALEX, JournalEntry(at=at, feeling="worried",
                                                          intensity=strength))
    state = client_journal(ALEX, casebook_path).view.state["trends"]
    weeks = state["weeks"]
    assert len(weeks) == 8 and len({w["week"] for w in weeks}) == 8  # one label a week
    assert sum(w["entries"] for w in weeks) == 3
    assert weeks[-1]["average"] in (4.0, 5.0, 6.0)  # this week's entries
    assert state["feelings"] == [{"feeling": "worried", "count": 3}]


# -- printing my week ---------------------------------------------------------------------


def week_pdf(app, tmp_path) -> tuple[dict, Path]:
    reply = app.handle({"type": "print", "id": 9})
    assert reply["ok"], reply
    out = tmp_path / "my-week.pdf"
    out.write_bytes(base64.b64decode(reply["data"], validate=True))
    return reply, out


def test_print_my_week_offers_the_last_seven_days_as_a_pdf(app, casebook_path, tmp_path,
                                                           private_tmp):
    now = dt.datetime.now(dt.UTC)
    with open_casebook(casebook_path, create=True) as casebook:
        casebook.add_journal_entry(ALEX, JournalEntry(
            at=now - dt.timedelta(days=8), what_happened="An old evening at the lake"))
        casebook.add_journal_entry(ALEX, JournalEntry(
            at=now - dt.timedelta(days=2), what_happened="Cooked dinner together"))
    save(app, what_happened="We talked about the holidays", feeling="hopeful")
    reply, pdf = week_pdf(app, tmp_path)
    assert "(2 entries)" in reply["message"]
    assert reply["filename"] == f"{ALEX}-journal-{dt.date.today():%Y-%m-%d}.pdf"
    text = pdf_text(pdf)
    assert "We talked about the holidays" in text and "Cooked dinner together" in text
    assert "An old evening at the lake" not in text
    assert "Looking back at my week" in text
    assert len(PdfReader(str(pdf)).pages) == 2
    fonts = pdf_fonts(pdf)
    assert fonts and all(name.startswith("Worksheets-") for name in fonts)
    assert list(private_tmp.iterdir()) == []  # the PDF made for the link is removed


def test_print_my_week_with_no_entries_still_makes_a_pdf(app, tmp_path):
    reply, pdf = week_pdf(app, tmp_path)
    assert "(0 entries)" in reply["message"]
    assert "There are no journal entries for this week yet" in pdf_text(pdf)
    assert len(PdfReader(str(pdf)).pages) == 1


def test_pages_that_cannot_be_made_give_a_gentle_message(app, monkeypatch, private_tmp):
    import worksheets_lib.render as render

    def broken(*args, **kwargs):
        raise WorksheetError("template journal_week.html.j2: broken")

    monkeypatch.setattr(render, "render_journal_week", broken)
    reply = app.handle({"type": "print", "id": 9})
    assert not reply["ok"] and reply["message"] == "The pages could not be made just now."
    assert list(private_tmp.iterdir()) == []


# -- the week's pages, rendered directly --------------------------------------------------


def test_render_journal_week_prints_a_page_per_entry_and_text_literally(casebook_path,
                                                                        tmp_path):
    with open_casebook(casebook_path, create=True) as casebook:
        client = casebook.get_client(ALEX)
    start = dt.datetime(2026, 11, 16, 20, 30).astimezone()
    entries = [
        JournalEntry(at=start, what_happened="<script>alert('hi')</script> at dinner",
                     feeling="{{ 7*7 }}", intensity=3),
        JournalEntry(at=start + dt.timedelta(days=1), what_happened="{% raw %}a walk",
                     paused=False),
        JournalEntry(at=start + dt.timedelta(days=2), what_happened="Called my sister"),
    ]
    result = render_journal_week(client, list(reversed(entries)), tmp_path / "week.pdf",
                                 start=dt.date(2026, 11, 16), end=dt.date(2026, 11, 22))
    # Short entries share a page; the look-back page follows.
    assert result.pages == 2 == len(PdfReader(str(result.path)).pages)
    pages = pdf_text(result.path).split("\f")
    assert "<script>alert('hi')</script> at dinner" in pages[0]
    assert "{{ 7*7 }}" in pages[0] and "49" not in pages[0]
    assert "{% raw %}a walk" in pages[0] and "not this time" in pages[0]
    assert "Called my sister" in pages[0]
    assert pages[0].index("Monday 16 November 2026, 20:30") < pages[0].index("Called my")
    assert "Looking back at my week" in pages[1]
    assert "with my girlfriend or the people involved" in pages[0]
