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
    ("journal-app.png", "client_journal",
     "workbook.form.what_happened.widget.value = 'Maya was late home and did not text.'\n"
     "workbook.form.feeling_choice.value = 'worried'\n"
     "workbook.form.intensity.widget.value = 6\n"
     "workbook.form.paused.widget.value = True\n"
     "workbook.form.pause_named.widget.value = 'worried, and a bit left out'\n"
     "workbook.form.pause_step.widget.value = 'One text, then I made tea and waited'"),
]
SHOTS.append(("progress-review.png", "progress_review", ""))
#: What to wait for before the picture is taken.
READY = {"journal-app.png": "text=How was today?", "progress-review.png": "text=Triggers"}


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
    return 0


if __name__ == "__main__":
    sys.exit(main())
