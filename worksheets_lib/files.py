"""Writing files so that a failure never leaves half a file behind.

A file is written to a hidden temporary file in the same folder, flushed to
disk, renamed over the target, and the folder itself is flushed so the rename
survives a power cut. A temporary name carries the writing process's id, so
the next write into the folder removes what a killed writer left behind (a
packet's hidden temporary file holds the whole packet).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from pathlib import Path

from .errors import OutputError

#: ``.NAME.PID.RANDOM.tmp``: ours, and whose writer can be asked after.
_TEMP = re.compile(r"^\..+\.(?P<pid>\d+)\.[0-9a-f]{12}\.(?:tmp|new)$")
#: A temporary file older than this is stale even if its process id was reused.
STALE_SECONDS = 24 * 3600


def temp_name(out: Path, suffix: str = "tmp") -> Path:
    """A hidden temporary path beside *out*, tagged with this process's id."""
    return out.with_name(f".{out.name[:120]}.{os.getpid()}.{secrets.token_hex(6)}.{suffix}")


def create_private(path: Path) -> int:
    """Create *path* (which must not exist) readable by its owner only; returns the fd."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                   0o600)


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename or link in it) to disk, where the system allows."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename is still atomic
    finally:
        os.close(fd)


def clean_stale_temps(folder: Path) -> int:
    """Remove our temporary files whose writer has died; returns how many."""
    removed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    now = time.time()
    for name in names:
        match = _TEMP.match(name)
        if not match:
            continue
        path = folder / name
        pid = int(match["pid"])
        with contextlib.suppress(OSError):
            if _alive(pid) and now - path.lstat().st_mtime < STALE_SECONDS:
                continue
            path.unlink()
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def write_atomically(out: Path, data: bytes) -> None:
    """Write *data* to *out* (mode 0600) through a temporary file in the same folder."""
    tmp = temp_name(out)
    try:
        if out.is_dir():
            raise OutputError(str(out), "is a folder; give a file name ending in .pdf")
        out.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_temps(out.parent)
        fd = create_private(tmp)
    except OSError as error:
        raise OutputError(str(out), _reason(error, "cannot create the file")) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, out)
        fsync_folder(out.parent)
    except BaseException as error:
        tmp.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(str(out), _reason(error, "cannot write the file")) from None
        raise


def _reason(error: OSError, default: str) -> str:
    import errno

    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full; nothing was written (free some space and try again)"
    if error.errno == errno.ENAMETOOLONG:
        return "the file name is too long; choose a shorter one"
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the folder is read-only or not yours to write in; choose another folder"
    return (error.strerror or default).lower() if error.strerror else default
