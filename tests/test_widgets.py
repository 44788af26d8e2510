"""The therapist's workbooks (ipywidgets), driven headless like a therapist would.

No kernel and no browser: each test sets widget values, clicks buttons, then
reads the casebook and the messages shown. The PDFs are rendered in as few
tests as possible (one history map, one packet).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import re

import ipywidgets as w
import pytest

from helpers import pdf_text, shown
from worksheets_lib import (
    Caregiver,
    Goal,
    GoalPlan,
    HistoryMap,
    LadderAttempt,
    Moment,
    PatternReflection,
    PlanStep,
    RelationalScript,
    Separation,
    open_casebook,
)
from worksheets_lib.widgets import goal_setting, history_mapping

DEMO = "alex-rivera"
SESSION = dt.date(2026, 11, 24)


# -- helpers ------------------------------------------------------------------------------




def history_book(tmp_path, client_id=None):
    return history_mapping(client_id, casebook=tmp_path / "cb.sqlite3",
                           output_dir=tmp_path / "out")


def goals_book(tmp_path, client_id=None):
    return goal_setting(client_id, casebook=tmp_path / "cb.sqlite3", output_dir=tmp_path / "out")


def with_demo(make, tmp_path):
    """A workbook on an empty casebook, after clicking "Use the fictional demo client"."""
    workbook = make(tmp_path)
    workbook.picker.demo_button.click()
    assert workbook.client.id == DEMO
    return workbook


@contextlib.contextmanager
def stored(tmp_path):
    """The casebook the workbooks write to, opened separately."""
    with open_casebook(tmp_path / "cb.sqlite3", create=True) as casebook:
        yield casebook


def add_clients(tmp_path, make_client, *ids):
    with stored(tmp_path) as casebook:
        for client_id in ids:
            casebook.add_client(make_client(id=client_id, name=client_id.split("-")[0].title()))


def type_into(form, **values):
    for name, value in values.items():
        form.fields[name].widget.value = value



def field_message(form, name) -> str:
    return shown(form.fields[name].message)


def click_next(workbook, times=1):
    for _ in range(times):
        workbook.wizard.next_button.click()
    return workbook.wizard.index


def fill_history(workbook, trigger="Maya is late and goes quiet"):
    """Type a whole history map into the forms, as a therapist would."""
    workbook.caregivers.add_button.click()
    type_into(workbook.caregivers.forms[-1], who="Grandma Rose", role="grandmother",
              availability="consistent", comfort="Sang to me at night",
              learned="Someone comes back")
    workbook.separations.add_button.click()
    type_into(workbook.separations.forms[-1], age="6", what_happened="Moved to a new town",
              who_helped="My aunt")
    workbook.scripts.add_button.click()
    script = workbook.scripts.forms[-1]
    type_into(script, trigger=trigger, fear="She is leaving", reaction="I go quiet",
              need="To hear she is coming back")
    moments = script.lists["moments"]
    moments.add_button.click()
    type_into(moments.forms[-1], kind="abandoned", description="Waited at the school gate")
    moments.add_button.click()
    type_into(moments.forms[-1], description="Dad read to me")  # "connected" by default
    patterns = workbook.reflection.forms
    type_into(patterns["secure"], evidence="Trusts old friends")  # unsure, with evidence
    type_into(patterns["anxious"], seems_to_fit="yes", evidence="Checks the phone a lot")
    # dismissive-avoidant is left "not sure yet" with no evidence: not worth storing
    type_into(patterns["fearful-avoidant"], seems_to_fit="no")
    workbook.reflection.notes.widget.value = "Come back to the move at six"


def expected_history(trigger="Maya is late and goes quiet") -> HistoryMap:
    return HistoryMap(
        caregivers=[Caregiver(who="Grandma Rose", role="grandmother", availability="consistent",
                              comfort="Sang to me at night", learned="Someone comes back")],
        separations=[Separation(age=6, what_happened="Moved to a new town",
                                who_helped="My aunt")],
        scripts=[RelationalScript(
            trigger=trigger, fear="She is leaving", reaction="I go quiet",
            need="To hear she is coming back",
            moments=[Moment(kind="abandoned", description="Waited at the school gate"),
                     Moment(kind="connected", description="Dad read to me")])],
        reflections=[
            PatternReflection(pattern="secure", evidence="Trusts old friends"),
            PatternReflection(pattern="anxious", seems_to_fit="yes",
                              evidence="Checks the phone a lot"),
            PatternReflection(pattern="fearful-avoidant", seems_to_fit="no")],
        notes="Come back to the move at six")


def gap_prompts(builder) -> list[w.Widget]:
    return [c for c in builder.rows_box.children if "ws-gap-prompt" in c._dom_classes]


def distresses(builder) -> list[int]:
    return [row.distress.value for row in builder.rows]


def fill_goal(workbook, goal="Feel steady when Maya is away", step="Plan my own evening"):
    workbook.goals.add_button.click()
    form = workbook.goals.forms[-1]
    type_into(form, goal=goal, accountability="A 0-10 rating each Sunday",
              check_in="every Monday")
    steps = form.lists["steps"]
    steps.add_button.click()
    type_into(steps.forms[-1], what=step, by=dt.date(2026, 12, 1))
    return form


def expected_goal(goal="Feel steady when Maya is away", step="Plan my own evening") -> Goal:
    return Goal(goal=goal, steps=[PlanStep(what=step, by=dt.date(2026, 12, 1))],
                accountability="A 0-10 rating each Sunday", check_in="every Monday")


# -- choosing the client ------------------------------------------------------------------


@pytest.mark.parametrize("make", [history_book, goals_book], ids=["history", "goals"])
def test_empty_casebook_offers_the_demo_client_and_adds_it_only_once(tmp_path, make):
    workbook = make(tmp_path)
    picker = workbook.picker
    # Opening a workbook makes no casebook: it says where one will be made.
    assert not (tmp_path / "cb.sqlite3").exists()
    assert f"There is no casebook at {tmp_path / 'cb.sqlite3'} yet" in shown(picker.message)
    assert picker.demo_button.layout.display != "none"
    assert picker.dropdown.value is None and workbook.client is None

    picker.demo_button.click()
    assert (tmp_path / "cb.sqlite3").exists()
    assert picker.dropdown.value == DEMO
    assert workbook.client.id == DEMO
    assert "Working with Alex" in shown(picker.message)
    assert picker.demo_button.layout.display == "none"
    assert "Alex" in workbook.heading.value

    picker.demo_button.click()  # a second click (say, a double click) adds nothing
    with stored(tmp_path) as casebook:
        assert [c.id for c in casebook.list_clients()] == [DEMO]
    assert workbook.client.id == DEMO


@pytest.mark.parametrize("make", [history_book, goals_book], ids=["history", "goals"])
def test_an_existing_empty_casebook_says_it_is_empty(tmp_path, make):
    open_casebook(tmp_path / "cb.sqlite3", create=True).close()
    workbook = make(tmp_path)
    assert "The casebook is empty" in shown(workbook.picker.message)


@pytest.mark.parametrize("make", [history_book, goals_book], ids=["history", "goals"])
def test_a_casebook_with_one_client_selects_that_client(tmp_path, make_client, make):
    add_clients(tmp_path, make_client, "sam-lee")
    workbook = make(tmp_path)
    assert workbook.picker.dropdown.value == "sam-lee"
    assert workbook.client.id == "sam-lee"
    assert click_next(workbook) == 1


def test_with_two_clients_nothing_is_selected_and_next_asks_for_a_client(tmp_path, make_client):
    add_clients(tmp_path, make_client, "sam-lee", "kim-park")
    workbook = history_book(tmp_path)
    assert workbook.picker.dropdown.value is None and workbook.client is None

    assert click_next(workbook) == 0
    assert "Choose a client first" in shown(workbook.picker.message)
    assert "Please look at the notes in red" in shown(workbook.wizard.status)

    workbook.picker.dropdown.value = "kim-park"
    assert workbook.client.id == "kim-park"
    assert click_next(workbook) == 1
    assert shown(workbook.wizard.status) == ""


def test_the_client_id_parameter_selects_that_client_among_several(tmp_path, make_client):
    add_clients(tmp_path, make_client, "sam-lee", "kim-park")
    assert history_book(tmp_path, "kim-park").client.id == "kim-park"
    unknown = history_book(tmp_path, "nobody-here")
    assert unknown.client is None
    assert "not in this casebook" in shown(unknown.picker.message)


def test_new_client_form_shows_problems_next_to_their_fields_and_stores_nothing(tmp_path):
    workbook = history_book(tmp_path)
    form = workbook.picker.form
    type_into(form, id="Sam Lee", name="Sam", therapist="Dr. Jordan Lee",
              practice="Harbour Lane Counselling")
    workbook.picker.create_button.click()

    assert "lowercase letters, digits and single hyphens" in field_message(form, "id")
    assert field_message(form, "session_date") == "⚠ is required"
    for fine in ("name", "therapist", "practice", "pronouns", "partner"):
        assert field_message(form, fine) == ""
    messages = [f.message.value for f in form.fields.values()] + [form.message.value]
    assert not any("Sam Lee" in m for m in messages)  # never repeats what was typed
    with stored(tmp_path) as casebook:
        assert casebook.list_clients() == []
    assert workbook.client is None


def test_new_client_form_stores_the_client_and_selects_them(tmp_path):
    workbook = history_book(tmp_path)
    form = workbook.picker.form
    type_into(form, id="sam-lee", name="Sam", pronouns="he/him", partner="husband",
              therapist="Dr. Jordan Lee", practice="Harbour Lane Counselling",
              session_date=SESSION)
    workbook.picker.create_button.click()

    with stored(tmp_path) as casebook:
        sam = casebook.get_client("sam-lee")
    assert (sam.name, sam.pronouns, sam.terms.partner, sam.session_date) == (
        "Sam", "he/him", "husband", SESSION)
    assert (sam.therapist.name, sam.therapist.practice) == (
        "Dr. Jordan Lee", "Harbour Lane Counselling")
    assert workbook.client.id == "sam-lee"
    assert workbook.picker.dropdown.value == "sam-lee"
    assert form.fields["id"].widget.value == ""  # the form is ready for the next client
    assert click_next(workbook) == 1

    # The same id again is refused, and the casebook still holds one client.
    type_into(form, id="sam-lee", name="Another Sam", therapist="Dr. Jordan Lee",
              practice="Harbour Lane Counselling", session_date=SESSION)
    workbook.picker.create_button.click()
    assert "already in the casebook" in shown(form.message)
    with stored(tmp_path) as casebook:
        assert [c.name for c in casebook.list_clients()] == ["Sam"]


# -- the history map ----------------------------------------------------------------------


def test_next_is_blocked_by_a_caregiver_or_separation_problem_and_back_loses_nothing(
        tmp_path):
    workbook = with_demo(history_book, tmp_path)
    assert click_next(workbook) == 1  # Caregivers

    workbook.caregivers.add_button.click()
    caregiver = workbook.caregivers.forms[0]
    type_into(caregiver, role="grandmother")
    assert click_next(workbook) == 1
    assert field_message(caregiver, "who") == "⚠ is required"
    assert "Please look at the notes in red" in shown(workbook.wizard.status)
    type_into(caregiver, who="Grandma Rose")
    assert click_next(workbook) == 2  # Early separations and losses

    workbook.separations.add_button.click()
    separation = workbook.separations.forms[0]
    type_into(separation, age="six", who_helped="My aunt")
    assert click_next(workbook) == 2
    assert field_message(separation, "age") == "⚠ must be a whole number"
    assert field_message(separation, "what_happened") == "⚠ is required"

    workbook.wizard.back_button.click()
    assert workbook.wizard.index == 1
    assert caregiver.fields["who"].widget.value == "Grandma Rose"
    assert caregiver.fields["role"].widget.value == "grandmother"
    assert click_next(workbook) == 2
    assert workbook.separations.forms == [separation]
    assert separation.fields["age"].widget.value == "six"
    assert separation.fields["who_helped"].widget.value == "My aunt"

    type_into(separation, age="6", what_happened="Moved to a new town")
    assert click_next(workbook) == 3
    assert field_message(separation, "age") == ""
    assert shown(workbook.wizard.status) == ""


def test_save_stores_the_whole_history_and_says_when(tmp_path):
    workbook = with_demo(history_book, tmp_path)
    fill_history(workbook)
    workbook.wizard.save_button.click()

    assert "Saved at" in shown(workbook.wizard.status)
    with stored(tmp_path) as casebook:
        assert casebook.load_history(DEMO) == expected_history()


def test_a_save_with_a_problem_says_so_and_keeps_what_was_stored(tmp_path):
    workbook = with_demo(history_book, tmp_path)
    workbook.separations.add_button.click()
    type_into(workbook.separations.forms[0], age="six", what_happened="Moved")
    workbook.wizard.save_button.click()
    assert "nothing was saved yet" in shown(workbook.wizard.status)
    assert field_message(workbook.separations.forms[0], "age") == "⚠ must be a whole number"
    with stored(tmp_path) as casebook:
        assert casebook.load_history(DEMO) == HistoryMap()

    type_into(workbook.separations.forms[0], age="6")
    workbook.wizard.save_button.click()
    type_into(workbook.separations.forms[0], age="-1")
    workbook.wizard.save_button.click()
    assert "nothing was saved yet" in shown(workbook.wizard.status)
    with stored(tmp_path) as casebook:
        assert casebook.load_history(DEMO).separations == [
            Separation(age=6, what_happened="Moved")]


def test_reopening_the_history_workbook_fills_the_forms_with_what_was_saved(tmp_path):
    first = with_demo(history_book, tmp_path)
    fill_history(first)
    first.wizard.save_button.click()

    again = history_book(tmp_path, DEMO)
    assert again.client.id == DEMO
    [caregiver] = again.caregivers.forms
    assert {n: f.widget.value for n, f in caregiver.fields.items()} == {
        "who": "Grandma Rose", "role": "grandmother", "availability": "consistent",
        "comfort": "Sang to me at night", "learned": "Someone comes back"}
    [separation] = again.separations.forms
    assert separation.fields["age"].widget.value == "6"
    assert separation.fields["what_happened"].widget.value == "Moved to a new town"
    assert separation.fields["shows_up_now"].widget.value == ""
    [script] = again.scripts.forms
    assert script.fields["trigger"].widget.value == "Maya is late and goes quiet"
    assert [(m.fields["kind"].widget.value, m.fields["description"].widget.value)
            for m in script.lists["moments"].forms] == [
        ("abandoned", "Waited at the school gate"), ("connected", "Dad read to me")]
    patterns = again.reflection.forms
    assert {p: (f.fields["seems_to_fit"].widget.value, f.fields["evidence"].widget.value)
            for p, f in patterns.items()} == {
        "secure": ("unsure", "Trusts old friends"),
        "anxious": ("yes", "Checks the phone a lot"),
        "dismissive-avoidant": ("unsure", ""),
        "fearful-avoidant": ("no", "")}
    assert again.reflection.notes.widget.value == "Come back to the move at six"

    # Saving the reopened workbook unchanged stores the same history.
    again.wizard.save_button.click()
    with stored(tmp_path) as casebook:
        assert casebook.load_history(DEMO) == expected_history()


def test_summary_draws_the_timeline_of_what_is_typed_now(tmp_path):
    workbook = with_demo(history_book, tmp_path)
    workbook.wizard.go(5)
    empty = bytes(workbook.chart.value)
    assert empty.startswith(b"\x89PNG")
    assert workbook.table.value == "<i>No scripts yet.</i>"

    workbook.wizard.go(2)
    workbook.separations.add_button.click()
    type_into(workbook.separations.forms[0], age="6", what_happened="Moved to a new town")
    assert click_next(workbook, 3) == 5  # through scripts and the reflection to the summary
    drawn = bytes(workbook.chart.value)
    assert drawn.startswith(b"\x89PNG")
    assert drawn != empty


def test_summary_scripts_table_shows_the_trigger_escaped_never_as_markup(tmp_path):
    trigger = "<b>x</b> & <img src=x onerror=alert(1)>"
    workbook = with_demo(history_book, tmp_path)
    fill_history(workbook, trigger=trigger)
    assert click_next(workbook, 5) == 5

    table = workbook.table.value
    assert "&lt;b&gt;x&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in table
    assert "<b>x</b>" not in table and "<img" not in table
    assert "To hear she is coming back" in table


def test_history_map_pdf_is_saved_in_the_output_folder_and_linked(tmp_path):
    workbook = with_demo(history_book, tmp_path)
    fill_history(workbook)
    workbook.wizard.go(5)
    workbook.pdf_button.click()

    pdf = tmp_path / "out" / "alex-rivera-history-map.pdf"
    assert pdf.exists()
    text = pdf_text(pdf)
    assert "History map" in text
    assert "Grandma Rose" in text
    assert "alex-rivera-history-map.pdf" in workbook.pdf_link.value
    assert "Saved" in shown(workbook.wizard.status)
    with stored(tmp_path) as casebook:  # making the PDF saved the history first
        assert casebook.load_history(DEMO) == expected_history()


def test_a_script_shows_its_own_missing_trigger_even_when_a_moment_has_a_problem(tmp_path):
    workbook = with_demo(history_book, tmp_path)
    workbook.scripts.add_button.click()
    script = workbook.scripts.forms[0]
    script.lists["moments"].add_button.click()  # a moment with no description
    workbook.wizard.go(3)
    assert click_next(workbook) == 3
    moment = script.lists["moments"].forms[0]
    assert field_message(moment, "description") == "⚠ is required"
    assert field_message(script, "trigger") == "⚠ is required"


@pytest.mark.parametrize("flow", ["history", "goals"])
def test_a_pdf_that_cannot_be_written_is_reported_in_the_workbook(tmp_path, flow):
    (tmp_path / "out").write_text("a file where the output folder should be")
    if flow == "history":
        workbook = with_demo(history_book, tmp_path)
        workbook.pdf_button.click()
        message = shown(workbook.pdf_link)
    else:
        workbook = with_demo(goals_book, tmp_path)
        for name, box in workbook.sheets.items():
            box.value = name == "listening"  # a short packet: it renders before the write
        workbook.words.fields["checked"].widget.value = True
        workbook.packet_button.click()
        message = shown(workbook.packet_message)
    assert "cannot write" in message


# -- goals and the ladder -----------------------------------------------------------------


def test_ladder_builder_shows_the_demo_ladder_sorted_by_distress(tmp_path, demo_client):
    builder = with_demo(goals_book, tmp_path).ladder
    assert distresses(builder) == [10, 20, 35, 45, 60, 70]
    assert [row.text.value for row in builder.rows] == [
        s.step for s in demo_client.ladder.sorted_steps()]
    assert [re.search(r"Rung (\d+)", row.number.value).group(1) for row in builder.rows] == [
        "1", "2", "3", "4", "5", "6"]
    assert "easiest" in builder.rows[0].number.value
    assert gap_prompts(builder) == []  # neighbours are 10 or 15 apart


def test_changing_a_distress_resorts_the_rows_and_renumbers_them(tmp_path):
    builder = with_demo(goals_book, tmp_path).ladder
    easiest = builder.rows[0]
    easiest.distress.value = 50
    assert distresses(builder) == [20, 35, 45, 50, 60, 70]
    assert builder.rows[3] is easiest
    assert "Rung 4" in easiest.number.value
    assert "easiest" in builder.rows[0].number.value
    assert list(builder.rows_box.children) == [row.box for row in builder.rows]


def test_a_big_jump_gets_a_prompt_that_adds_a_step_halfway(tmp_path):
    builder = with_demo(goals_book, tmp_path).ladder
    builder.rows[-1].distress.value = 100  # 60 -> 100: 40 points apart

    [prompt] = gap_prompts(builder)
    children = list(builder.rows_box.children)
    assert children.index(prompt) == children.index(builder.rows[4].box) + 1
    assert "Rungs 5 and 6 are 40 points apart" in shown(prompt.children[0])

    [button] = [c for c in prompt.children if isinstance(c, w.Button)]
    assert "step between" in button.description
    button.click()
    assert distresses(builder) == [10, 20, 35, 45, 60, 80, 100]
    assert builder.rows[5].text.value == ""
    assert len(gap_prompts(builder)) == 2  # 60 -> 80 and 80 -> 100 are still 20 apart


@pytest.mark.parametrize("gap, prompted", [(15, False), (16, True)])
def test_a_gap_prompt_appears_only_above_15_points(tmp_path, gap, prompted):
    builder = with_demo(goals_book, tmp_path).ladder
    builder.rows[-1].distress.value = 60 + gap
    assert len(gap_prompts(builder)) == (1 if prompted else 0)


def test_the_live_preview_is_a_sandboxed_frame_with_the_steps_escaped(tmp_path):
    builder = with_demo(goals_book, tmp_path).ladder
    assert builder.preview.value.startswith(
        '<iframe sandbox="" title="Preview of the printed ladder" srcdoc="')
    assert "allow-scripts" not in builder.preview.value

    row = builder.rows[0]
    row.text.value = "Call Sam & say hi"
    assert "Call Sam &amp;amp; say hi" in builder.preview.value  # escaped twice

    row.text.value = "<script>alert(1)</script>"
    value = builder.preview.value
    assert "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;" in value
    assert "<script" not in value and "&lt;script" not in value
    document = html.unescape(re.search(r'srcdoc="([^"]*)"', value).group(1))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert "<script" not in document


def test_a_ladder_row_without_words_blocks_next_with_a_note_under_it(tmp_path):
    workbook = with_demo(goals_book, tmp_path)
    workbook.wizard.go(3)  # the attachment ladder
    builder = workbook.ladder
    builder.add_button.click()
    blank = builder.rows[-1]
    assert blank.distress.value == 80 and blank.text.value == ""

    assert click_next(workbook) == 3
    assert "must not be empty" in shown(blank.message)
    assert [shown(row.message) for row in builder.rows[:-1]] == [""] * 6
    assert "Please look at the notes in red" in shown(builder.message)

    blank.text.value = "Tell Maya what I need"
    assert click_next(workbook) == 4
    assert shown(blank.message) == ""


def test_a_ladder_has_twelve_rungs_at_most(tmp_path):
    builder = with_demo(goals_book, tmp_path).ladder
    for _ in range(6):
        builder.add_button.click()
    assert len(builder.rows) == 12
    assert builder.add_button.disabled

    builder.add_button.click()  # a click that got through anyway
    assert len(builder.rows) == 12
    assert "12 rungs at most" in shown(builder.message)


def test_goals_step_needs_a_goal_and_a_dated_goal_is_saved(tmp_path):
    workbook = with_demo(goals_book, tmp_path)
    workbook.vision.widget.value = "Spend a weekend apart without checking my phone"
    assert click_next(workbook, 2) == 2  # the goals step
    assert click_next(workbook) == 2
    assert "Add at least one goal" in shown(workbook.goals.message)

    goal = fill_goal(workbook)
    type_into(goal, goal="")
    assert click_next(workbook) == 2
    assert field_message(goal, "goal") == "⚠ is required"

    type_into(goal, goal="Feel steady when Maya is away")
    assert click_next(workbook) == 3
    workbook.wizard.save_button.click()
    assert "Saved at" in shown(workbook.wizard.status)
    with stored(tmp_path) as casebook:
        assert casebook.load_plan(DEMO) == GoalPlan(
            vision="Spend a weekend apart without checking my phone", goals=[expected_goal()])


def test_there_is_room_for_three_goals_at_most(tmp_path):
    workbook = with_demo(goals_book, tmp_path)
    for number in range(3):
        fill_goal(workbook, goal=f"Goal {number + 1}")
    assert workbook.goals.add_button.disabled
    workbook.goals.add_button.click()
    assert len(workbook.goals.forms) == 3
    assert "room for 3 at most" in shown(workbook.goals.message)


def test_the_clients_words_need_the_checked_tick_and_are_saved_to_the_profile(tmp_path):
    workbook = with_demo(goals_book, tmp_path)
    words = workbook.words
    assert {n: f.widget.value for n, f in words.fields.items()} == {
        "name": "Alex", "pronouns": "they/them", "partner": "girlfriend",
        "relationship": "relationship", "closeness": "closeness", "other_person": "Maya",
        "days": "7", "checked": False}

    workbook.wizard.go(4)  # the client's words
    type_into(words, partner="wife", closeness="connection")
    assert click_next(workbook) == 4
    assert "go over these words with the client" in field_message(words, "checked")

    type_into(words, checked=True)
    assert click_next(workbook) == 5
    workbook.wizard.save_button.click()
    with stored(tmp_path) as casebook:
        alex = casebook.get_client(DEMO)
    assert (alex.terms.partner, alex.terms.relationship, alex.terms.closeness) == (
        "wife", "relationship", "connection")
    assert (alex.name, alex.listening.other_person, alex.journal.days) == ("Alex", "Maya", 7)


def test_save_updates_the_ladder_and_keeps_the_ids_of_unchanged_steps(tmp_path):
    workbook = with_demo(goals_book, tmp_path)
    with stored(tmp_path) as casebook:
        before = {s.step: s.id for s in casebook.get_client(DEMO).ladder.steps}
        easiest_id = casebook.get_client(DEMO).ladder.sorted_steps()[0].id
        casebook.record_ladder_attempt(DEMO, LadderAttempt(step_id=easiest_id,
                                                           tried_on=dt.date(2026, 11, 25)))
    builder = workbook.ladder
    builder.rows[-1].distress.value = 75
    builder.add_step("Tell Maya what I need, out loud", 85)
    workbook.wizard.save_button.click()
    assert "Saved at" in shown(workbook.wizard.status)

    with stored(tmp_path) as casebook:
        ladder = casebook.get_client(DEMO).ladder
        after = {s.step: s.id for s in ladder.steps}
        assert [s.distress for s in ladder.sorted_steps()] == [10, 20, 35, 45, 60, 75, 85]
        assert {step: after[step] for step in before} == before
        new_id = after["Tell Maya what I need, out loud"]
        assert new_id and new_id not in before.values()
        # Progress recorded against an old step id stays attached and can go on.
        casebook.record_ladder_attempt(DEMO, LadderAttempt(step_id=easiest_id,
                                                           tried_on=dt.date(2026, 12, 2)))
        casebook.record_ladder_attempt(DEMO, LadderAttempt(step_id=new_id,
                                                           tried_on=dt.date(2026, 12, 3)))
        assert [a.step_id for a in casebook.list_ladder_attempts(DEMO)] == [
            easiest_id, easiest_id, new_id]
    assert [row.id for row in builder.rows] == [s.id for s in ladder.sorted_steps()]


def test_reopening_the_goals_workbook_brings_back_the_vision_goals_and_ladder(tmp_path):
    first = with_demo(goals_book, tmp_path)
    first.vision.widget.value = "Spend a weekend apart without checking my phone"
    fill_goal(first)
    fill_goal(first, goal="Ask for a hug when wobbly", step="Ask once this week")
    first.goals.forms[1].lists["steps"].forms[0].fields["done"].widget.value = True
    first.ladder.rows[0].distress.value = 15
    first.ladder.add_step("Tell Maya what I need, out loud", 85)
    first.wizard.save_button.click()
    saved = [(row.text.value, row.distress.value) for row in first.ladder.rows]

    again = goals_book(tmp_path, DEMO)
    assert again.vision.widget.value == "Spend a weekend apart without checking my phone"
    goals = again.goals.forms
    assert [g.fields["goal"].widget.value for g in goals] == [
        "Feel steady when Maya is away", "Ask for a hug when wobbly"]
    assert goals[0].fields["check_in"].widget.value == "every Monday"
    steps = [g.lists["steps"].forms[0] for g in goals]
    assert [(s.fields["what"].widget.value, s.fields["by"].widget.value,
             s.fields["done"].widget.value) for s in steps] == [
        ("Plan my own evening", dt.date(2026, 12, 1), False),
        ("Ask once this week", dt.date(2026, 12, 1), True)]
    assert [(row.text.value, row.distress.value) for row in again.ladder.rows] == saved
    assert distresses(again.ladder) == [15, 20, 35, 45, 60, 70, 85]


def test_save_and_make_the_packet_renders_logs_and_previews_it(tmp_path):
    workbook = with_demo(goals_book, tmp_path)
    fill_goal(workbook)
    # Move the easiest step up the ladder: the packet prints the ladder as edited here.
    moved = workbook.ladder.rows[0]
    moved.distress.value = 50
    workbook.words.fields["checked"].widget.value = True
    workbook.packet_button.click()

    pdf = tmp_path / "out" / "alex-rivera-packet.pdf"
    assert pdf.exists()
    with stored(tmp_path) as casebook:
        alex = casebook.get_client(DEMO)
        [packet] = casebook.list_packets(DEMO)
        assert casebook.load_plan(DEMO).goals == [expected_goal()]
    assert packet.worksheets == ["ladder", "journal", "listening"]
    message = shown(workbook.packet_message)
    assert f"The packet has {packet.pages} pages" in message
    assert "alex-rivera-packet.pdf" in workbook.packet_message.value

    steps = alex.ladder.sorted_steps()
    assert [s.distress for s in steps] == [20, 35, 45, 50, 60, 70]
    assert steps[3].step == moved.text.value
    text = pdf_text(pdf).replace("\f", " ")
    # Printed top to bottom: hardest first, so the easiest is the last on paper.
    order = [text.index(s.step[:30]) for s in steps]
    assert order == sorted(order, reverse=True)

    pages = workbook.pages.children
    assert len(pages) == packet.pages
    for page in pages:
        assert page.alt.startswith("Page ") and f"of {packet.pages} of the packet" in page.alt
        assert bytes(page.value).startswith(b"\x89PNG")


def test_a_packet_needs_at_least_one_worksheet(tmp_path):
    workbook = with_demo(goals_book, tmp_path)
    for box in workbook.sheets.values():
        box.value = False
    workbook.words.fields["checked"].widget.value = True
    workbook.packet_button.click()

    assert "Choose at least one worksheet" in shown(workbook.packet_message)
    assert not (tmp_path / "out" / "alex-rivera-packet.pdf").exists()
    assert workbook.pages.children == ()
    with stored(tmp_path) as casebook:
        assert casebook.list_packets(DEMO) == []


def test_a_packet_waits_until_the_clients_words_are_checked(tmp_path):
    workbook = with_demo(goals_book, tmp_path)
    fill_goal(workbook)
    workbook.packet_button.click()

    assert "Check the client" in shown(workbook.packet_message)
    assert "go over these words" in field_message(workbook.words, "checked")
    assert not (tmp_path / "out" / "alex-rivera-packet.pdf").exists()
