"""The calming and practising pages (documents/calming.py), checked by the facts of their PDFs.

Each is rendered for the demo client and for a stress client (every word at its
longest, other scripts, long ladder steps) on both papers: the page count, the
client's own words on the page, only our fonts and all of them embedded, and no
WeasyPrint warning (the autouse fixture in conftest fails a test on one).
"""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from helpers import embedded_font_count, pdf_fonts, pdf_text
from worksheets_lib import Inputs, demo_client_path, get_document, load_client, render_document
from worksheets_lib.documents.demo import demo_inputs
from worksheets_lib.models.paper import PAPER_SIZES

PAPERS = list(PAPER_SIZES)
LONG_TERM = ("my long-term partner and best friend of many years, Sam" + "x" * 60)[:60]
STRESS_NAME = "Zoë Ñúñez-Łukasiewicz " * 2 + "Alexandra-Marguerite"[:16]
#: A ladder step of 300 characters with a word wider than any card, and one in other scripts.
LONG_STEP = ("Tell Maximilian-Alexandrovich-Konstantinopolous how I felt when the weekend "
             "plans changed, and ask to plan the next one together. " * 4)[:300]
OTHER_SCRIPTS = "Сказать Марии «спасибо» · Να πω ευχαριστώ · Nói lời cảm ơn với mẹ tôi"

#: The calming and practising documents, and how many pages each has on either paper.
PAGES = {"grounding-plan": 2, "pause-cards": 1, "experiment": 2, "support-map": 2,
         "keeping-it-going": 2}
#: The purpose each is listed under.
PURPOSES = {"grounding-plan": "calming", "pause-cards": "calming", "experiment": "practising",
            "support-map": "practising", "keeping-it-going": "keeping it going"}


def squashed(text: str) -> str:
    """Text with all white space removed: words broken across lines still match."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def demo() -> Inputs:
    return demo_inputs(load_client(demo_client_path()))


@pytest.fixture(scope="module")
def stress() -> Inputs:
    import yaml

    from worksheets_lib import validate_client

    data = yaml.safe_load(demo_client_path().read_text(encoding="utf-8"))
    steps = [{"step": LONG_STEP, "distress": 5}, {"step": OTHER_SCRIPTS, "distress": 10}]
    steps += [{"step": f"{chr(67 + i)}. " + "a longer step in my own words " * 9,
               "distress": 20 + 8 * i} for i in range(10)]
    data.update(name=STRESS_NAME, ladder={"steps": steps},
                terms={"partner": LONG_TERM, "relationship": LONG_TERM, "closeness": LONG_TERM})
    return Inputs(validate_client(data))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, demo, stress):
    folder = tmp_path_factory.mktemp("calming")
    results = {}
    for name in PAGES:
        for who, inputs in (("demo", demo), ("stress", stress)):
            for paper in PAPERS:
                out = folder / f"{name}-{who}-{paper}.pdf"
                results[name, who, paper] = render_document(name, inputs, out, paper=paper)
    return results


def test_each_is_a_client_document_with_its_purpose_and_goes_in_a_packet():
    for name, purpose in PURPOSES.items():
        doc = get_document(name)
        assert doc.audience == "client" and doc.purpose == purpose
        assert doc.in_packet and not doc.needs


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("who", ["demo", "stress"])
@pytest.mark.parametrize("name", list(PAGES))
def test_each_has_its_pages_only_our_fonts_embedded_and_the_client_name(rendered, demo,
                                                                         stress, name, who,
                                                                         paper):
    result = rendered[name, who, paper]
    assert result.pages == len(PdfReader(str(result.path)).pages) == PAGES[name]
    fonts = pdf_fonts(result.path)
    assert fonts and all(f.startswith("Worksheets-") for f in fonts), fonts
    used, embedded = embedded_font_count(result.path)
    assert used == embedded
    client = (demo if who == "demo" else stress).client
    for page in pdf_text(result.path).split("\f"):
        assert squashed(client.name)[:12] in squashed(page)


# --- my body and feeling safe ------------------------------------------------------------------

@pytest.mark.parametrize("who", ["demo", "stress"])
def test_the_grounding_plan_explains_alarm_and_calm_then_plans_with_the_client_s_words(
        rendered, demo, stress, who):
    client = (demo if who == "demo" else stress).client
    first, second = pdf_text(rendered["grounding-plan", who, "a4"].path).split("\f")
    assert "The alarm in your body" in first and "The calm in your body" in first
    for way in ("Breathe out slowly", "5, 4, 3, 2, 1", "Cold water", "Move"):
        assert way in first
    assert "My grounding plan" in second
    for part in ("My early warning signs", "What calms my body", "People I can reach",
                 "Words I can say to myself", "If I am in danger"):
        assert part in second
    assert squashed(client.terms.partner) in squashed(second)
    # Without a practice's crisis line: the emergency number, and a line to write one in.
    assert "Call your local emergency number now" in second and "My crisis line:" in second


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("name", ["grounding-plan", "keeping-it-going"])
def test_the_practice_s_crisis_line_and_contact_print_at_their_longest(tmp_path, stress, name,
                                                                       paper):
    line = ("Call Harbour Crisis on 0800 000 000, day or night. " * 8)[:400].strip()
    contact = ("12 Harbour Lane, Porthaven · 01234 567 890 · hello@harbourlane.example " * 3)
    contact = contact[:160].strip()
    folder = tmp_path / "practice"
    folder.mkdir()
    (folder / "practice.yaml").write_text(f'crisis_line: "{line}"\ncontact: "{contact}"\n',
                                          encoding="utf-8")
    result = render_document(name, stress, tmp_path / "g.pdf", paper=paper, practice=folder)
    assert result.pages == PAGES[name]
    last = pdf_text(result.path).split("\f")[-1]
    assert squashed(line) in squashed(last)
    assert "My crisis line:" not in last


# --- pause cards --------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["demo", "stress"])
def test_pause_cards_carry_the_steps_and_the_client_s_first_ladder_steps(rendered, demo, stress,
                                                                         who):
    client = (demo if who == "demo" else stress).client
    text = pdf_text(rendered["pause-cards", who, "a4"].path)
    for step in ("Notice.", "Name it.", "Rate it.", "Choose a step."):
        assert text.count(step) == 3
    for step in client.ladder.sorted_steps()[:3]:
        assert squashed(step.step) in squashed(text)
    assert text.count("Words I can say to myself:") == 3


def test_pause_cards_without_ladder_steps_leave_room_to_write_one(tmp_path, make_client):
    client = make_client(ladder={"steps": [{"step": "Say hello to my neighbour.",
                                            "distress": 10}]})
    result = render_document("pause-cards", client, tmp_path / "p.pdf")
    text = pdf_text(result.path)
    assert result.pages == 1 and text.count("Say hello to my neighbour.") == 1
    assert text.count("A small step I can choose:") == 3


def _tree(box):
    """*box* and every box inside it, through WeasyPrint's placeholders of absolute boxes."""
    box = getattr(box, "_box", box)
    yield box
    for child in getattr(box, "children", ()):
        yield from _tree(child)


def _boxes(document, cls):
    """The block boxes of the first page whose element has the class *cls* (absolutely
    positioned boxes are held by WeasyPrint's placeholders)."""
    found = []
    for box in _tree(document.pages[0]._page_box):
        if (box.element is not None and cls in (box.element.get("class") or "").split()
                and type(box).__name__ == "BlockBox"):
            found.append(box)
    return found


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("who", ["demo", "stress"])
def test_pause_card_marks_line_up_with_the_cuts_and_no_words_leave_their_card(demo, stress,
                                                                               who, paper):
    from test_documents import layout

    from worksheets_lib import document_html

    inputs = demo if who == "demo" else stress
    document = layout(document_html("pause-cards", inputs, paper=paper), paper)
    assert len(document.pages) == 1
    cuts_y = {round(b.position_y, 2) for b in _boxes(document, "pc-cut-h")}
    cuts_x = {round(b.position_x, 2) for b in _boxes(document, "pc-cut-v")}
    cuts_x |= {round(b.position_x, 2) for b in _boxes(document, "pc-fold")}
    assert len(cuts_y) == 4 and len(cuts_x) == 3
    for mark in _boxes(document, "pc-mark-h"):
        assert round(mark.position_y, 2) in cuts_y
    for mark in _boxes(document, "pc-mark-v"):
        assert round(mark.position_x, 2) in cuts_x
    halves = _boxes(document, "pc-half")
    assert len(halves) == 6
    for half in halves:
        top, bottom = half.position_y, half.position_y + half.margin_height()
        left, right = half.position_x, half.position_x + half.margin_width()
        lines = [b for b in _tree(half) if type(b).__name__ == "LineBox"]
        for box in lines:
            assert top <= box.position_y and box.position_y + box.height <= bottom + 0.01
            assert left <= box.position_x and box.position_x + box.width <= right + 0.01
        # The lines pinned to the card's foot (whose card it is; words to say) and the rest.
        pinned_ids = {id(line) for box in _tree(half) if box.element is not None
                      and {"pc-words", "pc-owner"} & set((box.element.get("class") or "").split())
                      for line in _tree(box) if type(line).__name__ == "LineBox"}
        pinned = [b for b in lines if id(b) in pinned_ids]
        flowing = [b for b in lines if id(b) not in pinned_ids]
        assert flowing and pinned
        assert max(b.position_y + b.height for b in flowing) <= min(b.position_y for b in pinned)


# --- the experiment record ----------------------------------------------------------------------

@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("who", ["demo", "stress"])
def test_the_experiment_record_has_before_and_after_and_offers_ladder_steps(rendered, demo,
                                                                            stress, who, paper):
    client = (demo if who == "demo" else stress).client
    before, after = pdf_text(rendered["experiment", who, paper].path).split("\f")
    for part in ("Before I try it", "The thought I am testing",
                 "How much do I believe it right now", "What I predict will happen",
                 "The safety habits I will drop", "Stay safe."):
        assert part in before
    for part in ("After I try it", "What happened?", "What I learned",
                 "How much do I believe the thought now"):
        assert part in after
    steps = client.ladder.sorted_steps()
    offered = [s.step for s in steps[:3] if squashed(s.step) in squashed(before)]
    # The easiest steps, in order: all three short ones; at least the first long one.
    assert offered == [s.step for s in steps[:len(offered)]]
    assert len(offered) == 3 if who == "demo" else len(offered) >= 1
    assert squashed(client.terms.partner) in squashed(before)


def test_the_experiment_record_without_a_ladder_still_asks_for_a_small_step(tmp_path,
                                                                           make_client):
    result = render_document("experiment", make_client(ladder={"steps": []}),
                             tmp_path / "e.pdf")
    assert result.pages == 2
    assert "Pick something small and safe" in pdf_text(result.path)


# --- the support map ----------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["demo", "stress"])
def test_the_support_map_has_the_circles_who_helps_and_one_person_this_week(rendered, demo,
                                                                            stress, who):
    client = (demo if who == "demo" else stress).client
    first, second = pdf_text(rendered["support-map", who, "letter"].path).split("\f")
    for label in ("Around me", "Close", "Closest to me", "Me"):
        assert label in first
    assert squashed(client.terms.partner) in squashed(first)
    # The client's name is in the middle circle as well as in the header.
    assert squashed(first).count(squashed(client.name)) >= 2
    for part in ("Who I can reach, and for what", "To talk", "Practical help", "Fun",
                 "One person to reach out to this week", "Afterwards: how did it go?"):
        assert part in second


def _rectangle_distances(box, cx, cy):
    """The nearest and furthest distance from (cx, cy) of the rectangle of *box*."""
    left, top = box.position_x, box.position_y
    right, bottom = left + box.width, top + box.height
    near_x = min(max(cx, left), right) - cx
    near_y = min(max(cy, top), bottom) - cy
    far = max(((x - cx) ** 2 + (y - cy) ** 2) ** 0.5 for x in (left, right)
              for y in (top, bottom))
    return (near_x ** 2 + near_y ** 2) ** 0.5, far


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("who", ["demo", "stress"])
def test_the_support_map_s_words_stay_inside_their_circles(demo, stress, who, paper):
    from test_documents import layout

    from worksheets_lib import document_html

    document = layout(document_html("support-map", demo if who == "demo" else stress,
                                    paper=paper), paper)
    rings = sorted(_boxes(document, "sm-ring") + _boxes(document, "sm-me"),
                   key=lambda b: -b.border_width())
    cx = rings[0].border_box_x() + rings[0].border_width() / 2
    cy = rings[0].border_box_y() + rings[0].border_height() / 2
    radii = [ring.border_width() / 2 for ring in rings] + [0.0]
    for ring in rings:  # all share one centre
        assert abs(ring.border_box_x() + ring.border_width() / 2 - cx) < 0.01
        assert abs(ring.border_box_y() + ring.border_height() / 2 - cy) < 0.01
    labels: dict[int, list] = {}  # a label's boxes (its block hint makes more than one)
    for box in _boxes(document, "sm-label"):
        labels.setdefault(id(box.element), []).append(box)
    assert len(labels) == 3
    for index, boxes in enumerate(labels.values()):
        texts = [t for box in boxes for t in _tree(box) if type(t).__name__ == "TextBox"]
        assert texts
        for text in texts:
            near, far = _rectangle_distances(text, cx, cy)
            assert radii[index + 1] < near and far < radii[index], (index, text.text)
    for text in _tree(_boxes(document, "sm-me")[0]):
        if type(text).__name__ == "TextBox":
            assert _rectangle_distances(text, cx, cy)[1] < radii[3], text.text


# --- keeping it going ---------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["demo", "stress"])
def test_keeping_it_going_plans_check_ins_and_boosters_in_the_client_s_words(rendered, demo,
                                                                             stress, who):
    client = (demo if who == "demo" else stress).client
    first, second = pdf_text(rendered["keeping-it-going", who, "a4"].path).split("\f")
    for part in ("What has changed for me", "My warning signs", "What I will keep doing",
                 "Where I am heading"):
        assert part in first
    assert squashed(client.terms.closeness) in squashed(first)
    assert squashed(client.ladder.sorted_steps()[-1].step) in squashed(first)
    assert "My monthly check-in" in second and "Month 6" in second
    assert "When to book a booster session" in second
    assert "To book, contact Harbour Lane Counselling" in second
    assert "call your local emergency number now" in second


def test_keeping_it_going_without_a_ladder_asks_where_i_am_heading(tmp_path, make_client):
    result = render_document("keeping-it-going", make_client(ladder={"steps": []}),
                             tmp_path / "k.pdf")
    assert result.pages == 2
    assert "Where I am heading, and my next step toward it" in pdf_text(result.path)
