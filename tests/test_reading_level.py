"""Every client page's own wording reads at about a 7th-grade level.

The measure is honest about what it reads: the page is rendered for the fictional demo
client and records with every piece of text the client file or the casebook supplies
replaced by a marker, and the markers are then taken out (``helpers.fixed_text``). What
is left is the page's fixed wording: headings, instructions, labels, examples. Each
heading, label or cell counts as a sentence of its own. The practice's footer is left out.
The running prose (blocks of 12 words or more) is measured again on its own, so many
short labels cannot hide a hard paragraph.

A new client document is measured here by itself: the test iterates the registry.
"""

from __future__ import annotations

import pytest

from helpers import (
    CLIENT_MARKER,
    MAX_GRADE,
    fixed_sentences,
    fixed_text,
    prose_text,
    reading_grade,
    with_markers,
)
from worksheets_lib import demo_client_path, document_html, list_documents, load_client
from worksheets_lib.documents.demo import demo_inputs

CLIENT_DOCUMENTS = [d.name for d in list_documents("client")]


@pytest.fixture(scope="module")
def inputs():
    return demo_inputs(load_client(demo_client_path()))


@pytest.mark.parametrize("name", CLIENT_DOCUMENTS)
def test_the_fixed_text_of_every_client_document_is_at_grade_7_or_below(inputs, name):
    text = fixed_text(name, inputs)
    assert len(text.split()) >= 20, (name, text)  # the page's own words were found
    grade = reading_grade(text)
    assert grade <= MAX_GRADE, (name, grade)


@pytest.mark.parametrize("name", CLIENT_DOCUMENTS)
def test_the_running_prose_of_every_client_document_is_at_grade_7_or_below(inputs, name):
    # Instructions and explanations alone: short labels cannot pull their grade down.
    text = prose_text(name, inputs)
    if text:
        grade = reading_grade(text)
        assert grade <= MAX_GRADE, (name, grade, text)


@pytest.mark.parametrize("name", CLIENT_DOCUMENTS)
def test_no_client_words_are_left_in_the_measured_text(inputs, name):
    # Every free-text field became the marker, so none of the demo's own words remain.
    marked = with_markers(inputs)
    assert marked.client.name == CLIENT_MARKER
    assert marked.client.terms.partner == CLIENT_MARKER
    text = fixed_text(name, inputs)
    for word in ("Alex", "Maya", "girlfriend", "Harbour Lane", "Jordan Lee"):
        assert word not in text, (name, word)
    # Stored choices keep their values, so the page's labels are the real ones.
    assert marked.client.ladder.steps[0].distress == inputs.client.ladder.steps[0].distress


def test_the_marker_is_taken_out_and_each_block_is_a_sentence():
    html = (f'<html><head><title>T {CLIENT_MARKER}</title></head><body>'
            f'<div class="page-foot">Practice name here</div>'
            f'<h1>My page</h1><p>Write about {CLIENT_MARKER} here.</p>'
            f'<p class="prompt">What happened?</p><p>{CLIENT_MARKER}</p>'
            f'<p>Moments of {CLIENT_MARKER}:</p></body></html>')
    assert fixed_sentences(html) == ["My page.", "Write about here.", "What happened?",
                                     "Moments of."]


def test_the_measure_tells_hard_text_from_plain_text():
    plain = "Take a slow breath. Notice your feet on the floor. You are here now."
    hard = ("Comprehensive psychoeducational interventions facilitate the consolidation of "
            "interpersonal regulatory capacities within attachment-informed frameworks.")
    assert reading_grade(plain) <= 3 < MAX_GRADE < reading_grade(hard)


def test_the_demo_page_really_holds_the_words_that_are_taken_out(inputs):
    # The ladder shows the client's steps; the measured text does not.
    html = document_html("ladder", inputs)
    step = inputs.client.ladder.steps[0].step
    assert step in html.replace("&#34;", '"').replace("&quot;", '"')
    assert step not in fixed_text("ladder", inputs)
