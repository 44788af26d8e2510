"""Take the README's pictures of the therapist workbooks, in a real browser.

Serves each workbook with Voilà (so this also shows the forms working there)
against a temporary casebook holding the fictional demo client, opens it in
Debian's Chromium through Playwright, moves to the step worth showing, and
saves a PNG in ``docs/``. Needs ``apt-get install chromium`` and the
``playwright`` package (no browser download: it uses /usr/bin/chromium).

    .venv/bin/python tools/workbook_screenshots.py
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CHROMIUM = "/usr/bin/chromium"

DEMO_HISTORY = None
#: (picture, workbook function, code run after the workbook is made)
SHOTS = [
    ("workbook-history.png", "history_mapping", "workbook.wizard.go(5)"),
    ("workbook-ladder.png", "goal_setting",
     "workbook.ladder.rows[-1].distress.value = 95\nworkbook.wizard.go(3)"),
    ("workbook-packet.png", "goal_setting",
     "workbook.words.fields['checked'].widget.value = True\n"
     "workbook.wizard.go(5)\nworkbook.make_packet()"),
    ("progress-review.png", "progress_review", ""),
]
#: What to wait for before the picture is taken.
READY = {"progress-review.png": "text=Triggers"}

#: The client's journal app, as ``worksheets journal`` serves it: (picture, screen, tab,
#: whether to fill in today's entry first).
JOURNAL_SHOTS = [
    ("journal-app.png", {"width": 1100, "height": 1000}, "Today", True),
    ("journal-phone-today.png", {"width": 390, "height": 844}, "Today", True),
    ("journal-phone-trends.png", {"width": 390, "height": 844}, "How it's going", False),
    ("journal-phone-ladder.png", {"width": 390, "height": 844}, "My ladder", False),
]


def fill_today(page) -> None:
    """Type a fictional entry the way a client would (nothing is saved)."""
    page.get_by_label("What happened?").fill("Maya was late home and did not text.")
    page.get_by_label("The feeling", exact=True).select_option("worried")
    page.locator("fieldset", has_text="How strong was it?").get_by_text(
        "6", exact=True).click()
    page.locator("fieldset", has_text="Did I pause").get_by_text("Yes").click()
    page.get_by_label("I named the feeling as").fill("worried, and a bit left out")
    page.get_by_label("What happened?").scroll_into_view_if_needed()


def journal_shots(casebook: Path) -> None:
    """Start ``worksheets journal`` for the demo client and photograph its tabs."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "WORKSHEETS_CASEBOOK"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "worksheets"), "journal", "--client-id",
         "alex-rivera", "--casebook", str(casebook), "--port", str(port),
         "--max-pages", "10"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        start_new_session=True)
    try:
        server.stdout.readline()  # "Starting the journal app…"
        ready = server.stdout.readline()
        address = ready.split(" is ready at ")[1].strip()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run"])
            for picture, screen, tab, fill in JOURNAL_SHOTS:
                phone = screen["width"] < 600
                context = browser.new_context(viewport=screen, is_mobile=phone,
                                              has_touch=phone, device_scale_factor=1)
                page = context.new_page()
                page.set_default_timeout(60000)
                page.goto(address)
                page.get_by_label("What happened?").wait_for()
                page.get_by_role("tab", name=tab).click()
                if fill:
                    fill_today(page)
                page.locator(".wsj-title").scroll_into_view_if_needed()
                page.evaluate("document.querySelector('.wsj').scrollIntoView()")
                page.wait_for_timeout(800)
                page.screenshot(path=str(DOCS / picture), full_page=False)
                context.close()
                print(f"docs/{picture}")
            browser.close()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)


def _demo_history():
    from worksheets_lib import (
        Caregiver,
        HistoryMap,
        Moment,
        PatternReflection,
        RelationalScript,
        Separation,
    )

    return HistoryMap(
        caregivers=[Caregiver(who="Mum", role="mother", availability="unpredictable",
                              learned="That closeness can disappear without warning.")],
        separations=[
            Separation(age=4, what_happened="Stayed with grandparents while Mum was in "
                                            "hospital", who_helped="Grandma"),
            Separation(age=9, what_happened="Dad moved abroad for work"),
            Separation(age=16, what_happened="Best friend moved to another city")],
        scripts=[RelationalScript(
            trigger="Maya replies late", fear="She is losing interest",
            reaction="I text again and again", result="She feels crowded and pulls back",
            need="To hear that we are okay",
            moments=[Moment(kind="connected", description="She called from the airport.")])],
        reflections=[PatternReflection(pattern="anxious", seems_to_fit="partly",
                                       evidence="Worry when replies are slow.")])


def add_demo_records(book) -> None:
    """A fictional fortnight of journal entries and two ladder tries."""
    import datetime as dt
    import random

    from worksheets_lib import JournalEntry, LadderAttempt

    rnd = random.Random(7)
    moments = ["Maya replied late to my message", "Maya went out with friends",
               "We cooked dinner together and laughed", "Work ran late and Maya replied late",
               "Maya was quiet after her call", "A walk together on Sunday"]
    today = dt.datetime.now(dt.UTC).replace(hour=19, minute=0, second=0, microsecond=0)
    for day in range(14):
        book.add_journal_entry("alex-rivera", JournalEntry(
            at=today - dt.timedelta(days=13 - day), what_happened=moments[day % 6],
            feeling=rnd.choice(["worried", "lonely", "calm", "close"]),
            intensity=rnd.randint(2, 8), paused=rnd.random() < 0.5 + day / 30,
            afterwards=rnd.choice(["closer", "closer", "same", "more distant"])))
    steps = book.get_client("alex-rivera").ladder.sorted_steps()
    for index, after in ((0, 5), (1, 25)):
        book.record_ladder_attempt("alex-rivera", LadderAttempt(
            step_id=steps[index].id, tried_on=dt.date.today() - dt.timedelta(days=5 - index),
            distress_after=after))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def notebook(function: str, extra: str) -> dict:
    source = (f"from worksheets_lib.widgets import {function}\n"
              f"workbook = {function}('alex-rivera')\n{extra}\nworkbook")
    return {"cells": [{"cell_type": "code", "metadata": {}, "execution_count": None,
                       "outputs": [], "source": source}],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def main() -> int:
    from playwright.sync_api import sync_playwright

    from worksheets_lib import demo_client_path, load_client, open_casebook

    global DEMO_HISTORY
    DEMO_HISTORY = _demo_history()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        casebook = tmp / "casebook.sqlite3"
        with open_casebook(casebook, create=True) as book:
            book.add_client(load_client(demo_client_path()))
            book.save_history("alex-rivera", DEMO_HISTORY)
            add_demo_records(book)
        env = {**os.environ, "WORKSHEETS_CASEBOOK": str(casebook)}
        for picture, function, extra in SHOTS:
            path = tmp / f"{picture}.ipynb"
            path.write_text(json.dumps(notebook(function, extra)), encoding="utf-8")
            port = free_port()
            server = subprocess.Popen(
                [str(Path(sys.executable).parent / "voila"), str(path), "--no-browser",
                 f"--port={port}", "--Voila.ip=127.0.0.1"],
                cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                with sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
                        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--no-first-run"])
                    page = browser.new_page(viewport={"width": 1100, "height": 1300})
                    deadline = time.monotonic() + 120  # Voilà starts slowly on a busy machine
                    while True:
                        try:
                            page.goto(f"http://127.0.0.1:{port}/", timeout=5000)
                            break
                        except Exception:
                            if time.monotonic() > deadline:
                                raise
                            time.sleep(0.5)
                    page.wait_for_selector(READY.get(picture, "text=Step"), timeout=60000)
                    page.wait_for_timeout(1500)
                    page.screenshot(path=str(DOCS / picture), full_page=False)
                    browser.close()
            finally:
                server.terminate()
                server.wait(timeout=10)
            print(f"docs/{picture}")
        journal_shots(casebook)
    return 0


if __name__ == "__main__":
    sys.exit(main())
