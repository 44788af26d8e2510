"""The journal app is closed to other web pages and cleans up after itself.

Tested from outside against a real ``worksheets journal``: a forged Host (DNS
rebinding), a request without the token, a WebSocket from another origin, more
pages than allowed, SIGTERM, and the idle stop; and in Chromium, told that
``evil.example`` is 127.0.0.1, as a rebinding attack would arrange.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import os
import re
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from support.browser import CHROMIUM, CHROMIUM_ARGS
from test_journal_browser import start_journal, stop_journal

from worksheets_lib import demo_client_path, load_client, open_casebook


@pytest.fixture
def casebook(tmp_path) -> Path:
    path = tmp_path / "casebook.sqlite3"
    with open_casebook(path, create=True) as book:
        book.add_client(load_client(demo_client_path()))
    return path


@pytest.fixture
def journal(casebook):
    server, address, port = start_journal(casebook, "--max-pages", "2")
    yield server, address, port
    stop_journal(server)


def processes() -> dict[int, tuple[int, str, bytes]]:
    """Every live process: pid -> (parent pid, state, command line)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        found[int(entry.name)] = (int(fields[1]), fields[0], cmdline)
    return found


def descendants(pid: int) -> list[int]:
    table = processes()
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, (ppid, state, _) in table.items() if ppid == parent and state != "Z"]
        found += children
        frontier += children
    return found


def kernels_of(server) -> int:
    """How many kernel processes the app has started and not stopped."""
    table = processes()
    return sum(b"ipykernel" in table.get(p, (0, "", b""))[2] for p in descendants(server.pid))


def settled_kernels(server, expected: int, seconds: float = 30) -> int:
    """The kernel count once it reaches *expected* (or the count after *seconds*).

    One kernel always waits with the page made (Voilà's preheated kernel, refilled
    a moment after a page takes it), so counts are checked once settled.
    """
    deadline = time.monotonic() + seconds
    while (count := kernels_of(server)) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return count


def still_running(pids: list[int]) -> list[int]:
    table = processes()
    return [p for p in pids if p in table and table[p][1] != "Z"]


def get(url: str, host: str | None = None, opener=None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def signed_in(address: str):
    """An opener holding the cookie the first load with the token sets, and the page."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, page = get(address, opener=opener)
    assert status == 200
    return opener, jar, page


def test_a_forged_host_gets_403_with_or_without_the_token(journal):
    server, address, port = journal
    for url in (f"http://127.0.0.1:{port}/", address):
        status, _ = get(url, host=f"evil.example:{port}")
        assert status == 403
    assert settled_kernels(server, 1) == 1  # only the ready one
    time.sleep(1)
    assert kernels_of(server) == 1
    assert get(address)[0] == 200 and settled_kernels(server, 2) == 2  # a page, a ready one


def test_without_the_token_there_is_no_page_and_no_kernel(journal):
    server, address, port = journal
    status, page = get(f"http://127.0.0.1:{port}/")
    assert status == 200 and "Hi Alex" not in page  # the sign-in page, not the journal
    status, page = get(f"http://127.0.0.1:{port}/?token=wrong")
    assert "Hi Alex" not in page
    for _ in range(5):
        get(f"http://127.0.0.1:{port}/")
    time.sleep(1)
    assert settled_kernels(server, 1) == 1  # only the ready one: no page was opened
    assert get(address)[0] == 200 and settled_kernels(server, 2) == 2  # a page, a ready one


def test_the_token_opens_the_app_and_a_cookie_keeps_it_open(journal):
    server, address, port = journal
    opener, _, page = signed_in(address)
    assert "kernel" in page.lower()
    status, again = get(f"http://127.0.0.1:{port}/", opener=opener)  # no token, the cookie
    assert status == 200 and "kernel" in again.lower()


def websocket_status(port: int, kernel_id: str, cookies: str, origin: str,
                     host: str | None = None) -> int:
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    headers = {"Origin": origin, "Cookie": cookies}
    if host:
        headers["Host"] = host

    async def attempt() -> int:
        request = HTTPRequest(f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels",
                              headers=headers)
        try:
            connection = await websocket_connect(request)
        except HTTPClientError as error:
            return error.code
        connection.close()
        for _ in range(50):  # let the close handshake finish and the socket go
            if connection.protocol is None or connection.stream.closed():
                break
            await asyncio.sleep(0.02)
        connection.stream.close()
        return 101

    return asyncio.run(attempt())


def test_a_websocket_from_another_origin_is_refused(journal):
    _, address, port = journal
    _, jar, page = signed_in(address)
    match = re.search(r'"kernelId"\s*:\s*"([0-9a-f-]{36})"', page) or \
        re.search(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", page)
    assert match, "no kernel id in the page"
    kernel_id = match.group(1)
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    own = f"http://127.0.0.1:{port}"
    assert websocket_status(port, kernel_id, cookies, own) == 101  # the app's own page works
    assert websocket_status(port, kernel_id, cookies, f"http://evil.example:{port}") == 403
    assert websocket_status(port, kernel_id, cookies, f"http://evil.example:{port}",
                            host=f"evil.example:{port}") == 403
    assert websocket_status(port, kernel_id, "", own) in (401, 403)  # no cookie, no kernel


def test_more_pages_than_allowed_are_refused_kindly(journal):
    server, address, _ = journal
    statuses = [get(address)[0] for _ in range(3)]
    assert statuses[:2] == [200, 200]
    status, page = get(address)
    assert status == 503
    assert "Traceback" not in page and "too many windows" in page
    time.sleep(1)
    assert kernels_of(server) <= 3  # two pages and the ready kernel


def test_sigterm_stops_the_app_and_every_kernel(casebook):
    server, address, _ = start_journal(casebook)
    try:
        assert get(address)[0] == 200
        assert settled_kernels(server, 2) == 2  # the page's and the ready one
        everything = descendants(server.pid)  # Voilà and its kernels
        assert len(everything) >= 2
        os.kill(server.pid, signal.SIGTERM)  # to `worksheets journal` only
        server.wait(timeout=30)
        deadline = time.monotonic() + 20
        while still_running(everything) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert still_running(everything) == []
        assert server.stdout.read().strip().endswith("stopped")
    finally:
        stop_journal(server)


def test_the_app_stops_itself_when_unused(casebook):
    server, address, _ = start_journal(casebook, "--stop-after", "0.1")  # 6 seconds
    try:
        assert get(address)[0] == 200  # used once, then left alone
        assert settled_kernels(server, 2) == 2
        everything = descendants(server.pid)
        server.wait(timeout=90)
        assert server.returncode == 0
        time.sleep(1)
        assert still_running(everything) == []
    finally:
        stop_journal(server)


def test_chromium_reaching_the_app_by_dns_rebinding_gets_403(journal):
    from playwright.sync_api import sync_playwright

    server, address, port = journal
    rebinding = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP evil.example 127.0.0.1"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=rebinding)
        try:
            page = browser.new_page()
            token = address.split("?", 1)[1]
            response = page.goto(f"http://evil.example:{port}/?{token}")
            assert response.status == 403
            assert "Hi Alex" not in page.content()
            ok = page.goto(address)  # the same browser at the real address works
            assert ok.status == 200
        finally:
            browser.close()
    assert kernels_of(server) <= 2  # its page and the ready kernel


def test_many_windows_opened_at_once_stay_under_the_cap(journal):
    from concurrent.futures import ThreadPoolExecutor

    server, address, _ = journal
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: get(address), range(8)))
    codes = sorted(status for status, _ in statuses)
    assert codes.count(200) <= 2 and set(codes) <= {200, 503}
    time.sleep(1)
    assert kernels_of(server) <= 3  # two pages and the ready kernel
    refused = [page for status, page in statuses if status == 503]
    assert refused and "too many windows" in refused[0]


def test_the_page_fetches_nothing_from_other_servers(journal):
    from playwright.sync_api import sync_playwright

    _, address, port = journal
    own = (f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", "data:", "blob:")
    answered, blocked = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("response", lambda r: answered.append(r.url)
                    if not r.url.startswith(own) else None)
            page.on("requestfailed", lambda r: blocked.append(r.failure)
                    if not r.url.startswith(own) else None)
            response = page.goto(address)
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            page.wait_for_selector("text=How was today?", timeout=60_000)
        finally:
            browser.close()
    assert answered == []  # Voilà's template links icons on a CDN: the policy stops them
    assert set(blocked) <= {"csp"}


def test_the_token_file_is_gone_once_the_app_is_ready(casebook, tmp_path, monkeypatch):
    import glob

    # A folder of this test's own: other apps started meanwhile (other tests, other
    # programs) make their own settings folders in the shared /tmp.
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setenv("TMPDIR", str(private))
    before = set(glob.glob(f"{private}/worksheets-journal-*"))
    server, address, _ = start_journal(casebook)
    try:
        assert "one-time key" in server.stdout.readline()  # the "open that address" line
        assert set(glob.glob(f"{private}/worksheets-journal-*")) <= before
        assert get(address)[0] == 200  # Voilà keeps its settings in memory
    finally:
        stop_journal(server)


def test_a_closed_window_frees_its_place_soon(casebook):
    from support.browser import launch

    server, address, _ = start_journal(casebook, "--max-pages", "1")
    try:
        with launch() as chromium:
            context = chromium.new_context()
            page = context.new_page()
            page.goto(address)
            page.get_by_label("What happened?").wait_for(timeout=60_000)
            assert get(address)[0] == 503  # its one place is taken
            page.close(run_before_unload=True)  # the client closes the tab
            context.close()
        assert settled_kernels(server, 1, seconds=60) == 1  # the page's kernel stopped
        assert get(address)[0] == 200  # and a new window may open
    finally:
        stop_journal(server)
