"""The workbooks' "Answers from home" box: a filled PDF uploaded, stored, and shown."""

from __future__ import annotations

import datetime as dt

from support.pdf_readers import fill_with_pdfium

from helpers import shown
from worksheets_lib.casebook import open_casebook
from worksheets_lib.widgets.goals import goal_setting
from worksheets_lib.widgets.review import progress_review

DEMO = "alex-rivera"
SECRET = "Wombat-private-note"


def upload(widget, path):
    data = path.read_bytes()
    widget.upload.value = ({"name": path.name, "type": "application/pdf", "size": len(data),
                            "content": memoryview(data),
                            "last_modified": dt.datetime(2026, 11, 22, tzinfo=dt.UTC)},)


def goals(tmp_path):
    workbook = goal_setting(casebook=tmp_path / "cb.sqlite3", output_dir=tmp_path / "out")
    workbook.picker.demo_button.click()
    return workbook


def test_the_goal_setting_packet_can_be_fillable_and_in_large_print(tmp_path):
    import pypdf

    workbook = goals(tmp_path)
    workbook.words.fields["checked"].widget.value = True
    workbook.fillable.value = True
    workbook.large_print.value = True
    workbook.packet_button.click()
    pdf = tmp_path / "out" / f"{DEMO}-packet.pdf"
    reader = pypdf.PdfReader(pdf)
    fields = reader.get_fields()
    assert "journal.day-1.what-happened" in fields
    with open_casebook(tmp_path / "cb.sqlite3") as casebook:
        [packet] = casebook.list_packets(DEMO)
    assert reader.metadata["/WorksheetsPacket"] == packet.id
    assert packet.pages > 20  # large print: more pages than the 12 of regular print


def test_a_filled_packet_uploaded_in_the_goal_setting_workbook_is_stored(tmp_path):
    workbook = goals(tmp_path)
    workbook.words.fields["checked"].widget.value = True
    workbook.fillable.value = True
    workbook.packet_button.click()
    filled = fill_with_pdfium(tmp_path / "out" / f"{DEMO}-packet.pdf", tmp_path / "f.pdf", {
        "journal.day-1.date": "2026-11-20", "journal.day-1.what-happened": SECRET,
        "journal.day-1.intensity": "4"})
    upload(workbook.answers, filled)
    lines = workbook.answers.store()
    assert lines == ["stored journal entry: day 1, 20 November 2026"]
    message = shown(workbook.answers.message)
    assert "stored journal entry: day 1, 20 November 2026" in message
    assert SECRET not in workbook.answers.message.value
    assert workbook.answers.upload.value == ()  # the file is not kept in the notebook
    with open_casebook(tmp_path / "cb.sqlite3") as casebook:
        [entry] = casebook.list_journal(DEMO)
    assert entry.what_happened == SECRET and entry.intensity == 4


def test_the_progress_review_shows_what_came_in_and_refuses_a_wrong_file(tmp_path, capsys):
    workbook = goals(tmp_path)
    workbook.words.fields["checked"].widget.value = True
    workbook.fillable.value = True
    workbook.packet_button.click()
    packet = tmp_path / "out" / f"{DEMO}-packet.pdf"
    filled = fill_with_pdfium(packet, tmp_path / "f.pdf", {
        "journal.day-1.date": "2026-11-20", "journal.day-1.feeling": "hopeful"})
    review = progress_review(casebook=tmp_path / "cb.sqlite3", output_dir=tmp_path / "rv")
    review.end.value = dt.date(2026, 11, 30)
    review.start.value = dt.date(2026, 11, 1)
    assert shown(review.facts).startswith("0 journal entries")
    review.answers.store()
    assert "Choose the filled PDF first" in shown(review.answers.message)
    not_a_pdf = tmp_path / "notes.pdf"
    not_a_pdf.write_text("hello", encoding="utf-8")
    upload(review.answers, not_a_pdf)
    assert review.answers.store() is None
    assert "the uploaded file: is not a PDF" in shown(review.answers.message)
    upload(review.answers, filled)
    assert review.answers.store() == ["stored journal entry: day 1, 20 November 2026"]
    assert shown(review.facts).startswith("1 journal entries")  # the review refreshed
