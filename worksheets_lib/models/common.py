"""Building blocks shared by every model: checked text, bounded numbers, ids.

Free-text fields are stripped, must not be empty, have a length limit and may
not hold control characters; nothing here ever puts a client's text into an
error message.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

#: Ladders print with this many rungs at least and at most.
MIN_RUNGS = 8
MAX_RUNGS = 12
#: Neighbouring rungs further apart than this get a "split the step" warning.
LADDER_GAP_LIMIT = 15

#: C0 and C1 control characters (but tab and line breaks), and the bidirectional embeddings,
#: overrides and isolates that can print text reversed across a page. Right-to-left
#: scripts need none of these, and keep their marks (U+200E, U+200F, U+061C).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\t\n\r\u2028\u2029]")
_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_RECORD_ID = r"^[0-9a-f]{32}$"


def _no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise PydanticCustomError(
            "control_characters", "must not contain control characters or hidden "
                                  "text-direction characters (such as a right-to-left override)")
    return value


def _one_line(value: str) -> str:
    if _LINE_BREAKS.search(value):
        raise PydanticCustomError("line_break", "must fit on one line (no line breaks or tabs)")
    return value


def text_field(max_length: int, one_line: bool = False):
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


def between(low: int, high: int):
    """A whole number from *low* to *high*, with one message for both bounds."""

    def check(value: int) -> int:
        if not low <= value <= high:
            raise PydanticCustomError(
                "out_of_range", "must be between {low} and {high}", {"low": low, "high": high})
        return value

    return Annotated[int, BeforeValidator(_not_yes_no), AfterValidator(check)]


Name = text_field(80, one_line=True)
ShortText = text_field(60, one_line=True)
StepText = text_field(300)
Slug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                        pattern=_SLUG)]
Distress = between(0, 100)
Intensity = between(0, 10)
LongText = text_field(2000)
def sane_moment(value):
    """A date and time that can be placed in UTC, between the years 1900 and 2999."""
    try:
        utc = value.astimezone(dt.UTC) if isinstance(value, dt.datetime) else value
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not 1900 <= utc.year <= 2999:
        raise PydanticCustomError("moment_range", "must be a real time between the years 1900 "
                                                  "and 2999")
    return value


def _sane_date(value):
    if not 1900 <= value.year <= 2999:
        raise PydanticCustomError("date_range", "must be a date between the years 1900 and "
                                                "2999")
    return value


#: A record's stable id: a UUID as 32 lowercase hex digits.
RecordId = Annotated[str, StringConstraints(pattern=_RECORD_ID)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

#: A moment a record was made: convertible to UTC, years 1900 to 2999.
Timestamp = Annotated[dt.datetime, AfterValidator(sane_moment)]
#: A calendar date, years 1900 to 2999.
Day = Annotated[dt.date, AfterValidator(_sane_date)]
