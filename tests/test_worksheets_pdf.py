"""The three worksheets and the packet, checked by the facts inside their PDFs."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from helpers import embedded_font_count, pdf_fonts, pdf_text
from worksheets_lib import list_worksheets, render_packet, render_worksheet

MM = 72 / 25.4
PAPER_POINTS = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("name", ["ladder", "journal", "listening"])
def test_each_worksheet_renders_on_the_chosen_paper_with_only_our_embedded_fonts(
        tmp_path, demo_client, name, paper):
    out = tmp_path / f"{name}.pdf"
    result = render_worksheet(name, demo_client, out, paper=paper)
    reader = PdfReader(str(out))
    assert result.pages == len(reader.pages) >= 1
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == tuple(round(v) for v in PAPER_POINTS[paper])
    fonts = pdf_fonts(out)
    assert fonts and all(f.startswith("Worksheets-") for f in fonts), fonts
    used, embedded = embedded_font_count(out)
    assert used == embedded


def test_every_page_has_header_and_footer(tmp_path, demo_client):
    out = tmp_path / "journal.pdf"
    result = render_worksheet("journal", demo_client, out)
    pages = pdf_text(out).split("\f")
    assert len(pages) == result.pages == 8  # 7 days and the weekly review
    for number, text in enumerate(pages, start=1):
        assert "Alex" in text
        assert "Feelings journal" in text
        assert "24 November 2026" in text
        assert "Harbour Lane Counselling" in text
        assert "CONFIDENTIAL" in text.upper()
        assert f"Page {number} of {len(pages)}" in text


def test_ladder_prefills_steps_sorted_easiest_at_the_bottom_with_spare_rungs(
        tmp_path, demo_client):
    out = tmp_path / "ladder.pdf"
    render_worksheet("ladder", demo_client, out)
    text = pdf_text(out).replace("\f", " ")
    # Printed top to bottom: hardest first, so the easiest is the last on paper.
    order = [text.index(s.step[:30]) for s in demo_client.ladder.sorted_steps()]
    assert order == sorted(order, reverse=True)
    # 6 steps -> 8 rungs: two spare rungs to write in at the top (no gap over 15 points).
    assert text.count("A step of my own") == 2
    assert text.count("Expect:") == 8
    for step in demo_client.ladder.steps:
        assert f"Expect: {step.distress}" in text


@pytest.mark.parametrize("count, rungs", [(0, 8), (3, 8), (6, 8), (9, 11), (12, 12)])
def test_ladder_has_8_to_12_rungs(tmp_path, make_client, count, rungs):
    steps = [{"step": f"Step number {i}", "distress": i * 8} for i in range(count)]
    client = make_client(ladder={"steps": steps})
    out = tmp_path / "ladder.pdf"
    render_worksheet("ladder", client, out)
    assert pdf_text(out).count("First tried:") == rungs


def test_ladder_gap_warning_is_returned_and_pdf_still_renders(tmp_path, make_client):
    client = make_client(ladder={"steps": [{"step": "Small", "distress": 10},
                                           {"step": "Big", "distress": 50}]})
    result = render_worksheet("ladder", client, tmp_path / "ladder.pdf")
    assert result.path.exists()
    assert result.warnings == [
        "ladder: rungs 1 and 2 are 40 points apart (expected distress 10 and 50); "
        "think about adding a smaller step between them"]


def test_no_gap_warning_at_exactly_15_points(tmp_path, make_client):
    client = make_client(ladder={"steps": [{"step": "A", "distress": 10},
                                           {"step": "B", "distress": 25}]})
    assert render_worksheet("ladder", client, tmp_path / "l.pdf").warnings == []


def test_journal_prints_the_chosen_number_of_days_and_a_weekly_review(tmp_path, make_client):
    client = make_client(journal={"days": 3})
    out = tmp_path / "journal.pdf"
    result = render_worksheet("journal", client, out)
    text = pdf_text(out)
    assert result.pages == 4
    assert all(f"Day {d}" in text for d in (1, 2, 3)) and "Day 4" not in text
    review = text.split("\f")[-1]
    assert "Looking back at days 1 to 3" in review and "week" not in review
    for prompt in ("Moments of closeness", "Moments when I felt distant",
                   "Triggers that came up more than once", "What I would like to try next"):
        assert prompt in review


def test_journal_day_has_every_prompt(tmp_path, demo_client):
    out = tmp_path / "journal.pdf"
    render_worksheet("journal", demo_client, out)
    day = pdf_text(out).split("\f")[1]
    for prompt in ("What happened?", "The feeling, named in my own words",
                   "How strong was it?", "Where did I feel it in my body?",
                   "Did I pause", "I named the feeling", "I rated it", "I chose a step",
                   "The step I chose",
                   "What did I do?", "closer", "more distant"):
        assert prompt in day, prompt


def test_client_preferred_words_replace_fixed_words(tmp_path, make_client):
    client = make_client(terms={"partner": "husband", "closeness": "connection"})
    out = tmp_path / "journal.pdf"
    render_worksheet("journal", client, out)
    text = pdf_text(out)
    assert "with my husband" in text
    assert "Moments of connection" in text
    assert "girlfriend" not in text


def test_listening_checklist_names_the_other_person_and_has_the_skills(tmp_path, demo_client):
    out = tmp_path / "listening.pdf"
    result = render_worksheet("listening", demo_client, out)
    text = pdf_text(out)
    assert result.pages == 1
    assert "talks with Maya" in text
    for skill in ("put distractions away", "made eye contact", "reflected back what I heard",
                  "asked a clarifying question", "I felt", "when", "because",
                  "What I’d like is", "Talk 5"):
        assert skill in text, skill


def test_listening_falls_back_to_the_partner_word(tmp_path, make_client):
    client = make_client(listening={}, terms={"partner": "wife"})
    out = tmp_path / "listening.pdf"
    render_worksheet("listening", client, out)
    assert "talks with your wife" in pdf_text(out)


def test_packet_has_cover_contents_with_page_numbers_bookmarks_and_title(tmp_path, demo_client):
    out = tmp_path / "packet.pdf"
    result = render_packet(demo_client, out)
    reader = PdfReader(str(out))
    assert result.pages == len(reader.pages)
    assert reader.metadata.title == "Worksheets for Alex"
    outline = [(item.title, reader.get_destination_page_number(item))
               for item in reader.outline]
    assert [title for title, _ in outline] == [w.title for w in list_worksheets()]
    cover = reader.pages[0].extract_text()
    for title, page_index in outline:
        assert title in cover
        assert f"page {page_index + 1}" in cover
        # The worksheet really starts there: its title heads that page.
        assert title in reader.pages[page_index].extract_text()
    assert "Dr. Jordan Lee" in cover and "24 November 2026" in cover


def test_packet_with_chosen_worksheets_in_the_chosen_order(tmp_path, demo_client):
    out = tmp_path / "packet.pdf"
    render_packet(demo_client, out, worksheets=["listening", "ladder"])
    reader = PdfReader(str(out))
    assert [i.title for i in reader.outline] == ["Active-listening checklist",
                                                 "My attachment ladder"]
    assert "Feelings journal" not in pdf_text(out)


def text_positions(page):
    """(x, y) in points of every piece of text drawn on a page."""
    points = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            # The text origin (tm's translation) mapped through the CTM.
            x, y = tm[4], tm[5]
            points.append((cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5]))

    page.extract_text(visitor_text=visit)
    return points


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_all_text_stays_at_least_12mm_from_the_paper_edge(tmp_path, demo_client, paper):
    out = tmp_path / "packet.pdf"
    render_packet(demo_client, out, paper=paper)
    for page in PdfReader(str(out)).pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        points = text_positions(page)
        assert points
        for x, y in points:
            assert 12 * MM <= x <= width - 12 * MM
            assert 12 * MM <= y <= height - 12 * MM


def layout_boxes(html):
    """Every laid-out box of every page (WeasyPrint's own layout of our HTML)."""
    import weasyprint

    from worksheets_lib import templates_dir

    base = templates_dir().as_uri() + "/"
    sheet = weasyprint.CSS(filename=str(templates_dir() / "print.css"), base_url=base)
    document = weasyprint.HTML(string=html, base_url=base).render(stylesheets=[sheet])
    for page in document.pages:
        yield from page._page_box.descendants()


@pytest.mark.parametrize("name", ["ladder", "journal", "listening"])
def test_writing_lines_are_at_least_8mm_apart(demo_client, name):
    from worksheets_lib import worksheet_html

    heights = []
    for box in layout_boxes(worksheet_html(name, demo_client)):
        if type(box).__name__ != "BlockBox" or box.element is None:
            continue  # the line and text boxes inside share the element
        classes = (box.element.get("class") or "").split()
        if {"line", "stem"} & set(classes):
            heights.append(box.border_height())
    assert heights, "no writing lines found"
    assert min(heights) >= 8 * 96 / 25.4 - 0.01  # CSS px: 8 mm
