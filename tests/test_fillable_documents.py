"""Every client document is fillable: stable field names, a question for each, the same pages.

For each client document in the registry (the packet apart), a fillable render on A4 and
on Letter, in regular and in large print, is checked with pypdf against the plain render
of the same paper and size: at least one field; every name is the document's name and
then lowercase parts joined by dots (docs/form-fields.md), named by the template itself
(never made from the printed words, which change with the client's terms); no name twice;
every field with a tooltip (the question a screen reader reads); every text field with a
most length the casebook keeps; every field on its page; and as many pages as the plain
render, with the same words on each. A fillable packet of every client document has no
name twice either.
"""

from __future__ import annotations

import re
from collections import Counter

import pypdf
import pytest

from helpers import pdf_text
from worksheets_lib import (
    demo_client_path,
    list_documents,
    load_client,
    render_document,
    validate_client,
)
from worksheets_lib.documents import options, packet_documents, render_packet
from worksheets_lib.documents.demo import demo_inputs
from worksheets_lib.models.paper import PAPER_SIZES

FIELD_NAME = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
DOCUMENTS = [d.name for d in list_documents("client") if d.name != "packet"]
MM = 72 / 25.4


@pytest.fixture(scope="module")
def inputs():
    return demo_inputs(load_client(demo_client_path()))


@pytest.fixture
def named_by_templates(monkeypatch):
    """Fail when a field would be named from its label's words rather than by its template."""
    def auto(self, label):
        raise AssertionError("a field has no name of its own in its template")

    monkeypatch.setattr(options.FormFields, "auto", auto)


def form_fields(path) -> list[tuple[str, pypdf.generic.DictionaryObject]]:
    """Each field of the PDF's form, as (full name, field), duplicates kept."""
    reader = pypdf.PdfReader(path)
    found = []

    def walk(field, prefix):
        field = field.get_object()
        name = ".".join(p for p in (prefix, str(field.get("/T", ""))) if p)
        kids = [k.get_object() for k in field.get("/Kids", [])]
        named_kids = [k for k in kids if "/T" in k]
        if named_kids:
            for kid in named_kids:
                walk(kid, name)
        else:
            found.append((name, field))

    for field in reader.trailer["/Root"].get("/AcroForm", {}).get("/Fields", []):
        if "/Parent" not in field.get_object():  # WeasyPrint lists radio buttons here too
            walk(field, "")
    return found


def widget_boxes(path):
    """(page number, rectangle in pt, page size in pt) of every form widget."""
    reader = pypdf.PdfReader(path)
    for number, page in enumerate(reader.pages):
        box = page.mediabox
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Widget":
                x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
                yield number, (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), \
                    (float(box.width), float(box.height))


@pytest.mark.parametrize("large", [False, True], ids=["regular", "large-print"])
@pytest.mark.parametrize("paper", list(PAPER_SIZES))
@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_field_has_a_stable_name_a_question_and_the_pages_stay_the_same(
        inputs, tmp_path, named_by_templates, name, paper, large):
    plain = render_document(name, inputs, tmp_path / "plain.pdf", paper=paper,
                            large_print=large)
    fillable = render_document(name, inputs, tmp_path / "fillable.pdf", paper=paper,
                               large_print=large, fillable=True)
    fields = form_fields(fillable.path)
    assert fields, f"{name} has no form field"
    names = [field_name for field_name, _ in fields]
    for field_name, field in fields:
        assert field_name.startswith(name + "."), field_name
        assert FIELD_NAME.match(field_name), field_name
        assert str(field.get("/TU", "")).strip(), f"{field_name} has no question for readers"
        if field.get("/FT") == "/Tx":  # no longer than the casebook keeps
            assert 0 < int(field.get("/MaxLen", 0)) <= 2000, field_name
    twice = [n for n, count in Counter(names).items() if count > 1]
    assert not twice, f"named twice: {twice}"
    for _, (x0, y0, x1, y1), (width, height) in widget_boxes(fillable.path):
        assert -1 <= x0 and x1 <= width + 1 and -1 <= y0 and y1 <= height + 1
        assert y1 - y0 < 120 * MM, "a field taller than anything it lies over"
    assert fillable.pages == plain.pages == len(pypdf.PdfReader(fillable.path).pages)
    assert pdf_text(fillable.path) == pdf_text(plain.path)  # the same words on each page
    assert not form_fields(plain.path)


def test_a_fillable_packet_of_every_client_document_names_each_field_once(
        inputs, tmp_path, named_by_templates):
    chosen = [d.name for d in packet_documents()]
    result = render_packet(inputs, tmp_path / "packet.pdf", chosen, fillable=True)
    names = [field_name for field_name, _ in form_fields(result.path)]
    twice = [n for n, count in Counter(names).items() if count > 1]
    assert not twice, f"named twice: {twice}"
    assert {n.split(".")[0] for n in names} == set(chosen)


@pytest.mark.parametrize("name", ["cycle-map", "repair-plan", "connection-log", "experiment",
                                  "pause-cards", "keeping-it-going"])
def test_one_person_pages_and_steps_without_ids_are_named_too(
        demo_data, tmp_path, named_by_templates, name):
    """The one-person couples pages, and a ladder whose steps have no ids (a client file)."""
    client = validate_client({k: v for k, v in demo_data.items() if k != "partner"})
    fillable = render_document(name, client, tmp_path / "f.pdf", fillable=True)
    names = [field_name for field_name, _ in form_fields(fillable.path)]
    assert names and all(FIELD_NAME.match(n) and n.startswith(name + ".") for n in names)
    assert len(names) == len(set(names))
    if name in ("cycle-map", "repair-plan", "connection-log"):
        assert {"cycle-map": "cycle-map.about", "repair-plan": "repair-plan.with-whom",
                "connection-log": "connection-log.with-whom"}[name] in names
    if name == "experiment":
        assert "experiment.ladder.rung-1" in names
