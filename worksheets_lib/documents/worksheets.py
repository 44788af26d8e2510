"""The client's worksheets: the ladder, the journal, the listening checklist, the goal plan.

Each builds its template's values from models only. Client words are passed
as data, never joined into grammar: a sentence reads right whatever word or
phrase the client chose ("my marriage", "family").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..models import LADDER_GAP_LIMIT, LadderStep
from ..models.paper import PAPER_SIZES
from ..models.vocabulary import AFTERWARDS, SKILLS
from .measure import wrap
from .registry import Document, Inputs, register

#: How many conversations the listening checklist has columns for.
LISTENING_CONVERSATIONS = 5
#: Days on the journal between two look-back pages.
DAYS_PER_LOOK_BACK = 7
#: Rows on the ladder practice log.
LOG_ROWS = 8
#: The practice log's columns as form fields: name, question (the tooltip), and the
#: longest answer for the short ones (a date, a rung number, 0 to 100).
LOG_FIELDS = (("date", "the date", 10), ("rung", "which step (rung number)", 2),
              ("upset-before", "how upset before, 0 to 100", 3),
              ("upset-after", "how upset after, 0 to 100", 3),
              ("expected", "what I expected", None), ("happened", "what happened", None),
              ("learned", "what I learned", None))

#: Room for the ladder's rungs, in mm, on the first page (below the title, the
#: how-to and the safety note) and on a following page, less 3 mm to spare.
#: Measured with WeasyPrint; the page-count tests check them on both papers.
_LADDER_ROOM_MM = {"a4": (197.0, 239.8), "letter": (179.4, 222.2)}
#: The width of a rung's words: the page's less the margins (32 mm) and the rails (27 mm).
_RUNG_WIDTH_MM = {name: size.width_mm - 32.0 - 27.0 for name, size in PAPER_SIZES.items()}
_SIDE_MM, _SIDE_HEIGHT_MM = 55.0, 12.6  # the date fields beside the first lines
_STEP_LINE_MM, _NOTE_LINE_MM, _START_HERE_MM = 4.815, 4.36, 4.4


def _rung_height(step: LadderStep | None, first: bool = False, paper: str = "a4") -> float:
    """An estimate of a rung's printed height in mm, from its words' widths in our fonts.

    The first lines sit beside the date fields, the rest run the full width;
    rung 1 has a "start here" line; a spare rung has two writing lines.
    """
    if step is None:
        return 18.5
    full = _RUNG_WIDTH_MM.get(paper, _RUNG_WIDTH_MM["letter"])

    def widths(top: float, line: float):
        return lambda n: full - _SIDE_MM if top + n * line < _SIDE_HEIGHT_MM else full

    height = wrap(step.step, "bold", 10.5, widths(0.0, _STEP_LINE_MM)) * _STEP_LINE_MM + 0.5
    if step.note:
        height += wrap(step.note, "italic", 9.5, widths(height, _NOTE_LINE_MM)) * _NOTE_LINE_MM
        height += 0.5
    if first:
        height += _START_HERE_MM
    return 1.8 + max(11.5, height) * 1.03


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
    spares = (rung for rung in rungs if rung["step"] is None)
    for number, rung in enumerate(spares, start=1):
        rung["spare"] = number  # names a spare rung's form fields
    return rungs


#: Large print: words about 1.6 times as tall, and the date fields below the step's words
#: (two 12 mm lines) instead of beside them.
_LARGE_SCALE, _LARGE_SIDE_MM = 1.6, 26.0


def ladder_pages(rungs: list[dict[str, Any]], paper: str,
                 first_room_scale: float = 1.0,
                 large_print: bool = False) -> list[list[dict[str, Any]]]:
    """The rungs split into pages, the lowest rungs on the first page.

    Each page prints its rungs top to bottom (hardest first), so rung 1 is at
    the bottom of the first page and the ladder climbs from page to page.
    *first_room_scale* shrinks the first page's room when a layout showed that
    less was free there (a practice's longer how-to or safety note).
    """
    first, later = _LADDER_ROOM_MM.get(paper, _LADDER_ROOM_MM["letter"])
    first *= first_room_scale
    pages: list[list[dict[str, Any]]] = [[]]
    room = first
    for rung in rungs:
        height = _rung_height(rung["step"], rung["number"] == 1, paper)
        if large_print:
            height = height * _LARGE_SCALE + _LARGE_SIDE_MM
        if pages[-1] and height > room:
            pages.append([])
            room = later
        pages[-1].append(rung)
        room -= height
    return [list(reversed(page)) for page in pages]


def _ladder(inputs: Inputs, scratch: Path, paper: str = "a4",
            hints: dict | None = None) -> dict[str, Any]:
    ladder = inputs.client.ladder
    steps = ladder.sorted_steps()
    rungs = ladder_rungs(steps, ladder.rung_count())
    scale = (hints or {}).get("first_room_scale", 1.0)
    options = (hints or {}).get("options")
    large = bool(options and options.large_print)
    return {"pages": ladder_pages(rungs, paper, scale, large), "filled": len(steps),
            "log_rows": list(range(1, LOG_ROWS + 1)), "log_fields": LOG_FIELDS}


def journal_blocks(days: int) -> list[dict[str, Any]]:
    """The journal's days in blocks of up to seven, each followed by a look-back page."""
    blocks = []
    for first in range(1, days + 1, DAYS_PER_LOOK_BACK):
        last = min(days, first + DAYS_PER_LOOK_BACK - 1)
        blocks.append({"days": list(range(first, last + 1)), "first": first, "last": last,
                       "whole_week": last - first + 1 == 7})
    return blocks


def _journal(inputs: Inputs, scratch: Path, paper: str = "a4",
             hints: dict | None = None) -> dict[str, Any]:
    return {"blocks": journal_blocks(inputs.client.journal.days), "scale": list(range(11)),
            "afterwards": [(key.replace(" ", "-"), label) for key, label in AFTERWARDS.items()]}


def _listening(inputs: Inputs, scratch: Path, paper: str = "a4",
               hints: dict | None = None) -> dict[str, Any]:
    return {"other": inputs.client.listening_partner(), "skills": list(SKILLS.values()),
            "conversations": list(range(1, LISTENING_CONVERSATIONS + 1))}


def _goal_plan(inputs: Inputs, scratch: Path, paper: str = "a4",
               hints: dict | None = None) -> dict[str, Any]:
    plan = inputs.plan
    goals = [{"goal": goal, "steps": sorted(goal.steps,
                                            key=lambda s: (s.by is None, s.by or 0))}
             for goal in plan.goals]
    return {"plan": plan, "goals": goals}


def _page_of(pages: list, found) -> int | None:
    """The index of the first page holding a box whose element *found* accepts."""
    for index, page in enumerate(pages):
        for box in page._page_box.descendants():
            if box.element is not None and found(box.element):
                return index
    return None


def _ladder_layout(pages: list, hints: dict) -> dict | None:
    """Rung 1 must be on the ladder's first page; if not, give that page less to hold."""
    start = _page_of(pages, lambda e: e.get("id") == "ws-ladder")
    rung_1 = _page_of(pages, lambda e: {"rung", "first"} <= set((e.get("class") or "").split()))
    if start is None or rung_1 is None or rung_1 == start:
        return None
    return {"first_room_scale": hints.get("first_room_scale", 1.0) * 0.8}


register(Document(
    "ladder", "My attachment ladder",
    "Small steps toward feeling safer with others, easiest at the bottom, and a log for "
    "each try.",
    "client", "ladder.html.j2", _ladder,
    warnings=lambda inputs: inputs.client.ladder.gap_warnings(), default_in_packet=True,
    check_layout=_ladder_layout, purpose="practising"))
register(Document(
    "journal", "Feelings journal",
    "A page a day to notice a feeling, pause and choose a step, and a page to look back.",
    "client", "journal.html.j2", _journal, default_in_packet=True,
    purpose="practising"))
register(Document(
    "listening", "Active-listening checklist",
    "Four listening skills to tick off in real conversations, and an I-statement builder.",
    "client", "listening.html.j2", _listening, default_in_packet=True,
    purpose="practising"))
register(Document(
    "goal-plan", "My goals",
    "The goals we set together and the dated steps toward them, in my own words.",
    "client", "goal_plan.html.j2", _goal_plan, needs=("plan",), purpose="practising"))
