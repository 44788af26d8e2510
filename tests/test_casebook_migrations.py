"""Every casebook fixture of an earlier (or the current) schema opens and migrates cleanly."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

import pytest
import rawdb

from worksheets_lib import open_casebook
from worksheets_lib.casebook import SCHEMA_VERSION

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "casebooks").glob("schema-v*.sqlite3"))


def test_there_is_a_fixture_for_every_schema_version():
    versions = {int(p.stem.removeprefix("schema-v")) for p in FIXTURES}
    assert versions == set(range(1, SCHEMA_VERSION + 1))


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_fixture_casebook_migrates_with_every_record_intact(tmp_path, fixture, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")  # date ranges are local days; the fixture's times are UTC
    time.tzset()
    path = tmp_path / "casebook.sqlite3"
    shutil.copy(fixture, path)
    path.chmod(0o600)
    with open_casebook(path, create=True) as casebook:
        assert casebook.warnings == []
        [client] = casebook.list_clients()
        assert client.id == "alex-rivera" and client.name == "Alex"
        assert len(client.ladder.steps) == 6 and all(s.id for s in client.ladder.steps)
        entries = casebook.list_journal(client.id)
        assert [e.intensity for e in entries] == [4, 5, 6]
        assert casebook.list_journal(client.id, start=dt.date(2026, 11, 21),
                                     end=dt.date(2026, 11, 21))[0].intensity == 5
        [attempt] = casebook.list_ladder_attempts(client.id)
        assert attempt.step_id == client.ladder.steps[1].id and attempt.distress_after == 15
        assert casebook.load_history(client.id).caregivers[0].who == "Grandmother"
        assert casebook.load_plan(client.id).goals[0].check_in == "each session"
        assert casebook.list_listening_records(client.id)[0].eye_contact is True
        if fixture.stem >= "schema-v3":
            [response] = casebook.list_responses(client.id)
            assert response.answers["experiment.tried"] is True
        if fixture.stem >= "schema-v4":
            draft = casebook.get_draft(client.id, "journal.entry")
            assert draft.data == {"what_happened": "Half-written: Maya called", "intensity": 4}
        else:
            assert casebook.list_drafts(client.id) == []
        assert casebook.integrity_ok()
        report = casebook.verify_audit()  # lines written before the chain are chained too
        assert report.ok and report.lines >= 6
    conn = rawdb.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
