"""Pages for calming the body and for practising between sessions.

- ``grounding-plan``: a short handout on the body's alarm and calming systems, then
  the client's own grounding plan (warning signs, what calms, people, words, the
  practice's crisis line).
- ``pause-cards``: the four pause steps on wallet cards, with the client's first ladder
  steps on their backs, to cut out and fold.
- ``experiment``: a behavioural experiment record, before and after, that may use a
  ladder step.
- ``support-map``: circles of closeness around the client, who helps with what, and one
  person to reach out to this week.
- ``keeping-it-going``: for when sessions get further apart: what has changed, warning
  signs, what I will keep doing, a monthly self check-in and when to book a booster.

Each builds its template's values from the client's profile only (no casebook
records), so each can be made from a client file and goes in a packet. As in
``worksheets``, client words are passed as data, never joined into grammar.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..models.paper import PAPER_SIZES
from .measure import wrap
from .registry import Document, Inputs, register

#: Body signs to tick on the grounding handout: the alarm is on, the body is calm. Each
#: key names its tick box in a fillable page (``grounding-plan.alarm.fast-heartbeat``).
ALARM_SIGNS = (("fast-heartbeat", "A fast heartbeat"), ("quick-breaths", "Quick, short breaths"),
               ("tight-chest-or-jaw", "A tight chest or jaw"),
               ("knot-in-stomach", "A knot in my stomach"),
               ("hot-face-or-shaky-hands", "Hot face or shaky hands"),
               ("wanting-to-run", "Wanting to run, hide or shout"),
               ("numb-or-blank", "Going numb or blank"))
CALM_SIGNS = (("slow-breaths", "Slow, deep breaths"), ("soft-shoulders", "Soft shoulders"),
              ("warm-hands", "Warm hands"), ("think-clearly", "I can think clearly"),
              ("listen-to-others", "I can listen to others"),
              ("feet-on-the-floor", "I can feel my feet on the floor"))
#: The ways to calm the body that the grounding plan offers to tick.
CALMING_WAYS = (("slow-breathing", "Slow breathing, with a long breath out"),
                ("senses", "5, 4, 3, 2, 1 with my senses"), ("cold-water", "Cold water"),
                ("moving", "Moving my body"))
#: Rows for the people on the grounding plan.
PEOPLE_ROWS = 4


def _texts(pairs) -> list[str]:
    return [text for _, text in pairs]


def _keys(pairs) -> list[str]:
    return [key for key, _ in pairs]


def _grounding_plan(inputs: Inputs, scratch: Path, paper: str = "a4",
                    hints: dict | None = None) -> dict[str, Any]:
    return {"alarm_signs": _texts(ALARM_SIGNS), "alarm_keys": _keys(ALARM_SIGNS),
            "calm_signs": _texts(CALM_SIGNS), "calm_keys": _keys(CALM_SIGNS),
            "people_rows": PEOPLE_ROWS,
            "calming_ways": _texts(CALMING_WAYS), "calming_keys": _keys(CALMING_WAYS)}


register(Document(
    "grounding-plan", "My body and feeling safe",
    "How the body's alarm and calm work, in plain words, and my own grounding plan for "
    "hard moments.",
    "client", "grounding_plan.html.j2", _grounding_plan, purpose="calming"))


#: Pause cards on a page: each is a strip of two 85 x 55 mm halves (the pause steps and
#: the client's own step), to cut out and fold into one wallet card (or cut into two).
CARDS_PER_PAGE = 3
CARD_WIDTH_MM, CARD_HEIGHT_MM = 85.0, 55.0
#: The width of a card's words (the card less 4 mm padding each side), and the room on
#: its back for the client's step, in lines of each size, before the words line.
_CARD_TEXT_MM = CARD_WIDTH_MM - 8.0
_STEP_SIZES_PT = ((9.5, 5), (8.5, 6), (7.5, 8))


def _step_size(text: str) -> float:
    """The largest size (pt) at which a ladder step fits the back of a card."""
    for size, most in _STEP_SIZES_PT:
        if wrap(text, "bold", size, lambda n: _CARD_TEXT_MM) <= most:
            return size
    return _STEP_SIZES_PT[-1][0]


#: In large print a card is as wide but taller (16 pt words), two cards to a sheet.
LARGE_CARD_HEIGHT_MM, LARGE_CARDS_PER_SHEET = 105.0, 2


def _pause_cards(inputs: Inputs, scratch: Path, paper: str = "a4",
                 hints: dict | None = None) -> dict[str, Any]:
    options = (hints or {}).get("options")
    large = bool(options and options.large_print)
    steps = inputs.client.ladder.sorted_steps()[:CARDS_PER_PAGE]
    cards = [{"step": step.step, "size": 16 if large else _step_size(step.step)}
             for step in steps]
    cards += [{"step": None, "size": None}] * (CARDS_PER_PAGE - len(cards))
    for number, card in enumerate(cards, start=1):
        card["number"] = number  # names its fields
    height = LARGE_CARD_HEIGHT_MM if large else CARD_HEIGHT_MM
    per_sheet = LARGE_CARDS_PER_SHEET if large else CARDS_PER_PAGE
    sheets = []
    for first in range(0, len(cards), per_sheet):
        rows = cards[first:first + per_sheet]
        sheets.append({"cards": rows,
                       # Where the cut marks go: every row line, the outer edges, the fold.
                       "row_lines": [i * height for i in range(len(rows) + 1)],
                       "sheet_h": len(rows) * height})
    return {"sheets": sheets, "scale": list(range(11)),
            "card_w": CARD_WIDTH_MM, "card_h": height,
            "column_lines": [0.0, CARD_WIDTH_MM, 2 * CARD_WIDTH_MM]}


register(Document(
    "pause-cards", "My pause cards",
    "Wallet cards with the four pause steps, and my own first small steps, to cut out and "
    "carry.",
    "client", "pause_cards.html.j2", _pause_cards, purpose="calming"))


#: Ladder steps offered as experiments: the easiest ones, at most this many, and only as
#: many as fit in this many lines (the first always), so the page never runs over.
EXPERIMENT_STEPS, EXPERIMENT_STEP_LINES = 3, 6


def experiment_steps(steps: list[str], paper: str) -> list[str]:
    """The ladder steps the experiment record offers, easiest first, within their room.

    Measured in bold, a little wider than the regular text they print in.
    """
    width = PAPER_SIZES.get(paper, PAPER_SIZES["a4"]).width_mm - 32.0 - 6.0
    chosen, used = [], 0
    for step in steps[:EXPERIMENT_STEPS]:
        needed = wrap(step, "bold", 10.5, lambda n: width)
        if chosen and used + needed > EXPERIMENT_STEP_LINES:
            break
        chosen.append(step)
        used += needed
    return chosen


def _experiment(inputs: Inputs, scratch: Path, paper: str = "a4",
                hints: dict | None = None) -> dict[str, Any]:
    ladder = inputs.client.ladder.sorted_steps()
    steps = experiment_steps([step.step for step in ladder], paper)
    # Each offered step's tick box in a fillable page is named as the ladder names its
    # rungs: by the step's id, else by its rung number (easiest first).
    keys = [f"step-{step.id}" if step.id else f"rung-{number}"
            for number, step in enumerate(ladder[:len(steps)], start=1)]
    return {"steps": steps, "step_keys": keys, "percent": list(range(0, 101, 10))}


register(Document(
    "experiment", "My experiment record",
    "Test a worried thought with one small, safe try: what I expect, what happened, and "
    "what I learned.",
    "client", "experiment.html.j2", _experiment, purpose="practising"))


#: The support map's circles, from the outside in (diameters in mm), and the middle one.
#: Each has a name and a hint, set in its band's top where the band is wide enough.
SUPPORT_RINGS = ((150.0, "Around me", "People I see now and then, groups, helpers"),
                 (108.0, "Close", "People I trust"),
                 (68.0, "Closest to me", None))
SUPPORT_ME_MM = 34.0
#: The circles' names in a fillable map (``support-map.circle.closest``), outside in.
SUPPORT_RING_KEYS = ("around", "close", "closest")
#: Rows on the support map's "who I can reach" table.
SUPPORT_ROWS = 9


def _support_map(inputs: Inputs, scratch: Path, paper: str = "a4",
                 hints: dict | None = None) -> dict[str, Any]:
    # The client's name in the middle circle: smaller when it is long, so it stays inside.
    width = SUPPORT_ME_MM - 8.0
    name = inputs.client.name
    size = next((pt for pt in (10.5, 9.0, 8.0) if wrap(name, "bold", pt, lambda n: width) <= 2),
                7.0)
    rings = [{"d": d, "label": label, "hint": hint, "key": key}
             for (d, label, hint), key in zip(SUPPORT_RINGS, SUPPORT_RING_KEYS, strict=True)]
    inner = [d for d, _, _ in SUPPORT_RINGS[1:]] + [SUPPORT_ME_MM]
    for ring, inside in zip(rings, inner, strict=True):
        ring["room"] = _ring_room(ring["d"] / 2, inside / 2)
    return {"rings": rings, "map_d": SUPPORT_RINGS[0][0], "me_d": SUPPORT_ME_MM,
            "name_pt": size, "rows": SUPPORT_ROWS}


def _ring_room(outer: float, inner: float) -> dict[str, float]:
    """Where a fillable map's field for one circle goes (mm from the map's centre line).

    It lies in the band below the inner circle, as wide as fits inside the outer one.
    """
    top = inner + 1.5
    height = round((outer - inner) * 0.6, 1)
    width = 2 * math.sqrt(outer ** 2 - (top + height) ** 2) - 6
    return {"top": round(top, 1), "height": height, "width": round(width, 1)}


register(Document(
    "support-map", "My support map",
    "Circles of the people around me, who I can reach for talking, help or fun, and one "
    "person to reach out to this week.",
    "client", "support_map.html.j2", _support_map, purpose="practising"))


#: What the client may keep doing, to tick on "Keeping it going" (small moments of
#: closeness follow, in the client's own word), each with its tick box's name.
KEEP_DOING = (("pause", "The pause: notice, name it, rate it, choose a step"),
              ("journal", "Writing in my feelings journal"),
              ("ladder", "Trying steps on my ladder"),
              ("grounding-plan", "Using my grounding plan when my body's alarm goes off"),
              ("support-map", "Reaching out to people on my support map"))
#: When to book a booster session.
BOOSTER_REASONS = (
    ("signs-last", "My warning signs last more than two weeks."),
    ("old-pattern", "An old pattern is back, and my plan is not helping enough."),
    ("big-change", "Something big changes: a loss, a move, a new relationship or a new baby."),
    ("check-in", "I would just like a check-in. That is reason enough."))
#: Months on the self check-in.
CHECK_IN_MONTHS = 6


def _keeping_it_going(inputs: Inputs, scratch: Path, paper: str = "a4",
                      hints: dict | None = None) -> dict[str, Any]:
    steps = inputs.client.ladder.sorted_steps()
    return {"habits": _texts(KEEP_DOING), "habit_keys": _keys(KEEP_DOING),
            "booster_reasons": _texts(BOOSTER_REASONS),
            "booster_keys": _keys(BOOSTER_REASONS),
            "months": list(range(1, CHECK_IN_MONTHS + 1)),
            "top_step": steps[-1].step if steps else None}


register(Document(
    "keeping-it-going", "Keeping it going",
    "For when sessions get further apart: what has changed, my warning signs, what I will "
    "keep doing, a monthly check-in, and when to book a booster.",
    "client", "keeping_it_going.html.j2", _keeping_it_going, purpose="keeping it going"))
