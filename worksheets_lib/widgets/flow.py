"""Move the reader to a place on the page: the new step's heading after Next.

ipywidgets can focus an input but not scroll a heading into view, so this tiny
widget (an anywidget, drawn as nothing) does it in the browser, in JupyterLab
and in Voilà alike: :meth:`PageFocus.to` scrolls the element with that id to
the top of the view and gives it the keyboard focus. Ids are our own
(``ws-step-…``), never text a user typed.
"""

from __future__ import annotations

import re
from pathlib import Path

import anywidget

_ID = re.compile(r"^[A-Za-z][\w-]{0,80}$")
_SELECTOR = re.compile(r"^\.[A-Za-z][\w-]{0,80}( (input|textarea))?$")

ESM = """
export default {
  render({ model, el }) {
    el.style.display = "none";
    // The element may be drawn a moment after the message: try for about a second.
    const go = (msg, tries) => {
      let target = null;
      if (typeof msg.focus === "string") target = document.getElementById(msg.focus);
      else if (typeof msg.select === "string") target = document.querySelector(msg.select);
      else return;
      if (!target) {
        if (tries > 0) setTimeout(() => go(msg, tries - 1), 50);
        return;
      }
      if (!target.hasAttribute("tabindex") && !target.matches("input, textarea"))
        target.setAttribute("tabindex", "-1");
      if (msg.scroll) target.scrollIntoView({ block: msg.scroll });
      target.focus({ preventScroll: true });
    };
    model.on("msg:custom", (msg) => requestAnimationFrame(() => go(msg || {}, 20)));
  },
};
"""


class PageFocus(anywidget.AnyWidget):
    """Hidden; ``to(id)`` scrolls to the element with that id and focuses it.

    It also brings the workbooks' style sheet (``static/workbook.css``) to the page.
    """

    _esm = ESM
    _css = Path(__file__).with_name("static") / "workbook.css"

    def to(self, element_id: str) -> None:
        """Scroll the element with this id to the top of the view and focus it."""
        if not _ID.match(element_id):
            raise ValueError("not an element id of ours")
        self.send({"focus": element_id, "scroll": "start"})

    def field(self, selector: str) -> None:
        """Focus the field our class names (``.ws-distress-3 input``), keeping it in view."""
        if not _SELECTOR.match(selector):
            raise ValueError("not a selector of ours")
        self.send({"select": selector, "scroll": "nearest"})
