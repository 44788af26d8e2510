"""Fillable PDFs: fields laid over the printed page, filled in real readers and read back.

pdf.js (Firefox's reader, under Node from tests/js) and pdfium (Chromium's, through
pypdfium2's form API) each fill a fillable journal and ladder; the saved files are read
back with pypdf, checked with ``qpdf --check`` and rendered with poppler's pdftoppm.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pypdf
import pytest
from support.pdf_readers import fill_with_pdfium, fill_with_pdfjs, node_ready, radio_choices

from helpers import pdf_text
from worksheets_lib.documents import render_document

FIELD_NAME = r"^[a-z0-9-]+(\.[a-z0-9-]+)+$"

JOURNAL_VALUES = {
    "journal.day-1.date": "24/11/2026",
    "journal.day-1.what-happened": "Sam texted late. I felt café-tight, “left out” — then calmer.",
    "journal.day-1.feeling": "Überfordert, a bit lonely",
    "journal.day-1.intensity": "7",
    "journal.day-1.paused": "yes",
    "journal.day-1.pause-named": True,
    "journal.day-1.pause-chose-step": True,
    "journal.day-1.afterwards": "more-distant",
    "journal.day-3.body": "tight chest",
    "journal.look-back-1-7.glad": "I asked for a hug.",
}
LADDER_VALUES = {
    "ladder.rung-1.try-1.date": "25.11.2026",
    "ladder.rung-1.try-1.upset-after": "30",
    "ladder.spare-1.step": "Say good night before bed",
    "ladder.log-1.date": "2026-11-26",
    "ladder.log-1.rung": "2",
    "ladder.log-1.upset-before": "40",
    "ladder.log-1.learned": "It went better than I feared.",
}
READERS = {"pdf.js": fill_with_pdfjs, "pdfium": fill_with_pdfium}


@pytest.fixture(scope="module")
def forms(tmp_path_factory, request):
    from worksheets_lib import demo_client_path, load_client

    folder = tmp_path_factory.mktemp("forms")
    client = load_client(demo_client_path())
    made = {}
    for name in ("journal", "ladder"):
        made[name] = render_document(name, client, folder / f"{name}.pdf", fillable=True).path
        made[name + "-plain"] = render_document(name, client, folder / f"{name}-plain.pdf").path
    return made


def fields(path):
    return pypdf.PdfReader(path).get_fields() or {}


def value(field):
    """A field's value as a reader saved it: text, True/False, or the radio button's value."""
    raw = field.get("/V")
    if field.get("/FT") == "/Btn":
        state = str(raw or "/Off").lstrip("/")
        if "/Opt" in field:
            return None if state == "Off" else [str(o) for o in field["/Opt"]][int(state)]
        return state != "Off"
    return str(raw or "")


@pytest.mark.parametrize("name", ["journal", "ladder"])
def test_every_field_has_a_stable_name_and_a_question_for_screen_readers(forms, name):
    found = fields(forms[name])
    assert len(found) > 20
    for field_name, field in found.items():
        assert field_name.startswith(name + ".")
        assert re.match(FIELD_NAME, field_name), field_name
        assert str(field.get("/TU", "")).strip(), f"{field_name} has no tooltip"
    reader = pypdf.PdfReader(forms[name])
    info = reader.metadata
    assert info["/WorksheetsClient"] == "alex-rivera"
    assert info["/WorksheetsDocument"] == name
    assert len(info["/WorksheetsPacket"]) == 32
    assert info["/WorksheetsForm"] == "1"


def test_the_journal_fields_are_the_questions_of_each_day(forms):
    names = set(fields(forms["journal"]))
    for day in range(1, 8):
        for part in ("date", "what-happened", "feeling", "intensity", "body", "paused",
                     "pause-named", "pause-rated", "pause-chose-step", "pause-step",
                     "what-i-did", "afterwards"):
            assert f"journal.day-{day}.{part}" in names
    assert radio_choices(forms["journal"])["journal.day-2.intensity"] == [
        str(n) for n in range(11)]
    assert radio_choices(forms["journal"])["journal.day-2.paused"] == ["yes", "no"]
    assert radio_choices(forms["journal"])["journal.day-2.afterwards"] == [
        "closer", "same", "more-distant"]


def widgets(path) -> dict:
    """Each named widget annotation's own dictionary, by field name."""
    found = {}
    for page in pypdf.PdfReader(path).pages:
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            if "/T" in annot:
                found[str(annot["/T"])] = annot
    return found


def test_numbers_from_0_to_100_take_at_most_three_digits(forms):
    found = widgets(forms["ladder"])
    for name in ("ladder.rung-1.try-1.upset-after", "ladder.log-8.upset-before",
                 "ladder.spare-2.expect"):
        assert int(found[name]["/MaxLen"]) == 3


@pytest.mark.parametrize("name", ["journal", "ladder"])
def test_a_fillable_page_prints_like_the_paper_one(forms, name):
    plain, fillable = forms[name + "-plain"], forms[name]
    assert len(pypdf.PdfReader(plain).pages) == len(pypdf.PdfReader(fillable).pages)
    assert pdf_text(plain) == pdf_text(fillable)
    assert not fields(plain)


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is installed by ./run test")
@pytest.mark.parametrize("name", ["journal", "ladder"])
def test_qpdf_finds_nothing_wrong(forms, name):
    result = subprocess.run(["qpdf", "--check", str(forms[name])], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _fill(reader, source, target, values):
    if reader == "pdf.js" and not node_ready():
        pytest.skip("pdf.js is installed by ./run test (npm ci in tests/js)")
    return READERS[reader](source, target, values)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("name, values", [("journal", JOURNAL_VALUES),
                                          ("ladder", LADDER_VALUES)])
def test_a_reader_fills_the_form_and_saves_what_was_typed(forms, tmp_path, reader, name,
                                                          values):
    filled = _fill(reader, forms[name], tmp_path / "filled.pdf", values)
    found = fields(filled)
    for field_name, wanted in values.items():
        assert value(found[field_name]) == wanted, field_name
    untouched = [n for n in found if n not in values]
    assert all(value(found[n]) in ("", False, None) for n in untouched)
    if shutil.which("qpdf"):
        check = subprocess.run(["qpdf", "--check", str(filled)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_pdfjs_keeps_emoji_and_other_scripts(forms, tmp_path):
    # pdfium turns a character outside the Basic Multilingual Plane (an emoji) into a
    # private-use one, so only pdf.js is asked to keep them.
    text = "Felt 😊 then 😢 — שלום, مرحبا"
    filled = _fill("pdf.js", forms["journal"], tmp_path / "f.pdf",
                   {"journal.day-2.what-happened": text})
    assert value(fields(filled)["journal.day-2.what-happened"]) == text


def _ink(path, page: int) -> int:
    """How many dark pixels page *page* has when poppler draws it (filled fields included)."""
    out = path.with_suffix("")
    subprocess.run(["pdftoppm", "-gray", "-r", "50", "-f", str(page), "-l", str(page),
                    str(path), str(out)], check=True, capture_output=True)
    picture = next(path.parent.glob(out.name + "*.pgm"))
    # A binary PGM: three header lines (P5, width height, maxval), then a byte a pixel.
    pixels = picture.read_bytes().split(b"\n", 3)[3]
    picture.unlink()
    return sum(1 for byte in pixels if byte < 128)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is installed by "
                                                              "./run test")
@pytest.mark.parametrize("reader", READERS)
def test_the_filled_values_show_when_the_page_is_printed(forms, tmp_path, reader):
    blank = tmp_path / "blank.pdf"
    shutil.copy(forms["journal"], blank)
    filled = _fill(reader, forms["journal"], tmp_path / "filled.pdf", JOURNAL_VALUES)
    before, after = _ink(blank, 1), _ink(filled, 1)
    # The typed text, the chosen circles and the ticks add ink; untouched pages do not change.
    assert after > before + 400, (before, after)
    assert _ink(filled, 3) > _ink(blank, 3)  # day 3: where in the body
    assert _ink(filled, 4) == _ink(blank, 4)  # day 4: nothing typed
