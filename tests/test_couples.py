"""The pages for close relationships, checked by the facts of their PDFs on both papers.

The optional ``partner`` section of the client file, then each document of
``documents/couples.py``: with the demo client (who has a partner), without a
partner, and with every word at its longest and in other scripts.
"""

from __future__ import annotations

import copy

import pytest
from pypdf import PdfReader

from helpers import embedded_font_count, pdf_fonts, pdf_text
from worksheets_lib import ClientFileError, document_html, render_document, validate_client
from worksheets_lib.documents import get_document
from worksheets_lib.documents.demo import demo_inputs
from worksheets_lib.models.paper import PAPER_SIZES

PAPERS = list(PAPER_SIZES)
LONG_WORD = "Überaußergewöhnlichkeitsbeziehungsgeschichtenerzählerinnenvereinigung"


def _without_partner(data: dict) -> dict:
    data = copy.deepcopy(data)
    data.pop("partner", None)
    return data


def _stress(data: dict) -> dict:
    """Every word at its longest, in Greek, Cyrillic and Vietnamese as well as Latin."""
    data = copy.deepcopy(data)
    data["name"] = ("Αλέξανδρα-Екатерина Nguyễn Thị Minh Khai " + LONG_WORD)[:80]
    data["terms"] = {"partner": ("husband-and-best-friend-" + LONG_WORD)[:60],
                     "relationship": "our long marriage of many years and many moves",
                     "closeness": ("близость " + LONG_WORD)[:60]}
    data["partner"] = {"name": ("Σοφία-Анастасия Trần " + LONG_WORD)[:80],
                       "terms": {"partner": ("wife " + LONG_WORD)[:60],
                                 "closeness": ("thân mật, gần gũi và " + "ấm áp" * 9)[:60]}}
    return data


@pytest.fixture(scope="module")
def clients():
    import yaml

    from worksheets_lib import demo_client_path

    data = yaml.safe_load(demo_client_path().read_text(encoding="utf-8"))
    return {"demo": validate_client(data), "alone": validate_client(_without_partner(data)),
            "stress": validate_client(_stress(data))}


# --- the partner section of the client file ---------------------------------------------------

def test_the_demo_client_has_a_partner_with_their_own_words(demo_client):
    assert demo_client.partner.name == "Maya"
    assert demo_client.partner.terms.partner == "love"
    assert demo_client.partner.terms.closeness == "feeling close"
    assert demo_client.partner_label() == "Maya"


def test_a_client_file_without_a_partner_is_still_valid(demo_data):
    client = validate_client(_without_partner(demo_data))
    assert client.partner is None
    assert client.partner_label() == "my girlfriend"


def test_every_partner_field_is_optional(demo_data):
    for partner in ({}, {"name": "Sam"}, {"terms": {"closeness": "us-time"}}, None):
        client = validate_client({**demo_data, "partner": partner})
        if partner is not None:
            assert client.partner.terms.partner == "partner"  # the default word
    unnamed = validate_client({**demo_data, "partner": {}})
    assert unnamed.partner_label() == "my girlfriend"


@pytest.mark.parametrize(("partner", "where", "message"), [
    ("Sam the secret", "partner", "must be a section of named fields"),
    ({"name": ""}, "partner.name", "must not be empty"),
    ({"name": "x" * 81}, "partner.name", "must be at most 80 characters"),
    ({"name": "Sam\nsecret"}, "partner.name", "must fit on one line"),
    ({"terms": {"partner": "y" * 61}}, "partner.terms.partner", "at most 60 characters"),
    ({"terms": "my secret love"}, "partner.terms", "must be a section of named fields"),
    ({"terms": {"closenes": "x"}}, "partner.terms.closenes", "is not a field we know"),
    ({"nmae": "Sam"}, "partner.nmae", "is not a field we know"),
])
def test_partner_mistakes_name_the_field_and_never_the_words(demo_data, partner, where,
                                                             message):
    with pytest.raises(ClientFileError) as excinfo:
        validate_client({**demo_data, "partner": partner})
    problems = excinfo.value.problems
    assert [p.path for p in problems] == [where]
    assert message in problems[0].message
    assert "secret" not in str(excinfo.value)


def test_the_partner_is_kept_in_the_casebook(tmp_path, demo_client):
    from worksheets_lib import open_casebook

    path = tmp_path / "casebook.sqlite3"
    with open_casebook(path, create=True) as book:
        book.add_client(demo_client)
    with open_casebook(path) as book:
        assert book.get_client(demo_client.id).partner == demo_client.partner


# --- every page of this module ---------------------------------------------------------------

#: Page counts on (A4, Letter), for the demo client and without a partner.
PAGES = {
    "cycle-map": {"demo": (1, 1), "alone": (1, 1)},
    "repair-plan": {"demo": (2, 2), "alone": (2, 2)},
    "asking": {"demo": (1, 1), "alone": (1, 1)},
    "connection-log": {"demo": (2, 2), "alone": (2, 2)},
    "stage-notes": {"demo": (1, 1), "alone": (1, 1)},
}
#: Words each document must show: with the demo client, and without a partner.
WORDS = {
    "cycle-map": {
        "demo": ["Alex", "Maya", "How my girlfriend may see it", "How my love may see it",
                 "The cycle is the problem, not each other.", "Our name for this loop",
                 "“closeness”"],
        "alone": ["This map is about me and:", "How the other person may see it",
                  "The cycle is the problem, not each other.", "My name for this loop"],
    },
}
WORDS["repair-plan"] = {
    "demo": ["Our signal for a break", "How long the break lasts", "Alex", "Maya",
             "To calm my body, I will:", "While we are apart, I can tell myself:",
             "How we come back", "I want to understand.",
             "Can we start again?", "A small sign of closeness", "Our own words:", "Stay safe.",
             "Trying the plan"],
    "alone": ["This plan is for me and:", "Me", "The other person, if they agree",
              "Can we start again?", "My own words:", "Stay safe."],
}
WORDS["asking"] = {
    "demo": ["I feel", "I need", "Would you be willing to", "If the answer is no, I will",
             "An example", "(for example, Maya, a friend or family)", "not a threat"],
    "alone": ["Would you be willing to", "(for example, my girlfriend, a friend or family)"],
}
WORDS["connection-log"] = {
    "demo": ["Our words for being close:", "closeness (Alex)", "feeling close (Maya)",
             "Greeting", "Check-in", "Touch", "Shared meal", "Our own", "This week",
             "one moment of closeness", "Looking back at the week", "will we keep"],
    "alone": ["My word for being close:", "The person I share these moments with:", "My own",
              "will I keep"],
}
WORDS["stage-notes"] = {
    "demo": ["Alex and Maya", "Calming the cycle", "Reshaping the bond", "Consolidating",
             "Stage now:", "Journal, 4 entries: paused before acting in 2",
             "Maya is late and does not text.", "To hear that she is on her way",
             "Goal 1: Ask for comfort in words", "Next focus:", "Asked each alone",
             "covering 28 October 2026 to 24 November 2026"],
    "alone": ["Alex and a partner not named in the client file", "Calming the cycle"],
}
ABSENT = {
    "cycle-map": {"alone": ["Maya", "my love", "Our name"]},
    "repair-plan": {"alone": ["Maya", "Our own words"]},
    "connection-log": {"alone": ["Maya", "feeling close (", "Our own"]},
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, clients):
    folder = tmp_path_factory.mktemp("couples")
    results = {}
    for name in PAGES:
        for who in ("demo", "alone", "stress"):
            for paper in PAPERS:
                out = folder / f"{name}-{who}-{paper}.pdf"
                results[name, who, paper] = render_document(name, demo_inputs(clients[who]),
                                                            out, paper=paper)
    return results


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("who", ["demo", "alone"])
@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_has_its_page_count_and_its_personal_words(rendered, name, who, paper):
    result = rendered[name, who, paper]
    assert result.pages == PAGES[name][who][PAPERS.index(paper)]
    assert len(PdfReader(str(result.path)).pages) == result.pages
    text = pdf_text(result.path)
    for words in WORDS[name][who]:
        assert words in text, words
    for words in ABSENT.get(name, {}).get(who, []):
        assert words not in text, words


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("who", ["demo", "alone", "stress"])
@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_embeds_only_our_fonts(rendered, name, who, paper):
    path = rendered[name, who, paper].path
    fonts = pdf_fonts(path)
    assert fonts and all(f.startswith("Worksheets-") for f in fonts), fonts
    used, embedded = embedded_font_count(path)
    assert used == embedded


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("name", list(PAGES))
def test_long_words_and_other_scripts_wrap_inside_their_boxes(clients, rendered, name, paper):
    """Every piece of text stays inside the page's margins and inside its table cell."""
    import weasyprint

    from worksheets_lib import templates_dir

    result = rendered[name, "stress", paper]
    assert result.pages <= PAGES[name]["demo"][PAPERS.index(paper)] + 1
    text = pdf_text(result.path)
    assert "Αλέξανδρα-Екатерина Nguyễn" in text
    base = templates_dir().as_uri() + "/"
    html = document_html(name, demo_inputs(clients["stress"]), paper=paper)
    document = weasyprint.HTML(string=html, base_url=base).render(stylesheets=[
        weasyprint.CSS(filename=str(templates_dir() / "print.css"), base_url=base),
        weasyprint.CSS(string=f"@page {{ size: {PAPER_SIZES[paper].css}; }}")])
    px_per_mm = 96 / 25.4
    checked = 0
    for page in document.pages:
        left, right = 16 * px_per_mm - 0.5, page.width - 16 * px_per_mm + 0.5
        for box in page._page_box.descendants():
            if type(box).__name__ == "TableCellBox":
                inner_left = box.position_x
                inner_right = box.position_x + box.margin_width()
                for text_box in box.descendants():
                    if type(text_box).__name__ == "TextBox":
                        assert text_box.position_x >= inner_left - 0.5, text_box.text
                        assert (text_box.position_x + text_box.width
                                <= inner_right + 0.5), text_box.text
                        checked += 1
            if (type(box).__name__ in ("BlockBox", "TableBox") and box.element is not None
                    and box.position_y > 20 * px_per_mm and box.margin_width() > 0):
                # writing lines and boxes too, not only text
                assert box.position_x >= left and box.position_x + box.margin_width() <= right, \
                    (box.element.get("class"), box.position_x, box.margin_width())
            if type(box).__name__ == "TextBox" and box.position_y > 20 * px_per_mm:
                assert left <= box.position_x and box.position_x + box.width <= right, box.text
                checked += 1
    assert checked > 20


def test_each_page_has_its_purpose_and_client_pages_go_in_a_packet():
    from worksheets_lib.documents import packet_documents

    purposes = {name: get_document(name).purpose for name in PAGES}
    assert purposes == {"cycle-map": "couples", "repair-plan": "couples",
                        "asking": "practising", "connection-log": "practising",
                        "stage-notes": "therapist"}
    in_packet = {d.name for d in packet_documents()}
    assert in_packet >= set(PAGES) - {"stage-notes"}
    assert "stage-notes" not in in_packet
    assert get_document("stage-notes").audience == "therapist"


def test_the_cycle_map_runs_down_one_side_and_up_the_other(clients):
    from worksheets_lib.documents.couples import cycle_rows

    rows = cycle_rows(clients["demo"])
    assert [r["left"]["number"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert [r["right"]["number"] for r in rows] == [6, 5, 4, 3, 2, 1]
    assert rows[4]["left"]["label"] == "How my girlfriend may see it"
    assert rows[1]["right"]["label"] == "How my love may see it"
    alone = cycle_rows(clients["alone"])
    assert [(r["left"]["number"], r["right"]["number"]) for r in alone] == [(1, 6), (2, 5),
                                                                              (3, 4)]


def test_asking_suggests_whom_to_ask_only_from_the_clients_own_words(make_client, demo_data):
    from worksheets_lib.documents.couples import who_to_ask

    assert who_to_ask(validate_client(demo_data)) == "Maya, a friend or family"
    plain = {k: v for k, v in _without_partner(demo_data).items() if k != "terms"}
    assert who_to_ask(validate_client(plain)) is None  # "my partner" is never assumed
    html = document_html("asking", validate_client(plain))
    assert "for example" not in html.split("Who I will ask:")[1].split("</p>")[0]


def test_stage_notes_without_records_yet_say_so(tmp_path, clients):
    import datetime as dt

    from worksheets_lib import Inputs
    from worksheets_lib.models import GoalPlan, HistoryMap

    inputs = Inputs(clients["demo"], history=HistoryMap(), plan=GoalPlan(), entries=[],
                    attempts=[], start=dt.date(2026, 10, 28), end=dt.date(2026, 11, 24))
    result = render_document("stage-notes", inputs, tmp_path / "s.pdf")
    text = pdf_text(result.path)
    assert result.pages == 1
    assert "no relational script in the history map yet" in text
    assert "none in the goal plan yet" in text and "Journal, 0 entries" in text


def test_stage_notes_look_back_four_weeks_like_the_progress_review(tmp_path):
    import datetime as dt

    from worksheets_lib import demo_client_path, load_client, open_casebook
    from worksheets_lib.documents import gather

    path = tmp_path / "casebook.sqlite3"
    with open_casebook(path, create=True) as book:
        book.add_client(load_client(demo_client_path()))
        inputs = gather(book, "alex-rivera", [get_document("stage-notes")],
                        end=dt.date(2026, 11, 24))
    assert inputs.start == dt.date(2026, 10, 27)
    assert inputs.history is not None and inputs.plan is not None


def test_a_partner_without_a_name_is_named_by_the_clients_word(tmp_path, demo_data):
    client = validate_client({**demo_data, "partner": {"terms": {"partner": "hubby"}}})
    result = render_document("cycle-map", client, tmp_path / "c.pdf")
    text = pdf_text(result.path)
    assert result.pages == 1
    assert "My girlfriend" in text and "How my hubby may see it" in text
    assert "Maya" not in text
    repair = pdf_text(render_document("repair-plan", client, tmp_path / "r.pdf").path)
    assert "My girlfriend" in repair and "Our own words:" in repair
