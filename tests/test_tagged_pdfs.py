"""Every document is a tagged PDF a screen reader can follow (PDF/UA-1 as WeasyPrint makes it).

Checked with pikepdf on every registered document, plain and fillable: a
structure tree, the document's language and title, headings that never skip a
level, lists made of list items, every figure with alternative text, every form
field with its question (/TU), and the listening checklist as a real table.
"""

from __future__ import annotations

from collections import Counter

import pikepdf
import pytest

from worksheets_lib import demo_client_path, list_documents, load_client, render_document
from worksheets_lib.documents.demo import demo_inputs

DOCUMENTS = [d.name for d in list_documents()]
CLIENT_DOCUMENTS = {d.name for d in list_documents("client")}
HEADINGS = {f"/H{n}": n for n in range(1, 7)}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tagged")
    inputs = demo_inputs(load_client(demo_client_path()))
    made = {}
    for name in DOCUMENTS:
        for fillable in (False, True):
            path = folder / f"{name}-{fillable}.pdf"
            made[name, fillable] = render_document(name, inputs, path, fillable=fillable).path
    return made


def structure(pdf) -> list[tuple[str, pikepdf.Dictionary]]:
    """Every structure element, in reading order (depth first)."""
    found = []

    def walk(element):
        kind = element.get("/S")
        if kind is not None:
            found.append((str(kind), element))
        kids = element.get("/K")
        if isinstance(kids, pikepdf.Dictionary):
            kids = [kids]
        if isinstance(kids, pikepdf.Array | list):
            for kid in kids:
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/MCR" \
                        and kid.get("/Type") != "/OBJR":
                    walk(kid)

    walk(pdf.Root.StructTreeRoot)
    return found


@pytest.mark.parametrize("fillable", [False, True], ids=["plain", "fillable"])
@pytest.mark.parametrize("name", DOCUMENTS)
def test_each_document_is_tagged_for_screen_readers(rendered, name, fillable):
    with pikepdf.open(rendered[name, fillable]) as pdf:
        root = pdf.Root
        assert str(root.Lang) == "en"
        assert bool(root.MarkInfo.Marked) is True
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert str(pdf.docinfo.Title).strip()
        elements = structure(pdf)
        kinds = Counter(kind for kind, _ in elements)
        assert kinds["/Document"] == 1 and len(elements) > 10
        levels = [HEADINGS[kind] for kind, _ in elements if kind in HEADINGS]
        assert levels and levels[0] == 1, levels
        for before, after in zip(levels, levels[1:], strict=False):
            assert after <= before + 1, f"a heading skips from H{before} to H{after}"
        for kind, element in elements:
            if kind == "/Figure":
                assert str(element.get("/Alt", "")).strip(), "a figure has no alternative text"
            if kind == "/L":
                kids = element.get("/K")
                kids = [kids] if isinstance(kids, pikepdf.Dictionary) else list(kids or [])
                # A list laid out in columns is a list of one list per column.
                assert kids and all(str(k.get("/S")) in ("/LI", "/L") for k in kids
                                    if isinstance(k, pikepdf.Dictionary)), "a list holds more"
        widgets = [annot for page in pdf.pages for annot in page.get("/Annots", [])
                   if annot.get("/Subtype") == "/Widget"]
        if not fillable:
            assert not widgets
        elif name in CLIENT_DOCUMENTS:
            assert widgets, "a fillable client document has no fields"
        for annot in widgets:
            question = annot.get("/TU") or annot.get("/Parent", {}).get("/TU")
            assert question is not None and str(question).strip(), "a field has no question"
            assert "/StructParent" in annot


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_text_field_takes_no_more_than_a_record_can_keep(rendered, name):
    # A client who types more than the casebook keeps (2000 characters, 60 for a feeling's
    # name) is stopped by the reader, not refused at import.
    with pikepdf.open(rendered[name, True]) as pdf:
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                if annot.get("/FT") == "/Tx":
                    assert 0 < int(annot.MaxLen) <= 2000, str(annot.T)
                    if str(annot.T).endswith(".feeling") and name == "journal":
                        assert int(annot.MaxLen) == 60


def test_the_listening_checklist_is_a_table_with_headers(rendered):
    with pikepdf.open(rendered["listening", False]) as pdf:
        kinds = Counter(kind for kind, _ in structure(pdf))
    assert kinds["/Table"] == 1 and kinds["/TR"] == 6
    assert kinds["/TH"] == 6 + 5 and kinds["/TD"] == 5 * 5


def test_charts_and_drawings_have_alternative_text(rendered):
    for name in ("progress-report", "cycle-map"):
        with pikepdf.open(rendered[name, False]) as pdf:
            figures = [e for kind, e in structure(pdf) if kind == "/Figure"]
        assert figures, name
        assert all(str(f.Alt).strip() for f in figures)
