"""The client's handouts and reflection pages, made from the client file alone.

Handouts explain (the attachment patterns, feelings words); reflection pages
give room to write (feelings under the surface, then or now, values and
culture). Like the worksheets, client words arrive as data and are never
joined into grammar.
"""

from __future__ import annotations

from .registry import Document, Inputs, register  # noqa: F401
