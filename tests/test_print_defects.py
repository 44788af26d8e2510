"""The print review's findings, checked by the facts of the PDFs on both papers."""

from __future__ import annotations

import math
import re

import pytest
from pypdf import PdfReader

from helpers import pdf_text, run
from worksheets_lib import (
    Inputs,
    JournalEntry,
    demo_client_path,
    document_html,
    render_document,
)
from worksheets_lib.documents import render_packet
from worksheets_lib.documents.demo import demo_entries
from worksheets_lib.models.paper import PAPER_SIZES

PAPERS = list(PAPER_SIZES)
LONG_TERM = ("my long-term partner and best friend of many years, Sam" + "x" * 60)[:60]


@pytest.fixture
def stress(make_client):
    """The demo client with every word at its longest."""
    def make(**changes):
        return make_client(name="Zoë Ñúñez-Łukasiewicz " * 2 + "Alexandra-Marguerite"[:16],
                           terms={"partner": LONG_TERM, "relationship": LONG_TERM,
                                  "closeness": LONG_TERM}, **changes)
    return make


def pages_of(path) -> list[str]:
    return pdf_text(path).split("\f")


# --- the journal -----------------------------------------------------------------------------

@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("days", [1, 7, 10, 31])
@pytest.mark.parametrize("who", ["demo", "stress"])
def test_every_journal_day_fits_one_page(tmp_path, make_client, stress, paper, days, who):
    client = (make_client if who == "demo" else stress)(journal={"days": days})
    result = render_document("journal", client, tmp_path / "j.pdf", paper=paper)
    look_backs = math.ceil(days / 7)
    assert result.pages == days + look_backs
    pages = pages_of(result.path)
    day_pages = [p for p in pages if "Looking back at" not in p]
    assert len(day_pages) == days
    for number, text in enumerate(day_pages, start=1):
        assert f"Day {number} " in text
        # The whole day is on its page: its first and last questions.
        assert "What happened?" in text and "more distant" in text


def test_long_journals_look_back_after_every_seven_days_titled_for_those_days(tmp_path,
                                                                             make_client):
    result = render_document("journal", make_client(journal={"days": 10}), tmp_path / "j.pdf")
    pages = pages_of(result.path)
    assert "Looking back at days 1 to 7" in pages[7]
    assert "Looking back at days 8 to 10" in pages[11]
    assert "week" not in pdf_text(result.path).lower().replace("weekly", "")
    one = render_document("journal", make_client(journal={"days": 1}), tmp_path / "one.pdf")
    assert "Looking back at day 1" in pdf_text(one.path)
    seven = render_document("journal", make_client(journal={"days": 7}), tmp_path / "7.pdf")
    assert "Looking back at my week" in pdf_text(seven.path)


def write_lines(html: str, prompt: str) -> int:
    """How many writing lines follow *prompt* in its writing block."""
    block = re.search(r'<p class="prompt">' + re.escape(prompt)
                      + r'</p>\s*((?:<div class="line"></div>\s*)+)', html)
    assert block, prompt
    return block.group(1).count('class="line"')


def test_writing_space_where_people_write(demo_client):
    html = document_html("journal", demo_client)
    assert write_lines(html, "What did I do?") == write_lines(html, "What happened?")
    ladder = document_html("ladder", demo_client)
    # Two spare rungs on the demo ladder, and "A step of my own" gets two lines on each.
    assert ladder.count('class="rung spare"') == 2
    assert ladder.count('class="line spare-line"') == 4


def test_the_pause_box_asks_nothing_twice_and_uses_a_solid_light_rule(demo_client):
    html = document_html("journal", demo_client)
    day = html.split('<div class="day">')[1]
    pause = day.split('class="q pause"')[1].split("</div>\n  </div>")[0]
    assert "named in my own words" not in pause and "How strong" not in pause
    css = (demo_client_path().parent.parent / "worksheet_templates" / "print.css").read_text()
    rule = re.search(r"\.pause \{([^}]*)\}", css).group(1)
    assert "solid" in rule and "dashed" not in rule
    assert re.search(r"\.prompt \.tick[^{]*\{[^}]*margin-left: [1-9]", css)


# --- the ladder ------------------------------------------------------------------------------

def short_steps(count: int) -> dict:
    return {"steps": [{"step": f"Small step number {i + 1} toward feeling safe",
                       "distress": 5 + i * 7} for i in range(count)]}


@pytest.mark.parametrize("paper", PAPERS)
@pytest.mark.parametrize("count", [0, 6, 9, 12])
def test_the_ladder_fits_one_page_up_to_12_rungs_then_the_practice_log(tmp_path, make_client,
                                                                       paper, count):
    client = make_client(ladder=short_steps(count))
    result = render_document("ladder", client, tmp_path / "l.pdf", paper=paper)
    assert result.pages == 2
    ladder, log = pages_of(result.path)
    assert "Start here".upper() in ladder.upper() or count == 0
    assert "My ladder practice log" in log and "What I learned" in log
    for word in ("Upset before", "Upset after", "What I expected", "What happened"):
        assert word in log


@pytest.mark.parametrize("paper", PAPERS)
def test_the_demo_ladder_reads_from_rung_1_at_the_bottom(tmp_path, demo_client, paper):
    result = render_document("ladder", demo_client, tmp_path / "l.pdf", paper=paper)
    assert result.pages == 2
    page = pages_of(result.path)[0]
    steps = demo_client.ladder.sorted_steps()
    positions = [page.index(s.step[:25]) for s in steps]
    assert positions == sorted(positions, reverse=True)  # hardest first on paper


@pytest.mark.parametrize("paper", PAPERS)
def test_a_ladder_too_long_for_a_page_starts_with_rung_1_at_the_bottom_of_page_1(
        tmp_path, make_client, paper):
    text = ("Ask for a hug when I feel wobbly and say so out loud, kindly " * 6)[:250]
    steps = [{"step": f"{chr(65 + i)}. {text}", "distress": i * 8} for i in range(12)]
    client = make_client(ladder={"steps": steps})
    result = render_document("ladder", client, tmp_path / "l.pdf", paper=paper)
    pages = pages_of(result.path)
    assert "My ladder practice log" in pages[-1]
    first = pages[0]
    assert "START HERE" in first.upper()
    on_first = [s["step"][:12] for s in steps if s["step"][:12] in first]
    assert on_first and on_first[0] == steps[0]["step"][:12]
    # Page 1 ends with rung 1 (the easiest), and the next page goes on upwards.
    assert first.rindex(steps[0]["step"][:12]) > max(first.index(s) for s in on_first[1:])
    assert "The next rungs up are on the next page" in first
    second = pages[1]
    assert "continued" in second
    assert steps[-1]["step"][:12] in "".join(pages[1:-1])
    assert steps[0]["step"][:12] not in "".join(pages[1:])


def test_spare_rungs_sit_in_the_widest_gaps_so_a_smaller_step_fits_between(tmp_path,
                                                                         make_client):
    client = make_client(ladder={"steps": [{"step": "Easy", "distress": 5},
                                           {"step": "Harder", "distress": 40},
                                           {"step": "Much harder", "distress": 80}]})
    text = pdf_text(render_document("ladder", client, tmp_path / "l.pdf").path)
    assert "A smaller step between rungs 2 and 3" in text
    assert "A smaller step between rungs 1 and 2" in text
    assert text.count("A step of my own") == 3  # the other spare rungs wait at the top


def test_the_ladder_has_a_safety_note_and_one_word_for_the_scale(tmp_path, demo_client):
    text = pdf_text(render_document("ladder", demo_client, tmp_path / "l.pdf").path)
    assert "Only try a step where you are safe" in text
    assert "panic" in text and "grounding plan" in text
    assert "distress" not in text.lower()
    assert "upset" in text.lower()


@pytest.mark.parametrize("word", ["family", "my marriage", "relationship with Maya"])
def test_the_clients_words_are_never_made_plural_or_possessive(tmp_path, make_client, word):
    client = make_client(terms={"relationship": word, "partner": "wife",
                                "closeness": word})
    out = render_document("packet", client, tmp_path / "p.pdf").path
    text = pdf_text(out)
    assert word in text
    for bad in (word + "s", word + "'s", word + "’s", word + "es"):
        assert bad not in text


# --- listening -------------------------------------------------------------------------------

def test_the_listening_page_explains_the_skills_and_gives_an_example(tmp_path, demo_client):
    text = pdf_text(render_document("listening", demo_client, tmp_path / "l.pdf").path)
    assert "A question to understand better" in text
    assert "For example:" in text and "because" in text
    assert "not what the other person did wrong" in text


@pytest.mark.parametrize("paper", PAPERS)
def test_the_listening_grid_stays_inside_the_margins(demo_client, paper):
    import weasyprint

    from worksheets_lib import templates_dir

    base = templates_dir().as_uri() + "/"
    html = document_html("listening", demo_client, paper=paper)
    document = weasyprint.HTML(string=html, base_url=base).render(stylesheets=[
        weasyprint.CSS(filename=str(templates_dir() / "print.css"), base_url=base),
        weasyprint.CSS(string=f"@page {{ size: {PAPER_SIZES[paper].css}; }}")])
    page = document.pages[0]
    width = page.width
    grids = [b for b in page._page_box.descendants()
             if b.element is not None and "checklist" in (b.element.get("class") or "")
             and type(b).__name__ == "BlockBox"]
    assert grids
    px_per_mm = 96 / 25.4
    for grid in grids:
        right = grid.position_x + grid.margin_width() - grid.margin_right
        assert grid.position_x >= 16 * px_per_mm - 0.5
        assert right <= width - 16 * px_per_mm + 0.5


# --- the journal week ------------------------------------------------------------------------

def test_an_empty_journal_week_says_so_on_one_short_page(tmp_path, demo_client):
    import datetime as dt

    inputs = Inputs(demo_client, entries=[], start=dt.date(2026, 11, 18),
                    end=dt.date(2026, 11, 24))
    result = render_document("journal-week", inputs, tmp_path / "w.pdf")
    assert result.pages == 1
    assert "There are no journal entries for this week yet" in pdf_text(result.path)


@pytest.mark.parametrize("paper", PAPERS)
def test_the_journal_week_puts_two_short_entries_on_a_page(tmp_path, demo_client, paper):
    entries = demo_entries()[:2]
    result = render_document("journal-week", Inputs(demo_client, entries=entries),
                             tmp_path / "w.pdf", paper=paper)
    assert result.pages == 2  # both entries, then the look-back page
    first = pages_of(result.path)[0]
    assert entries[0].what_happened in first and entries[1].what_happened in first


def test_a_missing_answer_reads_not_noted_the_same_way_everywhere(tmp_path, demo_client):
    entry = JournalEntry(what_happened="A walk")
    text = pdf_text(render_document("journal-week", Inputs(demo_client, entries=[entry]),
                                    tmp_path / "w.pdf").path)
    for prompt in ("The feeling, named in my own words:", "How strong was it? (0 to 10)",
                   "Where did I feel it in my body?", "Did I pause before I acted?",
                   "What did I do?"):
        assert prompt in text
    assert text.count("not noted") == 6  # feeling, strength, body, pause, did, afterwards
    assert "—" not in text


# --- two-sided printing ----------------------------------------------------------------------

@pytest.mark.parametrize("paper", PAPERS)
def test_duplex_starts_each_worksheet_on_a_right_hand_page(tmp_path, demo_client, paper,
                                                           capsys):
    out = tmp_path / "p.pdf"
    code, _, err = run(capsys, "packet", "--client", demo_client_path(), "--out", out,
                       "--paper", paper, "--duplex")
    assert code == 0, err
    reader = PdfReader(str(out))
    starts = [reader.get_destination_page_number(item) + 1 for item in reader.outline]
    assert all(page % 2 == 1 for page in starts), starts
    texts = pages_of(out)
    blank = [n for n, text in enumerate(texts, start=1) if "intentionally blank" in text]
    assert blank  # the demo's cover and ladder leave backs empty
    for number in blank:
        assert number + 1 in starts
        assert "Talk 1" not in texts[number - 1] and "Day " not in texts[number - 1]


def test_without_duplex_there_are_no_blank_pages(tmp_path, demo_client):
    out = render_packet(demo_client, tmp_path / "p.pdf").path
    assert "intentionally blank" not in pdf_text(out)
