"""Wait for the page that will show the journal, in a kernel Voilà made ready early.

``worksheets journal`` keeps one kernel ready with the app's code already
loaded (Voilà's preheated kernels). The journal must still show what is in the
casebook when the client opens the page, not when the kernel was made ready
(an entry saved in another window, goals the therapist changed), so the
notebook calls :func:`wait_for_page` between loading the code and reading the
casebook. Outside a preheated kernel (JupyterLab, nbval, Voilà without
preheating) it returns at once.

This does what ``voila.utils.wait_for_request`` does, without importing Voilà
(and the Jupyter server behind it) into the kernel: it waits on the app's own
``voila/query/<kernel id>`` socket, on 127.0.0.1, for the one message Voilà
sends when a page takes the kernel. The message (the request's details) is not
kept.
"""

from __future__ import annotations

import os


def wait_for_page() -> bool:
    """In a preheated kernel, block until a page takes it (True); elsewhere return False."""
    if os.environ.get("VOILA_PREHEAT") != "True":
        return False
    kernel_id, port = os.environ.get("VOILA_KERNEL_ID"), os.environ.get("VOILA_APP_PORT")
    if not kernel_id or not port:
        return False
    from websockets.exceptions import WebSocketException
    from websockets.sync.client import connect

    base = os.environ.get("VOILA_SERVER_URL", "/")
    try:
        with connect(f"ws://127.0.0.1:{port}{base}voila/query/{kernel_id}",
                     open_timeout=10) as socket:
            socket.recv()
    except (OSError, TimeoutError, WebSocketException):
        return False  # the page then shows the casebook as it is now: still right
    return True
