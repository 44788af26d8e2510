"""The older names for the registry (``worksheets_lib.documents``), kept for callers.

``Worksheet`` is now :class:`~worksheets_lib.documents.Document`; the
worksheets listed here are the packet's default ones.
"""

from __future__ import annotations

from .documents.registry import Document as Worksheet
from .documents.registry import get_document as get_worksheet
from .documents.registry import packet_documents
from .documents.worksheets import LISTENING_CONVERSATIONS


def list_worksheets() -> list[Worksheet]:
    """The worksheets a packet holds by default, in order."""
    return [d for d in packet_documents() if d.default_in_packet]


__all__ = ["LISTENING_CONVERSATIONS", "Worksheet", "get_worksheet", "list_worksheets"]
