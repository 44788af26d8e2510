"""The ladder builder: steps rated 0–100, kept in order, big jumps flagged, live preview."""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable

import ipywidgets as w
from pydantic import ValidationError

from ..clientfile import problems_from
from ..models import LADDER_GAP_LIMIT, MAX_RUNGS, ClientProfile, Ladder, LadderStep
from ..render import worksheet_html
from ..resources import templates_dir
from .binding import message_html, named

_rows = itertools.count(1)


class LadderRow:
    """One step being edited: the client's words and the distress they expect."""

    def __init__(self, on_text: Callable[[], None], on_distress: Callable[[], None],
                 on_remove: Callable[[LadderRow], None], step: LadderStep | None = None,
                 distress: int = 0):
        self.id = step.id if step else None
        self.text = w.Textarea(value=step.step if step else "", placeholder="the step, in "
                               "the client's words", layout=w.Layout(width="30em",
                                                                    height="3.2em"))
        self.distress = w.BoundedIntText(value=step.distress if step else distress, min=0,
                                         max=100, layout=w.Layout(width="6em"))
        self.number = w.HTML(layout=w.Layout(width="6em"))
        self.remove_button = w.Button(description="Remove", icon="trash",
                                      layout=w.Layout(width="auto"))
        self.message = w.HTML()
        named(self.text, "This rung, in the client's words")
        named(self.distress, "Expected distress, 0 to 100")
        self.uid = next(_rows)
        self.text.add_class(f"ws-steptext-{self.uid}")
        self.distress.add_class(f"ws-distress-{self.uid}")
        self.text.observe(lambda _: on_text(), names="value")
        self.distress.observe(lambda _: on_distress(), names="value")
        self.remove_button.on_click(lambda _: on_remove(self))
        self.box = w.VBox([w.HBox([self.number, self.text, w.HTML("&nbsp;expected distress"),
                                   self.distress, self.remove_button],
                                  layout=w.Layout(align_items="center")).add_class("ws-stack"),
                             self.message])

    def step(self) -> LadderStep | None:
        """The validated step, or None with the problem shown under the row."""
        try:
            step = LadderStep.model_validate({"id": self.id, "step": self.text.value,
                                              "distress": self.distress.value})
        except ValidationError as error:
            self.message.value = "<br>".join(
                message_html(f"{p.path}: {p.message}") for p in problems_from(error))
            return None
        self.message.value = ""
        return step


class LadderBuilder:
    """Edit the ladder: rows sorted by distress, prompts where neighbours jump, a preview."""

    def __init__(self, preview: bool = True):
        self.rows: list[LadderRow] = []
        self.client: ClientProfile | None = None
        #: Puts the keyboard focus back after a re-sort (the workbook's PageFocus).
        self.focus = None
        self.show_preview = preview
        self.rows_box = w.VBox()
        self.add_button = w.Button(description="Add a step", icon="plus",
                                   layout=w.Layout(width="auto", align_self="flex-start"))
        self.add_button.on_click(lambda _: self.add_step())
        self.message = w.HTML()
        self.preview = w.HTML()
        help_text = w.HTML(
            "<p>Write each step in the client's own words and rate how upsetting they expect "
            "it to be, from 0 (calm) to 100 (the most upset they can imagine). Steps sort "
            "themselves, easiest first. Where two neighbours are more than "
            f"{LADDER_GAP_LIMIT} points apart, you can add a smaller step between them.</p>")
        self.box = w.VBox([help_text, self.rows_box, self.add_button, self.message,
                           w.HTML("<h4>Preview of the printed ladder</h4>"), self.preview])

    def load(self, client: ClientProfile) -> None:
        """Show the client's ladder."""
        self.client = client
        self.rows = [self._row(step) for step in client.ladder.sorted_steps()]
        self.refresh()

    def restore_rows(self, rows: list) -> None:
        """Put back rows as a draft kept them: [step id, words, distress] each."""
        self.rows = []
        for item in rows[:MAX_RUNGS]:
            try:
                step_id, words, distress = item
                row = self._row(distress=max(0, min(100, int(distress))))
            except (TypeError, ValueError):
                continue
            row.id = step_id if isinstance(step_id, str) else None
            row.text.value = words if isinstance(words, str) else ""
            self.rows.append(row)
        self.refresh()

    def _row(self, step: LadderStep | None = None, distress: int = 0) -> LadderRow:
        row = LadderRow(self.update_preview, lambda: self._distress_changed(row), self.remove,
                        step, distress)
        return row

    def _distress_changed(self, row: LadderRow) -> None:
        """Re-sort; the number being edited keeps the keyboard focus if its row moved."""
        before = list(self.rows)
        self.refresh()
        if self.rows != before and self.focus is not None:
            self.focus.field(f".ws-distress-{row.uid} input")

    def add_step(self, text: str = "", distress: int | None = None) -> LadderRow | None:
        """Add a row (at the top of the range unless *distress* is given)."""
        if len(self.rows) >= MAX_RUNGS:
            self.message.value = message_html(f"A ladder has {MAX_RUNGS} rungs at most.",
                                              "info")
            return None
        if distress is None:
            distress = min(100, max((r.distress.value for r in self.rows), default=0) + 10)
        row = self._row(distress=distress)
        row.text.value = text
        self.rows.append(row)
        self.refresh()
        return row

    def insert_between(self, lower: LadderRow, upper: LadderRow) -> LadderRow | None:
        """Add a smaller step halfway between two neighbours."""
        middle = (lower.distress.value + upper.distress.value) // 2
        row = self.add_step("", middle)
        if row is not None and self.focus is not None:
            self.focus.field(f".ws-steptext-{row.uid} textarea")  # type the new step now
        return row

    def remove(self, row: LadderRow) -> None:
        self.rows.remove(row)
        self.refresh()

    def gaps(self) -> list[tuple[LadderRow, LadderRow]]:
        """Neighbouring rows more than the limit apart (rows are sorted)."""
        return [(a, b) for a, b in zip(self.rows, self.rows[1:], strict=False)
                if b.distress.value - a.distress.value > LADDER_GAP_LIMIT]

    def refresh(self) -> None:
        """Sort, number, flag big jumps and update the preview."""
        self.rows.sort(key=lambda r: r.distress.value)
        children = []
        gaps = {id(a): (a, b) for a, b in self.gaps()}
        for number, row in enumerate(self.rows, start=1):
            row.number.value = f"<b>Rung {number}</b>" + (
                "<br><small>easiest</small>" if number == 1 else "")
            children.append(row.box)
            if id(row) in gaps:
                lower, upper = gaps[id(row)]
                children.append(self._gap_prompt(number, lower, upper))
        if list(self.rows_box.children) != children:  # redrawing rows loses the focus
            self.rows_box.children = children
        self.add_button.disabled = len(self.rows) >= MAX_RUNGS
        self.message.value = ""
        self.update_preview()

    def _gap_prompt(self, number: int, lower: LadderRow, upper: LadderRow) -> w.Widget:
        jump = upper.distress.value - lower.distress.value
        button = w.Button(description="Add a step between", icon="level-up",
                          layout=w.Layout(width="auto", min_width="13em"))
        button.on_click(lambda _: self.insert_between(lower, upper))
        note = w.HTML(message_html(
            f"Rungs {number} and {number + 1} are {jump} points apart. "
            "A smaller step in between can make the climb feel safer.", "info"))
        prompt = w.HBox([note, button], layout=w.Layout(align_items="center",
                                                         margin="0 0 0.4em 6em"))
        prompt.add_class("ws-gap-prompt")
        return prompt

    def steps(self) -> list[LadderStep] | None:
        """Every step, validated; None when a row needs fixing (shown under it)."""
        steps = [row.step() for row in self.rows]
        if any(s is None for s in steps):
            self.message.value = message_html("Please look at the notes in red above.")
            return None
        return steps

    def ladder(self) -> Ladder | None:
        steps = self.steps()
        return None if steps is None else Ladder(steps=steps)

    def update_preview(self) -> None:
        """Re-render the ladder worksheet as HTML with the steps as they are now."""
        if not self.show_preview or self.client is None:
            return
        steps = []
        for row in self.rows:  # a half-typed row is left out of the preview, not flagged
            try:
                steps.append(LadderStep(step=row.text.value, distress=row.distress.value))
            except ValidationError:
                continue
        client = self.client.model_copy(update={"ladder": Ladder(steps=steps)})
        self.preview.value = preview_frame(worksheet_html("ladder", client))


_SCREEN_CSS: str | None = None


def _screen_css() -> str:
    """The print stylesheet without @font-face and @page rules, for a browser preview."""
    global _SCREEN_CSS
    if _SCREEN_CSS is None:
        css = (templates_dir() / "print.css").read_text(encoding="utf-8")
        css = re.sub(r"@font-face\s*\{[^}]*\}", "", css)
        css = re.sub(r"@page[^{]*\{(?:[^{}]*\{[^}]*\})*[^}]*\}", "", css)
        _SCREEN_CSS = css.replace("url(images/", "url(data:,")  # no fetches from the frame
    return _SCREEN_CSS


#: On a narrow screen the preview is the page made smaller, not the page squeezed.
_FIT_CSS = ("@media (max-width: 760px) { body { width: 7.5in; } html { zoom: 0.8; } }"
            "@media (max-width: 620px) { html { zoom: 0.6; } }"
            "@media (max-width: 470px) { html { zoom: 0.45; } }")


def preview_frame(document: str, height: str = "78em",
                  title: str = "Preview of the printed ladder") -> str:
    """A sandboxed iframe showing *document* (our escaped worksheet HTML) with its styles.

    It is as tall as the page, so it has no scroll position of its own to lose
    when it is redrawn at each key press: the page stays where the reader is.
    """
    styled = document.replace(
        "</head>", f"<style>{_screen_css()} body{{margin:1em;font-family:sans-serif}}"
                   f"{_FIT_CSS}</style></head>", 1)
    return (f'<iframe sandbox="" title="{html.escape(title, quote=True)}" '
            f'srcdoc="{html.escape(styled, quote=True)}" '
            f'style="width:100%;max-width:52em;height:{height};border:1px solid #b7c4c6">'
            "</iframe>")
