"""A workbook on a casebook that cannot be opened: its message, and a passphrase box.

A workbook whose casebook is damaged, busy or read-only shows the casebook's
own one-line message instead of a traceback. An encrypted casebook whose key
is not in the keyring gets a passphrase box (it also takes the recovery
code); the text is cleared from the box at once, so it is never kept in the
notebook's saved widget state, and the workbook appears in its place.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..casebook import resolve_path
from ..errors import CasebookError
from . import binding as b


def workbook_or_message(make: Callable[[], Any], casebook: Any = None) -> Any:
    """``make()``, or, when the casebook cannot be opened, a widget saying why."""
    try:
        return make()
    except CasebookError as error:
        return CasebookProblem(error, make, resolve_path(casebook))


class CasebookProblem:
    """The casebook's message; for an encrypted one, a box to type its passphrase in."""

    def __init__(self, error: CasebookError, make: Callable[[], Any], path: Path):
        self.make, self.path = make, path
        locked = error.kind in ("locked", "wrong-key")
        self.message = w.HTML(b.message_html(
            f"The casebook {path} is encrypted, and its key is not in this computer's "
            f"keyring. Type its passphrase or recovery code to open it." if locked
            else str(error), "info" if locked else "error"))
        self.passphrase = w.Password(description="Passphrase", placeholder="or recovery code",
                                     layout=w.Layout(width="28em", max_width="100%"))
        # The default style: ipywidgets' coloured buttons have too little contrast.
        self.button = w.Button(description="Open the casebook", icon="unlock",
                               layout=w.Layout(width="auto"))
        self.button.on_click(lambda _: self.unlock())
        row = w.HBox([self.passphrase, self.button], layout=w.Layout(flex_flow="row wrap"))
        children = [self.message] + ([row] if locked else [])
        self.box = w.VBox(children)
        self.workbook: Any = None

    def unlock(self) -> None:
        from ..casebook.opening import try_secret

        text, self.passphrase.value = self.passphrase.value, ""  # never kept in the widget
        if not text:
            self.message.value = b.message_html("Type the casebook's passphrase or its "
                                                "recovery code first.")
            return
        try:
            if not try_secret(self.path, text):
                self.message.value = b.message_html(
                    "That passphrase or recovery code does not open this casebook. Try "
                    "again.")
                return
            self.workbook = self.make()
        except CasebookError as error:
            self.message.value = b.message_html(str(error))
            return
        self.box.children = [_widget(self.workbook)]

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.box)


def _widget(workbook: Any) -> w.Widget:
    """The workbook as one widget, to take the passphrase box's place."""
    for name in ("box", "root", "widget"):
        found = getattr(workbook, name, None)
        if isinstance(found, w.Widget):
            return found
    output = w.Output()
    with output:
        from IPython.display import display

        display(workbook)
    return output
