"""The casebook's tables, its version and the migrations between versions.

The version lives in ``PRAGMA user_version``; ``PRAGMA application_id`` marks
the file as a casebook. ``MIGRATIONS[n]`` moves a casebook from version n-1 to
n; each runs in one transaction together with the version bump, so a casebook
is always at exactly one version.

Record bodies are stored as the validated models' JSON; the columns beside
them (ids, dates) are what queries need.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import CasebookError
from . import driver
from .audit import chain_existing

APPLICATION_ID = 0x5753434B  # "WSCK"
SQLITE_MAGIC = b"SQLite format 3\x00"

MIGRATIONS: dict[int, list[str | Callable[[driver.Connection], None]]] = {
    1: [
        f"PRAGMA application_id = {APPLICATION_ID}",
        """CREATE TABLE clients (
            key TEXT PRIMARY KEY,           -- random; the audit trail uses it, never the id
            id TEXT NOT NULL UNIQUE,
            profile TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        """CREATE TABLE documents (
            client_key TEXT NOT NULL REFERENCES clients(key) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('history', 'plan')),
            body TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (client_key, kind))""",
        """CREATE TABLE journal_entries (
            id TEXT PRIMARY KEY,
            client_key TEXT NOT NULL REFERENCES clients(key) ON DELETE CASCADE,
            at TEXT NOT NULL,
            body TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        "CREATE INDEX journal_by_time ON journal_entries (client_key, at)",
        """CREATE TABLE ladder_attempts (
            id TEXT PRIMARY KEY,
            client_key TEXT NOT NULL REFERENCES clients(key) ON DELETE CASCADE,
            step_id TEXT NOT NULL,
            tried_on TEXT NOT NULL,
            body TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        "CREATE INDEX attempts_by_client ON ladder_attempts (client_key, tried_on)",
        """CREATE TABLE listening_records (
            id TEXT PRIMARY KEY,
            client_key TEXT NOT NULL REFERENCES clients(key) ON DELETE CASCADE,
            talked_on TEXT NOT NULL,
            body TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        "CREATE INDEX listening_by_client ON listening_records (client_key, talked_on)",
        """CREATE TABLE packets (
            id TEXT PRIMARY KEY,
            client_key TEXT NOT NULL REFERENCES clients(key) ON DELETE CASCADE,
            at TEXT NOT NULL,
            body TEXT NOT NULL)""",
        """CREATE TABLE audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('therapist', 'client')),
            action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
            kind TEXT NOT NULL,
            client_key TEXT)                -- no foreign key: the trail outlives a client""",
        "CREATE INDEX audit_by_client ON audit (client_key, seq)",
    ],
    # 2: the audit trail records reads, exports, backups, imports and restores, and
    # becomes a hash chain (see audit.py); a deleted client's lines are redacted, not
    # removed, so the chain still verifies.
    2: [
        """CREATE TABLE audit_v2 (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT,                        -- NULL in a redacted line
            role TEXT CHECK (role IN ('therapist', 'client')),
            action TEXT CHECK (action IN ('create', 'update', 'delete', 'read', 'export',
                                          'backup', 'import', 'restore')),
            kind TEXT,
            client_key TEXT,                -- no foreign key: the trail outlives a client
            line_hash TEXT NOT NULL DEFAULT '',
            chain TEXT NOT NULL DEFAULT '')""",
        "INSERT INTO audit_v2 (seq, at, role, action, kind, client_key) "
        "SELECT seq, at, role, action, kind, client_key FROM audit",
        "DROP TABLE audit",
        "ALTER TABLE audit_v2 RENAME TO audit",
        "CREATE INDEX audit_by_client ON audit (client_key, seq)",
        chain_existing,
    ],
    # 3: what clients wrote on filled, fillable worksheets that has no record of its own
    # (`client import-answers`).
    3: [
        """CREATE TABLE responses (
            id TEXT PRIMARY KEY,
            client_key TEXT NOT NULL REFERENCES clients(key) ON DELETE CASCADE,
            received_at TEXT NOT NULL,
            document TEXT NOT NULL,
            body TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        "CREATE INDEX responses_by_client ON responses (client_key, received_at)",
    ],
    # 4: unsaved forms (the journal's unfinished entry, a workbook step being edited), so
    # a closed window or a stopped kernel loses nothing; see drafts.py.
    4: [
        """CREATE TABLE drafts (
            client_key TEXT REFERENCES clients(key) ON DELETE CASCADE,  -- NULL: no client
            place TEXT NOT NULL,
            body TEXT NOT NULL,
            saved_at TEXT NOT NULL)""",
        "CREATE UNIQUE INDEX drafts_by_place ON drafts (ifnull(client_key, ''), place)",
    ],
}
SCHEMA_VERSION = max(MIGRATIONS)


HEADER_SIZE = 100  # SQLite's file header; application_id is at byte 68


def check_header(path: Path) -> str | None:
    """Refuse a file that is not a casebook, before SQLite opens it.

    Returns ``"plain"`` for an SQLite file that is a casebook, ``"sealed"`` for
    a file that may be an encrypted casebook (whole pages of what looks like
    random bytes: only its key can tell), and None when the header was not read
    (see below).

    The first 100 bytes are read directly, so nothing is made beside a refused
    file. Closing a file drops every POSIX lock this process holds on it, the
    SQLite locks of its own connections included, so the read is done only
    when this process holds none on this file (``/proc/locks``); when it does,
    a connection of ours already has this very file open, and it was checked
    then. (Reading through SQLite instead would read the file without its
    ``-wal``, which after a crash in the middle of a checkpoint is not whole on
    its own.)

    Raises :class:`CasebookError` (``not-casebook``) for a file that is not
    SQLite or a database that is not a casebook.
    """
    import os
    import stat

    from . import wal
    from .diagnosis import explain
    from .keys import PAGE_SIZE

    shown = str(path)
    try:
        info = os.stat(path)
    except OSError as error:
        raise explain(error, path) from None
    if not stat.S_ISREG(info.st_mode):
        raise CasebookError(shown, "is not a regular file (a device, pipe or socket); give "
                                   "the casebook's path", "not-casebook")
    if info.st_nlink > 1:
        raise CasebookError(shown, "has another name (a hard link made with ln): SQLite keeps "
                                   "a -wal beside each name, so two programs could each lose "
                                   "the other's changes; nothing was changed. Remove the "
                                   "extra name and use one path", "unusable")
    if info.st_size < HEADER_SIZE:
        raise CasebookError(shown, "is not a casebook (not an SQLite database); left untouched",
                            "not-casebook")
    if wal.locked_by_this_process(path) is not False:
        return None  # ours and open (or this system cannot tell): check_open looks
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            header = os.read(fd, HEADER_SIZE)
        finally:
            os.close(fd)
    except OSError as error:
        raise explain(error, path) from None
    if len(header) == HEADER_SIZE and not header.startswith(SQLITE_MAGIC) \
            and info.st_size % PAGE_SIZE == 0:
        return "sealed"
    _check_header_bytes(header, shown)
    return "plain"


def _check_header_bytes(header: bytes, shown: str) -> None:
    if len(header) < HEADER_SIZE or not header.startswith(SQLITE_MAGIC):
        raise CasebookError(shown, "is not a casebook (not an SQLite database); left untouched",
                            "not-casebook")
    if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise CasebookError(shown, "is a database, but not a casebook; left untouched",
                            "not-casebook")


def check_open(conn: driver.Connection, path: Path, encrypted: bool = False) -> int:
    """Check an open casebook: its version, then SQLite's quick check. Returns the version.

    An encrypted casebook's pages are also checked against their HMACs first:
    SQLCipher reports a page that fails it as a plain "SQL logic error".

    Raises :class:`CasebookError` (``newer`` or ``damaged``); the caller
    closes the connection, and SQLite tidies its own sidecar files.
    """
    from .diagnosis import damaged, explain

    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise CasebookError(str(path), "is a database, but not a casebook; left untouched",
                                "not-casebook")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise CasebookError(
                str(path), f"was written by a newer version of worksheets (schema {version}, "
                           f"this version reads up to {SCHEMA_VERSION}); please update "
                           f"worksheets", "newer")
        if encrypted:
            check_pages(conn, path)
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise damaged(path)
        check_objects(conn, path, version)
    except driver.Error as error:
        raise explain(error, path) from None
    return version


def check_pages(conn: driver.Connection, path: Path) -> None:
    """Refuse an encrypted file with a page that fails its check (damaged or changed)."""
    from .diagnosis import damaged

    if conn.execute("PRAGMA cipher_integrity_check").fetchall():
        raise damaged(path, "part of it fails its encryption check: it was damaged or "
                            "changed by another program")


_EXPECTED: dict[int, frozenset[tuple[str, str, str]]] = {}
#: Tables SQLite itself may add (ANALYZE statistics); they hold no records.
_SQLITE_OWN = ("sqlite_stat1", "sqlite_stat4")


def expected_objects(version: int) -> frozenset[tuple[str, str, str]]:
    """The (type, name, SQL) of every object our migrations make, up to *version*."""
    if version not in _EXPECTED:
        conn = driver.connect(":memory:")
        try:
            for target in range(1, version + 1):
                _run(conn, MIGRATIONS[target])
            _EXPECTED[version] = _objects(conn)
        finally:
            conn.close()
    return _EXPECTED[version]


def _objects(conn: driver.Connection) -> frozenset[tuple[str, str, str]]:
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    return frozenset((kind, name, " ".join((sql or "").split())) for kind, name, sql in rows
                     if name not in _SQLITE_OWN)


def check_objects(conn: driver.Connection, path: Path, version: int) -> None:
    """Refuse a casebook holding tables, triggers or views our migrations did not make.

    A trigger planted in the file could copy records somewhere a delete does
    not reach, or change them as they are saved.
    """
    if version == 0:
        return  # an empty file about to be made a casebook
    found = _objects(conn)
    if found != expected_objects(version):
        extra = sorted({kind for kind, _, _ in found - expected_objects(version)})
        what = ", ".join(extra) if extra else "a changed table"
        raise CasebookError(str(path), f"holds database objects worksheets did not make "
                                       f"({what}); it was left untouched. If you did not "
                                       f"change it yourself, restore a backup", "foreign-schema")


def _run(conn: driver.Connection, steps) -> None:
    for step in steps:
        if isinstance(step, str):
            conn.execute(step)
        else:
            step(conn)


def migrate(conn: driver.Connection) -> int:
    """Bring an open casebook up to :data:`SCHEMA_VERSION`, one transaction per step."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for target in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            if conn.execute("PRAGMA user_version").fetchone()[0] >= target:
                conn.execute("ROLLBACK")
                continue
            _run(conn, MIGRATIONS[target])
            conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION
