"""The client's journal app in a real browser: Debian's Chromium, driven by Playwright.

The test starts ``worksheets journal`` (Voilà on a free localhost port) against
a temporary casebook, uses the app as a client would, and checks the casebook.
Nothing is skipped: if Chromium cannot start, the tests fail and say why.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from worksheets_lib import demo_client_path, load_client, open_casebook
from worksheets_lib.journal_server import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
WORKSHEETS = Path(sys.executable).parent / "worksheets"


def start_journal(casebook: Path, *extra: str):
    """Start ``worksheets journal``; returns (process, address with its token, port)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "WORKSHEETS_CASEBOOK"}
    server = subprocess.Popen([str(WORKSHEETS), "journal", "--client-id", "alex-rivera",
                               "--casebook", str(casebook), "--port", str(port), *extra],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, start_new_session=True)
    first = server.stdout.readline()
    assert first.strip() == "Starting the journal app…", server.stderr.read()[-2000:]
    ready = server.stdout.readline()  # printed only once the app answers
    assert " is ready at http://127.0.0.1:" in ready, server.stderr.read()[-2000:]
    address = ready.split(" is ready at ")[1].strip()
    try:  # it answers at once: the address never gives "can't be reached"
        urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10).read()
    except OSError as error:
        stop_journal(server)
        pytest.fail(f"the app did not answer when its address was printed: {error}")
    return server, address, port


def stop_journal(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    server.stdout.close()
    server.stderr.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """A running journal app for the demo client: (address with token, casebook, port)."""
    folder = tmp_path_factory.mktemp("journal")
    casebook = folder / "casebook.sqlite3"
    with open_casebook(casebook, create=True) as book:
        book.add_client(load_client(demo_client_path()))
    server, address, port = start_journal(casebook, "--max-pages", "8")
    yield address, casebook, port
    stop_journal(server)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import Error, sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (./run test does this)")
    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as error:
            pytest.fail(f"Chromium could not start: {error}")
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app):
    context = browser.new_context(viewport={"width": 1100, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(app[0])
    page.get_by_text("How was today?").wait_for()
    yield page
    context.close()


def entries(casebook):
    with open_casebook(casebook, create=True) as book:
        return book.list_journal("alex-rivera")


def test_an_entry_is_saved_on_submit_and_is_there_after_a_reload(page, app):
    typed = "Maya came home late and I felt left out <b>not bold</b>"
    page.locator("textarea").first.fill(typed)
    page.locator("select").first.select_option("lonely")
    page.get_by_role("button", name="Save my entry").click()
    page.get_by_text("Saved at").wait_for()
    stored = [e for e in entries(app[1]) if e.what_happened == typed]
    assert len(stored) == 1 and stored[0].feeling == "lonely"

    page.reload()
    page.get_by_text("How was today?").wait_for()
    page.get_by_role("tab", name="Recent entries").click()
    page.get_by_text(typed).wait_for()  # shown as text, not as markup
    assert page.locator("b", has_text="not bold").count() == 0


def test_marking_a_rung_tried_is_stored(page, app):
    page.get_by_role("tab", name="My ladder").click()
    page.get_by_text("Rung 1").wait_for()
    page.get_by_role("button", name="I tried this").last.click()  # rung 1 is at the bottom
    page.get_by_role("button", name="Save this try").last.click()
    page.get_by_text("Saved your step").wait_for()
    with open_casebook(app[1], create=True) as book:
        attempts = book.list_ladder_attempts("alex-rivera")
        easiest = book.get_client("alex-rivera").ladder.sorted_steps()[0]
    assert [a.step_id for a in attempts] == [easiest.id]


def test_typed_code_is_stored_as_text_and_never_run(page, app, tmp_path):
    marker = tmp_path / "ran"
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    page.locator("textarea").first.fill(code)
    page.get_by_role("button", name="Save my entry").click()
    page.get_by_text("Saved at").wait_for()
    assert any(e.what_happened == code for e in entries(app[1]))
    assert not marker.exists()


def test_the_page_shows_no_code_and_no_traceback(page):
    content = page.content()
    assert "client_journal(" not in content  # sources are stripped
    assert "Traceback" not in content


def test_the_app_listens_on_localhost_only(app):
    port = app[2]
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hexport = local.rsplit(":", 1)
            if state == "0A" and int(hexport, 16) == port:  # 0A: listening
                listening.append(address)
    assert listening, "no listening socket found"
    assert all(a in ("0100007F", "00000000000000000000000001000000") for a in listening)
