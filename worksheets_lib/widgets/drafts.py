"""Keep what is typed in a workbook as a draft, so a restart loses nothing.

A :class:`DraftKeeper` looks at the workbook's forms every few seconds (and
at every Next and Back) and, when they changed, saves them as the client's
draft in the casebook (``Casebook.save_draft``). A draft never changes a saved
record: Save does that, and then forgets the draft. When a workbook opens a
client who has a draft, it offers to restore it (:meth:`DraftKeeper.offer`).
The keeper also says whether the forms differ from what was last saved (the
"Unsaved changes" cue next to Save).
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable

import ipywidgets as w

from ..errors import WorksheetError
from .binding import message_html

#: How often the forms are looked at, in milliseconds.
TICK_MS = 3000


class DraftKeeper:
    """Save a workbook's forms as a draft when they change; offer it back after a restart."""

    def __init__(self, casebook, place: str, client_id: Callable[[], str | None],
                 snapshot: Callable[[], dict], restore: Callable[[dict], None],
                 on_state: Callable[[bool], None] = lambda unsaved: None):
        self.casebook = casebook
        self.place = place
        self.client_id = client_id
        self.snapshot = snapshot
        self.restore = restore
        self.on_state = on_state
        self._saved = None  # the forms as last saved (or loaded), as JSON text
        self._kept = None  # the forms as last kept as a draft
        self.problem = ""  # why the last draft could not be kept ("" when it was)
        self.offer_box = w.VBox()
        self._timer = _start_timer(self)

    def _now(self) -> str:
        return json.dumps(self.snapshot(), sort_keys=True, default=str)

    def loaded(self) -> None:
        """The forms now show what is saved: nothing is unsaved."""
        self._saved = self._kept = self._now()
        self.on_state(False)

    def saved(self) -> None:
        """Save succeeded: forget the draft (and any offer of it)."""
        self.loaded()
        self.offer_box.children = []
        client = self.client_id()
        if client:
            try:
                self.casebook.discard_draft(client, self.place)
            except WorksheetError:
                pass  # an old draft only means an offer next time

    def tick(self) -> bool:
        """Keep a draft if the forms changed since the last look; True when one was kept."""
        client = self.client_id()
        if client is None or self._saved is None:
            return False
        now = self._now()
        self.on_state(now != self._saved)
        if now == self._kept:
            return False
        try:
            if now == self._saved:
                self.casebook.discard_draft(client, self.place)
            else:
                self.casebook.save_draft(client, self.place, self.snapshot())
        except WorksheetError as error:
            self.problem = "; ".join(error.lines())
            return False
        self._kept, self.problem = now, ""
        return True

    def keep_now(self) -> str | None:
        """Keep a draft now if the forms changed (Next and Back); the problem, if any."""
        self.tick()
        return self.problem or None

    def offer(self) -> bool:
        """After loading a client: offer their unsaved draft back, if there is one."""
        self.offer_box.children = []
        client = self.client_id()
        try:
            draft = self.casebook.get_draft(client, self.place) if client else None
        except WorksheetError:
            draft = None
        if draft is None:
            return False
        when = draft.saved_at.astimezone().strftime("%a %d %b at %H:%M")
        restore = w.Button(description="Restore them", button_style="primary",
                           layout=w.Layout(width="auto"))
        discard = w.Button(description="Discard them", layout=w.Layout(width="auto"))
        restore.on_click(lambda _: self.take(draft.data))
        discard.on_click(lambda _: self.drop())
        self.offer_box.children = [
            w.HTML(message_html(f"There are changes from {when} that were not saved "
                                f"(the notebook stopped or was closed). Restore them?",
                                "info")),
            w.HBox([restore, discard])]
        return True

    def take(self, data: dict) -> None:
        """Restore the draft into the forms (they then differ from what is saved)."""
        self.restore(data)
        self.offer_box.children = []
        self._kept = self._now()
        self.on_state(self._kept != self._saved)

    def drop(self) -> None:
        """Forget the draft; the forms keep what is saved."""
        self.offer_box.children = []
        client = self.client_id()
        if client:
            try:
                self.casebook.discard_draft(client, self.place)
            except WorksheetError:
                pass


def _start_timer(keeper: DraftKeeper):
    """Look at the forms every TICK_MS in a running kernel (none in plain Python).

    Only on an event loop that is running (the kernel's): asking tornado for
    "the current loop" elsewhere would make a new one that nobody runs or closes.
    """
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return None
    try:
        from tornado.ioloop import PeriodicCallback
    except ImportError:
        return None
    ref = weakref.ref(keeper)

    def tick() -> None:
        current = ref()
        if current is None:
            timer.stop()
            return
        try:
            current.tick()
        except Exception:  # noqa: BLE001 - a draft must never break the workbook
            pass

    timer = PeriodicCallback(tick, TICK_MS)
    timer.start()
    return timer
