"""The client file: loading YAML or JSON, validating it, and reporting problems safely.

A client file holds a client's private words. Every problem is reported at
once, keyed by field path, and no message ever repeats what the client wrote.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle

import pytest

from worksheets_lib import (
    ClientFileError,
    ClientProfile,
    Problem,
    demo_client_path,
    load_client,
    validate_client,
)
from worksheets_lib.clientfile import MAX_FILE_BYTES

SECRET = "SECRET-TEXT-123"


def problems_of(excinfo) -> set[tuple[str, str]]:
    return {(p.path, p.message) for p in excinfo.value.problems}


def assert_no_secret(error: ClientFileError, secret: str = SECRET) -> None:
    texts = [str(error), repr(error), error.source, *error.lines()]
    texts += [p.path for p in error.problems] + [p.message for p in error.problems]
    leaked = [t for t in texts if secret in t]
    assert not leaked, leaked


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def demo_yaml() -> str:
    return demo_client_path().read_text(encoding="utf-8")


# --- files that load ------------------------------------------------------------------------

def test_annotated_example_loads(demo_client):
    assert isinstance(demo_client, ClientProfile)
    assert demo_client.id == "alex-rivera"
    assert demo_client.name == "Alex"
    assert demo_client.session_date == dt.date(2026, 11, 24)
    assert demo_client.therapist.practice == "Harbour Lane Counselling"
    assert demo_client.terms.partner == "girlfriend"
    assert len(demo_client.ladder.steps) == 6
    assert demo_client.journal.days == 7
    assert demo_client.listening_partner() == "Maya"


def test_json_file_with_the_same_data_loads_to_the_same_profile(tmp_path, demo_data,
                                                                 demo_client):
    data = {**demo_data, "session_date": "2026-11-24"}
    path = write(tmp_path, "alex.json", json.dumps(data, ensure_ascii=False, indent=2))
    assert load_client(path) == demo_client


def test_json_file_is_parsed_as_strict_json_and_reports_line_and_column(tmp_path, demo_yaml):
    # YAML is not JSON: a .json file with YAML in it is refused with a position.
    path = write(tmp_path, "alex.json", '{\n  "id": "alex-rivera",\n  "name": "' + SECRET
                 + '",\n}\n')
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    assert problems_of(excinfo) == {("", "line 4, column 1: this is not valid JSON")}
    assert excinfo.value.source == "alex.json"
    assert_no_secret(excinfo.value)


def test_utf8_byte_order_mark_is_accepted(tmp_path, demo_yaml, demo_client):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + demo_yaml.encode("utf-8"))
    assert load_client(path) == demo_client


def test_file_of_exactly_the_size_limit_loads(tmp_path, demo_yaml):
    data = demo_yaml.encode("utf-8")
    path = tmp_path / "padded.yaml"
    path.write_bytes(data + b"#" * (MAX_FILE_BYTES - len(data)))
    assert path.stat().st_size == MAX_FILE_BYTES
    assert load_client(path).id == "alex-rivera"


def test_ladder_of_12_steps_is_accepted(make_client):
    steps = [{"step": f"Step {i}", "distress": i * 8} for i in range(12)]
    client = make_client(ladder={"steps": steps})
    assert len(client.ladder.steps) == 12


def test_free_text_is_stripped(make_client):
    client = make_client(name="  Alex  ")
    assert client.name == "Alex"


# --- every problem at once, by field path ------------------------------------------------------

def test_every_problem_is_reported_at_once_by_field_path(demo_data):
    data = {**demo_data, "id": "Alex Rivera", "language": "fr", "nmae": "Alex"}
    del data["therapist"]
    steps = [dict(step) for step in demo_data["ladder"]["steps"]]
    steps[3]["distress"] = 150
    data["ladder"] = {"steps": steps}
    with pytest.raises(ClientFileError) as excinfo:
        validate_client(data)
    assert problems_of(excinfo) == {
        ("id", "must be a short name of lowercase letters, digits and single hyphens, "
               "like alex-rivera"),
        ("therapist", "is required"),
        ("ladder.steps[3].distress", "must be between 0 and 100"),
        ("language", "must be one of: 'en'"),
        ("nmae", "is not a field we know (check the spelling)"),
    }
    error = excinfo.value
    assert all(isinstance(p, Problem) for p in error.problems)
    assert len(error.lines()) == 5
    assert "client file: ladder.steps[3].distress: must be between 0 and 100" in error.lines()


def test_lines_name_the_file_for_each_problem(tmp_path, demo_yaml):
    text = demo_yaml.replace("distress: 45", "distress: 150").replace("days: 7", "days: 0")
    path = write(tmp_path, "alex.yaml", text)
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    assert excinfo.value.source == "alex.yaml"
    assert excinfo.value.lines() == [
        "alex.yaml: ladder.steps[3].distress: must be between 0 and 100",
        "alex.yaml: journal.days: must be between 1 and 31",
    ]


HIDDEN = ("must not contain control characters or hidden text-direction "
          "characters (such as a right-to-left override)")


@pytest.mark.parametrize("changes, expected", [
    ({"name": "   "}, ("name", "must not be empty")),
    ({"name": "Al\x07ex"}, ("name", HIDDEN)),
    ({"name": "A" * 81}, ("name", "must be at most 80 characters")),
    ({"name": True},
     ("name", "must be text (put it in quotes if it looks like a number, date or yes/no)")),
    ({"session_date": "24/11/2026"},
     ("session_date", "must be a date written like 2026-11-24")),
    ({"session_date": "2026-11-24T10:30:00"},
     ("session_date", "must be a date without a time")),
    ({"journal": {"days": 0}}, ("journal.days", "must be between 1 and 31")),
    ({"journal": {"days": 32}}, ("journal.days", "must be between 1 and 31")),
    ({"ladder": {"steps": [{"step": "x", "distress": 40.5}]}},
     ("ladder.steps[0].distress", "must be a whole number")),
    ({"ladder": {"steps": [{"step": "x", "distress": -1}]}},
     ("ladder.steps[0].distress", "must be between 0 and 100")),
    ({"ladder": {"steps": [{"step": "x" * 301, "distress": 5}]}},
     ("ladder.steps[0].step", "must be at most 300 characters")),
    ({"ladder": {"steps": [{"step": f"Step {i}", "distress": i} for i in range(13)]}},
     ("ladder.steps", "can have at most 12 items")),
    ({"ladder": {"steps": "walk"}},
     ("ladder.steps", "must be a list (one item per line starting with '-')")),
    ({"terms": "partner"}, ("terms", "must be a section of named fields")),
], ids=["blank-name", "control-character", "long-name", "yes-as-name", "day-first-date",
        "date-with-time", "journal-0-days", "journal-32-days", "fractional-distress",
        "negative-distress", "301-char-step", "13-steps", "steps-not-a-list",
        "terms-not-a-section"])
def test_one_bad_value_gives_one_plain_problem(demo_data, changes, expected):
    with pytest.raises(ClientFileError) as excinfo:
        validate_client({**demo_data, **changes})
    assert problems_of(excinfo) == {expected}


def test_yaml_1_2_reads_yes_as_a_word_and_a_clock_time_as_text(tmp_path, demo_yaml):
    path = write(tmp_path, "yes.yaml", demo_yaml.replace("name: Alex", "name: yes"))
    assert load_client(path).name == "yes"  # YAML 1.1 made this a yes/no value
    path = write(tmp_path, "clock.yaml", demo_yaml.replace("distress: 20", "distress: 1:20", 1))
    with pytest.raises(ClientFileError) as excinfo:  # YAML 1.1 made this the number 80
        load_client(path)
    assert problems_of(excinfo) == {("ladder.steps[0].distress", "must be a whole number")}


@pytest.mark.parametrize(("text", "path"), [
    ("name: Alex\nname: Sam\n", "name"),
    ("ladder:\n  steps:\n    - step: a\n      distress: 5\n      distress: 9\n",
     "ladder.steps[0].distress"),
    (f"{SECRET}: 1\n{SECRET}: 2\n", "the top level"),
])
def test_a_key_written_twice_is_refused_by_its_path_without_the_values(tmp_path, demo_yaml,
                                                                       text, path):
    file = write(tmp_path, "twice.yaml", text)  # refused while reading, before any check
    with pytest.raises(ClientFileError) as excinfo:
        load_client(file)
    assert (path, "is written twice; keep one of them") in problems_of(excinfo)
    assert_no_secret(excinfo.value)
    assert "Sam" not in str(excinfo.value)


@pytest.mark.parametrize("hidden", ["\u202e", "\u202a", "\u2066", "\u2069", "\x85", "\x9b"])
def test_hidden_direction_and_c1_control_characters_are_refused(make_client, hidden):
    with pytest.raises(Exception) as excinfo:
        make_client(name=f"Al{hidden}ex")
    assert problems_of(excinfo) == {("name", HIDDEN)}


def test_right_to_left_scripts_and_their_marks_are_kept(make_client):
    names = ("\u05d3\u05e0\u05d4", "\u0645\u0631\u064a\u0645", "Dana \u200f(\u05d3\u05e0\u05d4)")
    for name in names:
        assert make_client(name=name).name == name


def test_fractional_distress_in_a_file_is_refused(tmp_path, demo_yaml):
    path = write(tmp_path, "frac.yaml", demo_yaml.replace("distress: 45", "distress: 40.5"))
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    assert problems_of(excinfo) == {("ladder.steps[3].distress", "must be a whole number")}


def test_day_first_session_date_in_a_file_is_refused(tmp_path, demo_yaml):
    text = demo_yaml.replace("session_date: 2026-11-24", 'session_date: "24/11/2026"')
    path = write(tmp_path, "date.yaml", text)
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    assert problems_of(excinfo) == {("session_date", "must be a date written like 2026-11-24")}


def test_escaped_control_character_in_a_yaml_string_is_refused(tmp_path, demo_yaml):
    path = write(tmp_path, "bell.yaml", demo_yaml.replace("name: Alex", 'name: "Al\\aex"'))
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    assert problems_of(excinfo) == {("name", HIDDEN)}


# --- files that cannot be read --------------------------------------------------------------

def test_yaml_syntax_error_gives_line_and_column_and_no_file_content(tmp_path):
    text = f"id: alex-rivera\nname: {SECRET}\n  therapist: {SECRET}: oops\n"
    path = write(tmp_path, "broken.yaml", text)
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    [problem] = excinfo.value.problems
    assert problem.path == ""
    assert problem.message.startswith("line 3, column ")
    assert "this is not valid YAML" in problem.message
    assert_no_secret(excinfo.value)


def test_raw_control_character_in_a_yaml_file_is_refused_without_content(tmp_path, demo_yaml):
    path = write(tmp_path, "raw.yaml", demo_yaml.replace("name: Alex", f"name: Al\x07ex {SECRET}"))
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    [problem] = excinfo.value.problems
    assert "control character" in problem.message
    assert_no_secret(excinfo.value)
    assert "\x07" not in str(excinfo.value)


@pytest.mark.parametrize("text", ["", "# only a note\n", "- id: alex-rivera\n- name: Alex\n",
                                  f"{SECRET}\n"], ids=["empty", "comment-only", "list", "scalar"])
def test_file_without_named_fields_is_refused(tmp_path, text):
    path = write(tmp_path, "odd.yaml", text)
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    assert problems_of(excinfo) == {("", "must hold named fields such as id, name and therapist")}
    assert_no_secret(excinfo.value)


def test_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(f"id: alex-rivera\nname: Andr\xe9 {SECRET}\n".encode("latin-1"))
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    assert problems_of(excinfo) == {("", "must be saved as UTF-8 text")}
    assert_no_secret(excinfo.value)


def test_missing_file_is_reported_by_name(tmp_path):
    path = tmp_path / "nobody.yaml"
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    assert problems_of(excinfo) == {("", "file not found")}
    assert excinfo.value.source == str(path)


def test_folder_instead_of_a_file_is_refused(tmp_path):
    folder = tmp_path / "clients.yaml"
    folder.mkdir()
    with pytest.raises(ClientFileError) as excinfo:
        load_client(folder)
    assert problems_of(excinfo) == {("", "is a folder, not a file")}


def test_file_over_1_mb_is_refused_before_it_is_parsed(tmp_path, demo_yaml):
    data = demo_yaml.encode("utf-8")
    path = tmp_path / "huge.yaml"
    # Invalid YAML after the limit: the size check must come first.
    path.write_bytes(data + b"#" * (MAX_FILE_BYTES - len(data)) + b"\n: : [")
    assert path.stat().st_size > MAX_FILE_BYTES
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    assert problems_of(excinfo) == {("", "the file is too large to be a client file")}


# --- no message repeats the client's words ---------------------------------------------------

def test_messages_never_echo_the_clients_free_text(demo_data):
    data = {
        **demo_data,
        "name": f"Al\x07ex {SECRET}",                              # control character
        "pronouns": f"{SECRET} " + "x" * 60,                        # too long (60)
        "terms": {"partner": SECRET, "closeness": ""},              # empty
        "therapist": {"practice": f"{SECRET} practice"},             # name missing
        "session_date": SECRET,                                      # not a date
        "language": SECRET,                                          # not 'en'
        "id": SECRET,                                                # not a slug
        "ladder": {"steps": [
            {"step": (f"{SECRET} " * 40)[:301], "distress": 10},     # 301 characters
            {"step": f"Call {SECRET}", "distress": SECRET},          # distress not a number
            {"step": f"Ask {SECRET}", "distress": 20, "note": f"{SECRET}\x1b[31m"},
            {"step": [SECRET], "distress": 30},                      # not text
        ]},
        "listening": {"other_person": f"{SECRET} " * 10},          # too long
        "journal": {"days": SECRET},
        "notes": SECRET,                                             # unknown field's value
    }
    with pytest.raises(ClientFileError) as excinfo:
        validate_client(data)
    error = excinfo.value
    assert_no_secret(error)
    paths = {p.path for p in error.problems}
    assert {"name", "pronouns", "terms.closeness", "therapist.name", "session_date",
            "language", "id", "ladder.steps[0].step", "ladder.steps[1].distress",
            "ladder.steps[2].note", "ladder.steps[3].step", "listening.other_person",
            "journal.days", "notes"} <= paths
    assert ("ladder.steps[0].step", "must be at most 300 characters") in problems_of(excinfo)


def test_messages_from_a_file_never_echo_the_clients_free_text(tmp_path, demo_yaml):
    text = (demo_yaml
            .replace("name: Alex", f'name: "{SECRET}\\a"')
            .replace("distress: 20", f'distress: "{SECRET}"')
            .replace("other_person: Maya", f"other_person: {SECRET * 5}"))
    path = write(tmp_path, "secret.yaml", text)
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    assert {p.path for p in excinfo.value.problems} == {
        "name", "ladder.steps[0].distress", "listening.other_person"}
    assert_no_secret(excinfo.value)


def test_step_written_as_a_key_does_not_echo_the_words(tmp_path, demo_yaml):
    text = demo_yaml.replace(
        "    - step: Tell Maya about one good thing from my day at dinner.\n      distress: 10",
        f"    - Tell {SECRET} about one good thing: 10")
    path = write(tmp_path, "key.yaml", text)
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    assert {p.path for p in excinfo.value.problems} >= {"ladder.steps[1].step",
                                                         "ladder.steps[1].distress"}
    assert_no_secret(excinfo.value)


# --- the error travels ------------------------------------------------------------------------

def test_client_file_error_survives_pickling(demo_data):
    with pytest.raises(ClientFileError) as excinfo:
        validate_client({**demo_data, "name": "", "journal": {"days": 99}})
    error = excinfo.value
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is ClientFileError
    assert again.problems == error.problems
    assert all(isinstance(p, Problem) for p in again.problems)
    assert again.source == error.source
    assert str(again) == str(error)
    assert again.lines() == error.lines()


def test_problem_can_be_copied():
    problem = Problem("journal.days", "must be between 1 and 31")
    assert copy.copy(problem) == problem
    assert pickle.loads(pickle.dumps(problem)).path == "journal.days"



@pytest.mark.parametrize("text", [
    f"ladder:\n  steps:\n    - Tell {SECRET} I felt left out: {{distress: 20, distress: 30}}\n",
    f"ladder:\n  steps:\n    - [Tell {SECRET} I felt left out]: 20\n",
    "ladder:\n  steps:\n    - 2026-01-01: 20\n",
])
def test_a_key_made_of_client_words_is_never_shown(tmp_path, demo_yaml, text):
    minimal = ("id: a-b\nname: A\ntherapist: {name: T, practice: P}\n"
               "session_date: 2026-11-24\n")
    path = write(tmp_path, "keys.yaml", minimal + text)
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    assert_no_secret(excinfo.value)
    assert "2026, 1, 1" not in str(excinfo.value) and "2026-01-01" not in str(excinfo.value)
    assert all(p.path.startswith("ladder") for p in excinfo.value.problems)


def test_a_json_key_written_twice_is_refused(tmp_path, demo_data):
    import json

    text = json.dumps(demo_data, default=str)[:-1] + ', "name": "Sam"}'
    path = write(tmp_path, "twice.json", text)
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    assert problems_of(excinfo) == {("name", "is written twice; keep one of them")}


@pytest.mark.parametrize("directive", ["%YAML 1.1\n---\n", "%TAG ! tag:example.com,2000:\n---\n"])
def test_a_yaml_directive_is_refused_so_yaml_1_1_cannot_come_back(tmp_path, demo_yaml,
                                                                  directive):
    path = write(tmp_path, "old.yaml", directive + demo_yaml)
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    assert problems_of(excinfo) == {("", "line 1: lines starting with % (like %YAML) are not "
                                         "used in a client file; remove it")}


def test_an_odd_omap_is_one_plain_problem(tmp_path, demo_yaml):
    path = write(tmp_path, "omap.yaml", demo_yaml + "extra: !!omap [a: 1, a: 2]\n")
    with pytest.raises(ClientFileError) as excinfo:
        load_client(path)
    assert len(excinfo.value.problems) == 1


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31"])
def test_session_dates_far_outside_a_lifetime_are_refused(make_client, date):
    with pytest.raises(Exception) as excinfo:
        make_client(session_date=date)
    assert problems_of(excinfo) == {("session_date",
                                     "must be a date between the years 1900 and 2999")}
