"""What the records say over time: the analysis, the progress report and the review widget.

``progress.review`` is checked on plain records; the report is rendered as few
times as possible (one full report, one small one for its temporary charts,
one from the widget).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from helpers import pdf_fonts, pdf_text, shown
from worksheets_lib import (
    JournalEntry,
    LadderAttempt,
    demo_client_path,
    load_client,
    open_casebook,
)
from worksheets_lib.charts import (
    figure_png,
    figure_svg,
    intensity_figure,
    ladder_figure,
    pause_and_afterwards_figure,
)
from worksheets_lib.documents import render as document_render
from worksheets_lib.progress import STOPWORDS, repeated_triggers, review
from worksheets_lib.render import render_progress_report
from worksheets_lib.widgets import progress_review
from worksheets_lib.widgets import review as review_module

ALEX = "alex-rivera"
START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
PNG = b"\x89PNG\r\n\x1a\n"
CHARTS = (intensity_figure, pause_and_afterwards_figure, ladder_figure)


# -- helpers ------------------------------------------------------------------------------




def at(month: int, day: int, hour: int = 20) -> dt.datetime:
    """A local time in 2026."""
    return dt.datetime(2026, month, day, hour).astimezone()


def entries_of(*texts: str) -> list[JournalEntry]:
    return [JournalEntry(at=at(11, day), what_happened=text)
            for day, text in enumerate(texts, start=1)]


def november_entries() -> list[JournalEntry]:
    """Three entries in November 2026 (given newest first)."""
    return [
        JournalEntry(at=at(11, 20), what_happened="A quiet dinner, no phones",
                     feeling="close", intensity=3, paused=False, afterwards="same"),
        JournalEntry(at=at(11, 9), what_happened="Maya came home late again after work",
                     feeling="worried", intensity=5, paused=True, afterwards="closer"),
        JournalEntry(at=at(11, 2), what_happened="Maya came home late and did not text",
                     feeling="Worried", intensity=7, paused=True, afterwards="closer"),
    ]


OCTOBER_ENTRY = JournalEntry(at=at(10, 25), what_happened="An October evening out",
                             feeling="lonely", intensity=8, paused=False,
                             afterwards="more distant")


def attempts_for(client) -> list[LadderAttempt]:
    """Tries of rungs 1, 2, 4 and 5; only rungs 1 and 4 in November (given shuffled)."""
    steps = client.ladder.sorted_steps()
    return [
        LadderAttempt(step_id=steps[0].id, tried_on=dt.date(2026, 11, 10), distress_after=25),
        LadderAttempt(step_id=steps[4].id, tried_on=dt.date(2026, 12, 1), distress_after=55),
        LadderAttempt(step_id=steps[0].id, tried_on=dt.date(2026, 11, 12)),  # no rating
        LadderAttempt(step_id=steps[1].id, tried_on=dt.date(2026, 10, 20), distress_after=30),
        LadderAttempt(step_id=steps[0].id, tried_on=dt.date(2026, 11, 3), distress_after=40),
        LadderAttempt(step_id=steps[3].id, tried_on=END, distress_after=50),
    ]


@pytest.fixture
def casebook_path(tmp_path) -> Path:
    """A casebook with the demo client, November's entries, October's and the tries."""
    path = tmp_path / "casebook.sqlite3"
    with open_casebook(path, create=True) as casebook:
        alex = casebook.add_client(load_client(demo_client_path()))
        for entry in [*november_entries(), OCTOBER_ENTRY]:
            casebook.add_journal_entry(ALEX, entry)
        for attempt in attempts_for(alex):
            casebook.record_ladder_attempt(ALEX, attempt)
    return path


@pytest.fixture
def alex(casebook_path):
    """The demo client as stored (its ladder steps have ids)."""
    with open_casebook(casebook_path, create=True) as casebook:
        return casebook.get_client(ALEX)


@pytest.fixture
def november(alex):
    return review(alex, november_entries(), attempts_for(alex), START, END)




def operators(path) -> list[Counter]:
    """How often each PDF content operator is used, per page."""
    reader = PdfReader(str(path))
    return [Counter(op for _, op in ContentStream(page.get_contents(), reader).operations)
            for page in reader.pages]


# -- repeated triggers --------------------------------------------------------------------


def test_triggers_are_counted_once_per_entry_and_need_two_entries():
    entries = entries_of("Late, late, late: she was late", "Running late for dinner",
                         "A quiet dinner at home")
    assert repeated_triggers(entries) == [("dinner", 2), ("late", 2)]


def test_stopwords_and_short_words_are_dropped():
    entries = entries_of("I was at the shop and then she called me",
                         "Then I was at the shop and she did not call me")
    triggers = repeated_triggers(entries)
    assert triggers == [("shop", 2)]
    assert {"the", "and", "then", "she", "was"} <= STOPWORDS


def test_a_phrase_is_preferred_over_its_words():
    entries = entries_of("The silent treatment after dinner", "More silent treatment today",
                         "Dinner was fine")
    assert repeated_triggers(entries) == [("dinner", 2), ("silent treatment", 2)]


def test_triggers_are_sorted_by_count_then_alphabetically_and_limited():
    entries = entries_of("phone and keys and wallet", "phone and keys", "phone and wallet",
                         "keys")
    assert repeated_triggers(entries) == [("keys", 3), ("phone", 3), ("wallet", 2)]
    assert repeated_triggers(entries, limit=2) == [("keys", 3), ("phone", 3)]


def test_ignored_names_are_left_out_of_words_and_phrases():
    entries = entries_of("Maya forgot the tickets", "Maya forgot again", "Jo forgot")
    assert ("maya forgot", 2) in repeated_triggers(entries)
    assert repeated_triggers(entries, ignore=frozenset({"maya"})) == [("forgot", 3)]


def test_review_ignores_the_clients_name_the_other_person_and_the_partner_word(alex):
    assert (alex.name, alex.listening.other_person, alex.terms.partner) == (
        "Alex", "Maya", "girlfriend")
    entries = entries_of("Maya cancelled, so Alex sat alone",
                         "Maya cancelled again; Alex sat alone with my girlfriend gone",
                         "My girlfriend Maya forgot; girlfriend Maya forgot")
    triggers = review(alex, entries, [], START, END).triggers
    words = {word for text, _ in triggers for word in text.split()}
    assert not words & {"maya", "alex", "girlfriend"}
    assert ("cancelled", 2) in triggers and ("sat alone", 2) in triggers
    assert "maya" in {w for t, _ in repeated_triggers(entries) for w in t.split()}


def test_a_name_with_an_apostrophe_s_is_ignored_too(alex):
    entries = entries_of("Maya's phone was off all evening", "Maya's phone was off again")
    triggers = review(alex, entries, [], START, END).triggers
    assert not any("maya" in text for text, _ in triggers), triggers


def test_stopwords_with_a_curly_apostrophe_are_dropped_too():
    straight = entries_of("I don't know why", "I don't know what to say")
    curly = entries_of("I don’t know why", "I don’t know what to say")
    assert repeated_triggers(straight) == [("know", 2)]
    assert repeated_triggers(curly) == [("know", 2)]


# -- the review ---------------------------------------------------------------------------


def test_review_counts_pauses_afterwards_and_feelings(november):
    assert [e.at.day for e in november.entries] == [2, 9, 20]  # oldest first
    assert november.paused == (2, 1)
    assert november.afterwards == {"closer": 2, "same": 1, "more distant": 0}
    assert november.feelings == [("worried", 2), ("close", 1)]
    assert november.triggers == [("home late", 2)]


def test_review_counts_rungs_tried_in_the_period_only(alex, november):
    steps = alex.ladder.sorted_steps()
    assert [(r.number, r.step, r.expected) for r in november.rungs] == [
        (n, s.step, s.distress) for n, s in enumerate(steps, start=1)]
    tried = {r.number: [a.tried_on.day for a in r.tries] for r in november.rungs}
    # Rung 2 (October) and rung 5 (December) were tried outside the period.
    assert tried == {1: [3, 10, 12], 2: [], 3: [], 4: [30], 5: [], 6: []}
    assert november.rungs_climbed == 2
    latest = [r.latest for r in november.rungs]
    assert latest == [25, None, None, 50, None, None]  # a try without a rating is skipped

    october = review(alex, [OCTOBER_ENTRY], attempts_for(alex), dt.date(2026, 10, 1),
                     dt.date(2026, 10, 31))
    assert october.rungs_climbed == 1 and october.rungs[1].latest == 30
    assert october.paused == (0, 1)
    assert october.afterwards == {"closer": 0, "same": 0, "more distant": 1}


@pytest.mark.parametrize("ladder", [True, False], ids=["ladder-untried", "no-ladder"])
def test_the_charts_are_drawn_for_an_empty_review(make_client, alex, ladder):
    client = alex if ladder else make_client(ladder={"steps": []})
    empty = review(client, [], [], START, END)
    assert (empty.entries, empty.triggers, empty.feelings, empty.rungs_climbed) == (
        [], [], [], 0)
    for make in CHARTS:
        figure = make(empty)
        assert figure_png(figure).startswith(PNG)
        assert b"<svg" in figure_svg(figure)
    for make in (intensity_figure, pause_and_afterwards_figure):
        figure = make(empty)
        notes = [t.get_text() for a in figure.axes for t in a.texts]
        assert notes == ["No entries yet"]  # a sentence, not empty axes
        assert not any(a.axison for a in figure.axes)
    notes = [t.get_text() for a in ladder_figure(empty).axes for t in a.texts]
    assert notes == ([] if ladder else ["No ladder steps yet"])


def test_entries_without_a_strength_say_so_in_the_strength_chart(alex):
    result = review(alex, entries_of("a walk"), [], START, END)
    notes = [t.get_text() for a in intensity_figure(result).axes for t in a.texts]
    assert notes == ["No entries with a strength yet"]


def tick_labels(figure) -> list[str]:
    figure.canvas.draw()
    axes = figure.axes[0]
    low, high = axes.get_xlim()
    return [t.get_text() for t in axes.get_xticklabels()
            if t.get_text() and low <= t.get_position()[0] <= high]


@pytest.mark.parametrize(("start", "end", "most"), [
    (dt.date(2026, 11, 18), dt.date(2026, 11, 20), 3),   # a few days: one tick a day
    (dt.date(2026, 11, 14), dt.date(2026, 11, 20), 7),   # a week: one tick a day
    (START, END, 5),                                     # a month: one tick a week
    (dt.date(2026, 6, 1), END, 14),                      # half a year: every other week
])
def test_each_day_or_week_is_labelled_once_over_the_whole_period(alex, start, end, most):
    one = [JournalEntry(at=at(11, 20), feeling="close", intensity=3)]
    figure = intensity_figure(review(alex, one, [], start, end))
    labels = tick_labels(figure)
    assert len(labels) == len(set(labels)) and 1 <= len(labels) <= most
    axes = figure.axes[0]
    import matplotlib.dates as mdates
    low, high = (mdates.num2date(x).astimezone().date() for x in axes.get_xlim())
    assert (low, high) == (start, end + dt.timedelta(days=1))  # the period, not ±0.04


def test_legends_sit_beside_or_below_the_data_never_on_it(alex):
    result = review(alex, november_entries(), attempts_for(alex), START, END)
    for make in CHARTS:
        figure = make(result)
        renderer = figure.canvas.get_renderer() if hasattr(figure.canvas, "get_renderer") \
            else None
        if renderer is None:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            renderer = FigureCanvasAgg(figure).get_renderer()
        figure.canvas.draw()
        for axes in figure.axes:
            legend = axes.get_legend()
            if legend is None:
                continue
            box = legend.get_window_extent(renderer)
            plot = axes.get_window_extent(renderer)
            assert not box.overlaps(plot), f"{make.__name__}: the legend covers the plot"


# -- the progress report ------------------------------------------------------------------


def test_the_progress_report_shows_the_period_counts_triggers_and_charts(november,
                                                                         tmp_path):
    result = render_progress_report(november, tmp_path / "report.pdf")
    assert result.path == tmp_path / "report.pdf" and result.pages >= 1
    text = pdf_text(result.path)
    for expected in ("Progress review", "From 1 November 2026 to 30 November 2026",
                     "what the journal and the ladder of Alex show", "3 journal entries",
                     'paused before acting in 2 of them (said "not this time" in 1)',
                     "afterwards: closer 2, about the same 1, more distant 0",
                     "ladder: 2 of 6 rungs tried", "home late (2 entries)",
                     "worried (2)", "close (1)"):
        assert expected in text, expected
    assert "maya" not in text.lower().split("triggers that came up")[1]

    # The charts are vector drawings: matplotlib's SVG draws its text as outlines,
    # so no chart words are in the PDF's text, no other font is used, and the
    # pages hold many curves (the report's own text and lines use none).
    assert "How strong the feelings were" not in text and "strength" not in text
    fonts = pdf_fonts(result.path)
    assert fonts and all(name.startswith("Worksheets-") for name in fonts), fonts
    curves = sum(page[b"c"] for page in operators(result.path))
    assert curves > 1000, curves


def test_the_charts_are_made_in_a_temporary_folder_that_is_removed(november, tmp_path,
                                                                    private_tmp, monkeypatch):
    seen = {}
    real = document_render.html_to_pdf

    def spy(html_text, out, paper, practice, scratch=None, *rest):
        seen["folder"] = scratch
        seen["files"] = sorted(p.name for p in scratch.iterdir())
        seen["images"] = re.findall(r'<img src="([^"]+)"', html_text)
        return real(html_text, out, paper, practice, scratch, *rest)

    monkeypatch.setattr(document_render, "html_to_pdf", spy)
    render_progress_report(november, tmp_path / "report.pdf")
    assert seen["folder"].parent == private_tmp
    assert seen["folder"].name.startswith("worksheets-")
    assert seen["files"] == ["intensity.svg", "ladder.svg", "pauses.svg"]
    assert [Path(u).name for u in seen["images"]] == ["intensity.svg", "pauses.svg",
                                                      "ladder.svg"]
    assert all(u.startswith(seen["folder"].as_uri() + "/") for u in seen["images"])
    assert not seen["folder"].exists()
    assert [p for p in Path(tempfile.gettempdir()).iterdir()
            if p.name.startswith("worksheets-charts-")] == []


# -- the review widget --------------------------------------------------------------------


def pick_period(widget, start, end):
    widget.end.value = end  # the end first: the start may be after today
    widget.start.value = start


def test_one_client_is_chosen_at_once_and_the_review_is_shown(casebook_path, tmp_path):
    widget = progress_review(casebook=casebook_path, output_dir=tmp_path / "out")
    assert widget.picker.dropdown.value == ALEX and widget.client.id == ALEX
    assert widget.body.layout.display is None
    pick_period(widget, START, END)
    facts = shown(widget.facts)
    assert facts == ("3 journal entries · paused in 2 (not this time: 1) · afterwards "
                     "closer 2, about the same 1, more distant 0 · 2 of 6 rungs tried")
    assert widget.current.start == START and widget.current.end == END
    for image in widget.charts:
        assert image.alt and bytes(image.value).startswith(PNG)
    triggers = shown(widget.triggers)
    assert "Triggers that came up more than once" in triggers
    assert "home late (2 entries)" in triggers


def test_changing_the_dates_updates_the_review(casebook_path, tmp_path):
    widget = progress_review(casebook=casebook_path, output_dir=tmp_path / "out")
    pick_period(widget, START, END)
    first_chart = bytes(widget.charts[0].value)
    widget.end.value = dt.date(2026, 11, 5)
    assert shown(widget.facts) == (
        "1 journal entries · paused in 1 (not this time: 0) · afterwards closer 1, "
        "about the same 0, "
        "more distant 0 · 1 of 6 rungs tried")
    assert bytes(widget.charts[0].value) != first_chart
    assert "No words repeat across entries yet." in shown(widget.triggers)

    widget.start.value = dt.date(2026, 10, 1)
    assert shown(widget.facts).startswith("2 journal entries")
    assert "more distant 1" in shown(widget.facts)


def test_refresh_shows_entries_saved_since_and_the_charts_say_so(casebook_path, tmp_path):
    widget = progress_review(casebook=casebook_path, output_dir=tmp_path / "out")
    today = dt.date.today()
    pick_period(widget, today - dt.timedelta(days=6), today)
    before = len(widget.current.entries)
    assert shown(widget.facts).startswith(f"{before} journal entries")
    assert "as of" in shown(widget.read_at)
    empty_chart = bytes(widget.charts[0].value)
    with open_casebook(casebook_path) as book:  # the client saves one from home
        book.add_journal_entry(ALEX, JournalEntry(what_happened="a call", feeling="calm",
                                                  intensity=2))
    assert shown(widget.facts).startswith(f"{before} journal entries")  # not yet read
    widget.refresh_button.click()
    assert shown(widget.facts).startswith(f"{before + 1} journal entries")
    assert bytes(widget.charts[0].value) != empty_chart
    assert [chart.alt for chart in widget.charts] and all(c.alt for c in widget.charts)


def test_a_start_after_the_end_shows_a_message_and_makes_no_report(casebook_path,
                                                                   tmp_path):
    widget = progress_review(casebook=casebook_path, output_dir=tmp_path / "out")
    pick_period(widget, START, END)
    widget.start.value = dt.date(2026, 12, 1)
    assert shown(widget.facts) == "⚠ The start date is after the end date."
    widget.report_button.click()
    assert widget.report_link.value == ""
    assert not (tmp_path / "out").exists()


def test_the_report_button_writes_the_pdf_and_links_to_it(casebook_path, tmp_path):
    widget = progress_review(casebook=casebook_path, output_dir=tmp_path / "out")
    pick_period(widget, START, END)
    widget.report_button.click()
    out = tmp_path / "out" / f"{ALEX}-progress-2026-11-30.pdf"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [out.name]
    assert "Open the progress report PDF" in shown(widget.report_link)
    assert html.escape(str(out)) in widget.report_link.value
    text = pdf_text(out)
    assert "Progress review" in text and "3 journal entries" in text


def test_trigger_words_are_escaped_in_the_widget(casebook_path, tmp_path, monkeypatch):
    def with_markup(*args):
        return dataclasses.replace(review(*args), triggers=[("<b>x</b> & co", 2)])

    monkeypatch.setattr(review_module, "review", with_markup)
    widget = progress_review(casebook=casebook_path, output_dir=tmp_path / "out")
    pick_period(widget, START, END)
    assert "&lt;b&gt;x&lt;/b&gt; &amp; co" in widget.triggers.value
    assert "<b>x</b>" not in widget.triggers.value
    assert "<b>x</b> & co (2 entries)" in shown(widget.triggers)


def test_with_several_clients_the_given_one_is_chosen(casebook_path, make_client, tmp_path):
    with open_casebook(casebook_path, create=True) as casebook:
        casebook.add_client(make_client(id="sam-lee", name="Sam"))
    nobody = progress_review(casebook=casebook_path, output_dir=tmp_path / "out")
    assert nobody.client is None and nobody.body.layout.display == "none"
    assert nobody.update() is None
    widget = progress_review(ALEX, casebook=casebook_path, output_dir=tmp_path / "out")
    assert widget.client.id == ALEX and widget.body.layout.display is None
