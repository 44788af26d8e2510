"""The words printed and shown for stored values, in one place.

A record stores a short, stable value (``same``, ``partly``); people read a
label (``about the same``, ``fits in part``). Templates, widgets, charts and
reports all take their labels from here, so a wording change is made once.
Each table keeps the order the choices are offered in.
"""

from __future__ import annotations

#: How the client felt afterwards, with the person involved (``JournalEntry.afterwards``).
AFTERWARDS: dict[str, str] = {"closer": "closer", "same": "about the same",
                              "more distant": "more distant"}

#: Whether the client paused before acting (``JournalEntry.paused``); None: not answered.
PAUSED: dict[bool | None, str] = {True: "yes", False: "not this time", None: "not noted"}

#: How available a caregiver was (``Caregiver.availability``).
AVAILABILITY: dict[str, str] = {"consistent": "consistent", "unpredictable": "unpredictable",
                                "distant": "distant", "frightening": "frightening"}

#: Does a pattern seem to fit (``PatternReflection.seems_to_fit``), in the order offered.
FITS: dict[str, str] = {"unsure": "not sure yet", "yes": "seems to fit",
                        "partly": "fits in part", "no": "does not seem to fit"}

#: The four attachment patterns' names (``PatternReflection.pattern``).
PATTERN_NAMES: dict[str, str] = {"secure": "Secure", "anxious": "Anxious",
                                 "dismissive-avoidant": "Dismissive-avoidant",
                                 "fearful-avoidant": "Fearful-avoidant"}

#: A moment in a relational script (``Moment.kind``).
MOMENT_KINDS: dict[str, str] = {"connected": "connected", "abandoned": "abandoned"}

#: The listening skills (``ListeningRecord`` fields), as the client ticks them.
SKILLS: dict[str, str] = {"distractions_away": "I put distractions away.",
                          "eye_contact": "I made eye contact.",
                          "reflected_back": "I reflected back what I heard.",
                          "clarifying_question": "I asked a clarifying question."}

#: The one word for the 0-100 scale on every page: how upset a step makes me feel.
UPSET_SCALE = "how upset"
UPSET_LOW = "0 = calm"
UPSET_HIGH = "100 = the most upset I can imagine"


def label(table: dict, value, missing: str = "not noted") -> str:
    """The label of a stored *value* in *table*; *missing* when there is none."""
    if value is None:
        return table.get(None, missing)
    return table[value]


def choices(table: dict, empty: str | None = None) -> list[tuple[str, object]]:
    """(label, value) pairs for a dropdown or toggle, optionally led by an empty choice."""
    pairs = [(text, value) for value, text in table.items() if value is not None]
    return ([(empty, None)] if empty is not None else []) + pairs
