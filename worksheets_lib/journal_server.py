"""Serve the client's journal app with Voilà, on this computer only, behind a token.

``prepare`` checks the client exists, then writes Voilà's settings into a
private folder (0700; the token never appears on a command line, where other
users of the computer could read it) and returns the command to run:

* 127.0.0.1 only, and only ``localhost``/``127.0.0.1`` Host headers: a web page
  that reaches the app by DNS rebinding (``evil.example`` resolving to
  127.0.0.1) gets 403, and so does its WebSocket; a WebSocket from another
  origin is refused by jupyter_server's origin check;
* a random token per start: the printed address carries it, the browser keeps
  a cookie after the first load, and a request without it gets the sign-in
  page and starts no kernel;
* at most ``max_pages`` kernels, idle ones culled, and the app stops after
  ``idle_minutes`` without use (:mod:`.journal_kernels`);
* code and tracebacks hidden, the page never framed by another site;
* one kernel kept ready with the page already made (Voilà's preheated
  kernels), and our own page template (``voila/templates/journal``): the title
  "My journal", a calm "Opening your journal…" instead of Voilà's "Executing 2
  of 3", nothing linked from other servers. ``wait_until_answering`` waits
  until the app answers, so the printed address never gives "can't be reached".
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import socket
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .casebook import check_client_id, keys, open_casebook
from .errors import WorksheetError
from .resources import journal_app_path, voila_data_dir

HOST = "127.0.0.1"
#: Kernels idle this long are shut down (the page reconnects a new one when used again).
CULL_IDLE_SECONDS = 900
MAX_PAGES = 3
IDLE_MINUTES = 60.0


@dataclass
class Prepared:
    """What ``worksheets journal`` runs: the command, its environment, the address to open."""

    command: list[str]
    env: dict[str, str]
    address: str
    config_dir: Path

    def cleanup(self) -> None:
        """Remove the settings folder (and the token in it); safe to call twice."""
        if not self.config_dir.exists():
            return
        for item in self.config_dir.iterdir():
            item.unlink(missing_ok=True)
        self.config_dir.rmdir()

    def wait_until_answering(self, server, seconds: float = 90.0) -> bool:
        """Wait until the app answers HTTP (False if it stopped or did not in *seconds*).

        Its sign-in page is asked for: that starts no kernel and does not take the
        ready page. A page asked for before the ready kernel has made it simply
        waits for it, so the address may be given out from now on.
        """
        import time
        import urllib.error
        import urllib.request
        from urllib.parse import urlparse

        port = urlparse(self.address).port
        deadline = time.monotonic() + seconds
        while server.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/login", timeout=2):
                    return True
            except urllib.error.HTTPError:
                return True  # it answers, even if not with 200
            except OSError:
                time.sleep(0.03)
        return False


def free_port() -> int:
    """A free TCP port on this computer."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def content_policy(port: int) -> str:
    """Only this app's own address: the page fetches nothing from anywhere else.

    (Voilà's template links icons from a public CDN; they are not loaded, and the
    buttons keep their words.)
    """
    own = f"http://{HOST}:{port} http://localhost:{port}"
    sockets = f"ws://{HOST}:{port} ws://localhost:{port}"
    return (f"default-src 'self' {own}; "
            f"script-src 'self' {own} blob: 'unsafe-inline' 'unsafe-eval'; "
            f"style-src 'self' {own} 'unsafe-inline'; img-src 'self' {own} data: blob:; "
            f"font-src 'self' {own} data:; connect-src 'self' {own} {sockets}; "
            f"frame-ancestors 'none'; base-uri 'none'; form-action 'self' {own}")


def voila_settings(port: int, token: str, max_pages: int = MAX_PAGES,
                   idle_minutes: float = IDLE_MINUTES) -> dict:
    """Voilà's configuration for the journal app (written as ``voila.json``)."""
    return {
        "Voila": {
            "ip": HOST, "port": port, "port_retries": 0, "open_browser": False,
            "token": token,
            # Voilà turns jupyter_server's Host check off; these settings are applied last.
            "tornado_settings": {
                "allow_remote_access": False,
                "local_hostnames": ["localhost"],
                "headers": {"X-Frame-Options": "DENY",
                            "Content-Security-Policy": content_policy(port),
                            "Referrer-Policy": "no-referrer"},
            },
        },
        "VoilaConfiguration": {
            "show_tracebacks": False, "strip_sources": True, "theme": "light",
            "template": "journal",
            "multi_kernel_manager_class":
                "worksheets_lib.journal_kernels.JournalKernelManager",
            # One kernel waits with the page already made: a page opens at once.
            "preheat_kernel": True, "default_pool_size": 1,
            # Only the widget code the page needs (not every Lab extension installed).
            "extension_allowlist": ["@jupyter-widgets/jupyterlab-manager", "anywidget",
                                    "@voila-dashboards/widgets-manager8"],
        },
        "VoilaKernelManager": {"fill_delay": 0.2},
        "JournalKernelManager": {
            "max_kernels": max_pages,
            "idle_stop_seconds": max(0.0, idle_minutes * 60),
            "cull_idle_timeout": CULL_IDLE_SECONDS, "cull_interval": 60,
            "cull_connected": True,
        },
    }


def prepare(client_id: str, casebook: str | os.PathLike | None = None,
            port: int | None = None, max_pages: int = MAX_PAGES,
            idle_minutes: float = IDLE_MINUTES,
            practice_folder: Path | None = None) -> Prepared:
    """Check everything and return what to run; call ``cleanup()`` when it has stopped.

    *practice_folder* (already checked) is handed to the app, which prints the
    client's week with it.
    """
    check_client_id(client_id)
    if importlib.util.find_spec("voila") is None:
        raise WorksheetError("voila is not installed: run ./run demo, or pip install "
                             "'worksheets[lab]'")
    with open_casebook(casebook) as book:
        book.get_client(client_id)  # unknown ids fail here, before any server starts
        path = Path(book.path).resolve()
        key = book.key
    port = port or free_port()
    token = secrets.token_urlsafe(24)
    config_dir = Path(tempfile.mkdtemp(prefix="worksheets-journal-"))  # 0700
    settings = voila_settings(port, token, max_pages, idle_minutes)
    config = config_dir / "voila.json"
    fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(settings, handle)
    command = [sys.executable, "-m", "worksheets_lib.journal_voila", str(journal_app_path()),
               f"--Voila.config_file_paths={json.dumps([str(config_dir)])}"]
    env = {**os.environ, "WORKSHEETS_CLIENT_ID": client_id, "WORKSHEETS_CASEBOOK": str(path),
           # Our page template (voila/templates/journal) is found on the Jupyter path.
           "JUPYTER_PATH": os.pathsep.join(
               p for p in (str(voila_data_dir()), os.environ.get("JUPYTER_PATH")) if p)}
    env.pop("JUPYTER_TOKEN", None)
    for secret in (keys.ENV_PASSPHRASE, keys.ENV_EXPORT_PASSPHRASE):  # the key is enough
        env.pop(secret, None)
    if key is not None:  # the app's kernels open the casebook with the key found here
        env[keys.ENV_KEY] = key.recovery_code()
    if practice_folder is not None:
        env["WORKSHEETS_PRACTICE"] = str(practice_folder)
    return Prepared(command, env, f"http://{HOST}:{port}/?token={token}", config_dir)
