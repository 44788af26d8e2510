"""The ``worksheets client ...`` commands, and ``render``/``packet`` with ``--client-id``.

Exit codes as for every command: 0 on success, 1 with one ``error:`` line
when the input is wrong (and the casebook unchanged), 2 on a usage error.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from pathlib import Path

import pytest

from worksheets_lib.casebook import ENV_VAR, open_casebook, read_bundle
from worksheets_lib.cli import main
from worksheets_lib.models import JournalEntry

EXAMPLE = str(Path(__file__).resolve().parents[1] / "examples" / "alex-rivera.yaml")
BAD_IDS = ["nobody-here", "a/b", "..", "../alex-rivera", "x'; DROP TABLE clients;--"]




def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def made(path) -> str:
    """What a command that makes a casebook says first (the suite runs encrypted too)."""
    encrypted = os.environ.get("WORKSHEETS_NEW_CASEBOOKS") == "encrypted"
    return f"made a new {'encrypted ' if encrypted else ''}casebook: {path}\n"


@pytest.fixture
def book(tmp_path) -> Path:
    return tmp_path / "casebook.sqlite3"


@pytest.fixture
def added(book, capsys) -> Path:
    """A casebook holding alex-rivera, added with ``client add``."""
    code, out, err = run(capsys, "client", "add", "--from", EXAMPLE, "--casebook", book)
    assert (code, out, err) == (0, made(book) +
                                   f"added alex-rivera to {book}\n", "")
    return book


def snapshot(path: Path) -> tuple:
    """What a refused command must leave as it was."""
    with open_casebook(path, create=True) as casebook:
        return casebook.audit_all(), casebook.list_clients()


def assert_one_error_line(code: int, out: str, err: str) -> str:
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    return lines[0]


class FakeTerminal(io.StringIO):
    """Standard input that says it is a terminal and holds what the user types."""

    def isatty(self) -> bool:
        return True


# --- the happy path -----------------------------------------------------------------------------

def test_add_list_and_show_a_client(added, capsys):
    code, out, err = run(capsys, "client", "list", "--casebook", added)
    assert (code, err) == (0, "")
    assert out == "alex-rivera  Alex  (session 2026-11-24)\n"

    code, out, err = run(capsys, "client", "show", "alex-rivera", "--casebook", added)
    assert (code, err) == (0, "")
    assert "id: alex-rivera" in out
    assert "name: Alex" in out
    assert "# stored:" in out
    assert "#   journal entries: 0" in out


def test_list_of_an_empty_casebook_says_so(book, capsys):
    code, out, err = run(capsys, "casebook", "init", "--casebook", book)
    assert (code, out, err) == (0, made(book), "")
    code, out, err = run(capsys, "client", "list", "--casebook", book)
    assert (code, err) == (0, "")
    assert out == f"no clients yet in {book}\n"
    code, out, err = run(capsys, "casebook", "init", "--casebook", book)
    assert (code, out, err) == (0, f"the casebook is already there: {book}\n", "")


def test_export_and_import_into_another_casebook_then_again_changes_nothing(added, tmp_path,
                                                                            capsys):
    with open_casebook(added, create=True) as casebook:
        casebook.add_journal_entry("alex-rivera", JournalEntry(feeling="hopeful"))
    bundle = tmp_path / "b.json"
    code, out, err = run(capsys, "client", "export", "alex-rivera", "--out", bundle,
                         "--casebook", added)
    assert (code, err) == (0, "")
    assert out.startswith(f"wrote {bundle} ")
    assert read_bundle(bundle).client.id == "alex-rivera"

    other = tmp_path / "other.sqlite3"
    code, out, err = run(capsys, "client", "import", bundle, "--casebook", other)
    assert (code, err) == (0, "")
    assert out.startswith(made(other) + "alex-rivera: new client")
    assert "1 journal entry(s)" in out
    with open_casebook(other, create=True) as casebook:
        assert casebook.get_client("alex-rivera").name == "Alex"
        assert len(casebook.list_journal("alex-rivera")) == 1
    before = snapshot(other)

    code, out, err = run(capsys, "client", "import", bundle, "--casebook", other)
    assert (code, err) == (0, "")
    assert "nothing changed" in out
    assert snapshot(other) == before


def test_audit_lists_who_did_what(added, capsys):
    code, out, err = run(capsys, "client", "audit", "alex-rivera", "--casebook", added)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 1
    assert "therapist" in lines[0] and "create" in lines[0] and "client" in lines[0]
    assert "Alex" not in out


def test_delete_without_yes_and_without_a_terminal_deletes_nothing(added, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("alex-rivera\n"))  # piped, not typed
    before = snapshot(added)
    code, out, err = run(capsys, "client", "delete", "alex-rivera", "--casebook", added)
    assert code == 1
    assert err.startswith("error: not deleted")
    assert snapshot(added) == before


def test_delete_with_yes_removes_the_client(added, capsys):
    code, out, err = run(capsys, "client", "delete", "alex-rivera", "--yes", "--casebook", added)
    assert (code, err) == (0, "")
    assert "deleted" in out and "alex" not in out.lower()
    code, out, _ = run(capsys, "client", "list", "--casebook", added)
    assert code == 0
    assert out.startswith("no clients yet")
    with open_casebook(added, create=True) as casebook:
        assert [(a.action, a.kind) for a in casebook.audit_all()] == [("delete", "client")]


@pytest.mark.parametrize(("typed", "code", "deleted"), [
    ("alex-rivera\n", 0, True), ("alex\n", 1, False), ("", 1, False)],
    ids=["the-id", "another-answer", "end-of-input"])
def test_delete_at_a_terminal_asks_for_the_id(added, capsys, monkeypatch, typed, code,
                                              deleted):
    monkeypatch.setattr(sys, "stdin", FakeTerminal(typed))
    got, out, err = run(capsys, "client", "delete", "alex-rivera", "--casebook", added)
    assert got == code
    assert "cannot be undone" in err
    with open_casebook(added, create=True) as casebook:
        assert [c.id for c in casebook.list_clients()] == ([] if deleted else ["alex-rivera"])


def test_packet_for_a_client_in_the_casebook_is_written_and_logged(added, tmp_path, capsys):
    pdf = tmp_path / "p.pdf"
    code, out, err = run(capsys, "packet", "--client-id", "alex-rivera", "--out", pdf,
                         "--casebook", added)
    assert (code, err) == (0, "")
    assert out.startswith(f"wrote {pdf} (")
    assert pdf.read_bytes().startswith(b"%PDF-")
    with open_casebook(added, create=True) as casebook:
        [logged] = casebook.list_packets("alex-rivera")
    assert logged.worksheets == ["ladder", "journal", "listening"]
    assert logged.sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()


def test_render_a_worksheet_for_a_client_in_the_casebook(added, tmp_path, capsys,
                                                         monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "render", "ladder", "--client-id", "alex-rivera",
                         "--casebook", added)
    assert (code, err) == (0, "")
    assert out.startswith("wrote alex-rivera-ladder.pdf (")
    assert (tmp_path / "alex-rivera-ladder.pdf").read_bytes().startswith(b"%PDF-")


# --- where the casebook is ----------------------------------------------------------------------

def test_the_environment_variable_names_the_casebook(tmp_path, capsys, monkeypatch):
    from_env = tmp_path / "env" / "casebook.sqlite3"
    monkeypatch.setenv(ENV_VAR, str(from_env))
    code, out, err = run(capsys, "client", "add", "--from", EXAMPLE)
    assert (code, err) == (0, "")
    assert out == made(from_env) + f"added alex-rivera to {from_env}\n"
    code, out, _ = run(capsys, "client", "list")
    assert out.startswith("alex-rivera  ")
    # --casebook still wins over the variable
    explicit = tmp_path / "explicit.sqlite3"
    code, out, err = run(capsys, "client", "list", "--casebook", explicit)
    assert (code, out) == (1, "")
    assert err.startswith(f"error: casebook {explicit}: there is no casebook here; check "
                          "the path (yours is usually ")
    assert err.endswith("To start a new casebook on purpose, run: worksheets casebook init "
                        "--casebook PATH\n")
    assert not explicit.exists()
    with open_casebook(from_env, create=True) as casebook:
        assert [c.id for c in casebook.list_clients()] == ["alex-rivera"]


def test_without_option_or_variable_the_casebook_is_in_the_data_folder(capsys, monkeypatch,
                                                                        isolated_home):
    monkeypatch.delenv(ENV_VAR, raising=False)
    code, out, err = run(capsys, "client", "add", "--from", EXAMPLE)
    assert (code, err) == (0, "")
    expected = isolated_home / ".local" / "share" / "worksheets" / "casebook.sqlite3"
    assert out == made(expected) + f"added alex-rivera to {expected}\n"
    assert expected.is_file()


def test_a_casebook_others_can_read_gets_a_warning(added, capsys):
    added.chmod(0o644)
    code, out, err = run(capsys, "client", "list", "--casebook", added)
    assert code == 0
    assert err == (f"warning: the casebook {added} could be read by other users (mode 644); "
                   "it is now readable by you only\n")
    assert added.stat().st_mode & 0o777 == 0o600


# --- bad input: one error line, exit 1, nothing changed ---------------------------------------

ID_COMMANDS = {
    "show": lambda cid, tmp: ["client", "show", cid],
    "export": lambda cid, tmp: ["client", "export", cid, "--out", tmp / "out.json"],
    "delete": lambda cid, tmp: ["client", "delete", cid, "--yes"],
    "audit": lambda cid, tmp: ["client", "audit", cid],
    "render": lambda cid, tmp: ["render", "ladder", "--client-id", cid, "--out",
                                tmp / "out.pdf"],
    "packet": lambda cid, tmp: ["packet", "--client-id", cid, "--out", tmp / "out.pdf"],
}


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize("command", list(ID_COMMANDS))
def test_an_unknown_or_malformed_id_is_one_error_line_and_changes_nothing(added, tmp_path,
                                                                          capsys, command,
                                                                          bad_id):
    before = snapshot(added)
    argv = ID_COMMANDS[command](bad_id, tmp_path)
    line = assert_one_error_line(*run(capsys, *argv, "--casebook", added))
    assert line.startswith("error: client id: ")
    assert bad_id not in line
    assert snapshot(added) == before
    assert not (tmp_path / "out.json").exists()
    assert not (tmp_path / "out.pdf").exists()


def test_adding_the_same_client_twice_is_one_error_line(added, capsys):
    before = snapshot(added)
    line = assert_one_error_line(*run(capsys, "client", "add", "--from", EXAMPLE,
                                      "--casebook", added))
    assert "already in the casebook" in line
    assert snapshot(added) == before


def _bundle(added, tmp_path, capsys) -> dict:
    path = tmp_path / "good.json"
    assert run(capsys, "client", "export", "alex-rivera", "--out", path, "--plain",
               "--casebook", added)[0] == 0
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("change", "expected"), [
    (lambda data: {**data, "version": 99}, "newer version"),
    (lambda data: {**data, "client": {**data["client"], "session_date": "soon"}},
     "client.session_date: must be a date"),
    (lambda data: {"format": "something else"}, "is not a bundle"),
    (lambda data: "not json at all {", "is not a bundle"),
], ids=["newer", "invalid-field", "not-a-bundle", "not-json"])
def test_a_bad_bundle_is_one_error_line_and_changes_nothing(added, tmp_path, capsys, change,
                                                            expected):
    data = change(_bundle(added, tmp_path, capsys))
    path = tmp_path / "bad.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    before = snapshot(added)
    line = assert_one_error_line(*run(capsys, "client", "import", path, "--casebook", added))
    assert line.startswith("error: bad.json: ")
    assert expected in line
    assert snapshot(added) == before


def test_a_missing_bundle_file_is_one_error_line(added, tmp_path, capsys):
    line = assert_one_error_line(*run(capsys, "client", "import", tmp_path / "missing.json",
                                      "--casebook", added))
    assert "missing.json" in line


@pytest.mark.parametrize("argv", [
    ["client", "list"], ["client", "add", "--from", EXAMPLE], ["client", "show", "alex-rivera"],
    ["render", "ladder", "--client-id", "alex-rivera"]], ids=["list", "add", "show", "render"])
def test_a_casebook_path_that_is_a_text_file_is_refused_and_left_alone(tmp_path, capsys, argv):
    notes = tmp_path / "notes.txt"
    notes.write_text("my own notes\n", encoding="utf-8")
    line = assert_one_error_line(*run(capsys, *argv, "--casebook", notes))
    assert line == f"error: casebook {notes}: is not a casebook (not an SQLite database); " \
                   "left untouched"
    assert notes.read_text(encoding="utf-8") == "my own notes\n"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("command", [["render", "ladder"], ["packet", "--out", "p.pdf"]],
                         ids=["render", "packet"])
def test_client_and_client_id_together_is_a_usage_error(added, capsys, command):
    with pytest.raises(SystemExit) as excinfo:
        main([*command, "--client", EXAMPLE, "--client-id", "alex-rivera",
              "--casebook", str(added)])
    assert excinfo.value.code == 2
    out, err = capsys.readouterr()
    assert "not allowed with argument" in err


@pytest.mark.parametrize("argv", [["client"], ["client", "show"], ["client", "frobnicate"],
                                  ["client", "export", "alex-rivera"]],
                         ids=["no-subcommand", "show-without-id", "unknown", "export-no-out"])
def test_client_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as excinfo:
        main(argv)
    assert excinfo.value.code == 2
    assert "usage: worksheets client" in capsys.readouterr().err


def test_client_add_update_replaces_the_profile_and_keeps_ladder_progress(tmp_path, capsys):
    import datetime as dt

    import yaml

    from worksheets_lib import LadderAttempt, open_casebook

    casebook = tmp_path / "cb.sqlite3"
    source = tmp_path / "client.yaml"
    data = yaml.safe_load(Path(EXAMPLE).read_text(encoding="utf-8"))
    source.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["client", "add", "--from", str(source), "--casebook", str(casebook)]) == 0
    with open_casebook(casebook, create=True) as book:
        first = book.get_client("alex-rivera").ladder.steps[0]
        book.record_ladder_attempt("alex-rivera", LadderAttempt(step_id=first.id,
                                                                tried_on=dt.date(2026, 12, 1)))
    data["name"] = "Al"
    source.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["client", "add", "--from", str(source), "--casebook", str(casebook)]) == 1
    assert main(["client", "add", "--from", str(source), "--update",
                 "--casebook", str(casebook)]) == 0
    assert "updated alex-rivera" in capsys.readouterr().out
    with open_casebook(casebook, create=True) as book:
        client = book.get_client("alex-rivera")
        assert client.name == "Al"
        assert client.ladder.steps[0].id == first.id
