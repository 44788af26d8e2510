"""The client's profile: who they are, their words, their therapist, their ladder.

This is what a client file holds and what every worksheet is rendered from.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import (
    LADDER_GAP_LIMIT,
    MAX_RUNGS,
    MIN_RUNGS,
    Day,
    Distress,
    Model,
    Name,
    RecordId,
    ShortText,
    Slug,
    StepText,
    between,
)


class Terms(Model):
    """The words the client prefers for close relationships.

    The worksheets use these instead of fixed words: ``partner`` is the word
    for the person they are close to ("wife", "boyfriend", "partner"),
    ``relationship`` the word for the bond, ``closeness`` for being close.
    """

    partner: ShortText = "partner"
    relationship: ShortText = "relationship"
    closeness: ShortText = "closeness"


class Partner(Model):
    """The client's partner, for the couples pages (the cycle map, the repair plan).

    Both fields are optional, and so is the whole section: without it the
    couples pages print their one-person version. ``terms`` are the
    partner's own words, like the client's ``terms``: ``partner`` is their
    word for the client ("husband"), ``closeness`` their word for being close.
    Each person's half of a shared page speaks in that person's words.
    """

    name: Name | None = None
    terms: Terms = Field(default_factory=Terms)


class Therapist(Model):
    """Who prepared the worksheets, shown on the cover and in every footer."""

    name: Name
    practice: Name


class LadderStep(Model):
    """One rung: a step in the client's words and how hard they expect it to be.

    ``id`` is given by the casebook so progress can point at a step; client
    files may leave it out.
    """

    id: RecordId | None = None
    step: StepText
    distress: Distress
    note: StepText | None = None


class Ladder(Model):
    """The graded steps toward more security, easiest first once sorted."""

    steps: list[LadderStep] = Field(default_factory=list, max_length=MAX_RUNGS)

    def sorted_steps(self) -> list[LadderStep]:
        """The steps from easiest to hardest (a stable sort by expected distress)."""
        return sorted(self.steps, key=lambda s: s.distress)

    def rung_count(self) -> int:
        """How many rungs to print: room for two spare rungs, within 8 to 12."""
        return max(MIN_RUNGS, min(MAX_RUNGS, len(self.steps) + 2))

    def gap_warnings(self, limit: int = LADDER_GAP_LIMIT) -> list[str]:
        """One warning per pair of neighbouring rungs more than *limit* points apart.

        Rungs are numbered from the bottom (1 is the easiest). The warning
        names rung numbers and distress values, never the steps' text.
        """
        steps = self.sorted_steps()
        warnings = []
        for number, (lower, upper) in enumerate(zip(steps, steps[1:], strict=False), start=1):
            gap = upper.distress - lower.distress
            if gap > limit:
                warnings.append(
                    f"ladder: rungs {number} and {number + 1} are {gap} points apart "
                    f"(expected distress {lower.distress} and {upper.distress}); "
                    f"think about adding a smaller step between them")
        return warnings


class JournalSettings(Model):
    """How the feelings journal is printed."""

    days: between(1, 31) = 7


class ListeningSettings(Model):
    """Who the active-listening checklist is for (for example the partner's first name)."""

    other_person: ShortText | None = None


class PrintSettings(Model):
    """How this client's pages are printed: ``large: true`` prints them in large print."""

    large: bool = False


class ClientProfile(Model):
    """Everything the worksheets need to know about one client."""

    id: Slug
    name: Name
    pronouns: ShortText | None = None
    terms: Terms = Field(default_factory=Terms)
    partner: Partner | None = None
    language: Literal["en"] = "en"
    therapist: Therapist
    session_date: Day
    ladder: Ladder = Field(default_factory=Ladder)
    journal: JournalSettings = Field(default_factory=JournalSettings)
    listening: ListeningSettings = Field(default_factory=ListeningSettings)
    print: PrintSettings = Field(default_factory=PrintSettings)

    def listening_partner(self) -> str:
        """Who the listening checklist names: the given person, else "your <partner>"."""
        return self.listening.other_person or f"your {self.terms.partner}"

    def partner_label(self) -> str:
        """How the client's pages name the partner: their name, else "my <partner word>"."""
        if self.partner is not None and self.partner.name:
            return self.partner.name
        return f"my {self.terms.partner}"
