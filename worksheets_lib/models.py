"""The clinical vocabulary as validated pydantic models.

Data enters the project through exactly one door: these models. Everything
downstream (templates, PDF, later the casebook) trusts a validated model.
Free-text fields are stripped, must not be empty, have a length limit and may
not hold control characters; nothing here ever puts a client's text into an
error message.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

#: Ladders print with this many rungs at least and at most.
MIN_RUNGS = 8
MAX_RUNGS = 12
#: Neighbouring rungs further apart than this get a "split the step" warning.
LADDER_GAP_LIMIT = 15

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[\t\n\r\u2028\u2029]")
_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise PydanticCustomError("control_characters", "must not contain control characters")
    return value


def _one_line(value: str) -> str:
    if _LINE_BREAKS.search(value):
        raise PydanticCustomError("line_break", "must fit on one line (no line breaks or tabs)")
    return value


def _text(max_length: int, one_line: bool = False):
    """A required piece of free text: stripped, not empty, at most *max_length*."""
    checks = [AfterValidator(_no_control_characters)]
    if one_line:
        checks.append(AfterValidator(_one_line))
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        *checks,
    ]


def _not_yes_no(value: Any) -> Any:
    # YAML reads yes/no/true/false as booleans, and Python counts them as 1 and 0.
    if isinstance(value, bool):
        raise PydanticCustomError("bool_not_allowed", "must be a whole number, not yes/no")
    return value


def _between(low: int, high: int):
    """A whole number from *low* to *high*, with one message for both bounds."""

    def check(value: int) -> int:
        if not low <= value <= high:
            raise PydanticCustomError(
                "out_of_range", "must be between {low} and {high}", {"low": low, "high": high})
        return value

    return Annotated[int, BeforeValidator(_not_yes_no), AfterValidator(check)]


Name = _text(80, one_line=True)
ShortText = _text(60, one_line=True)
StepText = _text(300)
Slug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                        pattern=_SLUG)]
Distress = _between(0, 100)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Terms(_Model):
    """The words the client prefers for close relationships.

    The worksheets use these instead of fixed words: ``partner`` is the word
    for the person they are close to ("wife", "boyfriend", "partner"),
    ``relationship`` the word for the bond, ``closeness`` for being close.
    """

    partner: ShortText = "partner"
    relationship: ShortText = "relationship"
    closeness: ShortText = "closeness"


class Therapist(_Model):
    """Who prepared the worksheets, shown on the cover and in every footer."""

    name: Name
    practice: Name


class LadderStep(_Model):
    """One rung: a step in the client's words and how hard they expect it to be."""

    step: StepText
    distress: Distress
    note: StepText | None = None


class Ladder(_Model):
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


class JournalSettings(_Model):
    """How the feelings journal is printed."""

    days: _between(1, 31) = 7


class ListeningSettings(_Model):
    """Who the active-listening checklist is for (for example the partner's first name)."""

    other_person: ShortText | None = None


class ClientProfile(_Model):
    """Everything the worksheets need to know about one client."""

    id: Slug
    name: Name
    pronouns: ShortText | None = None
    terms: Terms = Field(default_factory=Terms)
    language: Literal["en"] = "en"
    therapist: Therapist
    session_date: dt.date
    ladder: Ladder = Field(default_factory=Ladder)
    journal: JournalSettings = Field(default_factory=JournalSettings)
    listening: ListeningSettings = Field(default_factory=ListeningSettings)

    def listening_partner(self) -> str:
        """Who the listening checklist names: the given person, else "your <partner>"."""
        return self.listening.other_person or f"your {self.terms.partner}"
