"""The casebook: a private SQLite store of client records, its refusals, audit trail and bundles.

Covers: how a new casebook is created (modes, pragmas), where it lives, the
files it refuses (left byte-for-byte as they were), clients and their
records, the audit trail (never any client text), deleting a client, export
and import bundles, and the schema's migrations.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import stat
import time
from pathlib import Path

import pytest
import rawdb

from worksheets_lib import load_client
from worksheets_lib.casebook import (
    BUNDLE_VERSION,
    ENV_VAR,
    SCHEMA_VERSION,
    driver,
    export_client,
    import_bundle,
    open_casebook,
    parse_bundle,
    read_bundle,
    resolve_path,
    write_bundle,
)
from worksheets_lib.casebook import schema as schema_module
from worksheets_lib.casebook import store as store_module
from worksheets_lib.casebook.location import default_path
from worksheets_lib.errors import BundleError, CasebookError, ClientNotFoundError, RecordError
from worksheets_lib.models import (
    Caregiver,
    Goal,
    GoalPlan,
    HistoryMap,
    JournalEntry,
    LadderAttempt,
    ListeningRecord,
    Moment,
    PacketRecord,
    PatternReflection,
    PlanStep,
    RelationalScript,
    Separation,
    new_id,
)
from worksheets_lib.packet import render_casebook_packet

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "alex-rivera.yaml"
SECRET = "QUOKKA-SECRET-5531"
SECRET_ID = "zq-private-client"
HEX32 = re.compile(r"^[0-9a-f]{32}$")
BAD_IDS = ["../x", "a/b", "x'; DROP TABLE clients;--", "", "..", "Alex Rivera"]


# --- helpers ------------------------------------------------------------------------------------

@pytest.fixture
def cb_path(tmp_path) -> Path:
    return tmp_path / "casebook.sqlite3"


@pytest.fixture
def casebook(cb_path):
    book = open_casebook(cb_path, create=True)
    yield book
    book.close()


@pytest.fixture
def alex():
    return load_client(EXAMPLE)


@pytest.fixture
def secret_client(make_client):
    """A client whose every free-text field holds SECRET."""
    return make_client(
        id=SECRET_ID, name=f"Sam {SECRET}", pronouns=SECRET,
        ladder={"steps": [{"step": f"Call {SECRET} on Sunday", "distress": 15,
                           "note": f"note {SECRET}"},
                          {"step": f"Tell {SECRET} I am hurt", "distress": 25}]},
        listening={"other_person": SECRET})


def plain(path: Path) -> contextlib.closing[driver.Connection]:
    """A plain sqlite3 connection, closed on leaving the with-block."""
    return contextlib.closing(rawdb.connect(path))


def pragma(path: Path, name: str):
    with plain(path) as conn:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]


def table_names(conn: driver.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


def every_cell(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, read with a plain sqlite3 connection."""
    with plain(path) as conn:
        return {t: conn.execute(f'SELECT * FROM "{t}"').fetchall() for t in table_names(conn)}


def client_key(path: Path, client_id: str) -> str:
    with plain(path) as conn:
        return conn.execute("SELECT key FROM clients WHERE id = ?", (client_id,)).fetchone()[0]


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def full_history(text: str = "kind words") -> HistoryMap:
    return HistoryMap(
        caregivers=[Caregiver(who="Grandmother", role="raised me", availability="consistent",
                              comfort=f"sang to me ({text})", learned="people come back")],
        separations=[Separation(age=7, what_happened=f"moved schools ({text})",
                                who_helped="an aunt", shows_up_now="dread at goodbyes")],
        scripts=[RelationalScript(
            trigger=f"a late reply ({text})", fear="being left", reaction="go quiet",
            result="distance", need="reassurance",
            moments=[Moment(kind="connected", description=f"the beach trip ({text})"),
                     Moment(kind="abandoned", description="the empty station")])],
        reflections=[PatternReflection(pattern="anxious", seems_to_fit="partly",
                                       evidence=f"checks the phone often ({text})")],
        notes=f"notes ({text})")


def full_plan(text: str = "kind words") -> GoalPlan:
    return GoalPlan(
        vision=f"feeling steady together ({text})",
        goals=[Goal(goal=f"ask for comfort directly ({text})",
                    steps=[PlanStep(what="name the feeling", by=dt.date(2026, 12, 1)),
                           PlanStep(what="ask for a hug", done=True)],
                    accountability="tell my therapist each week", check_in="each session")])


def fill(book, client_id: str, text: str = "kind words") -> None:
    """Give a stored client one record of every kind."""
    steps = book.get_client(client_id).ladder.steps
    book.save_history(client_id, full_history(text))
    book.save_plan(client_id, full_plan(text))
    for day in (3, 1, 2):
        book.add_journal_entry(client_id, JournalEntry(
            at=dt.datetime(2026, 12, day, 20, 15, tzinfo=dt.UTC), what_happened=text,
            feeling="wobbly", intensity=day + 3, body="chest", paused=True,
            pause_named="fear", pause_rating=4, pause_step=text, what_i_did=text,
            afterwards="closer"))
    book.record_ladder_attempt(client_id, LadderAttempt(
        step_id=steps[0].id, tried_on=dt.date(2026, 12, 2), distress_after=12, learned=text))
    book.add_listening_record(client_id, ListeningRecord(
        talked_on=dt.date(2026, 12, 4), eye_contact=True, reflected_back=True, reflection=text))
    book.log_packet(client_id, PacketRecord(worksheets=["ladder"], paper="a4", pages=2,
                                            sha256="0" * 64))


def bundle_without_time(book, client_id: str) -> dict:
    """The bundle's records, without what an import adds (times, its own audit lines)."""
    return export_client(book, client_id).model_dump(mode="json",
                                                      exclude={"exported_at", "audit"})


def state(book) -> tuple:
    """What a refused operation must leave as it was."""
    return book.audit_all(), book.list_clients()


# --- a new casebook -----------------------------------------------------------------------------

def test_a_new_casebook_is_a_0600_file_in_a_new_0700_folder(tmp_path):
    path = tmp_path / "private" / "nested" / "casebook.sqlite3"
    old_umask = os.umask(0)  # the modes must not depend on a careful umask
    try:
        open_casebook(path, create=True).close()
    finally:
        os.umask(old_umask)
    assert mode_of(path) == 0o600
    assert mode_of(path.parent) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["casebook.sqlite3"]  # no temp file left


def test_a_new_casebook_in_an_existing_folder_keeps_the_folders_mode(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o755)
    open_casebook(folder / "casebook.sqlite3", create=True).close()
    assert mode_of(folder) == 0o755
    assert mode_of(folder / "casebook.sqlite3") == 0o600


def test_a_new_casebook_uses_wal_foreign_keys_full_sync_and_is_marked(casebook, cb_path):
    conn = casebook._conn  # per-connection settings can only be read on the casebook's own
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert pragma(cb_path, "journal_mode") == "wal"  # kept in the file for every opener
    assert pragma(cb_path, "user_version") == SCHEMA_VERSION
    assert pragma(cb_path, "application_id") == schema_module.APPLICATION_ID
    assert casebook.warnings == []
    assert casebook.path == cb_path
    assert casebook.role == "therapist"


def test_an_unknown_role_is_refused(cb_path):
    with pytest.raises(ValueError):
        open_casebook(cb_path, role="admin", create=True)
    assert not cb_path.exists()


def test_a_folder_given_as_the_casebook_is_refused(tmp_path):
    with pytest.raises(CasebookError, match="is a folder"):
        open_casebook(tmp_path, create=True)


# --- where the casebook lives -------------------------------------------------------------------

def test_an_explicit_path_wins_over_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "from-env.sqlite3"))
    assert resolve_path(tmp_path / "explicit.sqlite3") == tmp_path / "explicit.sqlite3"
    assert resolve_path(str(tmp_path / "explicit.sqlite3")) == tmp_path / "explicit.sqlite3"


def test_the_environment_variable_wins_over_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "from-env.sqlite3"))
    assert resolve_path() == tmp_path / "from-env.sqlite3"
    assert resolve_path(None) == tmp_path / "from-env.sqlite3"
    with open_casebook(create=True) as book:
        assert book.path == tmp_path / "from-env.sqlite3"
    assert (tmp_path / "from-env.sqlite3").is_file()


def test_the_default_is_in_the_users_data_folder(monkeypatch, isolated_home):
    monkeypatch.delenv(ENV_VAR, raising=False)
    expected = Path(os.environ["XDG_DATA_HOME"]) / "worksheets" / "casebook.sqlite3"
    assert expected.is_relative_to(isolated_home)
    assert default_path() == expected
    assert resolve_path() == expected
    with open_casebook(create=True) as book:
        assert book.path == expected
    assert expected.is_file()
    assert mode_of(expected) == 0o600
    assert mode_of(expected.parent) == 0o700


def test_a_tilde_in_the_path_means_the_home_folder(monkeypatch, isolated_home):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert resolve_path("~/cases.sqlite3") == isolated_home / "cases.sqlite3"
    monkeypatch.setenv(ENV_VAR, "~/env-cases.sqlite3")
    assert resolve_path() == isolated_home / "env-cases.sqlite3"


# --- permissions --------------------------------------------------------------------------------

def test_opening_a_casebook_others_can_read_makes_it_private_and_says_so(cb_path):
    open_casebook(cb_path, create=True).close()
    cb_path.chmod(0o644)
    with open_casebook(cb_path) as book:
        assert len(book.warnings) == 1
        assert str(cb_path) in book.warnings[0]
        assert "644" in book.warnings[0] and "now readable by you only" in book.warnings[0]
    assert mode_of(cb_path) == 0o600


def test_a_casebook_someone_else_owns_gets_the_chmod_advice(cb_path, monkeypatch):
    from worksheets_lib.casebook import location

    open_casebook(cb_path, create=True).close()
    cb_path.chmod(0o644)
    monkeypatch.setattr(location.os, "geteuid", lambda: os.getuid() + 1)
    with open_casebook(cb_path) as book:
        assert "chmod 600" in book.warnings[0]
    assert mode_of(cb_path) == 0o644


def test_opening_a_private_casebook_gives_no_warning(cb_path):
    open_casebook(cb_path, create=True).close()
    assert mode_of(cb_path) == 0o600
    with open_casebook(cb_path, create=True) as book:
        assert book.warnings == []


# --- refusals: the file is left exactly as it was -----------------------------------------------

def make_text_file(path: Path) -> None:
    path.write_text("Session notes, not a database.\n" * 40, encoding="utf-8")


def make_empty_file(path: Path) -> None:
    path.write_bytes(b"")


def make_other_database(path: Path) -> None:
    with plain(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('someone else''s data')")
        conn.commit()


def make_other_wal_database(path: Path) -> None:
    make_other_database(path)
    with plain(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")


def make_newer_casebook(path: Path) -> None:
    with open_casebook(path, create=True) as book:
        book.add_client(load_client(EXAMPLE))
    with plain(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.commit()


def make_damaged_casebook(path: Path) -> None:
    alex = load_client(EXAMPLE)
    with open_casebook(path, create=True) as book:
        for n in range(6):
            book.add_client(alex.model_copy(update={"id": f"client-{n}"}))
            book.add_journal_entry(f"client-{n}", JournalEntry(what_happened="x" * 1500))
    data = bytearray(path.read_bytes())
    page_size = (int.from_bytes(data[16:18], "big") if data.startswith(b"SQLite format 3")
                 else 4096)  # an encrypted casebook's header is encrypted too
    assert len(data) >= 4 * page_size
    data[page_size:2 * page_size] = b"\xde\xad\xbe\xef" * (page_size // 4)  # page 2: garbage
    path.write_bytes(bytes(data))


REFUSALS = [
    (make_text_file, "not a casebook"),
    (make_empty_file, "not a casebook"),
    (make_other_database, "not a casebook"),
    (make_other_wal_database, "not a casebook"),
    (make_newer_casebook, "newer version"),
    (make_damaged_casebook, "damaged"),
]
REFUSAL_IDS = ["text-file", "empty-file", "other-database", "other-wal-database",
               "newer-casebook", "damaged-casebook"]


@pytest.mark.parametrize(("make", "reason"), REFUSALS, ids=REFUSAL_IDS)
def test_a_file_that_is_not_a_usable_casebook_is_refused_and_left_unchanged(tmp_path, make,
                                                                            reason):
    path = tmp_path / "casebook.sqlite3"
    make(path)
    before = path.read_bytes()
    mode_before = mode_of(path)
    for role in ("therapist", "client"):
        with pytest.raises(CasebookError) as excinfo:
            open_casebook(path, role=role, create=True)
        assert reason in str(excinfo.value)
        assert str(path) in str(excinfo.value)
        assert excinfo.value.path == str(path)
    assert path.read_bytes() == before
    assert mode_of(path) == mode_before
    # Nothing was left beside it that a later opener would fold into the file.
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with contextlib.suppress(CasebookError):
        schema_module.check_header(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("make", [make_newer_casebook, make_damaged_casebook,
                                  make_other_wal_database],
                         ids=["newer-casebook", "damaged-casebook", "other-wal-database"])
def test_refusing_a_file_creates_nothing_beside_it(tmp_path, make):
    path = tmp_path / "casebook.sqlite3"
    make(path)
    names_before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(CasebookError):
        open_casebook(path, create=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == names_before


def test_a_damaged_casebook_refusal_says_damaged_and_to_restore(tmp_path):
    path = tmp_path / "casebook.sqlite3"
    make_damaged_casebook(path)
    with pytest.raises(CasebookError) as excinfo:
        open_casebook(path, create=True)
    assert type(excinfo.value) is CasebookError
    assert "is damaged" in str(excinfo.value)
    assert "backup" in str(excinfo.value)


def test_a_newer_casebook_refusal_names_both_versions(tmp_path):
    path = tmp_path / "casebook.sqlite3"
    make_newer_casebook(path)
    with pytest.raises(CasebookError) as excinfo:
        open_casebook(path, create=True)
    message = str(excinfo.value)
    assert f"schema {SCHEMA_VERSION + 1}" in message
    assert f"up to {SCHEMA_VERSION}" in message
    assert "please update worksheets" in message


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
        ("update", "history"), ("update", "journal entry")]
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
    assert len(rows) == 10
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
                     "listening record", "packet", "client records", "whole casebook"}


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


# --- export and import --------------------------------------------------------------------------

@pytest.fixture
def filled(cb_path, alex):
    """A casebook where alex-rivera has a record of every kind."""
    with open_casebook(cb_path, create=True) as book:
        book.add_client(alex)
        fill(book, "alex-rivera")
    return cb_path


def test_export_then_import_gives_the_same_records(filled, tmp_path):
    with open_casebook(filled, create=True) as source:
        bundle_path = write_bundle(source, "alex-rivera", tmp_path / "alex.json")
        exported = bundle_without_time(source, "alex-rivera")
    assert mode_of(bundle_path) == 0o600
    with open_casebook(tmp_path / "other.sqlite3", create=True) as target:
        result = import_bundle(target, read_bundle(bundle_path))
        assert result.new_client and result.changed
        assert result.added == {"journal entry": 3, "ladder attempt": 1, "listening record": 1,
                                "packet": 1}
        assert sorted(result.replaced) == ["history", "plan"]
        assert bundle_without_time(target, "alex-rivera") == exported
        assert {line.role for line in target.audit("alex-rivera")} == {"therapist"}
    assert exported["journal"] and exported["history"] and exported["plan"]


def test_importing_the_same_bundle_twice_changes_nothing(filled, tmp_path):
    with open_casebook(filled, create=True) as source:
        bundle = export_client(source, "alex-rivera")
    with open_casebook(tmp_path / "other.sqlite3", create=True) as target:
        assert import_bundle(target, bundle).changed
        before = state(target), bundle_without_time(target, "alex-rivera")
        second = import_bundle(target, bundle)
        assert second.changed is False
        assert not second.new_client and second.replaced == []
        assert set(second.added.values()) == {0}
        assert (state(target), bundle_without_time(target, "alex-rivera")) == before
    with open_casebook(filled, create=True) as source:  # back into the casebook it came from
        before = state(source)
        assert import_bundle(source, bundle).changed is False
        assert state(source) == before


def test_journal_entries_merge_by_id_without_duplicates(cb_path, tmp_path, alex):
    other_path = tmp_path / "other.sqlite3"
    with open_casebook(cb_path, create=True) as a:
        a.add_client(alex)
        first = a.add_journal_entry("alex-rivera", JournalEntry(feeling="first"))
        bundle = export_client(a, "alex-rivera")
    with open_casebook(other_path, create=True) as b:
        import_bundle(b, bundle)
        in_b = b.add_journal_entry("alex-rivera", JournalEntry(feeling="written in b"))
    with open_casebook(cb_path, create=True) as a:
        in_a = a.add_journal_entry("alex-rivera", JournalEntry(feeling="written in a"))
        bundle = export_client(a, "alex-rivera")
    with open_casebook(other_path, create=True) as b:
        result = import_bundle(b, bundle)
        assert result.added["journal entry"] == 1
        ids = [e.id for e in b.list_journal("alex-rivera")]
    assert sorted(ids) == sorted([first.id, in_b.id, in_a.id])
    assert len(ids) == len(set(ids)) == 3


def test_an_import_keeps_an_entry_the_casebook_already_has(filled, tmp_path):
    with open_casebook(filled, create=True) as source:
        bundle = export_client(source, "alex-rivera")
        entry = source.list_journal("alex-rivera")[0]
        source.edit_journal_entry("alex-rivera", entry.model_copy(update={"feeling": "edited"}))
        result = import_bundle(source, bundle)
        assert result.added["journal entry"] == 0
        kept = {e.id: e for e in source.list_journal("alex-rivera")}
    assert kept[entry.id].feeling == "edited"


def bundle_data(filled) -> dict:
    with open_casebook(filled, create=True) as source:
        return export_client(source, "alex-rivera").model_dump(mode="json")


def test_a_bundle_from_a_newer_version_is_refused(filled):
    data = bundle_data(filled)
    data["version"] = 99
    with pytest.raises(BundleError, match="newer") as excinfo:
        parse_bundle(data)
    assert "99" in str(excinfo.value)


@pytest.mark.parametrize("content", [
    "this is not json {", '{"hello": "world"}', "[1, 2, 3]", '"worksheets-client-bundle"',
    '{"format": "something-else", "version": 1}', "\udcff"],
    ids=["not-json", "other-json", "a-list", "a-string", "other-format", "not-utf8"])
def test_a_file_that_is_not_a_bundle_is_refused(tmp_path, content):
    path = tmp_path / "notes.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(BundleError, match="not a bundle") as excinfo:
        read_bundle(path)
    assert str(excinfo.value).startswith("notes.json: ")


def test_an_invalid_field_in_a_bundle_is_named_by_its_path_without_its_value(filled, tmp_path):
    data = bundle_data(filled)
    data["journal"][1]["intensity"] = 11
    data["journal"][2]["feeling"] = SECRET * 10
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BundleError) as excinfo:
        read_bundle(path)
    assert excinfo.value.lines() == [
        "bad.json: journal[1].intensity: must be between 0 and 10",
        "bad.json: journal[2].feeling: must be at most 60 characters"]
    assert SECRET not in str(excinfo.value)


def test_a_ladder_attempt_of_a_step_no_longer_on_the_ladder_is_imported_as_history(filled,
                                                                                  tmp_path):
    data = bundle_data(filled)
    gone = new_id()
    data["ladder_attempts"][0]["step_id"] = gone  # the step was taken off the ladder since
    bundle = parse_bundle(data)
    with open_casebook(tmp_path / "target.sqlite3", create=True) as target:
        import_bundle(target, bundle)
        attempts = target.list_ladder_attempts("alex-rivera")
    assert gone in {a.step_id for a in attempts}
    assert len(attempts) == len(data["ladder_attempts"])


def test_refused_bundles_change_nothing_in_the_target(filled, tmp_path, alex):
    good = bundle_data(filled)
    newer = {**good, "version": BUNDLE_VERSION + 1}
    invalid = {**good, "packets": [{**good["packets"][0], "pages": 0}]}
    target_path = tmp_path / "target.sqlite3"
    with open_casebook(target_path, create=True) as target:
        target.add_client(alex.model_copy(update={"id": "bea"}))
        fill(target, "bea")
        before = state(target), bundle_without_time(target, "bea")
        for name, data in (("newer", newer), ("invalid", invalid),
                           ("not-a-bundle", {"format": "nope"})):
            path = tmp_path / f"{name}.json"
            path.write_text(json.dumps(data), encoding="utf-8")
            with pytest.raises(BundleError):
                import_bundle(target, read_bundle(path))
        assert (state(target), bundle_without_time(target, "bea")) == before



# --- migrations ---------------------------------------------------------------------------------

def test_migrations_are_numbered_from_1_to_the_schema_version():
    assert sorted(schema_module.MIGRATIONS) == list(range(1, SCHEMA_VERSION + 1))
    assert SCHEMA_VERSION >= 1


def test_migrating_an_empty_database_reaches_the_schema_version():
    with contextlib.closing(rawdb.connect(":memory:", isolation_level=None)) as conn:
        assert schema_module.migrate(conn) == SCHEMA_VERSION
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == \
            schema_module.APPLICATION_ID
        tables = table_names(conn)
        assert {"clients", "documents", "journal_entries", "ladder_attempts",
                "listening_records", "packets", "audit"} <= set(tables)
        assert not conn.in_transaction
        # migrating again is a no-op
        assert schema_module.migrate(conn) == SCHEMA_VERSION
        assert table_names(conn) == tables


def test_a_casebook_written_by_this_version_opens_at_the_schema_version(tmp_path, alex):
    path = tmp_path / "v1.sqlite3"
    with open_casebook(path, create=True) as book:
        book.add_client(alex)
        fill(book, "alex-rivera")
        exported = bundle_without_time(book, "alex-rivera")
        audit = book.audit_all()
    schema_module.check_header(path)
    assert pragma(path, "user_version") == SCHEMA_VERSION
    with open_casebook(path) as book:
        assert bundle_without_time(book, "alex-rivera") == exported
        assert book.audit_all() == audit
        assert book.integrity_ok()
    assert pragma(path, "user_version") == SCHEMA_VERSION


# --- a busy casebook ----------------------------------------------------------------------------

def test_a_casebook_busy_in_another_program_is_named_in_the_error(cb_path, alex, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 0.2)
    with open_casebook(cb_path, create=True) as book, plain(cb_path) as other:
        other.isolation_level = None
        other.execute("BEGIN IMMEDIATE")  # another program is writing
        with pytest.raises(CasebookError, match="busy") as excinfo:
            book.add_client(alex)
        other.execute("ROLLBACK")
        assert book.list_clients() == []
    assert str(cb_path) in str(excinfo.value)
