"""The audit trail: every change, read, export, backup and import, in a hash chain.

Each line holds when, which role (therapist or client), what was done
(``create``, ``update``, ``delete``, ``read``, ``export``, ``backup``,
``import``, ``restore``) and to which kind of record, and points at a client
through a random key, never a name, an id or client text.

Each line also stores ``line_hash`` (SHA-256 of its own contents) and
``chain`` (SHA-256 of the previous line's chain and its own line hash), so
editing, removing or reordering a line breaks every chain value after it:
:func:`verify` finds the first line that does not fit. Deleting a client
*redacts* their lines: the contents are cleared but both hashes stay, so the
chain still verifies and the lines point at nobody.

The chain has no secret key: someone able to rewrite the whole file could
recompute it. :func:`verify` prints the newest chain value; noting it down
outside the computer (in the paper file, say) anchors everything before it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from . import driver

GENESIS = "0" * 64
ACTIONS = ("create", "update", "delete", "read", "export", "backup", "import", "restore")


def line_hash(at: str, role: str, action: str, kind: str, client_key: str | None) -> str:
    """SHA-256 of one line's contents."""
    text = json.dumps([at, role, action, kind, client_key], ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def chained(previous: str, this_line: str) -> str:
    return hashlib.sha256(f"{previous}:{this_line}".encode("ascii")).hexdigest()


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def append(conn: driver.Connection, role: str, action: str, kind: str,
           client_key: str | None, at: str | None = None) -> None:
    """Add one line at the end of the chain (inside the caller's write transaction)."""
    at = at or now()
    row = conn.execute("SELECT chain FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    own = line_hash(at, role, action, kind, client_key)
    conn.execute("INSERT INTO audit (at, role, action, kind, client_key, line_hash, chain) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (at, role, action, kind, client_key, own, chained(row[0] if row else GENESIS,
                                                                   own)))


def redact_client(conn: driver.Connection, client_key: str) -> None:
    """Clear a deleted client's lines; their hashes stay, so the chain still verifies."""
    conn.execute("UPDATE audit SET at = NULL, role = NULL, action = NULL, kind = NULL, "
                 "client_key = NULL WHERE client_key = ?", (client_key,))


def chain_existing(conn: driver.Connection) -> None:
    """Give lines written before the chain existed their hashes, in order (a migration)."""
    previous = GENESIS
    rows = conn.execute("SELECT seq, at, role, action, kind, client_key FROM audit "
                        "ORDER BY seq").fetchall()
    for seq, at, role, action, kind, client_key in rows:
        own = line_hash(at, role, action, kind, client_key)
        previous = chained(previous, own)
        conn.execute("UPDATE audit SET line_hash = ?, chain = ? WHERE seq = ?",
                     (own, previous, seq))


@dataclass(frozen=True)
class VerifyReport:
    """What :func:`verify` found: lines checked, redacted, the first bad one, the head."""

    lines: int
    redacted: int
    first_bad: int | None  # the seq of the first line that does not fit
    head: str

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def verify(conn: driver.Connection) -> VerifyReport:
    """Recompute every line's hash and the chain, oldest first."""
    previous, count, redacted = GENESIS, 0, 0
    rows = conn.execute("SELECT seq, at, role, action, kind, client_key, line_hash, chain "
                        "FROM audit ORDER BY seq")
    for seq, at, role, action, kind, client_key, own, chain in rows:
        count += 1
        if at is None and role is None and action is None and kind is None:
            redacted += 1  # a deleted client's line: only its hash can be checked
        elif line_hash(at, role, action, kind, client_key) != own:
            return VerifyReport(count, redacted, seq, previous)
        if chained(previous, own) != chain:
            return VerifyReport(count, redacted, seq, previous)
        previous = chain
    return VerifyReport(count, redacted, None, previous)
