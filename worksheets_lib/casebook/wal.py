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
  silently skip because a frame before them is damaged? (:func:`inspect`)
  SQLite replays frames up to the first bad checksum and drops the rest.
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
class WalReport:
    """What a ``-wal`` file holds: frames SQLite will replay, and committed ones it would drop."""

    replayed_frames: int
    dropped_commits: int
    salts: tuple[int, int] | None
    size: int

    @property
    def damaged(self) -> bool:
        return self.dropped_commits > 0


def inspect(path: Path) -> WalReport | None:
    """Read the ``-wal`` beside *path* and check its checksums; None when there is none."""
    wal = wal_path(path)
    try:
        with wal.open("rb") as handle:
            data = handle.read()
    except OSError:
        return None
    if len(data) < WAL_HEADER:
        return WalReport(0, 0, None, len(data))
    magic, _version, page_size, _seq, salt1, salt2, check1, check2 = \
        struct.unpack(">8I", data[:WAL_HEADER])
    if magic not in WAL_MAGIC or page_size < 512 or page_size & (page_size - 1):
        # Not a WAL SQLite would replay: it ignores the file, nothing is dropped.
        return WalReport(0, 0, None, len(data))
    order = ">" if magic & 1 else "<"
    if _checksum(data[:24], (0, 0), order) != (check1, check2):
        return WalReport(0, 0, (salt1, salt2), len(data))
    frame_size = FRAME_HEADER + page_size
    sums = (check1, check2)
    replayed = valid = 0
    dropped = 0
    broken = False
    offset = WAL_HEADER
    while offset + frame_size <= len(data):
        page, commit_size, f_salt1, f_salt2, f_check1, f_check2 = \
            struct.unpack(">6I", data[offset:offset + FRAME_HEADER])
        ours = (f_salt1, f_salt2) == (salt1, salt2)
        if broken:
            dropped += ours and commit_size != 0 and page != 0
        elif not ours or page == 0:
            break  # an older generation of the file: SQLite stops here, and so do we
        else:
            sums = _checksum(data[offset:offset + 8] + data[offset + FRAME_HEADER:
                                                            offset + frame_size], sums, order)
            if sums != (f_check1, f_check2):
                broken = True
            else:
                valid += 1
                if commit_size:
                    replayed = valid
        offset += frame_size
    return WalReport(replayed, dropped, (salt1, salt2), len(data))


def _checksum(data: bytes, start: tuple[int, int], order: str) -> tuple[int, int]:
    """SQLite's WAL checksum: running sums over pairs of 32-bit words."""
    s0, s1 = start
    words = struct.unpack(f"{order}{len(data) // 4}I", data)
    mask = 0xFFFFFFFF
    for index in range(0, len(words), 2):
        s0 = (s0 + words[index] + s1) & mask
        s1 = (s1 + words[index + 1] + s0) & mask
    return s0, s1
