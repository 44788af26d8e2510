"""Re-render the worksheet pictures in ``docs/`` that the README shows.

Needs ``pdftoppm`` (Debian/Ubuntu: ``apt-get install poppler-utils``). Run
``./run docs`` after changing a template or the print CSS, look at the
pictures, and commit them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from worksheets_lib import demo_client_path, load_client, render_packet, render_worksheet

DOCS = Path(__file__).resolve().parent.parent / "docs"
WORKSHEETS = ["ladder", "journal", "listening"]


def png_page(pdf: Path, page: int, target: Path, dpi: int = 60) -> None:
    """Render one page of *pdf* to the PNG *target*."""
    stem = target.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(stem)], check=True)


def main() -> int:
    if not shutil.which("pdftoppm"):
        print("pdftoppm not found: apt-get install poppler-utils", file=sys.stderr)
        return 1
    client = load_client(demo_client_path())
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in WORKSHEETS:
            pdf = Path(tmp) / f"{name}.pdf"
            render_worksheet(name, client, pdf)
            png_page(pdf, 1, DOCS / f"{name}.png")
        pdf = Path(tmp) / "packet.pdf"
        render_packet(client, pdf)
        png_page(pdf, 1, DOCS / "packet-cover.png")
    for png in sorted(DOCS.glob("*.png")):
        print(png.relative_to(DOCS.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
