"""Every registered document, checked by the facts inside its PDF on both papers.

These tests iterate the registry: a new document (its template and one
``register(Document(...))``) is rendered, measured and checked here without
touching this file.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pypdf import PdfReader

from helpers import embedded_font_count, pdf_fonts, pdf_text, run
from worksheets_lib import (
    BlockedResourceError,
    Inputs,
    UnknownWorksheetError,
    demo_client_path,
    list_documents,
    load_client,
    render_document,
)
from worksheets_lib import pdf as pdf_module
from worksheets_lib.documents import MissingRecordsError, packet_documents, render_packet
from worksheets_lib.documents.demo import demo_inputs
from worksheets_lib.models.paper import PAPER_SIZES

MM = 72 / 25.4
DOCUMENTS = [d.name for d in list_documents()]
PAPERS = list(PAPER_SIZES)


@pytest.fixture(scope="module")
def inputs() -> Inputs:
    return demo_inputs(load_client(demo_client_path()))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, inputs):
    """Every document on every paper, rendered once for the module."""
    folder = tmp_path_factory.mktemp("documents")
    results = {}
    for name in DOCUMENTS:
        for paper in PAPERS:
            results[name, paper] = render_document(name, inputs, folder / f"{name}-{paper}.pdf",
                                                   paper=paper)
    return results


def body_lines(page_text: str) -> list[str]:
    return [line for line in page_text.splitlines() if line.strip()]


def test_the_registry_holds_every_printable_with_a_unique_name():
    assert set(DOCUMENTS) >= {"ladder", "journal", "listening", "packet", "history-map",
                              "journal-week", "progress-report", "goal-plan"}
    assert len(DOCUMENTS) == len(set(DOCUMENTS))
    for doc in list_documents():
        assert doc.audience in ("client", "therapist")
        assert doc.title and doc.description and doc.template.endswith(".html.j2")


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("name", DOCUMENTS)
def test_each_document_renders_on_the_paper_with_only_our_fonts_and_a_header_and_footer(
        rendered, inputs, name, paper):
    result = rendered[name, paper]
    reader = PdfReader(str(result.path))
    assert result.pages == len(reader.pages) >= 1
    width_mm, height_mm = PAPER_SIZES[paper].width_mm, PAPER_SIZES[paper].height_mm
    for page in reader.pages:
        assert round(float(page.mediabox.width)) == round(width_mm * MM)
        assert round(float(page.mediabox.height)) == round(height_mm * MM)
    fonts = pdf_fonts(result.path)
    assert fonts and all(f.startswith("Worksheets-") for f in fonts), fonts
    used, embedded = embedded_font_count(result.path)
    assert used == embedded
    pages = pdf_text(result.path).split("\f")
    for number, text in enumerate(pages, start=1):
        assert "Harbour Lane Counselling" in text
        assert f"Page {number} of {len(pages)}" in text
        if not (name == "packet" and number == 1):  # the cover has no running header
            assert inputs.client.name in text and "24 November 2026" in text


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_page_holds_only_a_line_or_two(rendered, name, paper):
    reader = PdfReader(str(rendered[name, paper].path))
    for index, page in enumerate(reader.pages):
        # The header and the footer are a line each; the rest is the page's own.
        lines = body_lines(page.extract_text())
        assert len(lines) - 2 >= 3, (name, paper, index + 1, lines)


def layout(html: str, paper: str):
    import weasyprint

    from worksheets_lib import templates_dir

    base = templates_dir().as_uri() + "/"
    sheets = [weasyprint.CSS(filename=str(templates_dir() / "print.css"), base_url=base),
              weasyprint.CSS(string=f"@page {{ size: {PAPER_SIZES[paper].css}; }}")]
    return weasyprint.HTML(string=html, base_url=base).render(stylesheets=sheets)


def page_blocks(page):
    """(top, bottom, tag, classes) of the block boxes in a page's body, in order."""
    blocks = []
    for box in page._page_box.descendants():
        element = box.element
        if element is None or type(box).__name__ not in ("BlockBox", "TableRowBox"):
            continue
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in ("h1", "h2", "p", "div", "tr", "li"):
            blocks.append((box.position_y, box.position_y + box.margin_height(), tag,
                           (element.get("class") or "").split()))
    return blocks


@pytest.mark.parametrize("paper", PAPERS)
# The progress review's charts exist only while it renders, so its HTML alone cannot be laid
# out here; its pages are covered by the page tests above.
@pytest.mark.parametrize("name", [n for n in DOCUMENTS if n != "progress-report"])
def test_no_heading_is_left_at_the_foot_of_a_page(inputs, name, paper):
    from worksheets_lib import document_html

    document = layout(document_html(name, inputs, paper=paper), paper)
    for number, page in enumerate(document.pages, start=1):
        blocks = [b for b in page_blocks(page) if "page-foot" not in b[3]]
        headings = [b for b in blocks if b[2] in ("h1", "h2")]
        for _top, bottom, _tag, classes in headings:
            after = [b for b in blocks if b[0] >= bottom - 0.01 and b[2] not in ("h1", "h2")]
            assert after, (name, paper, number, classes)


def test_a_document_made_from_records_says_so_in_one_line_when_given_only_a_profile(
        tmp_path):
    client = load_client(demo_client_path())
    for doc in list_documents():
        if not doc.needs:
            continue
        with pytest.raises(MissingRecordsError) as excinfo:
            render_document(doc.name, client, tmp_path / "out.pdf")
        message = str(excinfo.value)
        assert "\n" not in message and message.startswith(f"{doc.name}: ")
        assert "--client-id" in message
    assert not (tmp_path / "out.pdf").exists()


def test_the_packet_takes_every_client_document_and_bookmarks_each(tmp_path, inputs):
    names = [d.name for d in packet_documents()]
    assert {d.audience for d in packet_documents()} == {"client"}
    assert "packet" not in names and "goal-plan" in names and "journal-week" in names
    out = tmp_path / "packet.pdf"
    result = render_packet(inputs, out, names)
    reader = PdfReader(str(out))
    titles = [item.title for item in reader.outline]
    assert titles == [d.title for d in packet_documents()]
    first = min(reader.get_destination_page_number(item) for item in reader.outline)
    cover = "\n".join(page.extract_text() for page in reader.pages[:first])  # a long list
    for item in reader.outline:                                                # may go on
        page = reader.get_destination_page_number(item)
        assert f"page {page + 1}" in cover
        assert item.title in reader.pages[page].extract_text()
    assert result.pages == len(reader.pages)


def test_the_packet_refuses_a_therapist_document(tmp_path, inputs):
    with pytest.raises(UnknownWorksheetError) as excinfo:
        render_packet(inputs, tmp_path / "p.pdf", ["ladder", "history-map"])
    assert "history-map" in str(excinfo.value)
    assert "progress-report" not in excinfo.value.known


# --- the command line renders any document ----------------------------------------------------

@pytest.fixture
def stocked(tmp_path, inputs):
    """A casebook holding the demo client and every kind of record."""
    from worksheets_lib import open_casebook
    from worksheets_lib.models import LadderAttempt

    path = tmp_path / "casebook.sqlite3"
    with open_casebook(path, create=True) as book:
        client = book.add_client(inputs.client)
        book.save_history(client.id, inputs.history)
        book.save_plan(client.id, inputs.plan)
        for entry in inputs.entries:
            book.add_journal_entry(client.id, entry)
        steps = client.ladder.sorted_steps()
        book.record_ladder_attempt(client.id, LadderAttempt(
            step_id=steps[0].id, tried_on=dt.date(2026, 11, 5), distress_after=10))
    return path


@pytest.mark.parametrize("name", DOCUMENTS)
def test_render_makes_every_document_from_the_casebook(stocked, tmp_path, capsys, name):
    out = tmp_path / f"{name}.pdf"
    code, stdout, err = run(capsys, "render", name, "--client-id", "alex-rivera",
                            "--casebook", stocked, "--out", out, "--from", "2026-10-28",
                            "--to", "2026-11-24", "--paper", "letter")
    assert code == 0, err
    assert re.fullmatch(rf"wrote {re.escape(str(out))} \(\d+ pages?\)\n", stdout)
    assert PdfReader(str(out)).pages


@pytest.mark.parametrize("name", [d.name for d in list_documents() if d.needs])
def test_render_with_only_a_client_file_names_what_is_missing_in_one_line(tmp_path, capsys,
                                                                          name):
    code, out, err = run(capsys, "render", name, "--client", demo_client_path(),
                         "--out", tmp_path / "x.pdf")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"error: {name}: is made from ")
    assert "use --client-id ID instead of --client FILE" in err


def test_packet_with_a_record_document_and_only_a_client_file_is_one_line(tmp_path, capsys):
    code, out, err = run(capsys, "packet", "--client", demo_client_path(), "--out",
                         tmp_path / "p.pdf", "--worksheets", "ladder,goal-plan")
    assert code == 1 and err.count("\n") == 1 and "goal-plan" in err


def test_packet_from_the_casebook_includes_the_goal_plan_and_logs_it(stocked, tmp_path,
                                                                    capsys):
    from worksheets_lib import open_casebook

    out = tmp_path / "p.pdf"
    code, stdout, err = run(capsys, "packet", "--client-id", "alex-rivera", "--casebook",
                            stocked, "--out", out, "--worksheets", "goal-plan,ladder")
    assert code == 0, err
    assert [i.title for i in PdfReader(str(out)).outline] == ["My goals", "My attachment ladder"]
    assert "Ask for comfort in words instead of going quiet." in pdf_text(out)
    with open_casebook(stocked) as book:
        assert book.list_packets("alex-rivera")[0].worksheets == ["goal-plan", "ladder"]


# --- the image cache --------------------------------------------------------------------------

def test_progress_reports_leave_no_image_cache_behind(tmp_path, inputs):
    render_document("ladder", inputs, tmp_path / "warm.pdf")
    before = dict(pdf_module._IMAGE_CACHES)
    for index in range(3):
        render_document("progress-report", inputs, tmp_path / f"r{index}.pdf")
    assert pdf_module._IMAGE_CACHES.keys() == before.keys()


def test_the_image_caches_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_module, "_IMAGE_CACHES", {})
    for index in range(pdf_module.MAX_IMAGE_CACHES + 3):
        pdf_module._image_cache((tmp_path / str(index),), temporary=False)
    assert len(pdf_module._IMAGE_CACHES) == pdf_module.MAX_IMAGE_CACHES


def test_a_chart_folder_is_readable_only_during_its_own_render(tmp_path, inputs):
    # The scratch folder of one progress report is not allowed to a later render.
    from worksheets_lib.documents import render as document_render

    seen = {}
    real = document_render.html_to_pdf

    def spy(html_text, out, paper, practice, scratch=None, *rest):
        seen.setdefault("scratch", scratch)
        return real(html_text, out, paper, practice, scratch, *rest)

    document_render.html_to_pdf = spy
    try:
        render_document("progress-report", inputs, tmp_path / "r.pdf")
    finally:
        document_render.html_to_pdf = real
    assert not seen["scratch"].exists()
    with pytest.raises(BlockedResourceError):
        pdf_module.make_pdf(f'<html lang="en"><img src="{seen["scratch"].as_uri()}/intensity.svg">',
                            roots=[tmp_path], stylesheets=[])


# --- the README gallery -----------------------------------------------------------------------

def test_the_readme_gallery_is_made_from_the_registry():
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("render_docs_images",
                                                  root / "tools" / "render_docs_images.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    readme = (root / "README.md").read_text(encoding="utf-8")
    # ./run docs rewrites this section; it must be current with the registry.
    assert f"{tool.GALLERY_START}\n{tool.gallery()}{tool.GALLERY_END}" in readme
    for name in DOCUMENTS:
        assert (root / "docs" / f"{name}.png").is_file(), f"run ./run docs for {name}"


def test_a_period_that_ends_before_it_starts_is_one_line(stocked, tmp_path, capsys):
    code, out, err = run(capsys, "render", "progress-report", "--client-id", "alex-rivera",
                         "--casebook", stocked, "--from", "2026-11-24", "--to", "2026-11-01",
                         "--out", tmp_path / "r.pdf")
    assert code == 1 and out == ""
    assert err == "error: --from: must be on or before the day given with --to\n"
