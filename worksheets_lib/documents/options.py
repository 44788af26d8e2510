"""How a document is printed beyond its paper: fillable fields, large print, matching ids.

``PrintOptions`` travels from the command line or the workbook to the
templates (as ``form`` and ``large_print``) and to the PDF layer (form
fields, the metadata that matches answers back). Every PDF is tagged for
screen readers whatever the options.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..models import ClientProfile, new_id

#: The version of the field names below; a filled PDF carries it, and
#: ``import-answers`` reads the versions it knows.
FORM_VERSION = "1"


@dataclass(frozen=True)
class PrintOptions:
    """Whether to make form fields and print large; the packet id a fillable PDF carries."""

    fillable: bool = False
    large_print: bool = False
    #: Identifies one printed packet or worksheet, so its answers can be matched back.
    packet_id: str | None = None


def print_options(client: ClientProfile, fillable: bool = False,
                  large_print: bool | None = None,
                  packet_id: str | None = None) -> PrintOptions:
    """The options for *client*: large print follows the client file unless given."""
    if large_print is None:
        large_print = client.print.large
    if fillable and packet_id is None:
        packet_id = new_id()
    return PrintOptions(bool(fillable), bool(large_print), packet_id)


@dataclass(frozen=True)
class FormFields:
    """What templates use to name form fields: ``form.name("day-3", "intensity")``.

    Field names are the document's name, then the parts, joined with dots
    (``journal.day-3.intensity``). ``form.on`` is false when printing for paper
    only: the macros then draw lines and boxes and make no fields.
    """

    on: bool
    prefix: str
    #: Names given by :meth:`auto` so far, to keep them unique within the document.
    _given: dict = field(default_factory=dict, compare=False, repr=False)

    def name(self, *parts) -> str:
        return ".".join([self.prefix, *(str(p) for p in parts)])

    def auto(self, label: str) -> list[str]:
        """Name parts made from a question's own words, for a field a template did not name.

        "What do I expect will happen?" gives ``what-do-i-expect-will-happen``;
        a second question with the same words gets ``-2``. The names stay the
        same as long as the printed words do.
        """
        text = unicodedata.normalize("NFKD", str(label)).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48].strip("-") or "answer"
        count = self._given.get(slug, 0) + 1
        self._given[slug] = count
        return [slug if count == 1 else f"{slug}-{count}"]


def pdf_metadata(client: ClientProfile, document: str, options: PrintOptions,
                 documents: list[str] | None = None, paper: str = "a4") -> dict[str, str]:
    """The PDF's own entries that let ``import-answers`` match a filled file back."""
    if not options.fillable:
        return {}
    return {
        "WorksheetsClient": client.id,
        "WorksheetsDocument": document,
        "WorksheetsDocuments": ",".join(documents or [document]),
        "WorksheetsPacket": options.packet_id or "",
        "WorksheetsSession": client.session_date.isoformat(),
        "WorksheetsPaper": paper,
        "WorksheetsForm": FORM_VERSION,
    }
