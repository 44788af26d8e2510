"""Large print: every document, on A4 and Letter, with words of 16 pt and more room.

Font sizes and positions are read from the PDFs with pdfium; line spacing and
tick-box sizes from WeasyPrint's layout of the same HTML. The running header
and footer (in the page margins) stay small: they are not read while writing.
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest

from helpers import run
from worksheets_lib import demo_client_path, list_documents, load_client, render_document
from worksheets_lib.documents import document_html
from worksheets_lib.documents.demo import demo_inputs
from worksheets_lib.models.paper import PAPER_SIZES

DOCUMENTS = [d.name for d in list_documents() if d.name != "packet"]
CLIENT_DOCUMENTS = [d.name for d in list_documents("client") if d.name != "packet"]
PAPERS = list(PAPER_SIZES)
MM = 72 / 25.4
MARGIN_MM = 20  # the @page top and bottom margins, where the header and footer are


@pytest.fixture(scope="module")
def inputs():
    return demo_inputs(load_client(demo_client_path()))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, inputs):
    folder = tmp_path_factory.mktemp("large")
    made = {}
    for name in DOCUMENTS:
        for paper in PAPERS:
            made[name, paper, "plain"] = render_document(
                name, inputs, folder / f"{name}-{paper}.pdf", paper=paper, large_print=False)
            made[name, paper, "large"] = render_document(
                name, inputs, folder / f"{name}-{paper}-large.pdf", paper=paper,
                large_print=True, fillable=name in CLIENT_DOCUMENTS)
    return made


def characters(path):
    """(page, size in pt, left, bottom, right, top, page width, page height) per character."""
    document = pdfium.PdfDocument(str(path))
    found = []
    for number, page in enumerate(document):
        text = page.get_textpage()
        width, height = page.get_size()
        for index in range(text.count_chars()):
            if chr(raw.FPDFText_GetUnicode(text.raw, index)).isspace():
                continue
            box = text.get_charbox(index)
            # pdfium gives the size in the units of the text's own matrix: WeasyPrint draws
            # in CSS pixels (0.75 pt each).
            size = raw.FPDFText_GetFontSize(text.raw, index) * 0.75
            found.append((number, size, *box, width, height))
        text.close()
        page.close()
    document.close()
    return found


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("name", DOCUMENTS)
def test_large_print_words_are_16_pt_and_stay_on_the_page(rendered, name, paper):
    large, plain = rendered[name, paper, "large"], rendered[name, paper, "plain"]
    assert large.pages >= plain.pages
    chars = characters(large.path)
    body = [c for c in chars if MARGIN_MM * MM < c[3] and c[5] < c[7] - MARGIN_MM * MM]
    assert body
    small = sorted({round(c[1], 1) for c in body if c[1] < 15.9})
    if name == "progress-report":
        # Its charts are pictures with their own small labels; the words around them are not.
        small = [size for size in small if size > 10]
    assert not small, f"text smaller than 16 pt: {small}"
    for _, _, left, bottom, right, top, width, height in chars:
        assert -0.5 <= left and right <= width + 0.5 and -0.5 <= bottom and top <= height + 0.5


def layout(name, inputs, paper="a4"):
    """WeasyPrint's pages of the large-print HTML (with our stylesheets)."""
    import weasyprint

    from worksheets_lib import templates_dir

    base = templates_dir().as_uri() + "/"
    html = document_html(name, inputs, paper=paper, large_print=True)
    sheets = [weasyprint.CSS(filename=str(templates_dir() / f), base_url=base)
              for f in ("print.css", "large_print.css")]
    sheets.append(weasyprint.CSS(string=f"@page {{ size: {PAPER_SIZES[paper].css}; }}"))
    return weasyprint.HTML(string=html, base_url=base).render(stylesheets=sheets).pages


def boxes(pages, css_class):
    for page in pages:
        for box in page._page_box.descendants():
            if box.element is not None and css_class in (box.element.get("class") or "").split() \
                    and type(box).__name__ in ("BlockBox", "InlineBlockBox"):
                yield box


@pytest.mark.parametrize("name", CLIENT_DOCUMENTS)
def test_lines_are_12_mm_apart_and_tick_boxes_7_mm(inputs, name):
    px = 96 / 25.4  # WeasyPrint's CSS pixels per mm
    pages = layout(name, inputs)
    lines = list(boxes(pages, "line")) + list(boxes(pages, "cy-line"))
    ticks = list(boxes(pages, "box"))
    for line in lines:
        height = line.border_height() / px
        assert height >= 12 - 0.2, f"a writing line is {height:.1f} mm"
    for tick in ticks:
        assert min(tick.border_width(), tick.border_height()) >= 7 * px - 0.5
    # The pause cards' lines sit in cards placed by position, which this walk does not enter.
    assert lines or ticks or name in ("attachment-patterns", "feelings-words", "pause-cards")


def test_the_client_file_turns_large_print_on(tmp_path, capsys, demo_data):
    import yaml

    data = {**demo_data, "print": {"large": True}}
    client_file = tmp_path / "large.yaml"
    client_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, out, err = run(capsys, "render", "listening", "--client", client_file,
                         "--out", tmp_path / "from-file.pdf")
    assert code == 0, err
    code, _, err = run(capsys, "render", "listening", "--client", demo_client_path(),
                       "--large-print", "--out", tmp_path / "from-flag.pdf")
    assert code == 0, err
    code, _, _ = run(capsys, "render", "listening", "--client", demo_client_path(),
                     "--out", tmp_path / "regular.pdf")
    sizes = {name: min(c[1] for c in characters(tmp_path / f"{name}.pdf")
                       if MARGIN_MM * MM < c[3] < c[7] - MARGIN_MM * MM)
             for name in ("from-file", "from-flag", "regular")}
    assert sizes["from-file"] >= 15.9 and sizes["from-flag"] >= 15.9
    assert sizes["regular"] < 10
