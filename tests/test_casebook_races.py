"""Programs opening the casebook at the same instant lose nothing.

An earlier version removed any ``-wal``/``-shm`` it had not seen when its
open-time check began: a second program opening inside that window had its
live journal deleted under it, and its saved entries vanished when it was
killed. These tests reproduce that window on purpose (every step of opening
is slowed down in turn) and then start many programs together, round after
round, checking every acknowledged entry with plain ``sqlite3``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import rawdb

from worksheets_lib import load_client
from worksheets_lib.casebook import open_casebook
from worksheets_lib.casebook import opening as opening_module
from worksheets_lib.casebook import schema as schema_module
from worksheets_lib.models import JournalEntry

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "alex-rivera.yaml"
CLIENT_ID = "alex-rivera"
ROUNDS = 120
WRITERS = 3
ENTRIES = 3

# The second program: open, save one entry, say its id, then wait to be killed.
SECOND_PROGRAM = textwrap.dedent("""
    import sys, time
    from worksheets_lib.casebook import open_casebook
    from worksheets_lib.models import JournalEntry
    book = open_casebook(sys.argv[1], role="client")
    entry = book.add_journal_entry("alex-rivera", JournalEntry(feeling="steady"))
    print(entry.id, flush=True)
    time.sleep(120)
""")


def new_casebook(path: Path) -> None:
    with open_casebook(path, create=True) as book:
        book.add_client(load_client(EXAMPLE))


def stored_ids(path: Path) -> set[str]:
    """The entries in the file, read with plain sqlite3 (not through our open)."""
    with contextlib.closing(rawdb.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {row[0] for row in conn.execute("SELECT id FROM journal_entries")}


def leave_a_crash_wal(path: Path) -> None:
    """A writer killed with its -wal not folded back: the next opener finds a cold -wal."""
    code = ("import os, sys\n"
            "from worksheets_lib.casebook import open_casebook\n"
            "from worksheets_lib.models import JournalEntry\n"
            "book = open_casebook(sys.argv[1])\n"
            "book.add_journal_entry('alex-rivera', JournalEntry(feeling='before'))\n"
            "os.kill(os.getpid(), 9)\n")
    subprocess.run([sys.executable, "-c", code, str(path)], check=False)
    assert path.with_name(path.name + "-wal").stat().st_size > 0


@pytest.mark.parametrize("step", ["check_header", "check_cold_wal", "check_open"])
def test_a_program_opening_inside_another_programs_open_keeps_its_entries(tmp_path, monkeypatch,
                                                                         step):
    path = tmp_path / "casebook.sqlite3"
    new_casebook(path)
    if step == "check_cold_wal":
        leave_a_crash_wal(path)
    module = schema_module if step in ("check_header", "check_open") else opening_module
    original = getattr(module, step)
    inside = threading.Event()
    second_done = threading.Event()

    def slow(*args, **kwargs):
        inside.set()
        assert second_done.wait(60), "the second program never saved"
        return original(*args, **kwargs)

    monkeypatch.setattr(module, step, slow)
    first: dict = {}

    def open_first():
        try:
            first["book"] = open_casebook(path)
        except BaseException as error:  # noqa: BLE001 - reported below
            first["error"] = error

    opener = threading.Thread(target=open_first)
    opener.start()
    assert inside.wait(30), f"{step} was never reached"
    second = subprocess.Popen([sys.executable, "-c", SECOND_PROGRAM, str(path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        saved_id = second.stdout.readline().strip()
        assert saved_id, second.stderr.read()
        second_done.set()
        opener.join(60)
        assert "error" not in first, first.get("error")
        # The first program works and closes while the second still runs.
        first["book"].add_journal_entry(CLIENT_ID, JournalEntry(feeling="first"))
        first["book"].close()
    finally:
        second_done.set()
        second.send_signal(signal.SIGKILL)
        second.communicate()  # waits, and closes its pipes
    assert saved_id in stored_ids(path)
    with open_casebook(path) as book:
        assert saved_id in {e.id for e in book.list_journal(CLIENT_ID)}
        assert book.integrity_ok()


# --- many programs started together, round after round ------------------------------------------

def _child(path: Path, start_at: float, ack_fd: int, writes: int) -> None:
    """A forked program: wait for the shared instant, open, write, acknowledge, wait."""
    code = 0
    try:
        time.sleep(max(0.0, start_at - time.time()))
        book = open_casebook(path, role="client")
        for _ in range(writes):
            entry = book.add_journal_entry(CLIENT_ID, JournalEntry(feeling="calm"))
            os.write(ack_fd, entry.id.encode("ascii") + b"\n")
        if writes == 0:  # a reader: opens, reads, closes (as a backup or a notebook would)
            book.list_journal(CLIENT_ID)
            book.close()
            os.write(ack_fd, b"-\n")
        else:
            os.write(ack_fd, b"-\n")
            time.sleep(60)  # killed by the parent, never closing
    except BaseException as error:  # noqa: BLE001 - only the type, never text
        with contextlib.suppress(BaseException):
            os.write(ack_fd, b"!" + type(error).__name__.encode("ascii") + b"\n")
        code = 3
    finally:
        os._exit(code)


def _read_lines(fd: int) -> list[str]:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks).decode("ascii").split("\n")[:-1]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_programs_started_together_lose_no_entry_over_many_rounds(tmp_path):
    acknowledged = lost = 0
    for round_number in range(ROUNDS):
        path = tmp_path / f"round-{round_number}" / "casebook.sqlite3"
        new_casebook(path)  # fresh and closed: the open-time race is the one under test
        start_at = time.time() + 0.05
        children = []
        for writes in [ENTRIES] * WRITERS + [0]:
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read_fd)
                _child(path, start_at, write_fd, writes)
            os.close(write_fd)
            children.append((pid, read_fd))
        acks: set[str] = set()
        problems = []
        for pid, read_fd in children:
            deadline = time.monotonic() + 60
            lines: list[str] = []
            buffer = b""
            while b"-\n" not in buffer and b"!" not in buffer and time.monotonic() < deadline:
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    break
                buffer += chunk
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            rest = _read_lines(read_fd)
            os.close(read_fd)
            lines = [line for line in (buffer.decode("ascii").split("\n")[:-1] + rest) if line]
            problems += [line for line in lines if line.startswith("!")]
            acks |= {line for line in lines if line not in ("-",) and not line.startswith("!")}
        assert not problems, f"round {round_number}: a program failed: {problems}"
        assert len(acks) == WRITERS * ENTRIES
        acknowledged += len(acks)
        lost += len(acks - stored_ids(path))
        leftovers = {p.name for p in path.parent.iterdir()} - {
            path.name, f"{path.name}-wal", f"{path.name}-shm"}
        assert not leftovers
    assert lost == 0, f"{lost} of {acknowledged} acknowledged entries were lost"
    assert acknowledged == ROUNDS * WRITERS * ENTRIES
