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
