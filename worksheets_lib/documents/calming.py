"""Pages for calming the body and for practising between sessions.

- ``grounding-plan``: a short handout on the body's alarm and calming systems, then
  the client's own grounding plan (warning signs, what calms, people, words, the
  practice's crisis line).

Each builds its template's values from the client's profile only (no casebook
records), so each can be made from a client file and goes in a packet. As in
``worksheets``, client words are passed as data, never joined into grammar.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .registry import Document, Inputs, register

#: Body signs to tick on the grounding handout: the alarm is on, the body is calm.
ALARM_SIGNS = ("A fast heartbeat", "Quick, short breaths", "A tight chest or jaw",
               "A knot in my stomach", "Hot face or shaky hands",
               "Wanting to run, hide or shout", "Going numb or blank")
CALM_SIGNS = ("Slow, deep breaths", "Soft shoulders", "Warm hands", "I can think clearly",
              "I can listen to others", "I can feel my feet on the floor")
#: The ways to calm the body that the grounding plan offers to tick.
CALMING_WAYS = ("Slow breathing, with a long breath out", "5, 4, 3, 2, 1 with my senses",
                "Cold water", "Moving my body")
#: Rows for the people on the grounding plan.
PEOPLE_ROWS = 4


def _grounding_plan(inputs: Inputs, scratch: Path, paper: str = "a4",
                    hints: dict | None = None) -> dict[str, Any]:
    return {"alarm_signs": ALARM_SIGNS, "calm_signs": CALM_SIGNS, "people_rows": PEOPLE_ROWS,
            "calming_ways": CALMING_WAYS}


register(Document(
    "grounding-plan", "My body and feeling safe",
    "How the body's alarm and calm work, in plain words, and my own grounding plan for "
    "hard moments.",
    "client", "grounding_plan.html.j2", _grounding_plan, purpose="calming",
    default_in_packet=False))
