"""The client's journal app, driven headless like a client would use it.

No kernel, no Voilà and no browser (``test_journal_browser.py`` does that): each
test sets widget values, clicks buttons, then reads the casebook and the
messages shown. The casebook is opened separately to check what was stored,
right after the click.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from pathlib import Path

import ipywidgets as w
import pytest
from pypdf import PdfReader

from helpers import pdf_fonts, pdf_text, shown
from worksheets_lib import JournalEntry, demo_client_path, load_client, open_casebook
from worksheets_lib.errors import WorksheetError
from worksheets_lib.render import render_journal_week
from worksheets_lib.widgets import client_journal
from worksheets_lib.widgets import journal as journal_module

ALEX = "alex-rivera"
COULD_NOT_OPEN = "This journal could not be opened"


# -- helpers ------------------------------------------------------------------------------




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




def all_text(widget) -> str:
    """Every value, description and label in a widget tree: what the client could see."""
    parts = []
    if isinstance(widget, w.Box):
        for child in widget.children:
            parts.append(all_text(child))
    for name in ("value", "description", "placeholder"):
        value = getattr(widget, name, None)
        if isinstance(value, str):
            parts.append(value)
    if isinstance(widget, w.Tab):
        parts.extend(widget.titles)
    if isinstance(widget, (w.Dropdown, w.ToggleButtons)):
        parts.extend(widget._options_labels)
    return "\n".join(parts)


def stored_entries(path, client_id=ALEX) -> list[JournalEntry]:
    with open_casebook(path, create=True) as casebook:
        return casebook.list_journal(client_id)


def write_entry(app, **values):
    """Fill the entry form: field names as in :class:`JournalEntry`."""
    form = app.form
    for name, value in values.items():
        if name == "feeling":
            if value in journal_module.FEELINGS:
                form.feeling_choice.value = value
            else:
                form.feeling_choice.value = journal_module.OWN_WORD
                form.own_word.value = value
        else:
            getattr(form, name).widget.value = value


FULL_ENTRY = {
    "what_happened": "Maya came home late and did not text",
    "feeling": "worried",
    "intensity": 7,
    "body": "A tight chest",
    "paused": True,
    "pause_named": "worry",
    "pause_rating": 6,
    "pause_step": "Breathe, then ask her how her day was",
    "what_i_did": "Asked how her day was",
    "afterwards": "closer",
}


def form_is_empty(form) -> bool:
    return (form.what_happened.widget.value == "" and form.feeling_choice.value is None
            and form.own_word.value == "" and form.intensity.widget.value == ""
            and form.body.widget.value == "" and form.paused.widget.value is None
            and form.pause_named.widget.value == "" and form.pause_step.widget.value == ""
            and form.what_i_did.widget.value == "" and form.afterwards.widget.value is None
            and form.pause_box.layout.display == "none")


def recent_rows(app) -> list[w.HBox]:
    return [row for row in app.recent.children if isinstance(row, w.HBox)]


def ladder_row(app, rung: int) -> w.VBox:
    """The ladder tab's row for rung *rung* (1 is the easiest)."""
    for row in app.ladder.children:
        if shown(row.children[0]).startswith(f"Rung {rung}:"):
            return row
    raise AssertionError(f"no rung {rung}")


def rung_form_parts(row):
    """(the form box, date picker, distress slider, learned box, save button, message)."""
    form = row.children[2]
    date_box, distress_box, learned_box, save, message = form.children
    return form, date_box.children[1], distress_box.children[1], learned_box.children[1], \
        save, message, date_box.children[2]


def downloaded_pdf(app, tmp_path) -> Path:
    """The PDF behind the "Download my week" link, written to a file."""
    match = re.search(r'href="data:application/pdf;base64,([A-Za-z0-9+/=]+)"',
                      app.download.value)
    assert match, app.download.value
    out = tmp_path / "my-week.pdf"
    out.write_bytes(base64.b64decode(match.group(1), validate=True))
    return out


# -- opening ------------------------------------------------------------------------------


def test_the_app_opens_the_casebook_as_the_client(app, casebook_path):
    assert app.casebook.role == "client"
    assert app.client.id == ALEX
    write_entry(app, what_happened="A quiet evening together")
    app.save_button.click()
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
    assert app.message.value == ""


@pytest.mark.parametrize("client_id", ["sam-lee", "../x", None],
                         ids=["unknown", "bad-id", "no-id"])
def test_a_journal_that_cannot_be_opened_says_so_gently(casebook_path, client_id):
    app = client_journal(client_id, casebook_path)  # does not raise
    text = shown(app.message)
    assert COULD_NOT_OPEN in text
    assert "Traceback" not in text and "Error" not in text
    if client_id:
        assert client_id not in text
    assert str(casebook_path) not in text and casebook_path.name not in text
    assert app.client is None
    assert app.box.children[-1] is app.message  # no form, no tabs
    assert stored_entries(casebook_path) == []


def test_a_casebook_that_is_a_text_file_is_not_opened_and_left_alone(tmp_path):
    notes = tmp_path / "my-notes.txt"
    notes.write_text("Just my notes, not a casebook.\n", encoding="utf-8")
    app = client_journal(ALEX, notes)  # does not raise
    text = shown(app.message)
    assert COULD_NOT_OPEN in text and "Traceback" not in text
    assert str(notes) not in text and notes.name not in text and ALEX not in text
    assert app.client is None
    assert notes.read_text(encoding="utf-8") == "Just my notes, not a casebook.\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-notes.txt"]


def test_the_wording_uses_the_clients_name_and_partner_word(casebook_path):
    app = client_journal(ALEX, casebook_path)
    assert "Hi Alex." in all_text(app.box)
    help_text = shown(app.form.afterwards.box.children[0])
    assert "with my girlfriend or the people involved" in help_text

    with open_casebook(casebook_path, create=True) as casebook:
        alex = casebook.get_client(ALEX)
        casebook.update_client(alex.model_copy(update={
            "terms": alex.terms.model_copy(update={"partner": "husband"})}))
    again = client_journal(ALEX, casebook_path)
    help_text = shown(again.form.afterwards.box.children[0])
    assert "with my husband or the people involved" in help_text
    assert "girlfriend" not in all_text(again.box)


def test_only_the_chosen_clients_records_are_shown(casebook_path, make_client, tmp_path):
    sam_words = "Sam's private words about the weekend"
    with open_casebook(casebook_path, create=True) as casebook:
        casebook.add_client(make_client(id="sam-lee", name="Sam", ladder={
            "steps": [{"step": "Sam's own first step", "distress": 10}]}))
        casebook.add_journal_entry("sam-lee", JournalEntry(what_happened=sam_words,
                                                           feeling="lonely"))
    app = client_journal(ALEX, casebook_path)
    text = all_text(app.box)
    assert "Sam's" not in text and "Sam " not in text
    assert "No entries in the last two weeks yet." in text
    assert len(app.ladder.children) == 6  # Alex's six rungs

    app.print_button.click()
    assert "(0 entries)" in shown(app.download)
    assert "Sam" not in pdf_text(downloaded_pdf(app, tmp_path))


# -- writing an entry ---------------------------------------------------------------------


def test_an_empty_form_asks_gently_for_a_few_words_and_stores_nothing(app, casebook_path):
    app.save_button.click()
    assert "Write a few words first" in shown(app.form.what_happened.message)
    assert "Almost there" in shown(app.saved)
    assert "Saved at" not in shown(app.saved)
    assert stored_entries(casebook_path) == []


def test_a_full_entry_is_stored_at_once_and_the_form_is_cleared(app, casebook_path):
    write_entry(app, **FULL_ENTRY)
    assert app.form.pause_box.layout.display is None  # "yes" shows the pause questions
    before = dt.datetime.now(dt.UTC)
    app.save_button.click()

    [entry] = stored_entries(casebook_path)  # on disk as soon as the click returns
    assert entry.model_dump(exclude={"id", "at"}) == FULL_ENTRY
    assert before - dt.timedelta(seconds=1) <= entry.at <= dt.datetime.now(dt.UTC)
    assert "Saved at" in shown(app.saved)
    assert form_is_empty(app.form)
    assert app.editing is None and app.save_button.description == "Save my entry"
    assert all(shown(f.message) == "" for f in app.form.fields)


def test_not_pausing_stores_no_pause_details(app, casebook_path):
    write_entry(app, what_happened="Snapped at her", paused=True, pause_named="anger")
    app.form.paused.widget.value = False  # changed my mind: not this time
    assert app.form.pause_box.layout.display == "none"
    app.save_button.click()
    [entry] = stored_entries(casebook_path)
    assert entry.paused is False
    assert (entry.pause_named, entry.pause_rating, entry.pause_step) == (None, None, None)


def test_my_own_word_for_the_feeling_is_stored(app, casebook_path):
    write_entry(app, what_happened="She forgot our plans", feeling="  left behind ")
    assert app.form.own_word.layout.display is None
    app.save_button.click()
    [entry] = stored_entries(casebook_path)
    assert entry.feeling == "left behind"


def test_a_too_long_entry_gets_a_gentle_note_and_is_not_stored(app, casebook_path):
    typed = ("my very private words " * 100)[:2001]
    write_entry(app, what_happened=typed, feeling="sad")
    app.save_button.click()
    note = shown(app.form.what_happened.message)
    assert note == "⚠ That is a little long for this box; could you shorten it?"
    everything = all_text(app.box).replace(typed, "")  # the text box itself keeps it
    assert "private" not in everything
    for raw in ("String should have", "pydantic", "validation error", "2000", "type="):
        assert raw not in everything
    assert stored_entries(casebook_path) == []
    assert app.form.what_happened.widget.value == typed  # nothing typed is lost


def test_a_fixed_field_loses_its_note_on_the_next_try(app, casebook_path):
    write_entry(app, what_happened="x" * 2001)
    app.save_button.click()
    assert "a little long" in shown(app.form.what_happened.message)
    write_entry(app, what_happened="Shorter now", feeling="y" * 61)  # own word too long
    app.save_button.click()
    assert "a little long" in shown(app.form.feeling.message)
    assert shown(app.form.what_happened.message) == ""


# -- recent entries and editing -----------------------------------------------------------


def test_recent_entries_show_the_text_escaped(app):
    write_entry(app, what_happened="I wrote <b>x</b> & more", feeling="hurt", intensity=4)
    app.save_button.click()
    [row] = recent_rows(app)
    label = row.children[0].value
    assert "&lt;b&gt;x&lt;/b&gt; &amp; more" in label and "<b>x</b>" not in label
    assert "hurt (4/10)" in shown(row.children[0])


def test_an_entry_is_edited_in_place_and_editing_can_be_cancelled(app, casebook_path):
    write_entry(app, **FULL_ENTRY)
    app.save_button.click()
    [original] = stored_entries(casebook_path)

    app.tabs.selected_index = 1
    [row] = recent_rows(app)
    row.children[1].click()  # Edit
    assert app.tabs.selected_index == 0
    assert app.save_button.description == "Save my changes"
    assert app.cancel_button.layout.display is None
    assert app.form.what_happened.widget.value == FULL_ENTRY["what_happened"]
    assert app.form.feeling_choice.value == "worried"
    assert app.form.pause_named.widget.value == "worry"
    assert app.form.pause_box.layout.display is None

    app.form.what_happened.widget.value = "Maya came home late; I asked about her day"
    app.form.afterwards.widget.value = "same"
    app.save_button.click()
    [edited] = stored_entries(casebook_path)  # the same entry, no duplicate
    assert edited.id == original.id and edited.at == original.at
    assert edited.what_happened == "Maya came home late; I asked about her day"
    assert edited.afterwards == "same" and edited.pause_step == FULL_ENTRY["pause_step"]
    assert "Saved at" in shown(app.saved)
    assert app.editing is None and form_is_empty(app.form)
    with open_casebook(casebook_path, create=True) as casebook:
        assert [(a.role, a.action) for a in casebook.audit(ALEX)][-1] == ("client", "update")

    [row] = recent_rows(app)
    row.children[1].click()
    app.form.what_happened.widget.value = "A change I do not want after all"
    app.cancel_button.click()
    assert app.editing is None and form_is_empty(app.form)
    assert app.save_button.description == "Save my entry"
    assert app.cancel_button.layout.display == "none"
    assert stored_entries(casebook_path) == [edited]

    write_entry(app, what_happened="A new entry after cancelling")
    app.save_button.click()
    assert len(stored_entries(casebook_path)) == 2


def test_an_entry_of_my_own_word_is_edited_with_the_own_word_box(app, casebook_path):
    write_entry(app, what_happened="The call", feeling="wobbly")
    app.save_button.click()
    recent_rows(app)[0].children[1].click()
    assert app.form.feeling_choice.value == journal_module.OWN_WORD
    assert app.form.own_word.value == "wobbly"
    assert app.form.own_word.layout.display is None
    app.save_button.click()
    [entry] = stored_entries(casebook_path)
    assert entry.feeling == "wobbly"


# -- the ladder ---------------------------------------------------------------------------


def test_the_ladder_lists_the_hardest_rung_first(app):
    titles = [shown(row.children[0]).split(":", 1)[0] for row in app.ladder.children]
    assert titles == [f"Rung {n}" for n in range(6, 0, -1)]
    steps = app.client.ladder.sorted_steps()
    assert "Tell Maya about one good thing" in shown(ladder_row(app, 1).children[0])
    assert steps[0].step in shown(app.ladder.children[-1].children[0])
    assert all("Not tried yet" in shown(row.children[0]) for row in app.ladder.children)


def test_marking_a_rung_tried_stores_the_attempt(app, casebook_path):
    row = ladder_row(app, 3)
    form, date, distress, learned, save, message, _ = rung_form_parts(row)
    assert form.layout.display == "none"
    row.children[1].click()  # I tried this
    assert form.layout.display is None

    yesterday = dt.date.today() - dt.timedelta(days=1)
    date.value = yesterday
    distress.value = 40
    learned.value = "It was easier than I thought"
    save.click()

    with open_casebook(casebook_path, create=True) as casebook:
        [attempt] = casebook.list_ladder_attempts(ALEX)
        step = casebook.get_client(ALEX).ladder.sorted_steps()[2]
        lines = casebook.audit(ALEX)
    assert attempt.step_id == step.id
    assert (attempt.tried_on, attempt.distress_after, attempt.learned) == (
        yesterday, 40, "It was easier than I thought")
    assert (lines[-1].role, lines[-1].kind) == ("client", "ladder attempt")
    assert "Saved your step" in shown(app.message)
    note = shown(ladder_row(app, 3).children[0])
    assert f"Tried 1 time; last {yesterday:%d %b}" in note
    assert "Not tried yet" in shown(ladder_row(app, 2).children[0])


def test_a_try_on_a_future_day_gets_a_gentle_note(app, casebook_path):
    row = ladder_row(app, 1)
    row.children[1].click()
    _, date, _, _, save, _, date_note = rung_form_parts(row)
    date.value = dt.date.today() + dt.timedelta(days=1)
    save.click()
    assert "That day has not come yet" in shown(date_note)
    with open_casebook(casebook_path, create=True) as casebook:
        assert casebook.list_ladder_attempts(ALEX) == []
    assert "Not tried yet" in shown(ladder_row(app, 1).children[0])


# -- printing my week ---------------------------------------------------------------------


def test_print_my_week_offers_the_last_seven_days_as_a_pdf(app, casebook_path, tmp_path,
                                                           private_tmp):
    now = dt.datetime.now(dt.UTC)
    with open_casebook(casebook_path, create=True) as casebook:
        casebook.add_journal_entry(ALEX, JournalEntry(
            at=now - dt.timedelta(days=8), what_happened="An old evening at the lake"))
        casebook.add_journal_entry(ALEX, JournalEntry(
            at=now - dt.timedelta(days=2), what_happened="Cooked dinner together"))
    write_entry(app, what_happened="We talked about the holidays", feeling="hopeful")
    app.save_button.click()

    app.print_button.click()
    assert 'href="data:application/pdf;base64,' in app.download.value
    assert "(2 entries)" in shown(app.download)
    assert f'download="{ALEX}-journal-{dt.date.today():%Y-%m-%d}.pdf"' in app.download.value
    pdf = downloaded_pdf(app, tmp_path)
    text = pdf_text(pdf)
    assert "We talked about the holidays" in text and "Cooked dinner together" in text
    assert "An old evening at the lake" not in text
    assert "Looking back at my week" in text
    assert len(PdfReader(str(pdf)).pages) == 2  # both entries on one page, then the look-back
    fonts = pdf_fonts(pdf)
    assert fonts and all(name.startswith("Worksheets-") for name in fonts)
    assert list(private_tmp.iterdir()) == []  # the PDF made for the link is removed


def test_print_my_week_with_no_entries_still_makes_a_pdf(app, tmp_path):
    app.print_button.click()
    assert "(0 entries)" in shown(app.download)
    pdf = downloaded_pdf(app, tmp_path)
    text = pdf_text(pdf)
    assert "There are no journal entries for this week yet" in text
    # An empty week says so on one short page, with nothing to look back on.
    assert "Looking back" not in text
    assert len(PdfReader(str(pdf)).pages) == 1


def test_pages_that_cannot_be_made_give_a_gentle_message(app, monkeypatch):
    def broken(*args, **kwargs):
        raise WorksheetError("template journal_week.html.j2: broken")

    monkeypatch.setattr(journal_module, "render_journal_week", broken)
    assert app.print_week() is None
    assert shown(app.download) == "⚠ The pages could not be made just now."


def test_pages_that_cannot_be_made_leave_no_temporary_folder(app, monkeypatch, private_tmp):
    def broken(*args, **kwargs):
        raise WorksheetError("template journal_week.html.j2: broken")

    monkeypatch.setattr(journal_module, "render_journal_week", broken)
    app.print_week()
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
