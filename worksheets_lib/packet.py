"""The older home of the packet functions; they live in ``worksheets_lib.documents.packet``."""

from .documents.packet import (
    chosen_documents,
    packet_html,
    render_casebook_packet,
    render_packet,
)

chosen_worksheets = chosen_documents

__all__ = ["chosen_documents", "chosen_worksheets", "packet_html", "render_casebook_packet",
           "render_packet"]
