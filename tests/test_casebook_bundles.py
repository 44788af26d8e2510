"""Export and import bundles: one client's records, merged by id, refused whole when
wrong.
"""

from __future__ import annotations

import json

import pytest
from casebook_common import SECRET, bundle_without_time, fill, mode_of, state

from worksheets_lib.casebook import (
    BUNDLE_VERSION,
    export_client,
    import_bundle,
    open_casebook,
    parse_bundle,
    read_bundle,
    write_bundle,
)
from worksheets_lib.errors import BundleError
from worksheets_lib.models import (
    JournalEntry,
    new_id,
)

# --- export and import -----------------------------------------------------------------------

@pytest.fixture
def filled(cb_path, alex):
    """A casebook where alex-rivera has a record of every kind."""
    with open_casebook(cb_path, create=True) as book:
        book.add_client(alex)
        fill(book, "alex-rivera")
    return cb_path


def test_export_then_import_gives_the_same_records(filled, tmp_path):
    with open_casebook(filled, create=True) as source:
        bundle_path = write_bundle(source, "alex-rivera", tmp_path / "alex.json")
        exported = bundle_without_time(source, "alex-rivera")
    assert mode_of(bundle_path) == 0o600
    with open_casebook(tmp_path / "other.sqlite3", create=True) as target:
        result = import_bundle(target, read_bundle(bundle_path))
        assert result.new_client and result.changed
        assert result.added == {"journal entry": 3, "ladder attempt": 1, "listening record": 1,
                                "packet": 1, "worksheet response": 1}
        assert sorted(result.replaced) == ["history", "plan"]
        assert bundle_without_time(target, "alex-rivera") == exported
        assert {line.role for line in target.audit("alex-rivera")} == {"therapist"}
    assert exported["journal"] and exported["history"] and exported["plan"]


def test_importing_the_same_bundle_twice_changes_nothing(filled, tmp_path):
    with open_casebook(filled, create=True) as source:
        bundle = export_client(source, "alex-rivera")
    with open_casebook(tmp_path / "other.sqlite3", create=True) as target:
        assert import_bundle(target, bundle).changed
        before = state(target), bundle_without_time(target, "alex-rivera")
        second = import_bundle(target, bundle)
        assert second.changed is False
        assert not second.new_client and second.replaced == []
        assert set(second.added.values()) == {0}
        assert (state(target), bundle_without_time(target, "alex-rivera")) == before
    with open_casebook(filled, create=True) as source:  # back into the casebook it came from
        before = state(source)
        assert import_bundle(source, bundle).changed is False
        assert state(source) == before


def test_journal_entries_merge_by_id_without_duplicates(cb_path, tmp_path, alex):
    other_path = tmp_path / "other.sqlite3"
    with open_casebook(cb_path, create=True) as a:
        a.add_client(alex)
        first = a.add_journal_entry("alex-rivera", JournalEntry(feeling="first"))
        bundle = export_client(a, "alex-rivera")
    with open_casebook(other_path, create=True) as b:
        import_bundle(b, bundle)
        in_b = b.add_journal_entry("alex-rivera", JournalEntry(feeling="written in b"))
    with open_casebook(cb_path, create=True) as a:
        in_a = a.add_journal_entry("alex-rivera", JournalEntry(feeling="written in a"))
        bundle = export_client(a, "alex-rivera")
    with open_casebook(other_path, create=True) as b:
        result = import_bundle(b, bundle)
        assert result.added["journal entry"] == 1
        ids = [e.id for e in b.list_journal("alex-rivera")]
    assert sorted(ids) == sorted([first.id, in_b.id, in_a.id])
    assert len(ids) == len(set(ids)) == 3


def test_an_import_keeps_an_entry_the_casebook_already_has(filled, tmp_path):
    with open_casebook(filled, create=True) as source:
        bundle = export_client(source, "alex-rivera")
        entry = source.list_journal("alex-rivera")[0]
        source.edit_journal_entry("alex-rivera", entry.model_copy(update={"feeling": "edited"}))
        result = import_bundle(source, bundle)
        assert result.added["journal entry"] == 0
        kept = {e.id: e for e in source.list_journal("alex-rivera")}
    assert kept[entry.id].feeling == "edited"


def bundle_data(filled) -> dict:
    with open_casebook(filled, create=True) as source:
        return export_client(source, "alex-rivera").model_dump(mode="json")


def test_a_bundle_from_a_newer_version_is_refused(filled):
    data = bundle_data(filled)
    data["version"] = 99
    with pytest.raises(BundleError, match="newer") as excinfo:
        parse_bundle(data)
    assert "99" in str(excinfo.value)


@pytest.mark.parametrize("content", [
    "this is not json {", '{"hello": "world"}', "[1, 2, 3]", '"worksheets-client-bundle"',
    '{"format": "something-else", "version": 1}', "\udcff"],
    ids=["not-json", "other-json", "a-list", "a-string", "other-format", "not-utf8"])
def test_a_file_that_is_not_a_bundle_is_refused(tmp_path, content):
    path = tmp_path / "notes.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(BundleError, match="not a bundle") as excinfo:
        read_bundle(path)
    assert str(excinfo.value).startswith("notes.json: ")


def test_an_invalid_field_in_a_bundle_is_named_by_its_path_without_its_value(filled, tmp_path):
    data = bundle_data(filled)
    data["journal"][1]["intensity"] = 11
    data["journal"][2]["feeling"] = SECRET * 10
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BundleError) as excinfo:
        read_bundle(path)
    assert excinfo.value.lines() == [
        "bad.json: journal[1].intensity: must be between 0 and 10",
        "bad.json: journal[2].feeling: must be at most 60 characters"]
    assert SECRET not in str(excinfo.value)


def test_a_ladder_attempt_of_a_step_no_longer_on_the_ladder_is_imported_as_history(filled,
                                                                                  tmp_path):
    data = bundle_data(filled)
    gone = new_id()
    data["ladder_attempts"][0]["step_id"] = gone  # the step was taken off the ladder since
    bundle = parse_bundle(data)
    with open_casebook(tmp_path / "target.sqlite3", create=True) as target:
        import_bundle(target, bundle)
        attempts = target.list_ladder_attempts("alex-rivera")
    assert gone in {a.step_id for a in attempts}
    assert len(attempts) == len(data["ladder_attempts"])


def test_refused_bundles_change_nothing_in_the_target(filled, tmp_path, alex):
    good = bundle_data(filled)
    newer = {**good, "version": BUNDLE_VERSION + 1}
    invalid = {**good, "packets": [{**good["packets"][0], "pages": 0}]}
    target_path = tmp_path / "target.sqlite3"
    with open_casebook(target_path, create=True) as target:
        target.add_client(alex.model_copy(update={"id": "bea"}))
        fill(target, "bea")
        before = state(target), bundle_without_time(target, "bea")
        for name, data in (("newer", newer), ("invalid", invalid),
                           ("not-a-bundle", {"format": "nope"})):
            path = tmp_path / f"{name}.json"
            path.write_text(json.dumps(data), encoding="utf-8")
            with pytest.raises(BundleError):
                import_bundle(target, read_bundle(path))
        assert (state(target), bundle_without_time(target, "bea")) == before
