"""Export one client to a portable, versioned JSON bundle, and import it again.

Importing is idempotent: the same bundle twice changes nothing. Records merge
by their ids: a record missing from the casebook is added, and a record the
casebook already has is kept as it is, so an import never overwrites an entry
someone saved. The profile, history map and goal plan are replaced by the
bundle's when they differ, unless the casebook's copy was changed after the
bundle's (an older bundle never reverts a newer edit; ``replace=True`` takes
the bundle's all the same). The client's audit trail travels in the bundle
and is merged line by line. The whole import is one transaction.

Version 2 added the times each document was last changed and the audit
trail; version 1 bundles are still read (their export time stands in for the
change times).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, Field, StrictInt, ValidationError

from ..errors import BundleError, RecordError
from ..files import write_atomically
from ..models import (
    ClientProfile,
    GoalPlan,
    HistoryMap,
    JournalEntry,
    LadderAttempt,
    ListeningRecord,
    PacketRecord,
    WorksheetResponse,
)
from ..models.common import Model, sane_moment
from ..models.problems import problems_from
from . import audit
from .keys import Key
from .kinds import RECORDS, AuditKind
from .store import Casebook, _insert_record, _now, _utc, _with_step_ids, check_client_id

#: A moment with its time zone: an export time without one could not be compared.
AwareMoment = Annotated[AwareDatetime, AfterValidator(sane_moment)]

BUNDLE_FORMAT = "worksheets-client-bundle"
BUNDLE_VERSION = 2
#: Limits of one bundle (documented in the README); over them, one line and nothing stored.
MAX_BUNDLE_BYTES = 50_000_000
MAX_JOURNAL_ENTRIES = 50_000
MAX_OTHER_RECORDS = 10_000
MAX_AUDIT_LINES = 200_000
DOCUMENT_LABELS = {"client": "profile", "history": "history map", "plan": "goal plan"}




class BundleAuditLine(Model):
    """One line of the client's audit trail: when, who, what, which kind (never text).

    Only our own words are accepted, so a bundle cannot put text (or terminal
    control codes) into the trail, nor claim that something was deleted.
    """

    at: AwareMoment
    role: Literal["therapist", "client"]
    action: Literal["create", "update", "read", "export", "import"]
    kind: AuditKind


class Bundle(Model):
    """Everything about one client, as written by :func:`export_client`."""

    format: Literal["worksheets-client-bundle"]
    version: StrictInt = Field(ge=1)
    exported_at: AwareMoment
    #: When the casebook's profile ("client"), "history" and "plan" were last changed.
    updated: dict[Literal["client", "history", "plan"], AwareMoment] = Field(
        default_factory=dict)
    audit: list[BundleAuditLine] = Field(default_factory=list, max_length=MAX_AUDIT_LINES)
    client: ClientProfile
    history: HistoryMap | None = None
    plan: GoalPlan | None = None
    journal: list[JournalEntry] = Field(default_factory=list, max_length=MAX_JOURNAL_ENTRIES)
    ladder_attempts: list[LadderAttempt] = Field(default_factory=list,
                                                 max_length=MAX_OTHER_RECORDS)
    listening: list[ListeningRecord] = Field(default_factory=list, max_length=MAX_OTHER_RECORDS)
    packets: list[PacketRecord] = Field(default_factory=list, max_length=MAX_OTHER_RECORDS)
    responses: list[WorksheetResponse] = Field(default_factory=list,
                                               max_length=MAX_OTHER_RECORDS)


@dataclass
class ImportResult:
    """What an import changed: counts per kind of record, and whether the client was new."""

    client_id: str
    new_client: bool = False
    added: dict[str, int] = field(default_factory=dict)
    replaced: list[str] = field(default_factory=list)
    #: Documents whose casebook copy was newer than the bundle's, and so kept.
    kept_newer: list[str] = field(default_factory=list)
    audit_lines: int = 0

    @property
    def changed(self) -> bool:
        return self.new_client or bool(self.replaced) or any(self.added.values()) \
            or bool(self.audit_lines)


def export_client(casebook: Casebook, client_id: str) -> Bundle:
    """Collect everything about one client."""
    history = casebook.load_history(client_id)
    plan = casebook.load_plan(client_id)
    key = casebook._key(client_id)
    updated = {"client": casebook._read("SELECT updated_at FROM clients WHERE key = ?",
                                        (key,))[0][0]}
    updated.update(casebook._read("SELECT kind, updated_at FROM documents WHERE client_key = ?",
                                  (key,)))
    audit = casebook._read("SELECT at, role, action, kind FROM audit WHERE client_key = ? "
                           "AND action IN ('create', 'update', 'read', 'export', 'import') "
                           "ORDER BY seq", (key,))
    return Bundle(
        format=BUNDLE_FORMAT, version=BUNDLE_VERSION,
        exported_at=dt.datetime.now(dt.UTC),
        updated=updated,
        audit=[BundleAuditLine(at=at, role=role, action=action, kind=kind)
               for at, role, action, kind in audit],
        client=casebook.get_client(client_id),
        history=history if history != HistoryMap() else None,
        plan=plan if plan != GoalPlan() else None,
        journal=casebook.list_journal(client_id),
        ladder_attempts=casebook.list_ladder_attempts(client_id),
        listening=casebook.list_listening_records(client_id),
        packets=casebook.list_packets(client_id),
        responses=casebook.list_responses(client_id))


def write_bundle(casebook: Casebook, client_id: str, out: str | os.PathLike,
                 seal: Literal["casebook", "passphrase", "plain"] | None = None,
                 passphrase: str | None = None) -> Path:
    """Export one client to the JSON file *out* (written atomically, readable by you only).

    *seal* says how the file is encrypted (see :mod:`.sealing`): with the
    casebook's key (the default for an encrypted casebook), with *passphrase*,
    or not at all (``"plain"``, the default for a plain casebook).
    """
    from . import sealing

    mode = seal or ("casebook" if casebook.key is not None else "plain")
    if mode == "casebook" and casebook.key is None:
        raise BundleError(str(out), ["cannot be sealed with the casebook's key: this casebook "
                                     "is not encrypted (use a passphrase instead)"])
    if mode == "passphrase":
        passphrase = sealing.check_passphrase(passphrase)
    bundle = export_client(casebook, client_id)
    data = bundle.model_dump_json(indent=1).encode("utf-8")
    if mode == "casebook":
        data = sealing.seal(data, key=casebook.key)
    elif mode == "passphrase":
        data = sealing.seal(data, passphrase=passphrase)
    out = Path(out)
    write_atomically(out, data, kind="bundle")
    casebook.record_access("export", client_id)
    return out


def read_bundle(path: str | os.PathLike, keys: Iterable[Key] | None = None,
                passphrase: Callable[[], str | None] = lambda: None) -> Bundle:
    """Read and check a bundle file; problems name fields, never the client's text.

    A sealed bundle is opened with one of *keys* (casebook keys; by default the
    keys this program knows, see :func:`.keys.known_keys`) or the text
    *passphrase()* returns; see :mod:`.sealing`.
    """
    from . import keys as casebook_keys
    from . import sealing

    path = Path(path)
    source = path.name
    try:
        if path.exists() and not path.is_file():
            raise BundleError(str(path), ["is not a regular file; give the bundle's path"])
        with path.open("rb") as handle:
            raw = handle.read(MAX_BUNDLE_BYTES + 1)
    except OSError as error:
        raise BundleError(str(path), [error.strerror or "cannot be read"]) from None
    if len(raw) > MAX_BUNDLE_BYTES:
        raise BundleError(source, ["the file is too large to be a bundle"])
    if sealing.is_sealed(raw):
        found = casebook_keys.known_keys() if keys is None else keys
        raw = sealing.unseal(raw, source, found, passphrase)
    try:
        data = json.loads(raw.decode("utf-8"),
                          parse_int=lambda text: int(text) if len(text) <= 100 else text)
    except RecursionError:
        raise BundleError(source, ["is nested too deeply to be a bundle"]) from None
    except (UnicodeDecodeError, ValueError):
        raise BundleError(source, ["is not a bundle (not JSON written by 'client export')"]) \
            from None
    return parse_bundle(data, source)


def parse_bundle(data: Any, source: str = "bundle") -> Bundle:
    """Check already-parsed bundle data."""
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT:
        raise BundleError(source, ["is not a bundle written by 'worksheets client export'"])
    version = data.get("version")
    if type(version) is not int:
        raise BundleError(source, ["version: must be a whole number, like 2 (this file was "
                                   "changed by hand, or not written by 'client export')"])
    if version > BUNDLE_VERSION:
        raise BundleError(source, [f"was written by a newer version of worksheets (bundle "
                                   f"version {version}, this version reads up to "
                                   f"{BUNDLE_VERSION}); please update worksheets"])
    try:
        return Bundle.model_validate(data)
    except ValidationError as error:
        raise BundleError(source, [str(p) for p in problems_from(error)]) from None


def import_bundle(casebook: Casebook, bundle: Bundle, replace: bool = False) -> ImportResult:
    """Restore a bundle into *casebook*, merging with what is there (one transaction).

    A profile, history map or goal plan changed in the casebook after the
    bundle's copy was is kept (named in ``kept_newer``) unless *replace*.
    Ladder attempts are history: one may point at a step since taken off the
    ladder, and is imported all the same.
    """
    profile = _with_step_ids(bundle.client)
    check_client_id(profile.id)

    def changed_at(kind: str) -> str:
        """A document keeps the time it was last changed, wherever it travels."""
        when = bundle.updated.get(kind)
        return _utc(when) if when is not None and when.tzinfo is not None else _now()

    def newer_here(result: ImportResult, kind: str, stored_at: str) -> bool:
        """The casebook's copy changed after the bundle's: keep it (unless replacing)."""
        bundle_at = bundle.updated.get(kind, bundle.exported_at)
        if replace or bundle_at.tzinfo is None:
            return False
        if dt.datetime.fromisoformat(stored_at) > bundle_at:
            result.kept_newer.append(DOCUMENT_LABELS[kind])
            return True
        return False

    def work(conn) -> ImportResult:
        result = ImportResult(profile.id)
        row = conn.execute("SELECT key, profile, updated_at FROM clients WHERE id = ?",
                           (profile.id,)).fetchone()
        if row is None:
            key = secrets.token_hex(16)
            conn.execute("INSERT INTO clients (key, id, profile, created_at, updated_at) "
                         "VALUES (?, ?, ?, ?, ?)",
                         (key, profile.id, profile.model_dump_json(), _now(),
                          changed_at("client")))
            casebook._audit(conn, "create", "client", key)
            result.new_client = True
        else:
            key = row[0]
            stored_profile = casebook._model(ClientProfile, row[1], "client profile",
                                             profile.id)
            if stored_profile != profile and not newer_here(result, "client", row[2]):
                conn.execute("UPDATE clients SET profile = ?, updated_at = ? WHERE key = ?",
                             (profile.model_dump_json(), changed_at("client"), key))
                casebook._audit(conn, "update", "client", key)
                result.replaced.append("client")
        for kind, document, model in (("history", bundle.history, HistoryMap),
                                      ("plan", bundle.plan, GoalPlan)):
            if document is None:
                continue
            stored = conn.execute("SELECT body, updated_at FROM documents WHERE client_key = ? "
                                  "AND kind = ?", (key, kind)).fetchone()
            if stored and casebook._model(model, stored[0], DOCUMENT_LABELS[kind],
                                          f"of client {profile.id}") == document:
                continue
            if stored and newer_here(result, kind, stored[1]):
                continue
            conn.execute("INSERT INTO documents (client_key, kind, body, updated_at) "
                         "VALUES (?, ?, ?, ?) ON CONFLICT (client_key, kind) DO UPDATE SET "
                         "body = excluded.body, updated_at = excluded.updated_at",
                         (key, kind, document.model_dump_json(), changed_at(kind)))
            casebook._audit(conn, "update" if stored else "create", kind, key)
            result.replaced.append(kind)
        for kind in RECORDS:  # records merge by their ids: what is there stays as it is
            result.added[kind.name] = 0
            for record in getattr(bundle, kind.bundle_field):
                if _has(conn, kind.table, record.id, key):
                    continue
                _insert_record(conn, kind, record, key)
                casebook._audit(conn, "create", kind.name, key)
                result.added[kind.name] += 1
        for line in bundle.audit:
            at = _utc(line.at)
            if conn.execute("SELECT 1 FROM audit WHERE client_key = ? AND at = ? AND role = ? "
                            "AND action = ? AND kind = ?",
                            (key, at, line.role, line.action, line.kind)).fetchone():
                continue
            audit.append(conn, line.role, line.action, line.kind, key, at=at)
            result.audit_lines += 1
        if result.changed:
            casebook._audit(conn, "import", "client records", key)
        return result

    return casebook._write(work)


def _has(conn, table: str, record_id: str, key: str) -> bool:
    """Whether this client already has the record; another client's id is an error."""
    row = conn.execute(f"SELECT client_key FROM {table} WHERE id = ?", (record_id,)).fetchone()
    if row and row[0] != key:
        raise RecordError(f"bundle: a record id in it belongs to another client ({table})")
    return row is not None
