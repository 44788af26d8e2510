"""Which worksheets exist: name, title, description, template and the data each needs.

Each worksheet turns a :class:`ClientProfile` into the plain values its
template shows (``context``) and may return warnings about the client's data
(``check``); the PDF still renders when there are warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import UnknownWorksheetError
from .models import ClientProfile

#: How many conversations the listening checklist has columns for.
LISTENING_CONVERSATIONS = 5


@dataclass(frozen=True)
class Worksheet:
    """One printable worksheet."""

    name: str
    title: str
    description: str
    template: str
    context: Callable[[ClientProfile], dict[str, Any]] = field(repr=False)
    check: Callable[[ClientProfile], list[str]] = field(repr=False, default=lambda c: [])


def _ladder(client: ClientProfile) -> dict[str, Any]:
    steps = client.ladder.sorted_steps()
    count = client.ladder.rung_count()
    # Printed top to bottom: the hardest (or spare) rung first, rung 1 last.
    rungs = [{"number": n, "step": steps[n - 1] if n <= len(steps) else None}
             for n in range(count, 0, -1)]
    return {"rungs": rungs, "filled": len(steps)}


def _journal(client: ClientProfile) -> dict[str, Any]:
    return {"days": list(range(1, client.journal.days + 1)), "scale": list(range(11))}


def _listening(client: ClientProfile) -> dict[str, Any]:
    return {"other": client.listening_partner(),
            "conversations": list(range(1, LISTENING_CONVERSATIONS + 1))}


WORKSHEETS: dict[str, Worksheet] = {w.name: w for w in [
    Worksheet("ladder", "My attachment ladder",
              "Small steps toward feeling safer with others, easiest at the bottom.",
              "ladder.html.j2", _ladder, lambda c: c.ladder.gap_warnings()),
    Worksheet("journal", "Feelings journal",
              "A page a day to notice a feeling, pause and choose a step; then a look back "
              "at the week.",
              "journal.html.j2", _journal),
    Worksheet("listening", "Active-listening checklist",
              "Four listening skills to tick off in real conversations, and an "
              "I-statement builder.",
              "listening.html.j2", _listening),
]}


def list_worksheets() -> list[Worksheet]:
    """All worksheets, in the order a packet prints them by default."""
    return list(WORKSHEETS.values())


def get_worksheet(name: str) -> Worksheet:
    """The worksheet called *name*, or :class:`UnknownWorksheetError`."""
    try:
        return WORKSHEETS[name]
    except KeyError:
        raise UnknownWorksheetError(name, list(WORKSHEETS)) from None
