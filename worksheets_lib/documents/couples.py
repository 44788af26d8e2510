"""Pages for close relationships, and the therapist's stage notes for couples work.

The cycle map, the repair plan, asking for what I need, and small moments
of connection are for the client; the stage notes are for the therapist.

The couples pages print a version for two when the client file has a
``partner`` section, and a one-person version when it does not. Each
person's half of a shared page speaks in that person's own words: the
client's ``terms`` on theirs, ``partner.terms`` on the partner's. Words are
passed as data, never bent by grammar.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..models import ClientProfile
from ..models.vocabulary import AFTERWARDS
from .registry import Document, Inputs, register

#: The six steps of one person's side of the cycle. ``{other}`` is the other person, in the
#: words of the person whose side it is.
CYCLE_STEPS = (
    ("What sets it off for me", "A look, a tone, a silence, a late reply…"),
    ("What I show on the outside", "I get loud, I criticise, I go quiet, I walk away…"),
    ("The softer feeling underneath", "Scared, sad, alone, hurt, not good enough…"),
    ("What I do then", "I push for an answer, or I pull back."),
    ("How {other} may see it", "What my move may look like from outside."),
    ("What {other} may do next", "…and that can set me off again."),
)


def people(client: ClientProfile) -> list[dict[str, str]]:
    """The people of a shared page: the client, then the partner when the file names one.

    ``name`` heads the person's half; ``other`` is how that person names the
    other one ("my girlfriend", "my partner"); ``closeness`` is their word for
    being close.
    """
    you = {"name": client.name, "other": f"my {client.terms.partner}",
           "closeness": client.terms.closeness}
    if client.partner is None:
        return [{**you, "other": "the other person"}]
    partner = client.partner
    return [you, {"name": partner.name or f"My {client.terms.partner}",
                  "other": f"my {partner.terms.partner}",
                  "closeness": partner.terms.closeness}]


def cycle_steps(other: str, person: int = 1) -> list[dict[str, Any]]:
    """One person's six steps, numbered, with the other person's words filled in.

    ``key`` names the step's form field in a fillable map (``person-2``, ``step-4``).
    """
    return [{"number": n, "label": label.format(other=other), "hint": hint,
             "key": [f"person-{person}", f"step-{n}"], "person": person}
            for n, (label, hint) in enumerate(CYCLE_STEPS, start=1)]


def cycle_rows(client: ClientProfile) -> list[dict[str, Any]]:
    """The map's rows, top to bottom: a left box and a right box each, drawn as a loop.

    For two people, the client's steps run down the left (1 at the top) and
    the partner's up the right (1 at the bottom): the client's last step
    leads across the bottom into the partner's first, and the partner's last
    across the top back into the client's first. For one person, steps 1 to
    3 run down the left and 4 to 6 up the right, the same loop in half the rows.
    """
    who = people(client)
    if len(who) == 2:
        left, right = cycle_steps(who[0]["other"]), cycle_steps(who[1]["other"], 2)
        return [{"left": a, "right": b} for a, b in zip(left, reversed(right), strict=True)]
    steps = cycle_steps(who[0]["other"])
    return [{"left": steps[i], "right": steps[5 - i]} for i in range(3)]


def _cycle_map(inputs: Inputs, scratch: Path, paper: str = "a4",
               hints: dict | None = None) -> dict[str, Any]:
    who = people(inputs.client)
    return {"people": who, "pair": len(who) == 2, "rows": cycle_rows(inputs.client)}


#: Repair phrases to tick on the repair plan (written by us, plain and blame-free), each
#: with its tick box's name in a fillable page (``repair-plan.phrase.start-again``).
REPAIR_PHRASES = (
    ("want-to-understand", "I want to understand."),
    ("start-again", "Can we start again?"),
    ("sorry-raised-voice", "I'm sorry I raised my voice."),
    ("scared-not-angry", "I was scared, not angry at you."),
    ("you-matter-more", "You matter more to me than this fight."),
    ("say-that-again", "Can you say that again? I want to get it right."),
    ("see-this-hurts", "I can see this hurts you."),
    ("same-side", "We're on the same side."),
    ("need-a-hug", "I need a hug."),
    ("try-again-kindly", "Let me try that again, more kindly."),
)
#: Rows on the repair plan's "trying the plan" log.
REPAIR_TRIES = 3


def _repair_plan(inputs: Inputs, scratch: Path, paper: str = "a4",
                 hints: dict | None = None) -> dict[str, Any]:
    who = people(inputs.client)
    if len(who) == 1:
        who = [{**who[0], "name": "Me"}, {**who[0], "name": "The other person, if they agree"}]
        pair = False
    else:
        pair = True
    return {"people": who, "pair": pair, "phrases": [text for _, text in REPAIR_PHRASES],
            "phrase_keys": [key for key, _ in REPAIR_PHRASES], "tries": REPAIR_TRIES,
            "closeness": inputs.client.terms.closeness}


def who_to_ask(client: ClientProfile) -> str | None:
    """An example of whom to ask: the partner by name or by the client's word, else none.

    The client's partner word is used only when the file gives a partner or
    a word of its own: "my partner" is not assumed for everyone.
    """
    if client.partner is not None or client.terms.partner != "partner":
        return f"{client.partner_label()}, a friend or family"
    return None


def _asking(inputs: Inputs, scratch: Path, paper: str = "a4",
            hints: dict | None = None) -> dict[str, Any]:
    return {"who_hint": who_to_ask(inputs.client)}


#: The small daily moments of the connection log: the name of its form fields, a letter
#: for the log's columns, the name, and an example. The last is the client's own.
RITUALS = (
    ("greeting", "G", "Greeting",
     "Hello and goodbye: a hug at the door, a smile, “Have a good day.”"),
    ("check-in", "C", "Check-in",
     "Ten minutes to ask “How was your day, really?” and to listen."),
    ("touch", "T", "Touch", "Holding hands, a long hug, a hand on the back. Only what feels "
                            "good to both."),
    ("shared-meal", "M", "Shared meal", "One meal or a cup of tea together, phones away."),
    ("own", "O", "Our own", "Something that is yours: a walk, a song, a goodnight message."),
)
#: The days of the connection log's week.
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _connection_log(inputs: Inputs, scratch: Path, paper: str = "a4",
                    hints: dict | None = None) -> dict[str, Any]:
    who = people(inputs.client)
    rituals = [{"key": key, "short": short, "name": name, "example": example}
               for key, short, name, example in RITUALS]
    if len(who) == 1:
        rituals[-1] = {**rituals[-1], "name": "My own"}
    return {"people": who, "pair": len(who) == 2, "rituals": rituals, "days": list(DAYS)}


#: The three stages of couples work, with the signs a therapist may see in each.
STAGES = (
    {"name": "Calming the cycle", "short": "calming",
     "aim": "Less fighting and shutting down; the loop is seen as the problem.",
     "signs": ("Both can name their loop without blame",
               "Softer feelings under anger or silence are spoken",
               "Fights calm sooner; breaks end when agreed",
               "The problem is the loop and unmet needs, not each other")},
    {"name": "Reshaping the bond", "short": "reshaping",
     "aim": "New ways of reaching out and answering, with feelings shown.",
     "signs": ("The one who steps back comes closer and says what they need",
               "The one who reaches out asks softly, from the softer feeling",
               "Each hears the other's hurt and answers with care",
               "New moments of reaching and answering in session")},
    {"name": "Consolidating", "short": "consolidating",
     "aim": "The new patterns hold in daily life and under stress.",
     "signs": ("Old problems are solved together, calmly",
               "They tell a new story of the loop and how they leave it",
               "A plan for hard times and setbacks is in place",
               "Small daily moments of connection hold between sessions")},
)


def _stage_notes(inputs: Inputs, scratch: Path, paper: str = "a4",
                 hints: dict | None = None) -> dict[str, Any]:
    from ..progress import review as make_review

    client = inputs.client
    summary = make_review(client, list(inputs.entries), list(inputs.attempts), inputs.start,
                          inputs.end)
    paused, not_paused = summary.paused
    return {"partner_name": client.partner.name if client.partner else None,
            "start": inputs.start, "end": inputs.end, "stages": STAGES,
            "entries": len(summary.entries), "paused": paused, "not_paused": not_paused,
            "afterwards": summary.afterwards, "afterwards_labels": AFTERWARDS,
            "climbed": summary.rungs_climbed, "rungs": len(summary.rungs),
            "scripts": inputs.history.scripts, "goals": inputs.plan.goals}


register(Document(
    "cycle-map", "Our cycle map",
    "The loop two people can get stuck in, step by step for each of you, and the softer "
    "feelings under it.",
    "client", "cycle_map.html.j2", _cycle_map, purpose="couples"))
register(Document(
    "repair-plan", "Repair and time-out plan",
    "A plan made on a calm day: our signal for a break, how long it lasts, what each of us "
    "does, how we come back, and repair phrases.",
    "client", "repair_plan.html.j2", _repair_plan, purpose="couples"))
register(Document(
    "asking", "Asking for what I need",
    "A short script to ask for what I need (I feel, I need, would you be willing), and what "
    "I will do if the answer is no, with one example.",
    "client", "asking.html.j2", _asking, purpose="practising"))
register(Document(
    "connection-log", "Small moments of connection",
    "Small daily habits of closeness (a greeting, a check-in, a touch, a shared meal), a "
    "week to tick them off, and a look back.",
    "client", "connection_log.html.j2", _connection_log, purpose="practising"))
register(Document(
    "stage-notes", "Stage notes",
    "For the therapist, in couples work: where the couple stands in the three stages, the "
    "signs seen, and the next focus; one page per review.",
    "therapist", "stage_notes.html.j2", _stage_notes,
    needs=("history", "plan", "entries", "attempts"), purpose="therapist"))
