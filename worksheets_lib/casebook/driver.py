"""The one SQLite library every casebook connection goes through: SQLCipher's.

SQLCipher is SQLite with page encryption added; without a key it reads and
writes ordinary SQLite files. Using it for plain casebooks too means one
library in the process: two copies of SQLite in one program do not see each
other's locks, which is one of SQLite's documented ways to corrupt a file.
Tests and tools that open a casebook file directly use :func:`connect` too.

SQLCipher logs a failed key to standard error by default; :func:`connect`
turns that off, so a wrong key is only ever our own one-line message.
"""

from __future__ import annotations

import os
from typing import Any

from sqlcipher3 import dbapi2 as sqlite

Connection = sqlite.Connection
Error = sqlite.Error
DatabaseError = sqlite.DatabaseError
OperationalError = sqlite.OperationalError
IntegrityError = sqlite.IntegrityError


def connect(target: str | os.PathLike, key: Any = None, new: bool = False,
            **options: Any) -> Connection:
    """Open *target* (a path, or a URI with ``uri=True``), keyed when *key* is given.

    *key* is a :class:`.keys.Key`; it is set before anything is read, as
    SQLCipher requires. *new*: the file is being made (it gets the key's salt).
    """
    conn = sqlite.connect(os.fspath(target), **options)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        if key is not None:
            conn.execute(key.pragma(new))
    except BaseException:
        conn.close()
        raise
    return conn


def error_name(error: BaseException) -> str:
    """SQLite's name for *error* (``SQLITE_NOTADB`` ...), or an empty string."""
    return getattr(error, "sqlite_errorname", "") or ""


def export_to(conn: Connection, target: str | os.PathLike, key: Any = None,
              begin: str = "BEGIN") -> None:
    """Copy the database *conn* has open into the empty file *target*, with *key* or none.

    SQLCipher's ``sqlcipher_export`` copies every table and index in one
    transaction (*begin* starts it); the version and the application id, which
    it leaves out, are copied too.
    """
    clause = key.attach_clause() if key is not None else "KEY ''"
    conn.execute(f"ATTACH DATABASE ? AS target {clause}", (os.fspath(target),))
    try:
        # The target is a new temporary file, synced by the caller: no journal of its own,
        # so no super-journal is left beside the casebook if the program dies.
        conn.execute("PRAGMA target.journal_mode = OFF")
        conn.execute(begin)
        try:
            conn.execute("SELECT sqlcipher_export('target')")
            for pragma in ("user_version", "application_id"):
                value = int(conn.execute(f"PRAGMA main.{pragma}").fetchone()[0])
                conn.execute(f"PRAGMA target.{pragma} = {value}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (a full disk)
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("DETACH DATABASE target")
