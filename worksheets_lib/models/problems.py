"""Messages for validation errors: every problem with its field path, never the input.

Used wherever data enters through a model: the client file, the casebook's
stored records and bundles, and the workbooks' forms. Messages come from our
own table, so they cannot leak a client's text.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from ..errors import Problem

MESSAGES = {
    "missing": "is required",
    "string_type": "must be text (put it in quotes if it looks like a number, date or yes/no)",
    "string_too_short": "must not be empty",
    "string_too_long": "must be at most {max_length} characters",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_parsing_size": "must be a whole number of a sensible size",
    "bool_not_allowed": "must be a whole number, not yes/no",
    "date_type": "must be a date written like 2026-11-24",
    "date_parsing": "must be a date written like 2026-11-24",
    "date_from_datetime_parsing": "must be a date written like 2026-11-24",
    "date_from_datetime_inexact": "must be a date without a time",
    "extra_forbidden": "is not a field we know (check the spelling)",
    "model_type": "must be a section of named fields",
    "model_attributes_type": "must be a section of named fields",
    "dict_type": "must be a section of named fields",
    "list_type": "must be a list (one item per line starting with '-')",
    "too_long": "can have at most {max_length} items",
    "literal_error": "must be one of: {expected}",
}
_PATTERN_MESSAGES = {
    "id": "must be a short name of lowercase letters, digits and single hyphens, like alex-rivera",
}


# An unknown key is shown only when it looks like a field name: a step typed as
# "- my words: 20" makes the client's words a key, and they must not be echoed.
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_UNKNOWN_ENTRY = ("has an entry we do not know (is a ':' in a step that should be in quotes, "
                  "or 'step:' missing?)")


def _problem(error: dict[str, Any]) -> Problem:
    loc = tuple(error["loc"])
    # A part of the path that is not a field name may be the client's own words (a step
    # typed as a key, a date as a key): the path stops before it, and it is never shown.
    for index, part in enumerate(loc):
        if not isinstance(part, int) and not (isinstance(part, str)
                                              and FIELD_NAME.match(part)):
            return Problem(_path(loc[:index]), _UNKNOWN_ENTRY)
    if error["type"] == "extra_forbidden" and not FIELD_NAME.match(str(loc[-1])):
        return Problem(_path(loc[:-1]), _UNKNOWN_ENTRY)
    return Problem(_path(loc), _message(error))


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        return _PATTERN_MESSAGES.get(str(error["loc"][-1]), "is not in the expected form")
    if kind in MESSAGES:
        try:
            return MESSAGES[kind].format(**ctx)
        except (KeyError, IndexError):
            return MESSAGES[kind]
    # Our own PydanticCustomError messages (ranges, control characters) carry
    # no input; pydantic's other messages describe the type expected.
    return error["msg"]


def problems_from(error: ValidationError) -> list[Problem]:
    """Turn a pydantic error into our problems, without echoing any input."""
    return [_problem(e) for e in error.errors(include_input=False)]


