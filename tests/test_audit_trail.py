"""The audit trail records reads, exports, backups and imports, and shows tampering."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import rawdb

from conftest import run
from worksheets_lib import load_client
from worksheets_lib.casebook import open_casebook
from worksheets_lib.models import JournalEntry

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "alex-rivera.yaml"
CLIENT = "alex-rivera"


@pytest.fixture
def cb(tmp_path) -> Path:
    path = tmp_path / "casebook.sqlite3"
    with open_casebook(path, create=True) as book:
        book.add_client(load_client(EXAMPLE))
    with open_casebook(path, role="client") as book:
        for n in range(3):
            book.add_journal_entry(CLIENT, JournalEntry(feeling="calm", intensity=n))
    return path


def actions(path: Path) -> list[tuple[str, str, str]]:
    with open_casebook(path) as book:
        return [(line.role, line.action, line.kind) for line in book.audit_all()]


def test_reads_exports_backups_and_imports_are_recorded(cb, tmp_path, capsys):
    for command in (["client", "show", CLIENT], ["render", "ladder", "--client-id", CLIENT,
                                                 "--out", tmp_path / "l.pdf"],
                    ["client", "export", CLIENT, "--out", tmp_path / "b.json"],
                    ["backup", "--out", tmp_path / "c.sqlite3"]):
        code, _, err = run(capsys, *command, "--casebook", cb)
        assert (code, err) == (0, "")
    other = tmp_path / "other.sqlite3"
    code, _, err = run(capsys, "client", "import", tmp_path / "b.json", "--casebook", other)
    assert (code, err) == (0, "")
    recorded = actions(cb)
    assert recorded[-4:] == [("therapist", "read", "client records"),
                             ("therapist", "read", "client records"),
                             ("therapist", "export", "client records"),
                             ("therapist", "backup", "whole casebook")]
    assert ("therapist", "import", "client records") in actions(other)
    # the trail travelled: the client's own entries are in the other casebook's trail
    assert actions(other).count(("client", "create", "journal entry")) == 3


def test_a_whole_trail_verifies_and_prints_its_head(cb, capsys):
    code, out, err = run(capsys, "audit", "verify", "--casebook", cb)
    assert (code, err) == (0, "")
    first, head = out.splitlines()
    assert first == "the audit trail is whole: 4 lines"
    assert head.startswith("head: ") and len(head) == len("head: ") + 64


@pytest.mark.parametrize("tamper", [
    "UPDATE audit SET kind = 'packet' WHERE seq = 2",
    "UPDATE audit SET role = 'therapist' WHERE seq = 3",
    "DELETE FROM audit WHERE seq = 2",
    "UPDATE audit SET at = '2020-01-01T00:00:00+00:00' WHERE seq = 3",
    "UPDATE audit SET seq = 99 WHERE seq = 2",
])
def test_a_changed_removed_or_moved_line_is_found(cb, capsys, tamper):
    with contextlib.closing(rawdb.connect(cb)) as conn:
        conn.execute(tamper)
        conn.commit()
    code, out, err = run(capsys, "audit", "verify", "--casebook", cb)
    assert (code, out) == (1, "")
    assert err.startswith(f"error: casebook {cb}: the audit trail was changed: line ")
    assert err.endswith("does not fit the lines before it\n")


def test_deleting_a_client_keeps_the_chain_whole(cb, capsys):
    code, _, _ = run(capsys, "client", "delete", CLIENT, "--yes", "--casebook", cb)
    assert code == 0
    code, out, err = run(capsys, "audit", "verify", "--casebook", cb)
    assert (code, err) == (0, "")
    assert out.startswith("the audit trail is whole: 5 lines, 4 emptied when their client "
                          "was deleted")


def test_a_read_on_a_busy_casebook_still_works_and_says_it_was_not_noted(cb):
    holder = rawdb.connect(cb, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # nobody else may write for now
    from worksheets_lib.casebook import store

    old = store.BUSY_SECONDS
    store.BUSY_SECONDS = 0.3
    try:
        with open_casebook(cb) as book:
            book.record_access("read", CLIENT)
            assert book.warnings[-1] == "this read could not be noted in the audit trail (busy)"
    finally:
        store.BUSY_SECONDS = old
        holder.execute("ROLLBACK")
        holder.close()


def test_show_on_a_busy_casebook_prints_the_profile_and_warns(cb, capsys, monkeypatch):
    from worksheets_lib.casebook import store

    monkeypatch.setattr(store, "BUSY_SECONDS", 0.3)
    holder = rawdb.connect(cb, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        code, out, err = run(capsys, "client", "show", CLIENT, "--casebook", cb)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 0 and "id: alex-rivera" in out
    assert err == "warning: this read could not be noted in the audit trail (busy)\n"
