"""``--out`` never replaces what it should not: the casebook, the input, links, devices.

An existing file is replaced only when worksheets wrote it (a PDF, a bundle, a
casebook backup), or with ``--force``; never the casebook or its files, the
client file being read, a symbolic link, a folder, a FIFO or a device node.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from helpers import run
from worksheets_lib import load_client
from worksheets_lib.casebook import open_casebook

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "alex-rivera.yaml"
CLIENT = "alex-rivera"


def snapshot(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    found = {}
    for item in sorted(folder.iterdir()):
        info = item.lstat()
        data = item.read_bytes() if stat.S_ISREG(info.st_mode) else None
        found[item.name] = (stat.S_IFMT(info.st_mode), data)
    return found


WRITERS = {
    "render": ["render", "ladder", "--client-id", CLIENT],
    "packet": ["packet", "--client-id", CLIENT],
    "export": ["client", "export", CLIENT],
    "backup": ["backup"],
}


@pytest.mark.parametrize("command", WRITERS)
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
@pytest.mark.parametrize("force", [False, True])
def test_no_command_writes_over_the_casebook_or_its_files(cb, capsys, command, suffix, force):
    with open_casebook(cb):  # open, so its -wal and -shm exist
        target = cb.with_name(cb.name + suffix)
        before = snapshot(cb.parent)
        extra = ["--force"] if force else []
        code, out, err = run(capsys, *WRITERS[command], "--out", target, "--casebook", cb,
                             *extra)
        assert (code, out) == (1, "")
        assert err.startswith(f"error: cannot write {target}: that is ")
        assert err.count("\n") == 1
        assert snapshot(cb.parent) == before
    with open_casebook(cb) as book:
        assert book.integrity_ok() and [c.id for c in book.list_clients()] == [CLIENT]


@pytest.mark.parametrize("force", [False, True])
def test_render_never_writes_over_the_client_file_it_reads(tmp_path, capsys, force):
    client = tmp_path / "client.yaml"
    client.write_bytes(EXAMPLE.read_bytes())
    code, out, err = run(capsys, "render", "ladder", "--client", client, "--out", client,
                         *(["--force"] if force else []))
    assert (code, out) == (1, "")
    assert err == (f"error: cannot write {client}: that is the file this command reads; "
                   "choose another file name\n")
    assert client.read_bytes() == EXAMPLE.read_bytes()


def test_a_symbolic_link_is_refused_and_its_target_left_alone(tmp_path, capsys):
    target = tmp_path / "important.txt"
    target.write_text("keep me")
    for link, points_to in ((tmp_path / "link.pdf", target),
                            (tmp_path / "dangling.pdf", tmp_path / "nowhere.pdf")):
        link.symlink_to(points_to)
        code, out, err = run(capsys, "render", "ladder", "--client", EXAMPLE, "--out", link,
                             "--force")
        assert code == 1
        assert err == (f"error: cannot write {link}: is a symbolic link; give the path of a "
                       "real file\n")
        assert link.is_symlink()
    assert target.read_text() == "keep me"
    assert not (tmp_path / "nowhere.pdf").exists()


def test_a_fifo_a_device_or_a_folder_is_refused(tmp_path, capsys):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    targets = [fifo, tmp_path]
    if os.geteuid() == 0:  # a device node of our own, in our own folder
        device = tmp_path / "null.pdf"
        os.mknod(device, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        targets.append(device)
    for target in targets:
        before = target.lstat()
        code, out, err = run(capsys, "render", "ladder", "--client", EXAMPLE, "--out", target,
                             "--force")
        assert (code, out) == (1, "")
        assert err.startswith(f"error: cannot write {target}: is ")
        after = target.lstat()
        assert (stat.S_IFMT(after.st_mode), after.st_ino) == (stat.S_IFMT(before.st_mode),
                                                               before.st_ino)


def test_a_file_we_did_not_write_is_replaced_only_with_force(tmp_path, capsys):
    notes = tmp_path / "notes.pdf"
    notes.write_text("my session notes")
    code, out, err = run(capsys, "render", "ladder", "--client", EXAMPLE, "--out", notes)
    assert (code, out) == (1, "")
    assert err == (f"error: cannot write {notes}: a file that is not a PDF made by worksheets "
                   "is already there; choose another name, or add --force to replace it\n")
    assert notes.read_text() == "my session notes"
    code, out, err = run(capsys, "render", "ladder", "--client", EXAMPLE, "--out", notes,
                         "--force")
    assert (code, err) == (0, "")
    assert notes.read_bytes().startswith(b"%PDF-")


def test_our_own_outputs_are_replaced_without_force(cb, tmp_path, capsys):
    for command, name in (("render", "x.pdf"), ("export", "b.json"), ("backup", "b.sqlite3")):
        target = tmp_path / name
        for _ in range(2):
            code, out, err = run(capsys, *WRITERS[command], "--out", target, "--casebook", cb)
            assert (code, err) == (0, "")


def test_new_folders_and_files_are_private(tmp_path, capsys):
    out = tmp_path / "new" / "deeper" / "ladder.pdf"
    old = os.umask(0o022)
    try:
        code, _, err = run(capsys, "render", "ladder", "--client", EXAMPLE, "--out", out)
    finally:
        os.umask(old)
    assert (code, err) == (0, "")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(out.parent.parent.stat().st_mode) & 0o077 == 0


# --- found by a review -------------------------------------------------------------------------

def test_backup_never_replaces_another_live_casebook(cb, tmp_path, capsys):
    other = tmp_path / "other.sqlite3"
    with open_casebook(other, create=True) as book:
        book.add_client(load_client(EXAMPLE).model_copy(update={"id": "someone-else"}))
    with open_casebook(other):  # open: a casebook, not a backup
        before = other.read_bytes()
        code, out, err = run(capsys, "backup", "--casebook", cb, "--out", other)
    assert (code, out) == (1, "")
    assert "is a casebook in use" in err or "not a casebook backup made by worksheets" in err
    assert other.read_bytes() == before
    closed = other.read_bytes()
    code, out, err = run(capsys, "backup", "--casebook", cb, "--out", other)  # closed, WAL mode
    assert (code, out) == (1, "")
    assert "not a casebook backup made by worksheets" in err
    assert other.read_bytes() == closed


def test_a_symlinked_folder_does_not_get_around_the_casebook_files(cb, tmp_path, capsys):
    link = tmp_path / "link"
    link.symlink_to(cb.parent)
    for suffix in ("", "-wal", "-journal"):
        target = link / (cb.name + suffix)
        code, out, err = run(capsys, "render", "ladder", "--client", EXAMPLE, "--casebook", cb,
                             "--out", target, "--force")
        assert (code, out) == (1, "")
        assert err.startswith(f"error: cannot write {target}: that ")
        assert not cb.with_name(cb.name + "-journal").exists()
    with open_casebook(cb) as book:
        assert book.integrity_ok()


def test_a_pdf_we_did_not_make_needs_force(tmp_path, capsys):
    consent = tmp_path / "consent.pdf"
    consent.write_bytes(b"%PDF-1.7\n% a signed consent form\n%%EOF\n")
    code, out, err = run(capsys, "render", "ladder", "--client", EXAMPLE, "--out", consent)
    assert (code, out) == (1, "")
    assert "a file that is not a PDF made by worksheets is already there" in err
    assert consent.read_bytes().startswith(b"%PDF-1.7\n% a signed consent")


def test_a_hard_linked_output_is_refused(tmp_path, capsys):
    first = tmp_path / "a.pdf"
    run(capsys, "render", "ladder", "--client", EXAMPLE, "--out", first)
    os.link(first, tmp_path / "b.pdf")
    code, out, err = run(capsys, "render", "ladder", "--client", EXAMPLE, "--out", first)
    assert (code, out) == (1, "")
    assert "has another name (a hard link)" in err
