"""Models in, PDF out: render any registered document, to HTML or to a PDF file.

``render_document`` is the one public entry for a single document; the
command line, the workbooks and the journal app all call it (the packet is
the registered document ``packet``; see ``documents.packet``).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import pdf, templating
from ..errors import WorksheetError
from ..models import ClientProfile
from ..models.paper import PAPER_SIZES
from ..practice import Practice, find_practice, load_practice
from .options import FormFields, PrintOptions, pdf_metadata, print_options
from .registry import Document, Inputs, get_document

STYLESHEET = "print.css"
#: Printed for paper only: no form fields, regular print.
PAPER_ONLY = PrintOptions()


@dataclass(frozen=True)
class RenderResult:
    """A written PDF: where it is, how many pages, and any warnings about the data."""

    path: Path
    pages: int
    warnings: list[str] = field(default_factory=list)


def as_inputs(inputs: Inputs | ClientProfile) -> Inputs:
    """Accept the inputs, or a client's profile alone."""
    if isinstance(inputs, Inputs):
        return inputs
    if isinstance(inputs, ClientProfile):
        return Inputs(inputs)
    raise TypeError("give a ClientProfile or Inputs (read a client file with load_client)")


def practice_of(practice: Practice | str | os.PathLike | None = None,
                templates_dir: str | os.PathLike | None = None) -> Practice:
    """The practice to print with. *templates_dir* is the older name for a practice folder."""
    if templates_dir is not None and practice is None:
        return load_practice(templates_dir)
    return find_practice(practice)


def check_paper(paper: str | None, practice: Practice | None = None) -> str:
    """Normalise and check a paper name; None means the practice's (or the default)."""
    if paper is None:
        return (practice or Practice()).paper
    key = str(paper).lower()
    if key not in PAPER_SIZES:
        raise WorksheetError(f"paper: must be one of {', '.join(PAPER_SIZES)}")
    return key


def base_context(client: ClientProfile, title: str, paper: str, practice: Practice,
                 duplex: bool = False, options: PrintOptions = PAPER_ONLY) -> dict[str, Any]:
    """What the base layout needs on every page."""
    return {"client": client, "document_title": title, "paper": paper, "duplex": duplex,
            "practice": practice.context(client.therapist.practice),
            "large_print": options.large_print, "fillable": options.fillable}


def document_context(doc: Document, inputs: Inputs, paper: str, practice: Practice,
                     scratch: Path, duplex: bool = False,
                     hints: dict | None = None,
                     options: PrintOptions = PAPER_ONLY) -> dict[str, Any]:
    """The full context of one document's template.

    ``form`` names the document's form fields (``form.on`` is false unless
    the PDF is fillable); ``large_print`` asks for the large-print layout.
    The document's own context may read both from ``hints["options"]``.
    """
    hints = {**(hints or {}), "options": options}
    return {**base_context(inputs.client, doc.title, paper, practice, duplex, options),
            "doc": doc, "sheet": doc, "form": FormFields(options.fillable, doc.name),
            **doc.context(inputs, scratch, paper, hints)}


LARGE_PRINT = "large_print.css"


def stylesheets(practice: Practice, large_print: bool = False) -> list[Path]:
    """``print.css`` (the practice's own replaces the built-in), then ``practice.css``.

    Large print adds ``large_print.css`` last, so it wins over a practice's sizes.
    """
    found = None
    for folder in templating.search_path(practice.folder):
        if (folder / STYLESHEET).is_file():
            found = folder / STYLESHEET
            break
    if found is None:
        raise WorksheetError(f"{STYLESHEET} not found in the template folders")
    extra = practice.stylesheet()
    sheets = [found, extra] if extra else [found]
    if large_print:
        sheets.append(templating.templates_dir() / LARGE_PRINT)
    return sheets


def html_to_pdf(html: str, out: str | os.PathLike, paper: str, practice: Practice,
                scratch: Path | None = None, accept=None, forms: bool = False,
                info: dict[str, str] | None = None, large_print: bool = False) -> pdf.PdfFacts:
    """Lay out our HTML with the stylesheets and write the PDF atomically.

    *scratch* is a temporary folder WeasyPrint may read for this render
    (charts); *accept* may refuse the layout (see :func:`pdf.make_pdf`).
    """
    # Only a folder a document wrote into is readable, and only then does the render
    # use an image cache of its own (the lasting one is kept for the usual case).
    used = scratch is not None and any(scratch.iterdir())
    data, pages = pdf.make_pdf(html, roots=templating.search_path(practice.folder),
                               stylesheets=stylesheets(practice, large_print), paper=paper,
                               extra_css=practice.accent_css(),
                               temporary_roots=[scratch] if used else [], accept=accept,
                               forms=forms, info=info)
    return pdf.write_pdf(data, pages, out)


#: How many times a document may be laid out again when its check asks for it.
MAX_LAYOUTS = 4


def lay_out(make_html, docs: list[Document], out: str | os.PathLike, paper: str,
            practice: Practice, scratch: Path | None, forms: bool = False,
            info: dict[str, str] | None = None, large_print: bool = False) -> pdf.PdfFacts:
    """Make the HTML (``make_html(hints)``), lay it out, and write it once every check agrees.

    A document's ``check_layout`` looks at the pages; when it answers with
    hints, the HTML is made again with them (the last try is written as it is).
    """
    hints: dict[str, dict] = {}
    for attempt in range(MAX_LAYOUTS):
        html = make_html(hints)

        def accept(pages, final=attempt == MAX_LAYOUTS - 1, hints=hints):
            if final:
                return None
            wanted = {}
            for doc in docs:
                if doc.check_layout is not None:
                    answer = doc.check_layout(pages, hints.get(doc.name, {}))
                    if answer is not None:
                        wanted[doc.name] = answer
            return wanted or None

        try:
            return html_to_pdf(html, out, paper, practice, scratch, accept, forms, info,
                               large_print)
        except pdf.LayoutRejected as rejected:
            hints = {**hints, **rejected.answer}
    raise AssertionError("unreachable: the last layout is always accepted")


def document_html(name: str, inputs: Inputs | ClientProfile, paper: str | None = None,
                  practice: Practice | str | os.PathLike | None = None,
                  duplex: bool = False, *, fillable: bool = False,
                  large_print: bool | None = None) -> str:
    """A document as an HTML string, for a preview (charts are left out of previews)."""
    doc, inputs = get_document(name), as_inputs(inputs)
    if doc.name == "packet":
        from .packet import packet_html

        return packet_html(inputs, None, paper, practice, duplex, fillable=fillable,
                           large_print=large_print)
    doc.check_inputs(inputs)
    practice = find_practice(practice)
    paper = check_paper(paper, practice)
    options = print_options(inputs.client, fillable, large_print)
    with tempfile.TemporaryDirectory(prefix="worksheets-") as scratch:
        context = document_context(doc, inputs, paper, practice, Path(scratch), duplex,
                                   options=options)
        return templating.render_template(doc.template, context, practice.folder)


def render_document(name: str, inputs: Inputs | ClientProfile, out: str | os.PathLike,
                    paper: str | None = None,
                    practice: Practice | str | os.PathLike | None = None,
                    duplex: bool = False, *, fillable: bool = False,
                    large_print: bool | None = None) -> RenderResult:
    """Render the document *name* to the PDF file *out*.

    *inputs* holds the client's profile and the records the document needs
    (a profile alone is enough for documents made from a client file);
    *paper* is ``a4`` or ``letter`` (default: the practice's); *practice* is a
    practice folder or :class:`Practice` (default: found as ``find_practice``
    says); *duplex* starts each worksheet on a right-hand page. Returns the
    file, its page count and warnings (for example ladder steps too far apart).
    *fillable* makes the writing lines, tick boxes and scales PDF form fields;
    *large_print* prints large (None: as the client file says).
    """
    doc, inputs = get_document(name), as_inputs(inputs)
    if doc.name == "packet":
        from .packet import render_packet

        return render_packet(inputs, out, None, paper, practice, duplex, fillable=fillable,
                             large_print=large_print)
    doc.check_inputs(inputs)
    practice = find_practice(practice)
    paper = check_paper(paper, practice)
    options = print_options(inputs.client, fillable, large_print)
    with tempfile.TemporaryDirectory(prefix="worksheets-") as folder:
        scratch = Path(folder)

        def make_html(hints: dict[str, dict]) -> str:
            context = document_context(doc, inputs, paper, practice, scratch, duplex,
                                       hints.get(doc.name), options)
            return templating.render_template(doc.template, context, practice.folder)

        facts = lay_out(make_html, [doc], out, paper, practice, scratch, options.fillable,
                        pdf_metadata(inputs.client, doc.name, options, paper=paper),
                        options.large_print)
    return RenderResult(facts.path, facts.pages, doc.warnings(inputs))
