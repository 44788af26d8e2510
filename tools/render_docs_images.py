"""Re-render the document pictures in ``docs/`` and the README's gallery, from the registry.

Needs ``pdftoppm`` (Debian/Ubuntu: ``apt-get install poppler-utils``). Run
``./run docs`` after adding a document or changing a template or the print
CSS, look at the pictures, and commit them. Every registered document gets
``docs/NAME.png`` (its first page, made from the fictional demo client and
records) and a cell in the README's gallery; the example practice folder's
packet cover is ``docs/packet-branded.png``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from worksheets_lib import demo_client_path, list_documents, load_client, render_document
from worksheets_lib.documents.demo import demo_inputs

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
EXAMPLE_PRACTICE = ROOT / "examples" / "practice"
GALLERY_START, GALLERY_END = "<!-- gallery: made by tools/render_docs_images.py -->", \
    "<!-- /gallery -->"
PER_ROW = 4
#: The large-print pictures in the README: (document, paper, page).
LARGE_PRINT = (("journal", "a4", 1), ("ladder", "letter", 1), ("pause-cards", "letter", 2),
               ("listening", "a4", 1))


def png_page(pdf: Path, page: int, target: Path, dpi: int = 60) -> None:
    """Render one page of *pdf* to the PNG *target*."""
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(stem)], check=True)


def gallery() -> str:
    """The README's gallery: one cell per registered document, in registry order.

    Each cell has the title, name and audience, and one line on what it is for.
    """
    cells = [(f"**{d.title}** (`{d.name}`, for the {d.audience}): {d.description}",
              f"![{d.title}, first page](docs/{d.name}.png)") for d in list_documents()]
    cells.append(("The packet's cover with the example practice (`examples/practice/`)",
                  "![Packet cover with a practice's logo, colour and note]"
                  "(docs/packet-branded.png)"))
    rows = []
    for start in range(0, len(cells), PER_ROW):
        chunk = cells[start:start + PER_ROW]
        chunk += [("", "")] * (PER_ROW - len(chunk))
        rows += ["| " + " | ".join(title for title, _ in chunk) + " |",
                 "|" + " --- |" * PER_ROW,
                 "| " + " | ".join(picture for _, picture in chunk) + " |", ""]
    return "\n".join(rows).rstrip() + "\n"


def update_readme() -> None:
    text = README.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(GALLERY_START) + r".*?" + re.escape(GALLERY_END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {GALLERY_START} ... {GALLERY_END} section")
    new = f"{GALLERY_START}\n{gallery()}{GALLERY_END}"
    README.write_text(pattern.sub(lambda _: new, text), encoding="utf-8")


def main() -> int:
    if not shutil.which("pdftoppm"):
        print("pdftoppm not found: apt-get install poppler-utils", file=sys.stderr)
        return 1
    inputs = demo_inputs(load_client(demo_client_path()))
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for doc in list_documents():
            pdf = Path(tmp) / f"{doc.name}.pdf"
            render_document(doc.name, inputs, pdf)
            png_page(pdf, 1, DOCS / f"{doc.name}.png")
        pdf = Path(tmp) / "branded.pdf"
        render_document("packet", inputs, pdf, practice=EXAMPLE_PRACTICE)
        png_page(pdf, 1, DOCS / "packet-branded.png")
        for name, paper, page in LARGE_PRINT:
            pdf = Path(tmp) / f"large-{name}-{paper}.pdf"
            render_document(name, inputs, pdf, paper=paper, large_print=True)
            png_page(pdf, page, DOCS / f"large-print-{name}-{paper}.png")
    update_readme()
    for png in sorted(DOCS.glob("*.png")):
        print(png.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
