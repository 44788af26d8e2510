"""Shared tools for the browser tests: Debian's Chromium, axe-core, phone and laptop screens.

* :func:`launch` starts ``/usr/bin/chromium`` through Playwright (never a
  downloaded browser); a missing or broken Chromium fails the test and says why.
* :data:`PHONE` and :data:`LAPTOP` are the two screens every app page is
  checked at (390×844 with touch, 1280×800).
* :func:`axe_violations` injects axe-core (``tests/js/node_modules``, pinned by
  its lock file) and returns the critical and serious violations, optionally
  scoped to one part of the page (the project's own forms).
* :func:`horizontal_overflow` lists elements wider than the screen.
* :func:`serve_voila` serves a notebook with Voilà on a free port.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"

#: A phone (iPhone 12–15 size) and a laptop: the two screens the apps must work on.
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1,
         "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1280, "height": 800}}
SCREENS = {"phone": PHONE, "laptop": LAPTOP}


@contextmanager
def launch():
    """Debian's Chromium under Playwright; fails the test (never skips) if it cannot start."""
    from playwright.sync_api import Error, sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (./run test does this)")
    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as error:
            pytest.fail(f"Chromium could not start: {error}")
        try:
            yield chromium
        finally:
            chromium.close()


def axe_violations(page, scope: str | None = None,
                   impacts: tuple[str, ...] = ("critical", "serious")) -> list[dict]:
    """axe-core's violations of the given impacts, as short dicts (rule, impact, targets).

    *scope* is a CSS selector: only that part of the page is checked (the
    project's own forms, not Voilà's or JupyterLab's frame).
    """
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run ./run test (it runs npm ci in tests/js)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # not subject to the page's CSP
    context = json.dumps(scope) if scope else "document"
    result = page.evaluate(
        f"""async () => {{
            const ctx = {context};
            const r = await axe.run(ctx, {{resultTypes: ['violations']}});
            return r.violations.map(v => ({{
                rule: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
                summary: v.nodes.slice(0, 2).map(n => n.failureSummary),
            }}));
        }}""")
    return [v for v in result if v["impact"] in impacts]


def horizontal_overflow(page) -> list[str]:
    """Elements that reach past the right edge of the screen (or a page wider than it).

    Elements inside a horizontally scrolling container the page made on purpose
    do not count; none of ours are.
    """
    return page.evaluate(
        """(screen) => {
            const width = document.documentElement.clientWidth;
            const found = [];
            if (width > screen + 1)  // no <meta name=viewport>: laid out wider, then shrunk
                found.push(`laid out ${width}px wide on a ${screen}px screen`);
            if (document.documentElement.scrollWidth > width + 1)
                found.push(`page is ${document.documentElement.scrollWidth}px wide`);
            for (const el of document.querySelectorAll('body *')) {
                const box = el.getBoundingClientRect();
                if (box.width === 0 || box.height === 0) continue;
                const style = getComputedStyle(el);
                if (style.visibility === 'hidden' || style.display === 'none') continue;
                if (box.right > width + 1 || box.left < -1) {
                    let hidden = false;
                    for (let p = el.parentElement; p; p = p.parentElement) {
                        const ps = getComputedStyle(p);
                        if (ps.display === 'none' || /(hidden|clip)/.test(ps.overflowX)) {
                            const pb = p.getBoundingClientRect();
                            if (pb.right <= width + 1 && pb.left >= -1) { hidden = true; break; }
                        }
                    }
                    if (!hidden) found.push(`${el.tagName.toLowerCase()}.${el.className} ` +
                                            `${Math.round(box.left)}..${Math.round(box.right)}`);
                }
                if (found.length > 10) break;
            }
            return found;
        }""", page.viewport_size["width"])


def small_targets(page, scope: str = "body", minimum: int = 44) -> list[str]:
    """Visible buttons, inputs and links in *scope* smaller than *minimum* px on a side."""
    return page.evaluate(
        """([scope, minimum]) => {
            const found = [];
            const root = document.querySelector(scope) || document.body;
            const sel = 'button, [role=button], [role=tab], input:not([type=hidden]), select, ' +
                        'textarea, a[href], [role=radio], [role=checkbox]';
            for (const el of root.querySelectorAll(sel)) {
                // A radio or tick box drawn by its label: the label is what is touched.
                const label = el.matches('input[type=radio], input[type=checkbox]')
                    ? el.closest('label') : null;
                const box = (label || el).getBoundingClientRect();
                if (box.width === 0 || box.height === 0) continue;
                if (getComputedStyle(el).visibility === 'hidden') continue;
                if (box.width < minimum - 0.5 || box.height < minimum - 0.5)
                    found.push(`${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label')
                        || el.textContent || el.name || '').trim().slice(0, 30)}" ` +
                        `${Math.round(box.width)}x${Math.round(box.height)}`);
            }
            return found;
        }""", [scope, minimum])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve_voila(notebook: Path, env: dict | None = None, timeout: float = 120.0):
    """Serve *notebook* with Voilà on a free localhost port; yields its address."""
    import urllib.error
    import urllib.request

    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "voila"), str(notebook), "--no-browser",
         f"--port={port}", "--Voila.ip=127.0.0.1"],
        cwd=notebook.parent, env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    address = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                urllib.request.urlopen(address + "api", timeout=5).read()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if server.poll() is not None:
                    pytest.fail("Voilà stopped: " + server.stderr.read()[-2000:])
                if time.monotonic() > deadline:
                    pytest.fail("Voilà did not start in time")
                time.sleep(0.3)
        yield address
    finally:
        if server.poll() is None:
            os.killpg(server.pid, 15)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, 9)
                server.wait()
        server.stderr.close()
