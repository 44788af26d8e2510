"""Encrypting a plain casebook, and decrypting an encrypted one, without losing a record.

The casebook is written whole into a new file beside it with the new key (or
none) by SQLCipher's ``sqlcipher_export``, checked (integrity, page checks,
every table's row count), and only then renamed into its place. Meanwhile
this program holds the casebook's write lock, so no change can slip in
between the copy and the rename; a program that opened the old file in that
moment is told, at its next save, that the casebook was replaced, and saves
nothing there. The conversion is refused while another program has the
casebook open.

The old file's bytes are unlinked, not wiped: the disk may still hold them
until they are overwritten, and earlier plain backups stay plain (see README).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import CasebookError
from ..files import clean_stale_temps, create_private, fsync_folder, temp_name
from . import driver, keys, wal
from .backup import fsync_file
from .diagnosis import explain
from .keys import Key
from .kinds import TABLES
from .opening import sqlite_uri


@dataclass
class Converted:
    """What a conversion did: the casebook, its new key (None: plain), and the key's news."""

    path: Path
    key: Key | None
    new_in_keyring: bool = False


def encrypt(path: str | os.PathLike | None = None, passphrase: bool = False) -> Converted:
    """Encrypt the plain casebook at *path* (a key from the keyring, or a passphrase)."""
    target, identity, old = _checked(path)
    if old is not None:
        raise CasebookError(str(target), "is already encrypted; nothing was changed", "unusable")
    _refuse_if_shared(target)
    key, new_in_keyring = keys.new_key(target, passphrase=passphrase)  # may ask: nothing held
    _convert(target, identity, old, key)
    return Converted(target, key, new_in_keyring)


def decrypt(path: str | os.PathLike | None = None) -> Converted:
    """Turn the encrypted casebook at *path* back into a plain SQLite file."""
    target, identity, old = _checked(path)
    if old is None:
        raise CasebookError(str(target), "is not encrypted; nothing was changed", "unusable")
    _refuse_if_shared(target)
    _convert(target, identity, old, None)
    return Converted(target, None)


def _checked(path):
    """Open the casebook once with every check, and close it: its path, file id and key."""
    from .location import resolve_path
    from .store import Casebook

    target = resolve_path(path)
    with Casebook.open(target) as book:
        return target, book._identity, book.key


def _refuse_if_shared(path: Path, always: bool = False) -> None:
    if always or wal.in_use_by_others(path) is not False:
        raise CasebookError(str(path), "is open in another program (the journal app or a "
                                       "notebook); close it, then try again. Nothing was "
                                       "changed", "busy")


def _convert(path: Path, identity, old: Key | None, key: Key | None) -> None:
    """Write the casebook into a new file with *key*, check it, and rename it into place.

    A connection of its own (no pages cached from before) first leaves WAL
    mode, which folds in every change saved so far and needs every other
    program gone, then takes and keeps the exclusive lock (``locking_mode =
    EXCLUSIVE``) through the export and the rename: nobody reads or writes the
    old file meanwhile, and nothing of it is left beside the new one.
    """
    tmp = temp_name(path, "new")
    clean_stale_temps(path.parent)
    conn = None
    try:
        os.close(create_private(tmp))
        conn = driver.connect(path, old, isolation_level=None, timeout=0.2)
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        try:
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        except driver.OperationalError as error:
            if not driver.error_name(error).startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                raise
            mode = "busy"
        if mode != "delete":
            _refuse_if_shared(path, always=True)
        if _file_id(path) != identity:
            raise CasebookError(str(path), "was moved or replaced meanwhile; nothing was "
                                           "changed", "moved")
        counts = _export(conn, tmp, key)
        _check_copy(tmp, key, counts, path)
        _to_wal(tmp, key)
        fsync_file(tmp)
        os.replace(tmp, path)
        fsync_folder(path.parent)
    except BaseException as error:
        if conn is not None:  # back to how every casebook is kept (a DELETE-mode file would
            with contextlib.suppress(driver.Error):  # open, but not as others expect)
                conn.execute("PRAGMA journal_mode = WAL")
        if isinstance(error, OSError | driver.Error):
            raise explain(error, path) from None
        raise
    finally:
        if conn is not None:
            conn.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            tmp.with_name(tmp.name + suffix).unlink(missing_ok=True)
    if key is not None:
        keys.remember(path, key)


def _export(conn: driver.Connection, tmp: Path, new: Key | None) -> dict[str, int]:
    """Copy every table into *tmp* with the new key; returns each table's row count.

    The export takes the casebook's exclusive lock, which the connection's
    exclusive locking mode keeps after it: the counts are of what was copied.
    """
    driver.export_to(conn, tmp, new, begin="BEGIN EXCLUSIVE")
    return {t: conn.execute(f"SELECT count(*) FROM main.{t}").fetchone()[0] for t in TABLES}


def _to_wal(tmp: Path, key: Key | None) -> None:
    """Put the copy in WAL mode, as every casebook is (the export writes a rollback journal)."""
    conn = driver.connect(tmp, key, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()  # the last connection: SQLite folds and removes the copy's -wal


def _check_copy(tmp: Path, key: Key | None, counts: dict[str, int], path: Path) -> None:
    from .diagnosis import damaged

    conn = driver.connect(sqlite_uri(tmp, "immutable=1"), key, uri=True)
    try:
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check")] != ["ok"]
        if key is not None:
            problems = problems or bool(conn.execute("PRAGMA cipher_integrity_check")
                                        .fetchall())
        copied = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()
    if problems or copied != counts:
        raise damaged(path, "the converted copy did not check out; the casebook was left as "
                            "it was")


def _file_id(path: Path):
    from .opening import file_id

    return file_id(path)
