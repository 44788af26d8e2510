"""The client's packet: a cover with a contents list, then the chosen worksheets.

The packet is one HTML document, so page numbers ("page x of y" and the
contents' page numbers) and PDF bookmarks come from one layout pass.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence

from . import templating
from .catalog import Worksheet, get_worksheet, list_worksheets
from .errors import WorksheetError
from .models import ClientProfile, PacketRecord
from .render import (
    RenderResult,
    as_client,
    base_context,
    check_paper,
    html_to_pdf,
    worksheet_context,
)

PACKET_TEMPLATE = "packet.html.j2"


def chosen_worksheets(worksheets: Sequence[str] | None) -> list[Worksheet]:
    """The worksheets named, in order (all of them when none are named)."""
    if not worksheets:
        return list_worksheets()
    if len(set(worksheets)) != len(worksheets):
        raise WorksheetError("worksheets: each worksheet may be chosen only once")
    return [get_worksheet(name) for name in worksheets]


def packet_html(client: ClientProfile | str | os.PathLike,
                worksheets: Sequence[str] | None = None, paper: str = "a4",
                templates_dir: str | os.PathLike | None = None) -> str:
    """The whole packet as one HTML string."""
    client, paper = as_client(client), check_paper(paper)
    sheets = chosen_worksheets(worksheets)
    sections = [
        {"sheet": sheet,
         "html": templating.render_block(sheet.template, "worksheet",
                                         worksheet_context(sheet, client, paper),
                                         templates_dir)}
        for sheet in sheets]
    title = f"Worksheets for {client.name}"
    context = {**base_context(client, title, paper), "sections": sections}
    return templating.render_template(PACKET_TEMPLATE, context, templates_dir)


def render_packet(client: ClientProfile | str | os.PathLike, out: str | os.PathLike,
                  worksheets: Sequence[str] | None = None, paper: str = "a4",
                  templates_dir: str | os.PathLike | None = None) -> RenderResult:
    """Render the cover and the chosen worksheets (all, by default) as one PDF.

    The cover lists each worksheet with its first page number; each worksheet
    gets a PDF bookmark, and the PDF's title is set.
    """
    client = as_client(client)
    html = packet_html(client, worksheets, paper, templates_dir)
    facts = html_to_pdf(html, out, paper, templates_dir)
    warnings = [w for sheet in chosen_worksheets(worksheets) for w in sheet.check(client)]
    return RenderResult(facts.path, facts.pages, warnings)


def render_casebook_packet(casebook, client_id: str, out: str | os.PathLike,
                           worksheets: Sequence[str] | None = None, paper: str = "a4",
                           templates_dir: str | os.PathLike | None = None) -> RenderResult:
    """Render a packet for a client stored in *casebook*, and log it there.

    The log keeps when, which worksheets, the paper and the file's SHA-256,
    never the PDF itself.
    """
    sheets = chosen_worksheets(worksheets)
    result = render_packet(casebook.get_client(client_id), out, [s.name for s in sheets],
                           paper, templates_dir)
    digest = hashlib.sha256(result.path.read_bytes()).hexdigest()
    casebook.log_packet(client_id, PacketRecord(worksheets=[s.name for s in sheets],
                                                paper=check_paper(paper), pages=result.pages,
                                                sha256=digest))
    return result
