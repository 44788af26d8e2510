"""Answers back into the casebook: read a filled, fillable worksheet and store what it holds.

``import_answers`` is the one entry: the command line (``worksheets client
import-answers FILE.pdf``) and the workbooks' upload boxes both call it.

- ``pdfform``: reads the PDF's fields safely, or refuses the file in one line.
- ``records``: checks every field and turns them into records.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .pdfform import AnswersError, FilledForm, read_form
from .records import Reading, parse_date, read_records


@dataclass
class ImportResult:
    """What one import stored: a line per record (no client text), and notes."""

    client_id: str
    stored: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        """The lines to show: what was stored, what was there already, notes."""
        lines = [f"stored {line}" for line in self.stored]
        lines += [f"already imported: {line}" for line in self.already]
        lines += [f"note: {note}" for note in self.notes]
        if not self.stored and not self.already:
            lines.append("nothing to store: the worksheet has no answers yet")
        return lines


def import_answers(casebook, source: str | os.PathLike | bytes,
                   client_id: str | None = None) -> ImportResult:
    """Store what a filled worksheet (a path or its bytes) holds, all of it or nothing.

    The PDF says which client it was made for; that client must be in
    *casebook*, and must be *client_id* when one is given. Raises
    :class:`AnswersError` with one line per problem when the file or any of
    its fields is wrong (nothing is stored then).
    """
    from ..errors import ClientNotFoundError

    form = read_form(source)
    shown = getattr(source, "name", None) or (os.path.basename(os.fspath(source))
                                              if not isinstance(source, bytes | bytearray)
                                              else "the uploaded file")
    if client_id is not None and form.client_id != client_id:
        raise AnswersError(shown, [f"was made for another client, not {client_id}"])
    try:
        profile = casebook.get_client(form.client_id)
    except ClientNotFoundError:
        raise AnswersError(shown, ["was made for a client who is not in this casebook"]) \
            from None
    reading = read_records(form, profile)
    if reading.problems:
        raise AnswersError(shown, reading.problems)
    stored = casebook.import_records(form.client_id, reading.records) if reading.records else []
    if not reading.records:
        casebook.import_records(form.client_id, [])  # the audit line: an import was tried
    result = ImportResult(form.client_id, notes=reading.notes)
    for line, new in zip(reading.lines, stored, strict=True):
        (result.stored if new else result.already).append(line)
    return result


__all__ = ["AnswersError", "FilledForm", "ImportResult", "Reading", "import_answers",
           "parse_date", "read_form", "read_records"]
