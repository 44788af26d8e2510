"""Every printable document, in one registry, and the one way to render them.

- ``registry``: the :class:`Document` type, :class:`Inputs` and the registry.
- ``worksheets``: the client's worksheets (ladder, journal, listening, goal plan).
- ``records``: documents made from casebook records (history map, journal week,
  progress review).
- ``handouts``: the client's handouts and reflection pages (attachment patterns, feelings
  under the surface, then or now, values and culture, feelings words).
- ``calming``: the grounding plan, the pause cards, the experiment record, the support
  map and the keeping-it-going plan.
- ``couples``: pages for close relationships (cycle map, repair plan, asking for
  what I need, small moments of connection) and the therapist's stage notes.
- ``packet``: the packet (a cover and any client documents).
- ``render``: models in, HTML or PDF out.
- ``sources``: the models a document needs, gathered from the casebook.
"""

# Registry order is import order: the worksheets, the record documents, the handouts, the
# calming and practising pages, then the packet.
from . import worksheets  # noqa: F401, I001
from . import records  # noqa: F401, I001
from . import handouts  # noqa: F401, I001
from . import calming  # noqa: F401, I001
from . import couples  # noqa: F401, I001
from .packet import chosen_documents, packet_html, render_casebook_packet, render_packet
from .registry import (
    Document,
    Inputs,
    MissingRecordsError,
    get_document,
    list_documents,
    packet_documents,
    register,
)
from .render import RenderResult, check_paper, document_html, render_document
from .sources import gather

__all__ = [
    "Document", "Inputs", "MissingRecordsError", "RenderResult", "check_paper",
    "chosen_documents", "document_html", "gather", "get_document", "list_documents",
    "packet_documents", "packet_html", "register", "render_casebook_packet", "render_document",
    "render_packet",
]
