"""The client's worksheets: the ladder, the journal, the listening checklist, the goal plan.

Each builds its template's values from models only. Client words are passed
as data, never joined into grammar: a sentence reads right whatever word or
phrase the client chose ("my marriage", "family").
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..models import LADDER_GAP_LIMIT, LadderStep
from ..models.vocabulary import AFTERWARDS, SKILLS
from .registry import Document, Inputs, register

#: How many conversations the listening checklist has columns for.
LISTENING_CONVERSATIONS = 5
#: Days on the journal between two look-back pages.
DAYS_PER_LOOK_BACK = 7
#: Rows on the ladder practice log.
LOG_ROWS = 8

#: Room for the ladder's rungs, in mm, on the first page (below the title, the
#: how-to and the safety note) and on a following page. Measured with
#: WeasyPrint, less a few mm to spare; the page-count tests check them on
#: both papers.
_LADDER_ROOM_MM = {"a4": (200.0, 236.0), "letter": (182.0, 218.0)}


def _rung_height(step: LadderStep | None, first: bool = False) -> float:
    """An estimate of a rung's printed height in mm, from the length of its words.

    A step's words wrap at about 44 letters a line (bold) and a note's at
    about 55 (italic); rung 1 has a "start here" line; a spare rung has two
    writing lines.
    """
    if step is None:
        return 18.5
    height = 9.2 + 4.3 * math.ceil(len(step.step) / 44)
    if step.note:
        height += 4.0 * math.ceil(len(step.note) / 55)
    return height + (4.5 if first else 0.0)


def ladder_rungs(steps: list[LadderStep], count: int) -> list[dict[str, Any]]:
    """The rungs from the bottom up: every step in order, and the spare rungs.

    Spare rungs go first into the widest gaps of more than the gap limit
    (one per gap, widest first), so a smaller step can be written between the
    two steps it splits; the rest wait at the top. Only steps are numbered,
    so the numbers match the gap warnings ("rungs 2 and 3").
    """
    spare = count - len(steps)
    gaps = sorted(((upper.distress - lower.distress, index)
                   for index, (lower, upper) in enumerate(zip(steps, steps[1:], strict=False))
                   if upper.distress - lower.distress > LADDER_GAP_LIMIT), reverse=True)
    between = {index for _, index in gaps[:spare]}
    rungs: list[dict[str, Any]] = []
    for index, step in enumerate(steps):
        rungs.append({"number": index + 1, "step": step, "between": None})
        if index in between:
            rungs.append({"number": None, "step": None, "between": (index + 1, index + 2)})
    rungs += [{"number": None, "step": None, "between": None}
              for _ in range(count - len(rungs))]
    return rungs


def ladder_pages(rungs: list[dict[str, Any]], paper: str) -> list[list[dict[str, Any]]]:
    """The rungs split into pages, the lowest rungs on the first page.

    Each page prints its rungs top to bottom (hardest first), so rung 1 is at
    the bottom of the first page and the ladder climbs from page to page.
    """
    first, later = _LADDER_ROOM_MM.get(paper, _LADDER_ROOM_MM["letter"])
    pages: list[list[dict[str, Any]]] = [[]]
    room = first
    for rung in rungs:
        height = _rung_height(rung["step"], rung["number"] == 1)
        if pages[-1] and height > room:
            pages.append([])
            room = later
        pages[-1].append(rung)
        room -= height
    return [list(reversed(page)) for page in pages]


def _ladder(inputs: Inputs, scratch: Path, paper: str = "a4") -> dict[str, Any]:
    ladder = inputs.client.ladder
    steps = ladder.sorted_steps()
    rungs = ladder_rungs(steps, ladder.rung_count())
    return {"pages": ladder_pages(rungs, paper), "filled": len(steps),
            "log_rows": list(range(LOG_ROWS))}


def journal_blocks(days: int) -> list[dict[str, Any]]:
    """The journal's days in blocks of up to seven, each followed by a look-back page."""
    blocks = []
    for first in range(1, days + 1, DAYS_PER_LOOK_BACK):
        last = min(days, first + DAYS_PER_LOOK_BACK - 1)
        blocks.append({"days": list(range(first, last + 1)), "first": first, "last": last,
                       "whole_week": last - first + 1 == 7})
    return blocks


def _journal(inputs: Inputs, scratch: Path, paper: str = "a4") -> dict[str, Any]:
    return {"blocks": journal_blocks(inputs.client.journal.days), "scale": list(range(11)),
            "afterwards": list(AFTERWARDS.values())}


def _listening(inputs: Inputs, scratch: Path, paper: str = "a4") -> dict[str, Any]:
    return {"other": inputs.client.listening_partner(), "skills": list(SKILLS.values()),
            "conversations": list(range(1, LISTENING_CONVERSATIONS + 1))}


def _goal_plan(inputs: Inputs, scratch: Path, paper: str = "a4") -> dict[str, Any]:
    plan = inputs.plan
    goals = [{"goal": goal, "steps": sorted(goal.steps,
                                            key=lambda s: (s.by is None, s.by or 0))}
             for goal in plan.goals]
    return {"plan": plan, "goals": goals}


register(Document(
    "ladder", "My attachment ladder",
    "Small steps toward feeling safer with others, easiest at the bottom, and a log for "
    "each try.",
    "client", "ladder.html.j2", _ladder,
    warnings=lambda inputs: inputs.client.ladder.gap_warnings(), default_in_packet=True))
register(Document(
    "journal", "Feelings journal",
    "A page a day to notice a feeling, pause and choose a step, and a page to look back.",
    "client", "journal.html.j2", _journal, default_in_packet=True))
register(Document(
    "listening", "Active-listening checklist",
    "Four listening skills to tick off in real conversations, and an I-statement builder.",
    "client", "listening.html.j2", _listening, default_in_packet=True))
register(Document(
    "goal-plan", "My goals",
    "The goals we set together and the dated steps toward them, in my own words.",
    "client", "goal_plan.html.j2", _goal_plan, needs=("plan",)))
