"""Opening a casebook: making a new one, where it lives, its permissions, the files it
refuses (left byte-for-byte as they were), its migrations, and a busy casebook.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
import rawdb
from casebook_common import EXAMPLE, bundle_without_time, fill, mode_of, plain, pragma, table_names

from worksheets_lib import load_client
from worksheets_lib.casebook import (
    ENV_VAR,
    SCHEMA_VERSION,
    open_casebook,
    resolve_path,
)
from worksheets_lib.casebook import schema as schema_module
from worksheets_lib.casebook import store as store_module
from worksheets_lib.casebook.location import default_path
from worksheets_lib.errors import CasebookError
from worksheets_lib.models import (
    JournalEntry,
)

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
