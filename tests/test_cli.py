"""The ``worksheets`` command: exit codes, what it prints, and what it never prints.

Exit codes: 0 on success, 1 when the user's input is wrong (one ``error:`` line
per problem, no traceback), 2 on a usage error (argparse).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from helpers import pdf_text
from worksheets_lib import demo_client_path, list_documents
from worksheets_lib.cli import main

DEMO = str(demo_client_path())
SECRET = "SECRET-TEXT-123"
WORKSHEETS_SCRIPT = Path(sys.executable).parent / "worksheets"




def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_client(tmp_path, data: dict, name: str = "client.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


# --- list ---------------------------------------------------------------------------------------

def test_list_prints_every_document_with_its_audience_and_title(capsys):
    from worksheets_lib import list_documents

    code, out, err = run(capsys, "list")
    assert code == 0
    assert err == ""
    header, *lines = out.splitlines()
    assert header.split()[:3] == ["NAME", "FOR", "MADE"]
    rows = [line for line in lines if line and not line.endswith(":")]
    docs = list_documents()
    by_name = {d.name: d for d in docs}
    assert sorted(line.split()[0] for line in rows) == sorted(by_name)
    for line in rows:
        doc = by_name[line.split()[0]]
        assert line.split()[1] == doc.audience
        assert f"{doc.title}: {doc.description}" in line
    assert "ladder" in by_name and "My attachment ladder:" in out
    assert {"client", "therapist"} == {d.audience for d in docs}


def test_list_groups_the_documents_by_purpose_in_a_fixed_order(capsys):
    from worksheets_lib import list_documents
    from worksheets_lib.documents.registry import PURPOSES

    code, out, _ = run(capsys, "list")
    assert code == 0
    groups: dict[str, list[str]] = {}
    current = None
    for line in out.splitlines()[1:]:
        if not line:
            continue
        if line.endswith(":"):
            current = line[:-1].lower()
            groups[current] = []
        else:
            groups[current].append(line.split()[0])
    # Only groups that hold a document are shown, in the order of PURPOSES, each once.
    assert list(groups) == [p for p in PURPOSES if p in groups]
    assert all(groups.values())
    for doc in list_documents():
        assert doc.name in groups[doc.purpose]
    assert {"history-map", "progress-report"} <= set(groups["therapist"])
    assert "ladder" in groups["practising"]
    assert "\nPractising:\n" in out and "\nTherapist:\n" in out


def test_a_document_with_an_unknown_purpose_is_refused():
    from worksheets_lib.documents.registry import Document, register

    with pytest.raises(ValueError, match="unknown purpose 'fun'"):
        register(Document("x-purpose", "X", "X.", "client", "x.html.j2",
                          lambda *a: {}, purpose="fun"))


# --- render -------------------------------------------------------------------------------------

def test_render_writes_the_pdf_on_the_chosen_paper(tmp_path, capsys):
    out_pdf = tmp_path / "X.pdf"
    code, out, err = run(capsys, "render", "ladder", "--client", DEMO, "--out", str(out_pdf),
                         "--paper", "letter")
    assert code == 0
    assert err == ""
    assert out.startswith(f"wrote {out_pdf} (")
    page = PdfReader(str(out_pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)


def test_render_without_out_names_the_file_after_client_and_worksheet(tmp_path, capsys,
                                                                       monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "render", "listening", "--client", DEMO)
    assert code == 0
    assert (tmp_path / "alex-rivera-listening.pdf").is_file()
    assert out == "wrote alex-rivera-listening.pdf (1 page)\n"


def test_render_with_a_ladder_gap_warns_and_still_writes(tmp_path, capsys, demo_data):
    client = write_client(tmp_path, {**demo_data, "ladder": {"steps": [
        {"step": "Small", "distress": 10}, {"step": "Big", "distress": 50}]}})
    out_pdf = tmp_path / "ladder.pdf"
    code, out, err = run(capsys, "render", "ladder", "--client", client, "--out", str(out_pdf))
    assert code == 0
    assert out_pdf.is_file()
    assert "wrote" in out
    assert err.splitlines() == [
        "warning: ladder: rungs 1 and 2 are 40 points apart (expected distress 10 and 50); "
        "think about adding a smaller step between them"]


def test_render_with_an_override_template_folder(tmp_path, capsys):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "listening.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block worksheet %}<h1 class="ws-title">Custom page'
        "</h1>{% endblock %}", encoding="utf-8")
    out_pdf = tmp_path / "custom.pdf"
    code, _, _ = run(capsys, "render", "listening", "--client", DEMO, "--out", str(out_pdf),
                     "--templates", str(folder))
    assert code == 0
    assert "Custom page" in pdf_text(out_pdf)


def test_invalid_client_file_prints_one_error_line_per_problem(tmp_path, capsys, demo_data):
    client = write_client(tmp_path, {**demo_data, "id": "Alex Rivera", "journal": {"days": 0},
                                     "nmae": "Alex"}, name="bad.yaml")
    out_pdf = tmp_path / "never.pdf"
    code, out, err = run(capsys, "render", "ladder", "--client", client, "--out", str(out_pdf))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "error: bad.yaml: id: must be a short name of lowercase letters, digits and single "
        "hyphens, like alex-rivera",
        "error: bad.yaml: journal.days: must be between 1 and 31",
        "error: bad.yaml: nmae: is not a field we know (check the spelling)",
    ]
    assert "Traceback" not in out + err
    assert not out_pdf.exists()


def test_unknown_worksheet_exits_1_before_reading_the_client(tmp_path, capsys):
    code, out, err = run(capsys, "render", "nope", "--client", str(tmp_path / "missing.yaml"))
    assert code == 1
    assert out == ""
    # Every registered document: the first ones, in registry order.
    names = [d.name for d in list_documents()]
    assert names[:7] == ["ladder", "journal", "listening", "goal-plan", "journal-week",
                         "history-map", "progress-report"] and "packet" in names
    assert err == f"error: unknown worksheet 'nope'; choose from: {', '.join(names)}\n"


def test_missing_client_file_exits_1(tmp_path, capsys):
    missing = tmp_path / "missing.yaml"
    code, out, err = run(capsys, "render", "ladder", "--client", str(missing))
    assert code == 1
    assert err == f"error: {missing}: file not found\n"
    assert "Traceback" not in out + err


def test_out_pointing_to_a_folder_exits_1(tmp_path, capsys):
    code, out, err = run(capsys, "render", "ladder", "--client", DEMO, "--out", str(tmp_path))
    assert code == 1
    assert err.startswith(f"error: cannot write {tmp_path}: is a folder")
    assert list(tmp_path.iterdir()) == []


def test_blocked_resource_in_an_override_template_exits_1(tmp_path, capsys):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "listening.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block worksheet %}<img src="https://example.com/x.png">'
        "{% endblock %}", encoding="utf-8")
    code, out, err = run(capsys, "render", "listening", "--client", DEMO,
                         "--out", str(tmp_path / "x.pdf"), "--templates", str(folder))
    assert code == 1
    assert err.startswith("error: blocked resource https://example.com/x.png: ")
    assert "Traceback" not in out + err


def test_clients_free_text_never_appears_in_the_output_of_an_invalid_file(tmp_path, capsys,
                                                                          demo_data):
    steps = [dict(step) for step in demo_data["ladder"]["steps"]]
    steps[0]["step"] = f"Tell {SECRET} how I feel"
    steps[1]["step"] = SECRET * 25                       # too long
    steps[2]["distress"] = SECRET                        # not a number
    client = write_client(tmp_path, {
        **demo_data, "name": f"{SECRET}\x07", "pronouns": SECRET,
        "session_date": SECRET, "ladder": {"steps": steps},
        "listening": {"other_person": SECRET}})
    code, out, err = run(capsys, "render", "ladder", "--client", client,
                         "--out", str(tmp_path / "x.pdf"))
    assert code == 1
    assert len(err.splitlines()) == 4
    assert all(line.startswith("error: ") for line in err.splitlines())
    assert SECRET not in out + err
    assert "Traceback" not in out + err


def test_yaml_syntax_error_names_line_and_column_only(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text(f"id: alex-rivera\nname: {SECRET}\n  oops: {SECRET}: x\n", encoding="utf-8")
    code, out, err = run(capsys, "render", "ladder", "--client", str(path))
    assert code == 1
    assert err.startswith("error: broken.yaml: line 3, column ")
    assert SECRET not in out + err


# --- usage errors -------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    [],
    ["render", "ladder", "--client", DEMO, "--paper", "a5"],
    ["render", "ladder"],
    ["packet", "--client", DEMO],
    ["packet", "--client", DEMO, "--out", "p.pdf", "--worksheets", ","],
    ["frobnicate"],
], ids=["no-command", "paper-a5", "missing-client", "packet-missing-out",
        "empty-worksheet-list", "unknown-command"])
def test_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as excinfo:
        main(argv)
    assert excinfo.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "usage: worksheets" in err


@pytest.mark.parametrize("argv", [["--help"], ["list", "--help"], ["render", "--help"],
                                  ["packet", "--help"], ["demo", "--help"]])
def test_help_exits_0_and_prints_usage(capsys, argv):
    with pytest.raises(SystemExit) as excinfo:
        main(argv)
    assert excinfo.value.code == 0
    out, err = capsys.readouterr()
    assert out.startswith("usage: worksheets")
    assert err == ""


# --- packet and demo ----------------------------------------------------------------------------

def test_packet_with_chosen_worksheets_writes_them_in_order(tmp_path, capsys):
    out_pdf = tmp_path / "P.pdf"
    code, out, err = run(capsys, "packet", "--client", DEMO, "--out", str(out_pdf),
                         "--worksheets", "listening,ladder")
    assert code == 0
    assert out.startswith(f"wrote {out_pdf} (")
    cover, *pages = pdf_text(out_pdf).split("\f")
    body = "\f".join(pages)
    assert "Feelings journal" not in cover + body
    assert body.index("Active-listening checklist") < body.index("My attachment ladder")


def test_packet_with_a_worksheet_twice_exits_1(tmp_path, capsys):
    out_pdf = tmp_path / "P.pdf"
    code, out, err = run(capsys, "packet", "--client", DEMO, "--out", str(out_pdf),
                         "--worksheets", "ladder,ladder")
    assert code == 1
    assert err == "error: worksheets: each worksheet may be chosen only once\n"
    assert not out_pdf.exists()


def test_packet_with_an_unknown_worksheet_exits_1(tmp_path, capsys):
    code, _, err = run(capsys, "packet", "--client", DEMO, "--out", str(tmp_path / "P.pdf"),
                       "--worksheets", "ladder,diary")
    assert code == 1
    assert err.startswith("error: unknown worksheet 'diary'")


def test_demo_prints_the_absolute_path_of_the_packet(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "demo", "--out", "demo-dir")
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    assert lines[0].startswith("The demo packet for a fictional client (")
    printed = Path(lines[1].strip())
    assert printed.is_absolute()
    assert printed == (tmp_path / "demo-dir" / "alex-rivera-packet.pdf").resolve()
    assert printed.read_bytes().startswith(b"%PDF-")


# --- the installed console script ---------------------------------------------------------------

def test_installed_command_exits_0_1_and_2(tmp_path):
    assert WORKSHEETS_SCRIPT.is_file(), WORKSHEETS_SCRIPT
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"id: alex-rivera\nname: {SECRET}\njournal:\n  days: 99\n", encoding="utf-8")

    def script(*argv):
        return subprocess.run([str(WORKSHEETS_SCRIPT), *argv], capture_output=True, text=True,
                              timeout=120, cwd=tmp_path)

    listed = script("list")
    assert listed.returncode == 0, listed.stderr
    assert "ladder" in listed.stdout and listed.stderr == ""

    invalid = script("render", "ladder", "--client", str(bad))
    assert invalid.returncode == 1
    assert invalid.stdout == ""
    lines = invalid.stderr.splitlines()
    assert lines and all(line.startswith("error: bad.yaml: ") for line in lines), lines
    assert "Traceback" not in invalid.stderr and SECRET not in invalid.stderr

    usage = script("render", "ladder", "--client", str(bad), "--paper", "a5")
    assert usage.returncode == 2
    assert "invalid choice: 'a5'" in usage.stderr
