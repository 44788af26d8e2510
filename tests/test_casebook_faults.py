"""The casebook when something is wrong: honest messages, and nothing saved is lost.

Covers a casebook moved, replaced or deleted under a running program, reading
commands that must never make a casebook, a read-only folder, a full disk, a
``-wal`` from another copy or a damaged one, damaged files and records,
backups that are checked, restoring, and the bounded wait for a busy casebook.
Every message is checked, and none may hold a client's text.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import rawdb

from conftest import run
from helpers import small_file_system
from worksheets_lib import load_client
from worksheets_lib.casebook import keys, open_casebook, restore_backup
from worksheets_lib.casebook import store as store_module
from worksheets_lib.casebook.keys import readable_header
from worksheets_lib.errors import CasebookError, OutputError
from worksheets_lib.models import JournalEntry

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "alex-rivera.yaml"
CLIENT = "alex-rivera"
SECRET = "PRIVATE-WORDS-7731"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def ids_in(path: Path) -> set[str]:
    with contextlib.closing(rawdb.connect(f"file:{path}?immutable=1", uri=True)) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM journal_entries")}


def crash_with_a_wal(path: Path, entries: int = 5, checkpoint_first: bool = False) -> list[str]:
    """Write entries in another process and kill it, leaving a -wal nobody folded back."""
    code = (
        "import os, sys, sqlite3\n"
        "from worksheets_lib.casebook import open_casebook\n"
        "from worksheets_lib.models import JournalEntry\n"
        "book = open_casebook(sys.argv[1])\n"
        "book._conn.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "if sys.argv[3] == '1':\n"
        "    book._conn.execute('PRAGMA wal_checkpoint(TRUNCATE)')\n"
        "for n in range(int(sys.argv[2])):\n"
        "    e = book.add_journal_entry('alex-rivera', JournalEntry(what_happened='y' * 2000))\n"
        "    print(e.id, flush=True)\n"
        "os.kill(os.getpid(), 9)\n")
    done = subprocess.run([sys.executable, "-c", code, str(path), str(entries),
                           "1" if checkpoint_first else "0"], capture_output=True, text=True)
    assert path.with_name(path.name + "-wal").stat().st_size > 0
    return done.stdout.split()


def files_beside(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir()) if p.is_file()}


def data_files(path: Path) -> dict[str, bytes]:
    """The casebook and its -wal: what holds records (the -shm is SQLite's index of the -wal,
    rebuilt from it by any reader)."""
    return {name: data for name, data in files_beside(path).items()
            if not name.endswith("-shm")}


# --- moved, replaced or deleted while open ------------------------------------------------------

@pytest.mark.parametrize("how", ["deleted", "moved", "replaced"])
def test_a_casebook_taken_away_under_an_open_program_refuses_the_save(cb, tmp_path, how):
    book = open_casebook(cb, role="client")
    first = book.add_journal_entry(CLIENT, JournalEntry(feeling="before"))
    copy = tmp_path / "copy.sqlite3"
    book.backup(copy)
    if how == "deleted":
        cb.unlink()
    elif how == "moved":
        cb.rename(tmp_path / "moved.sqlite3")
    else:
        shutil.copyfile(copy, tmp_path / "incoming")
        os.replace(tmp_path / "incoming", cb)
    with pytest.raises(CasebookError) as excinfo:
        book.add_journal_entry(CLIENT, JournalEntry(what_happened=SECRET))
    book.close()
    error = excinfo.value
    assert error.kind == "moved"
    assert str(error) == (f"casebook {cb}: was moved, replaced or deleted while it was open, "
                          "so this change was not saved; close this program and open the "
                          "casebook again")
    assert SECRET not in str(error)
    if how == "replaced":  # the file now at the path is the copy, untouched by the refused save
        assert ids_in(cb) == {first.id}


def test_the_journal_app_keeps_what_was_typed_when_its_casebook_is_deleted(cb, tmp_path):
    from worksheets_lib.widgets.journal import JournalApp

    app = JournalApp(CLIENT, cb)
    cb.unlink()
    for name in ("-wal", "-shm"):
        cb.with_name(cb.name + name).unlink(missing_ok=True)
    reply = app.handle({"type": "save", "id": 1, "entry": {"what_happened": SECRET}})
    assert reply["ok"] is False  # so the page keeps the words in the form
    message = reply["message"]
    assert "This was not saved" in message and "What you wrote is still here" in message
    assert SECRET not in message
    assert "Saved at" not in message
    app.casebook.close()
    # and no command quietly makes a new, empty casebook in its place
    assert not cb.exists()


# --- reading commands never make a casebook ------------------------------------------------------

READING_COMMANDS = [
    ["client", "list"], ["client", "show", CLIENT], ["client", "audit", CLIENT],
    ["client", "export", CLIENT, "--out", "{tmp}/b.json"],
    ["client", "delete", CLIENT, "--yes"], ["backup", "--out", "{tmp}/backup.sqlite3"],
    ["casebook", "backup", "--out", "{tmp}/backup.sqlite3"], ["casebook", "check"],
    ["render", "ladder", "--client-id", CLIENT, "--out", "{tmp}/x.pdf"],
    ["packet", "--client-id", CLIENT, "--out", "{tmp}/x.pdf"],
    ["journal", "--client-id", CLIENT],
]


@pytest.mark.parametrize("command", READING_COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_a_reading_command_on_a_mistyped_path_says_so_and_makes_nothing(tmp_path, capsys,
                                                                         command):
    typo = tmp_path / "casbook.sqlite3"
    args = [part.replace("{tmp}", str(tmp_path)) for part in command]
    code, out, err = run(capsys, *args, "--casebook", typo)
    assert code == 1 and out == ""
    assert err.startswith(f"error: casebook {typo}: there is no casebook here; check the "
                          "path (yours is usually ")
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_the_journal_app_on_a_missing_casebook_makes_none(tmp_path):
    from worksheets_lib.widgets.journal import JournalApp

    app = JournalApp(CLIENT, tmp_path / "none.sqlite3")
    assert app.client is None
    assert "could not be opened" in app.view.state["error"]
    assert not app.handle({"type": "save", "id": 1, "entry": {"what_happened": SECRET}})["ok"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("leftover", ["-wal", "-shm"])
def test_a_new_casebook_is_not_made_over_a_leftover_journal_file(tmp_path, capsys, leftover):
    path = tmp_path / "casebook.sqlite3"
    stray = path.with_name(path.name + leftover)
    stray.write_bytes(b"old journal data " * 100)
    code, out, err = run(capsys, "client", "add", "--from", EXAMPLE, "--casebook", path)
    assert (code, out) == (1, "")
    assert err.startswith(f"error: casebook {path}: not created: casebook.sqlite3{leftover} "
                          "from an earlier casebook is beside it and may hold saved entries")
    assert not path.exists()
    assert stray.read_bytes() == b"old journal data " * 100


# --- a read-only folder and a full disk --------------------------------------------------------

def as_unprivileged(*args: str) -> subprocess.CompletedProcess:
    """Run the command line as root without its power to ignore file permissions."""
    prefix = []
    if IS_ROOT:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.fail("setpriv (util-linux) is needed to drop root's file-permission override")
        caps = "-dac_override,-dac_read_search,-fowner"
        prefix = [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]
    return subprocess.run([*prefix, sys.executable, "-m", "worksheets_lib.cli", *args],
                          capture_output=True, text=True, timeout=60)


def test_a_read_only_folder_is_called_read_only_not_damaged(cb, tmp_path):
    before = files_beside(cb)
    os.chmod(cb, 0o400)
    os.chmod(tmp_path, 0o500)
    try:
        done = as_unprivileged("client", "add", "--update", "--from", str(EXAMPLE),
                               "--casebook", str(cb))
    finally:
        os.chmod(tmp_path, 0o700)
        os.chmod(cb, 0o600)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: casebook {cb}: cannot be written: the file or its "
                               "folder is read-only")
    assert "damaged" not in done.stderr and "Traceback" not in done.stderr
    assert files_beside(cb) == before


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB file system of its own, unmounted afterwards."""
    with small_file_system(tmp_path / "small", "1M") as folder:
        yield folder


def fill_up(folder: Path) -> None:
    with contextlib.suppress(OSError), open(folder / "filler", "wb") as handle:
        while True:
            handle.write(b"\0" * 65536)
            handle.flush()


def test_a_full_disk_is_called_full_and_every_saved_entry_stays(small_disk, capsys):
    path = small_disk / "casebook.sqlite3"
    with open_casebook(path, create=True) as book:
        book.add_client(load_client(EXAMPLE))
        saved = [book.add_journal_entry(CLIENT, JournalEntry(feeling="calm")).id
                 for _ in range(5)]
        fill_up(small_disk)
        with pytest.raises(CasebookError) as excinfo:
            for _ in range(200):  # pages left in the file may take a few entries first
                saved.append(book.add_journal_entry(
                    CLIENT, JournalEntry(what_happened=SECRET * 50)).id)
    error = excinfo.value
    assert error.kind == "disk-full"
    assert str(error) == (f"casebook {path}: the disk is full, so nothing could be saved or "
                          "opened just now; everything saved before is safe. Free some space "
                          "and try again")
    (small_disk / "filler").unlink()
    with open_casebook(path) as book:
        assert sorted(e.id for e in book.list_journal(CLIENT)) == sorted(saved)
        assert book.integrity_ok()
    # the command line says the same in one line
    fill_up(small_disk)
    code, out, err = run(capsys, "backup", "--out", small_disk / "backup.sqlite3",
                         "--casebook", path)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "disk is full" in err and "damaged" not in err
    assert not (small_disk / "backup.sqlite3").exists()
    assert [p.name for p in small_disk.iterdir() if p.name.startswith(".")] == []


def test_the_journal_app_says_the_disk_is_full_and_keeps_the_words(small_disk):
    from worksheets_lib.widgets.journal import JournalApp

    path = small_disk / "casebook.sqlite3"
    with open_casebook(path, create=True) as book:
        book.add_client(load_client(EXAMPLE))
    app = JournalApp(CLIENT, path)
    fill_up(small_disk)
    for number in range(200):
        reply = app.handle({"type": "save", "id": number, "entry": {"what_happened": SECRET * 40}})
        if not reply["ok"]:
            break
    assert "the computer's disk is full" in reply["message"]
    assert "What you wrote is still here" in reply["message"]
    assert SECRET not in reply["message"]
    app.casebook.close()


# --- a -wal from another copy, or a damaged one ------------------------------------------------

def test_a_backup_copied_over_a_crashed_casebook_is_not_called_damaged(cb, tmp_path, capsys):
    with open_casebook(cb) as book:
        for _ in range(40):
            book.add_journal_entry(CLIENT, JournalEntry(what_happened="x" * 2000))
        book.backup(tmp_path / "backup.sqlite3")
        for _ in range(60):
            book.add_journal_entry(CLIENT, JournalEntry(what_happened="z" * 2000))
    crash_with_a_wal(cb, entries=20, checkpoint_first=True)
    shutil.copyfile(tmp_path / "backup.sqlite3", cb)  # what the old README suggested
    before = data_files(cb)
    with pytest.raises(CasebookError) as excinfo:
        open_casebook(cb)
    assert excinfo.value.kind == "foreign-wal"
    assert str(excinfo.value).startswith(
        f"casebook {cb}: the file is whole, but casebook.sqlite3-wal beside it was left by "
        "another copy of the casebook")
    assert "worksheets casebook restore BACKUP" in str(excinfo.value)
    assert "damaged" not in str(excinfo.value)
    assert data_files(cb) == before  # nothing changed, nothing removed

    code, out, err = run(capsys, "casebook", "restore", tmp_path / "backup.sqlite3",
                         "--casebook", cb)
    assert (code, err) == (0, "")
    assert "the casebook as it was before is kept at" in out
    kept = sorted(p.name for p in tmp_path.iterdir() if ".unusable-" in p.name)
    assert [name.rsplit("-", 1)[-1] for name in kept if name.endswith(("wal", "shm"))]
    with open_casebook(cb) as book:
        assert len(book.list_journal(CLIENT)) == 40
        assert book.integrity_ok()


def test_a_damaged_wal_is_refused_and_kept_instead_of_dropping_entries(cb):
    acknowledged = crash_with_a_wal(cb, entries=8)
    wal = cb.with_name(cb.name + "-wal")
    data = bytearray(wal.read_bytes())
    page_size = int.from_bytes(data[8:12], "big")
    data[32 + 2 * (24 + page_size) + 24 + 50] ^= 0xFF  # inside the third frame's page
    wal.write_bytes(bytes(data))
    before = data_files(cb)
    with pytest.raises(CasebookError) as excinfo:
        open_casebook(cb)
    assert excinfo.value.kind == "damaged-wal"
    assert "casebook.sqlite3-wal holds" in str(excinfo.value)
    assert "saved changes that are damaged and cannot be read; nothing was changed" \
        in str(excinfo.value)
    assert data_files(cb) == before
    assert len(acknowledged) == 8


def test_a_cold_wal_from_a_crash_is_folded_in_with_every_entry(cb):
    acknowledged = crash_with_a_wal(cb, entries=6)
    with open_casebook(cb) as book:
        assert set(acknowledged) <= {e.id for e in book.list_journal(CLIENT)}


# --- damage, checks and backups -----------------------------------------------------------------

def break_an_index(path: Path) -> None:
    """Damage quick_check does not see, but integrity_check does: an index out of step.

    The index's definition is swapped for a moment so that an update skips it,
    then put back as it was: the schema is ours, the index is stale.
    """
    real = "CREATE INDEX journal_by_time ON journal_entries (client_key, at)"
    fake = "CREATE INDEX journal_by_time ON journal_entries (client_key, body)"
    for sql, update in ((fake, False), (None, True), (real, False)):
        with contextlib.closing(rawdb.connect(path)) as conn:
            if update:
                conn.execute("UPDATE journal_entries SET at = '1999-01-01T00:00:00+00:00'")
            else:
                conn.execute("PRAGMA writable_schema = ON")
                conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'journal_by_time'",
                             (sql,))
            conn.commit()


def test_backup_refuses_a_damaged_casebook_and_keeps_the_earlier_backup(cb, tmp_path, capsys):
    with open_casebook(cb) as book:
        for _ in range(20):
            book.add_journal_entry(CLIENT, JournalEntry(feeling="calm"))
    out = tmp_path / "backup.sqlite3"
    code, _, err = run(capsys, "backup", "--out", out, "--casebook", cb)
    assert (code, err) == (0, "")
    earlier = out.read_bytes()
    break_an_index(cb)
    code, stdout, err = run(capsys, "backup", "--out", out, "--casebook", cb)
    assert (code, stdout) == (1, "")
    assert err.startswith(f"error: casebook {cb}: is damaged (SQLite's integrity check failed "
                          "on a fresh copy; no backup was written")
    assert out.read_bytes() == earlier
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    code, stdout, err = run(capsys, "casebook", "check", "--casebook", cb)
    assert code == 1
    assert "SQLite:" in err and "worksheets casebook restore BACKUP" in err


def test_a_backup_is_one_checked_file_with_no_journal_beside_it(cb, tmp_path, capsys,
                                                                 casebook_mode):
    out = tmp_path / "backups" / "b.sqlite3"
    with open_casebook(cb) as book:  # while it is open and written to
        book.add_journal_entry(CLIENT, JournalEntry(feeling="calm"))
        code, stdout, err = run(capsys, "backup", "--out", out, "--casebook", cb)
    assert (code, err) == (0, "")
    how = "; encrypted with the casebook's key" if casebook_mode == "encrypted" else ""
    assert stdout == f"backed up {cb} to {out} (checked: whole{how})\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["b.sqlite3"]
    header = out.read_bytes()[:100]
    if casebook_mode == "encrypted":
        header = readable_header(out.read_bytes()[:4096], keys.from_environment())
    assert header[18:20] == b"\x01\x01"  # rollback journal: one file on its own
    assert os.stat(out).st_mode & 0o777 == 0o600


def test_backup_refuses_to_write_over_the_casebook_itself(cb, capsys):
    before = files_beside(cb)
    for target in (cb, cb.with_name(cb.name + "-wal")):
        code, out, err = run(capsys, "backup", "--out", target, "--casebook", cb)
        assert (code, out) == (1, "")
        assert err == (f"error: cannot write {target}: that is the casebook itself (or one of "
                       "its files); choose another file name\n")
    assert files_beside(cb) == before


def test_check_reads_every_record_back_and_names_an_unreadable_one(cb, capsys):
    with open_casebook(cb) as book:
        entry = book.add_journal_entry(CLIENT, JournalEntry(feeling="calm"))
    code, out, err = run(capsys, "casebook", "check", "--casebook", cb)
    assert (code, err) == (0, "")
    assert out.startswith(f"{cb}: whole; every record reads back (1 client profile(s), "
                          "1 journal entry(s)")
    with contextlib.closing(rawdb.connect(cb)) as conn:
        conn.execute("UPDATE journal_entries SET body = ? WHERE id = ?",
                     (f'{{"feeling": "{SECRET}", "intensity": 99}}', entry.id))
        conn.commit()
    code, out, err = run(capsys, "casebook", "check", "--casebook", cb)
    assert code == 1
    assert f"the stored journal entry {entry.id} cannot be read" in err
    assert SECRET not in out + err


@pytest.mark.parametrize("body", [f'{{"feeling": "{SECRET}", "intensity": 99}}',
                                  f"not json at all {SECRET}", '{"feeling": ' * 5000])
@pytest.mark.parametrize("command", [["client", "show", CLIENT],
                                     ["client", "export", CLIENT, "--out", "{tmp}/b.json"],
                                     ["render", "journal", "--client-id", CLIENT, "--out",
                                      "{tmp}/j.pdf"]])
def test_a_stored_record_that_no_longer_reads_is_one_line_naming_it(cb, tmp_path, capsys, body,
                                                                    command):
    with open_casebook(cb) as book:
        entry = book.add_journal_entry(CLIENT, JournalEntry(feeling="calm"))
    with contextlib.closing(rawdb.connect(cb)) as conn:
        conn.execute("UPDATE journal_entries SET body = ? WHERE id = ?", (body, entry.id))
        conn.commit()
    args = [part.replace("{tmp}", str(tmp_path)) for part in command]
    code, out, err = run(capsys, *args, "--casebook", cb)
    if command[0] == "render":  # a worksheet from the profile alone reads no entries
        assert (code, err) == (0, "")
        return
    assert code == 1
    assert err == (f"error: casebook {cb}: the stored journal entry {entry.id} cannot be read "
                   "(it was changed outside worksheets, or is damaged); nothing was changed. "
                   "Run: worksheets casebook check\n")
    assert SECRET not in out + err


def test_restore_keeps_the_current_casebook_and_reaches_an_open_program(cb, tmp_path, capsys):
    with open_casebook(cb) as book:
        book.add_journal_entry(CLIENT, JournalEntry(feeling="in the backup"))
        book.backup(tmp_path / "backup.sqlite3")
    running = open_casebook(cb, role="client")  # the journal app, say
    later = running.add_journal_entry(CLIENT, JournalEntry(feeling="after the backup"))
    code, out, err = run(capsys, "casebook", "restore", tmp_path / "backup.sqlite3",
                         "--casebook", cb)
    assert (code, err) == (0, "")
    kept = Path(out.splitlines()[1].split(" kept at ")[1])
    assert kept.name.startswith("casebook.sqlite3.before-restore-")
    assert later.id in ids_in(kept)  # nothing is lost: the newer entry is kept aside
    assert [e.feeling for e in running.list_journal(CLIENT)] == ["in the backup"]
    running.add_journal_entry(CLIENT, JournalEntry(feeling="after the restore"))
    running.close()
    with open_casebook(cb) as book:
        assert sorted(e.feeling for e in book.list_journal(CLIENT)) == ["after the restore",
                                                                       "in the backup"]
        restored = [line for line in book.audit_all() if line.action == "restore"]
        assert [line.kind for line in restored] == ["whole casebook"]


def test_restore_refuses_a_damaged_backup_and_changes_nothing(cb, tmp_path):
    backup = tmp_path / "backup.sqlite3"
    with open_casebook(cb) as book:
        book.backup(backup)
    data = bytearray(backup.read_bytes())
    page_size = (int.from_bytes(data[16:18], "big") if data.startswith(b"SQLite format 3")
                 else 4096)  # an encrypted backup's header is encrypted too
    data[page_size:2 * page_size] = b"\xde\xad\xbe\xef" * (page_size // 4)
    backup.write_bytes(bytes(data))
    before = files_beside(cb)
    with pytest.raises(CasebookError) as excinfo:
        restore_backup(backup, cb)
    assert excinfo.value.kind == "damaged" and str(backup) in str(excinfo.value)
    assert files_beside(cb) == before


# --- waiting for a busy casebook ---------------------------------------------------------------

def test_a_long_wait_is_announced_and_then_the_save_goes_through(cb):
    holder = rawdb.connect(cb, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another program writing for a while
    waits: list[float] = []
    threading.Timer(1.6, lambda: holder.execute("ROLLBACK")).start()
    with open_casebook(cb, role="client") as book:
        book.on_busy = waits.append
        started = time.monotonic()
        entry = book.add_journal_entry(CLIENT, JournalEntry(feeling="patient"))
        took = time.monotonic() - started
        assert entry.id in {e.id for e in book.list_journal(CLIENT)}
    holder.close()
    assert waits and min(waits) > 1.0
    assert 1.5 < took < 5


def test_a_wait_is_bounded_and_ends_in_a_busy_message(cb, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 0.5)
    holder = rawdb.connect(cb, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with open_casebook(cb) as book:
            started = time.monotonic()
            with pytest.raises(CasebookError) as excinfo:
                book.add_journal_entry(CLIENT, JournalEntry(feeling="x"))
            assert time.monotonic() - started < 2
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert excinfo.value.kind == "busy"
    assert str(excinfo.value) == f"casebook {cb}: is busy in another program; try again in " \
                                 "a moment"


# --- temporary files and folders ---------------------------------------------------------------

def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_killed_writers_hidden_packet_file_is_removed_by_the_next_write(tmp_path, demo_client):
    from worksheets_lib import render_worksheet

    stale = tmp_path / f".packet.pdf.{dead_pid()}.0123456789ab.tmp"
    stale.write_bytes(b"%PDF- the whole packet, with the client's words")
    not_ours = tmp_path / ".notes.txt.tmp"
    not_ours.write_text("keep")
    alive = tmp_path / f".other.pdf.{os.getpid()}.0123456789ab.tmp"
    alive.write_bytes(b"being written now")
    render_worksheet("ladder", demo_client, tmp_path / "ladder.pdf")
    assert not stale.exists()
    assert not_ours.exists() and alive.exists()


def test_a_sigkilled_packet_leaves_nothing_after_the_next_write(tmp_path, demo_client):
    code = ("import os, sys\n"
            "import worksheets_lib.files as files\n"
            "real = os.replace\n"
            "def stop(*a):\n"
            "    os.kill(os.getpid(), 9)\n"
            "files.os.replace = stop\n"
            "from worksheets_lib.cli import main\n"
            "main(['packet', '--client', sys.argv[1], '--out', sys.argv[2]])\n")
    done = subprocess.run([sys.executable, "-c", code, str(EXAMPLE), str(tmp_path / "p.pdf")],
                          capture_output=True)
    assert done.returncode == -signal.SIGKILL
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # left by the kill
    from worksheets_lib import render_worksheet

    render_worksheet("ladder", demo_client, tmp_path / "ladder.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ladder.pdf"]


def test_the_folder_is_synced_after_the_rename(tmp_path, monkeypatch):
    from worksheets_lib import files

    events = []
    real_replace = os.replace
    monkeypatch.setattr(files.os, "replace", lambda a, b: (events.append("replace"),
                                                           real_replace(a, b)))
    monkeypatch.setattr(files, "fsync_folder", lambda folder: events.append(("sync", folder)))
    files.write_atomically(tmp_path / "x.pdf", b"data")
    assert events == ["replace", ("sync", tmp_path)]


def test_write_errors_are_named_plainly(tmp_path):
    from worksheets_lib import files

    with pytest.raises(OutputError) as excinfo:
        files.write_atomically(tmp_path / ("a" * 300 + ".pdf"), b"x")
    assert excinfo.value.reason == "the file name is too long; choose a shorter one"


def test_the_journal_app_says_it_is_trying_again_then_saves(cb):
    from worksheets_lib.widgets.journal import JournalApp

    app = JournalApp(CLIENT, cb)
    sent: list[dict] = []
    app.view.send = sent.append  # what the page would be told while it waits
    holder = rawdb.connect(cb, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(1.5, lambda: holder.execute("ROLLBACK")).start()
    reply = app.handle({"type": "save", "id": 5, "entry": {"what_happened": "a long day"}})
    holder.close()
    assert {"type": "progress", "id": 5,
            "message": "The journal is busy for a moment; trying again…"} in sent
    assert reply["ok"] and "Saved at" in reply["message"]
    assert app.casebook.on_busy is None
    app.casebook.close()


# --- a casebook that is not quite ours ------------------------------------------------------------

@pytest.mark.parametrize(("planted", "what"), [
    ("CREATE TRIGGER keep AFTER DELETE ON journal_entries BEGIN "
     "INSERT INTO kept VALUES (old.body); END", "trigger"),
    ("CREATE VIEW everything AS SELECT body FROM journal_entries", "view"),
    ("CREATE INDEX extra ON journal_entries (body)", "index"),
])
def test_a_casebook_with_planted_objects_is_refused_untouched(cb, planted, what):
    with contextlib.closing(rawdb.connect(cb)) as conn:
        conn.execute("CREATE TABLE kept (body TEXT)")
        conn.execute(planted)
        conn.commit()
    before = files_beside(cb)
    with pytest.raises(CasebookError) as excinfo:
        open_casebook(cb)
    assert excinfo.value.kind == "foreign-schema"
    assert "holds database objects worksheets did not make (" in str(excinfo.value)
    assert what in str(excinfo.value) and "table" in str(excinfo.value)
    assert files_beside(cb) == before


def test_a_symlinked_casebook_path_is_refused(cb, tmp_path, capsys):
    link = tmp_path / "link.sqlite3"
    link.symlink_to(cb)
    dangling = tmp_path / "dangling.sqlite3"
    dangling.symlink_to(tmp_path / "elsewhere" / "made.sqlite3")
    for path, command in ((link, ["client", "list"]),
                          (dangling, ["client", "add", "--from", EXAMPLE])):
        code, out, err = run(capsys, *command, "--casebook", path)
        assert (code, out) == (1, "")
        assert err.startswith(f"error: casebook {path}: is a symbolic link; give the "
                              "casebook's real path")
    assert not (tmp_path / "elsewhere").exists()


def test_deleting_a_client_scrubs_their_text_while_the_app_is_open(cb, capsys):
    app = open_casebook(cb, role="client")  # the journal app, idle
    app.add_journal_entry(CLIENT, JournalEntry(what_happened=SECRET * 20))
    with open_casebook(cb) as other:
        other.add_journal_entry(CLIENT, JournalEntry(feeling=SECRET))
    code, out, err = run(capsys, "client", "delete", CLIENT, "--yes", "--casebook", cb)
    assert (code, err) == (0, "")
    for name, data in files_beside(cb).items():
        assert SECRET.encode() not in data, f"the deleted text is still in {name}"
    assert app.list_clients() == []
    app.close()
