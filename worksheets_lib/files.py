"""Writing files so that a failure never leaves half a file behind.

A file is written to a hidden temporary file in the same folder, flushed to
disk, renamed over the target, and the folder itself is flushed so the rename
survives a power cut. Before anything is written, :func:`check_target` refuses
a target that must not be replaced: a symbolic link, anything but a regular
file (``/dev/null`` as root would be replaced), a protected file (the casebook,
its ``-wal``/``-shm``, the client file being read), or an existing file that
is not one of ours (a PDF, a bundle, a casebook backup) unless forced. The
command line sets the protected files and ``--force`` with :func:`guarded`.

A temporary name carries the writing process's id, so the next write into the
folder removes what a killed writer left behind (a packet's hidden temporary
file holds the whole packet).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import secrets
import stat
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from .errors import OutputError

#: ``.NAME.PID.RANDOM.tmp``: ours, and whose writer can be asked after.
_TEMP = re.compile(r"^\..+\.(?P<pid>\d+)\.[0-9a-f]{12}\.(?:tmp|new)(?:-journal|-wal|-shm)?$")
#: A temporary file older than this is stale even if its process id was reused.
STALE_SECONDS = 24 * 3600


#: What each kind of output starts with, so an existing file can be told to be ours.
_OURS = {
    # Our PDFs name worksheets as their creator (base.html.j2's generator).
    "pdf": lambda head, tail: head.startswith(b"%PDF-") and _made_by_us(tail),
    "bundle": lambda head, tail: head.lstrip().startswith(b"{")
    and b'"worksheets-client-bundle"' in head
    or head.startswith(b"worksheets-sealed-bundle 1\n"),
    # A backup is a casebook in rollback-journal mode (bytes 18-19 are 1, 1); a live
    # casebook is in WAL mode (2, 2) and is never taken for one.
    "backup": lambda head, tail: head.startswith(b"SQLite format 3\x00") and len(head) >= 72
    and head[68:72] == (0x5753434B).to_bytes(4, "big") and head[18:20] == b"\x01\x01",
}
def _made_by_us(tail: bytes) -> bool:
    """Whether a PDF's end holds ``/Creator (worksheets)``, plain or in a compressed stream."""
    import zlib

    if b"/Creator (worksheets)" in tail:
        return True
    # The Info dictionary sits in an object stream near the end: only those are opened.
    for match in re.finditer(rb"/Type\s*/ObjStm[^>]*>>\s*stream\r?\n(.*?)\r?\nendstream",
                             tail, re.S):
        try:
            if b"/Creator (worksheets)" in zlib.decompressobj().decompress(match.group(1),
                                                                          1 << 20):
                return True
        except zlib.error:
            continue
    return False


_KIND_NAMES = {"pdf": "PDF", "bundle": "bundle", "backup": "casebook backup"}

_GUARD: contextvars.ContextVar[tuple[tuple[tuple[Path, str], ...], bool]] = \
    contextvars.ContextVar("worksheets_output_guard", default=((), False))


@contextlib.contextmanager
def guarded(protected: Sequence[tuple[Path, str]], force: bool = False) -> Iterator[None]:
    """Within this block, outputs never replace *protected* files (path, what it is).

    *force* allows replacing an existing regular file that is not one of ours
    (never a protected one, a link, a folder or a device).
    """
    token = _GUARD.set((tuple((Path(p), what) for p, what in protected), force))
    try:
        yield
    finally:
        _GUARD.reset(token)


def pinned(out: Path) -> Path:
    """*out* with its folder resolved once (links followed).

    Later steps use this path, so a link changed meanwhile cannot send them elsewhere.
    """
    return Path(os.path.realpath(out.parent)) / out.name


def check_target(out: Path, kind: str = "pdf", shown: str | None = None) -> None:
    """Refuse an output path that must not be written; see the module notes.

    *shown* is the path as the user gave it, for messages.
    """
    protected, force = _GUARD.get()
    shown = shown or str(out)
    out = pinned(out)
    try:
        info = os.lstat(out)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise OutputError(shown, _reason(error, "cannot be used")) from None
    for path, what in protected:
        same = str(out) == os.path.realpath(path)
        with contextlib.suppress(OSError):
            same = same or (info is not None and out.samefile(path))
        if same:
            raise OutputError(shown, f"that is {what}; choose another file name")
    for sidecar in ("-wal", "-shm", "-journal"):  # a file SQLite keeps beside a database
        if out.name.endswith(sidecar) and out.with_name(out.name[:-len(sidecar)]).exists():
            raise OutputError(shown, "that name belongs to a database's own files; choose "
                                     "another file name")
    if info is None:
        return
    if stat.S_ISLNK(info.st_mode):
        raise OutputError(shown, "is a symbolic link; give the path of a real file")
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(shown, "is a folder; give a file name")
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(shown, "is not a regular file (a device, pipe or socket); "
                                 "choose a file name")
    if info.st_nlink > 1:
        raise OutputError(shown, "has another name (a hard link); choose another file name")
    if kind == "backup" and any(out.with_name(out.name + s).exists() for s in ("-wal", "-shm")):
        raise OutputError(shown, "is a casebook in use (a -wal or -shm lies beside it), not "
                                 "a backup; choose another file name")
    if force:
        return
    try:
        with open(out, "rb") as handle:
            head = handle.read(4096)
            handle.seek(max(0, info.st_size - 65536))
            tail = handle.read()
    except OSError as error:
        raise OutputError(shown, _reason(error, "cannot be read")) from None
    if kind == "backup" and not head.startswith(b"SQLite format 3\x00"):
        from .casebook.keys import readable_header

        head = readable_header(head) or head  # an encrypted backup, with a key we have
    if not _OURS[kind](head, tail):
        raise OutputError(shown, f"a file that is not a {_KIND_NAMES[kind]} made by "
                                 "worksheets is already there; choose another name, or add "
                                 "--force to replace it")


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


def make_folder(folder: Path) -> None:
    """Create *folder* (and its parents) readable by you only, if it is not there."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):  # mkdir(parents=True) gives parents the umask's mode
        with contextlib.suppress(FileExistsError):
            new.mkdir(mode=0o700)
            os.chmod(new, 0o700)


def write_atomically(out: Path, data: bytes, kind: str = "pdf") -> None:
    """Write *data* to *out* (mode 0600) through a temporary file in the same folder."""
    shown = Path(out)
    try:
        if not shown.parent.exists():
            check_target(shown, kind)  # before any folder is made
            make_folder(shown.parent)
        out = pinned(shown)  # from here on, links changed meanwhile cannot redirect us
        check_target(out, kind, str(shown))
    except OSError as error:
        raise OutputError(str(shown), _reason(error, "cannot create the file")) from None
    tmp = temp_name(out)
    try:
        clean_stale_temps(out.parent)
        fd = create_private(tmp)
    except OSError as error:
        raise OutputError(str(shown), _reason(error, "cannot create the file")) from None
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
            raise OutputError(str(shown), _reason(error, "cannot write the file")) from None
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
