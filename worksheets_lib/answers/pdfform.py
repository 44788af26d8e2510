"""Read the fields of a filled, fillable worksheet: safely, or refuse the file in one line.

A filled PDF comes back from a client's phone or computer, so it is untrusted:
it is read with pypdf within limits (its size, how many objects are looked at),
never run, and refused when it is not a PDF, is broken, encrypted, carries
JavaScript, actions that start programs or embedded files, has no form, or was
not made by worksheets (no ``/WorksheetsForm`` of a version we read).
"""

from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..documents.options import FORM_VERSION
from ..errors import WorksheetError

#: The largest filled worksheet read (a 31-day journal packet is a few MB).
MAX_BYTES = 50 * 1024 * 1024
#: The most PDF objects looked at for scripts and embedded files.
MAX_OBJECTS = 200_000
#: Names that make a PDF do something when it is opened or clicked.
ACTIVE_KEYS = {"/JS": "JavaScript", "/JavaScript": "JavaScript", "/AA": "automatic actions",
               "/Launch": "an action that starts a program",
               "/EmbeddedFiles": "an embedded file", "/EmbeddedFile": "an embedded file",
               "/RichMedia": "embedded media", "/XFA": "an XFA form"}


class AnswersError(WorksheetError):
    """A filled worksheet that cannot be read back; ``problems`` has one line each."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        super().__init__(f"{source}: " + "; ".join(problems) if len(problems) == 1
                         else f"{source}: {len(problems)} problems:\n  " + "\n  ".join(problems))

    def lines(self) -> list[str]:
        return [f"{self.source}: {p}" for p in self.problems]

    def __reduce__(self):
        return (type(self), (self.source, self.problems))


@dataclass(frozen=True)
class Field:
    """One form field: its kind ("text", "checkbox" or "radio"), value and choices."""

    name: str
    kind: str
    #: text: the string; checkbox: True/False; radio: the chosen value or None.
    value: str | bool | None
    #: radio: every button's value, in order; text: the longest answer allowed (or None).
    choices: tuple[str, ...] = ()
    max_length: int | None = None


@dataclass
class FilledForm:
    """A filled worksheet's fields and the ids it carries (see documents/options.py)."""

    client_id: str
    document: str
    documents: list[str]
    packet_id: str | None
    session: str | None
    paper: str | None
    fields: dict[str, Field] = field(default_factory=dict)


def _name(source) -> str:
    return Path(source).name if isinstance(source, str | os.PathLike) else "the uploaded file"


def read_bytes(source: str | os.PathLike | bytes) -> tuple[str, bytes]:
    """The file's name (for messages) and its bytes, refusing a missing or too large file."""
    shown = _name(source)
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        path = Path(source)
        try:
            size = path.stat().st_size
            if path.is_dir():
                raise AnswersError(shown, ["is a folder, not a PDF"])
            if not path.is_file():
                raise AnswersError(shown, ["is not a file (a device or a pipe)"])
            if size > MAX_BYTES:
                raise AnswersError(shown, [f"is {size // (1024 * 1024)} MB; a filled worksheet "
                                           f"is at most {MAX_BYTES // (1024 * 1024)} MB"])
            with path.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise AnswersError(shown, ["no such file"]) from None
        except PermissionError:
            raise AnswersError(shown, ["cannot be read (no permission)"]) from None
        except IsADirectoryError:
            raise AnswersError(shown, ["is a folder, not a PDF"]) from None
        except OSError as error:
            raise AnswersError(shown, [f"cannot be read ({error.strerror or 'an error'})"]) \
                from None
    if len(data) > MAX_BYTES:
        raise AnswersError(shown, [f"is over {MAX_BYTES // (1024 * 1024)} MB; a filled "
                                   f"worksheet is smaller"])
    if b"%PDF-" not in data[:1024]:
        raise AnswersError(shown, ["is not a PDF"])
    return shown, data


def _active_content(reader) -> str | None:
    """What makes this PDF do something by itself (a script, an embedded file), if anything."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    todo = [reader.trailer]
    looked = 0
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        looked += 1
        if looked > MAX_OBJECTS:
            return "too many objects to check"
        if isinstance(item, DictionaryObject):
            for name in item:
                if name in ACTIVE_KEYS:
                    return ACTIVE_KEYS[name]
            if item.get("/S") in ("/JavaScript", "/Launch", "/ImportData", "/SubmitForm"):
                return "an action"
            todo.extend(value for name, value in item.items()
                        if name not in ("/Parent", "/P"))
        elif isinstance(item, ArrayObject):
            todo.extend(item)
    return None


def _field(name: str, raw) -> Field:
    kind = raw.get("/FT")
    flags = int(raw.get("/Ff", 0) or 0)
    if kind == "/Tx":
        from pypdf.generic import ByteStringObject, TextStringObject

        value = raw.get("/V")
        if value is not None and not isinstance(value, TextStringObject | ByteStringObject | str):
            return Field(name, "other", None)  # a number, a list...: not what a reader saves
        if isinstance(value, ByteStringObject):
            value = value.decode("latin-1")
        max_length = raw.get("/MaxLen")
        return Field(name, "text", "" if value is None else str(value),
                     max_length=int(max_length) if isinstance(max_length, int) else None)
    if kind == "/Btn" and flags & (1 << 15):  # a radio group
        choices = tuple(str(option) for option in raw.get("/Opt", []) or [])
        state = str(raw.get("/V") or "/Off").lstrip("/")
        if state == "Off":
            return Field(name, "radio", None, choices)
        if state.isdigit() and int(state) < len(choices):
            return Field(name, "radio", choices[int(state)], choices)
        return Field(name, "radio", "\0unknown", choices)
    if kind == "/Btn":
        state = str(raw.get("/V") or "/Off").lstrip("/")
        return Field(name, "checkbox", state != "Off")
    return Field(name, "other", None)


def read_form(source: str | os.PathLike | bytes) -> FilledForm:
    """The fields and ids of a filled worksheet, or :class:`AnswersError` saying why not."""
    import pypdf
    from pypdf.errors import PyPdfError

    shown, data = read_bytes(source)
    quiet = logging.getLogger("pypdf")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # pypdf logs what it repairs; the messages say enough
    try:
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise AnswersError(shown, ["is encrypted (password-protected); save it again "
                                           "without a password, then import it"])
            info = reader.metadata or {}
            active = _active_content(reader)
            raw_fields = reader.get_fields() or {}
        except AnswersError:
            raise
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
                RecursionError, AssertionError, OSError):
            raise AnswersError(shown, ["is damaged or not a PDF that can be read"]) from None
    finally:
        quiet.setLevel(level)
    if active:
        raise AnswersError(shown, [f"contains {active}, which worksheets never makes; it "
                                   f"was not read"])
    version = info.get("/WorksheetsForm")
    if version is None:
        problem = "has no form fields" if not raw_fields else "was not made by worksheets"
        raise AnswersError(shown, [f"{problem}: make the worksheet with `worksheets render "
                                   f"--fillable` or `packet --fillable`"])
    if str(version) != FORM_VERSION:
        raise AnswersError(shown, [f"was made by another version of worksheets (form version "
                                   f"{str(version)[:10]!r}); this version reads {FORM_VERSION}"])
    if not raw_fields:
        raise AnswersError(shown, ["has no form fields"])
    form = FilledForm(
        client_id=str(info.get("/WorksheetsClient", "")),
        document=str(info.get("/WorksheetsDocument", "")),
        documents=[d for d in str(info.get("/WorksheetsDocuments", "")).split(",") if d],
        packet_id=str(info.get("/WorksheetsPacket", "")) or None,
        session=str(info.get("/WorksheetsSession", "")) or None,
        paper=str(info.get("/WorksheetsPaper", "")) or None)
    for name, raw in raw_fields.items():
        if "/Kids" in raw and "/FT" not in raw:
            continue  # a name part, not a field
        form.fields[str(name)] = _field(str(name), raw)
    return form
