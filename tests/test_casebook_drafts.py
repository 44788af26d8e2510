"""Drafts (unsaved forms) and deleting a journal entry, with plain and encrypted casebooks."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from casebook_common import SECRET, every_cell

from worksheets_lib import JournalEntry, open_casebook
from worksheets_lib.casebook import export_client
from worksheets_lib.errors import ClientNotFoundError, RecordError


@pytest.fixture
def book(casebook, alex):
    casebook.add_client(alex)
    return casebook


def test_a_draft_is_kept_replaced_and_discarded(book):
    assert book.get_draft("alex-rivera", "journal.entry") is None
    first = book.save_draft("alex-rivera", "journal.entry", {"what_happened": "Maya called"})
    assert first.saved_at.tzinfo is not None
    book.save_draft("alex-rivera", "journal.entry", {"what_happened": "Maya called late",
                                                     "intensity": 6})
    draft = book.get_draft("alex-rivera", "journal.entry")
    assert draft.data == {"what_happened": "Maya called late", "intensity": 6}
    assert draft.saved_at >= first.saved_at
    assert [d.place for d in book.list_drafts("alex-rivera")] == ["journal.entry"]
    book.discard_draft("alex-rivera", "journal.entry")
    book.discard_draft("alex-rivera", "journal.entry")  # twice is fine
    assert book.get_draft("alex-rivera", "journal.entry") is None


def test_drafts_are_per_client_and_per_place(book, make_client):
    book.add_client(make_client(id="sam-lee", name="Sam"))
    book.save_draft("alex-rivera", "journal.entry", {"a": 1})
    book.save_draft("alex-rivera", "goal_setting.ladder", {"a": 2})
    book.save_draft("sam-lee", "journal.entry", {"a": 3})
    book.save_draft(None, "workbook.new-client", {"name": "Jo"})
    assert book.get_draft("alex-rivera", "journal.entry").data == {"a": 1}
    assert book.get_draft("sam-lee", "journal.entry").data == {"a": 3}
    assert book.get_draft(None, "workbook.new-client").data == {"name": "Jo"}
    assert book.get_draft(None, "journal.entry") is None
    assert {d.place for d in book.list_drafts("alex-rivera")} == {"journal.entry",
                                                                   "goal_setting.ladder"}
    book.save_draft(None, "workbook.new-client", {"name": "Jo Ann"})  # replaced, not doubled
    assert len(book.list_drafts(None)) == 1


def test_a_draft_never_changes_a_saved_record_and_is_not_a_record(book):
    entry = book.add_journal_entry("alex-rivera", JournalEntry(what_happened="saved words"))
    book.save_draft("alex-rivera", "journal.entry", {"id": entry.id, "what_happened": "draft"})
    assert [e.what_happened for e in book.list_journal("alex-rivera")] == ["saved words"]
    assert "draft" not in str(book.count_records("alex-rivera"))
    bundle = export_client(book, "alex-rivera")
    assert "draft" not in bundle.model_dump_json()
    assert all("draft" not in line.kind for line in book.audit("alex-rivera"))


def test_drafts_go_with_their_client(book, cb_path):
    book.save_draft("alex-rivera", "journal.entry", {"what_happened": SECRET})
    book.delete_client("alex-rivera")
    assert SECRET not in str(every_cell(cb_path))
    with pytest.raises(ClientNotFoundError):
        book.list_drafts("alex-rivera")


def test_bad_drafts_are_refused_with_a_clear_message(book):
    with pytest.raises(RecordError, match="draft: too long"):
        book.save_draft("alex-rivera", "journal.entry", {"text": "x" * 1_000_001})
    with pytest.raises(RecordError, match="draft: holds something"):
        book.save_draft("alex-rivera", "journal.entry", {"when": dt.date.today()})
    with pytest.raises(RecordError, match="draft: must be"):
        book.save_draft("alex-rivera", "journal.entry", ["not", "a", "dict"])
    with pytest.raises(ValueError):
        book.save_draft("alex-rivera", "../../etc", {})
    with pytest.raises(ClientNotFoundError):
        book.save_draft("nobody-here", "journal.entry", {})
    assert book.list_drafts("alex-rivera") == []


def test_an_encrypted_casebook_keeps_drafts_unreadable(book, cb_path, casebook_mode):
    book.save_draft("alex-rivera", "journal.entry", {"what_happened": SECRET})
    book.close()
    with open_casebook(cb_path) as again:
        assert again.get_draft("alex-rivera", "journal.entry").data["what_happened"] == SECRET
    raw = b"".join(p.read_bytes() for p in cb_path.parent.glob("casebook.sqlite3*"))
    assert (SECRET.encode() in raw) == (casebook_mode == "plain")


def test_a_killed_writer_leaves_the_old_draft_or_the_new_one(book, cb_path):
    book.save_draft("alex-rivera", "journal.entry", {"n": -1, "text": "old"})
    book.close()
    code = ("import sys, itertools\n"
            "from worksheets_lib import open_casebook\n"
            "with open_casebook(sys.argv[1]) as b:\n"
            "    for n in itertools.count():\n"
            "        b.save_draft('alex-rivera', 'journal.entry', {'n': n, 'text': 'w' * 5000})\n"
            "        print(n, flush=True)\n")
    env = {**os.environ}
    seen = []
    for _ in range(3):
        child = subprocess.Popen([sys.executable, "-c", code, str(cb_path)], env=env,
                                 stdout=subprocess.PIPE, text=True)
        child.stdout.readline()  # it is writing
        time.sleep(0.2)
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        with open_casebook(cb_path) as again:
            drafts = again.list_drafts("alex-rivera")
            assert len(drafts) == 1 and again.integrity_ok()
            seen.append(drafts[0].data["n"])
    assert all(n >= 0 for n in seen)


def test_two_programs_saving_drafts_at_once_both_succeed(book, cb_path):
    book.close()
    code = ("import sys\n"
            "from worksheets_lib import open_casebook\n"
            "with open_casebook(sys.argv[1]) as b:\n"
            "    for n in range(40):\n"
            "        b.save_draft('alex-rivera', sys.argv[2], {'n': n})\n")
    children = [subprocess.Popen([sys.executable, "-c", code, str(cb_path), place])
                for place in ("journal.entry", "goal_setting.ladder")]
    assert [c.wait(timeout=120) for c in children] == [0, 0]
    with open_casebook(cb_path) as again:
        assert {d.place: d.data["n"] for d in again.list_drafts("alex-rivera")} == {
            "journal.entry": 39, "goal_setting.ladder": 39}


def test_deleting_an_entry_removes_its_text_and_is_audited(book, cb_path):
    keep = book.add_journal_entry("alex-rivera", JournalEntry(what_happened="keep this"))
    gone = book.add_journal_entry("alex-rivera", JournalEntry(what_happened=SECRET))
    book.delete_journal_entry("alex-rivera", gone.id)
    assert [e.id for e in book.list_journal("alex-rivera")] == [keep.id]
    assert book.audit("alex-rivera")[-1].action == "delete"
    assert book.audit("alex-rivera")[-1].kind == "journal entry"
    book.close()
    raw = b"".join(p.read_bytes() for p in cb_path.parent.glob("casebook.sqlite3*"))
    assert SECRET.encode() not in raw


def test_an_entry_of_another_client_or_unknown_cannot_be_deleted(book, make_client):
    book.add_client(make_client(id="sam-lee", name="Sam"))
    theirs = book.add_journal_entry("sam-lee", JournalEntry(what_happened="Sam's"))
    with pytest.raises(RecordError, match="no entry with this id"):
        book.delete_journal_entry("alex-rivera", theirs.id)
    with pytest.raises(RecordError, match="no entry with this id"):
        book.delete_journal_entry("alex-rivera", "no-such-id")
    assert len(book.list_journal("sam-lee")) == 1
