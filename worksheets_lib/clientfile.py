"""Read a client file (YAML, or JSON) into a validated :class:`ClientProfile`.

Every problem is reported at once, keyed by field path
(``ladder.steps[3].distress: must be between 0 and 100``). Messages come from
our own table, never from the input, so they cannot leak a client's text.

YAML is read as YAML 1.2 (ruamel.yaml, safe): ``distress: 1:20`` stays the text
``1:20`` (YAML 1.1 read it as the number 80) and ``yes`` stays a word; a key
written twice is refused and named by its field path (YAML 1.1 kept the last
one silently).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError, SafeConstructor
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from .errors import ClientFileError, Problem
from .models import ClientProfile
from .models.problems import FIELD_NAME, problems_from

MAX_FILE_BYTES = 1_000_000
#: Longer runs of digits are kept as text, so validation names the field (Python refuses to
#: turn over 4,300 digits into a number, and no field needs more than a few).
MAX_NUMBER_DIGITS = 100
_TOO_DEEP = "is nested too deeply to be a client file (too many brackets or indents)"


def _kept_as_text(constructor):
    """Wrap a YAML constructor: a value it cannot convert stays text for validation to name."""

    def construct(loader, node):
        if len(str(node.value)) > MAX_NUMBER_DIGITS:
            return loader.construct_scalar(node)
        try:
            return constructor(loader, node)
        except (ValueError, OverflowError):  # 2026-02-30, or a number too long
            return loader.construct_scalar(node)

    return construct


class _Constructor(SafeConstructor):
    """The safe constructor, except that impossible dates and huge numbers stay text."""


for _tag, _method in (("timestamp", SafeConstructor.construct_yaml_timestamp),
                      ("int", SafeConstructor.construct_yaml_int),
                      ("float", SafeConstructor.construct_yaml_float)):
    _Constructor.add_constructor(f"tag:yaml.org,2002:{_tag}", _kept_as_text(_method))


def _yaml() -> YAML:
    loader = YAML(typ="safe", pure=True)
    loader.Constructor = _Constructor
    loader.allow_duplicate_keys = False
    return loader


def _duplicate_path(node, path: str = "") -> str | None:
    """The field path of the first key written twice in a composed YAML node tree."""
    if isinstance(node, MappingNode):
        seen = set()
        for key, value in node.value:
            name = str(key.value)
            if not FIELD_NAME.match(name):  # the client's words as a key: never shown
                if name in seen:
                    return path or "the top level"
                seen.add(name)
                found = _duplicate_path(value, path)
                if found:
                    return found
                continue
            here = f"{path}.{name}" if path else name
            if name in seen:
                return here
            seen.add(name)
            found = _duplicate_path(value, here)
            if found:
                return found
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            found = _duplicate_path(item, f"{path}[{index}]")
            if found:
                return found
    return None


class _Repeated(ValueError):
    """A key written twice in a JSON object."""


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise _Repeated()
        result[key] = value
    return result


def _json_int(text: str) -> int | str:
    return int(text) if len(text) <= MAX_NUMBER_DIGITS else text

def validate_client(data: Any, source: str = "client file") -> ClientProfile:
    """Validate already-parsed data (a dict) and return the client profile."""
    if not isinstance(data, dict):
        raise ClientFileError(
            [Problem("", "must hold named fields such as id, name and therapist")], source)
    try:
        return ClientProfile.model_validate(data)
    except ValidationError as error:
        raise ClientFileError(problems_from(error), source) from None
    except RecursionError:
        raise ClientFileError([Problem("", _TOO_DEEP)], source) from None


def parse_client_text(text: str, source: str = "client file", json_only: bool = False) -> Any:
    """Parse YAML (a superset of JSON) or strict JSON, reporting only line and column."""
    if json_only:
        try:
            return json.loads(text, parse_int=_json_int, object_pairs_hook=_no_repeats)
        except RecursionError:
            raise ClientFileError([Problem("", _TOO_DEEP)], source) from None
        except _Repeated:
            try:  # JSON is YAML 1.2: the YAML reader names the path
                where = _duplicate_path(_yaml().compose(text)) or ""
            except (YAMLError, RecursionError, ValueError, AssertionError):
                where = ""
            raise ClientFileError([Problem(where, "is written twice; keep one of them")],
                                  source) from None
        except json.JSONDecodeError as error:
            where = f"line {error.lineno}, column {error.colno}"
            raise ClientFileError([Problem("", f"{where}: this is not valid JSON")],
                                  source) from None
    directive = re.search(r"^%", text.lstrip("\ufeff"), re.M)
    if directive:
        line = text.lstrip("\ufeff").count("\n", 0, directive.start()) + 1
        raise ClientFileError([Problem("", f"line {line}: lines starting with % (like %YAML) "
                                           "are not used in a client file; remove it")],
                              source)
    try:
        return _yaml().load(text)
    except RecursionError:
        raise ClientFileError([Problem("", _TOO_DEEP)], source) from None
    except DuplicateKeyError:
        # Its message quotes both values (client text): only the path is reported.
        try:
            where = _duplicate_path(_yaml().compose(text)) or ""
        except (YAMLError, RecursionError):
            where = ""
        raise ClientFileError([Problem(where, "is written twice; keep one of them")],
                              source) from None
    except (AssertionError, TypeError, ValueError):  # an !!omap or !!set written oddly
        raise ClientFileError([Problem("", "this is not valid YAML (a section or list is "
                                           "written in an unusual way)")], source) from None
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        if isinstance(error, ReaderError):
            raise ClientFileError([Problem("", f"character {error.position + 1} is a control "
                                                "character that a client file cannot hold")],
                                  source) from None
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ClientFileError(
            [Problem("", f"{where}this is not valid YAML (check the indentation, "
                         "and put text containing ':' or '#' in quotes)")], source) from None


def load_client(path: str | Path) -> ClientProfile:
    """Read and validate a client file (``.yaml``/``.yml``, or ``.json``)."""
    path = Path(path)
    source = path.name
    try:
        if path.exists() and not path.is_dir() and not path.is_file():
            raise ClientFileError([Problem("", "is not a regular file (a device or a pipe); "
                                               "give the client file's path")], str(path))
        with path.open("rb") as handle:  # read a bounded amount: /dev/zero has no size
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ClientFileError([Problem("", "file not found")], str(path)) from None
    except IsADirectoryError:
        raise ClientFileError([Problem("", "is a folder, not a file")], str(path)) from None
    except PermissionError:
        raise ClientFileError([Problem("", "permission denied")], str(path)) from None
    except OSError as error:
        raise ClientFileError([Problem("", error.strerror or "cannot be read")],
                              str(path)) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ClientFileError([Problem("", "the file is too large to be a client file")], source)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ClientFileError([Problem("", "must be saved as UTF-8 text")], source) from None
    data = parse_client_text(text, source, json_only=path.suffix.lower() == ".json")
    return validate_client(data, source)
