"""``worksheets client import-answers``: a filled, fillable worksheet back into the casebook.

Runs on plain and encrypted casebooks (see conftest.CASEBOOK_SUITE). The packets
are filled by real readers (pdf.js and pdfium, tests/support/pdf_readers.py) or
changed with pikepdf to play a hostile or broken file. Every refusal is one
``error:`` line, exit 1, and leaves the casebook exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pikepdf
import pytest
from support.pdf_readers import fill_with_pdfium, fill_with_pdfjs, node_ready

from helpers import run
from worksheets_lib.casebook import open_casebook
from worksheets_lib.casebook import store as store_module
from worksheets_lib.progress import review

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "alex-rivera.yaml"
SECRET = "Quokka-secret-words"
READERS = {"pdf.js": fill_with_pdfjs, "pdfium": fill_with_pdfium}


@pytest.fixture
def book(tmp_path, monkeypatch, capsys):
    """A casebook holding the demo client; its path is in WORKSHEETS_CASEBOOK."""
    path = tmp_path / "casebook.sqlite3"
    monkeypatch.setenv("WORKSHEETS_CASEBOOK", str(path))
    code, _, err = run(capsys, "client", "add", "--from", EXAMPLE)
    assert code == 0, err
    return path


@pytest.fixture
def packet(book, tmp_path, capsys):
    """A fillable packet of the journal, the ladder, the listening page and the experiment."""
    out = tmp_path / "packet.pdf"
    code, _, err = run(capsys, "packet", "--client-id", "alex-rivera", "--fillable",
                       "--worksheets", "journal,ladder,listening,experiment", "--out", out)
    assert code == 0, err
    return out


def steps(book) -> list:
    with open_casebook(book) as casebook:
        return casebook.get_client("alex-rivera").ladder.sorted_steps()


def answers(book) -> dict:
    """Values a client types: two journal days, ladder tries, a talk, an experiment answer."""
    second = steps(book)[1].id
    return {
        "journal.day-1.date": "20/11/2026",
        "journal.day-1.what-happened": f"Sam texted late. {SECRET}",
        "journal.day-1.feeling": "left out",
        "journal.day-1.intensity": "7",
        "journal.day-1.paused": "yes",
        "journal.day-1.pause-named": True,
        "journal.day-1.afterwards": "more-distant",
        "journal.day-2.date": "2026-11-21",
        "journal.day-2.feeling": "calm",
        "journal.look-back-1-7.glad": "I asked for a hug.",
        f"ladder.step-{second}.try-1.date": "19.11.2026",
        f"ladder.step-{second}.try-1.upset-after": "35",
        "ladder.log-1.date": "21/11/2026",
        "ladder.log-1.rung": "1",
        "ladder.log-1.upset-before": "40",
        "ladder.log-1.upset-after": "15",
        "ladder.log-1.happened": "It went fine.",
        "listening.talk-1.date": "18/11/2026",
        "listening.talk-1.eye-contact": True,
        "listening.talk-1.reflected-back": True,
        "listening.after-talk": "Slow down.",
        "experiment.thought": "They will laugh at me.",
    }


def counts(book) -> dict:
    with open_casebook(book) as casebook:
        return casebook.count_records("alex-rivera")


def filled(reader, source, target, values):
    if reader == "pdf.js" and not node_ready():
        pytest.skip("pdf.js is installed by ./run test (npm ci in tests/js)")
    return READERS[reader](source, target, values)


@pytest.mark.parametrize("reader", READERS)
def test_a_packet_filled_in_a_reader_comes_back_as_records(book, packet, tmp_path, capsys,
                                                           reader):
    done = filled(reader, packet, tmp_path / "filled.pdf", answers(book))
    code, out, err = run(capsys, "client", "import-answers", done)
    assert code == 0, err
    assert SECRET not in out + err and "left out" not in out + err
    assert "stored journal entry: day 1, 20 November 2026" in out
    assert "stored journal entry: day 2, 21 November 2026" in out
    assert "stored ladder attempt: rung 2, 19 November 2026" in out
    assert "stored ladder attempt: rung 1, 21 November 2026 (practice log, row 1)" in out
    assert "stored listening record: talk 1, 18 November 2026" in out
    assert "stored worksheet response: journal (1 answer)" in out
    assert "stored worksheet response: experiment (1 answer)" in out
    with open_casebook(book) as casebook:
        entries = casebook.list_journal("alex-rivera")
        attempts = casebook.list_ladder_attempts("alex-rivera")
        [talk] = casebook.list_listening_records("alex-rivera")
        responses = {r.document: r for r in casebook.list_responses("alex-rivera")}
        client = casebook.get_client("alex-rivera")
        [packet_log] = casebook.list_packets("alex-rivera")
    first = entries[0]
    assert first.what_happened == f"Sam texted late. {SECRET}"
    assert (first.feeling, first.intensity, first.paused, first.afterwards) == (
        "left out", 7, True, "more distant")
    assert first.pause_named == "left out" and first.at.date() == dt.date(2026, 11, 20)
    assert entries[1].feeling == "calm" and entries[1].intensity is None
    by_date = {a.tried_on: a for a in attempts}
    assert by_date[dt.date(2026, 11, 19)].distress_after == 35
    log = by_date[dt.date(2026, 11, 21)]
    assert (log.step_id, log.distress_before, log.distress_after, log.happened) == (
        client.ladder.sorted_steps()[0].id, 40, 15, "It went fine.")
    assert talk.eye_contact and talk.reflected_back and not talk.distractions_away
    assert talk.reflection == "Slow down."
    assert responses["experiment"].answers == {"experiment.thought": "They will laugh at me."}
    assert responses["experiment"].packet_id == packet_log.id
    assert responses["journal"].answers == {"journal.look-back-1-7.glad": "I asked for a hug."}
    # The progress review sees what came in.
    summary = review(client, entries, attempts, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert len(summary.entries) == 2 and summary.rungs[1].tries


def test_importing_the_same_file_twice_stores_nothing_new(book, packet, tmp_path, capsys):
    done = fill_with_pdfium(packet, tmp_path / "filled.pdf", answers(book))
    assert run(capsys, "client", "import-answers", done)[0] == 0
    before = counts(book)
    code, out, _ = run(capsys, "client", "import-answers", done, "--client-id", "alex-rivera")
    assert code == 0
    assert "stored" not in out.replace("already", "")
    assert "already imported: journal entry: day 1, 20 November 2026" in out
    assert counts(book) == before
    with open_casebook(book) as casebook:
        imports = [line for line in casebook.audit("alex-rivera") if line.action == "import"]
    assert [line.kind for line in imports] == ["filled worksheet", "filled worksheet"]


def test_empty_fields_store_nothing_and_a_part_filled_day_stores_what_is_there(
        book, packet, tmp_path, capsys):
    code, out, _ = run(capsys, "client", "import-answers", packet)
    assert code == 0 and "nothing to store" in out
    assert counts(book)["journal entry"] == 0
    done = fill_with_pdfium(packet, tmp_path / "f.pdf", {"journal.day-3.body": "tight chest"})
    code, out, _ = run(capsys, "client", "import-answers", done)
    assert code == 0
    assert "stored journal entry: day 3, 27 November 2026" in out  # session 24 Nov + 3
    assert "has no date" in out
    with open_casebook(book) as casebook:
        [entry] = casebook.list_journal("alex-rivera")
    assert entry.body == "tight chest" and entry.feeling is None and entry.paused is None


def test_a_ladder_printed_from_a_client_file_matches_rungs_by_number(book, tmp_path, capsys):
    # A client file's steps have no ids: its fields are rung-1, rung-2...; they are matched
    # to the casebook client's ladder, easiest first, as printed.
    out = tmp_path / "ladder.pdf"
    assert run(capsys, "render", "ladder", "--client", EXAMPLE, "--fillable", "--out", out)[0] == 0
    done = fill_with_pdfium(out, tmp_path / "f.pdf", {"ladder.rung-3.try-1.date": "2026-11-19",
                                                      "ladder.rung-3.try-1.upset-after": "40"})
    code, printed, err = run(capsys, "client", "import-answers", done)
    assert code == 0, err
    assert "stored ladder attempt: rung 3, 19 November 2026" in printed
    with open_casebook(book) as casebook:
        [attempt] = casebook.list_ladder_attempts("alex-rivera")
    assert attempt.step_id == steps(book)[2].id and attempt.distress_after == 40


def refused(capsys, book, *argv) -> str:
    before = counts(book) if book.exists() else None
    code, out, err = run(capsys, "client", "import-answers", *argv)
    assert code == 1, out + err
    assert err.startswith("error: ") and "Traceback" not in err
    assert SECRET not in out + err
    if before is not None:
        assert counts(book) == before
    return err


def test_a_file_made_for_another_client_or_a_client_not_here_is_refused(
        book, packet, tmp_path, capsys):
    done = fill_with_pdfium(packet, tmp_path / "f.pdf", answers(book))
    err = refused(capsys, book, done, "--client-id", "sam-other")
    assert "was made for another client, not sam-other" in err
    with open_casebook(book) as casebook:
        casebook.delete_client("alex-rivera")
    code, out, err = run(capsys, "client", "import-answers", done)
    assert code == 1 and err.startswith("error: ")
    assert "a client who is not in this casebook" in err
    with open_casebook(book) as casebook:
        assert casebook.list_clients() == []


def tamper(source: Path, target: Path, change) -> Path:
    with pikepdf.open(source) as pdf:
        change(pdf)
        pdf.save(target)
    return target


def widget(pdf, name: str):
    for field in pdf.Root.AcroForm.Fields:
        if str(field.get("/T", "")) == name:
            return field
    raise KeyError(name)


def _set_info(key, value):
    def change(pdf):
        pdf.docinfo[key] = value
    return change


@pytest.mark.parametrize("change, expected", [
    (lambda pdf: setattr(widget(pdf, "ladder.log-2.upset-before"), "V",
                         pikepdf.String("150")),
     "ladder.log-2.upset-before: must be a whole number from 0 to 100"),
    (lambda pdf: setattr(widget(pdf, "journal.day-2.date"), "V", pikepdf.String("soon")),
     "journal.day-2.date: is not a date"),
    (lambda pdf: setattr(widget(pdf, "journal.day-2.pause-named"), "FT", pikepdf.Name.Tx),
     "journal.day-2.pause-named: should be a checkbox field, but is a text"),
    (lambda pdf: setattr(widget(pdf, "journal.day-2.intensity"), "Opt",
                         pikepdf.Array([pikepdf.String(str(n * 10)) for n in range(11)])),
     "journal.day-2.intensity: its choices were changed"),
    (lambda pdf: setattr(widget(pdf, "journal.day-2.what-happened"), "T",
                         pikepdf.String("journal.day-2.password")),
     "journal.day-2.password: is not a field of this worksheet"),
    (lambda pdf: setattr(widget(pdf, "experiment.thought"), "T",
                         pikepdf.String("repair-plan.break-signal")),
     "repair-plan.break-signal: is not a field of this worksheet"),
    (lambda pdf: setattr(widget(pdf, "journal.day-2.feeling"), "V",
                         pikepdf.Array([1, 2, 3])),
     "journal.day-2.feeling: should be a text field, but is of another kind"),
    (_set_info("/WorksheetsForm", "9"), "was made by another version of worksheets"),
])
def test_a_tampered_field_is_refused_with_one_line_and_nothing_stored(
        book, packet, tmp_path, capsys, change, expected):
    done = fill_with_pdfium(packet, tmp_path / "f.pdf", answers(book))
    bad = tamper(done, tmp_path / "bad.pdf", change)
    err = refused(capsys, book, bad)
    assert expected in err
    assert counts(book)["journal entry"] == 0


def _javascript(pdf):
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                             JS=pikepdf.String("app.alert(1)"))


def _field_script(pdf):
    widget(pdf, "journal.day-1.feeling").AA = pikepdf.Dictionary(
        K=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("1")))


def _embedded(pdf):
    pdf.attachments["notes.txt"] = pikepdf.AttachedFileSpec(pdf, b"hello", mime_type="text/plain")


@pytest.mark.parametrize("change, expected", [
    (_javascript, "contains JavaScript"),
    (_field_script, "contains automatic actions"),
    (_embedded, "contains an embedded file"),
])
def test_a_file_with_scripts_or_embedded_files_is_not_read(book, packet, tmp_path, capsys,
                                                           change, expected):
    bad = tamper(packet, tmp_path / "bad.pdf", change)
    assert expected in refused(capsys, book, bad)


def test_an_encrypted_file_is_refused(book, packet, tmp_path, capsys):
    with pikepdf.open(packet) as pdf:
        pdf.save(tmp_path / "locked.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    assert "is encrypted" in refused(capsys, book, tmp_path / "locked.pdf")


def test_broken_files_get_one_line_each(book, packet, tmp_path, capsys, demo_client):
    from worksheets_lib.documents import render_document

    plain = render_document("journal", demo_client, tmp_path / "plain.pdf").path
    assert "has no form fields" in refused(capsys, book, plain)
    text = tmp_path / "notes.pdf"
    text.write_text("just some words", encoding="utf-8")
    assert "is not a PDF" in refused(capsys, book, text)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + os.urandom(4000))
    assert "is damaged" in refused(capsys, book, broken)
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(packet.read_bytes()[:5000])
    assert "is damaged" in refused(capsys, book, cut) or "has no form" in refused(
        capsys, book, cut)
    assert "no such file" in refused(capsys, book, tmp_path / "missing.pdf")
    assert "is a folder" in refused(capsys, book, tmp_path)


def test_a_100_mb_file_is_refused_without_reading_it(book, tmp_path, capsys):
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as handle:  # sparse: no 100 MB on the disk
        handle.write(b"%PDF-1.7\n")
        handle.truncate(100 * 1024 * 1024)
    assert "is 100 MB; a filled worksheet is at most 50 MB" in refused(capsys, book, huge)


def test_a_failure_midway_stores_nothing(book, packet, tmp_path, capsys, monkeypatch):
    done = fill_with_pdfium(packet, tmp_path / "f.pdf", answers(book))
    real = store_module._insert_record
    calls = []

    def failing(conn, kind, record, key):
        calls.append(kind.name)
        if len(calls) == 4:
            raise OSError(28, "No space left on device")
        return real(conn, kind, record, key)

    monkeypatch.setattr(store_module, "_insert_record", failing)
    code, out, err = run(capsys, "client", "import-answers", done)
    assert code == 1 and "Traceback" not in err and SECRET not in err
    monkeypatch.setattr(store_module, "_insert_record", real)
    assert counts(book) == {"journal entry": 0, "ladder attempt": 0, "listening record": 0,
                            "packet": 1, "worksheet response": 0}
    assert run(capsys, "client", "import-answers", done)[0] == 0
    assert counts(book)["journal entry"] == 2


def test_an_import_killed_at_any_moment_stores_all_or_nothing(book, packet, tmp_path):
    import random
    import signal
    import subprocess
    import sys
    import time

    done = fill_with_pdfium(packet, tmp_path / "f.pdf", answers(book))
    empty = {"journal entry": 0, "ladder attempt": 0, "listening record": 0, "packet": 1,
             "worksheet response": 0}
    full = {"journal entry": 2, "ladder attempt": 2, "listening record": 1, "packet": 1,
            "worksheet response": 2}
    seen = set()
    rng = random.Random(12)
    for _ in range(8):
        child = subprocess.Popen([sys.executable, "-m", "worksheets_lib", "client",
                                  "import-answers", str(done)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 2.5))
        child.send_signal(signal.SIGKILL)
        child.wait()
        now = counts(book)
        assert now in (empty, full), now
        seen.add("full" if now == full else "empty")
        with open_casebook(book) as casebook:
            assert casebook.integrity_ok()
        if now == full:
            break
    assert run_ok(done, book) == full


def run_ok(done, book) -> dict:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "worksheets_lib", "client", "import-answers",
                    str(done)], check=True, capture_output=True)
    return counts(book)
