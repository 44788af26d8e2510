"""Choosing the client a workbook is about: from the casebook, the demo, or a new one.

Opening a workbook never makes a casebook: :class:`WorkbookCasebook` reads a
missing one as empty and makes it when the first client is added, so a
mistyped path in the parameters cell shows up as "no casebook here" rather
than as a new, empty file.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable

import ipywidgets as w
from pydantic import BaseModel, ValidationError

from ..casebook import Casebook, open_casebook, resolve_path
from ..casebook.diagnosis import missing
from ..clientfile import load_client, problems_from
from ..errors import CasebookError, WorksheetError
from ..models import ClientProfile
from ..models.common import Name, ShortText, Slug
from ..resources import demo_client_path
from . import binding as b

DEMO_ID = "alex-rivera"


class NewClient(BaseModel):
    """The few facts needed to start a client's records; the rest comes later."""

    id: Slug
    name: Name
    pronouns: ShortText | None = None
    partner: ShortText | None = None
    therapist: Name
    practice: Name
    session_date: object  # checked by ClientProfile

    def profile(self) -> ClientProfile:
        terms = {"partner": self.partner} if self.partner else {}
        return ClientProfile.model_validate({
            "id": self.id, "name": self.name, "pronouns": self.pronouns, "terms": terms,
            "therapist": {"name": self.therapist, "practice": self.practice},
            "session_date": self.session_date})


class WorkbookCasebook:
    """The casebook a workbook works on; a missing one is empty until a client is added."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = resolve_path(path)
        self._book: Casebook | None = None
        try:
            self._book = open_casebook(self.path)
        except CasebookError as error:
            if error.kind != "missing":
                raise

    @property
    def exists(self) -> bool:
        return self._book is not None

    def list_clients(self) -> list[ClientProfile]:
        return self._book.list_clients() if self._book else []

    def add_client(self, profile: ClientProfile) -> ClientProfile:
        """Store a new client, making the casebook first when there is none."""
        if self._book is None:
            self._book = open_casebook(self.path, create=True)
        return self._book.add_client(profile)

    def close(self) -> None:
        if self._book is not None:
            self._book.close()

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._book is None:
            raise missing(self.path)
        return getattr(self._book, name)


class ClientPicker:
    """Pick a client from the casebook, take the fictional demo client, or add a new one."""

    def __init__(self, casebook: Casebook, client_id: str | None,
                 on_pick: Callable[[ClientProfile], None], allow_new: bool = True):
        self.casebook = casebook
        self.on_pick = on_pick
        self.client: ClientProfile | None = None
        self.dropdown = w.Dropdown(description="Client", layout=w.Layout(width="28em"))
        self.dropdown.observe(self._picked, names="value")
        self.demo_button = w.Button(description="Use the fictional demo client",
                                    icon="user",
                                    layout=w.Layout(width="auto", align_self="flex-start"))
        self.demo_button.on_click(lambda _: self.use_demo())
        self.form = b.ModelForm(NewClient, [
            b.text("id", "Short id", "lowercase letters, digits and hyphens, e.g. sam-lee"),
            b.text("name", "Name on worksheets", "the name the client likes to be called"),
            b.text("pronouns", "Pronouns", "optional"),
            b.text("partner", "Their word for their partner", "optional, e.g. wife, boyfriend"),
            b.text("therapist", "Your name"),
            b.text("practice", "Your practice"),
            b.date("session_date", "Session date"),
        ], title="Or start a new client")
        self.create_button = w.Button(description="Add this client", icon="user-plus",
                                      button_style="info",
                                      layout=w.Layout(width="auto", align_self="flex-start"))
        self.create_button.on_click(lambda _: self.create())
        self.message = w.HTML()
        #: "Add them first?" when Next is pressed with a new client typed but not added.
        self.question = w.VBox()
        #: What Next would have done (the wizard's next), called once the client is added.
        self.on_continue: Callable[[], object] | None = None
        new_client = [w.HTML("<hr>"), self.form.box, self.create_button] if allow_new else []
        self.box = w.VBox([self.dropdown, self.demo_button, self.message, self.question,
                           *new_client])
        self.refresh(client_id)

    def refresh(self, select: str | None = None) -> None:
        """Reload the list of clients and select *select* when it is there."""
        clients = self.casebook.list_clients()
        options = [("— choose a client —", None)] + [
            (f"{c.name} ({c.id})", c.id) for c in clients]
        self.dropdown.options = options
        ids = {c.id for c in clients}
        self.demo_button.layout.display = None if DEMO_ID not in ids else "none"
        if not clients and not getattr(self.casebook, "exists", True):
            self.message.value = b.message_html(
                f"There is no casebook at {self.casebook.path} yet. It is made (readable by "
                f"you only) when you add your first client or the demo client. If your "
                f"casebook is somewhere else, put its path in the parameters cell.", "info")
        elif not clients:
            self.message.value = b.message_html(
                "The casebook is empty. Try the fictional demo client to see everything "
                "working, or add your client below.", "info")
        if select is None and len(ids) == 1:
            select = next(iter(ids))  # one client: nothing to choose
        if select in ids:
            self.dropdown.value = select
        elif select is not None:
            self.message.value = b.message_html(
                "The client id in the parameters cell is not in this casebook; "
                "choose a client below.", "info")

    def _picked(self, change) -> None:
        if change["new"] is None:
            self.client = None
            return
        self.client = self.casebook.get_client(change["new"])
        self.casebook.record_access("read", self.client.id)
        self.message.value = b.message_html(f"Working with {self.client.name}.", "ok")
        self.on_pick(self.client)

    def use_demo(self) -> None:
        """Add the fictional demo client (once) and select it."""
        if DEMO_ID not in {c.id for c in self.casebook.list_clients()}:
            self.casebook.add_client(load_client(demo_client_path()))
        self.refresh(DEMO_ID)

    def create(self) -> bool:
        """Add the client typed in the form, and select them."""
        new = self.form.validate()
        if new is None:
            return False
        try:
            profile = new.profile()
        except ValidationError as error:
            self.form.show_problems([(p.path.replace("therapist.name", "therapist")
                                      .replace("therapist.practice", "practice"), p.message)
                                     for p in problems_from(error)])
            return False
        try:
            self.casebook.add_client(profile)
        except WorksheetError as error:
            self.form.message.value = b.message_html("; ".join(error.lines()))
            return False
        self.form.load(None)
        self.refresh(profile.id)
        return True

    def typed_new_client(self) -> str | None:
        """The name typed in the new-client form and not added yet (None: the form is empty)."""
        if self.form.box not in self.box.children:
            return None
        typed = {name: field.raw() for name, field in self.form.fields.items()
                 if name != "session_date"}
        if not any(isinstance(v, str) and v.strip() for v in typed.values()):
            return None
        return (typed.get("name") or "").strip() or (typed.get("id") or "").strip() or \
            "this new client"

    def ask_to_add(self, name: str) -> None:
        """Ask, before going on, whether the typed client should be added first."""
        add = w.Button(description=f"Add {name} and go on", button_style="primary",
                       layout=w.Layout(width="auto"))
        add.on_click(lambda _: self._add_and_go_on())
        buttons = [add]
        if self.client is not None:
            keep = w.Button(description=f"Clear the form; keep working with "
                                        f"{self.client.name}", layout=w.Layout(width="auto"))
            keep.on_click(lambda _: self._keep_current())
            buttons.append(keep)
        current = (f" Nothing was saved to {self.client.name}'s record."
                   if self.client is not None else "")
        self.question.children = [
            w.HTML(b.message_html(f"You typed a new client ({name}) but did not add them. "
                                  f"Add {name} as a new client first?{current}", "error")),
            w.HBox(buttons, layout=w.Layout(flex_flow="row wrap"))]

    def _add_and_go_on(self) -> None:
        if self.create():
            self.question.children = []
            if self.on_continue is not None:
                self.on_continue()

    def _keep_current(self) -> None:
        self.form.load(None)
        self.question.children = []

    def check(self) -> bool:
        """A client must be chosen before going on, and a typed new client added first."""
        typed = self.typed_new_client()
        if typed is not None:
            self.ask_to_add(typed)
            return False
        self.question.children = []
        if self.client is None:
            self.message.value = b.message_html("Choose a client first (or add one).")
            return False
        return True


def client_heading(client: ClientProfile | None) -> str:
    """A small escaped heading naming the client being worked with."""
    if client is None:
        return ""
    return f"<p><b>Client:</b> {html.escape(client.name)} ({html.escape(client.id)})</p>"
