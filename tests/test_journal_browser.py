"""The client's journal app in a real browser: Debian's Chromium, driven by Playwright.

The tests start ``worksheets journal`` (Voilà on a free localhost port) against
a temporary casebook and use the app as a client would: on a phone (390×844,
by touch) and a laptop (1280×800), with the mouse and with the keyboard only.
They check the casebook, axe-core's findings (no critical or serious ones on any
tab), that nothing is wider than the screen and that every control is a 44 px
target. Nothing is skipped: if Chromium cannot start, the tests fail and say why.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from support.browser import (
    SCREENS,
    axe_violations,
    horizontal_overflow,
    launch,
    small_targets,
)

from worksheets_lib import demo_client_path, load_client, open_casebook
from worksheets_lib.journal_server import free_port

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
    server, address, port = start_journal(casebook, "--max-pages", "20")
    yield address, casebook, port
    stop_journal(server)


@pytest.fixture(scope="module")
def browser():
    with launch() as chromium:
        yield chromium


def open_app(browser, address, screen="laptop"):
    context = browser.new_context(**SCREENS[screen])
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(address)
    page.get_by_label("What happened?").wait_for()
    return context, page


def close(context, page) -> None:
    """Close the page as a browser tab is closed: Voilà then stops its kernel."""
    page.close(run_before_unload=True)
    context.close()


@pytest.fixture(params=["phone", "laptop"])
def screen(request):
    return request.param


@pytest.fixture
def page(browser, app):
    context, page = open_app(browser, app[0])
    yield page
    close(context, page)


def entries(casebook):
    with open_casebook(casebook, create=True) as book:
        return book.list_journal("alex-rivera")


def status(page) -> str:
    return page.locator(".wsj-status").inner_text() + page.locator(".wsj-alert").inner_text()


def saved(page) -> None:
    page.locator(".wsj-status", has_text="Saved at").wait_for()


TABS = ["Today", "My entries", "My ladder", "My goals", "How it's going"]


def test_every_tab_fits_the_screen_and_has_no_serious_accessibility_problem(browser, app,
                                                                            screen):
    context, page = open_app(browser, app[0], screen)
    try:
        assert page.title().startswith("My journal")
        for tab in TABS:
            page.get_by_role("tab", name=tab).click()
            page.wait_for_timeout(150)
            assert page.get_by_role("tab", name=tab).get_attribute("aria-selected") == "true"
            assert horizontal_overflow(page) == [], tab
            assert small_targets(page, ".wsj") == [], tab
            assert axe_violations(page) == [], tab  # the whole page, Voilà's frame too
            # the therapist-reads notice and the crisis line are there on every tab
            assert page.get_by_text("Your therapist reads what you save here.").is_visible()
            assert page.locator(".wsj-crisis").inner_text().strip()
    finally:
        close(context, page)


def test_an_entry_is_saved_on_submit_and_is_there_after_a_reload(page, app):
    typed = "Maya came home late and I felt left out <b>not bold</b>"
    page.get_by_label("What happened?").fill(typed)
    page.get_by_label("The feeling", exact=True).select_option("lonely")
    page.get_by_role("button", name="Save my entry").click()
    saved(page)
    stored = [e for e in entries(app[1]) if e.what_happened == typed]
    assert len(stored) == 1 and stored[0].feeling == "lonely"
    assert stored[0].intensity is None and stored[0].afterwards is None  # untouched
    assert page.get_by_label("The feeling", exact=True).input_value() == ""  # emptied
    page.get_by_label("What happened?").fill("x")
    assert status(page) == ""  # an old "Saved" goes once writing starts

    page.reload()
    page.get_by_label("What happened?").wait_for()
    page.get_by_role("tab", name="My entries").click()
    page.get_by_text(typed).wait_for()  # shown as text, not as markup
    assert page.locator("b", has_text="not bold").count() == 0


def test_every_control_is_set_by_touch_on_a_phone(browser, app):
    context, page = open_app(browser, app[0], "phone")
    try:
        page.get_by_label("What happened?").tap()
        page.get_by_label("What happened?").fill("Tapped on a phone")
        page.get_by_label("The feeling", exact=True).select_option("own")
        page.get_by_label("My own word for it").fill("wobbly")
        page.get_by_role("radiogroup", name="How strong was it? (0 to 10)")
        page.locator("fieldset", has_text="How strong was it?").get_by_text("8", exact=True).tap()
        page.locator("fieldset", has_text="Did I pause").get_by_text("Yes").tap()
        page.get_by_label("I named the feeling as").fill("wobbly")
        page.locator("fieldset", has_text="I rated it").get_by_text("5", exact=True).tap()
        page.get_by_label("The step I chose").fill("Three slow breaths")
        page.get_by_label("What did I do?").fill("Told her how I felt")
        page.locator("fieldset", has_text="Afterwards I felt").get_by_text("closer").tap()
        page.get_by_role("button", name="Save my entry").tap()
        saved(page)
        [entry] = [e for e in entries(app[1]) if e.what_happened == "Tapped on a phone"]
        assert (entry.feeling, entry.intensity, entry.paused, entry.pause_rating,
                entry.afterwards) == ("wobbly", 8, True, 5, "closer")
    finally:
        close(context, page)


def test_a_whole_entry_is_written_and_saved_with_the_keyboard_alone(page, app):
    page.get_by_label("What happened?").focus()
    keys = page.keyboard
    keys.type("Written without a mouse")
    keys.press("Tab")  # the feeling
    keys.press("ArrowDown")
    keys.press("ArrowDown")  # happy
    keys.press("Tab")  # the 0-10 row: the first radio
    keys.press("ArrowRight")
    keys.press("ArrowRight")
    keys.press("ArrowRight")  # 3
    keys.press("Tab")  # "Clear"
    keys.press("Tab")  # where in my body
    keys.type("Shoulders")
    keys.press("Tab")  # did I pause: yes
    keys.press("Space")
    focused = page.evaluate("document.activeElement.value")
    assert focused == "yes"
    for _ in range(40):  # on to the Save button
        keys.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Save my entry":
            break
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid"  # the focus is visible
    keys.press("Enter")
    saved(page)
    [entry] = [e for e in entries(app[1]) if e.what_happened == "Written without a mouse"]
    assert (entry.feeling, entry.intensity, entry.body, entry.paused) == (
        "happy", 3, "Shoulders", True)


def test_an_earlier_day_is_dated_and_an_entry_is_deleted_after_a_confirm(page, app):
    day = dt.date.today() - dt.timedelta(days=2)
    page.get_by_label("Which day?").fill(day.isoformat())
    page.get_by_label("What happened?").fill("Two days ago, to be deleted")
    page.get_by_role("button", name="Save my entry").click()
    saved(page)
    [entry] = [e for e in entries(app[1]) if e.what_happened.startswith("Two days ago")]
    assert entry.at.astimezone().date() == day

    page.get_by_role("tab", name="My entries").click()
    card = page.locator("article", has_text="Two days ago, to be deleted")
    card.get_by_role("button", name="Delete").click()
    card.get_by_role("button", name="Keep it").click()  # changing one's mind keeps it
    assert any(e.id == entry.id for e in entries(app[1]))
    card.get_by_role("button", name="Delete").click()
    card.get_by_role("button", name="Yes, delete it").click()
    page.locator(".wsj-status", has_text="The entry is deleted.").wait_for()
    assert all(e.id != entry.id for e in entries(app[1]))
    assert page.get_by_text("Two days ago, to be deleted").count() == 0


def test_marking_a_rung_tried_is_stored(page, app):
    page.get_by_role("tab", name="My ladder").click()
    page.get_by_role("button", name="I tried rung 1").click()
    page.get_by_role("button", name="Save this try").last.click()
    page.locator(".wsj-status", has_text="Saved your step").wait_for()
    with open_casebook(app[1], create=True) as book:
        attempts = book.list_ladder_attempts("alex-rivera")
        easiest = book.get_client("alex-rivera").ladder.sorted_steps()[0]
    assert [a.step_id for a in attempts] == [easiest.id]
    assert attempts[0].distress_after is None  # left empty, so nothing is stored


def test_goals_show_the_next_ladder_step_and_trends_say_when_there_is_nothing(browser,
                                                                              tmp_path):
    casebook = tmp_path / "casebook.sqlite3"
    with open_casebook(casebook, create=True) as book:
        book.add_client(load_client(demo_client_path()))
        first = book.get_client("alex-rivera").ladder.sorted_steps()[0]
    server, address, _ = start_journal(casebook)
    try:
        context, page = open_app(browser, address)
        page.get_by_role("tab", name="My goals").click()
        page.get_by_text("My next step on the ladder").wait_for()
        assert first.step in page.locator(".wsj-current").first.inner_text()
        page.get_by_role("tab", name="How it's going").click()
        page.get_by_role("tabpanel").get_by_text("No entries yet.").wait_for()
        assert page.locator("svg, canvas, table").count() == 0  # no empty axes
        close(context, page)
    finally:
        stop_journal(server)


def test_a_draft_is_offered_again_after_a_reload(page, app):
    page.get_by_label("What happened?").fill("Half a thought, not saved")
    page.wait_for_timeout(2500)  # the draft is kept a second after the last key
    page.reload()
    page.get_by_text("You have an entry you did not finish").wait_for()
    page.get_by_role("button", name="Keep writing it").click()
    assert page.get_by_label("What happened?").input_value() == "Half a thought, not saved"
    assert all(e.what_happened != "Half a thought, not saved" for e in entries(app[1]))
    page.get_by_role("button", name="Save my entry").click()
    saved(page)
    page.reload()
    page.get_by_label("What happened?").wait_for()
    page.wait_for_timeout(500)
    assert page.get_by_text("You have an entry you did not finish").count() == 0


def test_typed_code_is_stored_as_text_and_never_run(page, app, tmp_path):
    marker = tmp_path / "ran"
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    page.get_by_label("What happened?").fill(code)
    page.get_by_role("button", name="Save my entry").click()
    saved(page)
    assert any(e.what_happened == code for e in entries(app[1]))
    assert not marker.exists()


def test_the_page_shows_no_code_no_traceback_and_no_command(page):
    content = page.content()
    text = page.inner_text("body")
    assert "client_journal(" not in content  # sources are stripped
    assert "Traceback" not in content
    assert "worksheets journal" not in text and "--client-id" not in text
    assert not re.search(r"In \[\d*\]|Executing \d+ of \d+", text)


def test_a_save_when_the_app_has_stopped_says_so_and_keeps_the_words(browser, tmp_path):
    casebook = tmp_path / "casebook.sqlite3"
    with open_casebook(casebook, create=True) as book:
        book.add_client(load_client(demo_client_path()))
    server, address, _ = start_journal(casebook)
    context, page = open_app(browser, address)
    try:
        page.get_by_label("What happened?").fill("Words typed before the app stopped")
        stop_journal(server)
        page.get_by_role("button", name="Save my entry").click()
        page.locator(".wsj-alert", has_text="not answering").wait_for(timeout=30_000)
        assert "Saved" not in status(page)
        assert page.get_by_label("What happened?").input_value() == \
            "Words typed before the app stopped"
    finally:
        context.close()
        stop_journal(server)
    assert entries(casebook) == []


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
