"""Helpers the tests share: run the command line, read PDFs and widgets.

Import them with ``from helpers import ...`` (``conftest`` holds fixtures only;
it re-exports these for older test modules).
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import subprocess


def run(capsys, *args) -> tuple[int, str, str]:
    """Run the command line in this process: (exit code, stdout, stderr)."""
    from worksheets_lib.cli import main

    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def shown(widget) -> str:
    """The text an HTML widget shows (tags dropped, entities decoded); of a box, all of it."""
    if hasattr(widget, "children") and not hasattr(widget, "value"):
        return " ".join(shown(child) for child in widget.children
                        if hasattr(child, "value") or hasattr(child, "children"))
    if not isinstance(widget.value, str):
        return ""
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


# --- reading level ---------------------------------------------------------------------------

#: Stands in for every piece of text a client file or casebook supplies, so it can be taken
#: out of a page exactly: no English word holds it, so no fixed word is taken with it.
CLIENT_MARKER = "zqxjv"
#: The highest Flesch-Kincaid grade a client page's fixed text may have.
MAX_GRADE = 7.0

_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "div", "td", "th", "dt", "dd",
               "tr", "section", "table", "ol", "ul", "dl", "blockquote", "caption",
               "figcaption", "br", "hr"}
#: Inline elements that print.css lays out apart from their neighbours (a tick box's label,
#: a fill-in blank, the contents' descriptions): each is read as a unit of its own.
_BLOCK_CLASSES = {"tick", "fill", "contents-desc", "scale-end"}
_VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "col", "wbr", "source"}
#: Text that is not the page's own wording: the document's <head>, and the practice's footer
#: and the running header's values (both come from the practice folder or the client file).
_SKIPPED_TAGS = {"head", "style", "script", "title"}
_SKIPPED_CLASSES = {"page-foot", "running"}


def _is_free_text(annotation) -> bool:
    """Whether a model field's type is the client's free text (``text_field`` in models)."""
    import typing

    from worksheets_lib.models.common import _no_control_characters

    for part in typing.get_args(annotation):
        if getattr(part, "func", None) is _no_control_characters or _is_free_text(part):
            return True
    return False


def with_markers(value):
    """*value* (a model, a list of them, or Inputs) with every free-text field the marker.

    Stored choices (``anxious``, ``closer``), numbers, dates and ids are kept, so the page
    takes the same branches and labels as for the real client.
    """
    import dataclasses

    from pydantic import BaseModel

    if isinstance(value, list):
        return [with_markers(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{
            f.name: with_markers(getattr(value, f.name)) for f in dataclasses.fields(value)})
    if isinstance(value, BaseModel):
        changes = {}
        for name, info in type(value).model_fields.items():
            current = getattr(value, name)
            if isinstance(current, str) and (_is_free_text(info.annotation)
                                             or _is_free_text_metadata(info.metadata)):
                changes[name] = CLIENT_MARKER
            elif isinstance(current, BaseModel | list):
                changes[name] = with_markers(current)
        return value.model_copy(update=changes)
    return value


def _is_free_text_metadata(metadata) -> bool:
    from worksheets_lib.models.common import _no_control_characters

    return any(getattr(m, "func", None) is _no_control_characters for m in metadata)


def html_blocks(html_text: str) -> list[str]:
    """The visible text of an HTML page, one string per block (paragraph, heading, cell…)."""
    from html.parser import HTMLParser

    class Blocks(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.blocks, self.current, self.skipping, self.breaking = [], [], [], []

        def flush(self):
            text = " ".join("".join(self.current).split())
            if text:
                self.blocks.append(text)
            self.current = []

        def handle_starttag(self, tag, attrs):
            classes = set((dict(attrs).get("class") or "").split())
            if tag in _BLOCK_TAGS or classes & _BLOCK_CLASSES:
                self.flush()
            if classes & _BLOCK_CLASSES and tag not in _VOID_TAGS:
                self.breaking.append(tag)
            if tag not in _VOID_TAGS and (self.skipping or tag in _SKIPPED_TAGS
                                          or classes & _SKIPPED_CLASSES):
                self.skipping.append(tag)

        def handle_endtag(self, tag):
            if self.skipping and self.skipping[-1] == tag:
                self.skipping.pop()
            if tag in _BLOCK_TAGS:
                self.flush()
            elif self.breaking and self.breaking[-1] == tag:
                self.breaking.pop()
                self.flush()

        def handle_data(self, data):
            if not self.skipping:
                self.current.append(data)

    parser = Blocks()
    parser.feed(html_text)
    parser.close()
    parser.flush()
    return parser.blocks


def fixed_sentences(html_text: str) -> list[str]:
    """The page's own wording, client words taken out, each block ending as a sentence.

    A heading, a label or a table cell is read as a unit of its own, so each is closed
    with a full stop when it has no end mark; a block that held only client words goes.
    """
    import re

    sentences = []
    for block in html_blocks(html_text):
        text = re.sub(rf"\S*{CLIENT_MARKER}\S*", " ", block, flags=re.IGNORECASE)
        text = " ".join(text.split()).strip(" ,;:–—")
        if not re.search(r"[A-Za-z]", text):
            continue
        if not re.search(r"[.!?…][”’\")]*$", text):
            text += "."
        sentences.append(text)
    return sentences


def fixed_text(name: str, inputs=None, paper: str = "a4") -> str:
    """The fixed text of the document *name*: its page with every client word taken out.

    Rendered for the fictional demo client and records (or *inputs*) with each free-text
    field replaced by :data:`CLIENT_MARKER`, which is then removed.
    """
    from worksheets_lib import demo_client_path, document_html, load_client
    from worksheets_lib.documents.demo import demo_inputs

    inputs = inputs if inputs is not None else demo_inputs(load_client(demo_client_path()))
    html_text = document_html(name, with_markers(inputs), paper=paper)
    return " ".join(fixed_sentences(html_text))


#: A block this long or longer is running prose (an instruction, an explanation, an example).
PROSE_WORDS = 12


def prose_text(name: str, inputs=None, paper: str = "a4") -> str:
    """The running prose of the document *name*'s fixed text, each paragraph once.

    Measured apart from the whole page, so many short labels cannot pull a hard
    paragraph's grade down.
    """
    from worksheets_lib import demo_client_path, document_html, load_client
    from worksheets_lib.documents.demo import demo_inputs

    inputs = inputs if inputs is not None else demo_inputs(load_client(demo_client_path()))
    blocks = fixed_sentences(document_html(name, with_markers(inputs), paper=paper))
    return " ".join(dict.fromkeys(b for b in blocks if len(b.split()) >= PROSE_WORDS))


def reading_grade(text: str) -> float:
    """The Flesch-Kincaid grade of *text* (textstat's, for US English)."""
    import textstat

    textstat.set_lang("en_US")
    return textstat.flesch_kincaid_grade(text)


@contextlib.contextmanager
def small_file_system(folder, size: str):
    """A tmpfs of *size* ("1M") mounted at the new folder *folder* (root only, as CI is)."""
    import pytest

    if os.geteuid() != 0:
        pytest.fail("the full-disk test mounts a small tmpfs and needs root (as CI is)")
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                   check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
