"""Step-by-step forms: Back and Next between steps, Save with a visible confirmation."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as w

from ..errors import WorksheetError
from .binding import message_html


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
        self.index = 0
        self.heading = w.HTML()
        self.body = w.Box()
        self.back_button = w.Button(description="Back", icon="arrow-left")
        self.next_button = w.Button(description="Next", icon="arrow-right",
                                    button_style="primary")
        self.save_button = w.Button(description="Save", icon="save", button_style="success")
        self.status = w.HTML()
        self.back_button.on_click(lambda _: self.back())
        self.next_button.on_click(lambda _: self.next())
        self.save_button.on_click(lambda _: self.save())
        nav = w.HBox([self.back_button, self.next_button, self.save_button, self.status],
                     layout=w.Layout(align_items="center", margin="1em 0 0 0"))
        self.box = w.VBox([w.HTML(f"<h2>{html.escape(title)}</h2>"), self.heading,
                           self.body, nav], layout=w.Layout(max_width="60em"))
        self._show()

    def _show(self) -> None:
        step = self.steps[self.index]
        self.heading.value = (f"<p style='color:#555'>Step {self.index + 1} of "
                              f"{len(self.steps)}</p><h3>{html.escape(step.title)}</h3>")
        self.body.children = [step.body]
        self.back_button.disabled = self.index == 0
        self.next_button.disabled = self.index == len(self.steps) - 1
        step.on_enter()

    def go(self, index: int) -> None:
        """Show step *index* (no checks)."""
        self.index = max(0, min(index, len(self.steps) - 1))
        self._show()

    def next(self) -> bool:
        """Check this step; move on when it is fine. False when something needs fixing."""
        if not self.steps[self.index].check():
            self.status.value = message_html("Please look at the notes in red.")
            return False
        self.status.value = ""
        self.go(self.index + 1)
        return True

    def back(self) -> None:
        """Go back a step; nothing is lost."""
        self.status.value = ""
        self.go(self.index - 1)

    def save(self) -> bool:
        """Check and save; show "Saved at HH:MM" or what is wrong."""
        try:
            problem = self.save_action()
        except WorksheetError as error:
            problem = "; ".join(error.lines())
        if problem:
            self.status.value = message_html(problem)
            return False
        stamp = dt.datetime.now().strftime("%H:%M")
        self.status.value = message_html(f"Saved at {stamp}", "ok")
        return True
