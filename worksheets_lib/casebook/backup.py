"""Backing the casebook up, checking it, and putting a backup back in its place.

A backup is made with SQLite's online backup API (a consistent snapshot while
others write), turned into one self-contained file (no ``-wal`` beside it),
checked with the full ``integrity_check``, and only then renamed into place.

Restoring never deletes anything: the current casebook is copied aside
first (or, when it cannot be opened, moved aside with its ``-wal`` and
``-shm``), and the backup is copied in through SQLite, so programs that have
the casebook open see the restored records and nothing is mixed with an old
``-wal``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CasebookError, OutputError
from ..files import (
    check_target,
    clean_stale_temps,
    create_private,
    fsync_folder,
    make_folder,
    pinned,
    temp_name,
)
from . import diagnosis, driver, keys, schema, wal
from .keys import Key
from .opening import key_for, sqlite_uri

if TYPE_CHECKING:
    from .store import Casebook


def refuse_casebook_target(out: Path, casebook: Path) -> None:
    """Refuse to write *out* over the casebook itself or one of its sidecar files."""
    targets = [casebook, wal.wal_path(casebook), wal.shm_path(casebook),
               casebook.with_name(casebook.name + "-journal")]
    for target in targets:
        same = os.path.realpath(out) == os.path.realpath(target)
        with contextlib.suppress(OSError):
            same = same or out.samefile(target)
        if same:
            raise OutputError(str(out), "that is the casebook itself (or one of its files); "
                                        "choose another file name")


def backup_to(casebook: Casebook, out: Path, passphrase: str | None = None) -> Path:
    """Write a checked, self-contained copy of *casebook* to *out*; see the module notes.

    The copy has the casebook's key (or none), or, with *passphrase*, a key
    made from that passphrase (SQLCipher's own way, so other tools open it).
    """
    from .store import _retry

    refuse_casebook_target(out, casebook.path)
    shown = out
    if not out.parent.exists():
        check_target(out, "backup")
        make_folder(out.parent)
    out = pinned(out)
    check_target(out, "backup", str(shown))
    tmp = temp_name(out)
    try:
        make_folder(out.parent)
        clean_stale_temps(out.parent)
        os.close(create_private(tmp))
    except OSError as error:
        raise _output_error(out, error) from None
    key = casebook.key
    try:
        if passphrase is not None:
            key = keys.from_passphrase(passphrase, secrets.token_bytes(keys.SALT_SIZE))
            _retry(lambda: _export_live(casebook, tmp, key), casebook.path)
        target = driver.connect(tmp, key, new=True, isolation_level=None)
        try:
            if passphrase is None:
                _retry(lambda: casebook._conn.backup(target), casebook.path)
            target.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal to lose
            problems = [row[0] for row in target.execute("PRAGMA integrity_check")]
            if key is not None:
                problems += [row[0] for row in target.execute("PRAGMA cipher_integrity_check")]
        finally:
            target.close()
        if problems != ["ok"]:
            raise diagnosis.damaged(casebook.path, "SQLite's integrity check failed on a "
                                                   "fresh copy; no backup was written, and an "
                                                   "earlier backup is left as it was")
        fsync_file(tmp)
        os.replace(tmp, out)
        fsync_folder(out.parent)
    except (OSError, driver.Error) as error:
        if isinstance(error, driver.DatabaseError) and _source_error(error):
            raise diagnosis.explain(error, casebook.path) from None
        raise _output_error(shown, error) from None
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)
    casebook.record_access("backup", None, "whole casebook")
    return shown


def _export_live(casebook: Casebook, tmp: Path, key: Key) -> None:
    """Copy the open casebook into the empty file *tmp* with another key (one snapshot)."""
    conn = driver.connect(casebook.path, casebook.key, isolation_level=None)
    try:
        driver.export_to(conn, tmp, key)
    finally:
        conn.close()


def _source_error(error: driver.DatabaseError) -> bool:
    name = getattr(error, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_BUSY"))


def _output_error(out: Path, error: BaseException) -> OutputError:
    from ..files import _reason

    if isinstance(error, OSError):
        return OutputError(str(out), _reason(error, "cannot write the backup"))
    name = getattr(error, "sqlite_errorname", "") or ""  # not set by the backup API
    if name == "SQLITE_FULL" or "disk is full" in str(error) or (name.startswith("SQLITE_IOERR")
                                 and diagnosis.low_on_space(out.parent)):
        return OutputError(str(out), "the disk is full; no backup was written (free some "
                                     "space and try again)")
    return OutputError(str(out), "the backup could not be written there; choose another "
                                 "folder")


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- checking ------------------------------------------------------------------------------------

@dataclass
class CheckReport:
    """What ``worksheets casebook check`` found: SQLite's problems and unreadable records."""

    path: Path
    sqlite_problems: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # "journal entry ID", never text
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.sqlite_problems and not self.unreadable


def check(casebook: Casebook) -> CheckReport:
    """SQLite's full integrity check, then every stored record read back through its model."""
    from ..models import ClientProfile
    from .kinds import DOCUMENTS, RECORDS

    report = CheckReport(casebook.path)
    rows = casebook._read("PRAGMA integrity_check")
    report.sqlite_problems = [r[0] for r in rows if r[0] != "ok"][:20]
    report.sqlite_problems += [f"foreign key: {r[0]} row {r[1]}"
                               for r in casebook._read("PRAGMA foreign_key_check")][:20]
    tables = [("client profile", "SELECT id, profile FROM clients", ClientProfile)]
    tables += [(kind.name, f"SELECT id, body FROM {kind.table}", kind.model) for kind in RECORDS]
    documents = {kind.name: (kind.label, kind.model) for kind in DOCUMENTS}
    for kind, query, model in tables:
        rows = casebook._read(query)
        report.counts[kind] = len(rows)
        for record_id, body in rows:
            try:
                casebook._model(model, body, kind, record_id)
            except CasebookError:
                report.unreadable.append(f"{kind} {record_id}")
    for client_id, kind, body in casebook._read(
            "SELECT c.id, d.kind, d.body FROM documents d JOIN clients c ON c.key = d.client_key"):
        label, model = documents[kind]
        report.counts[label] = report.counts.get(label, 0) + 1
        try:
            casebook._model(model, body, label, client_id)
        except CasebookError:
            report.unreadable.append(f"{label} of client {client_id}")
    return report


# --- restoring -----------------------------------------------------------------------------------

@dataclass
class RestoreResult:
    """Where the backup went, and where the casebook it replaced was kept."""

    path: Path
    kept: list[Path]
    #: The backup was encrypted and the casebook it went into is not.
    decrypted: bool = False


def verify_backup(backup: Path) -> int:
    """Check a backup file (a casebook, whole, not newer); returns its schema version."""
    return _verify_backup(backup)[0]


def _verify_backup(backup: Path) -> tuple[int, Key | None]:
    """The backup's schema version and key (None for a plain backup), once it is checked."""
    if backup.is_dir():
        raise CasebookError(str(backup), "is a folder; give the backup file's path", "missing")
    if not backup.is_file():
        raise CasebookError(str(backup), "there is no backup file here", "missing")
    try:
        header = schema.check_header(backup)
    except CasebookError as error:
        if error.kind == "not-casebook" and backup.suffix.lower() == ".json":
            raise CasebookError(str(backup), "is a client bundle, not a casebook backup; to "
                                             "bring a client in from it, run: worksheets client "
                                             "import FILE", "not-casebook") from None
        raise
    if wal.has_wal(backup):
        raise CasebookError(str(backup), f"{backup.name}-wal lies beside this backup, so it "
                                         "is in use or was not made by 'worksheets backup'; "
                                         "nothing was changed", "foreign-wal")
    key = key_for(backup, header)
    try:
        conn = driver.connect(sqlite_uri(backup, "immutable=1"), key, uri=True)
    except driver.Error as error:
        raise diagnosis.explain(error, backup) from None
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] != schema.APPLICATION_ID:
            raise CasebookError(str(backup), "is a database, but not a casebook backup; "
                                             "nothing was changed", "not-casebook")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > schema.SCHEMA_VERSION:
            raise CasebookError(str(backup), f"was written by a newer version of worksheets "
                                             f"(schema {version}); please update worksheets",
                                "newer")
        if key is not None and conn.execute("PRAGMA cipher_integrity_check").fetchall() or \
                [r[0] for r in conn.execute("PRAGMA integrity_check")] != ["ok"]:
            raise diagnosis.damaged(backup, "SQLite's integrity check failed; choose another "
                                            "backup")
    except driver.DatabaseError as error:
        raise diagnosis.explain(error, backup) from None
    finally:
        conn.close()
    return version, key


def restore(backup: Path, path: Path) -> RestoreResult:
    """Put *backup* in place of the casebook at *path*; nothing is deleted (see the module).

    Only a casebook is ever moved aside: a path that is a link, a folder, a
    device, or a file that is not a casebook at all is refused unchanged.
    """
    from .store import Casebook

    backup, path = Path(backup), Path(path)
    if path.is_symlink():
        raise CasebookError(str(path), "is a symbolic link; give the casebook's real path",
                            "unusable")
    with contextlib.suppress(OSError):
        if path.exists() and backup.samefile(path):
            raise CasebookError(str(path), "the backup and the casebook are the same file",
                                "unusable")
    _, backup_key = _verify_backup(backup)
    # Unique even for two restores in the same second: a kept copy is never replaced.
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    if not path.exists():
        if wal.wal_path(path).exists() or wal.shm_path(path).exists():
            kept = _move_aside([wal.wal_path(path), wal.shm_path(path)], path, stamp)
        else:
            kept = []
        _copy_in_new(backup, path, backup_key)
        return RestoreResult(path, kept)
    schema.check_header(path)  # not a casebook (or a device, a folder): refused, untouched
    try:
        current = Casebook.open(path)
    except CasebookError as error:
        if error.kind not in ("damaged", "damaged-wal", "foreign-wal", "foreign-schema",
                              "record"):
            raise
        return _replace_unusable(backup, path, stamp, backup_key)
    with current:
        aside = path.with_name(f"{path.name}.before-restore-{stamp}")
        try:
            current.backup(aside)
        except CasebookError as error:
            if error.kind != "damaged":
                raise
            damaged_copy = True
        else:
            damaged_copy = False
        if not damaged_copy:
            _copy_into_open(backup, backup_key, current)
            current.record_access("restore", None, "whole casebook")
            return RestoreResult(path, [aside], backup_key is not None and current.key is None)
    # It opens, but SQLite's full check fails: keep it aside whole, as it is.
    return _replace_unusable(backup, path, stamp, backup_key)


def _copy_into_open(backup: Path, backup_key: Key | None, current: Casebook) -> None:
    """Copy *backup* into the open casebook through SQLite, keeping the casebook's own key.

    SQLite's backup copies pages as they are, so a backup with another key (or
    a plain backup into an encrypted casebook) is first re-written with the
    casebook's key into a temporary file beside it.
    """
    from .store import _retry

    path = current.path
    converted = None
    try:
        if backup_key != current.key:
            converted = temp_name(path, "new")
            os.close(create_private(converted))
            _export(backup, backup_key, converted, current.key)
        source_path, source_key = (converted, current.key) if converted else (backup, backup_key)
        source = driver.connect(sqlite_uri(source_path, "immutable=1"), source_key, uri=True)
        try:
            _retry(lambda: source.backup(current._conn), path)
        finally:
            source.close()
    except (OSError, driver.Error) as error:
        raise diagnosis.explain(error, path) from None
    finally:
        if converted is not None:
            for leftover in (converted, converted.with_name(converted.name + "-journal")):
                leftover.unlink(missing_ok=True)


def _export(source: Path, source_key: Key | None, target: Path, target_key: Key | None) -> None:
    """Write the casebook *source* into the empty file *target* with another key (or none)."""
    conn = driver.connect(sqlite_uri(source, "immutable=1"), source_key, uri=True,
                          isolation_level=None)
    try:
        driver.export_to(conn, target, target_key)
    finally:
        conn.close()


def _replace_unusable(backup: Path, path: Path, stamp: str,
                      backup_key: Key | None) -> RestoreResult:
    """Move a casebook that cannot be used aside with its sidecars, then copy the backup in."""
    kept = _move_aside([path, wal.wal_path(path), wal.shm_path(path)], path, stamp)
    _copy_in_new(backup, path, backup_key)
    return RestoreResult(path, kept)


def _move_aside(files: list[Path], path: Path, stamp: str) -> list[Path]:
    moved = []
    for item in files:
        if item.exists():
            target = item.with_name(item.name.replace(path.name, f"{path.name}.unusable-{stamp}",
                                                      1))
            os.rename(item, target)
            moved.append(target)
    fsync_folder(path.parent)
    return moved


def _copy_in_new(backup: Path, path: Path, key: Key | None) -> None:
    tmp = temp_name(path, "new")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(create_private(tmp))
    try:
        source = driver.connect(sqlite_uri(backup, "immutable=1"), key, uri=True)
        target = driver.connect(tmp, key, new=True, isolation_level=None)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
            source.close()
        fsync_file(tmp)
        os.link(tmp, path)  # never over a casebook made meanwhile
        fsync_folder(path.parent)
    except FileExistsError:
        raise CasebookError(str(path), "a casebook appeared here while restoring; nothing was "
                                       "changed, please try again", "busy") from None
    except (OSError, driver.Error) as error:
        raise diagnosis.explain(error, path) from None
    finally:
        tmp.unlink(missing_ok=True)
