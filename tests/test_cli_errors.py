"""A user's mistake, or a failure, is one line on the command line and exit code 1.

Never a traceback, and never a client's words: not for an impossible date, a
deeply nested file, a 4,300-digit number, an over-long ``--out`` name, or an
error nobody foresaw (``--debug`` shows where, without the error's message).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import run
from worksheets_lib import cli

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "alex-rivera.yaml"
SECRET = "PRIVATE-WORDS-4410"


def client_file(tmp_path, text: str, name: str = "client.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def demo_text(**replace: str) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new, 1)
    return text


CASES = {
    "impossible-date": (lambda: demo_text(**{"session_date: 2026-11-24":
                                             "session_date: 2026-02-30"}),
                        "client.yaml", "client.yaml: session_date: must be a date written "
                                       "like 2026-11-24"),
    "deep-yaml": (lambda: "id: x\nname: " + "[" * 50000 + "]" * 50000 + "\n", "client.yaml",
                  "client.yaml: is nested too deeply to be a client file"),
    "deep-json": (lambda: '{"id": "x", "name": ' + "[" * 50000 + "]" * 50000 + "}",
                  "client.json", "client.json: is nested too deeply to be a client file"),
    "huge-number-yaml": (lambda: demo_text(**{"distress: 20": "distress: " + "9" * 4400}),
                         "client.yaml", "client.yaml: ladder.steps[0].distress: must be a "
                                        "whole number"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_bad_client_file_is_one_line_naming_the_field(tmp_path, capsys, case):
    make, name, expected = CASES[case]
    path = client_file(tmp_path, make(), name)
    code, out, err = run(capsys, "render", "ladder", "--client", path, "--out",
                         tmp_path / "x.pdf")
    assert (code, out) == (1, "")
    assert err.startswith(f"error: {expected}")
    assert err.count("\n") == 1
    assert not (tmp_path / "x.pdf").exists()


def test_a_huge_number_in_json_is_named(tmp_path, capsys):
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    text = yaml.safe_dump(data, allow_unicode=True)
    import json

    as_json = json.dumps(data, default=str).replace('"distress": 20', '"distress": '
                                                    + "9" * 4400, 1)
    assert "9" * 4400 in as_json and text
    path = client_file(tmp_path, as_json, "client.json")
    code, out, err = run(capsys, "render", "ladder", "--client", path)
    assert code == 1
    assert err == "error: client.json: ladder.steps[0].distress: must be a whole number of a " \
                  "sensible size\n"


def test_an_out_name_too_long_is_one_line(tmp_path, capsys):
    out = tmp_path / ("a" * 300 + ".pdf")
    code, stdout, err = run(capsys, "render", "ladder", "--client", EXAMPLE, "--out", out)
    assert (code, stdout) == (1, "")
    assert err == f"error: cannot write {out}: the file name is too long; choose a shorter one\n"
    assert list(tmp_path.iterdir()) == []


def test_an_unforeseen_error_is_one_line_and_never_its_message(capsys, monkeypatch):
    def broken(args):
        raise ValueError(f"something about {SECRET}")

    monkeypatch.setitem(cli.COMMANDS, "list", broken)
    code, out, err = run(capsys, "list")
    assert (code, out) == (1, "")
    assert err == ("error: something unexpected went wrong (ValueError); nothing was changed. "
                   "Please report it; run the command again with --debug to see where\n")
    code, out, err = run(capsys, "--debug", "list")
    assert code == 1
    assert "test_cli_errors.py" in err and "in broken" in err  # where it happened
    assert "ValueError (its message is not shown" in err
    assert SECRET not in err


def test_a_real_process_prints_no_traceback(tmp_path):
    path = client_file(tmp_path, "id: x\nname: " + "[" * 50000 + "]" * 50000 + "\n")
    done = subprocess.run([sys.executable, "-m", "worksheets_lib.cli", "render", "ladder",
                           "--client", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
