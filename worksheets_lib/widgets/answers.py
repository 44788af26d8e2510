"""The workbooks' "answers from home" box: upload a filled, fillable worksheet and store it.

The same :func:`~worksheets_lib.answers.import_answers` the command line runs;
the box shows one line per record stored (never the client's words), or one
line per problem, and the file is forgotten after reading.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from ..answers import import_answers
from ..errors import WorksheetError
from . import binding as b


class AnswersImport:
    """Upload a filled PDF for the current client; *on_stored* runs after a good import."""

    def __init__(self, casebook, client_id: Callable[[], str | None],
                 on_stored: Callable[[], None] | None = None):
        self.casebook = casebook
        self.client_id = client_id
        self.on_stored = on_stored
        self.upload = w.FileUpload(accept=".pdf,application/pdf", multiple=False,
                                   description="Choose the PDF",
                                   layout=w.Layout(width="auto"))
        self.button = w.Button(description="Store the answers", icon="download",
                               layout=w.Layout(width="auto"))
        self.button.on_click(lambda _: self.store())
        self.message = w.HTML()
        self.box = w.VBox([
            w.HTML("<h3>Answers from home</h3><p>A client who filled in a fillable worksheet "
                   "on a phone, tablet or computer can send it back. Choose the PDF here to "
                   "store what it holds in this client's records.</p>"),
            w.HBox([self.upload, self.button], layout=w.Layout(flex_flow="row wrap")),
            self.message])

    def store(self) -> list[str] | None:
        """Read the chosen file into the casebook; the lines shown, or None on a problem."""
        client_id = self.client_id()
        if client_id is None:
            self.message.value = b.message_html("Choose a client first.")
            return None
        if not self.upload.value:
            self.message.value = b.message_html("Choose the filled PDF first.")
            return None
        upload = self.upload.value[0]
        data = bytes(upload["content"])
        try:
            result = import_answers(self.casebook, data, client_id)
        except WorksheetError as error:
            self.message.value = "<br>".join(b.message_html(line) for line in error.lines())
            return None
        finally:
            self.upload.value = ()  # the file is not kept in the notebook
        lines = result.summary()
        self.message.value = "<br>".join(b.message_html(line, "ok" if line.startswith(
            ("stored", "already")) else "info") for line in lines)
        if self.on_stored is not None:
            self.on_stored()
        return lines
