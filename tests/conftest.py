"""Shared fixtures: an isolated HOME, the demo client, and PDF readers."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pytest
import yaml
from casebook_common import EXAMPLE, SECRET, SECRET_ID

from helpers import embedded_font_count, pdf_fonts, pdf_text, run, shown  # noqa: F401
from worksheets_lib import demo_client_path, load_client, open_casebook, validate_client

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True, scope="session")
def fonts_configured_once():
    """WeasyPrint's font configuration lives for the process, with a temporary folder of its
    own: make it before any test points :mod:`tempfile` at a folder of the test's own."""
    from worksheets_lib import pdf, templates_dir

    # The folder is made when the first @font-face is read: lay out one line.
    pdf.make_pdf('<html lang="en"><p>warm</p>', roots=[templates_dir()],
                 stylesheets=[templates_dir() / "print.css"])


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """A developer's own files and settings never change a result."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("WORKSHEETS_CASEBOOK", raising=False)  # set for the notebooks only
    monkeypatch.delenv("WORKSHEETS_CLIENT_ID", raising=False)
    monkeypatch.delenv("WORKSHEETS_PRACTICE", raising=False)
    return home


@pytest.fixture(autouse=True)
def no_weasyprint_warnings(caplog):
    """Like WeasyPrint's own tests: any warning it logs fails the test."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield
    records = caplog.get_records("setup") + caplog.get_records("call")
    problems = [r for r in records
                if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING]
    assert not problems, [r.getMessage() for r in problems]


@pytest.fixture(autouse=True)
def callbacks_raise_nothing(request, caplog):
    """ipywidgets only logs an exception raised by a button's handler: fail the test on it."""
    yield
    if request.node.get_closest_marker("xfail"):
        return  # an expected failure may well raise in a handler
    problems = [r.getMessage() for r in caplog.get_records("call")
                if r.name == "traitlets" and r.levelno >= logging.WARNING]
    assert not problems


#: The modules that make up the casebook suite: each of their tests runs twice, with plain
#: and with encrypted casebooks (every casebook they create is then an SQLCipher one).
CASEBOOK_SUITE = ("test_casebook", "test_audit_trail", "test_bundle_merge", "test_cli_casebook")
#: The key of the suite's encrypted casebooks (a recovery code; see casebook/keys.py).
TEST_KEY = "wsk-" + "-".join(["abcd"] * 13)


def pytest_generate_tests(metafunc):
    name = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "casebook_mode" in metafunc.fixturenames and name.startswith(CASEBOOK_SUITE):
        metafunc.parametrize("casebook_mode", ["plain", "encrypted"], indirect=True)


@pytest.fixture(autouse=True)
def casebook_mode(request, monkeypatch) -> str:
    """"plain" or "encrypted": how the casebooks of this test are made and opened."""
    from worksheets_lib.casebook import keys, opening

    mode = getattr(request, "param", "plain")
    for name in (keys.ENV_KEY, keys.ENV_PASSPHRASE, keys.ENV_NEW, "PYTHON_KEYRING_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    if mode == "encrypted":
        monkeypatch.setenv(keys.ENV_NEW, "encrypted")
        monkeypatch.setenv(keys.ENV_KEY, TEST_KEY)
    keys.forget()
    opening._known.clear()
    yield mode
    keys.forget()
    opening._known.clear()


@pytest.fixture
def demo_data() -> dict:
    """The demo client as a plain dict, to change and validate in a test."""
    return yaml.safe_load(demo_client_path().read_text(encoding="utf-8"))


@pytest.fixture
def demo_client():
    return load_client(demo_client_path())


@pytest.fixture
def make_client(demo_data):
    """Build a client from the demo data with some fields replaced."""

    def make(**changes):
        data = {**demo_data, **changes}
        return validate_client(data)

    return make


@pytest.fixture
def private_tmp(tmp_path, monkeypatch) -> Path:
    """A temporary folder of this test's own, used by :mod:`tempfile` meanwhile."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def cb(tmp_path) -> Path:
    """A closed casebook holding the fictional demo client."""
    from worksheets_lib.casebook import open_casebook

    path = tmp_path / "casebook.sqlite3"
    with open_casebook(path, create=True) as book:
        book.add_client(load_client(demo_client_path()))
    return path


# --- the casebook tests' fixtures (their helpers are in casebook_common.py) ---------------------

@pytest.fixture
def cb_path(tmp_path) -> Path:
    return tmp_path / "casebook.sqlite3"


@pytest.fixture
def casebook(cb_path):
    book = open_casebook(cb_path, create=True)
    yield book
    book.close()


@pytest.fixture
def alex():
    return load_client(EXAMPLE)


@pytest.fixture
def secret_client(make_client):
    """A client whose every free-text field holds SECRET."""
    return make_client(
        id=SECRET_ID, name=f"Sam {SECRET}", pronouns=SECRET,
        ladder={"steps": [{"step": f"Call {SECRET} on Sunday", "distress": 15,
                           "note": f"note {SECRET}"},
                          {"step": f"Tell {SECRET} I am hurt", "distress": 25}]},
        listening={"other_person": SECRET})
