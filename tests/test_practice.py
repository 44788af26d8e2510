"""The practice folder: found once, checked like a client file, overriding by dropping a file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import pdf_fonts, pdf_text, run
from worksheets_lib import (
    BlockedResourceError,
    PracticeError,
    TemplateError,
    demo_client_path,
    find_practice,
    list_documents,
    load_client,
    load_practice,
    render_document,
)
from worksheets_lib.documents.demo import demo_inputs
from worksheets_lib.practice import default_folder

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "practice"
FOOTER_NOTE = "Between sessions, call or write to us if these pages bring up something hard."


@pytest.fixture
def practice(tmp_path) -> Path:
    """A copy of the example practice folder."""
    folder = tmp_path / "practice"
    shutil.copytree(EXAMPLE, folder)
    return folder


def images_on(page) -> int:
    resources = page.get("/Resources") or {}
    objects = resources.get("/XObject") or {}
    return len(objects)


def write(folder: Path, name: str, text: str) -> Path:
    (folder / name).write_text(text, encoding="utf-8")
    return folder


# --- finding it ---------------------------------------------------------------------------------

def test_no_practice_anywhere_means_the_built_in_look():
    found = find_practice()
    assert found.folder is None and found.paper == "a4"


def test_the_named_folder_comes_first_then_the_environment_then_the_config_folder(
        tmp_path, practice, monkeypatch):
    config = default_folder()
    config.mkdir(parents=True)
    assert find_practice().folder == config.resolve()
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv("WORKSHEETS_PRACTICE", str(other))
    assert find_practice().folder == other.resolve()
    assert find_practice(practice).folder == practice.resolve()


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_a_named_folder_that_is_missing_is_an_error_naming_it(tmp_path, monkeypatch, how):
    missing = tmp_path / "nope"
    if how == "environment":
        monkeypatch.setenv("WORKSHEETS_PRACTICE", str(missing))
    with pytest.raises(PracticeError) as excinfo:
        find_practice(missing if how == "argument" else None)
    assert str(missing) in str(excinfo.value)
    assert "there is no practice folder here" in str(excinfo.value)


def test_a_missing_practice_folder_is_one_line_and_exit_1_on_the_command_line(tmp_path,
                                                                             capsys):
    out = tmp_path / "ladder.pdf"
    code, stdout, err = run(capsys, "render", "ladder", "--client", demo_client_path(),
                            "--practice", tmp_path / "nope", "--out", out)
    assert code == 1 and stdout == ""
    assert err == (f"error: practice folder {tmp_path / 'nope'}: there is no practice folder "
                   "here; check the path\n")
    assert not out.exists()


def test_the_older_templates_option_is_checked_the_same_way(tmp_path, capsys):
    code, _, err = run(capsys, "render", "ladder", "--client", demo_client_path(),
                       "--templates", tmp_path / "nope", "--out", tmp_path / "x.pdf")
    assert code == 1 and "there is no practice folder here" in err


def test_a_file_instead_of_a_folder_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(PracticeError, match="is not a folder"):
        load_practice(tmp_path / "file")


# --- practice.yaml ------------------------------------------------------------------------------

def test_every_problem_in_practice_yaml_is_reported_at_once_with_its_field(practice):
    write(practice, "practice.yaml", "name: ''\naccent: purple\npaper: a5\nlogo: logo.gif\n"
                                     "colour: '#ffffff'\n")
    with pytest.raises(PracticeError) as excinfo:
        load_practice(practice)
    lines = excinfo.value.lines()
    assert [line.split(": ")[2] for line in lines] == ["name", "logo", "accent", "paper",
                                                        "colour"]
    assert "must be a colour written like #1e4a4d" in lines[2]
    assert "must be a PNG or SVG file" in lines[1]
    assert all(line.startswith(f"practice folder {practice}: practice.yaml: ")
               for line in lines)


def test_a_logo_that_is_missing_or_outside_the_folder_is_refused(practice, tmp_path):
    write(practice, "practice.yaml", "logo: missing.png\n")
    with pytest.raises(PracticeError, match="logo: file not found"):
        load_practice(practice)
    write(practice, "practice.yaml", "logo: ../logo.svg\n")
    with pytest.raises(PracticeError, match="logo: must be a file inside the practice folder"):
        load_practice(practice)
    shutil.copy(practice / "logo.svg", tmp_path / "elsewhere.svg")
    (practice / "link.svg").symlink_to(tmp_path / "elsewhere.svg")
    write(practice, "practice.yaml", "logo: link.svg\n")
    with pytest.raises(PracticeError, match="logo: must be a file inside"):
        load_practice(practice)


def test_practice_yaml_is_optional_and_the_paper_is_the_practices_default(practice,
                                                                         tmp_path):
    (practice / "practice.yaml").unlink()
    assert load_practice(practice).settings.name is None
    write(practice, "practice.yaml", "paper: letter\n")
    result = render_document("listening", load_client(demo_client_path()),
                             tmp_path / "l.pdf", practice=practice)
    assert round(float(PdfReader(str(result.path)).pages[0].mediabox.width)) == 612


# --- what it changes on paper -------------------------------------------------------------------

def png_logo(folder: Path) -> Path:
    """Use a PNG logo: it is an image object on each page (an SVG is drawn as paths)."""
    from PIL import Image

    Image.new("RGB", (60, 20), "#6b3d6e").save(folder / "logo.png")
    settings = (folder / "practice.yaml").read_text(encoding="utf-8")
    write(folder, "practice.yaml", settings.replace("logo: logo.svg", "logo: logo.png"))
    return folder


@pytest.mark.parametrize("name", [d.name for d in list_documents()])
def test_logo_footer_note_and_the_overridden_block_are_on_every_page(practice, tmp_path,
                                                                    name):
    png_logo(practice)
    inputs = demo_inputs(load_client(demo_client_path()))
    result = render_document(name, inputs, tmp_path / f"{name}.pdf", practice=practice)
    reader = PdfReader(str(result.path))
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join(page.extract_text().split())
        assert FOOTER_NOTE in text, (name, number)  # the overridden footer_note block
        assert images_on(page) >= 1, (name, number)  # the logo
    fonts = pdf_fonts(result.path)
    assert all(f.startswith("Worksheets-") for f in fonts), fonts


def test_an_overridden_block_replaces_only_that_block(practice, tmp_path):
    out = tmp_path / "ladder.pdf"
    render_document("ladder", load_client(demo_client_path()), out, practice=practice)
    text = pdf_text(out)
    assert "Your safety comes first." in text  # the practice's safety note
    assert "Stay safe." not in text  # the built-in one is gone
    assert "Start at rung 1." in text  # the rest is the built-in ladder
    assert "If you are in crisis" in text  # the crisis line from practice.yaml


def test_the_packet_cover_shows_the_contact_line_and_crisis_line(practice, tmp_path, capsys):
    out = tmp_path / "packet.pdf"
    code, _, err = run(capsys, "packet", "--client", demo_client_path(), "--practice",
                       practice, "--out", out)
    assert code == 0, err
    cover = " ".join(PdfReader(str(out)).pages[0].extract_text().split())
    assert "12 Harbour Lane, Porthaven" in cover
    assert "If you are in crisis or thinking about harming yourself" in cover


def test_practice_css_comes_after_the_built_in_stylesheet(practice, tmp_path):
    write(practice, "practice.css", '.ws-title::after { content: " (our own page)"; }\n')
    out = tmp_path / "listening.pdf"
    render_document("listening", load_client(demo_client_path()), out, practice=practice)
    assert "Active-listening checklist (our own page)" in pdf_text(out)
    assert all(f.startswith("Worksheets-") for f in pdf_fonts(out))


def test_a_whole_template_can_be_replaced_by_dropping_a_file(practice, tmp_path):
    write(practice, "listening.html.j2",
          '{% extends "base.html.j2" %}{% block worksheet %}<section class="worksheet">'
          "<h1 class=\"ws-title\">{{ doc.title }}</h1><p>Our own listening page.</p>"
          "</section>{% endblock %}")
    out = tmp_path / "l.pdf"
    render_document("listening", load_client(demo_client_path()), out, practice=practice)
    text = pdf_text(out)
    assert "Our own listening page." in text and "Talk 5" not in text


@pytest.mark.parametrize("body, expected", [
    ('{% extends "ladder.html.j2" %}',
     "template ladder.html.j2: line 1: extends or includes itself; to change one part, "
     'extend "builtin/ladder.html.j2" instead'),
    ('{% extends "builtin/ladder.html.j2" %}\n{% block howto %}{{ oops }{% endblock %}',
     "template ladder.html.j2: syntax error on line 2: unexpected '}'"),
])
def test_a_broken_override_is_one_line_naming_the_template(practice, tmp_path, capsys, body,
                                                           expected):
    write(practice, "ladder.html.j2", body)
    out = tmp_path / "ladder.pdf"
    code, stdout, err = run(capsys, "render", "ladder", "--client", demo_client_path(),
                            "--practice", practice, "--out", out)
    assert code == 1 and stdout == ""
    assert err == f"error: {expected}\n"
    assert "Traceback" not in err and not out.exists()
    with pytest.raises(TemplateError):
        render_document("ladder", load_client(demo_client_path()), out, practice=practice)


def test_practice_templates_render_in_the_sandbox(practice, tmp_path):
    write(practice, "listening.html.j2",
          '{% extends "builtin/listening.html.j2" %}'
          "{% block howto %}{{ ''.__class__.__mro__ }}{% endblock %}")
    with pytest.raises(TemplateError, match="sandbox"):
        render_document("listening", load_client(demo_client_path()), tmp_path / "l.pdf",
                        practice=practice)


def test_practice_files_go_through_the_fetcher(practice, tmp_path):
    write(practice, "listening.html.j2",
          '{% extends "builtin/listening.html.j2" %}'
          '{% block howto %}<img src="file:///etc/hostname">{% endblock %}')
    with pytest.raises(BlockedResourceError):
        render_document("listening", load_client(demo_client_path()), tmp_path / "l.pdf",
                        practice=practice)


# --- the workbooks and the journal app ----------------------------------------------------------

def test_the_goal_setting_packet_is_printed_with_the_practice(practice, tmp_path):
    from worksheets_lib import open_casebook
    from worksheets_lib.widgets import goal_setting

    path = tmp_path / "casebook.sqlite3"
    with open_casebook(path, create=True) as book:
        book.add_client(load_client(demo_client_path()))
    workbook = goal_setting("alex-rivera", path, tmp_path / "out", practice=png_logo(practice))
    workbook.words.fields["checked"].widget.value = True
    workbook.sheets["goal-plan"].value = True  # any client document may be in the packet
    pdf = workbook.make_packet()
    assert pdf is not None
    assert "My goals" in [item.title for item in PdfReader(str(pdf)).outline]
    for page in PdfReader(str(pdf)).pages:
        assert FOOTER_NOTE in " ".join(page.extract_text().split())
        assert images_on(page) >= 1


def test_the_journal_app_prints_the_week_with_the_practice(practice, tmp_path, monkeypatch):
    import base64

    from worksheets_lib import open_casebook
    from worksheets_lib.widgets import client_journal

    path = tmp_path / "casebook.sqlite3"
    with open_casebook(path, create=True) as book:
        book.add_client(load_client(demo_client_path()))
    monkeypatch.setenv("WORKSHEETS_PRACTICE", str(practice))  # as `worksheets journal` sets it
    app = client_journal("alex-rivera", path)
    _name, data, _count = app.print_week()
    pdf = tmp_path / "week.pdf"
    pdf.write_bytes(base64.b64decode(data))
    assert FOOTER_NOTE in " ".join(pdf_text(pdf).split())


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_longer_safety_note_still_leaves_rung_1_at_the_bottom_of_the_first_page(
        practice, tmp_path, make_client, paper):
    # The ladder is split into pages before layout; a practice's longer note takes room
    # the split did not know about, and the layout check gives the first page less.
    note = "Please read this before you start. " * 40
    write(practice, "ladder.html.j2",
          '{% extends "builtin/ladder.html.j2" %}'
          '{% block safety_note %}<div class="safety"><p>' + note + "</p></div>{% endblock %}")
    steps = [{"step": f"Step {chr(65 + i)}: a small step toward feeling safer with Maya",
              "distress": i * 8} for i in range(12)]
    out = tmp_path / "ladder.pdf"
    render_document("ladder", make_client(ladder={"steps": steps}), out, paper=paper,
                    practice=practice)
    first = pdf_text(out).split("\f")[0]
    assert "START HERE" in first.upper() and "Step A:" in first
    assert first.rindex("Step A:") > max(first.index(f"Step {c}:") for c in "BCD"
                                         if f"Step {c}:" in first)


def test_the_journal_command_hands_the_practice_to_the_app(practice, cb):
    from worksheets_lib.journal_server import prepare

    prepared = prepare("alex-rivera", cb, practice_folder=practice.resolve())
    try:
        assert prepared.env["WORKSHEETS_PRACTICE"] == str(practice.resolve())
    finally:
        prepared.cleanup()


def test_the_journal_command_refuses_a_missing_practice_before_starting(tmp_path, cb,
                                                                       capsys):
    code, out, err = run(capsys, "journal", "--client-id", "alex-rivera", "--casebook", cb,
                         "--practice", tmp_path / "nope")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "there is no practice folder here" in err


def test_demo_and_render_take_the_practice_and_its_paper(practice, tmp_path, capsys):
    write(practice, "practice.yaml", "paper: letter\nfooter_note: From the demo.\n")
    code, out, err = run(capsys, "demo", "--out", tmp_path, "--practice", practice)
    assert code == 0, err
    pdf = tmp_path / "alex-rivera-packet.pdf"
    reader = PdfReader(str(pdf))
    assert round(float(reader.pages[0].mediabox.width)) == 612
    assert "From the demo." in pdf_text(pdf)
    out_a4 = tmp_path / "ladder.pdf"
    code, _, err = run(capsys, "render", "ladder", "--client", demo_client_path(),
                       "--practice", practice, "--paper", "a4", "--out", out_a4)
    assert code == 0, err
    assert round(float(PdfReader(str(out_a4)).pages[0].mediabox.width)) == 595


@pytest.mark.parametrize("template, block, where", [
    ("packet.html.j2", "cover_note", 0),
    ("packet.html.j2", "cover_logo", 0),
    ("journal.html.j2", "howto", 3),
    ("listening.html.j2", "howto", 11),
])
def test_each_named_block_can_be_replaced_alone(practice, tmp_path, template, block, where):
    write(practice, template, f'{{% extends "builtin/{template}" %}}'
                              f"{{% block {block} %}}<p>OUR OWN {block.upper()}</p>"
                              "{% endblock %}")
    out = tmp_path / "packet.pdf"
    render_document("packet", load_client(demo_client_path()), out, practice=practice)
    pages = pdf_text(out).split("\f")
    assert f"OUR OWN {block.upper()}" in pages[where]
    assert sum(f"OUR OWN {block.upper()}" in page for page in pages) == 1
