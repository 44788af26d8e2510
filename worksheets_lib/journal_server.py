"""Serve the client's journal app with Voilà, on this computer only.

``serve_journal`` checks the client exists, then runs Voilà on 127.0.0.1 with
the journal notebook alone: code hidden, tracebacks hidden, and the client id
and casebook passed through the environment, so only that client's records
can be reached.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from pathlib import Path

from .casebook import check_client_id, open_casebook
from .errors import WorksheetError
from .resources import journal_app_path

HOST = "127.0.0.1"


def free_port() -> int:
    """A free TCP port on this computer."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def voila_command(port: int) -> list[str]:
    """The Voilà command line for the journal app."""
    return [sys.executable, "-m", "voila", str(journal_app_path()), "--no-browser",
            f"--port={port}", f"--Voila.ip={HOST}", "--Voila.port_retries=0",
            "--VoilaConfiguration.show_tracebacks=False",
            "--VoilaConfiguration.strip_sources=True", "--theme=light",
            "--Voila.tornado_settings={'headers': {'X-Frame-Options': 'DENY'}}"]


def prepare(client_id: str, casebook: str | os.PathLike | None = None,
            port: int | None = None) -> tuple[list[str], dict[str, str], str]:
    """Check everything and return the command, its environment and the address."""
    check_client_id(client_id)
    if importlib.util.find_spec("voila") is None:
        raise WorksheetError("voila is not installed: run ./run demo, or pip install "
                             "'worksheets[lab]'")
    with open_casebook(casebook) as book:
        book.get_client(client_id)  # unknown ids fail here, before any server starts
        path = Path(book.path).resolve()
    port = port or free_port()
    env = {**os.environ, "WORKSHEETS_CLIENT_ID": client_id, "WORKSHEETS_CASEBOOK": str(path)}
    return voila_command(port), env, f"http://{HOST}:{port}/"
