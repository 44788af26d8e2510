"""Print how long the journal app takes to start (medians in seconds, and the ratio to 3 s).

A script, not a test: timings depend on the machine. Run it with ``./run bench``
(or ``.venv/bin/python benchmarks/bench_journal_start.py --runs 5``).

For each run, a fresh casebook with the fictional demo client, and Debian's
Chromium (through Playwright) already open on a blank page, as a client's
browser would be. The clock starts when ``worksheets journal`` is started and
measures:
  1. until the command prints the address (it does so once the app answers);
  2. until the form is usable in the browser that opens the address at once:
     the "What happened?" box is visible and can be typed in (the target: 3 s);
  3. a reload of the page, until the form is usable again (the kernel kept
     ready has made the next page by then).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 3.0
CHROMIUM = "/usr/bin/chromium"
WORKSHEETS = Path(sys.executable).parent / "worksheets"


def usable(page, timeout_ms: float = 60_000) -> None:
    """Wait until the entry form's first text box is visible and enabled."""
    box = page.locator("textarea").first
    box.wait_for(state="visible", timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    while not box.is_enabled() and time.monotonic() < deadline:
        time.sleep(0.01)


def one_run(browser, casebook: Path, context=None,
            port: int | None = None) -> tuple[float, float, float]:
    """(seconds to the address, to a usable form, reload to a usable form).

    *context*: a browser profile kept from earlier runs (a returning client's
    browser); None: a new one, as on a first visit.
    """
    own = context is None
    if own:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto("about:blank")
    start = time.monotonic()
    server = subprocess.Popen([str(WORKSHEETS), "journal", "--client-id", "alex-rivera",
                               "--casebook", str(casebook),
                               *(["--port", str(port)] if port else [])],
                              stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        address = None
        for line in server.stdout:
            if " is ready at " in line:
                address = line.split(" is ready at ")[1].strip()
                break
        if address is None:
            raise RuntimeError("the journal app did not start")
        printed = time.monotonic() - start
        page.goto(address, wait_until="commit")
        usable(page)
        ready = time.monotonic() - start
        time.sleep(1.0)  # the next ready kernel is being made meanwhile
        again = time.monotonic()
        page.reload(wait_until="commit")
        usable(page)
        reload = time.monotonic() - again
    finally:
        page.close()
        if own:
            context.close()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        server.stdout.close()
    return printed, ready, reload


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from worksheets_lib import demo_client_path, load_client, open_casebook

    results, returning = [], []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        casebook = Path(tmp) / "casebook.sqlite3"
        with open_casebook(casebook, create=True) as book:
            book.add_client(load_client(demo_client_path()))
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update"])
        try:
            one_run(browser, casebook)  # warm-up: the operating system's file cache
            for _ in range(args.runs):
                results.append(one_run(browser, casebook))
            # A returning client: the same browser profile, the app on the same port
            # (as when the therapist starts it with --port): the browser has Voilà's
            # code, compiled, from the last time.
            from worksheets_lib.journal_server import free_port

            port = free_port()
            profile = browser.new_context(viewport={"width": 1280, "height": 800})
            one_run(browser, casebook, profile, port)  # the first visit
            for _ in range(args.runs):
                returning.append(one_run(browser, casebook, profile, port))
            profile.close()
        finally:
            browser.close()
    print(f"journal app start, median of {args.runs} runs (seconds)")
    for title, rows in (("a browser's first visit", results),
                        ("a returning browser, same port", returning)):
        printed, ready, reload = (statistics.median(r[i] for r in rows) for i in range(3))
        print(f"  {title}:")
        print(f"    command -> address printed    {printed:6.2f}")
        print(f"    command -> form usable        {ready:6.2f}   "
              f"ratio to the {TARGET_SECONDS:.0f} s target: {ready / TARGET_SECONDS:.2f}")
        print(f"    reload  -> form usable        {reload:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
