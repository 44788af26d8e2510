"""The records a casebook keeps: clients, the history map and goal plan, journal
entries, ladder attempts, listening records and packets, and their audit lines
(never any client text).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time

import pytest
from casebook_common import (
    BAD_IDS,
    EXAMPLE,
    HEX32,
    SECRET,
    SECRET_ID,
    client_key,
    every_cell,
    fill,
    full_history,
    full_plan,
    plain,
    state,
    table_names,
)

from worksheets_lib import load_client
from worksheets_lib.casebook import (
    export_client,
    import_bundle,
    open_casebook,
)
from worksheets_lib.errors import ClientNotFoundError, RecordError
from worksheets_lib.models import (
    GoalPlan,
    HistoryMap,
    JournalEntry,
    LadderAttempt,
    ListeningRecord,
    new_id,
)
from worksheets_lib.packet import render_casebook_packet

# --- clients ------------------------------------------------------------------------------------

def test_an_added_client_can_be_read_back(casebook, alex):
    stored = casebook.add_client(alex)
    assert casebook.get_client("alex-rivera") == stored
    assert stored.model_dump(exclude={"ladder"}) == alex.model_dump(exclude={"ladder"})
    assert [s.step for s in stored.ladder.steps] == [s.step for s in alex.ladder.steps]


def test_clients_are_listed_by_id(casebook, alex):
    for client_id in ("carol", "alex-rivera", "bea-2"):
        casebook.add_client(alex.model_copy(update={"id": client_id}))
    assert [c.id for c in casebook.list_clients()] == ["alex-rivera", "bea-2", "carol"]


def test_an_empty_casebook_lists_no_clients(casebook):
    assert casebook.list_clients() == []


def test_updating_a_client_replaces_the_profile(casebook, alex):
    stored = casebook.add_client(alex)
    casebook.update_client(stored.model_copy(update={"name": "Alexandra"}))
    assert casebook.get_client("alex-rivera").name == "Alexandra"
    assert len(casebook.list_clients()) == 1


def test_deleting_a_client_removes_only_that_client(casebook, alex):
    casebook.add_client(alex)
    casebook.add_client(alex.model_copy(update={"id": "bea"}))
    casebook.delete_client("alex-rivera")
    with pytest.raises(ClientNotFoundError):
        casebook.get_client("alex-rivera")
    assert [c.id for c in casebook.list_clients()] == ["bea"]
    casebook.add_client(alex)  # the id is free again
    assert [c.id for c in casebook.list_clients()] == ["alex-rivera", "bea"]


def test_adding_the_same_id_twice_is_refused_and_changes_nothing(casebook, alex):
    casebook.add_client(alex)
    before = state(casebook)
    with pytest.raises(RecordError, match="already in the casebook"):
        casebook.add_client(alex.model_copy(update={"name": "Someone else"}))
    assert state(casebook) == before
    assert casebook.get_client("alex-rivera").name == alex.name


@pytest.mark.parametrize("operation", [
    lambda book, cid: book.get_client(cid),
    lambda book, cid: book.delete_client(cid),
    lambda book, cid: book.load_history(cid),
    lambda book, cid: book.load_plan(cid),
    lambda book, cid: book.save_history(cid, HistoryMap()),
    lambda book, cid: book.list_journal(cid),
    lambda book, cid: book.add_journal_entry(cid, JournalEntry()),
    lambda book, cid: book.list_ladder_attempts(cid),
    lambda book, cid: book.add_listening_record(cid, ListeningRecord(talked_on=dt.date.today())),
    lambda book, cid: book.list_packets(cid),
    lambda book, cid: book.audit(cid),
], ids=["get", "delete", "load-history", "load-plan", "save-history", "list-journal",
        "add-journal", "list-attempts", "add-listening", "list-packets", "audit"])
def test_an_unknown_client_id_is_client_not_found(casebook, alex, operation):
    casebook.add_client(alex)
    before = state(casebook)
    with pytest.raises(ClientNotFoundError):
        operation(casebook, "nobody-here")
    assert state(casebook) == before


def test_updating_an_unknown_client_is_client_not_found(casebook, alex):
    with pytest.raises(ClientNotFoundError):
        casebook.update_client(alex)
    assert casebook.list_clients() == []
    assert casebook.audit_all() == []


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_a_malformed_id_is_client_not_found_and_never_echoed(casebook, cb_path, alex, bad_id):
    casebook.add_client(alex)
    before = state(casebook)
    for operation in (casebook.get_client, casebook.delete_client, casebook.list_journal,
                      casebook.audit, casebook.load_history):
        with pytest.raises(ClientNotFoundError) as excinfo:
            operation(bad_id)
        if bad_id:
            assert bad_id not in str(excinfo.value)
        assert str(excinfo.value).startswith("client id: ")
    assert state(casebook) == before
    with plain(cb_path) as conn:
        assert "clients" in table_names(conn)


def test_ladder_steps_get_stable_ids_when_added_kept_when_updated(casebook, alex):
    assert all(step.id is None for step in alex.ladder.steps)
    stored = casebook.add_client(alex)
    ids = [step.id for step in stored.ladder.steps]
    assert all(HEX32.match(i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert [s.id for s in casebook.get_client("alex-rivera").ladder.steps] == ids

    renamed = casebook.get_client("alex-rivera").model_copy(update={"name": "Lex"})
    casebook.update_client(renamed)
    assert [s.id for s in casebook.get_client("alex-rivera").ladder.steps] == ids

    # A new step (no id yet) gets one; the others keep theirs.
    ladder = stored.ladder
    new_step = ladder.steps[0].model_copy(update={"id": None, "step": "A brand new step"})
    grown = stored.model_copy(update={"ladder": ladder.model_copy(
        update={"steps": [*ladder.steps, new_step]})})
    updated = casebook.update_client(grown)
    after = [s.id for s in casebook.get_client("alex-rivera").ladder.steps]
    assert after == [s.id for s in updated.ladder.steps]
    assert after[:-1] == ids
    assert HEX32.match(after[-1]) and after[-1] not in ids


def test_updating_a_client_from_their_file_keeps_their_ladder_attempts_usable(tmp_path, alex):
    with open_casebook(tmp_path / "a.sqlite3", create=True) as book:
        stored = book.add_client(alex)
        book.record_ladder_attempt("alex-rivera", LadderAttempt(
            step_id=stored.ladder.steps[0].id, tried_on=dt.date(2026, 12, 1)))
        try:
            book.update_client(load_client(EXAMPLE))  # the therapist re-reads the file
        except RecordError:
            return  # refusing an update that would orphan attempts is also fine
        step_ids = {s.id for s in book.get_client("alex-rivera").ladder.steps}
        assert all(a.step_id in step_ids for a in book.list_ladder_attempts("alex-rivera"))
        bundle = export_client(book, "alex-rivera")
    with open_casebook(tmp_path / "b.sqlite3", create=True) as other:
        import_bundle(other, bundle)


# --- the history map and the goal plan ----------------------------------------------------------

def test_history_and_plan_load_empty_when_nothing_was_saved(casebook, alex):
    casebook.add_client(alex)
    assert casebook.load_history("alex-rivera") == HistoryMap()
    assert casebook.load_plan("alex-rivera") == GoalPlan()


def test_history_and_plan_round_trip_and_are_replaced_on_save(casebook, alex):
    casebook.add_client(alex)
    casebook.save_history("alex-rivera", full_history("first"))
    casebook.save_plan("alex-rivera", full_plan("first"))
    assert casebook.load_history("alex-rivera") == full_history("first")
    assert casebook.load_plan("alex-rivera") == full_plan("first")

    casebook.save_history("alex-rivera", full_history("second"))
    casebook.save_plan("alex-rivera", full_plan("second"))
    assert casebook.load_history("alex-rivera") == full_history("second")
    assert casebook.load_plan("alex-rivera") == full_plan("second")
    audit = [(line.action, line.kind) for line in casebook.audit("alex-rivera")]
    assert audit[1:] == [("create", "history"), ("create", "plan"),
                         ("update", "history"), ("update", "plan")]


def test_each_client_has_their_own_history(casebook, alex):
    casebook.add_client(alex)
    casebook.add_client(alex.model_copy(update={"id": "bea"}))
    casebook.save_history("alex-rivera", full_history())
    assert casebook.load_history("bea") == HistoryMap()


# --- journal entries ----------------------------------------------------------------------------

@pytest.fixture
def local_time_zone():
    """The process's local time is UTC+13 (no DST) for the test."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "TST-13"
    time.tzset()
    yield dt.timezone(dt.timedelta(hours=13))
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_journal_entries_are_added_and_edited_by_id(casebook, alex):
    casebook.add_client(alex)
    entry = casebook.add_journal_entry("alex-rivera", JournalEntry(feeling="wobbly",
                                                                   intensity=6))
    assert casebook.list_journal("alex-rivera") == [entry]
    edited = entry.model_copy(update={"feeling": "steadier", "intensity": 3})
    casebook.edit_journal_entry("alex-rivera", edited)
    assert casebook.list_journal("alex-rivera") == [edited]
    assert [(a.action, a.kind) for a in casebook.audit("alex-rivera")][1:] == [
        ("create", "journal entry"), ("update", "journal entry")]


def test_editing_a_journal_entry_that_is_not_there_is_refused(casebook, alex):
    casebook.add_client(alex)
    casebook.add_client(alex.model_copy(update={"id": "bea"}))
    beas = casebook.add_journal_entry("bea", JournalEntry(feeling="fine"))
    before = state(casebook)
    with pytest.raises(RecordError):
        casebook.edit_journal_entry("alex-rivera", JournalEntry(feeling="never stored"))
    with pytest.raises(RecordError):  # another client's entry
        casebook.edit_journal_entry("alex-rivera", beas.model_copy(update={"feeling": "x"}))
    assert state(casebook) == before
    assert casebook.list_journal("bea") == [beas]
    assert casebook.list_journal("alex-rivera") == []


def test_a_journal_entry_id_can_be_added_only_once(casebook, alex):
    casebook.add_client(alex)
    casebook.add_client(alex.model_copy(update={"id": "bea"}))
    entry = casebook.add_journal_entry("alex-rivera", JournalEntry(feeling="first"))
    before = state(casebook)
    with pytest.raises(RecordError):
        casebook.add_journal_entry("alex-rivera", entry.model_copy(update={"feeling": "again"}))
    with pytest.raises(RecordError):
        casebook.add_journal_entry("bea", entry)
    assert state(casebook) == before
    assert casebook.list_journal("alex-rivera") == [entry]
    assert casebook.list_journal("bea") == []


def test_the_journal_lists_by_date_range_including_whole_local_days(casebook, alex,
                                                                    local_time_zone):
    local, utc, new_york = local_time_zone, dt.UTC, dt.timezone(dt.timedelta(hours=-5))
    casebook.add_client(alex)
    moments = {
        "jan9-late": dt.datetime(2026, 1, 9, 23, 59, 59, tzinfo=local),
        "jan10-first": dt.datetime(2026, 1, 10, 0, 0, 0, tzinfo=local),
        "jan10-ny": dt.datetime(2026, 1, 9, 20, 0, tzinfo=new_york),      # 14:00 local
        "jan10-last": dt.datetime(2026, 1, 10, 23, 59, 59, 999999, tzinfo=local),
        "jan11-first": dt.datetime(2026, 1, 11, 0, 0, 0, tzinfo=local),
        "jan11-utc": dt.datetime(2026, 1, 10, 12, 0, tzinfo=utc),         # 01:00 local
    }
    ids = {}
    for name in reversed(list(moments)):  # stored out of order
        ids[name] = casebook.add_journal_entry(
            "alex-rivera", JournalEntry(at=moments[name], feeling="ok")).id

    def listed(**bounds) -> list[str]:
        by_id = {v: k for k, v in ids.items()}
        return [by_id[e.id] for e in casebook.list_journal("alex-rivera", **bounds)]

    day = dt.date(2026, 1, 10)
    assert listed() == list(moments)  # oldest first
    assert listed(start=day, end=day) == ["jan10-first", "jan10-ny", "jan10-last"]
    assert listed(start=day) == ["jan10-first", "jan10-ny", "jan10-last", "jan11-first",
                                 "jan11-utc"]
    assert listed(end=dt.date(2026, 1, 9)) == ["jan9-late"]
    assert listed(start=dt.date(2026, 1, 12)) == []
    # datetimes are exact bounds: start included, end excluded
    assert listed(start=moments["jan10-first"], end=moments["jan11-first"]) == [
        "jan10-first", "jan10-ny", "jan10-last"]
    assert listed(start=moments["jan10-ny"].astimezone(utc),
                  end=moments["jan10-last"]) == ["jan10-ny"]
    # the entries come back with the moment they were stored with
    stored = {e.id: e.at for e in casebook.list_journal("alex-rivera")}
    assert all(stored[ids[name]] == moment for name, moment in moments.items())


# --- ladder attempts, listening records, packets ------------------------------------------------

def test_a_ladder_attempt_must_name_one_of_the_clients_steps(casebook, alex):
    stored = casebook.add_client(alex)
    beas = casebook.add_client(alex.model_copy(update={"id": "bea"}))
    before = state(casebook)
    for step_id in (new_id(), beas.ladder.steps[0].id):
        with pytest.raises(RecordError, match="step_id"):
            casebook.record_ladder_attempt("alex-rivera", LadderAttempt(
                step_id=step_id, tried_on=dt.date(2026, 12, 1)))
    assert state(casebook) == before

    attempt = casebook.record_ladder_attempt("alex-rivera", LadderAttempt(
        step_id=stored.ladder.steps[2].id, tried_on=dt.date(2026, 12, 1), distress_after=20))
    assert casebook.list_ladder_attempts("alex-rivera") == [attempt]
    again = attempt.model_copy(update={"distress_after": 10, "learned": "easier than feared"})
    casebook.record_ladder_attempt("alex-rivera", again)  # same id: replaced
    assert casebook.list_ladder_attempts("alex-rivera") == [again]
    assert casebook.list_ladder_attempts("bea") == []
    assert [(a.action, a.kind) for a in casebook.audit("alex-rivera")][1:] == [
        ("create", "ladder attempt"), ("update", "ladder attempt")]


def test_listening_records_are_stored_oldest_first(casebook, alex):
    casebook.add_client(alex)
    later = casebook.add_listening_record("alex-rivera", ListeningRecord(
        talked_on=dt.date(2026, 12, 9), eye_contact=True))
    earlier = casebook.add_listening_record("alex-rivera", ListeningRecord(
        talked_on=dt.date(2026, 12, 2), reflected_back=True, reflection="listened well"))
    assert casebook.list_listening_records("alex-rivera") == [earlier, later]


def test_a_rendered_casebook_packet_is_written_and_logged_with_its_hash(casebook, alex,
                                                                        tmp_path):
    casebook.add_client(alex)
    out = tmp_path / "packet.pdf"
    result = render_casebook_packet(casebook, "alex-rivera", out,
                                    worksheets=["listening", "ladder"], paper="letter")
    assert out.read_bytes().startswith(b"%PDF-")
    [logged] = casebook.list_packets("alex-rivera")
    assert logged.worksheets == ["listening", "ladder"]
    assert logged.paper == "letter"
    assert logged.pages == result.pages >= 3
    assert logged.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert casebook.audit("alex-rivera")[-1].kind == "packet"


def test_a_packet_for_an_unknown_client_writes_and_logs_nothing(casebook, tmp_path):
    out = tmp_path / "packet.pdf"
    with pytest.raises(ClientNotFoundError):
        render_casebook_packet(casebook, "nobody", out)
    assert not out.exists()
    assert casebook.audit_all() == []


# --- the audit trail ----------------------------------------------------------------------------

def test_every_change_adds_an_audit_line_with_role_and_kind(casebook, alex):
    stored = casebook.add_client(alex)
    casebook.update_client(stored.model_copy(update={"name": "Lex"}))
    fill(casebook, "alex-rivera")
    casebook.save_history("alex-rivera", full_history("again"))
    entry = casebook.list_journal("alex-rivera")[0]
    casebook.edit_journal_entry("alex-rivera", entry.model_copy(update={"feeling": "calm"}))
    lines = casebook.audit("alex-rivera")
    assert [(line.action, line.kind) for line in lines] == [
        ("create", "client"), ("update", "client"),
        ("create", "history"), ("create", "plan"),
        ("create", "journal entry"), ("create", "journal entry"), ("create", "journal entry"),
        ("create", "ladder attempt"), ("create", "listening record"), ("create", "packet"),
        ("import", "filled worksheet"), ("update", "history"), ("update", "journal entry")]
    assert {line.role for line in lines} == {"therapist"}
    assert [line.seq for line in lines] == sorted(line.seq for line in lines)
    for line in lines:
        assert dt.datetime.fromisoformat(line.at).tzinfo is not None
        assert "therapist" in str(line) and line.kind in str(line)
    assert casebook.audit_all() == lines


def test_a_casebook_opened_by_the_client_records_role_client(cb_path, alex):
    with open_casebook(cb_path, create=True) as book:
        book.add_client(alex)
    with open_casebook(cb_path, role="client", create=True) as book:
        assert book.role == "client"
        book.add_journal_entry("alex-rivera", JournalEntry(feeling="brave"))
        lines = book.audit("alex-rivera")
    assert [(line.role, line.action, line.kind) for line in lines] == [
        ("therapist", "create", "client"), ("client", "create", "journal entry")]


def test_no_audit_row_holds_client_text_or_the_client_id(cb_path, secret_client):
    with open_casebook(cb_path, create=True) as book:
        stored = book.add_client(secret_client)
        book.update_client(stored.model_copy(update={"pronouns": f"they {SECRET}"}))
        fill(book, SECRET_ID, text=f"about {SECRET}")
        with pytest.raises(RecordError):  # a failed change leaves no trace either
            book.add_client(secret_client)
    rows = every_cell(cb_path)["audit"]
    assert len(rows) == 11
    for row in rows:
        for cell in row:
            assert SECRET not in str(cell)
            assert SECRET_ID not in str(cell)
            assert "Sam" not in str(cell)
    with plain(cb_path) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(audit)")]
        kinds = {r[0] for r in conn.execute("SELECT kind FROM audit")}
    assert columns == ["seq", "at", "role", "action", "kind", "client_key", "line_hash",
                       "chain"]
    assert kinds <= {"client", "history", "plan", "journal entry", "ladder attempt",
                     "listening record", "packet", "filled worksheet", "client records",
                     "whole casebook"}


def test_deleting_a_client_leaves_no_row_but_one_anonymous_audit_line(cb_path, secret_client,
                                                                       alex):
    with open_casebook(cb_path, create=True) as book:
        book.add_client(secret_client)
        fill(book, SECRET_ID, text=f"about {SECRET}")
        book.add_client(alex)
        fill(book, "alex-rivera")
    key = client_key(cb_path, SECRET_ID)
    alex_key = client_key(cb_path, "alex-rivera")
    cells_before = every_cell(cb_path)
    assert any(SECRET in str(cell) for rows in cells_before.values() for row in rows
               for cell in row)

    with open_casebook(cb_path, role="client", create=True) as book:
        book.delete_client(SECRET_ID)
        with pytest.raises(ClientNotFoundError):
            book.get_client(SECRET_ID)
        assert book.audit_all()[-1].action == "delete"

    cells = every_cell(cb_path)
    for table, rows in cells.items():
        for row in rows:
            for cell in row:
                text = str(cell)
                assert SECRET not in text, table
                assert SECRET_ID not in text, table
                assert key not in text, table
    with plain(cb_path) as conn:
        anonymous = conn.execute(
            "SELECT role, action, kind, client_key FROM audit WHERE client_key IS NULL "
            "AND at IS NOT NULL").fetchall()
        assert anonymous == [("client", "delete", "client", None)]
        assert conn.execute("SELECT count(*) FROM audit WHERE client_key = ?",
                            (key,)).fetchone() == (0,)
        # Their earlier lines are emptied (redacted); only their hashes remain.
        redacted = conn.execute("SELECT at, role, action, kind, client_key FROM audit "
                                "WHERE at IS NULL").fetchall()
        assert redacted and set(redacted) == {(None, None, None, None, None)}
    with open_casebook(cb_path) as book:
        report = book.verify_audit()
        assert report.ok and report.redacted == len(redacted)
    # the other client is untouched
    for table in ("clients", "documents", "journal_entries", "ladder_attempts",
                  "listening_records", "packets", "audit"):
        keyed = [row for row in cells_before[table] if alex_key in row]
        assert keyed and keyed == [row for row in cells[table] if alex_key in row], table
