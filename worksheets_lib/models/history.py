"""The history map: caregivers, early separations and losses, relational scripts.

A collaborative, non-blaming record the therapist keeps with the client. The
pattern reflection is a reflection in the therapist's words, never a score or
a diagnosis.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import LongText, Model, ShortText, between

Availability = Literal["consistent", "unpredictable", "distant", "frightening"]
Pattern = Literal["secure", "anxious", "dismissive-avoidant", "fearful-avoidant"]
PATTERNS: tuple[str, ...] = ("secure", "anxious", "dismissive-avoidant", "fearful-avoidant")


class Caregiver(Model):
    """Someone who cared for the client when they were young."""

    who: ShortText
    role: ShortText | None = None
    availability: Availability | None = None
    comfort: LongText | None = None  # how comfort was offered
    learned: LongText | None = None  # what the client learned to expect


class Separation(Model):
    """An early separation or loss."""

    age: between(0, 120) | None = None
    what_happened: LongText
    who_helped: LongText | None = None
    shows_up_now: LongText | None = None  # how it still shows up


class Moment(Model):
    """A concrete moment when the client felt connected or abandoned."""

    kind: Literal["connected", "abandoned"]
    description: LongText


class RelationalScript(Model):
    """A pattern that repeats: trigger, fear, reaction, what follows, the real need."""

    trigger: LongText
    fear: LongText | None = None
    reaction: LongText | None = None  # what I do
    result: LongText | None = None  # what happens next
    need: LongText | None = None  # what I actually need
    moments: list[Moment] = Field(default_factory=list, max_length=20)


class PatternReflection(Model):
    """The therapist's note on one attachment pattern: does it seem to fit, and why."""

    pattern: Pattern
    seems_to_fit: Literal["yes", "partly", "no", "unsure"] = "unsure"
    evidence: LongText | None = None


class HistoryMap(Model):
    """Everything mapped about the client's history."""

    caregivers: list[Caregiver] = Field(default_factory=list, max_length=20)
    separations: list[Separation] = Field(default_factory=list, max_length=50)
    scripts: list[RelationalScript] = Field(default_factory=list, max_length=20)
    reflections: list[PatternReflection] = Field(default_factory=list, max_length=4)
    notes: LongText | None = None
