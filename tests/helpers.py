"""Helpers the tests share: run the command line, read PDFs and widgets.

Import them with ``from helpers import ...`` (``conftest`` holds fixtures only;
it re-exports these for older test modules).
"""

from __future__ import annotations

import html
import re


def run(capsys, *args) -> tuple[int, str, str]:
    """Run the command line in this process: (exit code, stdout, stderr)."""
    from worksheets_lib.cli import main

    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def shown(widget) -> str:
    """The text an HTML widget shows (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", widget.value))


def pdf_text(path) -> str:
    """All text of a PDF, pages joined by form feeds, whitespace collapsed per page."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return "\f".join(re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages)


def pdf_fonts(path) -> set[str]:
    """The base names of every font used on any page (subset prefix removed)."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(str(path)).pages:
        resources = page.get("/Resources") or {}
        fonts = resources.get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    return names


def embedded_font_count(path) -> tuple[int, int]:
    """(fonts used, fonts with an embedded font file)."""
    from pypdf import PdfReader

    used = embedded = 0
    for page in PdfReader(str(path)).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            used += 1
            for desc_font in font.get("/DescendantFonts", []):
                desc = desc_font.get_object()["/FontDescriptor"].get_object()
                if any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    embedded += 1
    return used, embedded
