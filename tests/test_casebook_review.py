"""Cases an adversarial review found, each kept as a test.

A plain ``open()`` of the casebook dropping this process's own SQLite locks; a
``-wal`` damaged in its header, a salt or a page number; a casebook moved or
replaced under a running program and then opened; a backup copied over a
crashed casebook whose mix passes the quick check; restoring over index damage
and over things that are not casebooks; and inputs that used to end in "something
unexpected went wrong".
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rawdb
from test_casebook_faults import (
    CLIENT,
    EXAMPLE,
    SECRET,
    as_unprivileged,
    crash_with_a_wal,
    data_files,
    files_beside,
)

from conftest import run
from worksheets_lib import load_client
from worksheets_lib.casebook import export_client, open_casebook, restore_backup
from worksheets_lib.errors import CasebookError
from worksheets_lib.models import JournalEntry


def my_locks_on(path: Path) -> int:
    info = path.stat()
    wanted = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    with open("/proc/locks", encoding="ascii") as handle:
        return sum(1 for line in handle
                   if f" {os.getpid()} " in line and wanted in line and "->" not in line)


def test_opening_again_in_the_same_process_keeps_the_first_connections_locks(cb):
    first = open_casebook(cb, role="client")
    first.list_clients()
    held = my_locks_on(cb)
    assert held >= 1
    for _ in range(3):
        open_casebook(cb).close()  # reads the header, checks, opens, closes
    assert my_locks_on(cb) == held
    first.close()


# --- a damaged -wal, in every place a frame can be damaged ---------------------------------------

def flip(path: Path, offset: int, value: bytes | None = None) -> None:
    data = bytearray(path.read_bytes())
    if value is None:
        data[offset] ^= 0xFF
    else:
        data[offset:offset + len(value)] = value
    path.write_bytes(bytes(data))


FRAME = 24 + 4096
DAMAGE = {
    "header-salt": (16, None),
    "header-magic": (0, b"\x00\x00\x00\x00"),
    "header-page-size": (8, b"\x00\x00\x02\x00"),
    "middle-frame-salt": (32 + 4 * FRAME + 8, None),
    "middle-frame-page-zero": (32 + 4 * FRAME, b"\x00\x00\x00\x00"),
}


@pytest.mark.parametrize("where", DAMAGE)
def test_a_damaged_wal_anywhere_is_refused_and_kept(cb, capsys, where):
    acknowledged = crash_with_a_wal(cb, entries=10)
    assert len(acknowledged) == 10
    offset, value = DAMAGE[where]
    flip(cb.with_name(cb.name + "-wal"), offset, value)
    before = data_files(cb)
    code, out, err = run(capsys, "client", "list", "--casebook", cb)
    assert (code, out) == (1, "")
    assert "casebook.sqlite3-wal holds" in err and "damaged and cannot be read" in err
    assert data_files(cb) == before


def test_a_crash_wal_already_folded_in_is_not_called_damaged(cb):
    with open_casebook(cb) as book:  # folded into the file on close
        book.add_journal_entry(CLIENT, JournalEntry(feeling="calm"))
    ids = crash_with_a_wal(cb, entries=3)
    with open_casebook(cb) as book:
        assert set(ids) <= {e.id for e in book.list_journal(CLIENT)}


# --- a casebook moved or replaced under a running program ---------------------------------------

MOVER = """
import sys, time
from worksheets_lib.casebook import open_casebook
from worksheets_lib.models import JournalEntry
book = open_casebook(sys.argv[1], role="client")
for _ in range(30):
    book.add_journal_entry("alex-rivera", JournalEntry(feeling="mine"))
print("ready", flush=True)
time.sleep(60)
"""


def test_a_casebook_replaced_under_a_running_program_is_not_mixed_with_its_wal(cb, tmp_path,
                                                                               capsys):
    other = tmp_path / "other" / "casebook.sqlite3"
    with open_casebook(other, create=True) as book:
        book.add_client(load_client(EXAMPLE))
        for _ in range(40):
            book.add_journal_entry(CLIENT, JournalEntry(feeling="theirs"))
    running = subprocess.Popen([sys.executable, "-c", MOVER, str(cb)], stdout=subprocess.PIPE,
                               text=True)
    try:
        assert running.stdout.readline().strip() == "ready"
        incoming = other.read_bytes()
        os.replace(other, cb)  # mv other casebook.sqlite3 while the program runs
        for command in (["client", "list"], ["client", "show", CLIENT],
                        ["backup", "--out", tmp_path / "b.sqlite3"]):
            code, out, err = run(capsys, *command, "--casebook", cb)
            assert (code, out) == (1, "")
            assert "was moved or replaced while another program had the casebook open" in err
        assert cb.read_bytes() == incoming  # the file moved in is untouched
    finally:
        running.kill()
        running.communicate()
    # Once that program is gone, its -wal is left beside a file it does not belong to:
    # still refused, and the file moved in is still untouched.
    with pytest.raises(CasebookError) as excinfo:
        open_casebook(cb)
    assert excinfo.value.kind == "foreign-wal"
    assert cb.read_bytes() == incoming


def test_a_backup_copied_over_a_crashed_profile_edit_is_not_merged_silently(cb, tmp_path,
                                                                            capsys):
    backup = tmp_path / "backup.sqlite3"
    with open_casebook(cb) as book:
        book.backup(backup)
        bob = load_client(EXAMPLE).model_copy(update={"id": "bob-jones", "name": "Bob"})
        book.add_client(bob)
    code = ("import os, sys\n"
            "from worksheets_lib.casebook import open_casebook\n"
            "book = open_casebook(sys.argv[1])\n"
            "book._conn.execute('PRAGMA wal_autocheckpoint = 0')\n"
            "p = book.get_client('bob-jones')\n"
            "book.update_client(p.model_copy(update={'name': 'Bob J'}))\n"
            "os.kill(os.getpid(), 9)\n")
    subprocess.run([sys.executable, "-c", code, str(cb)], check=False)
    shutil.copyfile(backup, cb)
    code, out, err = run(capsys, "client", "list", "--casebook", cb)
    assert (code, out) == (1, "")
    assert "was left by another copy of the casebook" in err


# --- restore -------------------------------------------------------------------------------------

def test_restore_over_a_casebook_with_index_damage_moves_it_aside(cb, tmp_path, capsys):
    from test_casebook_faults import break_an_index

    backup = tmp_path / "backup.sqlite3"
    with open_casebook(cb) as book:
        for _ in range(10):
            book.add_journal_entry(CLIENT, JournalEntry(feeling="calm"))
        book.backup(backup)
    break_an_index(cb)
    damaged = cb.read_bytes()
    code, out, err = run(capsys, "casebook", "restore", backup, "--casebook", cb)
    assert (code, err) == (0, "")
    kept = [Path(line.split(" kept at ")[1]) for line in out.splitlines() if " kept at " in line]
    assert any(p.read_bytes() == damaged for p in kept)
    with open_casebook(cb) as book:
        assert book.integrity_ok() and len(book.list_journal(CLIENT)) == 10


@pytest.mark.parametrize("target", ["fifo", "text", "dangling-link", "device"])
def test_restore_never_moves_aside_what_is_not_a_casebook(cb, tmp_path, target):
    backup = tmp_path / "backup.sqlite3"
    with open_casebook(cb) as book:
        book.backup(backup)
    place = tmp_path / "place"
    place.mkdir()
    path = place / "target"
    if target == "fifo":
        os.mkfifo(path)
    elif target == "text":
        path.write_text("my letter")
    elif target == "dangling-link":
        path.symlink_to(place / "nowhere")
    else:
        if os.geteuid() != 0:
            pytest.fail("making a device node of our own needs root, as CI is")
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    before = {p.name: stat.S_IFMT(p.lstat().st_mode) for p in place.iterdir()}
    with pytest.raises(CasebookError):
        restore_backup(backup, path)
    assert {p.name: stat.S_IFMT(p.lstat().st_mode) for p in place.iterdir()} == before
    if target == "text":
        assert path.read_text() == "my letter"


# --- inputs that used to be "something unexpected" ----------------------------------------------

def test_a_bundle_version_of_5000_digits_is_refused_plainly(cb, tmp_path, capsys):
    with open_casebook(cb) as book:
        data = export_client(book, CLIENT).model_dump(mode="json")
    text = json.dumps(data).replace('"version": 2', '"version": ' + "9" * 5000, 1)
    bundle = tmp_path / "b.json"
    bundle.write_text(text)
    code, out, err = run(capsys, "client", "import", bundle, "--casebook", cb)
    assert (code, out) == (1, "")
    assert err.startswith("error: b.json: version: must be a whole number")


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["journal"].append({**d["journal"][0], "id": "f" * 32,
                                    "at": "9999-12-31T23:59:59-23:00"}),
     r"journal\[1\]\.at: must be a real time between the years 1900 and 2999"),
    (lambda d: d.update(exported_at="2026-11-22T10:00:00"),
     "exported_at: "),
    (lambda d: d["audit"].append({"at": "2026-11-22T10:00:00Z", "role": "therapist",
                                  "action": "delete", "kind": "client"}),
     r"audit\[\d+\]\.action: must be one of"),
    (lambda d: d["audit"].append({"at": "2026-11-22T10:00:00Z", "role": "therapist",
                                  "action": "create", "kind": f"\x1b[31m{SECRET}"}),
     r"audit\[\d+\]\.kind: must be one of"),
])
def test_a_bundle_with_odd_times_or_audit_lines_is_refused_by_field(cb, tmp_path, capsys,
                                                                    change, message):
    with open_casebook(cb) as book:
        book.add_journal_entry(CLIENT, JournalEntry(feeling="calm"))
        data = export_client(book, CLIENT).model_dump(mode="json")
    change(data)
    bundle = tmp_path / "b.json"
    bundle.write_text(json.dumps(data))
    before = files_beside(cb)
    code, out, err = run(capsys, "client", "import", bundle, "--casebook", cb)
    assert (code, out) == (1, "")
    assert re.search(message, err), err
    assert SECRET not in err and "\x1b" not in err
    assert files_beside(cb) == before


def test_an_import_adding_only_audit_lines_says_so(cb, tmp_path, capsys):
    with open_casebook(cb) as book:
        data = export_client(book, CLIENT).model_dump(mode="json")
    data["audit"].append({"at": "2026-01-02T10:00:00Z", "role": "client", "action": "create",
                          "kind": "journal entry"})
    bundle = tmp_path / "b.json"
    bundle.write_text(json.dumps(data))
    code, out, err = run(capsys, "client", "import", bundle, "--casebook", cb)
    assert (code, err) == (0, "")
    assert out == "alex-rivera: added 1 audit line(s)\n"


@pytest.mark.parametrize(("casebook", "message"), [
    ("~no-such-user-here/casebook.sqlite3", "is not a user on this computer"),
    ("{tmp}/" + "c" * 300 + ".sqlite3", "the file name is too long"),
])
def test_odd_casebook_paths_are_one_line(tmp_path, capsys, casebook, message):
    code, out, err = run(capsys, "client", "list", "--casebook",
                         casebook.replace("{tmp}", str(tmp_path)))
    assert (code, out) == (1, "")
    assert message in err and err.count("\n") == 1


def test_a_fifo_as_casebook_or_client_file_does_not_hang(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    started = time.monotonic()
    for args in (["client", "list", "--casebook", str(fifo)],
                 ["render", "ladder", "--client", str(fifo)],
                 ["client", "import", str(fifo), "--casebook", str(tmp_path / "c.sqlite3")]):
        done = subprocess.run([sys.executable, "-m", "worksheets_lib.cli", *args],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 1
        assert "not a regular file" in done.stderr and done.stderr.count("\n") == 1
    assert time.monotonic() - started < 30


def test_an_unreadable_casebook_or_folder_is_named_as_such(cb, tmp_path):
    os.chmod(cb, 0)
    try:
        done = as_unprivileged("client", "list", "--casebook", str(cb))
    finally:
        os.chmod(cb, 0o600)
    assert done.returncode == 1
    assert "cannot be opened: permission denied" in done.stderr
    os.chmod(tmp_path, 0o600)  # no x: the folder may not be entered
    try:
        done = as_unprivileged("client", "list", "--casebook", str(cb))
    finally:
        os.chmod(tmp_path, 0o700)
    assert done.returncode == 1
    assert "cannot be opened: permission denied" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_killed_backups_journal_file_is_cleaned_too(cb, tmp_path):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    stale = tmp_path / f".b.sqlite3.{child.pid}.0123456789ab.tmp-journal"
    stale.write_bytes(b"journal")
    with open_casebook(cb) as book:
        book.backup(tmp_path / "b.sqlite3")
    assert not stale.exists()
    with contextlib.closing(rawdb.connect(tmp_path / "b.sqlite3")) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# --- documented limits ----------------------------------------------------------------------------

def test_a_bundle_over_the_entry_limit_is_one_line_and_stores_nothing(cb, tmp_path, capsys):
    from worksheets_lib.casebook.bundle import MAX_JOURNAL_ENTRIES

    with open_casebook(cb) as book:
        data = export_client(book, CLIENT).model_dump(mode="json")
    data["client"]["id"] = "new-client"
    data["journal"] = [{"id": f"{n:032x}", "at": "2026-11-01T10:00:00Z", "feeling": "calm"}
                       for n in range(MAX_JOURNAL_ENTRIES + 1)]
    bundle = tmp_path / "big.json"
    bundle.write_text(json.dumps(data))
    before = files_beside(cb)
    code, out, err = run(capsys, "client", "import", bundle, "--casebook", cb)
    assert (code, out) == (1, "")
    assert err == f"error: big.json: journal: can have at most {MAX_JOURNAL_ENTRIES} items\n"
    assert files_beside(cb) == before


def test_a_client_file_over_the_size_limit_is_one_line(tmp_path, capsys):
    from worksheets_lib.clientfile import MAX_FILE_BYTES

    big = tmp_path / "big.yaml"
    big.write_text(EXAMPLE.read_text() + "# " + "x" * MAX_FILE_BYTES + "\n")
    code, out, err = run(capsys, "render", "ladder", "--client", big)
    assert (code, out) == (1, "")
    assert err == "error: big.yaml: the file is too large to be a client file\n"


def test_a_hard_linked_casebook_is_refused(cb, tmp_path, capsys):
    os.link(cb, tmp_path / "second-name.sqlite3")
    for path in (cb, tmp_path / "second-name.sqlite3"):
        code, out, err = run(capsys, "client", "list", "--casebook", path)
        assert (code, out) == (1, "")
        assert "has another name (a hard link made with ln)" in err


def test_two_restores_in_one_second_keep_both_copies(cb, tmp_path):
    backup = tmp_path / "backup.sqlite3"
    with open_casebook(cb) as book:
        book.backup(backup)
        book.add_journal_entry(CLIENT, JournalEntry(feeling="after the backup"))
    first = restore_backup(backup, cb)
    second = restore_backup(backup, cb)
    assert first.kept[0] != second.kept[0]
    from test_casebook_faults import ids_in

    assert len(ids_in(first.kept[0])) == 1  # the entry written after the backup is kept


def test_a_stray_file_as_wal_is_not_called_damage(cb):
    cb.with_name(cb.name + "-wal").write_bytes(b"%PDF-1.7\n" + os.urandom(20000))
    with open_casebook(cb) as book:
        assert [c.id for c in book.list_clients()] == [CLIENT]


def test_one_damaged_change_is_said_in_good_grammar(cb):
    from worksheets_lib.casebook.diagnosis import damaged_wal

    assert "holds 1 saved change that is damaged" in str(damaged_wal(cb, 1))
    assert "holds 2 saved changes that are damaged" in str(damaged_wal(cb, 2))


def test_a_transaction_torn_by_a_kill_is_not_called_damage(cb):
    """A killed writer may leave a commit frame's header without its page: never committed."""
    ids = crash_with_a_wal(cb, entries=4)
    wal_file = cb.with_name(cb.name + "-wal")
    data = bytearray(wal_file.read_bytes())
    page_size = int.from_bytes(data[8:12], "big")
    frame = 24 + page_size
    last = 32 + ((len(data) - 32) // frame - 1) * frame
    torn = bytearray(data[last:last + frame])
    torn[24:] = bytes(page_size)  # the page never reached the file
    data[len(data) - (len(data) - 32) % frame:] = b""
    wal_file.write_bytes(bytes(data) + bytes(torn))
    with open_casebook(cb) as book:
        assert set(ids) <= {e.id for e in book.list_journal(CLIENT)}
        assert book.integrity_ok()
