"""Saying what is actually wrong with a casebook, and what to do about it.

Only a failing integrity check is "damaged". A read-only folder, a full disk,
a busy casebook or a file moved away under a running program each get their
own message, because the advice differs: "restore from a backup" said about a
healthy casebook on a full disk invites overwriting good data.

Every message names the casebook file, never a client's text.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ..errors import CasebookError
from . import driver

RESTORE = "worksheets casebook restore BACKUP"


def missing(path: Path) -> CasebookError:
    from .location import default_path

    return CasebookError(
        str(path), f"there is no casebook here; check the path (yours is usually "
                   f"{default_path()}). To start a new casebook on purpose, run: worksheets "
                   f"casebook init --casebook PATH", "missing")


def damaged(path: Path, what: str = "SQLite's integrity check failed") -> CasebookError:
    return CasebookError(
        str(path), f"is damaged ({what}); it was left untouched. Put your latest backup in "
                   f"its place with: {RESTORE} (the damaged file is kept beside it)", "damaged")


def damaged_wal(path: Path, commits: int) -> CasebookError:
    changes = "1 saved change that is" if commits == 1 else f"{commits} saved changes that are"
    return CasebookError(
        str(path), f"its journal file {path.name}-wal holds {changes} damaged and "
                   f"cannot be read; nothing was changed. Keep that file (it may still be "
                   f"recovered) and put your latest backup in place with: {RESTORE}",
        "damaged-wal")


def foreign_wal(path: Path) -> CasebookError:
    return CasebookError(
        str(path), f"the file is whole, but {path.name}-wal beside it was left by another copy "
                   f"of the casebook (for example when a backup is copied over a casebook after "
                   f"a crash), and the two do not fit together; nothing was changed. To put a "
                   f"backup in place, use: {RESTORE} (it keeps the current files aside)",
        "foreign-wal")


def replaced_under(path: Path) -> CasebookError:
    return CasebookError(
        str(path), f"the file was moved or replaced while another program had the casebook "
                   f"open, and {path.name}-wal and {path.name}-shm beside it still belong to "
                   f"that program; nothing was changed. Close the other programs (the journal "
                   f"app, notebooks), then try again", "replaced")


def moved(path: Path) -> CasebookError:
    return CasebookError(
        str(path), "was moved, replaced or deleted while it was open, so this change was not "
                   "saved; close this program and open the casebook again", "moved")


def read_only(path: Path) -> CasebookError:
    return CasebookError(
        str(path), "cannot be written: the file or its folder is read-only (the casebook also "
                   f"needs to write {path.name}-wal and {path.name}-shm beside it). Nothing was "
                   "lost; make the folder writable, or copy the casebook to a folder you can "
                   "write to", "read-only")


def disk_full(path: Path) -> CasebookError:
    return CasebookError(
        str(path), "the disk is full, so nothing could be saved or opened just now; "
                   "everything saved before is safe. Free some space and try again",
        "disk-full")


def no_access(path: Path) -> CasebookError:
    return CasebookError(
        str(path), "cannot be opened: permission denied for the file or a folder on its path "
                   "(check who owns them, and their permissions); nothing was changed",
        "no-access")


def busy(path: Path) -> CasebookError:
    return CasebookError(str(path), "is busy in another program; try again in a moment",
                         "busy")


def explain(error: BaseException, path: Path) -> CasebookError:
    """Turn an error from SQLite or the operating system into an honest CasebookError."""
    if isinstance(error, CasebookError):
        return error
    if isinstance(error, OSError):
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return disk_full(path)
        if error.errno == errno.ENAMETOOLONG:
            return CasebookError(str(path), "the file name is too long; choose a shorter one",
                                 "missing")
        if error.errno in (errno.EACCES, errno.EPERM) and not _readable(path):
            return no_access(path)
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return read_only(path)
        reason = error.strerror or "input/output error"
        return CasebookError(str(path), f"cannot be used: {reason}", "unusable")
    name = getattr(error, "sqlite_errorname", "") or ""
    message = str(error).lower()
    if name == "SQLITE_FULL" or "disk is full" in message:
        return disk_full(path)
    if name == "SQLITE_READONLY_DBMOVED":
        return moved(path)
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM")) or "readonly" in message:
        return read_only(path)
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in message:
        if not _readable(path):
            return no_access(path)
        return read_only(path) if _not_writable(path) else CasebookError(
            str(path), "cannot be opened (its file or folder may have been moved or its "
                       "permissions changed); nothing was changed", "unusable")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in message \
            or "busy" in message:
        return busy(path)
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in message \
            or "not a database" in message:
        return damaged(path, "SQLite cannot read part of it")
    if name.startswith("SQLITE_IOERR") and low_on_space(path.parent):
        return disk_full(path)
    if name.startswith("SQLITE_IOERR"):
        return CasebookError(str(path), "could not be read or written (an input/output error "
                                        "from the disk); nothing was changed. Check the disk, "
                                        "then try again", "unusable")
    if isinstance(error, driver.Error):
        return CasebookError(str(path), f"cannot be used ({name or type(error).__name__})",
                             "unusable")
    raise error


def low_on_space(folder: Path, margin: int = 1 << 20) -> bool:
    """True when the disk holding *folder* has less than *margin* bytes free.

    SQLite reports some writes on a full disk (a journal growing, a sync) as an
    input/output error; the free space tells the two apart.
    """
    try:
        info = os.statvfs(folder)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < margin


def _readable(path: Path) -> bool:
    """Whether this process may read *path* (and reach it through its folders)."""
    try:
        return os.access(path, os.R_OK) if path.exists() else os.access(path.parent, os.X_OK)
    except OSError:
        return False


def _not_writable(path: Path) -> bool:
    for target in (path, path.parent):
        if target.exists() and not os.access(target, os.W_OK):
            return True
    return False
