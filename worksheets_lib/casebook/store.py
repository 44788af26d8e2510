"""The casebook: one SQLite file holding every client's records.

Every write is one transaction (``BEGIN IMMEDIATE``), retried when another
process holds the lock, and recorded in the audit trail with the time, the
role (therapist or client) and the kind of record, never the client's text
or name. The journal is in WAL mode with ``synchronous=FULL``: an entry is on
disk when its call returns.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import CasebookError, ClientNotFoundError, RecordError
from ..models import (
    ClientProfile,
    GoalPlan,
    HistoryMap,
    JournalEntry,
    LadderAttempt,
    ListeningRecord,
    PacketRecord,
    WorksheetResponse,
    new_id,
)
from . import audit, diagnosis, drafts, driver, location, opening, schema
from .audit import now as _now
from .diagnosis import explain
from .keys import Key
from .kinds import BY_NAME, RECORDS, RecordKind
from .kinds import stored_time as _utc

Role = Literal["therapist", "client"]
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: How long a write waits for another program in all before giving up, in seconds.
BUSY_SECONDS = 20.0
#: After this long waiting, ``Casebook.on_busy`` is called (the apps say "trying again").
BUSY_NOTICE_SECONDS = 1.0
#: One wait inside SQLite; our own loop retries after it, so no single wait runs long.
BUSY_STEP_MS = 200


def check_client_id(client_id: str) -> str:
    """Accept only a well-formed id (no '/', '..', spaces or SQL); never echo it."""
    if not isinstance(client_id, str) or len(client_id) > 64 or not _SLUG.match(client_id):
        raise ClientNotFoundError(
            "not a valid id (lowercase letters, digits and single hyphens, like alex-rivera)")
    return client_id


@dataclass(frozen=True)
class AuditLine:
    """One line of the audit trail: when, who, what was done to which kind of record."""

    seq: int
    at: str
    role: str
    action: str
    kind: str

    def __str__(self) -> str:
        return f"{self.at}  {self.role:<9}  {self.action:<6}  {self.kind}"


class Casebook:
    """An open casebook. Use :func:`open_casebook` (or ``Casebook.open``) to get one."""

    def __init__(self, conn: driver.Connection, path: Path, role: Role,
                 warnings: list[str], identity: opening.FileId | None = None,
                 key: Key | None = None):
        self._conn = conn
        #: The key of an encrypted casebook (None: plain). Backups and bundles use it.
        self.key = key
        self.path = path
        self.role: Role = role
        #: Things the user should know (for example file permissions); never client text.
        self.warnings = warnings
        self._identity = identity or opening.file_id(path)
        #: Called (with the seconds waited so far) while a write waits for another program
        #: for more than a second; the apps use it to say "the casebook is busy, trying again".
        self.on_busy: Callable[[float], None] | None = None

    # -- opening and closing ------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike | None = None, role: Role = "therapist",
             create: bool = False, encrypt: bool | str | None = None) -> Casebook:
        """Open the casebook at *path*; see :mod:`.location` for the default.

        A missing casebook is an error (kind ``missing``) unless *create* is true:
        only the commands that add records make a new casebook. A new one is
        encrypted when *encrypt* is true (None: as ``WORKSHEETS_NEW_CASEBOOKS``
        says); an encrypted one is opened with a key found as :mod:`.keys` says.
        """
        if role not in ("therapist", "client"):
            raise ValueError("role must be 'therapist' or 'client'")
        target = location.resolve_path(path)
        busy_ms = max(1, int(min(BUSY_STEP_MS, BUSY_SECONDS * 1000)))
        conn, identity, warnings, key = opening.connect(target, create, busy_ms, encrypt)
        try:
            _retry(lambda: conn.execute("PRAGMA journal_mode = WAL"), target)
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            # Deleted records are overwritten, not left in free pages.
            conn.execute("PRAGMA secure_delete = ON")
            _retry(lambda: schema.migrate(conn), target)
        except BaseException as error:
            conn.close()
            if isinstance(error, driver.Error | OSError):
                raise explain(error, target) from None
            raise
        return cls(conn, target, role, warnings, identity, key)

    def close(self) -> None:
        """Close the connection (a checkpoint folds the WAL back into the file)."""
        self._conn.close()

    def __enter__(self) -> Casebook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transactions -------------------------------------------------------------------

    def _write(self, work: Callable[[driver.Connection], T]) -> T:
        """Run *work* in one IMMEDIATE transaction, retrying while the file is busy."""

        def attempt() -> T:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(self._conn)
                # A casebook moved, replaced or deleted under us would take this change
                # into a file nobody will open again: refuse it while it can be undone.
                self.check_still_there()
                self._conn.execute("COMMIT")
                return result
            except BaseException:
                if self._conn.in_transaction:
                    with contextlib.suppress(driver.Error):
                        self._conn.execute("ROLLBACK")
                raise

        self.check_still_there()
        try:
            return _retry(attempt, self.path, self.on_busy)
        except (driver.Error, OSError) as error:
            raise explain(error, self.path) from None

    def check_still_there(self) -> None:
        """Raise :class:`CasebookError` (``moved``) when the path no longer names our file."""
        if opening.file_id(self.path) != self._identity:
            raise diagnosis.moved(self.path)

    def _read(self, query: str, args: tuple | list = ()) -> list[tuple]:
        """Run a query, turning SQLite's errors into honest messages."""
        try:
            return self._conn.execute(query, args).fetchall()
        except driver.Error as error:
            raise explain(error, self.path) from None

    def _model(self, model: type[M], body: str, kind: str, record_id: str) -> M:
        """A stored record as its model; a record that no longer validates is named, not shown."""
        try:
            return model.model_validate_json(body)
        except (ValidationError, ValueError, RecursionError):
            raise CasebookError(
                str(self.path), f"the stored {kind} {record_id} cannot be read (it was changed "
                                f"outside worksheets, or is damaged); nothing was changed. "
                                f"Run: worksheets casebook check", "record") from None

    def _audit(self, conn: driver.Connection, action: str, kind: str,
               client_key: str | None) -> None:
        audit.append(conn, self.role, action, kind, client_key)

    def record_access(self, action: str, client_id: str | None = None,
                      kind: str = "client records") -> None:
        """Note in the audit trail that records were read, exported, backed up or restored.

        A casebook that cannot be written just now (read-only, a full disk, busy)
        is still readable: the note is then skipped and :attr:`warnings` says so.
        """
        if action not in audit.ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")

        def work(conn):
            key = self._key(client_id, conn) if client_id is not None else None
            self._audit(conn, action, kind, key)

        try:
            self._write(work)
        except CasebookError as error:
            if error.kind not in ("read-only", "disk-full", "busy"):
                raise
            self.warnings.append(f"this {action} could not be noted in the audit trail "
                                 f"({error.kind.replace('-', ' ')})")

    def verify_audit(self) -> audit.VerifyReport:
        """Recompute the audit trail's hash chain; see :mod:`.audit`."""
        try:
            return audit.verify(self._conn)
        except driver.Error as error:
            raise explain(error, self.path) from None

    def _key(self, client_id: str, conn: driver.Connection | None = None) -> str:
        query, args = "SELECT key FROM clients WHERE id = ?", (check_client_id(client_id),)
        rows = conn.execute(query, args).fetchall() if conn else self._read(query, args)
        if not rows:
            raise ClientNotFoundError()
        return rows[0][0]

    # -- clients --------------------------------------------------------------------------

    def add_client(self, profile: ClientProfile) -> ClientProfile:
        """Store a new client; its ladder steps get stable ids. Returns what was stored."""
        profile = _with_step_ids(profile)

        def work(conn):
            if conn.execute("SELECT 1 FROM clients WHERE id = ?", (profile.id,)).fetchone():
                raise RecordError("id: a client with this id is already in the casebook (to "
                                  "replace their stored profile, add --update)")
            key, now = secrets.token_hex(16), _now()
            conn.execute("INSERT INTO clients (key, id, profile, created_at, updated_at) "
                         "VALUES (?, ?, ?, ?, ?)",
                         (key, profile.id, profile.model_dump_json(), now, now))
            self._audit(conn, "create", "client", key)

        self._write(work)
        return profile

    def get_client(self, client_id: str) -> ClientProfile:
        """The stored profile, or :class:`ClientNotFoundError`."""
        rows = self._read("SELECT profile FROM clients WHERE id = ?",
                          (check_client_id(client_id),))
        if not rows:
            raise ClientNotFoundError()
        return self._model(ClientProfile, rows[0][0], "client profile", client_id)

    def list_clients(self) -> list[ClientProfile]:
        """Every client, by id."""
        rows = self._read("SELECT id, profile FROM clients ORDER BY id")
        return [self._model(ClientProfile, body, "client profile", cid) for cid, body in rows]

    def update_client(self, profile: ClientProfile) -> ClientProfile:
        """Replace a stored profile (found by its id). Returns what was stored.

        A ladder step without an id keeps the id of the stored step with the same
        words, so progress recorded against it stays attached (a client file
        re-read after an edit has no ids).
        """

        def work(conn):
            key = self._key(profile.id, conn)
            stored = self._model(ClientProfile, conn.execute(
                "SELECT profile FROM clients WHERE key = ?", (key,)).fetchone()[0],
                "client profile", profile.id)
            known = {s.step: s.id for s in stored.ladder.steps}
            updated = _with_step_ids(profile, known)
            conn.execute("UPDATE clients SET profile = ?, updated_at = ? WHERE key = ?",
                         (updated.model_dump_json(), _now(), key))
            self._audit(conn, "update", "client", key)
            return updated

        return self._write(work)

    def delete_client(self, client_id: str) -> None:
        """Remove every row of the client, leaving one audit line without their name.

        Their earlier audit lines are redacted (emptied, their hashes kept), so
        the trail's chain still verifies and nothing points at them.
        """

        def work(conn):
            key = self._key(client_id, conn)
            conn.execute("DELETE FROM clients WHERE key = ?", (key,))  # cascades
            audit.redact_client(conn, key)
            self._audit(conn, "delete", "client", None)

        self._write(work)
        self.scrub()

    def scrub(self) -> bool:
        """Fold the ``-wal`` into the file and empty it, so deleted text is gone from both.

        ``secure_delete`` zeroes what a delete frees, but the pages as they were
        stay in the ``-wal`` (and the old pages in the file) until a checkpoint.
        Returns False when another program's read kept the checkpoint from
        finishing; :attr:`warnings` then says so.
        """
        for _ in range(50):
            try:
                busy, log, done = self._conn.execute(
                    "PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            except driver.OperationalError:
                busy, log, done = 1, -1, -2
            if not busy and log == done:
                return True
            time.sleep(0.05)
        self.warnings.append("the deleted records are gone from the casebook, but another "
                             "program was reading it, so their old text may stay in the "
                             "file until that program closes (close the journal app and "
                             "the notebooks)")
        return False

    # -- whole documents: the history map and the goal plan --------------------------------

    def _save_document(self, client_id: str, kind: str, body: BaseModel) -> None:
        def work(conn):
            key = self._key(client_id, conn)
            existed = conn.execute("SELECT 1 FROM documents WHERE client_key = ? AND kind = ?",
                                   (key, kind)).fetchone()
            conn.execute("INSERT INTO documents (client_key, kind, body, updated_at) "
                         "VALUES (?, ?, ?, ?) ON CONFLICT (client_key, kind) DO UPDATE SET "
                         "body = excluded.body, updated_at = excluded.updated_at",
                         (key, kind, body.model_dump_json(), _now()))
            self._audit(conn, "update" if existed else "create", kind, key)

        self._write(work)

    def _load_document(self, client_id: str, kind: str, model: type[M]) -> M:
        key = self._key(client_id)
        rows = self._read("SELECT body FROM documents WHERE client_key = ? AND kind = ?",
                          (key, kind))
        label = {"history": "history map", "plan": "goal plan"}[kind]
        return self._model(model, rows[0][0], label, f"of client {client_id}") if rows \
            else model()

    def save_history(self, client_id: str, history: HistoryMap) -> None:
        """Store the client's history map (replacing the previous one)."""
        self._save_document(client_id, "history", history)

    def load_history(self, client_id: str) -> HistoryMap:
        """The client's history map (empty when none was saved)."""
        return self._load_document(client_id, "history", HistoryMap)

    def save_plan(self, client_id: str, plan: GoalPlan) -> None:
        """Store the client's goal plan (replacing the previous one)."""
        self._save_document(client_id, "plan", plan)

    def load_plan(self, client_id: str) -> GoalPlan:
        """The client's goal plan (empty when none was saved)."""
        return self._load_document(client_id, "plan", GoalPlan)

    # -- journal entries ----------------------------------------------------------------

    def add_journal_entry(self, client_id: str, entry: JournalEntry) -> JournalEntry:
        """Store a new entry; it is on disk when this returns."""

        def work(conn):
            key = self._key(client_id, conn)
            try:
                conn.execute("INSERT INTO journal_entries (id, client_key, at, body, "
                             "updated_at) VALUES (?, ?, ?, ?, ?)",
                             (entry.id, key, _utc(entry.at), entry.model_dump_json(), _now()))
            except driver.IntegrityError:
                raise RecordError("journal entry: an entry with this id already exists") \
                    from None
            self._audit(conn, "create", "journal entry", key)

        self._write(work)
        return entry

    def edit_journal_entry(self, client_id: str, entry: JournalEntry) -> JournalEntry:
        """Replace an existing entry (found by its id)."""

        def work(conn):
            key = self._key(client_id, conn)
            changed = conn.execute("UPDATE journal_entries SET at = ?, body = ?, updated_at = ? "
                                   "WHERE id = ? AND client_key = ?",
                                   (_utc(entry.at), entry.model_dump_json(), _now(), entry.id,
                                    key)).rowcount
            if not changed:
                raise RecordError("journal entry: no entry with this id for this client")
            self._audit(conn, "update", "journal entry", key)

        self._write(work)
        return entry

    def delete_journal_entry(self, client_id: str, entry_id: str) -> None:
        """Remove one of the client's entries (the journal app's "Delete", after a confirm).

        Its text is overwritten in the file and folded out of the ``-wal``.
        """

        def work(conn):
            key = self._key(client_id, conn)
            gone = conn.execute("DELETE FROM journal_entries WHERE id = ? AND client_key = ?",
                                (entry_id, key)).rowcount
            if not gone:
                raise RecordError("journal entry: no entry with this id for this client")
            self._audit(conn, "delete", "journal entry", key)

        self._write(work)
        self.scrub()

    def list_journal(self, client_id: str, start: dt.date | dt.datetime | None = None,
                     end: dt.date | dt.datetime | None = None) -> list[JournalEntry]:
        """Entries from *start* to *end* (dates include the whole day), oldest first."""
        key = self._key(client_id)
        query, args = "SELECT id, body FROM journal_entries WHERE client_key = ?", [key]
        if start is not None:
            query, args = query + " AND at >= ?", [*args, _bound(start, end=False)]
        if end is not None:
            query, args = query + " AND at < ?", [*args, _bound(end, end=True)]
        rows = self._read(query + " ORDER BY at, id", args)
        return [self._model(JournalEntry, body, "journal entry", rid) for rid, body in rows]

    # -- ladder progress, listening talks, packets -----------------------------------------

    def record_ladder_attempt(self, client_id: str, attempt: LadderAttempt) -> LadderAttempt:
        """Store a try of one of the client's ladder steps."""

        def work(conn):
            key = self._key(client_id, conn)
            profile = self._model(ClientProfile, conn.execute(
                "SELECT profile FROM clients WHERE key = ?", (key,)).fetchone()[0],
                "client profile", client_id)
            if attempt.step_id not in {s.id for s in profile.ladder.steps}:
                raise RecordError("ladder attempt: step_id is not a step of this client's ladder")
            existed = _insert_record(conn, BY_NAME["ladder attempt"], attempt, key)
            self._audit(conn, "update" if existed else "create", "ladder attempt", key)

        self._write(work)
        return attempt

    def list_ladder_attempts(self, client_id: str) -> list[LadderAttempt]:
        """Every ladder attempt, oldest first."""
        return self._list(client_id, BY_NAME["ladder attempt"])

    def add_listening_record(self, client_id: str, record: ListeningRecord) -> ListeningRecord:
        """Store one conversation from the listening checklist."""

        def work(conn):
            key = self._key(client_id, conn)
            existed = _insert_record(conn, BY_NAME["listening record"], record, key)
            self._audit(conn, "update" if existed else "create", "listening record", key)

        self._write(work)
        return record

    def list_listening_records(self, client_id: str) -> list[ListeningRecord]:
        """Every listening-checklist conversation, oldest first."""
        return self._list(client_id, BY_NAME["listening record"])

    def log_packet(self, client_id: str, packet: PacketRecord) -> PacketRecord:
        """Note that a packet was generated (its hash, not the PDF)."""

        def work(conn):
            key = self._key(client_id, conn)
            _insert_record(conn, BY_NAME["packet"], packet, key)
            self._audit(conn, "create", "packet", key)

        self._write(work)
        return packet

    def list_packets(self, client_id: str) -> list[PacketRecord]:
        """Every packet generated for the client, oldest first."""
        return self._list(client_id, BY_NAME["packet"])

    def list_responses(self, client_id: str) -> list[WorksheetResponse]:
        """What the client wrote on filled worksheets outside other records, oldest first."""
        return self._list(client_id, BY_NAME["worksheet response"])

    def import_records(self, client_id: str, records: list) -> list[bool]:
        """Store the records read back from one filled worksheet: all of them or none.

        A record whose id is stored already is left as it is, so the same file
        imported twice stores nothing new. One audit line notes the import.
        Returns, for each record, whether it was stored now.
        """
        kinds = {kind.model: kind for kind in RECORDS}

        def work(conn):
            key = self._key(client_id, conn)
            profile = self._model(ClientProfile, conn.execute(
                "SELECT profile FROM clients WHERE key = ?", (key,)).fetchone()[0],
                "client profile", client_id)
            steps = {s.id for s in profile.ladder.steps}
            stored = []
            for record in records:
                kind = kinds[type(record)]
                owner = conn.execute(f"SELECT client_key FROM {kind.table} WHERE id = ?",
                                     (record.id,)).fetchone()
                if owner is not None:
                    if owner[0] != key:
                        raise RecordError(f"{kind.name}: this id belongs to another client")
                    stored.append(False)
                    continue
                if isinstance(record, LadderAttempt) and record.step_id not in steps:
                    raise RecordError("ladder attempt: step_id is not a step of this client's "
                                      "ladder")
                _insert_record(conn, kind, record, key)
                stored.append(True)
            self._audit(conn, "import", "filled worksheet", key)
            return stored

        return self._write(work)

    def count_records(self, client_id: str) -> dict[str, int]:
        """How many records of each kind (see :mod:`.kinds`) the client has.

        Each record is read back through its model, so one that no longer reads is
        named here rather than counted.
        """
        return {kind.name: len(self._list(client_id, kind)) for kind in RECORDS}

    def _list(self, client_id: str, kind: RecordKind) -> list:
        key = self._key(client_id)
        rows = self._read(  # table and order are our own constants (kinds.py)
            f"SELECT id, body FROM {kind.table} WHERE client_key = ? ORDER BY {kind.order}, id",
            (key,))
        return [self._model(kind.model, body, kind.name, rid) for rid, body in rows]

    # -- drafts: unsaved forms (see drafts.py) -------------------------------------------

    def save_draft(self, client_id: str | None, place: str,
                   data: dict) -> drafts.Draft:
        """Keep what is typed in a form at *place*, replacing the draft there before.

        *client_id* None keeps a draft tied to no client (the new-client form).
        One transaction; never audited; never changes a saved record.
        """
        body, place = drafts.encode(data), drafts.check_place(place)
        saved_at = _now()

        def work(conn):
            key = self._key(client_id, conn) if client_id is not None else None
            conn.execute("DELETE FROM drafts WHERE ifnull(client_key, '') = ifnull(?, '') "
                         "AND place = ?", (key, place))
            conn.execute("INSERT INTO drafts (client_key, place, body, saved_at) "
                         "VALUES (?, ?, ?, ?)", (key, place, body, saved_at))

        self._write(work)
        return drafts.Draft(client_id, place, dict(data), dt.datetime.fromisoformat(saved_at))

    def get_draft(self, client_id: str | None, place: str) -> drafts.Draft | None:
        """The draft at *place* (None when there is none, or it cannot be read)."""
        found = [d for d in self.list_drafts(client_id) if d.place == drafts.check_place(place)]
        return found[0] if found else None

    def list_drafts(self, client_id: str | None) -> list[drafts.Draft]:
        """Every draft of the client (or tied to no client), newest first."""
        if client_id is None:
            rows = self._read("SELECT place, body, saved_at FROM drafts "
                              "WHERE client_key IS NULL ORDER BY saved_at DESC")
        else:
            rows = self._read("SELECT place, body, saved_at FROM drafts WHERE client_key = ? "
                              "ORDER BY saved_at DESC", (self._key(client_id),))
        found = (drafts.decode(client_id, *row) for row in rows)
        return [d for d in found if d is not None]

    def discard_draft(self, client_id: str | None, place: str) -> None:
        """Forget the draft at *place* (nothing happens when there is none)."""
        place = drafts.check_place(place)

        def work(conn):
            key = self._key(client_id, conn) if client_id is not None else None
            conn.execute("DELETE FROM drafts WHERE ifnull(client_key, '') = ifnull(?, '') "
                         "AND place = ?", (key, place))

        self._write(work)

    # -- the audit trail ------------------------------------------------------------------

    def audit(self, client_id: str) -> list[AuditLine]:
        """The client's audit trail, oldest first."""
        key = self._key(client_id)
        return self._audit_lines("client_key = ?", (key,))

    def audit_all(self) -> list[AuditLine]:
        """The whole audit trail, including deletions of clients, oldest first."""
        return self._audit_lines("", ())

    def _audit_lines(self, where: str, args: tuple) -> list[AuditLine]:
        rows = self._read(
            f"SELECT seq, at, role, action, kind FROM audit WHERE at IS NOT NULL "
            f"{'AND ' + where if where else ''} ORDER BY at, seq", args)
        return [AuditLine(*row) for row in rows]

    def backup(self, out: str | os.PathLike, passphrase: str | None = None) -> Path:
        """Copy the whole casebook to *out*: a consistent snapshot, even while others write.

        The copy is one self-contained file (no ``-wal`` beside it), made next to
        *out*, checked with SQLite's full integrity check and only then renamed
        into place, readable by you only. A damaged casebook is refused, and an
        earlier backup at *out* is left as it was. An encrypted casebook's copy
        has its key; with *passphrase*, the copy is encrypted with that instead.
        """
        from .backup import backup_to

        return backup_to(self, Path(out), passphrase)

    def integrity_ok(self) -> bool:
        """True when SQLite's full integrity check passes."""
        return self._read("PRAGMA integrity_check")[0][0] == "ok"


def _with_step_ids(profile: ClientProfile, known: dict[str, str] | None = None) -> ClientProfile:
    """Give every ladder step an id: a known one for the same words, else a new one."""
    if all(step.id for step in profile.ladder.steps):
        return profile
    known = dict(known or {})
    taken = {s.id for s in profile.ladder.steps if s.id}
    steps = []
    for step in profile.ladder.steps:
        if not step.id:
            reuse = known.pop(step.step, None)
            step = step.model_copy(update={"id": reuse if reuse and reuse not in taken
                                           else new_id()})
            taken.add(step.id)
        steps.append(step)
    return profile.model_copy(update={"ladder": profile.ladder.model_copy(
        update={"steps": steps})})


def _bound(value: dt.date | dt.datetime, end: bool) -> str:
    """A range bound; a date means the whole local day."""
    if isinstance(value, dt.datetime):
        return _utc(value)
    day = value + dt.timedelta(days=1) if end else value
    return _utc(dt.datetime.combine(day, dt.time()))


def _insert_record(conn, kind: RecordKind, record, key: str) -> bool:
    """Store *record* of *kind* (see :mod:`.kinds`); True when it was there already."""
    if not kind.editable:
        conn.execute(f"INSERT INTO {kind.table} (id, client_key, {', '.join(kind.columns(record))},"
                     f" body) VALUES (?, ?, {', '.join('?' for _ in kind.columns(record))}, ?)",
                     (record.id, key, *kind.columns(record).values(),
                      record.model_dump_json()))
        return False
    return _insert_or_update(conn, kind.table, record.id, key, kind.columns(record),
                             record.model_dump_json())


def _insert_or_update(conn, table: str, record_id: str, key: str, columns: dict[str, str],
                      body: str) -> bool:
    """Insert or replace a record row; True when it existed. *table* is our own constant."""
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns)
    owner = conn.execute(f"SELECT client_key FROM {table} WHERE id = ?", (record_id,)).fetchone()
    if owner and owner[0] != key:
        raise RecordError("record: this id belongs to another client")
    conn.execute(f"INSERT INTO {table} (id, client_key, {names}, body, updated_at) "
                 f"VALUES (?, ?, {marks}, ?, ?) ON CONFLICT (id) DO UPDATE SET {updates}, "
                 f"body = excluded.body, updated_at = excluded.updated_at",
                 (record_id, key, *columns.values(), body, _now()))
    return owner is not None


def _retry(action: Callable[[], T], path: Path | str = "",
           on_busy: Callable[[float], None] | None = None) -> T:
    """Run *action*, retrying while another program holds the casebook, for a bounded time.

    SQLite waits at most ``BUSY_STEP_MS`` at a time; this loop retries with a
    short random pause (so that waiting programs take turns), calls *on_busy*
    once a wait passes ``BUSY_NOTICE_SECONDS``, and gives up with a "busy"
    error after ``BUSY_SECONDS``.
    """
    started = time.monotonic()
    while True:
        try:
            return action()
        except driver.OperationalError as error:
            message = str(error).lower()
            if "locked" not in message and "busy" not in message:
                raise  # the caller says what it means for its own file
            waited = time.monotonic() - started
            if waited > BUSY_SECONDS:
                raise diagnosis.busy(Path(path)) from None
            if on_busy is not None and waited > BUSY_NOTICE_SECONDS:
                on_busy(waited)
            time.sleep(random.uniform(0.002, 0.02))


def open_casebook(path: str | os.PathLike | None = None, role: Role = "therapist",
                  create: bool = False, encrypt: bool | str | None = None) -> Casebook:
    """Open a casebook (making a new one only with *create*); see :meth:`Casebook.open`."""
    return Casebook.open(path, role, create, encrypt)


__all__ = ["AuditLine", "Casebook", "check_client_id", "open_casebook"]
