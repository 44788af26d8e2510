"""Importing a bundle never reverts a newer edit, and the audit trail travels with it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from conftest import run
from worksheets_lib import load_client
from worksheets_lib.casebook import export_client, import_bundle, open_casebook, parse_bundle
from worksheets_lib.errors import BundleError
from worksheets_lib.models import Caregiver, HistoryMap, JournalEntry

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "alex-rivera.yaml"
CLIENT = "alex-rivera"


def history(who: str) -> HistoryMap:
    return HistoryMap(caregivers=[Caregiver(who=who)])


@pytest.fixture
def older_bundle(tmp_path) -> tuple[Path, Path]:
    """A casebook, and a bundle exported from it before the history and profile were edited."""
    path = tmp_path / "casebook.sqlite3"
    with open_casebook(path, create=True) as book:
        book.add_client(load_client(EXAMPLE))
        book.save_history(CLIENT, history("Nana, before"))
        bundle = tmp_path / "old.json"
        (bundle).write_text(export_client(book, CLIENT).model_dump_json(), encoding="utf-8")
        time.sleep(0.01)
        book.save_history(CLIENT, history("Nana, edited later"))
        profile = book.get_client(CLIENT)
        book.update_client(profile.model_copy(update={"name": "Alex (edited later)"}))
    return path, bundle


def test_an_older_bundle_keeps_the_newer_edits_and_says_so(older_bundle, capsys):
    path, bundle = older_bundle
    code, out, err = run(capsys, "client", "import", bundle, "--casebook", path)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        "alex-rivera: kept the casebook's newer profile, history map (changed after this "
        "bundle was made; use --replace to take the bundle's)")
    with open_casebook(path) as book:
        assert book.load_history(CLIENT).caregivers[0].who == "Nana, edited later"
        assert book.get_client(CLIENT).name == "Alex (edited later)"


def test_replace_takes_the_bundles_documents(older_bundle, capsys):
    path, bundle = older_bundle
    code, out, err = run(capsys, "client", "import", bundle, "--replace", "--casebook", path)
    assert (code, err) == (0, "")
    assert "replaced client, history" in out
    with open_casebook(path) as book:
        assert book.load_history(CLIENT).caregivers[0].who == "Nana, before"
        assert book.get_client(CLIENT).name != "Alex (edited later)"


def test_a_newer_bundle_replaces_an_older_copy(tmp_path):
    a, b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    with open_casebook(a, create=True) as book:
        book.add_client(load_client(EXAMPLE))
        book.save_history(CLIENT, history("first"))
        import_bundle(open_casebook(b, create=True), export_client(book, CLIENT))
        time.sleep(0.01)
        book.save_history(CLIENT, history("second"))
        newer = export_client(book, CLIENT)
    with open_casebook(b) as other:
        result = import_bundle(other, newer)
        assert result.replaced == ["history"] and result.kept_newer == []
        assert other.load_history(CLIENT).caregivers[0].who == "second"


def test_a_version_1_bundle_uses_its_export_time(older_bundle):
    path, bundle = older_bundle
    data = json.loads(bundle.read_text(encoding="utf-8"))
    data["version"] = 1
    del data["updated"], data["audit"]
    with open_casebook(path) as book:
        result = import_bundle(book, parse_bundle(data))
        assert result.kept_newer == ["profile", "history map"]


@pytest.mark.parametrize(("version", "message"), [
    ("2", "version: must be a whole number, like 2"),
    (2.0, "version: must be a whole number, like 2"),
    (True, "version: must be a whole number, like 2"),
    (None, "version: must be a whole number, like 2"),
    (3, "was written by a newer version of worksheets (bundle version 3"),
])
def test_a_bundle_version_that_is_not_ours_is_refused(older_bundle, version, message):
    _, bundle = older_bundle
    data = json.loads(bundle.read_text(encoding="utf-8"))
    data["version"] = version
    with pytest.raises(BundleError) as excinfo:
        parse_bundle(data)
    assert message in str(excinfo.value)


def test_the_audit_trail_survives_export_and_import(tmp_path):
    a, b = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    with open_casebook(a, create=True) as book:
        book.add_client(load_client(EXAMPLE))
    with open_casebook(a, role="client") as book:
        book.add_journal_entry(CLIENT, JournalEntry(feeling="calm"))
    with open_casebook(a) as book:
        original = [(x.at, x.role, x.action, x.kind) for x in book.audit(CLIENT)]
        bundle = export_client(book, CLIENT)
    with open_casebook(b, create=True) as other:
        first = import_bundle(other, bundle)
        assert first.audit_lines == len(original)
        moved = [(x.at, x.role, x.action, x.kind) for x in other.audit(CLIENT)]
        assert set(original) <= set(moved)
        assert ("client", "create", "journal entry") in {m[1:] for m in moved}
        assert moved == sorted(moved)  # oldest first, the imported history included
        again = import_bundle(other, bundle)
        assert again.audit_lines == 0 and not again.changed
        assert len(other.audit(CLIENT)) == len(moved)
