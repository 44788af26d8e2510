"""The client's packet: a cover with a contents list, then the chosen client documents.

The packet is one HTML document, so page numbers ("page x of y" and the
contents' page numbers) and PDF bookmarks come from one layout pass. Any
client-audience document may be a section; those made from the client file
alone are the default.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .. import templating
from ..errors import UnknownWorksheetError, WorksheetError
from ..models import ClientProfile, PacketRecord, new_id
from ..practice import Practice, find_practice
from .options import PrintOptions, pdf_metadata, print_options
from .registry import Document, Inputs, get_document, packet_documents, register
from .render import (
    RenderResult,
    as_inputs,
    base_context,
    check_paper,
    document_context,
    lay_out,
)

PACKET_TEMPLATE = "packet.html.j2"


def chosen_documents(names: Sequence[str] | None) -> list[Document]:
    """The documents named, in order (the default ones when none are named)."""
    allowed = packet_documents()
    if not names:
        return [d for d in allowed if d.default_in_packet]
    if len(set(names)) != len(names):
        raise WorksheetError("worksheets: each worksheet may be chosen only once")
    chosen = []
    for name in names:
        doc = get_document(name)
        if doc not in allowed:
            raise UnknownWorksheetError(name, [d.name for d in allowed])
        chosen.append(doc)
    return chosen


def _packet_context(inputs: Inputs, scratch: Path, paper: str = "a4",
                    hints: dict | None = None) -> dict:
    return {}


PACKET = register(Document(
    "packet", "Client packet",
    "A cover with a contents list, then the client's worksheets as one PDF.",
    "client", PACKET_TEMPLATE, _packet_context, in_packet=False, purpose="practising"))


def packet_html(inputs: Inputs | ClientProfile, names: Sequence[str] | None = None,
                paper: str | None = None, practice: Practice | str | os.PathLike | None = None,
                duplex: bool = False, scratch: Path | None = None,
                hints: dict[str, dict] | None = None, *, fillable: bool = False,
                large_print: bool | None = None, options: PrintOptions | None = None) -> str:
    """The whole packet as one HTML string."""
    inputs = as_inputs(inputs)
    options = options or print_options(inputs.client, fillable, large_print)
    practice = find_practice(practice)
    paper = check_paper(paper, practice)
    docs = chosen_documents(names)
    for doc in docs:
        doc.check_inputs(inputs)
    with tempfile.TemporaryDirectory(prefix="worksheets-") as folder:
        scratch = scratch or Path(folder)
        sections = [
            {"sheet": doc, "doc": doc,
             "html": templating.render_body(
                 doc.template, document_context(doc, inputs, paper, practice, scratch, duplex,
                                                (hints or {}).get(doc.name), options),
                 practice.folder)}
            for doc in docs]
    client = inputs.client
    context = {**base_context(client, f"Worksheets for {client.name}", paper, practice, duplex,
                              options),
               "doc": PACKET, "sheet": PACKET, "sections": sections}
    return templating.render_template(PACKET_TEMPLATE, context, practice.folder)


def render_packet(inputs: Inputs | ClientProfile, out: str | os.PathLike,
                  worksheets: Sequence[str] | None = None, paper: str | None = None,
                  practice: Practice | str | os.PathLike | None = None,
                  duplex: bool = False, *, fillable: bool = False,
                  large_print: bool | None = None,
                  packet_id: str | None = None) -> RenderResult:
    """Render the cover and the chosen documents (the default ones, if none) as one PDF.

    The cover lists each document with its first page number; each gets a
    PDF bookmark, and the PDF's title is set. *fillable* and *large_print* are
    as for :func:`render_document`; *packet_id* is the id a fillable packet
    carries (a new one by default).
    """
    inputs = as_inputs(inputs)
    practice = find_practice(practice)
    paper = check_paper(paper, practice)
    docs = chosen_documents(worksheets)
    options = print_options(inputs.client, fillable, large_print, packet_id)
    info = pdf_metadata(inputs.client, "packet", options, [d.name for d in docs], paper)
    with tempfile.TemporaryDirectory(prefix="worksheets-") as folder:
        def make_html(hints: dict[str, dict]) -> str:
            return packet_html(inputs, worksheets, paper, practice, duplex, Path(folder), hints,
                               options=options)

        facts = lay_out(make_html, docs, out, paper, practice, Path(folder), options.fillable,
                        info, options.large_print)
    warnings = [w for doc in docs for w in doc.warnings(inputs)]
    return RenderResult(facts.path, facts.pages, warnings)


def render_casebook_packet(casebook, client_id: str, out: str | os.PathLike,
                           worksheets: Sequence[str] | None = None, paper: str | None = None,
                           practice: Practice | str | os.PathLike | None = None,
                           duplex: bool = False, *, fillable: bool = False,
                           large_print: bool | None = None) -> RenderResult:
    """Render a packet for a client stored in *casebook*, and log it there.

    The records the chosen documents need are read from the casebook. The
    log keeps when, which worksheets, the paper and the file's SHA-256,
    never the PDF itself.
    """
    from .sources import gather

    practice = find_practice(practice)
    docs = chosen_documents(worksheets)
    paper = check_paper(paper, practice)
    inputs = gather(casebook, client_id, docs)
    record_id = new_id()
    result = render_packet(inputs, out, [d.name for d in docs], paper, practice, duplex,
                           fillable=fillable, large_print=large_print, packet_id=record_id)
    digest = hashlib.sha256(result.path.read_bytes()).hexdigest()
    # A fillable packet carries the id of this log line, so its answers match back to it.
    casebook.log_packet(client_id, PacketRecord(id=record_id, worksheets=[d.name for d in docs],
                                                paper=paper, pages=result.pages, sha256=digest))
    return result
