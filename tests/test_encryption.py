"""Encrypted casebooks, backups and bundles, tried from outside.

The rest of the casebook suite also runs with encrypted casebooks (see
``CASEBOOK_SUITE`` in conftest.py); these tests are about the keys: where
they come from, what a wrong or missing one says, converting a casebook, and
that no client text is readable in any file an encrypted casebook writes.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest
from jaraco.classes.properties import classproperty
from keyring.backend import KeyringBackend

from conftest import TEST_KEY, run
from helpers import small_file_system
from worksheets_lib import demo_client_path, load_client
from worksheets_lib.casebook import driver, keys, open_casebook
from worksheets_lib.casebook.keys import readable_header
from worksheets_lib.errors import CasebookError
from worksheets_lib.models import JournalEntry

CLIENT = "alex-rivera"
SECRET = "Maya came home late and I felt left out"
PASSPHRASE = "correct horse battery"
WORKSHEETS = Path(sys.executable).with_name("worksheets")


class MemoryKeyring(KeyringBackend):
    """A keyring in memory, as the operating system's would be (only where a test sets it)."""

    @classproperty
    def priority(cls):  # never chosen by keyring's own search
        raise RuntimeError("a test keyring")

    def __init__(self):
        super().__init__()
        self.saved: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.saved.get((service, username))

    def set_password(self, service, username, password):
        self.saved[(service, username)] = password

    def delete_password(self, service, username):
        self.saved.pop((service, username), None)


@pytest.fixture
def ring():
    before = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(before)


@pytest.fixture
def passphrase(monkeypatch):
    monkeypatch.setenv(keys.ENV_PASSPHRASE, PASSPHRASE)
    return PASSPHRASE


@pytest.fixture
def plain_book(tmp_path) -> Path:
    path = tmp_path / "casebook.sqlite3"
    with open_casebook(path, create=True) as book:
        book.add_client(load_client(demo_client_path()))
        book.add_journal_entry(CLIENT, JournalEntry(what_happened=SECRET, feeling="lonely"))
    return path


def everything_beside(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.iterdir() if p.is_file())


def stored_text(path: Path) -> list[str]:
    with open_casebook(path) as book:
        return [e.what_happened for e in book.list_journal(CLIENT)]


# --- converting ---------------------------------------------------------------------------------

def test_encrypt_keeps_every_record_and_leaves_no_readable_text(plain_book, passphrase, capsys):
    assert SECRET.encode() in plain_book.read_bytes()
    code, out, err = run(capsys, "casebook", "encrypt", "--casebook", plain_book)
    assert (code, err) == (0, "")
    assert out.startswith(f"encrypted {plain_book} (key: passphrase)\n")
    assert "make a new backup, then delete the old plain ones" in out
    assert not plain_book.read_bytes().startswith(b"SQLite format 3")
    assert os.stat(plain_book).st_mode & 0o777 == 0o600
    assert stored_text(plain_book) == [SECRET]
    with open_casebook(plain_book) as book:  # while it is open: the -wal too
        book.add_journal_entry(CLIENT, JournalEntry(what_happened=SECRET + " again"))
        for name in ("Alex", SECRET):
            assert name.encode() not in everything_beside(plain_book)
    assert not list(plain_book.parent.glob(".*tmp")) and not list(plain_book.parent.glob(".*new"))


def test_an_encrypted_casebook_opens_in_other_sqlcipher_tools_with_the_passphrase(
        plain_book, passphrase, capsys):
    assert run(capsys, "casebook", "encrypt", "--casebook", plain_book)[0] == 0
    conn = driver.connect(plain_book)
    try:
        conn.execute(f"PRAGMA key = '{PASSPHRASE}'")  # SQLCipher's own key derivation
        assert conn.execute("SELECT id FROM clients").fetchall() == [(CLIENT,)]
    finally:
        conn.close()


def test_decrypt_gives_back_a_plain_casebook_with_every_record(plain_book, passphrase, capsys):
    run(capsys, "casebook", "encrypt", "--casebook", plain_book)
    code, out, err = run(capsys, "casebook", "decrypt", "--casebook", plain_book)
    assert (code, err) == (0, "")
    assert "plain SQLite file" in out
    assert plain_book.read_bytes().startswith(b"SQLite format 3")
    os.environ.pop(keys.ENV_PASSPHRASE)
    keys.forget()
    assert stored_text(plain_book) == [SECRET]


def test_encrypting_twice_or_decrypting_a_plain_casebook_changes_nothing(plain_book,
                                                                         passphrase, capsys):
    assert run(capsys, "casebook", "decrypt", "--casebook", plain_book)[:3:2] == (
        1, f"error: casebook {plain_book}: is not encrypted; nothing was changed\n")
    run(capsys, "casebook", "encrypt", "--casebook", plain_book)
    before = plain_book.read_bytes()
    assert run(capsys, "casebook", "encrypt", "--casebook", plain_book)[:3:2] == (
        1, f"error: casebook {plain_book}: is already encrypted; nothing was changed\n")
    assert plain_book.read_bytes() == before


def test_encrypt_is_refused_while_another_program_has_the_casebook_open(plain_book,
                                                                        passphrase, capsys):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\n"
         "from worksheets_lib.casebook import open_casebook\n"
         "book = open_casebook(sys.argv[1])\nprint('open', flush=True)\ntime.sleep(60)\n",
         str(plain_book)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "open\n"
        before = plain_book.read_bytes()
        code, out, err = run(capsys, "casebook", "encrypt", "--casebook", plain_book)
        assert (code, out) == (1, "")
        assert err == (f"error: casebook {plain_book}: is open in another program (the journal "
                       "app or a notebook); close it, then try again. Nothing was changed\n")
        assert plain_book.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


WRITE_ONE = """
import sys
from worksheets_lib.casebook import open_casebook
from worksheets_lib.errors import CasebookError
from worksheets_lib.models import JournalEntry
try:
    with open_casebook(sys.argv[1], role="client") as book:
        book.add_journal_entry("alex-rivera", JournalEntry(what_happened="written meanwhile"))
    print("saved")
except CasebookError as error:
    print(error.kind)
"""


def test_a_program_opening_while_the_casebook_is_encrypted_never_loses_its_entry(
        plain_book, passphrase, monkeypatch):
    from worksheets_lib.casebook import encryption

    writers = []
    real_check = encryption._check_copy

    def check_while_others_start(*args):
        # Programs start while the copy is being made (the old file is locked).
        for _ in range(3):
            writers.append(subprocess.Popen([sys.executable, "-c", WRITE_ONE, str(plain_book)],
                                            stdout=subprocess.PIPE, text=True))
        time.sleep(1.0)
        return real_check(*args)

    monkeypatch.setattr(encryption, "_check_copy", check_while_others_start)
    encryption.encrypt(plain_book)
    said = []
    for writer in writers:
        said.append(writer.communicate(timeout=60)[0].strip())
    assert set(said) <= {"saved", "moved", "busy", "replaced"}, said
    assert stored_text(plain_book).count("written meanwhile") == said.count("saved")
    assert not plain_book.read_bytes().startswith(b"SQLite format 3")


ENCRYPT_AND_DIE = """
import os, sys, threading
from worksheets_lib.casebook import encryption
threading.Timer(float(sys.argv[2]), lambda: os.kill(os.getpid(), 9)).start()
encryption.encrypt(sys.argv[1])
os.kill(os.getpid(), 9)
"""


def test_a_kill_at_any_moment_of_encrypting_loses_nothing(plain_book, passphrase):
    with open_casebook(plain_book) as book:
        for n in range(40):
            book.add_journal_entry(CLIENT, JournalEntry(what_happened=f"entry {n} " * 50))
    for delay in (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6):
        subprocess.run([sys.executable, "-c", ENCRYPT_AND_DIE, str(plain_book), str(delay)],
                       check=False)
        keys.forget()
        with open_casebook(plain_book) as book:  # plain or encrypted, whole either way
            assert len(book.list_journal(CLIENT)) == 41
        if not plain_book.read_bytes().startswith(b"SQLite format 3"):
            subprocess.run([sys.executable, "-m", "worksheets_lib", "casebook", "decrypt",
                            "--casebook", str(plain_book)], check=True, capture_output=True)
    assert sorted(p.name for p in plain_book.parent.iterdir() if not p.name.startswith(".")) \
        == ["casebook.sqlite3"]


# --- keys ---------------------------------------------------------------------------------------

def test_init_encrypt_keeps_a_new_key_in_the_keyring_and_shows_its_recovery_code(
        tmp_path, ring, capsys):
    path = tmp_path / "new.sqlite3"
    code, out, err = run(capsys, "casebook", "init", "--encrypt", "--casebook", path)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"made a new encrypted casebook: {path}"
    recovery = lines[-1].strip()
    assert recovery.startswith("wsk-") and len(recovery) == 4 + 13 * 5 - 1
    assert ring.saved[("worksheets", "casebook-key")] == recovery
    keys.forget()
    assert run(capsys, "client", "add", "--from", demo_client_path(), "--casebook", path)[0] == 0
    assert run(capsys, "casebook", "recovery-code", "--casebook", path)[1] == recovery + "\n"
    # Without the keyring, the recovery code opens it.
    ring.saved.clear()
    keys.forget()
    with pytest.raises(CasebookError) as excinfo:
        open_casebook(path)
    assert excinfo.value.kind == "locked"
    os.environ[keys.ENV_KEY] = recovery
    try:
        with open_casebook(path) as book:
            assert [c.id for c in book.list_clients()] == [CLIENT]
    finally:
        del os.environ[keys.ENV_KEY]


def test_a_second_encrypted_casebook_uses_the_same_keyring_key(tmp_path, ring, capsys):
    run(capsys, "casebook", "init", "--encrypt", "--casebook", tmp_path / "a.sqlite3")
    code, out, _ = run(capsys, "casebook", "init", "--encrypt", "--casebook",
                       tmp_path / "b.sqlite3")
    assert code == 0 and "wsk-" not in out  # the code was shown once, for the new key
    assert len(ring.saved) == 1


def test_without_a_keyring_encrypt_needs_a_passphrase_and_says_how(plain_book, capsys):
    code, out, err = run(capsys, "casebook", "encrypt", "--casebook", plain_book)
    assert (code, out) == (1, "")
    assert err == (f"error: casebook {plain_book}: needs a passphrase to be encrypted, and there "
                   "is no keyring on this computer and no one to ask; run the command in a "
                   f"terminal, or set {keys.ENV_PASSPHRASE}\n")
    assert plain_book.read_bytes().startswith(b"SQLite format 3")


def test_a_short_passphrase_is_refused(plain_book, monkeypatch, capsys):
    monkeypatch.setenv(keys.ENV_PASSPHRASE, "short")
    code, _, err = run(capsys, "casebook", "encrypt", "--casebook", plain_book)
    assert code == 1
    assert err == ("error: passphrase: is too short; use at least 10 characters (a few words "
                   "you will remember work well); nothing was changed\n")
    assert plain_book.read_bytes().startswith(b"SQLite format 3")


def test_a_wrong_or_missing_key_is_one_line_and_nothing_changes(plain_book, passphrase):
    run_ = subprocess.run
    assert run_([WORKSHEETS, "casebook", "encrypt", "--casebook", plain_book],
                capture_output=True, check=True)
    before = everything_beside(plain_book)
    env = {k: v for k, v in os.environ.items() if k != keys.ENV_PASSPHRASE}
    missing = run_([WORKSHEETS, "client", "list", "--casebook", plain_book], env=env,
                   capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr == (
        f"error: casebook {plain_book}: is encrypted (or is not a casebook at all), and no key "
        "for it was found: none in this computer's keyring, and no passphrase given. Run the "
        f"command in a terminal to be asked for the passphrase, or set {keys.ENV_PASSPHRASE}\n")
    wrong = run_([WORKSHEETS, "client", "list", "--casebook", plain_book],
                 env={**env, keys.ENV_PASSPHRASE: "not the passphrase"}, capture_output=True,
                 text=True, stdin=subprocess.DEVNULL)
    assert (wrong.returncode, wrong.stdout) == (1, "")
    # SQLCipher's own log lines ("hmac check failed") never reach the terminal.
    assert wrong.stderr == (f"error: casebook {plain_book}: that passphrase or recovery code "
                            "does not open this casebook (or the file is not a casebook); "
                            "nothing was changed\n")
    assert everything_beside(plain_book) == before


def test_the_passphrase_is_asked_at_the_terminal_and_never_echoed(plain_book, passphrase,
                                                                  capsys):
    run(capsys, "casebook", "encrypt", "--casebook", plain_book)
    env = {k: v for k, v in os.environ.items() if k != keys.ENV_PASSPHRASE}
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command in a terminal of its own
        os.execve(str(WORKSHEETS), [str(WORKSHEETS), "client", "list", "--casebook",
                                    str(plain_book)], env)
    shown = b""
    try:
        shown += _read_until(fd, b": ")
        assert shown.endswith(f"Passphrase or recovery code for {plain_book.name}: ".encode())
        os.write(fd, b"not it at all\n")
        shown += _read_until(fd, b"Try again: ")
        os.write(fd, PASSPHRASE.encode() + b"\n")
        shown += _read_until(fd, b")\r\n")
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"alex-rivera  Alex" in shown
    assert PASSPHRASE.encode() not in shown and b"not it at all" not in shown


def _read_until(fd: int, end: bytes, timeout: float = 30) -> bytes:
    got = b""
    deadline = time.monotonic() + timeout
    while not got.endswith(end) and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            got += chunk
    return got


def test_a_file_of_random_pages_is_not_taken_for_anything(tmp_path, passphrase):
    path = tmp_path / "casebook.sqlite3"
    path.write_bytes(os.urandom(8192))
    before = path.read_bytes()
    with pytest.raises(CasebookError) as excinfo:
        open_casebook(path, create=True)
    assert excinfo.value.kind == "wrong-key"
    assert "or the file is not a casebook" in str(excinfo.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["casebook.sqlite3"]


# --- backups, restore and bundles ---------------------------------------------------------------

def test_backups_of_an_encrypted_casebook_are_encrypted_and_open_with_the_passphrase(
        plain_book, passphrase, capsys):
    run(capsys, "casebook", "encrypt", "--casebook", plain_book)
    out = plain_book.parent / "backup.sqlite3"
    assert run(capsys, "backup", "--out", out, "--casebook", plain_book)[0] == 0
    assert SECRET.encode() not in out.read_bytes()
    assert out.read_bytes()[:16] == plain_book.read_bytes()[:16]  # the passphrase's salt
    conn = driver.connect(out)
    try:
        conn.execute(f"PRAGMA key = '{PASSPHRASE}'")
        assert conn.execute("SELECT count(*) FROM journal_entries").fetchone() == (1,)
    finally:
        conn.close()
    # Backing up again over it is fine; over the live casebook's copy elsewhere is not.
    assert run(capsys, "backup", "--out", out, "--casebook", plain_book)[0] == 0
    key = keys.from_passphrase(PASSPHRASE, plain_book.read_bytes()[:16])
    assert readable_header(out.read_bytes()[:4096], key)[18:20] == b"\x01\x01"
    assert readable_header(plain_book.read_bytes()[:4096], key)[18:20] == b"\x02\x02"
    other = plain_book.parent / "other.sqlite3"
    other.write_bytes(plain_book.read_bytes())  # a closed, encrypted, live-mode casebook
    code, _, err = run(capsys, "backup", "--out", other, "--casebook", plain_book)
    assert code == 1 and "is not a casebook backup made by worksheets" in err


def test_a_backup_of_a_plain_casebook_can_be_encrypted_with_a_passphrase(plain_book, capsys,
                                                                         monkeypatch):
    out = plain_book.parent / "backup.sqlite3"
    monkeypatch.setenv(keys.ENV_EXPORT_PASSPHRASE, "a long backup passphrase")
    code, stdout, err = run(capsys, "backup", "--out", out, "--passphrase", "--casebook",
                            plain_book)
    assert (code, err) == (0, "")
    assert stdout == (f"backed up {plain_book} to {out} (checked: whole; encrypted with your "
                      "passphrase)\n")
    assert SECRET.encode() not in out.read_bytes()
    assert plain_book.read_bytes().startswith(b"SQLite format 3")  # the casebook stays plain
    conn = driver.connect(out)
    try:
        conn.execute("PRAGMA key = 'a long backup passphrase'")
        assert conn.execute("SELECT count(*) FROM journal_entries").fetchone() == (1,)
    finally:
        conn.close()
    # Restored into the plain casebook: its records come back, and it stays plain.
    with open_casebook(plain_book) as book:
        book.delete_client(CLIENT)
    keys.forget()
    code, _, err = run(capsys, "casebook", "restore", out, "--casebook", plain_book)
    assert code == 0 and err.startswith("note: the backup was encrypted, but this casebook is "
                                        "not")
    assert plain_book.read_bytes().startswith(b"SQLite format 3")
    assert stored_text(plain_book) == [SECRET]
    # Without the passphrase: one line, nothing changed.
    monkeypatch.delenv(keys.ENV_EXPORT_PASSPHRASE)
    keys.forget()
    before = plain_book.read_bytes()
    code, _, err = run(capsys, "casebook", "restore", out, "--casebook", plain_book)
    assert code == 1 and err.startswith(f"error: casebook {out}: is encrypted")
    assert plain_book.read_bytes() == before


def test_restore_keeps_the_casebooks_own_encryption(plain_book, passphrase, capsys):
    plain_backup = plain_book.parent / "plain-backup.sqlite3"
    run(capsys, "backup", "--out", plain_backup, "--casebook", plain_book)
    run(capsys, "casebook", "encrypt", "--casebook", plain_book)
    with open_casebook(plain_book) as book:
        book.add_journal_entry(CLIENT, JournalEntry(what_happened="after the backup"))
    code, out, err = run(capsys, "casebook", "restore", plain_backup, "--casebook", plain_book)
    assert (code, err) == (0, "")
    assert not plain_book.read_bytes().startswith(b"SQLite format 3")  # still encrypted
    assert stored_text(plain_book) == [SECRET]
    kept = Path(out.splitlines()[1].split(" kept at ")[1])
    assert not kept.read_bytes().startswith(b"SQLite format 3")  # the copy aside too
    assert sorted(t for t in _texts_with_key(kept)) == sorted([SECRET, "after the backup"])


def _texts_with_key(path: Path) -> list[str]:
    keys.forget()
    with open_casebook(path) as book:
        return [e.what_happened for e in book.list_journal(CLIENT)]


def test_an_export_from_an_encrypted_casebook_is_sealed_and_imports_back(plain_book,
                                                                          passphrase, capsys):
    run(capsys, "casebook", "encrypt", "--casebook", plain_book)
    bundle = plain_book.parent / "alex.json"
    code, out, _ = run(capsys, "client", "export", CLIENT, "--out", bundle, "--casebook",
                       plain_book)
    assert code == 0 and "encrypted with this casebook's key" in out
    raw = bundle.read_bytes()
    assert raw.startswith(b"worksheets-sealed-bundle 1\n")
    assert SECRET.encode() not in raw and CLIENT.encode() not in raw
    run(capsys, "client", "delete", CLIENT, "--yes", "--casebook", plain_book)
    code, out, err = run(capsys, "client", "import", bundle, "--casebook", plain_book)
    assert (code, err) == (0, "")
    assert stored_text(plain_book) == [SECRET]
    # Changed by one byte: refused, nothing imported.
    run(capsys, "client", "delete", CLIENT, "--yes", "--casebook", plain_book)
    bundle.write_bytes(raw[:-5] + bytes([raw[-5] ^ 1]) + raw[-4:])
    code, out, err = run(capsys, "client", "import", bundle, "--casebook", plain_book)
    assert (code, out) == (1, "")
    assert "(or the file was changed); nothing was imported" in err
    with open_casebook(plain_book) as book:
        assert book.list_clients() == []


def test_a_bundle_sealed_with_a_passphrase_travels_to_a_plain_casebook(plain_book, capsys,
                                                                        monkeypatch):
    bundle = plain_book.parent / "alex.sealed"
    monkeypatch.setenv("WORKSHEETS_EXPORT_PASSPHRASE", "a long bundle passphrase")
    code, out, _ = run(capsys, "client", "export", CLIENT, "--out", bundle, "--passphrase",
                       "--casebook", plain_book)
    assert code == 0 and "encrypted with your passphrase" in out
    assert SECRET.encode() not in bundle.read_bytes()
    other = plain_book.parent / "other.sqlite3"
    monkeypatch.setenv("WORKSHEETS_EXPORT_PASSPHRASE", "the wrong passphrase")
    code, out, err = run(capsys, "client", "import", bundle, "--casebook", other)
    assert (code, out) == (1, "")
    assert err == (f"error: {bundle.name}: the passphrase does not open it (or the file was "
                   "changed); nothing was imported\n")
    assert not other.exists()
    monkeypatch.delenv("WORKSHEETS_EXPORT_PASSPHRASE")
    code, out, err = run(capsys, "client", "import", bundle, "--casebook", other)
    assert code == 1 and "is sealed with a passphrase: run the command in a terminal" in err
    monkeypatch.setenv("WORKSHEETS_EXPORT_PASSPHRASE", "a long bundle passphrase")
    assert run(capsys, "client", "import", bundle, "--casebook", other)[0] == 0
    assert stored_text(other) == [SECRET]


def test_a_plain_export_from_an_encrypted_casebook_must_be_asked_for(plain_book, passphrase,
                                                                     capsys):
    run(capsys, "casebook", "encrypt", "--casebook", plain_book)
    bundle = plain_book.parent / "alex.json"
    code, out, _ = run(capsys, "client", "export", CLIENT, "--out", bundle, "--plain",
                       "--casebook", plain_book)
    assert code == 0 and "not encrypted" in out
    assert bundle.read_bytes().lstrip().startswith(b"{")


def test_a_bundle_sealed_with_another_casebooks_key_is_refused_without_making_a_casebook(
        plain_book, passphrase, capsys, tmp_path):
    run(capsys, "casebook", "encrypt", "--casebook", plain_book)
    bundle = tmp_path / "alex.json"
    run(capsys, "client", "export", CLIENT, "--out", bundle, "--casebook", plain_book)
    os.environ.pop(keys.ENV_PASSPHRASE)
    keys.forget()
    target = tmp_path / "elsewhere" / "casebook.sqlite3"
    code, out, err = run(capsys, "client", "import", bundle, "--casebook", target)
    assert (code, out) == (1, "")
    assert "is sealed with the key of an encrypted casebook" in err
    assert not target.parent.exists()


# --- the journal app ----------------------------------------------------------------------------

def test_the_journal_app_gets_the_key_and_never_the_passphrase(plain_book, passphrase, capsys):
    pytest.importorskip("voila")
    from worksheets_lib.journal_server import prepare

    run(capsys, "casebook", "encrypt", "--casebook", plain_book)
    prepared = prepare(CLIENT, plain_book)
    try:
        assert keys.ENV_PASSPHRASE not in prepared.env
        key = keys.from_recovery_code(prepared.env[keys.ENV_KEY])
        assert key == keys.from_passphrase(PASSPHRASE, plain_book.read_bytes()[:16])
        assert PASSPHRASE not in " ".join(prepared.command)
    finally:
        prepared.cleanup()
    # What the app's kernel does with it: open the casebook with that key alone.
    code = ("from worksheets_lib.casebook import open_casebook\n"
            "import sys\nbook = open_casebook(sys.argv[1], role='client')\n"
            "print(len(book.list_journal('alex-rivera')))\n")
    done = subprocess.run([sys.executable, "-c", code, str(plain_book)], env=prepared.env,
                          capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "1\n", "")


def test_the_test_key_is_a_recovery_code():
    assert keys.from_recovery_code(TEST_KEY) is not None


def test_a_client_saves_an_entry_in_the_journal_app_on_an_encrypted_casebook(plain_book,
                                                                            passphrase, capsys):
    """The whole way: the command finds the key, the app's kernel opens the casebook with it,
    and an entry typed in Chromium is stored encrypted."""
    from support.browser import SCREENS, launch
    from test_journal_browser import start_journal, stop_journal

    run(capsys, "casebook", "encrypt", "--casebook", plain_book)
    server, address, _ = start_journal(plain_book)
    typed = "Typed in the app, kept encrypted"
    try:
        with launch() as browser:
            context = browser.new_context(**SCREENS["phone"])
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(address)
            page.get_by_label("What happened?").fill(typed)
            page.get_by_role("button", name="Save my entry").click()
            page.locator(".wsj-status", has_text="Saved at").wait_for()
            context.close()
    finally:
        stop_journal(server)
    assert typed in stored_text(plain_book)
    assert typed.encode() not in everything_beside(plain_book)


# --- the workbooks ------------------------------------------------------------------------------

@pytest.mark.parametrize("workbook", ["history_mapping", "goal_setting", "progress_review"])
def test_a_workbook_asks_for_the_passphrase_and_never_keeps_it(plain_book, passphrase, capsys,
                                                               monkeypatch, workbook):
    from worksheets_lib import widgets
    from worksheets_lib.widgets.unlock import CasebookProblem

    run(capsys, "casebook", "encrypt", "--casebook", plain_book)
    monkeypatch.delenv(keys.ENV_PASSPHRASE)
    keys.forget()
    shown = getattr(widgets, workbook)(CLIENT, plain_book, plain_book.parent / "out")
    assert isinstance(shown, CasebookProblem)
    assert "is encrypted, and its key is not in this computer&#x27;s keyring" in shown.message.value
    shown.passphrase.value = "not the passphrase"
    shown.button.click()
    assert shown.passphrase.value == ""  # never left in the widget (or a saved notebook)
    assert "does not open this casebook" in shown.message.value
    assert shown.workbook is None
    shown.passphrase.value = PASSPHRASE
    shown.button.click()
    assert shown.passphrase.value == ""
    assert shown.workbook is not None and len(shown.box.children) == 1


def test_a_workbook_on_a_damaged_casebook_shows_the_message_without_a_box(tmp_path):
    from worksheets_lib.widgets import history_mapping

    path = tmp_path / "casebook.sqlite3"
    path.write_text("not a casebook at all\n")
    shown = history_mapping(None, path)
    assert "is not a casebook" in shown.message.value
    assert len(shown.box.children) == 1  # no passphrase box for what a key cannot fix


# --- a full disk --------------------------------------------------------------------------------

@pytest.fixture
def four_mb_disk(tmp_path):
    with small_file_system(tmp_path / "small", "8M") as folder:
        yield folder


def _fill_leaving(folder: Path, free: int) -> None:
    info = os.statvfs(folder)
    room = info.f_bavail * info.f_frsize - free
    if room > 0:
        (folder / "filler").write_bytes(b"\0" * room)


@pytest.mark.parametrize("command", [["casebook", "encrypt"], ["backup", "--out", "BACKUP"]],
                         ids=["encrypt", "backup"])
def test_no_room_for_the_copy_is_called_a_full_disk_and_changes_nothing(four_mb_disk, capsys,
                                                                        passphrase, command):
    path = four_mb_disk / "casebook.sqlite3"
    with open_casebook(path, create=True) as book:
        book.add_client(load_client(demo_client_path()))
        for n in range(250):
            book.add_journal_entry(CLIENT, JournalEntry(what_happened=f"{n} " + "x" * 1900))
    _fill_leaving(four_mb_disk, path.stat().st_size // 2)
    argv = [str(four_mb_disk / "b.sqlite3") if a == "BACKUP" else a for a in command]
    code, out, err = run(capsys, *argv, "--casebook", path)
    assert (code, out) == (1, "")
    assert "disk is full" in err and err.count("\n") == 1, err
    assert sorted(p.name for p in four_mb_disk.iterdir()) == ["casebook.sqlite3", "filler"]
    data = path.read_bytes()
    assert data.startswith(b"SQLite format 3") and data[18:20] == b"\x02\x02"  # plain, WAL
    assert len(stored_text(path)) == 250


# --- found by an adversarial review -------------------------------------------------------------

SAVE_ONE = """
import sys
from worksheets_lib import open_casebook, JournalEntry
with open_casebook(sys.argv[1]) as book:
    print(book.add_journal_entry('alex-rivera', JournalEntry(what_happened='saved just before')).id)
"""


@pytest.mark.parametrize("direction", ["encrypt", "decrypt"])
def test_an_entry_saved_just_before_the_conversion_is_in_the_converted_casebook(
        plain_book, passphrase, monkeypatch, direction):
    from worksheets_lib.casebook import encryption

    if direction == "decrypt":
        encryption.encrypt(plain_book)
    saved = []
    real = encryption._refuse_if_shared

    def another_program_saves_first(path, always=False):
        if not saved and not always:  # after the casebook was checked, before the copy
            done = subprocess.run([sys.executable, "-c", SAVE_ONE, str(path)],
                                  capture_output=True, text=True, check=True)
            saved.append(done.stdout.strip())
        return real(path, always)

    monkeypatch.setattr(encryption, "_refuse_if_shared", another_program_saves_first)
    getattr(encryption, direction)(plain_book)
    assert saved and saved[0]
    assert stored_text(plain_book).count("saved just before") == 1


def _cli_env(tmp_path, **extra) -> dict:
    support = str(Path(__file__).parent / "support")
    env = {k: v for k, v in os.environ.items() if k not in (keys.ENV_PASSPHRASE, keys.ENV_KEY)}
    return {**env, "PYTHONPATH": support, "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring",
            "TEST_KEYRING_FILE": str(tmp_path / "ring.json"), **extra}


def test_a_keyring_that_cannot_be_read_is_never_given_a_new_key(tmp_path):
    env = _cli_env(tmp_path)
    first = tmp_path / "a.sqlite3"
    subprocess.run([WORKSHEETS, "casebook", "init", "--encrypt", "--casebook", first],
                   env=env, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    ring_before = (tmp_path / "ring.json").read_bytes()
    broken = subprocess.run([WORKSHEETS, "casebook", "init", "--encrypt", "--casebook",
                             tmp_path / "b.sqlite3"], env={**env, "TEST_KEYRING_BROKEN": "1"},
                            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert (broken.returncode, broken.stdout) == (1, "")
    assert "keyring could not be read just now; nothing was changed" in broken.stderr
    assert (tmp_path / "ring.json").read_bytes() == ring_before
    assert not (tmp_path / "b.sqlite3").exists()
    opened = subprocess.run([WORKSHEETS, "client", "list", "--casebook", first], env=env,
                            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert opened.returncode == 0, opened.stderr


def test_two_first_encryptions_at_once_share_the_one_key_they_keep(tmp_path):
    env = _cli_env(tmp_path, TEST_KEYRING_SLOW="0.5")
    paths = [tmp_path / f"{n}.sqlite3" for n in "ab"]
    running = [subprocess.Popen([WORKSHEETS, "casebook", "init", "--encrypt", "--casebook", p],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL) for p in paths]
    for process in running:
        process.communicate(timeout=60)
        assert process.returncode == 0
    for path in paths:  # both open with the one key the keyring kept
        done = subprocess.run([WORKSHEETS, "client", "list", "--casebook", path],
                              env={**env, "TEST_KEYRING_SLOW": "0"}, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stderr


def test_a_copy_left_by_a_killed_decrypt_is_removed_on_the_next_open(plain_book, passphrase):
    from worksheets_lib.casebook import encryption

    encryption.encrypt(plain_book)
    code = ("import os, sys\nfrom worksheets_lib.casebook import encryption\n"
            "encryption._to_wal = lambda *a: os.kill(os.getpid(), 9)\n"
            "encryption.decrypt(sys.argv[1])\n")
    subprocess.run([sys.executable, "-c", code, str(plain_book)], check=False)
    left = [p for p in plain_book.parent.iterdir() if p.name.startswith(".")]
    assert left and any(SECRET.encode() in p.read_bytes() for p in left)  # the plain copy
    keys.forget()
    assert stored_text(plain_book) == [SECRET]  # still encrypted, and whole
    assert [p for p in plain_book.parent.iterdir() if p.name.startswith(".")] == []
    assert not plain_book.read_bytes().startswith(b"SQLite format 3")


def test_restore_asks_for_a_backups_passphrase_at_the_terminal(plain_book, tmp_path,
                                                               monkeypatch, capsys):
    backup = tmp_path / "backup.sqlite3"
    monkeypatch.setenv(keys.ENV_EXPORT_PASSPHRASE, "a long backup passphrase")
    run(capsys, "backup", "--out", backup, "--passphrase", "--casebook", plain_book)
    env = {k: v for k, v in os.environ.items() if k != keys.ENV_EXPORT_PASSPHRASE}
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(str(WORKSHEETS), [str(WORKSHEETS), "casebook", "restore", str(backup),
                                    "--casebook", str(plain_book)], env)
    try:
        asked = _read_until(fd, b": ")
        os.write(fd, b"a long backup passphrase\n")
        shown = _read_until(fd, b"\r\n", timeout=30) + _read_until(fd, b"\r\n", timeout=30)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert asked.endswith(f"Passphrase or recovery code for {backup.name}: ".encode())
    assert os.waitstatus_to_exitcode(status) == 0, shown
    assert f"restored {backup} into {plain_book}".encode() in shown


def test_the_journal_app_never_gets_the_export_passphrase(plain_book, passphrase,
                                                          monkeypatch, capsys):
    pytest.importorskip("voila")
    from worksheets_lib.journal_server import prepare

    monkeypatch.setenv(keys.ENV_EXPORT_PASSPHRASE, "a long export passphrase")
    prepared = prepare(CLIENT, plain_book)
    prepared.cleanup()
    assert keys.ENV_EXPORT_PASSPHRASE not in prepared.env
    assert keys.ENV_PASSPHRASE not in prepared.env


@pytest.mark.parametrize("settings", [{"n": 0}, {"n": -16}, {"n": 2 ** 20}, {"r": 16},
                                      {"p": 4}, {"n": "big"}])
def test_a_bundle_with_forged_key_settings_is_refused_at_once(plain_book, tmp_path, capsys,
                                                              monkeypatch, settings):
    import json as json_

    monkeypatch.setenv(keys.ENV_EXPORT_PASSPHRASE, "a long bundle passphrase")
    bundle = tmp_path / "alex.sealed"
    run(capsys, "client", "export", CLIENT, "--out", bundle, "--passphrase", "--casebook",
        plain_book)
    raw = bundle.read_bytes()
    first, header, body = raw.split(b"\n", 2)
    forged = json_.dumps({**json_.loads(header), **settings}).encode()
    bundle.write_bytes(first + b"\n" + forged + b"\n" + body)
    started = time.monotonic()
    code, out, err = run(capsys, "client", "import", bundle, "--casebook", tmp_path / "o.db")
    assert (code, out) == (1, "")
    assert err == (f"error: {bundle.name}: is not a sealed bundle written by worksheets (its "
                   "key settings are not ours)\n")
    assert time.monotonic() - started < 5


def test_passphrases_that_are_not_utf8_or_too_long_are_handled(plain_book, monkeypatch,
                                                                capsys):
    monkeypatch.setenv(keys.ENV_PASSPHRASE, "\udcff\udcfe a long passphrase")  # from bytes
    code, out, err = run(capsys, "casebook", "encrypt", "--casebook", plain_book)
    assert (code, err) == (0, "")
    keys.forget()
    assert stored_text(plain_book) == [SECRET]
    other = plain_book.parent / "other.sqlite3"
    monkeypatch.setenv(keys.ENV_PASSPHRASE, "x" * 1001)
    code, out, err = run(capsys, "casebook", "init", "--encrypt", "--casebook", other)
    assert (code, out) == (1, "")
    assert err.startswith("error: passphrase: is too long; use at most 1000 characters")


def test_restoring_an_encrypted_backup_into_a_plain_casebook_says_so(plain_book, passphrase,
                                                                      tmp_path, capsys):
    backup = tmp_path / "backup.sqlite3"
    encrypted = tmp_path / "enc.sqlite3"
    plain_book.rename(encrypted)
    run(capsys, "casebook", "encrypt", "--casebook", encrypted)
    run(capsys, "backup", "--out", backup, "--casebook", encrypted)
    other = tmp_path / "plain.sqlite3"
    with open_casebook(other, create=True, encrypt=False):
        pass
    code, out, err = run(capsys, "casebook", "restore", backup, "--casebook", other)
    assert code == 0
    assert err == ("note: the backup was encrypted, but this casebook is not, so the restored "
                   "records are not encrypted now; to encrypt them: worksheets casebook "
                   "encrypt\n")
