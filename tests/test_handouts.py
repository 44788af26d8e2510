"""The handouts and reflection pages (``documents/handouts.py``), by the facts of their PDFs.

Each is rendered on A4 and Letter for the demo client and for a stress client (every
word at its longest, and names in other scripts): the page count, the client's own words
where they belong, the defaults when the file is silent, our fonts embedded, no warning,
writing lines at least 8 mm apart, and nothing running past the margins.
"""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from helpers import embedded_font_count, pdf_fonts, pdf_text, run
from worksheets_lib import document_html, render_document
from worksheets_lib.documents import get_document, list_documents
from worksheets_lib.models.paper import PAPER_SIZES

PAPERS = list(PAPER_SIZES)
LONG_TERM = ("my long-term partner and best friend of many years, Sam" + "x" * 60)[:60]
#: Each handout: its pages for the demo client and for the stress client, on both papers.
HANDOUTS = {
    "attachment-patterns": {"pages": 2, "stress_pages": 2},
    "feelings-under": {"pages": 2, "stress_pages": 2},
    "then-or-now": {"pages": 2, "stress_pages": 2},
    "values-culture": {"pages": 3, "stress_pages": 3},
    "feelings-words": {"pages": 1, "stress_pages": 1},
}
MM = 96 / 25.4  # CSS px in a millimetre


@pytest.fixture
def stress(make_client):
    """The demo client with every word at its longest, in more than one script."""
    return make_client(name="Zoë Ñúñez-Łukasiewicz " * 2 + "Alexandra-Marguerite"[:16],
                       terms={"partner": LONG_TERM, "relationship": LONG_TERM,
                              "closeness": LONG_TERM})


@pytest.fixture
def scripts(make_client):
    """A client whose words are in the other scripts our fonts carry."""
    return make_client(name="Nguyễn Thị Minh Khai", terms={
        "partner": "σύντροφος μου", "relationship": "наши отношения", "closeness": "близость"})


@pytest.fixture
def plain(make_client, demo_data):
    """The demo client with no words of their own for closeness: the defaults apply."""
    data = {k: v for k, v in demo_data.items() if k not in ("terms", "listening")}
    return make_client(**{**data, "terms": {}})


def test_every_handout_is_registered_for_the_client_with_a_purpose():
    for name in HANDOUTS:
        doc = get_document(name)
        assert doc.audience == "client" and doc.in_packet and not doc.needs
        assert doc.purpose in ("understanding", "calming", "practising")
    assert set(HANDOUTS) <= {d.name for d in list_documents("client")}


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("name", list(HANDOUTS))
def test_each_handout_renders_with_its_pages_our_fonts_and_no_warning(
        tmp_path, demo_client, stress, name, paper):
    for client, pages in ((demo_client, HANDOUTS[name]["pages"]),
                          (stress, HANDOUTS[name]["stress_pages"])):
        out = tmp_path / f"{name}-{paper}.pdf"
        result = render_document(name, client, out, paper=paper)
        assert result.warnings == []
        reader = PdfReader(str(out))
        assert result.pages == len(reader.pages) == pages, (name, paper, client.name)
        fonts = pdf_fonts(out)
        assert fonts and all(f.startswith("Worksheets-") for f in fonts), fonts
        used, embedded = embedded_font_count(out)
        assert used == embedded
        # The no_weasyprint_warnings fixture fails the test on any warning WeasyPrint logs.


def layout(html: str, paper: str):
    import weasyprint

    from worksheets_lib import templates_dir

    base = templates_dir().as_uri() + "/"
    sheets = [weasyprint.CSS(filename=str(templates_dir() / "print.css"), base_url=base),
              weasyprint.CSS(string=f"@page {{ size: {PAPER_SIZES[paper].css}; }}")]
    return weasyprint.HTML(string=html, base_url=base).render(stylesheets=sheets)


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("name", list(HANDOUTS))
@pytest.mark.parametrize("who", ["stress", "scripts"])
def test_long_words_wrap_inside_the_margins_and_writing_lines_are_8mm_apart(
        request, name, paper, who):
    client = request.getfixturevalue(who)
    document = layout(document_html(name, client, paper=paper), paper)
    size = PAPER_SIZES[paper]
    right = (size.width_mm - 16) * MM + 0.5  # the right margin is 16 mm
    lines, texts = [], 0
    for page in document.pages:
        for box in page._page_box.descendants():
            if type(box).__name__ in ("TextBox", "LineBox") and box.element is not None:
                if "page-foot" in (box.element.get("class") or ""):
                    continue
                texts += 1
                assert box.position_x + box.width <= right, (name, paper, box)
            if type(box).__name__ == "BlockBox" and box.element is not None:
                if {"line", "stem"} & set((box.element.get("class") or "").split()):
                    lines.append(box.border_height())
    assert texts > 50
    if lines:
        assert min(lines) >= 8 * MM - 0.01


@pytest.mark.parametrize("name", list(HANDOUTS))
def test_each_handout_goes_in_a_packet_and_renders_from_the_command_line(
        tmp_path, capsys, name):
    from worksheets_lib import demo_client_path

    out = tmp_path / f"{name}.pdf"
    code, stdout, err = run(capsys, "render", name, "--client", demo_client_path(),
                            "--out", out, "--paper", "letter")
    assert code == 0 and err == "", err
    packet = tmp_path / "packet.pdf"
    code, _, err = run(capsys, "packet", "--client", demo_client_path(), "--out", packet,
                       "--worksheets", f"{name},ladder")
    assert code == 0, err
    assert [i.title for i in PdfReader(str(packet)).outline][0] == get_document(name).title


@pytest.mark.parametrize("name", list(HANDOUTS))
def test_words_in_other_scripts_print_in_our_fonts(tmp_path, scripts, name):
    out = tmp_path / f"{name}.pdf"
    result = render_document(name, scripts, out)
    assert result.pages == HANDOUTS[name]["pages"]
    fonts = pdf_fonts(out)
    assert any("Extended" in f for f in fonts), fonts
    assert all(f.startswith("Worksheets-") for f in fonts), fonts
    text = pdf_text(out)
    assert "Nguyễn Thị Minh Khai" in text
    if name != "then-or-now":  # the only one that prints no word for closeness
        assert "σύντροφος μου" in text or "близость" in text


# --- attachment patterns ---------------------------------------------------------------------

def test_the_patterns_handout_names_four_ways_of_coping_and_that_patterns_can_change(
        tmp_path, demo_client):
    out = tmp_path / "p.pdf"
    render_document("attachment-patterns", demo_client, out)
    text = pdf_text(out)
    for title in ("Steady", "Holding on", "Keeping space", "Torn between near and far"):
        assert title in text
    for called in ("often called secure", "often called anxious",
                   "often called dismissive-avoidant", "often called fearful-avoidant"):
        assert called in text
    assert text.count("How it made sense:") == 4 and text.count("What tends to help:") == 4
    assert text.count("In a disagreement:") == 4
    assert "Patterns can change" in text
    # The client's words: the partner word, and the closeness word as a label.
    assert "your girlfriend" in text and text.count("When it comes to closeness:") == 4
    # Never a label for the reader, never a quiz.
    lowered = text.lower()
    for phrase in ("you are anxious", "you are avoidant", "you are secure", "your style",
                   "quiz", "score", "disorder"):
        assert phrase not in lowered


def test_the_patterns_handout_uses_the_defaults_and_the_clients_own_words(
        tmp_path, plain, make_client):
    out = tmp_path / "p.pdf"
    render_document("attachment-patterns", plain, out)
    text = pdf_text(out)
    assert "your partner" in text and "When it comes to closeness:" in text
    own = make_client(terms={"partner": "husband", "closeness": "feeling close"})
    render_document("attachment-patterns", own, out)
    text = pdf_text(out)
    assert "your husband" in text and text.count("When it comes to feeling close:") == 4


# --- feelings under the surface --------------------------------------------------------------

def test_feelings_under_the_surface_has_both_layers_an_example_and_three_moments(
        tmp_path, demo_client, plain):
    out = tmp_path / "u.pdf"
    render_document("feelings-under", demo_client, out)
    text = pdf_text(out)
    assert "On top: what others may see" in text and "Underneath: what I may feel inside" in text
    for word in ("angry", "shutting down", "scared", "sad", "ashamed", "lonely"):
        assert word in text
    assert "longing for closeness" in text
    assert "For example: your girlfriend is late" in text
    for number in (1, 2, 3):
        assert f"Moment {number}" in text
    assert text.count("Softer words I could say next time:") == 3
    assert text.count("Underneath, I may have felt:") == 3
    render_document("feelings-under", plain, out)
    text = pdf_text(out)
    assert "your partner is late" in text and "longing for closeness" in text


def test_feelings_under_the_surface_takes_the_clients_closeness_word(tmp_path, make_client):
    out = tmp_path / "u.pdf"
    render_document("feelings-under", make_client(terms={"partner": "wife",
                                                         "closeness": "connection"}), out)
    text = pdf_text(out)
    assert "longing for connection" in text and "your wife is late" in text


# --- then or now? ----------------------------------------------------------------------------

def test_then_or_now_asks_gently_and_names_the_safety_signs_and_the_therapist(
        tmp_path, demo_client):
    out = tmp_path / "t.pdf"
    render_document("then-or-now", demo_client, out)
    text = pdf_text(out)
    for heading in ("What is happening", "Then or now?", "What tells me I am safe now",
                    "To bring to my therapist"):
        assert heading in text
    assert "What feels the same as then:" in text and "What is different now:" in text
    assert "Tick only what is true for you today." in text
    assert "What I want to talk about with Dr. Jordan Lee:" in text
    # Danger now is taken seriously; a fear is never called wrong.
    assert "If someone is hurting you or you are in danger now" in text
    lowered = text.lower()
    for phrase in ("irrational", "overreact", "not real", "wrong to feel", "just in your head",
                   "calm down"):
        assert phrase not in lowered
    # No crisis line in the default practice: the page points to none.
    assert "help line" not in lowered


def test_then_or_now_carries_the_practices_crisis_line(tmp_path, demo_client):
    from pathlib import Path

    practice = Path(__file__).resolve().parent.parent / "examples" / "practice"
    out = tmp_path / "t.pdf"
    render_document("then-or-now", demo_client, out, practice=practice)
    text = pdf_text(out)
    assert "call your local emergency number now" in text
    assert "or use the help line above" in text


# --- values and culture ----------------------------------------------------------------------

def test_values_and_culture_asks_about_each_value_and_shows_the_words_in_use(
        tmp_path, demo_client, plain):
    out = tmp_path / "v.pdf"
    render_document("values-culture", demo_client, out)
    pages = pdf_text(out).split("\f")
    text = " ".join(pages)
    for heading in ("Closeness", "Standing on my own", "Family duty", "Showing feelings",
                    "The words I want my therapist to use", "What feeling safe looks like for me"):
        assert heading in text
    assert "The person I am close to girlfriend" in text
    assert "Being close closeness" in text and "(none yet)" in text
    # Feeling safe has the last page to itself.
    assert pages[-1].count("What feeling safe looks like for me") == 1
    assert "Showing feelings" not in pages[-1]
    render_document("values-culture", plain, out)
    assert "The person I am close to partner" in pdf_text(out)


# --- feelings words --------------------------------------------------------------------------

def test_feelings_words_is_one_page_of_families_with_body_words_beside_them(
        tmp_path, demo_client, make_client):
    from worksheets_lib.documents.handouts import FEELING_FAMILIES

    out = tmp_path / "w.pdf"
    render_document("feelings-words", demo_client, out)
    text = pdf_text(out)
    assert "\f" not in text
    assert "In my body it may feel like" in text
    for name, words, body in FEELING_FAMILIES:
        assert name in text and words[0] in text and body[0] in text
    assert len(FEELING_FAMILIES) >= 8
    assert "How closeness feels in my body:" in text
    render_document("feelings-words", make_client(terms={"closeness": "connection"}), out)
    assert "How connection feels in my body:" in pdf_text(out)
