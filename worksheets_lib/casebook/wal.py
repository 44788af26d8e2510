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
    shm = shm_path(path)
    try:
        info = shm.stat()
    except FileNotFoundError:
        return False  # every open WAL connection has the -shm file
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
            covers = int(start) <= SHM_DMS_BYTE and (end == "EOF" or int(end) >= SHM_DMS_BYTE)
        except (StopIteration, ValueError):
            continue
        if found == wanted and covers:
            return True
    return False


@dataclass(frozen=True)
class WalFrames:
    """What a ``-wal`` file holds, from its frame headers alone (no checksums computed)."""

    commits: tuple[int, ...]  # frame numbers (1-based) of commit frames of this generation
    salts: tuple[int, int] | None
    size: int

    def dropped(self, replayed: int) -> int:
        """Committed transactions beyond the *replayed* frames SQLite accepted."""
        return sum(1 for frame in self.commits if frame > replayed)


def frames(path: Path) -> WalFrames | None:
    """Scan the ``-wal`` beside *path*: its commit frames of the current generation."""
    wal = wal_path(path)
    try:
        with wal.open("rb") as handle:
            data = handle.read()
    except OSError:
        return None
    if len(data) < WAL_HEADER:
        return WalFrames((), None, len(data))
    magic, _version, page_size, _seq, salt1, salt2, _c1, _c2 = \
        struct.unpack(">8I", data[:WAL_HEADER])
    if magic not in WAL_MAGIC or page_size < 512 or page_size & (page_size - 1):
        return WalFrames((), None, len(data))  # not a WAL SQLite would replay
    commits = []
    frame_size = FRAME_HEADER + page_size
    number, offset = 0, WAL_HEADER
    while offset + frame_size <= len(data):
        number += 1
        page, commit_size, f_salt1, f_salt2 = struct.unpack(">4I", data[offset:offset + 16])
        if (f_salt1, f_salt2) == (salt1, salt2) and page and commit_size:
            commits.append(number)
        offset += frame_size
    return WalFrames(tuple(commits), (salt1, salt2), len(data))


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
