"""The workbooks never put a client's history into another client's record, and lose nothing.

Driven headless (no kernel, no browser) as a therapist would: typing, clicking
Next and Save; then the casebook is read separately. A "kernel restart" is a
workbook object dropped and a new one made (and, once, a real process killed).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys

import pytest

from helpers import shown
from worksheets_lib import open_casebook
from worksheets_lib.errors import CasebookError
from worksheets_lib.widgets import goal_setting, history_mapping

ALEX = "alex-rivera"


@pytest.fixture
def one_client(tmp_path, make_client):
    path = tmp_path / "cb.sqlite3"
    with open_casebook(path, create=True) as book:
        book.add_client(make_client(id=ALEX, name="Alex"))
    return path


def history(path, client_id=None):
    return history_mapping(client_id, casebook=path, output_dir=path.parent / "out")


def goals(path, client_id=None):
    return goal_setting(client_id, casebook=path, output_dir=path.parent / "out")


def type_new_client(workbook, **values):
    defaults = {"id": "sam-lee", "name": "Sam", "therapist": "Dr. Rivera",
                "practice": "Harbour Lane"}
    for name, value in {**defaults, **values}.items():
        workbook.picker.form.fields[name].widget.value = value
    workbook.picker.form.fields["session_date"].widget.value = dt.date(2026, 11, 24)


# -- the right client -------------------------------------------------------------------------


def test_every_step_names_the_current_client(one_client):
    workbook = history(one_client)
    assert "Alex (alex-rivera)" in shown(workbook.wizard.client_line)
    for _ in range(3):
        workbook.wizard.next()
        assert "Alex (alex-rivera)" in shown(workbook.wizard.client_line)
        assert workbook.wizard.client_line in workbook.wizard.box.children


def test_no_client_chosen_is_said_too(tmp_path):
    workbook = history(tmp_path / "cb.sqlite3")
    assert "none chosen yet" in shown(workbook.wizard.client_line)


def test_a_new_client_typed_then_next_asks_first_and_saves_nothing_to_the_other(one_client):
    workbook = history(one_client)
    assert workbook.client.id == ALEX  # the one client in the casebook was chosen
    type_new_client(workbook, name="Sam Lee")
    assert workbook.wizard.next() is False  # not moved on into Alex's record
    assert workbook.wizard.index == 0
    question = shown(workbook.picker.question)
    assert "You typed a new client (Sam Lee) but did not add them" in question
    assert "Nothing was saved to Alex's record" in question
    with open_casebook(one_client) as book:
        assert [c.id for c in book.list_clients()] == [ALEX]
        assert book.load_history(ALEX).caregivers == []


def test_answering_add_creates_the_client_and_goes_on_with_them(one_client):
    workbook = history(one_client)
    type_new_client(workbook, name="Sam Lee")
    workbook.wizard.next()
    add = workbook.picker.question.children[1].children[0]
    assert add.description == "Add Sam Lee and go on"
    add.click()
    assert workbook.client.id == "sam-lee" and workbook.wizard.index == 1
    assert "Sam Lee (sam-lee)" in shown(workbook.wizard.client_line)
    workbook.caregivers.add_button.click()
    workbook.caregivers.forms[0].fields["who"].widget.value = "Grandma Rose"
    assert workbook.wizard.save()
    with open_casebook(one_client) as book:
        assert book.load_history("sam-lee").caregivers[0].who == "Grandma Rose"
        assert book.load_history(ALEX).caregivers == []


def test_answering_keep_clears_the_form_and_stays_with_the_chosen_client(one_client):
    workbook = goals(one_client)
    type_new_client(workbook)
    workbook.wizard.next()
    keep = workbook.picker.question.children[1].children[1]
    assert keep.description == "Clear the form; keep working with Alex"
    keep.click()
    assert workbook.picker.typed_new_client() is None
    assert workbook.wizard.next() and workbook.client.id == ALEX


def test_a_half_typed_new_client_with_a_mistake_is_not_added_and_not_lost(one_client):
    workbook = history(one_client)
    type_new_client(workbook, id="Sam Lee!")  # not a valid id
    workbook.wizard.next()
    workbook.picker.question.children[1].children[0].click()  # add them
    assert workbook.wizard.index == 0 and workbook.client.id == ALEX
    assert workbook.picker.form.fields["id"].widget.value == "Sam Lee!"
    with open_casebook(one_client) as book:
        assert [c.id for c in book.list_clients()] == [ALEX]


# -- drafts: a restart loses nothing -----------------------------------------------------------


def add_caregiver(workbook, who):
    workbook.caregivers.add_button.click()
    workbook.caregivers.forms[-1].fields["who"].widget.value = who


def test_edits_are_kept_as_a_draft_and_offered_after_a_restart(one_client):
    workbook = history(one_client)
    workbook.wizard.next()
    add_caregiver(workbook, "Grandma Rose")
    workbook.caregivers.forms[0].fields["learned"].widget.value = "Comfort came with rules"
    assert workbook.keeper.tick()  # what the kernel's timer does every few seconds
    assert "Unsaved changes" in shown(workbook.wizard.unsaved)
    with open_casebook(one_client) as book:
        assert book.load_history(ALEX).caregivers == []  # a draft is not the record
    del workbook  # the kernel restarts

    again = history(one_client)
    offer = shown(again.keeper.offer_box)
    assert "that were not saved" in offer and "Restore them?" in offer
    assert again.caregivers.forms == []  # nothing restored without asking
    again.keeper.offer_box.children[1].children[0].click()  # Restore them
    [form] = again.caregivers.forms
    assert form.fields["who"].widget.value == "Grandma Rose"
    assert form.fields["learned"].widget.value == "Comfort came with rules"
    assert again.wizard.save()
    with open_casebook(one_client) as book:
        assert book.load_history(ALEX).caregivers[0].who == "Grandma Rose"
        assert book.get_draft(ALEX, "history_mapping") is None  # saved: the draft goes
    assert "Unsaved changes" not in shown(again.wizard.unsaved)


def test_next_keeps_the_draft_at_once(one_client):
    workbook = goals(one_client)
    workbook.wizard.next()
    workbook.vision.widget.value = "Feeling safe to ask for time together"
    workbook.wizard.next()  # no timer needed
    with open_casebook(one_client) as book:
        draft = book.get_draft(ALEX, "goal_setting")
    assert draft.data["vision"] == "Feeling safe to ask for time together"


def test_discarding_a_draft_keeps_the_saved_record(one_client):
    workbook = history(one_client)
    add_caregiver(workbook, "Saved Gran")
    assert workbook.wizard.save()
    add_caregiver(workbook, "Draft uncle")
    workbook.keeper.tick()
    again = history(one_client)
    again.keeper.offer_box.children[1].children[1].click()  # Discard them
    assert [f.fields["who"].widget.value for f in again.caregivers.forms] == ["Saved Gran"]
    with open_casebook(one_client) as book:
        assert book.get_draft(ALEX, "history_mapping") is None


def test_the_ladder_and_words_come_back_from_a_draft(one_client):
    workbook = goals(one_client)
    row = workbook.ladder.add_step("Say good morning with a smile", 12)
    assert row is not None
    workbook.words.fields["partner"].widget.value = "wife"
    workbook.keeper.tick()
    again = goals(one_client)
    again.keeper.offer_box.children[1].children[0].click()
    assert any(r.text.value == "Say good morning with a smile" and r.distress.value == 12
               for r in again.ladder.rows)
    assert again.words.fields["partner"].widget.value == "wife"


def test_a_draft_survives_a_killed_kernel(one_client):
    code = ("from worksheets_lib.widgets import history_mapping\n"
            f"wb = history_mapping(None, casebook={str(one_client)!r})\n"
            "wb.caregivers.add_button.click()\n"
            "wb.caregivers.forms[0].fields['who'].widget.value = 'Kept through a crash'\n"
            "wb.wizard.next()\n"
            "import os, signal; os.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ}, check=False)
    assert done.returncode == -signal.SIGKILL
    again = history(one_client)
    again.keeper.offer_box.children[1].children[0].click()
    assert again.caregivers.forms[0].fields["who"].widget.value == "Kept through a crash"


def test_in_a_running_kernel_the_draft_is_kept_while_typing_without_next(one_client):
    """The timer runs on the kernel's own event loop: typing alone makes a draft."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        code = ("from worksheets_lib.widgets import history_mapping\n"
                f"wb = history_mapping(None, casebook={str(one_client)!r})\n"
                "wb.caregivers.add_button.click()\n"
                "wb.caregivers.forms[0].fields['who'].widget.value = 'Typed, never Next'\n"
                "print(wb.keeper._timer is not None)")
        seen = []
        reply = client.execute_interactive(
            code, timeout=120, output_hook=lambda msg: seen.append(msg["content"].get("text")))
        assert reply["content"]["status"] == "ok" and "True\n" in seen
        deadline = dt.datetime.now() + dt.timedelta(seconds=30)
        draft = None
        while draft is None and dt.datetime.now() < deadline:
            with open_casebook(one_client) as book:
                draft = book.get_draft("alex-rivera", "history_mapping")
            if draft is None:
                import time
                time.sleep(0.5)
        assert draft is not None and "Typed, never Next" in str(draft.data)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_outside_a_kernel_no_event_loop_is_made_for_the_timer(one_client):
    import asyncio
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        workbook = history(one_client)
    assert workbook.keeper._timer is None
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()


# -- failed saves keep the words -------------------------------------------------------------


@pytest.mark.parametrize("kind, words", [("disk-full", "disk"), ("busy", "busy"),
                                         ("moved", "moved")])
def test_a_failed_save_says_why_and_keeps_everything(one_client, monkeypatch, kind, words):
    workbook = history(one_client)
    add_caregiver(workbook, "Grandma Rose")

    def fail(*_args, **_kwargs):
        message = {"disk-full": "the disk is full", "busy": "another program is busy with it",
                   "moved": "it was moved or deleted while it was open"}[kind]
        raise CasebookError("casebook.sqlite3", message, kind)

    monkeypatch.setattr(workbook.casebook, "save_history", fail)
    assert workbook.wizard.save() is False
    status = shown(workbook.wizard.status)
    assert status.startswith("⚠ Not saved:") and words in status
    assert "still here" in status and "Saved at" not in status
    assert workbook.caregivers.forms[0].fields["who"].widget.value == "Grandma Rose"


def test_a_locked_casebook_at_save_keeps_the_words_and_the_next_save_works(one_client,
                                                                           monkeypatch):
    import worksheets_lib.casebook.store as store

    monkeypatch.setattr(store, "BUSY_SECONDS", 0.5)
    workbook = history(one_client)
    add_caregiver(workbook, "Grandma Rose")
    with open_casebook(one_client) as other:
        other._conn.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            assert workbook.wizard.save() is False
        finally:
            other._conn.execute("ROLLBACK")
    assert "Not saved" in shown(workbook.wizard.status)
    assert workbook.wizard.save()
    with open_casebook(one_client) as book:
        assert book.load_history(ALEX).caregivers[0].who == "Grandma Rose"


def test_a_casebook_deleted_under_the_workbook_says_so_and_keeps_the_words(one_client):
    workbook = history(one_client)
    add_caregiver(workbook, "Grandma Rose")
    for path in one_client.parent.glob("cb.sqlite3*"):
        path.unlink()
    assert workbook.wizard.save() is False
    assert "Not saved" in shown(workbook.wizard.status)
    assert workbook.caregivers.forms[0].fields["who"].widget.value == "Grandma Rose"
