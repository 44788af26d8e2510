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

import time
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from ..errors import CasebookError
from ..files import clean_stale_temps
from . import driver, keys, location, schema, wal
from .diagnosis import damaged, damaged_wal, explain, foreign_wal, missing, replaced_under
from .keys import Key


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


class Opened(NamedTuple):
    """An open casebook connection, the file it opened, warnings, and its key (or None)."""

    conn: driver.Connection
    identity: FileId
    warnings: list[str]
    key: Key | None


#: The key (None: plain) of each casebook file this process has opened, by file id. While a
#: connection of ours holds the file, its header is not read again (see check_header).
_known: dict[FileId, Key | None] = {}


NEW_KEY_WARNING = ("a new key for encrypted casebooks was made and kept in this computer's "
                   "keyring; write down its recovery code (worksheets casebook recovery-code) "
                   "and keep it somewhere safe")


def connect(path: Path, create: bool, busy_ms: int,
            encrypt: bool | str | None = None) -> Opened:
    """Open the casebook at *path*.

    A new casebook is encrypted when *encrypt* is true (``"passphrase"``: with
    a passphrase rather than the keyring's key), or when it is None and
    ``WORKSHEETS_NEW_CASEBOOKS=encrypted``.
    """
    try:
        return _connect(path, create, busy_ms, encrypt)
    except OSError as error:  # a name too long, a folder that may not be entered, ...
        raise explain(error, path) from None


def _connect(path: Path, create: bool, busy_ms: int, encrypt: bool | str | None) -> Opened:
    if path.is_symlink():
        raise CasebookError(str(path), "is a symbolic link; give the casebook's real path "
                                       "(a link could lead the records somewhere else)",
                            "unusable")
    warnings: list[str] = []
    if not path.exists():
        if not create:
            raise missing(path)
        if encrypt is None:
            encrypt = keys.wanted_for_new()
        new_key, in_keyring = (keys.new_key(path, passphrase=encrypt == "passphrase")
                               if encrypt else (None, False))
        location.create(path, new_key)
        if in_keyring:
            warnings.append(NEW_KEY_WARNING)
    if path.is_dir():
        raise CasebookError(str(path), "is a folder; give a file name", "folder")
    # A copy a killed program left half-made (an encrypt, a restore) may hold records.
    clean_stale_temps(path.parent)
    key = key_for(path, schema.check_header(path))
    check_sidecars_belong(path)
    if wal.has_wal(path) and wal.in_use(path) is False:
        check_cold_wal(path, key)
    before = file_id(path)
    try:
        conn = driver.connect(path, key, timeout=busy_ms / 1000, isolation_level=None,
                              check_same_thread=False)
    except driver.Error as error:
        raise explain(error, path) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {busy_ms}")
        schema.check_open(conn, path, encrypted=key is not None)
        opened = file_id(path)
        if opened is None or opened != before:
            raise CasebookError(str(path), "was moved or replaced while it was being opened; "
                                           "please try again", "moved")
    except BaseException as error:
        conn.close()
        if isinstance(error, driver.Error | OSError):
            raise explain(error, path) from None
        raise
    _known[opened] = key
    return Opened(conn, opened, warnings + location.make_private(path), key)


def key_for(path: Path, header: str | None) -> Key | None:
    """The key the casebook at *path* needs: None for a plain one.

    *header* is what :func:`schema.check_header` found; None means a connection
    of this process has the file open, so what it needed is already known.
    """
    if header == "plain":
        return None
    if header == "sealed":
        return keys.unlock(path, lambda key: opens(path, key))
    identity = file_id(path)
    if identity in _known and opens(path, _known[identity]):  # the same inode number may
        return _known[identity]                                # since name another file
    # Opened here by other means (a tool's own connection): SQLite connections, unlike a
    # plain open() and close(), leave this process's locks alone.
    for key in (None, *keys.known_keys()):
        if opens(path, key):
            return key
    raise keys.locked(path)


def try_secret(path: Path, text: str) -> bool:
    """Whether the passphrase or recovery code *text* opens the casebook at *path*.

    When it does, this process keeps the key, so the next open needs no other.
    """
    salt = keys.salt_of(path) or b""
    key = keys.from_secret(text, salt)
    if not opens(path, key):
        return False
    keys.remember(path, key)
    return True


def opens(path: Path, key: Key | None) -> bool:
    """Whether *key* (None: no key) reads the file at *path*; looks at page 1 only."""
    try:
        conn = driver.connect(sqlite_uri(path, "immutable=1"), key, uri=True)
    except driver.Error:
        return False
    try:
        conn.execute("PRAGMA application_id").fetchone()
        return True
    except driver.Error:
        return False
    finally:
        conn.close()


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


def check_cold_wal(path: Path, key: Key | None = None) -> None:
    """Check a ``-wal`` no program is using, before SQLite replays it into the file.

    A damaged frame (or header) makes SQLite drop every committed change after
    it without a word; a ``-wal`` from another copy of the file (a backup copied
    over the casebook after a crash) mixes two files. Both are refused, nothing
    changed. The read-only look lets SQLite check the frames; how far it got is
    then read from its index and compared with the commits the frames show.
    """
    together = _full_check(sqlite_uri(path, "mode=ro"), key)
    page_size = keys.PAGE_SIZE if key else None  # an encrypted file's header is encrypted
    header = wal.frames(path, after=1 << 62, page_size=page_size)  # no checksums yet
    if header is not None and header.commits and wal.in_use(path) is False:
        replayed = wal.replayed_frames(path) if header.header_ok else 0
        scanned = (wal.frames(path, after=replayed, page_size=page_size)
                   if replayed is not None else None)
        if scanned is not None and scanned.dropped(replayed):
            # Look again, so that a program starting to write meanwhile is not taken
            # for damage.
            if wal.in_use(path) is False \
                    and wal.frames(path, after=replayed, page_size=page_size) == scanned:
                raise damaged_wal(path, scanned.dropped(replayed))
            return
    if together is not False:
        return  # whole, or SQLite could not look (read-only folder): the open will say
    if wal.in_use(path) is not False:
        return  # a program started meanwhile; the full open checks again
    if _full_check(sqlite_uri(path, "immutable=1"), key):  # the file alone
        raise foreign_wal(path)
    raise damaged(path)


def _full_check(uri: str, key: Key | None) -> bool | None:
    """Integrity and foreign keys, read-only: True, False (damaged), or None (no look).

    Used only when a crash left a ``-wal``: a ``-wal`` from another copy can fit
    the pages yet break the indexes, which only the full check sees.
    """
    try:
        conn = driver.connect(uri, key, uri=True, timeout=5)
    except driver.Error:
        return None
    try:
        whole = conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return whole and not conn.execute("PRAGMA foreign_key_check").fetchall()
    except driver.DatabaseError as error:
        name = driver.error_name(error)
        corrupt = name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) \
            or "malformed" in str(error)
        return False if corrupt else None
    finally:
        conn.close()
