"""Opening a casebook: refuse what is not one, without touching what others use.

The order matters, and each step is safe while other programs open, write or
back up the same casebook at the same instant:

1. A missing file is an error, unless the caller creates casebooks (``client
   add``, ``client import``, ``casebook init``); read-only commands never make
   one, so a mistyped path is a one-line "no casebook here".
2. The header's first bytes say whether it is a casebook at all. SQLite has
   not opened it yet, so a refused file gets nothing created beside it.
3. A ``-wal`` that no program is using was left by a crash (or by another
   copy of the file). It is checked, read-only, before SQLite folds it in.
4. The real connection checks the version and runs ``quick_check``.

Sidecar files are SQLite's alone: nothing here deletes them.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from ..errors import CasebookError
from . import location, schema, wal
from .diagnosis import damaged, damaged_wal, explain, foreign_wal, missing, replaced_under


class FileId(NamedTuple):
    """Which file a path named when it was opened: a moved or replaced file differs."""

    device: int
    inode: int


def file_id(path: Path) -> FileId | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return FileId(info.st_dev, info.st_ino)


def connect(path: Path, create: bool, busy_ms: int,
            ) -> tuple[sqlite3.Connection, FileId, list[str]]:
    """Open the casebook at *path*; returns the connection, the file's id and warnings."""
    try:
        return _connect(path, create, busy_ms)
    except OSError as error:  # a name too long, a folder that may not be entered, ...
        raise explain(error, path) from None


def _connect(path: Path, create: bool, busy_ms: int,
             ) -> tuple[sqlite3.Connection, FileId, list[str]]:
    if path.is_symlink():
        raise CasebookError(str(path), "is a symbolic link; give the casebook's real path "
                                       "(a link could lead the records somewhere else)",
                            "unusable")
    if not path.exists():
        if not create:
            raise missing(path)
        location.create(path)
    if path.is_dir():
        raise CasebookError(str(path), "is a folder; give a file name", "folder")
    schema.check_header(path)
    check_sidecars_belong(path)
    if wal.has_wal(path) and wal.in_use(path) is False:
        check_cold_wal(path)
    before = file_id(path)
    try:
        conn = sqlite3.connect(path, timeout=busy_ms / 1000, isolation_level=None,
                               check_same_thread=False)
    except sqlite3.Error as error:
        raise explain(error, path) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {busy_ms}")
        schema.check_open(conn, path)
        opened = file_id(path)
        if opened is None or opened != before:
            raise CasebookError(str(path), "was moved or replaced while it was being opened; "
                                           "please try again", "moved")
    except BaseException as error:
        conn.close()
        if isinstance(error, sqlite3.Error | OSError):
            raise explain(error, path) from None
        raise
    return conn, opened, location.make_private(path)


def sqlite_uri(path: Path, option: str) -> str:
    """A URI opening *path* with *option*, for SQLite's URI filenames.

    ``mode=ro`` is a read-only look, the ``-wal`` included; ``immutable=1`` reads
    the file alone (no locks, no sidecars read or made).
    """
    return f"file:{quote(str(path.absolute()))}?{option}"


def check_sidecars_belong(path: Path) -> None:
    """Refuse a casebook whose ``-wal``/``-shm`` belong to a file moved away under a program.

    A running program keeps the ``-wal`` and ``-shm`` of the file it opened. If
    another file is moved to the same path meanwhile, SQLite would fold that
    program's ``-wal`` into it (and may cut it to the old file's size).
    """
    for _ in range(3):  # a program may be between its two locks: look again
        if wal.in_use(path) is not True or wal.file_locked(path) is not False:
            return
        time.sleep(0.05)
    raise replaced_under(path)


def check_cold_wal(path: Path) -> None:
    """Check a ``-wal`` no program is using, before SQLite replays it into the file.

    A damaged frame (or header) makes SQLite drop every committed change after
    it without a word; a ``-wal`` from another copy of the file (a backup copied
    over the casebook after a crash) mixes two files. Both are refused, nothing
    changed. The read-only look lets SQLite check the frames; how far it got is
    then read from its index and compared with the commits the frames show.
    """
    together = _full_check(sqlite_uri(path, "mode=ro"))
    header = wal.frames(path, after=1 << 62)  # frame headers only: no checksums yet
    if header is not None and header.commits and wal.in_use(path) is False:
        replayed = wal.replayed_frames(path) if header.header_ok else 0
        scanned = wal.frames(path, after=replayed) if replayed is not None else None
        if scanned is not None and scanned.dropped(replayed):
            # Look again, so that a program starting to write meanwhile is not taken
            # for damage.
            if wal.in_use(path) is False and wal.frames(path, after=replayed) == scanned:
                raise damaged_wal(path, scanned.dropped(replayed))
            return
    if together is not False:
        return  # whole, or SQLite could not look (read-only folder): the open will say
    if wal.in_use(path) is not False:
        return  # a program started meanwhile; the full open checks again
    if _full_check(sqlite_uri(path, "immutable=1")):  # the file alone
        raise foreign_wal(path)
    raise damaged(path)


def _full_check(uri: str) -> bool | None:
    """Integrity and foreign keys, read-only: True, False (damaged), or None (no look).

    Used only when a crash left a ``-wal``: a ``-wal`` from another copy can fit
    the pages yet break the indexes, which only the full check sees.
    """
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        whole = conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return whole and not conn.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.DatabaseError as error:
        name = getattr(error, "sqlite_errorname", "") or ""
        corrupt = name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) \
            or "malformed" in str(error)
        return False if corrupt else None
    finally:
        conn.close()
