"""The casebook survives being killed mid-write, and several programs writing at once.

Crash safety: a child process adds journal entries and acknowledges each one
after ``add_journal_entry`` returns; it is killed with SIGKILL at a random
moment, again and again. Every acknowledged entry must be in the casebook and
the file must pass SQLite's integrity check.

Concurrency: two processes add entries to the same client at the same time
while a third reads; nothing is lost, duplicated or refused.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import rawdb

from worksheets_lib import load_client
from worksheets_lib.casebook import open_casebook
from worksheets_lib.models import JournalEntry

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "alex-rivera.yaml"
CLIENT_ID = "alex-rivera"
#: How many times a writing child is killed.
KILLS = 200
#: Reopen and check the casebook after every this many kills (and at the end).
CHECK_EVERY = 5
#: A child is killed after up to this many acknowledged writes ...
MAX_ACKS_BEFORE_KILL = 12
#: ... and up to this many seconds into the next (a write takes about a millisecond).
MAX_INTO_A_WRITE = 0.003
WRITERS = 2
ENTRIES_PER_WRITER = 500


# --- crash safety -------------------------------------------------------------------------------

def _write_until_killed(path: Path, ack_fd: int) -> None:
    """The forked child: add entries forever, acknowledging each one once it is stored.

    Never returns: it is killed, or it leaves with ``os._exit`` (never through
    pytest's teardown). It opens its own casebook; the parent has none open.
    """
    code = 0
    try:
        casebook = open_casebook(path, role="client")
        os.write(ack_fd, b"opened\n")  # the kill timer starts here, whatever opening costs
        while True:
            entry = casebook.add_journal_entry(CLIENT_ID, JournalEntry(feeling="steady",
                                                                        intensity=4))
            os.write(ack_fd, entry.id.encode("ascii") + b"\n")
    except BaseException as error:  # report only the type: it never holds client text
        with contextlib.suppress(BaseException):
            kind = getattr(error, "kind", "")  # our error kinds never hold client text
            os.write(ack_fd, f"!{type(error).__name__} {kind}".encode("ascii") + b"\n")
        code = 3
    finally:
        os._exit(code)


def _read_to_end(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _check(path: Path, acknowledged: set[str]) -> int:
    """Every acknowledged entry is there, once, and the file is whole; returns the count."""
    with open_casebook(path, create=True) as casebook:
        ids = [entry.id for entry in casebook.list_journal(CLIENT_ID)]
        assert casebook.integrity_ok()
    assert len(ids) == len(set(ids))
    missing = acknowledged - set(ids)
    assert not missing, f"{len(missing)} acknowledged entries were lost"
    return len(ids)


def test_acknowledged_entries_survive_sigkill_at_random_moments(tmp_path):
    path = tmp_path / "casebook.sqlite3"
    with open_casebook(path, create=True) as casebook:
        casebook.add_client(load_client(EXAMPLE))
    rng = random.Random(20261124)
    acknowledged: set[str] = set()
    kills_with_acks = 0

    for kill in range(1, KILLS + 1):
        # No connection of ours is open across the fork: the child opens its own.
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read_fd)
            _write_until_killed(path, write_fd)
        os.close(write_fd)
        try:
            # Kill after a random number of acknowledged writes, a random moment into the
            # next one: counted in writes, not seconds, so a busy machine changes nothing.
            wait_for = rng.randrange(0, MAX_ACKS_BEFORE_KILL)
            started = b""
            while (b"!" not in started and (b"opened\n" not in started or
                   started.split(b"opened\n", 1)[1].count(b"\n") < wait_for)):
                chunk = os.read(read_fd, 4096)
                if not chunk:
                    break
                started += chunk
            time.sleep(rng.uniform(0, MAX_INTO_A_WRITE))
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            data = started.split(b"opened\n", 1)[-1] + _read_to_end(read_fd)
        finally:
            os.close(read_fd)
        lines = data.split(b"\n")[:-1]  # only complete lines count as acknowledged
        errors = [line.decode() for line in lines if line.startswith(b"!")]
        assert not errors, f"the writer failed on its own at kill {kill}: {errors}"
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
            f"kill {kill}: the writer was not killed by us (status {status})")
        acks = {line.decode("ascii") for line in lines}
        kills_with_acks += bool(acks)
        assert not acks & acknowledged  # every acknowledged id is new
        acknowledged |= acks
        if kill % CHECK_EVERY == 0 or kill == KILLS:
            assert _check(path, acknowledged) >= len(acknowledged)

    # The kills landed while writing, not only before the first write.
    assert kills_with_acks > KILLS // 4
    assert len(acknowledged) > KILLS
    with contextlib.closing(rawdb.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    with open_casebook(path, create=True) as casebook:
        audit = casebook.audit(CLIENT_ID)
        stored = len(casebook.list_journal(CLIENT_ID))
    # every stored entry has its audit line, written in the same transaction
    assert sum(1 for line in audit if line.kind == "journal entry") == stored
    assert {line.role for line in audit if line.kind == "journal entry"} == {"client"}


# --- concurrency --------------------------------------------------------------------------------

# Each program waits at a start line so that they really run at the same time.
_PROLOGUE = textwrap.dedent("""
    import pathlib, sys, time
    from worksheets_lib.casebook import open_casebook
    from worksheets_lib.models import JournalEntry

    path, client_id, folder, name = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3]), \\
        sys.argv[4]
    casebook = open_casebook(path, role="client", create=True)
    (folder / f"ready-{name}").touch()
    deadline = time.monotonic() + 60
    while not (folder / "go").exists():
        if time.monotonic() > deadline:
            sys.exit("no start signal")
        time.sleep(0.005)
""")

WRITER = _PROLOGUE + textwrap.dedent("""
    count = int(sys.argv[5])
    for n in range(count):
        casebook.add_journal_entry(client_id, JournalEntry(feeling="steady", intensity=n % 11))
    casebook.close()
    print(count)
""")

# Prints how many of its reads saw the writers half-way (neither none nor all entries).
READER = _PROLOGUE + textwrap.dedent("""
    total = int(sys.argv[5])
    seen, half_way = 0, 0
    while True:
        done = (folder / "done").exists()
        ids = [entry.id for entry in casebook.list_journal(client_id)]
        if len(ids) != len(set(ids)) or len(ids) < seen:
            sys.exit("the reader saw duplicates or lost entries")
        seen = len(ids)
        half_way += 0 < seen < total
        if done:
            break
    casebook.close()
    print(half_way)
""")


def _start(script: str, path: Path, folder: Path, name: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, str(path), CLIENT_ID, str(folder), name, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=folder)


def _wait_until(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_two_writers_and_a_reader_at_once_lose_nothing(tmp_path):
    path = tmp_path / "casebook.sqlite3"
    with open_casebook(path, create=True) as casebook:
        casebook.add_client(load_client(EXAMPLE))
    folder = tmp_path / "run"
    folder.mkdir()
    names = [f"writer-{n}" for n in range(WRITERS)]
    writers = [_start(WRITER, path, folder, name, str(ENTRIES_PER_WRITER)) for name in names]
    reader = _start(READER, path, folder, "reader", str(WRITERS * ENTRIES_PER_WRITER))
    processes = [*writers, reader]
    try:
        _wait_until(lambda: all((folder / f"ready-{n}").exists() for n in [*names, "reader"])
                    or any(p.poll() is not None for p in processes))
        (folder / "go").touch()
        writer_results = [p.communicate(timeout=120) for p in writers]
        (folder / "done").touch()
        reader_out, reader_err = reader.communicate(timeout=60)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    for process, (out, err) in zip(writers, writer_results, strict=True):
        assert (process.returncode, out.strip(), err) == (0, str(ENTRIES_PER_WRITER), "")
    assert (reader.returncode, reader_err) == (0, "")
    assert int(reader_out.strip()) >= 1  # it did read while the writers wrote

    with open_casebook(path, create=True) as casebook:
        ids = [entry.id for entry in casebook.list_journal(CLIENT_ID)]
        audit = casebook.audit(CLIENT_ID)
        assert casebook.integrity_ok()
    assert len(ids) == WRITERS * ENTRIES_PER_WRITER
    assert len(set(ids)) == WRITERS * ENTRIES_PER_WRITER
    assert sum(1 for line in audit if line.kind == "journal entry") == len(ids)
    seqs = [line.seq for line in audit]
    assert len(seqs) == len(set(seqs))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_killed_writer_does_not_block_the_next_one(tmp_path):
    """A writer killed while it holds the write lock leaves no lock behind."""
    path = tmp_path / "casebook.sqlite3"
    with open_casebook(path, create=True) as casebook:
        casebook.add_client(load_client(EXAMPLE))
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: take the write lock, say so, and wait to be killed
        try:
            os.close(ready_r)
            conn = rawdb.connect(path, isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO audit (at, role, action, kind, client_key) "
                         "VALUES ('x', 'client', 'create', 'journal entry', NULL)")
            os.write(ready_w, b"locked\n")
            time.sleep(60)
        finally:
            os._exit(0)
    os.close(ready_w)
    try:
        assert os.read(ready_r, 16) == b"locked\n"
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(ready_r)
    started = time.monotonic()
    with open_casebook(path, create=True) as casebook:
        entry = casebook.add_journal_entry(CLIENT_ID, JournalEntry(feeling="fine"))
        assert [e.id for e in casebook.list_journal(CLIENT_ID)] == [entry.id]
        assert len(casebook.audit_all()) == 2  # the killed, uncommitted line is gone
        assert casebook.integrity_ok()
    assert time.monotonic() - started < 5
