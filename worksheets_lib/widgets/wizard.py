"""Step-by-step forms: Back and Next between steps, Save with a visible confirmation.

Every step shows whose record it is ("Client: Alex Rivera (alex-rivera)"), so
nobody types into the wrong client's record. Next checks the step and keeps
what is typed as a draft at once (``on_next``; Save makes it the record)
before moving on; the new step's heading is then scrolled into view and
focused. An "Unsaved changes" cue sits by Save, and a save that
fails says why and leaves every typed word in place (the draft keeps it too).
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as w

from ..errors import WorksheetError
from .binding import message_html
from .flow import PageFocus

_ids = itertools.count(1)


@dataclass
class Step:
    """One page of a wizard: its title, its widgets, and how to check it before moving on."""

    title: str
    body: w.Widget
    check: Callable[[], bool] = lambda: True
    on_enter: Callable[[], None] = lambda: None


class Wizard:
    """Shows one step at a time with Back / Next, and a Save button on every step."""

    def __init__(self, title: str, steps: list[Step], save: Callable[[], str | None],
                 can_leave_first: Callable[[], bool] = lambda: True):
        self.steps = steps
        self.save_action = save
        #: Called at Next and Back (the workbook keeps its draft there); returns a problem.
        self.on_next: Callable[[], str | None] = lambda: None
        self.index = 0
        self._uid = next(_ids)
        self.client_line = w.HTML(client_line(None))
        self.heading = w.HTML()
        self.offer = w.VBox()  # "restore the unsaved changes?" goes here
        self.body = w.Box()
        self.back_button = w.Button(description="Back", icon="arrow-left")
        self.next_button = w.Button(description="Next", icon="arrow-right",
                                    button_style="primary")
        self.save_button = w.Button(description="Save", icon="save", button_style="success")
        self.unsaved = w.HTML()
        self.status = w.HTML()
        self.focus = PageFocus()
        self.back_button.on_click(lambda _: self.back())
        self.next_button.on_click(lambda _: self.next())
        self.save_button.on_click(lambda _: self.save())
        nav = w.HBox([self.back_button, self.next_button, self.save_button, self.unsaved,
                      self.status],
                     layout=w.Layout(align_items="center", margin="1em 0 0 0",
                                     flex_flow="row wrap"))
        self.box = w.VBox([w.HTML(f"<h2>{html.escape(title)}</h2>"), self.client_line,
                           self.heading, self.offer, self.body, nav, self.focus],
                          layout=w.Layout(max_width="60em"))
        self.box.add_class("ws-workbook")
        self._show()

    @property
    def heading_id(self) -> str:
        return f"ws-step-{self._uid}-{self.index + 1}"

    def _show(self) -> None:
        step = self.steps[self.index]
        self.heading.value = (f"<p class='ws-step-count'>Step {self.index + 1} of "
                              f"{len(self.steps)}</p><h3 id='{self.heading_id}' "
                              f"tabindex='-1'>{html.escape(step.title)}</h3>")
        self.body.children = [step.body]
        self.back_button.disabled = self.index == 0
        self.next_button.disabled = self.index == len(self.steps) - 1
        step.on_enter()

    def set_client(self, client) -> None:
        """Name the client whose record every step shows (None: none chosen yet)."""
        self.client_line.value = client_line(client)

    def show_unsaved(self, unsaved: bool) -> None:
        """The cue by Save: whether the forms differ from what was last saved."""
        text = message_html("Unsaved changes", "info") if unsaved else ""
        if self.unsaved.value != text:
            self.unsaved.value = text

    def go(self, index: int, focus: bool = True) -> None:
        """Show step *index* (no checks); its heading is scrolled into view and focused."""
        self.index = max(0, min(index, len(self.steps) - 1))
        self._show()
        if focus:
            self.focus.to(self.heading_id)

    def next(self) -> bool:
        """Check this step, keep the draft, and move on; False when something needs fixing."""
        if not self.steps[self.index].check():
            self.status.value = message_html("Please look at the notes in red.")
            return False
        self._keep()
        self.go(self.index + 1)
        return True

    def back(self) -> None:
        """Go back a step; nothing is lost."""
        self._keep()
        self.go(self.index - 1)

    def _keep(self) -> None:
        problem = self.on_next()
        self.status.value = message_html(
            f"Your changes could not be kept as a draft just now ({problem}). They are "
            "still here; press Save when you can.") if problem else ""

    def save(self) -> bool:
        """Check and save; show "Saved at HH:MM" or what is wrong (nothing typed is lost)."""
        try:
            problem = self.save_action()
        except WorksheetError as error:
            problem = ("Not saved: " + "; ".join(error.lines()) + ". Everything you typed is "
                       "still here and kept as a draft; try Save again in a moment.")
        if problem:
            self.status.value = message_html(problem)
            return False
        stamp = dt.datetime.now().strftime("%H:%M")
        self.status.value = message_html(f"Saved at {stamp}", "ok")
        return True


def client_line(client) -> str:
    """Whose record this is, on every step (escaped)."""
    if client is None:
        return "<p class='ws-client-line'><b>Client:</b> none chosen yet</p>"
    return (f"<p class='ws-client-line'><b>Client:</b> {html.escape(client.name)} "
            f"({html.escape(client.id)})</p>")
