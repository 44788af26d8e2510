"""The casebook's sidecar files (``-wal`` and ``-shm``), looked at without touching them.

SQLite owns its sidecars: it creates them, replays a crash's ``-wal`` and
removes both when the last connection closes. This module never deletes or
writes them (deleting another program's live ``-wal`` is how entries get
lost). It only answers two questions before a casebook is opened:

* Is another program using the casebook right now? (:func:`in_use`) Every
  open WAL connection holds a lock on byte 128 of the ``-shm`` file; Linux
  lists such locks in ``/proc/locks``, so the answer needs no file of ours
  opened (closing one would drop this process's own SQLite locks).
* Does a ``-wal`` left by a crash hold committed changes that SQLite would
  silently skip because a frame before them is damaged? SQLite replays frames
  up to the first bad checksum and drops the rest: :func:`frames` lists the
  commits the frame headers show, :func:`replayed_frames` reads where SQLite
  stopped from its ``-shm`` index.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

WAL_MAGIC = (0x377F0682, 0x377F0683)  # checksums little-endian, big-endian
WAL_HEADER = 32
FRAME_HEADER = 24
SHM_DMS_BYTE = 128  # SQLite's unix VFS: the "dead man switch" lock every connection holds


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def shm_path(path: Path) -> Path:
    return path.with_name(path.name + "-shm")


def has_wal(path: Path) -> bool:
    """True when a non-empty ``-wal`` lies beside *path*."""
    try:
        return wal_path(path).stat().st_size > 0
    except OSError:
        return False


def in_use(path: Path) -> bool | None:
    """Whether some program has the casebook open; None when this system cannot tell."""
    return _locked(shm_path(path), SHM_DMS_BYTE)


def in_use_by_others(path: Path) -> bool | None:
    """Whether a program other than this one has the casebook open."""
    return _locked(shm_path(path), SHM_DMS_BYTE, exclude_pid=os.getpid())


def file_locked(path: Path) -> bool | None:
    """Whether some program holds a lock on the casebook file itself (any byte).

    Every open WAL connection keeps a shared lock on its database file while it
    has the ``-shm`` open, so ``-shm`` in use while the file at *path* is not
    locked means the sidecars belong to another file: the casebook was moved or
    replaced under a running program.
    """
    return _locked(path, None)


def locked_by_this_process(path: Path) -> bool | None:
    """Whether this process holds a lock on *path* (an open SQLite connection of ours)."""
    return _locked(path, None, os.getpid())


def _locked(path: Path, byte: int | None, pid: int | None = None,
            exclude_pid: int | None = None) -> bool | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return False
    except OSError:
        return None
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    wanted = (os.major(info.st_dev), os.minor(info.st_dev), info.st_ino)
    for line in lines:
        parts = line.split()
        if "->" in parts:  # a process waiting for the lock, not holding it
            continue
        try:
            device = next(p for p in parts if p.count(":") == 2)
            start, end = parts[parts.index(device) + 1:parts.index(device) + 3]
            major, minor, inode = device.split(":")
            found = (int(major, 16), int(minor, 16), int(inode))
            covers = byte is None or (int(start) <= byte
                                      and (end == "EOF" or int(end) >= byte))
        except (StopIteration, ValueError):
            continue
        if found == wanted and covers and (pid is None or str(pid) in parts) \
                and (exclude_pid is None or str(exclude_pid) not in parts):
            return True
    return False


@dataclass(frozen=True)
class WalFrames:
    """What a ``-wal`` file holds, from its frame headers (no checksums computed).

    ``commits`` lists, for each committed transaction of the current generation,
    its last frame's number (1-based) and whether it changes any page from what
    the casebook file holds (a transaction already folded into the file loses
    nothing when SQLite skips it).
    """

    header_ok: bool
    commits: tuple[tuple[int, bool, bool], ...]  # (last frame, changes the file, whole)
    size: int

    def dropped(self, replayed: int) -> int:
        """Whole committed transactions that change the file, past where SQLite stopped.

        A transaction whose frames are not all whole was being written when its
        program died (SQLite writes a frame's header and its page separately):
        it was never committed, and SQLite is right to skip it.
        """
        return sum(1 for frame, changes, whole in self.commits
                   if frame > replayed and changes and whole)


def frames(path: Path, after: int = 0, page_size: int | None = None) -> WalFrames | None:
    """Scan the ``-wal`` beside *path*: its committed transactions of the current generation.

    The generation is the header's salts; when the header itself is damaged
    (SQLite then ignores the whole file), the salts most frames carry. Only
    frames past *after* (where SQLite stopped replaying) get their checksums
    computed; the ones before are SQLite's, and whole. *page_size* is given for
    an encrypted casebook, whose file header cannot be read without its key.
    """
    wal = wal_path(path)
    try:
        with wal.open("rb") as handle:
            data = handle.read()
    except OSError:
        return None
    page_size = page_size or _page_size(path)
    if len(data) < WAL_HEADER or page_size is None:
        return WalFrames(True, (), len(data))
    magic, _version, header_page, _seq, salt1, salt2, check1, check2 = \
        struct.unpack(">8I", data[:WAL_HEADER])
    order = ">" if magic & 1 else "<"
    header_ok = (magic in WAL_MAGIC and header_page == page_size
                 and _checksum(data[:24], order) == (check1, check2))
    frame_size = FRAME_HEADER + page_size
    headers = [struct.unpack(">4I", data[offset:offset + 16])
               for offset in range(WAL_HEADER, len(data) - frame_size + 1, frame_size)]
    if not header_ok:
        counts: dict[tuple[int, int], int] = {}
        for _page, commit, f1, f2 in headers:
            if commit:
                counts[(f1, f2)] = counts.get((f1, f2), 0) + 1
        # A real -wal's frames share their salts; a stray file's bytes do not.
        if not counts or max(counts.values()) < 2:
            return WalFrames(False, (), len(data))
        salt1, salt2 = max(counts, key=counts.get)
    commits = []
    changes, whole = False, True
    previous = (check1, check2)  # the running checksum stored before each frame
    with open(path, "rb") as main:
        for number, (page, commit_size, f1, f2) in enumerate(headers, start=1):
            start = WAL_HEADER + (number - 1) * frame_size
            stored = struct.unpack(">2I", data[start + 16:start + 24])
            if (f1, f2) != (salt1, salt2) or not page:
                previous = stored
                whole = False
                continue
            if number > after:
                frame = data[start:start + 8] + data[start + FRAME_HEADER:start + frame_size]
                whole = whole and _running_checksum(frame, previous, order) == stored
            previous = stored
            offset = start + FRAME_HEADER
            main.seek((page - 1) * page_size)
            changes = changes or main.read(page_size) != data[offset:offset + page_size]
            if commit_size:
                commits.append((number, changes, whole))
                changes, whole = False, True
    return WalFrames(header_ok, tuple(commits), len(data))


def _page_size(path: Path) -> int | None:
    try:
        with open(path, "rb") as handle:
            header = handle.read(18)
    except OSError:
        return None
    if len(header) < 18:
        return None
    size = int.from_bytes(header[16:18], "big")
    return 65536 if size == 1 else size


def _checksum(data: bytes, order: str) -> tuple[int, int]:
    """SQLite's WAL checksum over *data* (the header's first 24 bytes here)."""
    return _running_checksum(data, (0, 0), order)


def _running_checksum(data: bytes, start: tuple[int, int], order: str) -> tuple[int, int]:
    """SQLite's WAL checksum, continuing from *start*: one frame checked on its own."""
    s0, s1 = start
    words = struct.unpack(f"{order}{len(data) // 4}I", data)
    for index in range(0, len(words), 2):
        s0 = (s0 + words[index] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[index + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def replayed_frames(path: Path) -> int | None:
    """How many ``-wal`` frames SQLite accepted, from its index in ``-shm`` (after a read).

    SQLite checks every frame's checksum when it rebuilds the index and stops at
    the first bad one; ``mxFrame`` in the index header is where it stopped.
    Only called when no program holds the casebook, so opening ``-shm`` here
    cannot drop a lock of this process's own.
    """
    try:
        with shm_path(path).open("rb") as handle:
            header = handle.read(48)
    except OSError:
        return None
    if len(header) < 48 or header[12] != 1:  # isInit
        return None
    return struct.unpack_from("=I", header, 16)[0]
